/**
 * Contact notes in an address: a number the import masked (docs/privacy.md §4: 〔手机号〕 …), with
 * the words that introduce it (电话, 手机, 联系方式) and the person it names (张先生, 李女士, 报警人,
 * or a full name after a boundary: 西湖区李明华〔手机号〕, or after the last number: 〔手机号〕孙一鸣).
 * Call-takers write them into the address field (阳光小区3栋2单元501室 李女士 电话〔手机号〕); they
 * are not part of the place, so the parser labels them `otherinfo` and reads the address around
 * them (parse.ts). Read as a place, 张先生 became the call's POI: the door lost its building key
 * and got another for each caller.
 */

/**
 * The tokens masking writes (src/ingest/privacy/mask.ts `MASK_TAGS`, checked equal by a test):
 * the address rules cannot depend on the import's privacy code.
 */
export const MASKED_NUMBER_TOKENS = [
  "〔身份证号〕",
  "〔手机号〕",
  "〔固话〕",
  "〔银行卡号〕",
  "〔车牌号〕",
  "〔QQ号〕",
  "〔微信号〕",
] as const;

/** Separators a note may start or end with (spaces, commas, colons, brackets). */
const SEP_CHAR = "[\\s,，、;；:：.。/／(（)）\\[\\]【】-]";
const SEP = `${SEP_CHAR}*`;
/**
 * The separators a note starts with: a whole run or none. A match tried from inside a run fails
 * at once instead of reading the rest of the run again (5,000 commas and a 〔 took 0.6 s).
 */
const LEADING_SEP = `(?:(?<!${SEP_CHAR})${SEP_CHAR}+)?`;
/** The person a note names: a role, or one surname and a form of address (张先生, 王师傅). */
const PERSON =
  "(?:(?:报警人|报案人|求助人|联系人|当事人|户主|业主|房东|租户|住户)|[\\u4e00-\\u9fff](?:先生|女士|小姐|师傅|阿姨|大爷|大妈|大姐|大哥))";
/** Words before the number. */
const LEAD =
  "(?:联系(?:电话|方式|号码)?|(?:电话|手机)(?:号码|号)?|号码|身份证(?:号码|号)?|证件号(?:码)?|车牌(?:号码|号)?|银行卡(?:号)?|卡号|(?:微信|QQ|qq)(?:号码|号)?|tel|TEL|Tel|电)";
const TOKEN = `(?:${MASKED_NUMBER_TOKENS.join("|")})`;

/**
 * Common Chinese surnames: the ~100 most frequent single-character ones (national household
 * registration rankings) and the compound ones still in use. A full name without a form of
 * address (李明华〔手机号〕) is a note only when it starts with one of these.
 */
const COMMON_SURNAMES =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤" +
  // Less frequent, and seldom a word of a place: 傅, 温, 康 …
  "傅温康施牛樊葛邢乔伍庞颜倪庄聂章鲁岳翟殷詹申耿焦俞左柳甘祝舒阮柯纪梅童凌毕裴霍涂苗翁冉骆蓝辛靳柴蒙鲍喻祁蒲滕屈饶牟艾尤穆卓缪褚娄窦戚岑卜晏瞿佟臧闵苟邬卞姬栾隋刁巫寇郎甄丛仲虞敖巩佘邝";
/** Compound surnames (欧阳, 司马 …); not 东方, 西门, 百里, 第五, which are place words as often. */
const COMPOUND_SURNAMES = [
  "欧阳",
  "司马",
  "上官",
  "诸葛",
  "皇甫",
  "尉迟",
  "公孙",
  "慕容",
  "令狐",
  "长孙",
  "宇文",
  "司徒",
  "夏侯",
  "轩辕",
  "端木",
  "独孤",
  "南宫",
  "呼延",
  "申屠",
  "太史",
  "澹台",
  "闻人",
  "濮阳",
  "钟离",
  "赫连",
  "万俟",
] as const;
/**
 * Characters a place name ends with and a given name seldom does (村, 路, 园, 店, 家, 山 …): 金沙港,
 * 王家, 马路, 石桥 are never read as persons. Names ending so are missed (王宝山): a missed
 * name costs a key, a place taken for a name the place itself.
 */
const PLACE_END =
  "村庄屯寨堡营镇乡区县市省州路街道巷弄里园苑城湾港桥楼厦座栋幢层室号院场站店厂馆所局部社寺庙观家组队口门坊居府宅墅库铺行屋舍堂阁轩廊亭台塔湖河溪沟渠岭坡坪岗峪塘洲岛滩山坝池泉井田地圩垸畈坑洼厅处会校司仓";
/** A full name: a surname and one or two more characters, not ending like a place. */
const FULL_NAME = `(?:(?:${COMPOUND_SURNAMES.join("|")})[\\u4e00-\\u9fff]{1,2}|[${COMMON_SURNAMES}][\\u4e00-\\u9fff]{1,2})(?<![${PLACE_END}])`;
/**
 * Where a full name may start: the start, a separator, the end of a division (省 市 区 县 旗 镇 乡
 * 村, 街道), the end of a number (501 王芹, 9号楼 王芹, 2单元 王芹), a masked number or a role
 * (报警人). The pre-pass knows no division, so it reads the last character alone: 区 also ends
 * 小区 and 园区, 市 超市, which are boundaries as good (阳光小区王建国〔手机号〕). A name inside a
 * place name (红星路王府井) has none of these before it, and nothing here is a character of a
 * number: the name starts after it.
 */
const NAME_BOUNDARY =
  "(?<=^|[\\s,，、;；:：.。/／(（)）\\[\\]【】〕-]|[省市区县旗镇乡村]|街道|单元|[0-9０-９](?:号楼|号房|[号栋幢楼座层室户房])?|报警人|报案人|求助人|联系人|当事人|户主|业主|房东|租户|住户|收货人|收件人)";
/** A full name at a boundary, perhaps with 收 (李明华收〔手机号〕). */
const NAMED = `${NAME_BOUNDARY}${FULL_NAME}收?`;
/** After the last masked number at the end of the text: a full name and 收, or 收 alone. */
const TRAILING = `(?:(?:${FULL_NAME}收?|收)${SEP}$)?`;

/**
 * One note: a person (or a role and a person: 报警人张先生, 报警人李明华), words, one or more masked
 * numbers, each but the numbers optional; with the separators around it, and at the end of the
 * text a full name or 收 after the numbers (阳光小区〔手机号〕孙一鸣). Anchored at a masked number, so
 * it never reaches into the place before the person.
 */
const NOTE = new RegExp(
  `${LEADING_SEP}(?:(?:${PERSON}|${NAMED})${SEP}){0,2}(?:${LEAD}${SEP})?${TOKEN}(?:${SEP}(?:${LEAD}${SEP})?${TOKEN})*${SEP}${TRAILING}`,
  "g",
);

/** A note's place in the text: [start, end). */
export interface ContactNote {
  readonly start: number;
  readonly end: number;
}

/**
 * The contact notes of `text`, in order, not overlapping; none when it holds no masked number.
 * @example
 * contactNotes("红星路12号张先生〔手机号〕"); // [{ start: 7, end: 15 }]: 张先生〔手机号〕
 */
export function contactNotes(text: string): ContactNote[] {
  if (!text.includes("〔")) return [];
  const notes: ContactNote[] = [];
  for (const m of text.matchAll(NOTE)) notes.push({ start: m.index, end: m.index + m[0].length });
  return notes;
}

/** A labelled span, [start, end) (parse.ts `Span`). */
interface LabelledSpan {
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Spans of `text` read by `parse` around its contact notes: the notes are taken out, the rest is
 * parsed as one address (阳光小区3栋张先生〔手机号〕2单元501室 is read as 阳光小区3栋2单元501室), the
 * spans are put back at their places (one that straddles a note is split around it) and each
 * note is one `otherinfo` span. Without a note, `parse(text)` itself.
 * @example
 * spansAroundNotes("红星路12号张先生〔手机号〕", parse); // …, roadno 12号, otherinfo 张先生〔手机号〕
 */
export function spansAroundNotes(
  text: string,
  parse: (text: string) => readonly LabelledSpan[],
): readonly LabelledSpan[] {
  const notes = contactNotes(text);
  if (notes.length === 0) return parse(text);
  // offsets[k]: where character k of the text without the notes is in `text` (and its end).
  const offsets: number[] = [];
  let work = "";
  let from = 0;
  for (const note of [...notes, { start: text.length, end: text.length }]) {
    for (let i = from; i < note.start; i++) offsets.push(i);
    work += text.slice(from, note.start);
    from = note.end;
  }
  offsets.push(text.length);
  const out: LabelledSpan[] = [];
  for (const sp of parse(work)) {
    if (sp.end <= sp.start) continue;
    // Characters of one span are consecutive in `work`; where they jump in `text`, a note lies
    // between them and the span is split around it.
    let start = offsets[sp.start]!;
    for (let k = sp.start + 1; k < sp.end; k++)
      if (offsets[k]! !== offsets[k - 1]! + 1) {
        out.push({ label: sp.label, start, end: offsets[k - 1]! + 1 });
        start = offsets[k]!;
      }
    out.push({ label: sp.label, start, end: offsets[sp.end - 1]! + 1 });
  }
  for (const note of notes) out.push({ label: "otherinfo", start: note.start, end: note.end });
  return out.sort((a, b) => a.start - b.start);
}

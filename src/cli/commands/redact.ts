import iconv from "iconv-lite";
import {
  findIdentifiers,
  IDENTIFIER_KINDS,
  type IdentifierKind,
  MASK_TAGS,
} from "../../ingest/privacy/index.ts";
import { type Command, type CommandContext, println, t } from "../command.ts";

const ENCODINGS = ["utf8", "gbk", "gb18030"] as const;
type Encoding = (typeof ENCODINGS)[number];

/** A line longer than this without a newline is masked in pieces, cut where no identifier can straddle. */
const MAX_PENDING = 1 << 20;
/** Punctuation no identifier contains: safe places to cut an endless line. */
const SAFE_CUT = /[，。；！？、,;!?]/g;

const KIND_NAMES: Readonly<Record<IdentifierKind, { zh: string; en: string }>> = {
  resident_id: { zh: "身份证号", en: "resident IDs" },
  mobile: { zh: "手机号", en: "mobile numbers" },
  landline: { zh: "固话", en: "landlines" },
  bank_card: { zh: "银行卡号", en: "bank cards" },
  plate: { zh: "车牌号", en: "licence plates" },
  qq: { zh: "QQ号", en: "QQ accounts" },
  wechat: { zh: "微信号", en: "WeChat accounts" },
};

interface Tally {
  lines: number;
  found: Record<IdentifierKind, number>;
}

/** Masks one line and counts what it hid. */
function maskLine(
  line: string,
  tally: Tally,
): { text: string; found: Partial<Record<IdentifierKind, number>> } {
  const spans = findIdentifiers(line);
  if (spans.length === 0) return { text: line, found: {} };
  const found: Partial<Record<IdentifierKind, number>> = {};
  let text = "";
  let at = 0;
  for (const span of spans) {
    text += line.slice(at, span.start) + MASK_TAGS[span.kind];
    at = span.end;
    found[span.kind] = (found[span.kind] ?? 0) + 1;
    tally.found[span.kind] += 1;
  }
  return { text: text + line.slice(at), found };
}

/** Index after the last safe cut point in text, or -1. */
function lastSafeCut(text: string): number {
  let cut = -1;
  SAFE_CUT.lastIndex = 0;
  for (let m = SAFE_CUT.exec(text); m !== null; m = SAFE_CUT.exec(text)) cut = m.index + 1;
  return cut;
}

async function write(ctx: CommandContext, chunk: string): Promise<void> {
  if (chunk.length > 0 && !ctx.stdout.write(chunk))
    await new Promise((done) => ctx.stdout.once("drain", done));
}

/**
 * `recur redact`: stdin to stdout, line by line, with every identifier replaced by its tag
 * (the same masking as import). Streams, so input of any size works in bounded memory.
 */
export const redactCommand: Command = {
  name: "redact",
  summary: {
    zh: "遮蔽标准输入中的身份证号、手机号、固话、银行卡号、车牌号，逐行输出",
    en: "mask resident IDs, phone numbers, bank cards and plates in stdin, line by line",
  },
  usage: "[--encoding utf8|gbk|gb18030] [--stats] [--json] < IN > OUT",
  options: {
    encoding: { type: "string", default: "utf8" },
    stats: { type: "boolean", default: false },
  },
  async run(args, ctx) {
    const encoding = String(args.values.encoding ?? "utf8").toLowerCase() as Encoding;
    if (!ENCODINGS.includes(encoding)) {
      println(
        ctx.stderr,
        t(
          ctx,
          `不支持的编码 ${encoding}（可用：${ENCODINGS.join("、")}）`,
          `unsupported encoding ${encoding} (use one of ${ENCODINGS.join(", ")})`,
        ),
      );
      return 2;
    }
    if (args.positionals.length > 0) {
      println(
        ctx.stderr,
        t(
          ctx,
          "redact 只读标准输入：recur redact < 输入 > 输出",
          "redact reads stdin only: recur redact < IN > OUT",
        ),
      );
      return 2;
    }

    const tally: Tally = {
      lines: 0,
      found: Object.fromEntries(IDENTIFIER_KINDS.map((k) => [k, 0])) as Record<IdentifierKind, number>,
    };
    const emit = (line: string, newline: string): string => {
      tally.lines += 1;
      const { text, found } = maskLine(line, tally);
      return ctx.json ? `${JSON.stringify({ line: tally.lines, text, masked: found })}\n` : text + newline;
    };

    const input =
      encoding === "utf8"
        ? (ctx.stdin as NodeJS.ReadableStream & { setEncoding(e: string): void })
        : ctx.stdin.pipe(iconv.decodeStream(encoding));
    if (encoding === "utf8") (input as { setEncoding(e: string): void }).setEncoding("utf8");

    let pending = "";
    let first = true;
    for await (const chunk of input as AsyncIterable<string>) {
      let text = pending + chunk;
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      let out = "";
      let at = 0;
      if (ctx.json) {
        for (let nl = text.indexOf("\n", at); nl >= 0; nl = text.indexOf("\n", at)) {
          const crlf = nl > at && text.charCodeAt(nl - 1) === 13;
          out += emit(text.slice(at, crlf ? nl - 1 : nl), crlf ? "\r\n" : "\n");
          at = nl + 1;
        }
      } else {
        // All complete lines of the chunk at once: no identifier and no phone context crosses a
        // newline, so this equals masking line by line, with far fewer small strings.
        at = text.lastIndexOf("\n") + 1;
        if (at > 0) {
          for (let nl = text.indexOf("\n"); nl >= 0 && nl < at; nl = text.indexOf("\n", nl + 1))
            tally.lines++;
          out = maskLine(at === text.length ? text : text.slice(0, at), tally).text;
        }
      }
      pending = text.slice(at);
      if (!ctx.json && pending.length > MAX_PENDING) {
        const cut = lastSafeCut(pending);
        if (cut > 0) {
          out += maskLine(pending.slice(0, cut), tally).text;
          pending = pending.slice(cut);
        }
      }
      await write(ctx, out);
    }
    if (pending.length > 0) await write(ctx, emit(pending, ""));

    if (args.values.stats === true) {
      const total = IDENTIFIER_KINDS.reduce((n, k) => n + tally.found[k], 0);
      const parts = IDENTIFIER_KINDS.filter((k) => tally.found[k] > 0).map(
        (k) => `${KIND_NAMES[k][ctx.lang]} ${tally.found[k]}`,
      );
      println(
        ctx.stderr,
        t(
          ctx,
          `已处理 ${tally.lines} 行，遮蔽 ${total} 处${parts.length ? `（${parts.join("，")}）` : ""}`,
          `${tally.lines} lines, ${total} identifiers masked${parts.length ? ` (${parts.join(", ")})` : ""}`,
        ),
      );
    }
    return 0;
  },
};

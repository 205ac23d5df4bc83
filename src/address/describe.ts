/**
 * Location keys (keys.ts, us.ts) read back as place names for people: explanations, series
 * titles and briefings show "澜江市阳光小区3栋2单元501室" instead of "Z:澜江市:阳光小区/b3/u2/r501".
 * The key stays the identity; this is only its label.
 */

type Lang = "zh" | "en";

const PARTS: Record<string, { zh: (n: string) => string; en: (n: string) => string }> = {
  b: { zh: (n) => `${n}栋`, en: (n) => `bldg ${n}` },
  u: { zh: (n) => `${n}单元`, en: (n) => `unit ${n}` },
  f: { zh: (n) => `${n}层`, en: (n) => `floor ${n}` },
  r: { zh: (n) => `${n}室`, en: (n) => `room ${n}` },
};

/** "b3" / "u2" / "r501" / "f5" → its label; null when the segment is a name (a sub-POI). */
function numbered(segment: string, lang: Lang): string | null {
  const m = /^([bufr])(.+)$/.exec(segment);
  if (!m || !/\d/.test(m[2]!)) return null;
  return PARTS[m[1]!]![lang](m[2]!);
}

/**
 * A readable name for a location key, in Chinese or English; the key itself when its form is
 * not known.
 * @example
 * describeLocationKey("Z:澜江市:阳光小区/b3/u2/r501", "zh"); // "澜江市阳光小区3栋2单元501室"
 * describeLocationKey("X:澜江市:衡山街&解放路", "en"); // "衡山街 & 解放路, 澜江市"
 */
export function describeLocationKey(key: string, lang: Lang): string {
  if (key.startsWith("US:")) return describeUs(key.slice(3));
  const m = /^([ZRXC]):([^:]*):(.*)$/.exec(key);
  if (!m) return key;
  const [, kind, scope, rest] = m as unknown as [string, string, string, string];
  const zh = lang === "zh";
  const within = (name: string) => (zh ? `${scope}${name}` : scope ? `${name}, ${scope}` : name);
  if (kind === "X") {
    const [a, b] = rest.split("&");
    return within(zh ? `${a}与${b}交叉口` : `${a} & ${b}`);
  }
  const [head, ...segments] = rest.split("/");
  const names: string[] = [];
  const numbers: string[] = [];
  let number: string | undefined;
  if (kind === "R") {
    // R:<scope>:<road>/<number>[/b…]: the first segment after the road is its number.
    number = segments.shift();
  }
  for (const segment of segments) {
    // In a community key the number is a house number (下宅村107号), not a building.
    const house = kind === "C" && /^b\d/.test(segment) ? segment.slice(1) : null;
    const label = house ? (zh ? `${house}号` : `No. ${house}`) : numbered(segment, lang);
    if (label) numbers.push(label);
    else names.push(segment.replace(/\+/g, zh ? "" : " "));
  }
  const road = number ? (zh ? `${head}${number}号` : `${head} No. ${number}`) : (head ?? "");
  const place = zh ? `${road}${names.join("")}` : [road, ...names].join(" ");
  if (numbers.length === 0) return within(place);
  return zh ? within(`${place}${numbers.join("")}`) : within(`${place}, ${numbers.join(", ")}`);
}

/** US keys: "<scope>:<block> <street>", "<scope>:X:<a> & <b>", "<scope>:P:<place>". */
function describeUs(rest: string): string {
  const colon = rest.indexOf(":");
  const [scope, body] =
    colon >= 0 && !/^[XP]:/.test(rest) ? [rest.slice(0, colon), rest.slice(colon + 1)] : ["", rest];
  const text = body.replace(/^[XP]:/, "");
  return scope ? `${text}, ${scope}` : text;
}

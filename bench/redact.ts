/**
 * Masking throughput on typical 110 narratives (40-120 characters): how many narratives per
 * second maskText handles on one core. Run: node --import tsx bench/redact.ts [seconds]
 * The corpus is generated (seeded), so the figure is reproducible and uses no real data.
 */
import { loadavg } from "node:os";
import { Readable, Writable } from "node:stream";
import fc from "fast-check";
import { main } from "../src/cli/main.ts";
import {
  bankCardSpelled,
  mobileSpelled,
  ordinaryNumber,
  plateSpelled,
  residentId18,
} from "../src/ingest/privacy/arbitraries.ts";
import { findIdentifiers, maskText } from "../src/ingest/privacy/index.ts";

const SEED = 110;
const SIZE = 50_000;
const seconds = Number(process.argv[2] ?? 3);

const openings = ["报警人称", "来电称", "群众报警：", "报警人王某称", "接警员记录："];
const places = ["幸福里小区", "解放路与人民路交叉口", "城东菜市场", "阳光花园", "滨江工地", "第三中学门口"];
const matters = [
  "与邻居因楼上噪音发生纠纷，要求民警到场处理",
  "家中被盗，丢失现金及首饰若干",
  "在小区门口与人发生口角，对方动手打人",
  "工地老板拖欠工资，十余名工人聚集讨薪",
  "在超市购买的商品质量有问题，商家拒绝退货",
  "两车发生刮擦，无人员受伤，双方对责任有争议",
  "有人在楼道内吵闹，影响休息",
  "其母亲走失，身穿灰色外套",
];
const followUps = [
  "",
  "，民警到场后了解情况",
  "，经现场调解双方情绪稳定",
  "，已通知社区网格员跟进",
  "，现场无人受伤",
];
const closings = ["。", "，请求出警。", "，民警已到场调解。", "，已告知拨打12345。", "，双方达成和解。"];

/** One narrative: opening, a time, a place with house numbers, a matter, sometimes an identifier. */
const narrative = fc.noBias(
  fc
    .tuple(
      fc.constantFrom(...openings),
      ordinaryNumber,
      fc.constantFrom(...places),
      ordinaryNumber,
      fc.constantFrom(...matters),
      fc.constantFrom(...followUps),
      fc.constantFrom(...closings),
      fc.integer({ min: 0, max: 99 }),
      fc.oneof(mobileSpelled, residentId18, plateSpelled, bankCardSpelled),
    )
    .map(([open, a, place, b, matter, follow, close, roll, id]) => {
      // About 25% of narratives carry an identifier, as call-takers often note a callback number.
      const extra = roll < 15 ? `，联系电话${id}` : roll < 25 ? `，${id}` : "";
      return `${open}${a}在${place}${b}${matter}${extra}${follow}${close}`;
    }),
);

const corpus = fc.sample(narrative, { seed: SEED, numRuns: SIZE });
const chars = corpus.reduce((n, s) => n + s.length, 0);
const withIds = corpus.filter((s) => findIdentifiers(s).length > 0).length;

/**
 * Runs maskText over the texts in passes until the budget is spent. Reports per wall-clock
 * second and per CPU second of this process (on a shared machine the second is the fair "one
 * core" figure), as the total and as the best pass (the least disturbed by other load).
 */
function measure(texts: readonly string[], budgetMs: number) {
  let done = 0;
  let sink = 0;
  let best = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    const passCpu = process.cpuUsage();
    for (const text of texts) sink += maskText(text).length;
    const used = process.cpuUsage(passCpu);
    best = Math.max(best, texts.length / ((used.user + used.system) / 1e6));
    done += texts.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { perSecond: (done / elapsed) * 1000, perCpuSecond: (done / cpuMs) * 1000, bestPass: best, sink };
}

measure(corpus.slice(0, 5000), 300); // warm-up: let the JIT settle
const all = measure(corpus, seconds * 1000);
const plain = measure(
  corpus.filter((s) => findIdentifiers(s).length === 0),
  Math.max(500, seconds * 250),
);

/** `recur redact` end to end in this process (64 KiB UTF-8 chunks in, output discarded): lines per CPU second. */
async function measureCommand(copies: number) {
  const block = Buffer.from(`${corpus.join("\n")}\n`);
  const chunks: Buffer[] = [];
  for (let c = 0; c < copies; c++)
    for (let at = 0; at < block.length; at += 65536) chunks.push(block.subarray(at, at + 65536));
  let bytesOut = 0;
  const sink = new Writable({
    write(chunk, _encoding, done) {
      bytesOut += chunk.length;
      done();
    },
  });
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const code = await main(["redact"], { stdin: Readable.from(chunks), stdout: sink, stderr: sink, env: {} });
  const cpu = process.cpuUsage(cpuStart);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const lines = corpus.length * copies;
  return {
    code,
    lines,
    megabytesIn: Math.round((block.length * copies) / 1e6),
    linesPerSecond: Math.round(lines / seconds),
    linesPerCpuSecond: Math.round(lines / ((cpu.user + cpu.system) / 1e6)),
    bytesOut,
  };
}
const command = await measureCommand(Math.max(2, Math.round(seconds * 4)));

console.log(
  JSON.stringify(
    {
      narratives: corpus.length,
      meanChars: Math.round(chars / corpus.length),
      withIdentifiers: withIds,
      narrativesPerSecond: Math.round(all.perSecond),
      narrativesPerCpuSecond: Math.round(all.perCpuSecond),
      narrativesPerCpuSecondBestPass: Math.round(all.bestPass),
      charsPerCpuSecond: Math.round((all.perCpuSecond * chars) / corpus.length),
      withoutIdentifiersPerCpuSecond: Math.round(plain.perCpuSecond),
      redactCommand: {
        lines: command.lines,
        megabytesIn: command.megabytesIn,
        linesPerSecond: command.linesPerSecond,
        linesPerCpuSecond: command.linesPerCpuSecond,
      },
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
      node: process.version,
    },
    null,
    2,
  ),
);
console.log(
  `maskText: ${Math.round(all.perCpuSecond).toLocaleString("en")} narratives per CPU second ` +
    `(best pass ${Math.round(all.bestPass).toLocaleString("en")}; ${Math.round(all.perSecond).toLocaleString("en")}/s wall clock); goal 500,000 on one core`,
);
console.log(
  `recur redact (in process, streaming): ${command.linesPerCpuSecond.toLocaleString("en")} lines per CPU second ` +
    `(${command.linesPerSecond.toLocaleString("en")}/s wall clock)`,
);
if (all.sink + plain.sink === 0 || command.code !== 0 || command.bytesOut === 0)
  console.log("(unexpected: empty output)");

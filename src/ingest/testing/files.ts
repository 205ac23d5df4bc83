import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import iconv from "iconv-lite";
import { type BatchId, fixedClock } from "../../domain/index.ts";
import { type ImportOptions, type ImportSummary, importFile } from "../pipeline.ts";
import { loadProfile } from "../profile/load.ts";
import type { Profile } from "../profile/schema.ts";
import { type MemoryStore, TEST_KEYS } from "./fakes.ts";

/** A fresh temporary folder for one test file. */
export function tempDir(prefix = "recur-ingest-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes text to a file in `dir`, encoded as asked (GBK through iconv-lite, with or without BOM). */
export function writeText(
  dir: string,
  name: string,
  text: string,
  encoding: "utf8" | "utf8bom" | "gbk" = "utf8",
): string {
  const path = join(dir, name);
  const bytes =
    encoding === "gbk"
      ? iconv.encode(text, "gbk")
      : Buffer.concat([
          encoding === "utf8bom" ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0),
          Buffer.from(text),
        ]);
  writeFileSync(path, bytes);
  return path;
}

/** 2026-01-01T00:00:00Z: "now" of the tests (future-time checks). */
export const TEST_NOW = Date.UTC(2026, 0, 1);

let batches = 0;

/** Imports a file into a MemoryStore with test keys and a fixed clock. */
export async function importInto(
  store: MemoryStore,
  path: string,
  profile: Profile | string,
  extra: Partial<ImportOptions> = {},
): Promise<ImportSummary> {
  batches++;
  return importFile({
    path,
    profile: typeof profile === "string" ? await loadProfile(profile) : profile,
    store,
    batchId: `batch-${batches}` as BatchId,
    keys: TEST_KEYS,
    clock: fixedClock(TEST_NOW),
    ...extra,
  });
}

/** The synthetic export's header (docs: SYNTH-FORMAT), for fixtures. */
export const SYNTH_HEADER =
  "接警单号,报警时间,接警时间,派警时间,到场时间,反馈时间,报警电话,警情类别,警情细类,处置部门,发生地址,经度,纬度,坐标系,所属分局,所属派出所,所属警务区,简要案情,处警结果,反馈内容";

/** One synthetic export row from a few fields, the rest sensible defaults. */
export function synthRow(fields: Partial<Record<string, string>> = {}): string {
  const defaults: Record<string, string> = {
    接警单号: "J330105202405010001",
    报警时间: "2024-05-01 08:00:00",
    接警时间: "2024-05-01 08:00:20",
    派警时间: "2024-05-01 08:01:00",
    到场时间: "2024-05-01 08:10:00",
    反馈时间: "2024-05-01 09:00:00",
    报警电话: "13812345678",
    警情类别: "纠纷",
    警情细类: "邻里纠纷",
    处置部门: "",
    发生地址: "滨江区春华路88号阳光花园3栋2单元501室",
    经度: "120.21",
    纬度: "30.21",
    坐标系: "GCJ02",
    所属分局: "滨江分局",
    所属派出所: "春华派出所",
    所属警务区: "春华一警务区",
    简要案情: "报警人称楼上噪音扰民，报警人电话13812345678。",
    处警结果: "已调解",
    反馈内容: "民警到场调解，双方和解。",
  };
  const merged = { ...defaults, ...fields };
  const quote = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  return SYNTH_HEADER.split(",")
    .map((name) => quote(merged[name] ?? ""))
    .join(",");
}

/** A month's export of the synthetic format (CRLF, as Windows tools write it): `rows` calls with ids `${prefix}${month}${n}`. */
export function synthMonth(prefix: string, year: number, m: number, rows: number): Buffer {
  const mm = String(m).padStart(2, "0");
  const lines = Array.from({ length: rows }, (_, i) => {
    const day = String(i + 1).padStart(2, "0");
    return synthRow({
      接警单号: `${prefix}${year}${mm}${String(i + 1).padStart(4, "0")}`,
      报警时间: `${year}-${mm}-${day} 08:00:00`,
      接警时间: `${year}-${mm}-${day} 08:00:20`,
      派警时间: `${year}-${mm}-${day} 08:01:00`,
      到场时间: `${year}-${mm}-${day} 08:10:00`,
      反馈时间: `${year}-${mm}-${day} 09:00:00`,
      发生地址: `浙江省杭州市西湖区红星路${i + 1}号阳光小区`,
    });
  });
  return Buffer.from(`${SYNTH_HEADER}\r\n${lines.join("\r\n")}\r\n`);
}

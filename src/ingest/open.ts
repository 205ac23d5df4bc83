import { extname } from "node:path";
import { InputError } from "../domain/index.ts";
import type { ReadLimits } from "./limits.ts";
import { profileColumns } from "./profile/mapper.ts";
import type { Profile } from "./profile/schema.ts";
import { readCsv } from "./readers/csv.ts";
import type { EncodingName } from "./readers/encoding.ts";
import { readJsonl } from "./readers/jsonl.ts";
import type { RecordSource } from "./readers/types.ts";

export type InputFormat = "csv" | "xlsx" | "jsonl";

/** The format of a file: the profile's choice, else its extension (CSV for anything unknown). */
export function inputFormat(path: string, profile: Profile): InputFormat {
  const chosen = profile.input?.format;
  if (chosen && chosen !== "auto") return chosen;
  const ext = extname(path).toLowerCase();
  if (ext === ".xlsx" || ext === ".xlsm") return "xlsx";
  if (ext === ".xls")
    throw new InputError("xls_unsupported", {
      zh: "不支持旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx 或 CSV",
      en: "legacy .xls files are not supported; save as .xlsx or CSV in Excel/WPS",
    });
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  return "csv";
}

/** Opens a file with the reader its format needs. `encoding` (the --encoding flag) wins over the profile. */
export async function openSource(
  path: string,
  profile: Profile,
  limits: ReadLimits,
  encoding?: EncodingName,
): Promise<RecordSource> {
  const format = inputFormat(path, profile);
  const enc = encoding ?? profile.input?.encoding ?? "auto";
  // The XLSX reader (ExcelJS) is loaded only for XLSX files: it is a third of an import's start-up.
  if (format === "xlsx")
    return (await import("./readers/xlsx.ts")).readXlsx(path, {
      limits,
      ...(profile.input?.sheet !== undefined ? { sheet: profile.input.sheet } : {}),
    });
  if (format === "jsonl") return readJsonl(path, { encoding: enc, limits, columns: profileColumns(profile) });
  return readCsv(path, { encoding: enc, delimiter: profile.input?.delimiter ?? ",", limits });
}

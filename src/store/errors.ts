import { RecurError } from "../domain/index.ts";

/** Contract errors of the store, with their message in both languages. */

export function batchExistsError(id: string): RecurError {
  return new RecurError("batch_exists", {
    zh: `导入批次 ${id} 已存在，请使用新的批次号`,
    en: `import batch ${id} already exists; use a new batch id`,
  });
}

export function batchMismatchError(expected: string, found: string): RecurError {
  return new RecurError("batch_mismatch", {
    zh: `警情属于批次 ${found}，但正在写入批次 ${expected}`,
    en: `incident belongs to batch ${found} but batch ${expected} is being written`,
  });
}

export function batchClosedError(id: string): RecurError {
  return new RecurError("batch_closed", {
    zh: `导入批次 ${id} 已提交或已回滚，不能再写入`,
    en: `import batch ${id} was already committed or rolled back`,
  });
}

export function storeOpenError(where: string, reason: string): RecurError {
  return new RecurError("store_open_failed", {
    zh: `无法打开数据库 ${where}：${reason}`,
    en: `cannot open the database ${where}: ${reason}`,
  });
}

export function storeBusyError(): RecurError {
  return new RecurError("store_busy", {
    zh: "另一个程序正在写入数据库（例如另一次导入），请待其完成后重试",
    en: "another program is writing to the database (another import?); try again when it has finished",
  });
}

// The SQLite batch writer in a worker thread: the import's main thread hands over flat values
// (v8-serialised) and goes on parsing while this thread inserts. Plain JavaScript: see
// sqlite-executor.mjs.
import { deserialize } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { BatchExecutor, openConnection } from "./sqlite-executor.mjs";
import { ValueDecoder } from "./value-codes.mjs";

let executor;
try {
  executor = new BatchExecutor(
    openConnection(workerData.path, { keepJournal: workerData.keepJournal }),
    workerData.sql,
    {
      cacheKib: workerData.cacheKib,
      busyTimeoutMs: workerData.busyTimeoutMs,
    },
  );
} catch (error) {
  parentPort.postMessage({ id: 0, error: { message: error.message, code: error.code } });
}

// Repeated texts arrive as codes (value-codes.mjs): the incidents' values, sql.columns a row.
const decoder = new ValueDecoder(workerData.sql.columns, workerData.coded);

parentPort.on("message", ({ id, op, args }) => {
  try {
    let result;
    if (op === "begin") executor.begin(args.params, args.expectedRows);
    else if (op === "insert") result = executor.insert(decoder.decode(deserialize(args.data), args.added));
    else if (op === "rows") result = executor.rows(args.spec, deserialize(args.values));
    else if (op === "block") result = executor.block(args.spec, args.keys, args.numbers);
    else if (op === "quarantine") executor.quarantine(args);
    else if (op === "statement") result = executor.statement(args.sql, args.params, args.read);
    else if (op === "commit") executor.commit(args);
    else if (op === "rollback") executor.rollback();
    else if (op === "close") {
      executor.rollback();
      executor.conn.close();
    } else throw new Error(`unknown operation ${op}`);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: error.message, code: error.code } });
  }
});

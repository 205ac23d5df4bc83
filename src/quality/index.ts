export * from "./batch.ts";
export * from "./codes.ts";
export * from "./config.ts";
export * from "./judge.ts";
export * from "./rules.ts";
export * from "./truth.ts";

export * from "./batch.ts";
export * from "./codes.ts";
export * from "./config.ts";
export * from "./judge.ts";
export * from "./review.ts";
export * from "./rules.ts";
export * from "./score.ts";
export * from "./truth.ts";

export * from "./case.ts";
export * from "./lifecycle.ts";
export * from "./outcome.ts";
export * from "./retention.ts";
export * from "./sweep.ts";

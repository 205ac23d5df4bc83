export * from "./columns.ts";
export * from "./indicators.ts";

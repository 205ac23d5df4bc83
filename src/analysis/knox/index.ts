export * from "./input.ts";
export * from "./knox.ts";

export * from "./patterns.ts";

export * from "./hotspots.ts";

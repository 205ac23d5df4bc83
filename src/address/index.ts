/** Address understanding: Chinese and US addresses into components and stable location keys. */
export * from "./dictionary.ts";
export * from "./gazetteer.ts";
export * from "./geo.ts";
export * from "./keys.ts";
export * from "./locator.ts";
export * from "./normalize.ts";
export * from "./parse.ts";
export * from "./score.ts";
export * from "./tagger.ts";
export * from "./us.ts";

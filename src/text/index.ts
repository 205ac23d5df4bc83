export * from "./classify.ts";
export * from "./evaluate.ts";
export * from "./extract.ts";
export * from "./features.ts";
export * from "./keywords.ts";
export * from "./lexicon.ts";
export * from "./model.ts";
export * from "./segmenter.ts";

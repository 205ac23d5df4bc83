/** The synthetic city 澜江市 and its 110 export (docs/synthetic-city.md). */
export { buildCity, type City, cityForIncidents, defaultCity, type Place, placeKeys } from "./city.ts";
export { COL, csvHeader, csvText, SYNTH_COLUMNS, type SynthRow } from "./columns.ts";
export { cityDivisions, cityPlaceDictionary } from "./gazetteer.ts";
export { DEFECT_CODES, type DefectCode, type GenerateOptions, generateCity } from "./generate.ts";
export { type FoundSeries, scoreAgainstTruth, type TruthScore } from "./score.ts";
export type { SynthTruth, TruthSeries } from "./truth.ts";

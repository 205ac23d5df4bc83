import { createAddressLocator, type FullAddressLocator } from "../address/index.ts";
import { latestImportRegion } from "../ingest/rekey.ts";
import { loadPlaceDictionary } from "../store/place-dictionary.ts";
import type { Store } from "../store/types.ts";

/**
 * The address locator of the deployment, for addresses that come in over the API (the
 * dispatch-time check, incidents posted one by one): keyed as the imports key them, or a call
 * would not meet the calls stored from the same door. That is the store's place dictionary and
 * the deployment's region: `RECUR_REGION` when set, otherwise the region of the profile of the
 * latest import that names one. Without it, 阳光小区3栋 typed at dispatch keys as `Z::阳光小区`
 * while the imports, read within 浙江省杭州市, stored `Z:杭州市:阳光小区`.
 * @example const locator = await deploymentLocator(store); locator.locate("阳光小区3栋2单元501").room
 */
export async function deploymentLocator(
  store: Store,
  env: NodeJS.ProcessEnv = process.env,
): Promise<FullAddressLocator> {
  const dictionary = await loadPlaceDictionary(store);
  const region = env.RECUR_REGION?.trim() || (await latestImportRegion(store));
  return createAddressLocator({ region, dictionary, datum: "wgs84" });
}

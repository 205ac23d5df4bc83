import { resolve } from "node:path";
import {
  type AddressLocatorOptions,
  createAddressLocator,
  type FullAddressLocator,
} from "../../address/index.ts";
import {
  type AddressComponentsJson,
  addressComponentsJson,
  type Incident,
  LOCATION_LEVELS,
  type LocationKeys,
  type LocationLevel,
} from "../../domain/index.ts";
import { loadProfile } from "../../ingest/profile/load.ts";
import { DEFAULT_DB_PATH, openStore, type Relocation, recordAddressRules } from "../../store/index.ts";
import { type CommandContext, println, t } from "../command.ts";

/**
 * `recur address rekey`: derives the location keys and address components of every stored
 * incident again from its address, and updates the rows whose keys or components changed. Keys
 * are a function of the address text and the rules (docs/address.md), so after an upgrade that
 * changed the rules, calls imported before and after it would otherwise key the same door apart.
 */

/** What a rekey found: incidents read, with an address, changed, and changes per key level. */
export interface RekeySummary {
  readonly incidents: number;
  readonly withAddress: number;
  readonly changed: number;
  readonly componentsChanged: number;
  readonly levels: Readonly<Record<LocationLevel, number>>;
  readonly dryRun: boolean;
  readonly seconds: number;
}

/** Incidents read and updated per transaction. */
const PAGE = 5000;
/** Distinct addresses remembered per region (cleared when full: memory stays bounded). */
const MEMO_LIMIT = 100_000;

function sameKeys(a: LocationKeys, b: LocationKeys): boolean {
  return LOCATION_LEVELS.every((level) => (a[level] ?? null) === (b[level] ?? null));
}

/** The new keys and components of an incident, or null when they are what is stored. */
export function relocation(
  incident: Incident,
  located: { readonly keys: LocationKeys; readonly components: AddressComponentsJson | null },
): Relocation | null {
  const stored = incident.addressComponents ?? null;
  if (sameKeys(incident.location, located.keys) && stored === located.components) return null;
  return { id: incident.id, location: located.keys, addressComponents: located.components };
}

/** A locator per region, with a bounded memo of the addresses it has analysed. */
class Locators {
  readonly #byRegion = new Map<string, { locator: FullAddressLocator; memo: Map<string, Located> }>();
  constructor(readonly options: AddressLocatorOptions) {}
  located(region: string | null, address: string): Located {
    const key = region ?? "";
    let entry = this.#byRegion.get(key);
    if (!entry) {
      entry = { locator: createAddressLocator({ ...this.options, region, datum: "wgs84" }), memo: new Map() };
      this.#byRegion.set(key, entry);
    }
    let out = entry.memo.get(address);
    if (!out) {
      // The same analysis as the import's (src/ingest/pipeline.ts): the keys, and the components when any.
      const a = entry.locator.analyse(address);
      out = { keys: a.keys, components: a.entities.length > 0 ? addressComponentsJson(a.entities) : null };
      if (entry.memo.size >= MEMO_LIMIT) entry.memo.clear();
      entry.memo.set(address, out);
    }
    return out;
  }
}

interface Located {
  readonly keys: LocationKeys;
  readonly components: AddressComponentsJson | null;
}

/**
 * Runs the rekey over the store of --db / DATABASE_URL. The region of each incident is its import
 * profile's (`region`), unless --region (or RECUR_REGION) is given; --dict and --model as for
 * `recur import`. With --dry-run nothing is written.
 */
export async function rekey(
  values: Readonly<Record<string, unknown>>,
  options: AddressLocatorOptions,
  ctx: CommandContext,
): Promise<number> {
  const started = performance.now();
  const dryRun = values["dry-run"] === true;
  const path =
    typeof values.db === "string" ? resolve(ctx.cwd, values.db) : resolve(ctx.cwd, DEFAULT_DB_PATH);
  const store = await openStore({
    path,
    ...(ctx.env.DATABASE_URL ? { databaseUrl: ctx.env.DATABASE_URL } : {}),
  });
  try {
    const forced = typeof values.region === "string" ? values.region : (ctx.env.RECUR_REGION ?? null);
    const regionOfBatch = new Map<string, string | null>();
    // Each profile is read (and an unreadable one reported) once, however many batches it imported.
    const regionOfProfile = new Map<string, string | null>();
    for (const batch of await store.batches.list()) {
      let region = forced ?? regionOfProfile.get(batch.profile);
      if (region === undefined) {
        region = null;
        try {
          region = (await loadProfile(batch.profile, ctx.cwd)).region ?? null;
        } catch {
          println(
            ctx.stderr,
            t(
              ctx,
              `导入配置 ${batch.profile} 无法读取，按无地区解析其批次的地址（可用 --region 指定）`,
              `the import profile ${batch.profile} cannot be read; the addresses of its batches are parsed without a region (--region sets one)`,
            ),
          );
        }
        regionOfProfile.set(batch.profile, region);
      }
      regionOfBatch.set(batch.id, region);
    }

    const locators = new Locators(options);
    const levels = Object.fromEntries(LOCATION_LEVELS.map((level) => [level, 0])) as Record<
      LocationLevel,
      number
    >;
    let incidents = 0;
    let withAddress = 0;
    let changed = 0;
    let componentsChanged = 0;
    let pending: Relocation[] = [];
    const flush = async () => {
      if (!dryRun && pending.length > 0) await store.incidents.relocate(pending);
      pending = [];
    };
    for await (const page of store.incidents.scan(PAGE)) {
      for (const incident of page) {
        incidents++;
        if (incident.address === null || incident.address.trim() === "") continue;
        withAddress++;
        const region = regionOfBatch.get(incident.batchId) ?? forced;
        const change = relocation(incident, locators.located(region, incident.address));
        if (!change) continue;
        changed++;
        if ((incident.addressComponents ?? null) !== change.addressComponents) componentsChanged++;
        for (const level of LOCATION_LEVELS)
          if ((incident.location[level] ?? null) !== (change.location[level] ?? null)) levels[level]++;
        pending.push(change);
      }
      // Written between pages: the scan's keyset paging (received_at, id) is not moved by these columns.
      await flush();
    }
    await flush();
    // Every key now follows today's rules: later imports no longer warn (src/store/address-rules.ts).
    if (!dryRun) await recordAddressRules(store);
    const summary: RekeySummary = {
      incidents,
      withAddress,
      changed,
      componentsChanged,
      levels,
      dryRun,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    if (ctx.json) println(ctx.stdout, JSON.stringify(summary));
    else {
      const perLevel = LOCATION_LEVELS.map((level) => `${level} ${levels[level]}`).join(", ");
      println(
        ctx.stdout,
        t(
          ctx,
          `读取 ${incidents} 条警情（${withAddress} 条有地址），${changed} 条的位置键或地址要素变了${dryRun ? "（试运行，未写入）" : changed > 0 ? "，已更新" : ""}；各级位置键变化：${perLevel}；要素变化 ${componentsChanged} 条；用时 ${summary.seconds} 秒`,
          `read ${incidents} incidents (${withAddress} with an address); ${changed} had new location keys or components${dryRun ? " (dry run, nothing written)" : changed > 0 ? ", updated" : ""}; keys changed per level: ${perLevel}; components changed: ${componentsChanged}; ${summary.seconds} s`,
        ),
      );
      if (!dryRun && changed > 0)
        println(
          ctx.stdout,
          t(
            ctx,
            "正在运行的 recur serve 需重启，重复警情索引才会用上新的位置键",
            "a running recur serve picks up the new keys for its repeat index when restarted",
          ),
        );
    }
    return 0;
  } finally {
    await store.close();
  }
}

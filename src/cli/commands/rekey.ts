import { userInfo } from "node:os";
import { resolve } from "node:path";
import type { AddressLocatorOptions } from "../../address/index.ts";
import { LOCATION_LEVELS } from "../../domain/index.ts";
import { importProfileRegion, type RekeyCounts, rekeyStore } from "../../ingest/rekey.ts";
import { DEFAULT_DB_PATH, openStore } from "../../store/index.ts";
import { dictionaryDigest, loadPlaceDictionary } from "../../store/place-dictionary.ts";
import { serverRepository } from "../../store/server-repository.ts";
import { MASKED_TEXT_FIELDS } from "../../store/types.ts";
import { type CommandContext, println, t } from "../command.ts";

/**
 * `recur address rekey`: masks the free texts of every stored incident as an import does today
 * and derives its location keys and address components again from its masked address
 * (src/ingest/rekey.ts), and updates the rows whose texts, keys or components changed; also the
 * previous values kept by the incidents' revisions and the values quoted by quarantined rows'
 * issues. A run that writes is audited
 * (`address.rekey`, as the dashboard's rebuild).
 */

/** What a rekey found (src/ingest/rekey.ts), and how long it took. */
export interface RekeySummary extends RekeyCounts {
  readonly seconds: number;
}

/**
 * Runs the rekey over the store of --db / DATABASE_URL. The region of each incident is its import
 * profile's (`region`), unless --region (or RECUR_REGION) is given; --model as for `recur import`,
 * and --dict FILE first makes the file the store's place dictionary (even with --dry-run, so that
 * a dry run counts what the dictionary changes). With --dry-run no incident is written.
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
    // Each profile is read (and an unreadable one reported) once, however many batches it imported.
    const regionOfProfile = new Map<string, string | null>();
    const regionOf = async (batch: { readonly profile: string }): Promise<string | null> => {
      if (forced !== null) return forced;
      let region = regionOfProfile.get(batch.profile);
      if (region === undefined) {
        const found = await importProfileRegion(store, batch.profile, ctx.cwd);
        if (found === undefined)
          println(
            ctx.stderr,
            t(
              ctx,
              `导入配置 ${batch.profile} 无法读取，按无地区解析其批次的地址（可用 --region 指定）`,
              `the import profile ${batch.profile} cannot be read; the addresses of its batches are parsed without a region (--region sets one)`,
            ),
          );
        region = found ?? null;
        regionOfProfile.set(batch.profile, region);
      }
      return region;
    };
    // --dict FILE makes the file the store's place dictionary, the one every import keys with.
    const { dictionary, ...rest } = options;
    const fromFile = typeof values.dict === "string" && dictionary ? dictionary : undefined;
    const replaced =
      fromFile !== undefined &&
      dictionaryDigest(fromFile) !== dictionaryDigest(await loadPlaceDictionary(store));
    const counts = await rekeyStore(store, {
      locator: rest,
      ...(fromFile ? { dictionary: fromFile } : {}),
      regionOf,
      defaultRegion: forced,
      dryRun,
    });
    const { incidents, withAddress, changed, componentsChanged, levels, masked, maskedFields } = counts;
    const summary: RekeySummary = {
      ...counts,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    // Written like the dashboard's rebuild (audit "address.rekey"): what it changed, no text.
    if (!dryRun)
      await serverRepository(store).appendAudit({
        at: Date.now(),
        actor: `cli:${userInfo().username}`,
        role: null,
        ip: null,
        action: "address.rekey",
        target: null,
        outcome: "ok",
        detail: {
          via: "cli",
          incidents,
          changed,
          masked,
          ...Object.fromEntries(MASKED_TEXT_FIELDS.map((f) => [`masked.${f}`, maskedFields[f]])),
          revisionsMasked: counts.revisionsMasked,
          quarantineMasked: counts.quarantineMasked,
          ...(replaced ? { dictionaryReplaced: true } : {}),
        },
      });
    if (replaced && !dryRun)
      println(
        ctx.stderr,
        t(
          ctx,
          `库的地名词典已换为 ${values.dict}（以后的导入、看板和出警核查都用它）`,
          `the store's place dictionary is now ${values.dict} (later imports, the dashboard and the dispatch check use it)`,
        ),
      );
    if (ctx.json)
      println(
        ctx.stdout,
        JSON.stringify({ ...summary, ...(replaced ? { dictionaryReplaced: !dryRun } : {}) }),
      );
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
      const perField = MASKED_TEXT_FIELDS.map((field) => `${field} ${maskedFields[field]}`).join(", ");
      println(
        ctx.stdout,
        t(
          ctx,
          `遮蔽号码（此前导入时未遮蔽）：${masked} 条警情${dryRun ? "将被遮蔽" : ""}（${perField}），修订记录旧值 ${counts.revisionsMasked} 条，隔离行问题说明所引的值 ${counts.quarantineMasked} 行`,
          `identifiers masked (stored before these texts were masked): ${masked} incidents${dryRun ? " would be" : ""} (${perField}); previous values of ${counts.revisionsMasked} revisions; values quoted by the issues of ${counts.quarantineMasked} quarantined rows`,
        ),
      );
      if (!dryRun && (changed > 0 || masked > 0))
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

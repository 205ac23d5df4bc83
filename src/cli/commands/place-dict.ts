import { DICTIONARY_MESSAGES, type DictionaryCounts, dictionaryCounts } from "../../address/index.ts";
import { renderIssue } from "../../domain/index.ts";
import { addressKeysStale, type Store } from "../../store/index.ts";
import { loadPlaceDictionary, savePlaceDictionary } from "../../store/place-dictionary.ts";
import { type CommandContext, println, t } from "../command.ts";
import { withStore } from "../store-access.ts";

/**
 * `recur address dict`: the store's place dictionary (src/store/place-dictionary.ts), the one every
 * import, rekey, dashboard import and dispatch check keys addresses with.
 *
 *   recur address dict [--db PATH] [--json]      what it holds (--json: the whole dictionary, to edit)
 *   recur address dict set FILE [--db PATH]      replaces it with FILE (a `recur address learn` file)
 *   recur address dict clear [--db PATH]         empties it
 */

const describe = (ctx: CommandContext, c: DictionaryCounts) =>
  t(
    ctx,
    `别名 ${c.aliases} 个，地点 ${c.places} 个，行政区划 ${c.divisions} 个`,
    `${c.aliases} aliases, ${c.places} places, ${c.divisions} divisions`,
  );

/** After the dictionary changed: the stored keys follow the old one until a rekey. */
async function sayRekey(store: Store, ctx: CommandContext): Promise<boolean> {
  const stale = await addressKeysStale(store);
  if (stale && !ctx.json)
    println(
      ctx.stdout,
      t(
        ctx,
        "库中已有警情的位置键是按原词典生成的：运行 recur address rekey（或在看板“规则”页）重算后，新旧警情才按同一词典比对",
        "the incidents already stored were keyed with the previous dictionary: run recur address rekey (or use the dashboard's rules page) so that old and new calls are keyed alike",
      ),
    );
  return stale;
}

export async function placeDictionaryCommand(
  positionals: readonly string[],
  values: Readonly<Record<string, unknown>>,
  ctx: CommandContext,
  readJson: (path: string, ctx: CommandContext) => Promise<{ ok: true; value: unknown } | { ok: false }>,
): Promise<number> {
  const [action, file] = positionals;
  if (action === undefined || action === "show")
    return withStore(values.db, ctx, async (store) => {
      const dictionary = await loadPlaceDictionary(store);
      if (ctx.json) println(ctx.stdout, JSON.stringify(dictionary, null, 2));
      else
        println(
          ctx.stdout,
          t(ctx, "库的地名词典：", "the store's place dictionary: ") +
            describe(ctx, dictionaryCounts(dictionary)),
        );
      return 0;
    });
  if (action === "set") {
    if (file === undefined) {
      println(ctx.stderr, t(ctx, "用法：recur address dict set FILE", "usage: recur address dict set FILE"));
      return 2;
    }
    const json = await readJson(file, ctx);
    if (!json.ok) return 1;
    return withStore(values.db, ctx, async (store) => {
      const { dictionary, issues, changed } = await savePlaceDictionary(store, json.value);
      for (const issue of issues)
        println(ctx.stderr, renderIssue({ ...issue, file }, DICTIONARY_MESSAGES, ctx.lang));
      const counts = dictionaryCounts(dictionary);
      const rekey = await sayRekey(store, ctx);
      if (ctx.json) println(ctx.stdout, JSON.stringify({ changed, ...counts, rekeyNeeded: rekey }));
      else
        println(
          ctx.stdout,
          changed
            ? t(ctx, `库的地名词典已换为 ${file}：`, `the store's place dictionary is now ${file}: `) +
                describe(ctx, counts)
            : t(
                ctx,
                `库的地名词典与 ${file} 相同，未改动`,
                `the store's place dictionary is already ${file}`,
              ),
        );
      return 0;
    });
  }
  if (action === "clear")
    return withStore(values.db, ctx, async (store) => {
      const { changed } = await savePlaceDictionary(store, {});
      const rekey = await sayRekey(store, ctx);
      if (ctx.json) println(ctx.stdout, JSON.stringify({ changed, rekeyNeeded: rekey }));
      else
        println(
          ctx.stdout,
          changed
            ? t(ctx, "库的地名词典已清空", "the store's place dictionary is now empty")
            : t(ctx, "库的地名词典本来就是空的", "the store's place dictionary was already empty"),
        );
      return 0;
    });
  println(
    ctx.stderr,
    t(
      ctx,
      `未知操作 ${action}：recur address dict [show|set FILE|clear]`,
      `unknown action ${action}: recur address dict [show|set FILE|clear]`,
    ),
  );
  return 2;
}

/**
 * `recur address learn --db PATH [--min-count 3] [--dry-run]`: the names the store's own imported
 * addresses name at least min-count times join the store's place dictionary (src/ingest/learn-places.ts).
 */
export async function learnFromStore(
  values: Readonly<Record<string, unknown>>,
  ctx: CommandContext,
): Promise<number> {
  const minCount = Number(values["min-count"] ?? 3);
  if (!Number.isInteger(minCount) || minCount < 1) {
    println(ctx.stderr, t(ctx, "--min-count 须为正整数", "--min-count must be a whole number of at least 1"));
    return 2;
  }
  const dryRun = values["dry-run"] === true;
  const { learnPlacesFromStore } = await import("../../ingest/learn-places.ts");
  const { importProfileRegion } = await import("../../ingest/rekey.ts");
  return withStore(values.db, ctx, async (store) => {
    const regions = new Map<string, string | null>();
    const counts = await learnPlacesFromStore(store, {
      minCount,
      dryRun,
      regionOf: async (batch) => {
        let region = regions.get(batch.profile);
        if (region === undefined) {
          region = (await importProfileRegion(store, batch.profile, ctx.cwd)) ?? null;
          regions.set(batch.profile, region);
        }
        return region;
      },
    });
    const rekey = counts.changed ? await sayRekey(store, ctx) : await addressKeysStale(store);
    if (ctx.json) println(ctx.stdout, JSON.stringify({ ...counts, dryRun, rekeyNeeded: rekey }));
    else
      println(
        ctx.stdout,
        t(
          ctx,
          `读取 ${counts.addresses} 条有地址的警情，${counts.learned} 个地名出现≥${minCount} 次，其中 ${counts.added} 个是新的；词典共 ${counts.places} 个地点${dryRun ? "（试运行，未写入）" : counts.changed ? "，已存入库的地名词典" : ""}`,
          `read ${counts.addresses} incidents with an address; ${counts.learned} names seen ≥ ${minCount} times, ${counts.added} of them new; the dictionary has ${counts.places} places${dryRun ? " (dry run, nothing written)" : counts.changed ? ", saved as the store's place dictionary" : ""}`,
        ),
      );
    return 0;
  });
}

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { DICTIONARY_MESSAGES, dictionaryCounts } from "../address/index.ts";
import { isRecurError, type Lang, renderIssue } from "../domain/index.ts";
import { type LearnCounts, learnPlacesFromStore } from "../ingest/learn-places.ts";
import { importProfileRegion, type RekeyCounts, rekeyStore } from "../ingest/rekey.ts";
import { ADDRESS_RULES_SETTING, addressKeysStale, storeKeysFingerprint } from "../store/address-rules.ts";
import { loadPlaceDictionary, savePlaceDictionary } from "../store/place-dictionary.ts";
import type { Batch } from "../store/types.ts";
import { dashboardCacheOf } from "./dashboard-routes.ts";
import { reloadRepeatIndex } from "./repeat-routes.ts";
import { langOf, type Services, sendError } from "./routes.ts";

/** A rekey running or run by this server process. */
interface RekeyJob {
  state: "running" | "done" | "failed";
  readonly dryRun: boolean;
  readonly startedAt: number;
  finishedAt: number | null;
  counts: RekeyCounts | null;
  /** Import profiles that could not be read: their batches' addresses were read without a region. */
  readonly unreadProfiles: string[];
  error: JobError | null;
}

const RekeyBody = z.object({ dryRun: z.boolean().optional() }).strict();

/** Why a background job failed, in both languages: a recur error as it says, anything else as "internal". */
type JobError = { readonly code: string; readonly message: Readonly<Record<"zh" | "en", string>> };

function jobError(error: unknown, zh: string, en: string): JobError {
  if (isRecurError(error)) return { code: error.code, message: { ...error.messages } };
  const why = error instanceof Error ? error.message : String(error);
  return { code: "internal", message: { zh: `${zh}：${why}`, en: `${en}: ${why}` } };
}

const LearnBody = z.object({ minCount: z.number().int().min(1).max(1000).optional() }).strict();

/** Learning places from the store's addresses, run or running in this server process. */
interface LearnJob {
  state: "running" | "done" | "failed";
  readonly minCount: number;
  counts: LearnCounts | null;
  error: JobError | null;
}

/** A place dictionary (docs/address.md); entries are checked one by one by `restoreDictionary`. */
const DictionaryBody = z
  .object({
    aliases: z.record(z.string(), z.unknown()).optional(),
    places: z.array(z.unknown()).optional(),
    divisions: z.array(z.unknown()).optional(),
  })
  .passthrough();

/**
 * Whether the store's location keys follow today's address rules, and a rekey for the holders of
 * `rules.manage` (docs/address.md, "When the rules change"): the same work as `recur address
 * rekey`, run in the background while the server answers; the dashboard's data and the
 * dispatch-time index are rebuilt with the new keys when it has changed any.
 */
export function registerAddressKeysRoutes(app: FastifyInstance, services: () => Services | undefined): void {
  let job: RekeyJob | null = null;
  let learning: LearnJob | null = null;
  const jobView = (j: RekeyJob | null, lang: Lang) =>
    j && {
      state: j.state,
      dryRun: j.dryRun,
      startedAt: j.startedAt,
      finishedAt: j.finishedAt,
      counts: j.counts,
      unreadProfiles: j.unreadProfiles,
      error: j.error && { code: j.error.code, message: j.error.message[lang] },
    };

  app.get("/api/v1/address-keys", { config: { permission: "rules.manage" } }, async (request) => {
    const { store } = services()!;
    const [storedRules, incidents, rules] = await Promise.all([
      store.settings.get(ADDRESS_RULES_SETTING),
      store.incidents.count(),
      // Today's rules and the store's place dictionary (src/store/address-rules.ts).
      storeKeysFingerprint(store),
    ]);
    return {
      rules,
      storedRules: storedRules ?? null,
      // An empty store has nothing keyed by other rules (src/store/address-rules.ts).
      current: storedRules === rules || incidents === 0,
      incidents,
      job: jobView(job, langOf(request)),
    };
  });

  app.post(
    "/api/v1/address-keys/rekey",
    { config: { permission: "rules.manage", audit: "address.rekey", body: RekeyBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const body = RekeyBody.safeParse(request.body ?? {});
      if (!body.success)
        return sendError(reply, 400, "invalid_body", "请求格式错误", "Malformed request", lang);
      if (job?.state === "running" || learning?.state === "running")
        return sendError(
          reply,
          409,
          "rekey_running",
          "位置键正在重新生成（或正在学习地名），请等它完成",
          "The location keys are being rebuilt (or places learned); wait until that has finished",
          lang,
        );
      const { store, clock } = services()!;
      const dryRun = body.data.dryRun === true;
      const current: RekeyJob = {
        state: "running",
        dryRun,
        startedAt: clock.now(),
        finishedAt: null,
        counts: null,
        unreadProfiles: [],
        error: null,
      };
      job = current;
      request.auditDetail = { dryRun };
      const regions = new Map<string, string | null>();
      const regionOf = async (batch: Batch) => {
        let region = regions.get(batch.profile);
        if (region === undefined) {
          const found = await importProfileRegion(store, batch.profile);
          if (found === undefined) current.unreadProfiles.push(batch.profile);
          region = found ?? null;
          regions.set(batch.profile, region);
        }
        return region;
      };
      // The rekey runs on; the page polls GET /api/v1/address-keys for its progress and result.
      void rekeyStore(store, {
        regionOf,
        dryRun,
        onProgress: (counts) => {
          current.counts = counts;
        },
      }).then(
        (counts) => {
          current.counts = counts;
          current.state = "done";
          current.finishedAt = clock.now();
          if (!dryRun && (counts.changed > 0 || counts.masked > 0)) {
            // Series and the dispatch-time index are rebuilt on the new keys and masked texts (the old ones answer meanwhile).
            dashboardCacheOf(app)?.refresh(store);
            reloadRepeatIndex(app);
          }
        },
        (error: unknown) => {
          current.state = "failed";
          current.finishedAt = clock.now();
          current.error = jobError(error, "重新生成位置键失败", "Rebuilding the location keys failed");
        },
      );
      return reply.status(202).send({ job: jobView(current, lang) });
    },
  );

  app.get("/api/v1/address-dictionary", { config: { permission: "rules.manage" } }, async (request) => {
    const { store } = services()!;
    const dictionary = await loadPlaceDictionary(store);
    const lang = langOf(request);
    return {
      dictionary,
      counts: dictionaryCounts(dictionary),
      learn: learning && {
        state: learning.state,
        minCount: learning.minCount,
        counts: learning.counts,
        error: learning.error && { code: learning.error.code, message: learning.error.message[lang] },
      },
    };
  });

  // The names the store's own addresses name often join its dictionary (`recur address learn
  // --db`), in the background: the page polls GET /api/v1/address-dictionary for the result.
  app.post(
    "/api/v1/address-dictionary/learn",
    { config: { permission: "rules.manage", audit: "address.dictionary.learn", body: LearnBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const body = LearnBody.safeParse(request.body ?? {});
      if (!body.success)
        return sendError(reply, 400, "invalid_body", "请求格式错误", "Malformed request", lang);
      if (learning?.state === "running" || job?.state === "running")
        return sendError(
          reply,
          409,
          "dictionary_busy",
          "正在学习地名或重新生成位置键，请等它完成",
          "Places are being learned or keys rebuilt; wait until that has finished",
          lang,
        );
      const { store } = services()!;
      const minCount = body.data.minCount ?? 3;
      const current: LearnJob = { state: "running", minCount, counts: null, error: null };
      learning = current;
      request.auditDetail = { minCount };
      void learnPlacesFromStore(store, {
        minCount,
        regionOf: async (batch) => (await importProfileRegion(store, batch.profile)) ?? null,
      }).then(
        (counts) => {
          current.counts = counts;
          current.state = "done";
          if (counts.changed) reloadRepeatIndex(app);
        },
        (error: unknown) => {
          current.state = "failed";
          current.error = jobError(error, "学习地名失败", "Learning places failed");
        },
      );
      return reply.status(202).send({ learn: { state: current.state, minCount } });
    },
  );

  app.put(
    "/api/v1/address-dictionary",
    {
      // A dictionary learned from a city's addresses may hold tens of thousands of places.
      bodyLimit: 32 * 1024 * 1024,
      config: { permission: "rules.manage", audit: "address.dictionary", body: DictionaryBody },
    },
    async (request, reply) => {
      const lang = langOf(request);
      const body = DictionaryBody.safeParse(request.body);
      if (!body.success)
        return sendError(
          reply,
          400,
          "invalid_body",
          "地名词典须为 JSON 对象（aliases、places、divisions）",
          "The place dictionary must be a JSON object (aliases, places, divisions)",
          lang,
        );
      const { store } = services()!;
      const { dictionary, issues, changed } = await savePlaceDictionary(store, body.data);
      const counts = dictionaryCounts(dictionary);
      request.auditDetail = { changed, ...counts };
      // New calls over the API are keyed with the new dictionary from now on, as the imports are.
      if (changed) reloadRepeatIndex(app);
      return {
        changed,
        counts,
        issues: issues.map((issue) => ({ ...issue, message: renderIssue(issue, DICTIONARY_MESSAGES, lang) })),
        current: !(await addressKeysStale(store)),
      };
    },
  );
}

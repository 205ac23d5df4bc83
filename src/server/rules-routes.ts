import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { isRecurError } from "../domain/index.ts";
import { qualityConfig } from "../quality/config.ts";
import { dashboardCacheOf } from "./dashboard-routes.ts";
import { reloadRepeatIndex } from "./repeat-routes.ts";
import { langOf, type Services, sendError } from "./routes.ts";
import {
  parseRepeatRules,
  QUALITY_RULES_KEY,
  REPEAT_RULES_KEY,
  RepeatRuleSettings,
  ruleSettingsView,
} from "./rules.ts";

const RulesBody = z
  .object({
    repeat: RepeatRuleSettings.optional(),
    /** The quality policy as a partial QualityConfig (src/quality/config.ts). */
    quality: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/**
 * The deployment's rule settings (docs/server.md "Rule settings"): viewed and changed by the
 * holders of `rules.manage`, every change audited with the sections it touched.
 */
export function registerRulesRoutes(app: FastifyInstance, services: () => Services | undefined): void {
  app.get("/api/v1/rules", { config: { permission: "rules.manage", audit: "rules.view" } }, async () =>
    ruleSettingsView(services()!.store),
  );

  app.post(
    "/api/v1/rules",
    { config: { permission: "rules.manage", audit: "rules.save", body: RulesBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const body = RulesBody.safeParse(request.body);
      if (!body.success) {
        const first = body.error.issues[0];
        const where = first?.path.join(".") ?? "";
        return sendError(
          reply,
          400,
          "invalid_rules",
          `规则设置无效：${where} ${first?.message ?? ""}`,
          `Invalid rule settings: ${where} ${first?.message ?? ""}`,
          lang,
        );
      }
      const s = services()!;
      try {
        const changed: string[] = [];
        if (body.data.repeat !== undefined) {
          const repeat = parseRepeatRules(body.data.repeat);
          await s.store.settings.set(REPEAT_RULES_KEY, JSON.stringify(repeat));
          changed.push("repeat");
          // The dashboard's series are rebuilt with the new rules (the old ones serve meanwhile).
          dashboardCacheOf(app)?.refresh(s.store);
          // So is the dispatch-time index (the current one answers until the new one is ready).
          reloadRepeatIndex(app);
        }
        if (body.data.quality !== undefined) {
          qualityConfig(body.data.quality);
          await s.store.settings.set(QUALITY_RULES_KEY, JSON.stringify(body.data.quality));
          changed.push("quality");
        }
        request.auditDetail = { sections: changed.join(",") };
        return ruleSettingsView(s.store);
      } catch (error) {
        if (isRecurError(error))
          return reply.status(422).send({ error: { code: error.code, message: error.messages[lang] } });
        throw error;
      }
    },
  );
}

import type { Command } from "../command.ts";

/**
 * A command known by name, loaded only when it runs: `recur redact` does not pay for the
 * gazetteer, the segmenter or the report libraries that other commands need.
 */
export interface LazyCommand {
  readonly name: string;
  load(): Promise<Command>;
}

const lazy = (name: string, load: () => Promise<Command>): LazyCommand => ({ name, load });

/** Every `recur` command, in the order `recur help` lists them. Add one line per command. */
export const COMMANDS: readonly LazyCommand[] = [
  lazy("demo", () => import("./demo.ts").then((m) => m.demoCommand)),
  lazy("serve", () => import("./serve.ts").then((m) => m.serveCommand)),
  lazy("generate", () => import("./generate.ts").then((m) => m.generateCommand)),
  lazy("import", () => import("./import.ts").then((m) => m.importCommand)),
  lazy("address", () => import("./address.ts").then((m) => m.addressCommand)),
  lazy("areas", () => import("./areas.ts").then((m) => m.areasCommand)),
  lazy("knox", () => import("./knox.ts").then((m) => m.knoxCommand)),
  lazy("report", () => import("./report.ts").then((m) => m.reportCommand)),
  lazy("indicators", () => import("./indicators.ts").then((m) => m.indicatorsCommand)),
  lazy("briefing", () => import("./briefing.ts").then((m) => m.briefingCommand)),
  lazy("detect", () => import("./detect.ts").then((m) => m.detectCommand)),
  lazy("series", () => import("./series.ts").then((m) => m.seriesCommand)),
  lazy("redact", () => import("./redact.ts").then((m) => m.redactCommand)),
  lazy("quality", () => import("./quality.ts").then((m) => m.qualityCommand)),
  lazy("review", () => import("./review.ts").then((m) => m.reviewCommand)),
  lazy("train", () => import("./train.ts").then((m) => m.trainCommand)),
  lazy("cases", () => import("./cases.ts").then((m) => m.casesCommand)),
  lazy("users", () => import("./admin.ts").then((m) => m.usersCommand)),
  lazy("audit", () => import("./admin.ts").then((m) => m.auditCommand)),
  lazy("retention", () => import("./admin.ts").then((m) => m.retentionCommand)),
];

import type { Command } from "../command.ts";
import { addressCommand } from "./address.ts";
import { auditCommand, retentionCommand, usersCommand } from "./admin.ts";
import { briefingCommand } from "./briefing.ts";
import { casesCommand } from "./cases.ts";
import { demoCommand } from "./demo.ts";
import { detectCommand } from "./detect.ts";
import { generateCommand } from "./generate.ts";
import { importCommand } from "./import.ts";
import { knoxCommand } from "./knox.ts";
import { qualityCommand } from "./quality.ts";
import { redactCommand } from "./redact.ts";
import { reportCommand } from "./report.ts";
import { reviewCommand } from "./review.ts";
import { seriesCommand } from "./series.ts";
import { serveCommand } from "./serve.ts";
import { trainCommand } from "./train.ts";

/** Every `recur` command, in the order `recur help` lists them. Add one line per command. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  serveCommand,
  generateCommand,
  importCommand,
  addressCommand,
  knoxCommand,
  reportCommand,
  briefingCommand,
  detectCommand,
  seriesCommand,
  redactCommand,
  qualityCommand,
  reviewCommand,
  trainCommand,
  casesCommand,
  usersCommand,
  auditCommand,
  retentionCommand,
];

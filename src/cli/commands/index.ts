import type { Command } from "../command.ts";
import { addressCommand } from "./address.ts";
import { generateCommand } from "./generate.ts";
import { importCommand } from "./import.ts";
import { knoxCommand } from "./knox.ts";
import { redactCommand } from "./redact.ts";

/** Every `recur` command, in the order `recur help` lists them. Add one line per command. */
export const COMMANDS: readonly Command[] = [generateCommand, importCommand, addressCommand, knoxCommand, redactCommand];

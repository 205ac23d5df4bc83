import type { Lang } from "./codes.ts";

/**
 * A broken contract: wrong option, unknown profile, illegal transition. Each carries a code and
 * its message in both languages, so the CLI and the API can answer in the user's language
 * without a stack trace.
 */
export class RecurError extends Error {
  readonly code: string;
  readonly messages: Readonly<Record<Lang, string>>;

  constructor(code: string, messages: Readonly<Record<Lang, string>>) {
    super(messages.en);
    this.name = "RecurError";
    this.code = code;
    this.messages = messages;
  }

  localized(lang: Lang): string {
    return this.messages[lang];
  }
}

/** Thrown when input is too large or otherwise cannot be read at all. */
export class InputError extends RecurError {
  override readonly name = "InputError";
}

/** Thrown when a named thing (profile, unit, case, command) does not exist. */
export class NotFoundError extends RecurError {
  override readonly name = "NotFoundError";
}

/** Thrown when a configuration (profile, rules, taxonomy) is invalid. */
export class ConfigError extends RecurError {
  override readonly name = "ConfigError";
}

export function isRecurError(error: unknown): error is RecurError {
  return error instanceof RecurError;
}

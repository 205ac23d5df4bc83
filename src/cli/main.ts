import { parseArgs } from "node:util";
import { isRecurError, type Lang } from "../domain/index.ts";
import { type Command, type CommandContext, GLOBAL_OPTIONS, println, resolveLang } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";

async function usage(lang: Lang): Promise<string> {
  const commands = await Promise.all(COMMANDS.map((c) => c.load()));
  const lines = [
    lang === "zh" ? "用法: recur <命令> [选项]" : "Usage: recur <command> [options]",
    "",
    lang === "zh" ? "命令:" : "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary[lang]}`),
    "",
    lang === "zh"
      ? "通用选项: --json 机器可读输出, --lang zh|en 界面语言, -h 帮助"
      : "Common options: --json machine-readable output, --lang zh|en language, -h help",
  ];
  return lines.join("\n");
}

function commandUsage(command: Command, lang: Lang): string {
  return `${lang === "zh" ? "用法" : "Usage"}: recur ${command.name} ${command.usage}\n${command.summary[lang]}`;
}

/** A PostgreSQL connection URL given where a database is asked for (--db). */
const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** Runs the CLI with the given arguments; returns the exit code. */
export async function main(argv: readonly string[], io: Partial<CommandContext> = {}): Promise<number> {
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const [name, ...rest] = argv;
  const langFlagIndex = argv.indexOf("--lang");
  const lang = resolveLang(langFlagIndex >= 0 ? argv[langFlagIndex + 1] : io.lang, env);

  if (!name || name === "help" || name === "--help" || name === "-h") {
    println(stdout, await usage(lang));
    return name ? 0 : 2;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    println(stderr, lang === "zh" ? `未知命令: ${name}` : `Unknown command: ${name}`);
    println(stderr, await usage(lang));
    return 2;
  }
  const command = await entry.load();
  // Gazetteers read the snapshot of an earlier run instead of building their index (docs/address.md).
  (await import("./gazetteer-cache.ts")).useGazetteerCache(env);

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    println(stderr, `${(error as Error).message}\n${commandUsage(command, lang)}`);
    return 2;
  }
  if (parsed.values.help) {
    println(stdout, commandUsage(command, lang));
    return 0;
  }

  // --db postgres://... selects PostgreSQL as DATABASE_URL does (before, the URL was taken for a
  // file path and a folder named postgres: was made for a SQLite file).
  const values = { ...parsed.values };
  let storeEnv = env;
  if (typeof values.db === "string" && POSTGRES_URL.test(values.db)) {
    storeEnv = { ...env, DATABASE_URL: values.db };
    delete values.db;
  }
  const ctx: CommandContext = {
    lang,
    json: parsed.values.json === true,
    stdin: io.stdin ?? process.stdin,
    stdout,
    stderr,
    env: storeEnv,
    cwd: io.cwd ?? process.cwd(),
  };
  try {
    return await command.run({ values, positionals: parsed.positionals }, ctx);
  } catch (error) {
    if (isRecurError(error)) {
      if (ctx.json)
        println(stdout, JSON.stringify({ error: { code: error.code, message: error.messages[lang] } }));
      else println(stderr, `${lang === "zh" ? "错误" : "Error"}: ${error.messages[lang]}`);
      return 1;
    }
    throw error;
  }
}

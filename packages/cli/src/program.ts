/** The command line: the program with one file per command under commands/, and the mapping of outcomes to exit codes. */
import { nearest, UnknownNameError, type EmitterRegistry } from "@cassandra-mi-netrules/core";
import { Command, CommanderError } from "commander";
import pkg from "../package.json" with { type: "json" };
import { BIN, examples } from "./cli-options.js";
import { registerAudit } from "./commands/audit.js";
import { registerCheckSource } from "./commands/check-source.js";
import { registerDiff } from "./commands/diff.js";
import { registerEmit } from "./commands/emit.js";
import { registerExplain } from "./commands/explain.js";
import { registerInit } from "./commands/init.js";
import { registerList } from "./commands/list.js";
import { registerRegions } from "./commands/regions.js";
import { registerRevisions } from "./commands/revisions.js";
import { checkConfigTargets, findConfig, loadConfig, type LoadedConfig } from "./config.js";
import type { CliContext, Outcome } from "./context.js";
import { CliError } from "./errors.js";
import { clean } from "./format.js";
import type { CliIO } from "./io.js";
import { loadPlugins, type PluginRef } from "./plugins.js";
import { targetFlags } from "./target-options.js";
import { registry as builtins } from "./registry.js";

export const version: string = pkg.version;

/** The commands that read the config file, and those that load plugins. */
const CONFIG_COMMANDS = ["list", "explain", "emit", "diff"];
const PLUGIN_COMMANDS = ["explain", "emit", "diff", "init"];
/** The commands with emitter flags: only for them (and for help) are the declarations turned into flags. */
const FLAG_COMMANDS = ["explain", "emit", "diff", "help"];

/** `help [command]`: the program's help, or one command's; an unknown command is an error with a suggestion. */
function addHelpCommand(program: Command, io: CliIO): void {
  program
    .command("help")
    .argument("[command]", "a command")
    .description("show the help of the program or of one command")
    .action((name: string | undefined) => {
      if (name === undefined) return void io.stdout(program.helpInformation() + helpAfter());
      const cmd = program.commands.find((c) => c.name() === name);
      if (!cmd) {
        const names = program.commands.map((c) => c.name());
        throw new CliError(`help: ${new UnknownNameError("command", name, nearest(name, names), names).message}`);
      }
      cmd.outputHelp();
    });
}

function helpAfter(): string {
  return `${examples([
    `${BIN} list --region eastus`,
    `${BIN} emit nsg --region eastus --subnet 10.9.0.0/24 > nsg.json`,
    `${BIN} emit all --region eastus --subnet 10.9.0.0/24 --out artifacts/eastus`,
    `${BIN} init && ${BIN} emit --out artifacts`,
    `${BIN} audit nsg.json --region eastus --subnet 10.9.0.0/24`,
  ])}\nExit codes: 0 ok, 1 audit found gaps, check-source found drift (a rule change, an unreadable line or changed prose) or diff --exit-code found rule changes, 2 usage or input error, 3 audit found nothing to audit; 130 or 143 when interrupted (SIGINT, SIGTERM), having written nothing or everything.\n`;
}

/** Builds the program for one run: the emitters (plugins included) and the config file are known before parsing. */
export function buildProgram(ctx: CliContext): Command {
  const { io } = ctx;
  const program = new Command(BIN);
  program
    .description("The network rules of Azure Managed Instance for Apache Cassandra: list, explain, emit, diff, audit, check-source.")
    .version(version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // Every error line carries the program's name, commander's own (unknown option, missing argument) too.
      outputError: (s, write) => write(s.replace(/^error: /, `${BIN}: error: `)),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .helpCommand(false)
    .addHelpText("after", helpAfter());
  registerList(program, ctx);
  registerRevisions(program, ctx);
  registerRegions(program, ctx);
  registerExplain(program, ctx);
  registerEmit(program, ctx);
  registerDiff(program, ctx);
  registerAudit(program, ctx);
  registerCheckSource(program, ctx);
  registerInit(program, ctx);
  addHelpCommand(program, io);
  for (const c of program.commands) c.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** The values of `--plugin`, `--config` and `--no-config`, read ahead of parsing (they decide which targets and flags exist). */
export function scanArgs(argv: readonly string[]): { command: string | undefined; plugins: string[]; config: string | false | undefined } {
  const plugins: string[] = [];
  let config: string | false | undefined;
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--") break;
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "--plugin") {
      const v = value();
      if (v !== undefined) plugins.push(v);
    } else if (flag === "--config") config = value() ?? config;
    else if (flag === "--no-config") config = false;
    else if (command === undefined && !a.startsWith("-")) command = a;
  }
  return { command, plugins, config };
}

/** The emitters of this run and the config file: the built-in ones, the config's plugins, then `--plugin`. */
async function prepare(io: CliIO, argv: readonly string[]): Promise<{ registry: EmitterRegistry; config?: LoadedConfig }> {
  const scan = scanArgs(argv);
  const usesConfig = scan.command !== undefined && CONFIG_COMMANDS.includes(scan.command);
  const file = usesConfig ? findConfig(io, scan.config) : undefined;
  const config = file === undefined ? undefined : loadConfig(io, file);
  const registry = builtins.clone();
  if (scan.command !== undefined && PLUGIN_COMMANDS.includes(scan.command)) {
    const refs: PluginRef[] = [
      ...(config?.plugins ?? []).map((module) => ({ module, base: config?.base ?? io.cwd, from: `--config ${JSON.stringify(config?.file)}: plugins:` })),
      ...scan.plugins.map((module) => ({ module, base: io.cwd, from: "--plugin" })),
    ];
    await loadPlugins(registry, refs);
  }
  if (config) checkConfigTargets(config, registry);
  return { registry, ...(config ? { config } : {}) };
}

/** Runs the CLI on `argv` (without node and script), writing through `io`; resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const outcome: Outcome = { code: 0 };
  try {
    const { registry, config } = await prepare(io, argv);
    const { command } = scanArgs(argv);
    const flags = command !== undefined && FLAG_COMMANDS.includes(command) ? targetFlags(registry) : [];
    const program = buildProgram({ io, outcome, registry, flags, ...(config ? { config } : {}) });
    await program.parseAsync([...argv], { from: "user" });
    return outcome.code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const deep = e instanceof RangeError && /call stack/.test(e.message);
    const message = deep ? "input nested too deeply to process" : e instanceof Error ? e.message : String(e);
    io.stderr(`${BIN}: error: ${clean(message)}\n`);
    if (!(e instanceof CliError) && process.env.CMN_DEBUG && e instanceof Error) io.stderr(`${e.stack}\n`);
    return 2;
  }
}

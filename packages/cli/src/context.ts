/** What every command of one run shares: the I/O, the exit code, the emitters (plugins included) and the config file. */
import type { EmitterRegistry } from "@cassandra-mi-netrules/core";
import type { Command } from "commander";
import { BIN, examples, singleOption } from "./cli-options.js";
import type { LoadedConfig } from "./config.js";
import type { CliIO } from "./io.js";
import { collect, type ResolveFlags } from "./resolve-opts.js";
import type { TargetFlag } from "./target-options.js";

export interface Outcome {
  code: number;
}

export interface CliContext {
  readonly io: CliIO;
  readonly outcome: Outcome;
  /** The built-in emitters and those of the plugins of this run. */
  readonly registry: EmitterRegistry;
  /** The flags the emitters declare. */
  readonly flags: readonly TargetFlag[];
  /** The config file of this run, if any. */
  readonly config?: LoadedConfig;
}

/** `--revision` (unless the command names its revisions), `--region`, `--subnet`, `--feature`, `--service-tags`. */
export function addResolveOptions(cmd: Command, withRevision = true): Command {
  if (withRevision) cmd.addOption(singleOption("--revision <id>", "dataset revision: a date, latest or a label such as GA (default: the current one; see `revisions`)"));
  return cmd
    .option("--region <name>", "datacenter region, ARM location name or as az writes it (repeatable, or comma-separated)", collect)
    .addOption(singleOption("--subnet <cidr>", "the cluster's delegated subnet (IPv4 or IPv6 CIDR)"))
    .option("--feature <id[=on|off]>", "feature switch, e.g. backup=off or vpn (repeatable)", collect)
    .addOption(singleOption("--service-tags <file>", "Microsoft service-tags JSON file (- for stdin): attach the tags' address prefixes"));
}

/** `--config FILE` and `--no-config`: the commands that read the config file. */
export function addConfigOptions(cmd: Command): Command {
  return cmd
    .addOption(singleOption("--config <file>", "read options from this YAML or JSON file (default: ./cassandra-mi-netrules.yaml when present); flags win over it"))
    .option("--no-config", "ignore ./cassandra-mi-netrules.yaml");
}

/** `--plugin <module>`, repeatable: read before the command line is parsed, so the plugins' targets and flags exist. */
export function addPluginOption(cmd: Command): Command {
  return cmd.option("--plugin <module>", "load an emitter plugin: a path (./my-emitter.mjs) or a package name (repeatable)", (v: string, p: string[] | undefined) => [...(p ?? []), v]);
}

/** The resolve flags, the config file's values beneath them. */
export function withConfig(flags: ResolveFlags, config: LoadedConfig | undefined): ResolveFlags {
  if (!config) return flags;
  const revision = flags.revision ?? config.revision;
  const region = flags.region ?? config.regions;
  const subnet = flags.subnet ?? config.subnet;
  const serviceTags = flags.serviceTags ?? config.serviceTags;
  const feature = [...(config.features ?? []), ...(flags.feature ?? [])];
  return {
    ...flags,
    ...(revision !== undefined ? { revision } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(subnet !== undefined ? { subnet } : {}),
    ...(serviceTags !== undefined ? { serviceTags } : {}),
    ...(feature.length > 0 ? { feature } : {}),
  };
}

/** A command that prints one table, or `--json`. */
export function tableCommand(program: Command, ctx: CliContext, name: string, description: string, print: (asJson: boolean) => string): void {
  program
    .command(name)
    .description(description)
    .option("--json", "print JSON")
    .addHelpText("after", examples([`${BIN} ${name}`, `${BIN} ${name} --json`]))
    .action((opts: { json?: boolean }) => ctx.io.stdout(print(opts.json === true)));
}

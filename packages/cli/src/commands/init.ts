/** `init [file]`: writes a commented starter config file that `emit` reads as it is. */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { EmitterOptionKey, EmitterRegistry } from "@cassandra-mi-netrules/core";
import type { Command } from "commander";
import { BIN, examples } from "../cli-options.js";
import { DEFAULT_CONFIG } from "../config.js";
import { addPluginOption, type CliContext } from "../context.js";
import { CliError, shown } from "../errors.js";
import { reason } from "../io.js";

/** A YAML scalar: JSON's quoting is valid YAML and never ambiguous. */
const scalar = (v: unknown) => JSON.stringify(v);

/** One option as a commented line: its default (or an allowed value) and what it does. */
function optionLine(k: EmitterOptionKey): string {
  const s = k.schema;
  const sample = "default" in s ? s.default : Array.isArray(s.enum) ? s.enum[0] : s.type === "boolean" ? false : s.type === "array" ? [] : s.type === "integer" ? (s.minimum ?? 0) : "";
  const allowed = Array.isArray(s.enum) ? ` (${s.enum.join(" | ")})` : "";
  return `    # ${k.key}: ${scalar(sample)}    # ${k.description}${allowed}${"default" in s ? "" : "; no fixed default"}`;
}

/** The starter file: every registered target with its options commented out at their defaults. */
export function starterConfig(registry: EmitterRegistry, plugins: readonly string[]): string {
  const lines = [
    `# ${BIN} configuration. \`${BIN} emit\` (and list, explain, diff) read ./${DEFAULT_CONFIG} when it is`,
    "# there, or the file of --config FILE. A flag given on the command line wins over the file. Paths are read",
    "# from this file's directory. Editors complete and check it with schemas/config.schema.json.",
    "",
    "# revision: latest    # a date such as 2021-11-02, latest, or a label such as GA",
    "regions: [eastus]    # ARM location names, or as az writes them (\"East US\")",
    "subnet: 10.9.0.0/24    # the cluster's delegated subnet",
    "# peers: [192.0.2.0/24]    # networks the cluster reaches on the internal ports (iptables, nftables in nva mode)",
    "# features: { backup: true, vpn: false }",
    "# serviceTags: ServiceTags_Public.json    # Microsoft's service-tags file, to attach the tags' address prefixes",
    plugins.length > 0 ? `plugins: [${plugins.map(scalar).join(", ")}]` : "# plugins: [./my-emitter.mjs]    # emitter plugins: paths or package names",
    "out: artifacts    # emit writes here, one sub-directory per target",
    "",
    "# The targets emit writes when none is named, each with its options (remove a target to skip it).",
    "targets:",
  ];
  for (const name of registry.names()) {
    const e = registry.get(name);
    const keys = (e?.options?.keys ?? []).filter((k) => !k.internal && typeof k.schema.type === "string");
    lines.push(`  # ${e?.description ?? ""}`, `  ${name}:`, ...keys.map(optionLine));
  }
  return `${lines.join("\n")}\n`;
}

export function registerInit(program: Command, ctx: CliContext): void {
  addPluginOption(program.command("init").argument("[file]", `the file to write (default: ${DEFAULT_CONFIG})`))
    .description("write a commented starter config file: every target with its options, for emit to read")
    .option("--force", "replace the file if it exists")
    .addHelpText("after", examples([`${BIN} init`, `${BIN} init my-config.yaml && ${BIN} emit --config my-config.yaml`]))
    .action((file: string | undefined, opts: { force?: boolean; plugin?: string[] }) => {
      const { io } = ctx;
      const target = file ?? DEFAULT_CONFIG;
      try {
        writeFileSync(resolve(io.cwd, target), starterConfig(ctx.registry, opts.plugin ?? []), { encoding: "utf8", flag: opts.force ? "w" : "wx" });
      } catch (e) {
        const exists = (e as NodeJS.ErrnoException).code === "EEXIST";
        throw new CliError(`init: cannot write ${shown(target)}: ${exists ? "it exists; pass --force to replace it" : reason(e)}`);
      }
      io.stderr(`wrote ${target}\n`);
    });
}

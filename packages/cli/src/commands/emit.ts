/** `emit <target>|all`: render the rules for targets; one file to stdout, or every file into `--out`, all or nothing. */
import { nearest, UnknownNameError } from "@cassandra-mi-netrules/core";
import type { Command } from "commander";
import { BIN, examples, singleOption } from "../cli-options.js";
import { addConfigOptions, addPluginOption, addResolveOptions, withConfig, type CliContext } from "../context.js";
import { coverageSummary, coverageTable, orderRows } from "../coverage.js";
import { runEmitters, type EmitRun } from "../emit-run.js";
import { CliError } from "../errors.js";
import { clean, json } from "../format.js";
import { writeFilesAtomically, type WriteResult } from "../out-dir.js";
import { resolveFrom, type ResolveFlags } from "../resolve-opts.js";
import { addTargetFlags, collectTargetOptions } from "../target-options.js";
import { yieldToSignals } from "../turns.js";

/** Resolves a target name given on the command line, with a did-you-mean. */
export function checkTarget(ctx: CliContext, name: string, allowAll: boolean, what = "<target>"): string[] {
  const known = ctx.registry.names();
  if (allowAll && name === "all") return known;
  if (known.includes(name)) return [name];
  const candidates = allowAll ? [...known, "all"] : known;
  throw new CliError(`${what}: ${new UnknownNameError("target", name, nearest(name, candidates), candidates).message}`);
}

/** The targets of this run: the argument, else the config file's `targets` (written one sub-directory each, as with all). */
function chosenTargets(ctx: CliContext, target: string | undefined): { targets: string[]; subdirs: boolean } {
  if (target !== undefined) return { targets: checkTarget(ctx, target, true), subdirs: target === "all" };
  const configured = Object.keys(ctx.config?.targets ?? {});
  if (configured.length === 0) throw new CliError(`<target>: missing: name one of ${ctx.registry.names().join(", ")}, or all (or list targets in a config file)`);
  return { targets: ctx.registry.names().filter((n) => configured.includes(n)), subdirs: true };
}

type EmitFlags = ResolveFlags & Record<string, unknown> & { out?: string; clean?: boolean; json?: boolean };

export function registerEmit(program: Command, ctx: CliContext): void {
  const cmd = program.command("emit").argument("[target]", `one of ${ctx.registry.names().join(", ")}, or all (default: the targets of the config file)`);
  addPluginOption(addConfigOptions(addTargetFlags(addResolveOptions(cmd), ctx.flags)))
    .description("render the rules for a target; one file goes to stdout, or every file into --out DIR (written atomically)")
    .addOption(singleOption("--out <dir>", "write the files into this directory (with all: one sub-directory per target); all or nothing, even when interrupted"))
    .option("--clean", "with --out: delete the files this run does not write in the sub-directories it writes to (left by an earlier run; without --clean they are an error)")
    .option("--json", "print a JSON report (files and coverage) on stdout instead of the file and the coverage table")
    .addHelpText(
      "after",
      examples([
        `${BIN} emit nsg --region eastus --subnet 10.9.0.0/24 > nsg.json`,
        `${BIN} emit azure-firewall --region eastus --region eastus2 --out fw/`,
        `${BIN} emit iptables --mode host --region westeurope --subnet 10.9.0.0/24 --service-tags ServiceTags_Public.json --out fw/`,
        `${BIN} emit markdown --locale fr --changelog --out docs/`,
        `${BIN} emit markdown --region eastus --templates my-templates/ --out docs/`,
        `${BIN} emit all --region eastus --subnet 10.9.0.0/24 --out artifacts/eastus --clean`,
        `${BIN} emit nsg --region eastus --subnet 10.9.0.0/24 -O nsg.internalScope=vnet -O nsg.nsgName=nsg-prod`,
        `${BIN} emit --config team.yaml --region westeurope --out artifacts/westeurope`,
      ]),
    )
    .action(async (target: string | undefined, opts: EmitFlags) => {
      const { io, config } = ctx;
      const { targets, subdirs } = chosenTargets(ctx, target);
      const out = opts.out ?? config?.out;
      if (opts.clean && out === undefined) throw new CliError("--clean: only with --out DIR");
      const options = collectTargetOptions(io, ctx.registry, ctx.flags, { ...opts, ...(opts.peer === undefined && config?.peers ? { peer: config.peers } : {}) }, config ? { file: config.file, targets: config.targets ?? {} } : undefined);
      const resolved = await resolveFrom(io, withConfig(opts, config));
      const runs = runEmitters(ctx, targets, resolved, options);
      const prefix = (run: EmitRun, path: string) => (subdirs ? `${run.target}/${path}` : path);
      const files = runs.flatMap((run) => run.files.map((f) => ({ path: prefix(run, f.path), content: f.content })));
      if (out === undefined && !opts.json && files.length !== 1) {
        throw new CliError(`${target ?? "the config file's targets"} produce${target === undefined ? "" : "s"} ${files.length} files (${files.map((f) => f.path).join(", ")}); pass --out DIR to write them, or --json`);
      }
      let written: WriteResult | undefined;
      if (out !== undefined) {
        // A pending SIGINT, SIGTERM or SIGHUP is handled before the files are touched: a run stopped here has written nothing.
        await yieldToSignals();
        written = writeFilesAtomically(io, out, files, { clean: opts.clean === true });
        for (const note of written.recovered) io.stderr(`${BIN}: --out: ${clean(note)}\n`);
      }
      if (opts.json) {
        io.stdout(
          json({
            revision: resolved.revision.id,
            regions: resolved.regions,
            dataHash: resolved.dataHash,
            targets: runs.map((run) => ({
              target: run.target,
              files: run.files.map((f) => (written ? { path: prefix(run, f.path), bytes: Buffer.byteLength(f.content) } : { path: f.path, content: f.content })),
              coverage: run.coverage,
            })),
            ...(written ? { removed: written.removed } : {}),
          }),
        );
        return;
      }
      if (!written) io.stdout(files[0]?.content ?? "");
      else {
        for (const w of written.written) io.stderr(`wrote ${clean(w)}\n`);
        for (const r of written.removed) io.stderr(`removed ${clean(r)} (--clean)\n`);
      }
      const rows = orderRows(
        runs.flatMap((run) => run.coverage.map((entry) => ({ target: run.target, entry }))),
        targets,
        resolved.rules.map((r) => r.id),
      );
      io.stderr(coverageTable(rows, io.columns));
      io.stderr(`\n${coverageSummary(rows, targets).join("\n")}\n`);
    });
}

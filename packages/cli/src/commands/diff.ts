/** `diff <revA> <revB>`: rules added, removed and changed between two revisions; with `--target`, the concrete rules of that target. */
import { diffRevisions } from "@cassandra-mi-netrules/core";
import type { Command } from "commander";
import { BIN, examples, singleOption } from "../cli-options.js";
import { addConfigOptions, addPluginOption, addResolveOptions, withConfig, type CliContext } from "../context.js";
import { diffTarget, formatTargetDiff, type TargetDiff } from "../diff.js";
import { runEmitters } from "../emit-run.js";
import { CliError } from "../errors.js";
import { clean, json } from "../format.js";
import { readServiceTags, resolveFrom, type ResolveFlags } from "../resolve-opts.js";
import { formatRevisionDiff } from "../revision-diff.js";
import { addTargetFlags, collectTargetOptions } from "../target-options.js";
import { checkTarget } from "./emit.js";

type DiffFlags = ResolveFlags & Record<string, unknown> & { target?: string; json?: boolean; exitCode?: boolean };

export function registerDiff(program: Command, ctx: CliContext): void {
  const cmd = program.command("diff").argument("<revA>", "older revision id").argument("<revB>", "newer revision id");
  addPluginOption(addConfigOptions(addTargetFlags(addResolveOptions(cmd, false), ctx.flags)))
    .description(
      "rules added, removed and changed between two revisions, each with what it opens (destination, protocol and port, direction, condition), and apart the rows only reworded; with --target, the concrete rules to add, remove or change",
    )
    .addOption(singleOption("--target <target>", "also compare what this target emits for both revisions"))
    .option("--json", "print JSON")
    .option("--exit-code", "exit 1 when rules differ (added, removed or changed; for --target, also the target's rules or lines), 0 when they do not, like git diff --exit-code")
    .addHelpText(
      "after",
      examples([
        `${BIN} diff 2021-05-21 2021-11-02`,
        `${BIN} diff 2021-09-13 2021-11-02 --target nsg --region eastus --subnet 10.9.0.0/24`,
        `${BIN} diff 2021-08-14 2021-09-13 --json`,
        `${BIN} diff 2021-09-13 2021-11-02 --exit-code > /dev/null || echo "the rules changed"`,
      ]),
    )
    .action(async (revA: string, revB: string, opts: DiffFlags) => {
      const { io } = ctx;
      let d: ReturnType<typeof diffRevisions>;
      try {
        d = diffRevisions(revA, revB);
      } catch (e) {
        throw new CliError(`<revA>/<revB>: ${(e as Error).message}`);
      }
      let targetDiff: TargetDiff | undefined;
      if (opts.target !== undefined) {
        const [t = ""] = checkTarget(ctx, opts.target, false, "--target");
        const options = collectTargetOptions(io, ctx.registry, ctx.flags, opts, ctx.config ? { file: ctx.config.file, targets: ctx.config.targets ?? {} } : undefined);
        const flags = withConfig(opts, ctx.config);
        const index = await readServiceTags(io, flags.serviceTags);
        const [a] = runEmitters(ctx, [t], await resolveFrom(io, flags, d.from, index), options);
        const [b] = runEmitters(ctx, [t], await resolveFrom(io, flags, d.to, index), options);
        if (a && b) targetDiff = diffTarget(t, a, b, d.from, d.to);
      }
      if (opts.exitCode) {
        const ruleChanges = d.added.length + d.removed.length + d.changed.length;
        const targetChanges = targetDiff ? targetDiff.files.length + targetDiff.coverage.length : 0;
        ctx.outcome.code = ruleChanges + targetChanges > 0 ? 1 : 0;
      }
      if (opts.json) {
        io.stdout(json({ ...d, ...(targetDiff ? { target: targetDiff } : {}) }));
        return;
      }
      const out = formatRevisionDiff(d);
      if (targetDiff) out.push(...formatTargetDiff(targetDiff));
      io.stdout(`${out.map(clean).join("\n")}\n`);
    });
}

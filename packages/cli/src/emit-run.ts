/** Running emitters for `emit`, `explain` and `diff`: each gets its options, and one that documents the others gets their coverage. */
import type { CoverageEntry, Emitter, EmittedFile, ResolvedRules } from "@cassandra-mi-netrules/core";
import type { CliContext } from "./context.js";
import { CliError } from "./errors.js";
import type { TargetOptions } from "./target-options.js";

export interface EmitRun {
  readonly target: string;
  readonly files: readonly EmittedFile[];
  readonly coverage: readonly CoverageEntry[];
}

function emitterOf(ctx: CliContext, name: string): Emitter<Record<string, unknown>> {
  const e = ctx.registry.get(name);
  if (!e) throw new CliError(`unknown target "${name}"`);
  return e as unknown as Emitter<Record<string, unknown>>;
}

/** Declares the in-process option `key` (the Markdown emitter's `coverage` and `notRendered`). */
function takes(e: Emitter<Record<string, unknown>>, key: string): boolean {
  return e.options?.keys.some((k) => k.key === key && k.internal === true) === true;
}

/** An emitter's failure as the command line says it: a missing subnet names `--subnet`, not the library option. */
function failure(e: unknown, resolved: ResolvedRules): { message: string; needsSubnet: boolean } {
  const err = e as Error & { field?: string };
  const needsSubnet = !resolved.subnet && err.field === "options.subnets";
  return { message: needsSubnet ? "needs the cluster subnet: pass --subnet CIDR" : err.message, needsSubnet };
}

/** Emits each target; an error names the target. */
export function runEmitters(ctx: CliContext, targets: readonly string[], resolved: ResolvedRules, options: TargetOptions): EmitRun[] {
  const optionsOf = (t: string) => options.byTarget[t] ?? {};
  let others: Record<string, readonly CoverageEntry[]> | undefined;
  let notRendered: Record<string, { needs?: "subnet"; message: string }> = {};
  // A target that documents the others (targets.md) is told what each other target covers, or why it could not run.
  if (targets.some((t) => takes(emitterOf(ctx, t), "coverage"))) {
    others = {};
    notRendered = {};
    for (const t of ctx.registry.names().filter((n) => !takes(emitterOf(ctx, n), "coverage"))) {
      try {
        others[t] = emitterOf(ctx, t).emit(resolved, optionsOf(t)).coverage;
      } catch (e) {
        // The page says the subnet reason in its own language; the message is the emitter's own.
        notRendered[t] = { ...(failure(e, resolved).needsSubnet ? { needs: "subnet" as const } : {}), message: (e as Error).message };
      }
    }
  }
  return targets.map((target) => {
    const e = emitterOf(ctx, target);
    const extra = others && takes(e, "coverage") ? { coverage: others, ...(takes(e, "notRendered") ? { notRendered } : {}) } : {};
    try {
      const result = e.emit(resolved, { ...extra, ...optionsOf(target) });
      return { target, files: result.files, coverage: result.coverage };
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`${target}: ${failure(err, resolved).message}`);
    }
  });
}

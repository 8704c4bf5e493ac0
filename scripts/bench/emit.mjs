// Benchmark 2: every target for every vendored region of the current revision, in one process.
import { join } from "node:path";
import { ROOT, ms, nodeJson, ratio, table } from "./common.mjs";

export const COMMAND = "node scripts/bench.mjs emit";
const TARGET_MS = 500;

export async function benchEmit({ passes = 5 } = {}) {
  const r = nodeJson(join(ROOT, "scripts/bench/emit-run.mjs"), [String(passes)]);
  const tagsOnly = r.results.tags;
  const withPrefixes = r.results.prefixes;
  // "All of it": the full job a pipeline runs, cold, with the file's prefixes attached (the tags-only run is the lighter case).
  const all = withPrefixes.cold.total + r.loadTags;
  const met = all < TARGET_MS && tagsOnly.cold.total < TARGET_MS;
  const result = { ...r, allMs: all, met };
  const summary = `emit: ${r.targets.length} targets x ${r.regions} regions, cold ${ms(tagsOnly.cold.total)} ms tags-only, ${ms(withPrefixes.cold.total)} ms + ${ms(r.loadTags)} ms loading the tags file with prefixes (target < ${TARGET_MS} ms) ${met ? "MET" : "MISSED"}`;
  return { result, markdown: render(result), summary };
}

function render(r) {
  const t = r.results;
  const names = r.targets.map((x) => x.name);
  const rows = names.map((n) => [
    `\`${n}\``,
    ms(t.tags.cold.perTarget[n]),
    ms(t.tags.warmPerTarget[n]),
    ms(t.prefixes.cold.perTarget[n]),
    ms(t.prefixes.warmPerTarget[n]),
  ]);
  rows.push(["resolveRules (once per region, shared by all targets)", ms(t.tags.cold.resolve), ms(t.tags.warmResolve), ms(t.prefixes.cold.resolve), ms(t.prefixes.warmResolve)]);
  rows.push(["**total**", `**${ms(t.tags.cold.total)}**`, ms(t.tags.warmTotal), `**${ms(t.prefixes.cold.total)}**`, ms(t.prefixes.warmTotal)]);
  const errors = [...t.tags.cold.errors, ...t.prefixes.cold.errors];
  const deterministic = t.tags.deterministic && t.prefixes.deterministic && t.oneBatch.deterministic;
  return [
    `${r.targets.length} targets (${names.map((n) => `\`${n}\``).join(", ")}${r.missing.length ? `; not built, left out: ${r.missing.join(", ")}` : ""}) x ${r.regions} regions (every region of \`packages/core\`), revision \`${r.revision}\`, subnet 192.0.2.0/24, default options, one \`resolveRules\` per region. One node process (\`scripts/bench/emit-run.mjs\`) runs ${r.passes} passes of each case; "cold" is its first pass (what a CI job pays), "warm" the median of the others. A total is \`resolveRules\` plus the \`emit\` calls; hashing and counting the output for the checks below (${ms(t.tags.cold.overhead)} ms in the cold tags-only pass) is not counted.`,
    "",
    table(["target", "tags only, cold ms", "tags only, warm ms", "with prefixes, cold ms", "with prefixes, warm ms"], rows),
    "",
    `Output per pass: tags only ${t.tags.cold.files} files, ${(t.tags.cold.bytes / 1e6).toFixed(1)} MB; with prefixes ${t.prefixes.cold.files} files, ${(t.prefixes.cold.bytes / 1e6).toFixed(1)} MB. Coverage has one entry per rule in every result: ${t.tags.cold.badCoverage + t.prefixes.cold.badCoverage === 0 ? "yes" : `no (${t.tags.cold.badCoverage + t.prefixes.cold.badCoverage} results)`}. Every pass gave identical bytes: ${deterministic ? "yes" : "NO"}.${errors.length ? ` Errors: ${errors.length} (${errors.slice(0, 3).join("; ")}).` : ""}`,
    "",
    `Reading the inputs: \`readFileSync\` + \`JSON.parse\` of the service-tags file (${(r.serviceTagsBytes / 1e6).toFixed(1)} MB) ${ms(r.readInputs)} ms; \`loadServiceTags\` on it (zod validation, merging every tag) ${ms(r.loadTags)} ms; importing core and the emitters ${ms(r.loadModules)} ms.`,
    "",
    `For comparison, one artifact per target for all ${r.regions} regions at once (one \`resolveRules\` with every region, prefixes attached): ${ms(t.oneBatch.cold.total)} ms cold, ${ms(t.oneBatch.warmTotal)} ms warm (${names.map((n) => `${n} ${ms(t.oneBatch.cold.perTarget[n])}`).join(", ")}); run after the per-region passes, so its code is already warm.${t.oneBatch.cold.errors.length ? ` Errors: ${t.oneBatch.cold.errors.slice(0, 3).join("; ")}.` : ""}`,
    "",
    `**All of it** (loading the tags file, then every target for every region with prefixes, cold): **${ms(r.allMs)} ms**, ${ratio(r.allMs / r.readInputs)} x the time to merely read the inputs; tags only: ${ms(t.tags.cold.total)} ms, ${ratio(t.tags.cold.total / r.readInputs)} x. Target < 500 ms: ${r.met ? "met" : "missed"}.`,
  ].join("\n");
}

// Benchmark 2: every target for every vendored region of the current revision, in one process; and the
// CLI's `emit all` for every region with and without `--service-tags`, as processes.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, SERVICE_TAGS_FILE, median, ms, nodeJson, nowMs, quantile, ratio, run, table } from "./common.mjs";

export const COMMAND = "node scripts/bench.mjs emit";
const TARGET_MS = 500;
/** `emit all` for every region with the service-tags file, against the same run without it (issue 19). */
const CLI_TAGS_TARGET = 1.3;
const CLI = join(ROOT, "packages/cli/dist/bin.js");

export async function benchEmit({ passes = 5, cliRuns = 15 } = {}) {
  const r = nodeJson(join(ROOT, "scripts/bench/emit-run.mjs"), [String(passes)]);
  const tagsOnly = r.results.tags;
  const withPrefixes = r.results.prefixes;
  // "All of it": the full job a pipeline runs, cold, with the file's prefixes attached (the tags-only run is the lighter case).
  const all = withPrefixes.cold.total + r.loadTags;
  const cli = benchCliServiceTags(r.regionNames, cliRuns);
  const met = all < TARGET_MS && tagsOnly.cold.total < TARGET_MS;
  const result = { ...r, allMs: all, met, cli };
  const summary = `emit: ${r.targets.length} targets x ${r.regions} regions, cold ${ms(tagsOnly.cold.total)} ms tags-only, ${ms(withPrefixes.cold.total)} ms + ${ms(r.loadTags)} ms loading the tags file with prefixes (target < ${TARGET_MS} ms) ${met ? "MET" : "MISSED"}; CLI emit all with --service-tags ${ratio(cli.ratio)} x without (target <= ${CLI_TAGS_TARGET}) ${cli.met ? "MET" : "MISSED"}`;
  return { result, markdown: render(result), summary };
}

function treeBytes(dir) {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) bytes += statSync(join(e.parentPath ?? e.path, e.name)).size;
  return bytes;
}

/** The built CLI, `emit all` with every region in one run, with and without the vendored service-tags file: interleaved runs, medians. */
function benchCliServiceTags(regionNames, runs) {
  const dir = mkdtempSync(join(tmpdir(), "cmn-bench-cli-"));
  try {
    const base = ["emit", "all", ...regionNames.flatMap((name) => ["--region", name]), "--subnet", "192.0.2.0/24", "--clean"];
    const variants = { without: [...base, "--out", join(dir, "without")], with: [...base, "--service-tags", SERVICE_TAGS_FILE, "--out", join(dir, "with")] };
    const names = Object.keys(variants);
    const times = { without: [], with: [] };
    const once = (name) => {
      const start = nowMs();
      run(process.execPath, [CLI, ...variants[name]], { cwd: ROOT });
      return nowMs() - start;
    };
    for (let i = 0; i < 2; i++) for (const n of names) once(n);
    for (let i = 0; i < runs; i++) for (let k = 0; k < names.length; k++) times[names[(i + k) % 2]].push(once(names[(i + k) % 2]));
    const medians = { without: median(times.without), with: median(times.with) };
    const r = medians.with / medians.without;
    return {
      runs,
      regions: regionNames.length,
      medians,
      p25: { without: quantile(times.without, 0.25), with: quantile(times.with, 0.25) },
      p75: { without: quantile(times.without, 0.75), with: quantile(times.with, 0.75) },
      bytes: { without: treeBytes(join(dir, "without")), with: treeBytes(join(dir, "with")) },
      ratio: r,
      met: r <= CLI_TAGS_TARGET,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
    `Reading the inputs: \`readFileSync\` + \`JSON.parse\` of the service-tags file (${(r.serviceTagsBytes / 1e6).toFixed(1)} MB) ${ms(r.readInputs)} ms; \`loadServiceTags\` on it (the envelope and a name per entry; each tag is checked, bounded, merged or taken from the bundled merge, and compared with the bundled file when first used, so the first pass with prefixes pays for that) ${ms(r.loadTags)} ms; importing core and the emitters ${ms(r.loadModules)} ms.`,
    "",
    `For comparison, one artifact per target for all ${r.regions} regions at once (one \`resolveRules\` with every region, prefixes attached): ${ms(t.oneBatch.cold.total)} ms cold, ${ms(t.oneBatch.warmTotal)} ms warm (${names.map((n) => `${n} ${ms(t.oneBatch.cold.perTarget[n])}`).join(", ")}); run after the per-region passes, so its code is already warm.${t.oneBatch.cold.errors.length ? ` Errors: ${t.oneBatch.cold.errors.slice(0, 3).join("; ")}.` : ""}`,
    "",
    `**All of it** (loading the tags file, then every target for every region with prefixes, cold): **${ms(r.allMs)} ms**, ${ratio(r.allMs / r.readInputs)} x the time to merely read the inputs; tags only: ${ms(t.tags.cold.total)} ms, ${ratio(t.tags.cold.total / r.readInputs)} x. Target < 500 ms: ${r.met ? "met" : "missed"}.`,
    "",
    "### The CLI with and without `--service-tags`",
    "",
    `\`node packages/cli/dist/bin.js emit all\` with all ${r.cli.regions} regions in one run, \`--subnet 192.0.2.0/24 --out DIR --clean\`, with and without \`--service-tags vendor/service-tags/ServiceTags_Public_20251028.json\`: ${r.cli.runs} runs of each, interleaved (order alternated every round) after 2 warm-up rounds; wall time from spawn to exit, so node's start-up, the imports, reading the file, resolving, emitting and writing are all in it.`,
    "",
    table(
      ["run", "median wall ms", "p25-p75 wall ms", "bytes written"],
      [
        ["without `--service-tags`", ms(r.cli.medians.without), `${ms(r.cli.p25.without)}-${ms(r.cli.p75.without)}`, String(r.cli.bytes.without)],
        ["with `--service-tags`", ms(r.cli.medians.with), `${ms(r.cli.p25.with)}-${ms(r.cli.p75.with)}`, String(r.cli.bytes.with)],
      ],
    ),
    "",
    `**Ratio with / without: ${ratio(r.cli.ratio)}** (target <= ${CLI_TAGS_TARGET}: ${r.cli.met ? "met" : "missed"}).`,
  ].join("\n");
}

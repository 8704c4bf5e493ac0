// Benchmark 6: the audit at scale. A generated Resource Graph export of 10,000 NSGs with 30 custom rules
// each (`graph-export.mjs`), audited against the current revision with the vendored service-tags file, in
// a fresh process (`audit-run.mjs`), three times: the median run's wall, CPU and system time and page faults per
// phase, the highest peak RSS, the evaluator's cost per flow.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, ms, nodeJson, nowMs, table } from "./common.mjs";
import { graphExport } from "./graph-export.mjs";

export const COMMAND = "node scripts/bench.mjs audit";
const TARGET_MS = 5000;
const TARGET_BYTES = 1024 ** 3;
const REGION = "eastus";
const RUNS = 3;

/** One audit in a fresh process, timed from its start to its exit. */
function timedRun(file) {
  const started = nowMs();
  const r = nodeJson(join(ROOT, "scripts/bench/audit-run.mjs"), [file, REGION]);
  return { r, totalMs: nowMs() - started };
}

export async function benchAudit({ nsgs = 10000, rulesPerNsg = 30 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "cmn-bench-audit-"));
  try {
    const file = join(dir, "graph.json");
    const generated = nowMs();
    writeFileSync(file, graphExport({ nsgs, rulesPerNsg }));
    const generateMs = nowMs() - generated;
    // The machine is shared and one run moves by a few tenths of a second: the median of RUNS fresh processes is the figure.
    const runs = Array.from({ length: RUNS }, () => timedRun(file));
    const { r, totalMs } = [...runs].sort((a, b) => a.totalMs - b.totalMs)[(RUNS - 1) >> 1];
    const totals = runs.map((x) => x.totalMs);
    const verdicts = new Set(runs.map((x) => JSON.stringify(x.r.verdicts)));
    if (verdicts.size !== 1) throw new Error(`audit: the runs gave different verdicts: ${[...verdicts].join(" against ")}`);
    // Memory is held to the highest peak of the runs.
    const maxRssBytes = Math.max(...runs.map((x) => x.r.maxRssBytes));
    const parseOnly = nodeJson(join(ROOT, "scripts/bench/audit-run.mjs"), [file, "--parse-only"]);
    const met = totalMs < TARGET_MS && maxRssBytes < TARGET_BYTES;
    const result = { nsgs, rulesPerNsg, region: REGION, generateMs, totalMs, totals, parseOnly, ...r, maxRssBytes, perFlowUs: (r.phases.evaluate.cpuMs * 1000) / r.flows, perNsgMs: r.phases.evaluate.cpuMs / r.nsgs, met };
    const summary = `audit: ${nsgs} NSGs x ${rulesPerNsg} rules, ${(r.bytes / 1024 ** 2).toFixed(0)} MiB, ${(totalMs / 1000).toFixed(1)} s, median of ${totals.map((t) => (t / 1000).toFixed(2)).join(", ")} s (read ${(r.phases.read.wallMs / 1000).toFixed(1)} s, evaluate ${(r.phases.evaluate.wallMs / 1000).toFixed(1)} s), peak RSS ${(maxRssBytes / 1024 ** 2).toFixed(0)} MiB, ${result.perFlowUs.toFixed(0)} us CPU per flow (target < 5 s and < 1 GiB) ${met ? "MET" : "MISSED"}`;
    return { result, markdown: render(result), summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function render(r) {
  const mib = (b) => `${(b / 1024 ** 2).toFixed(0)} MiB`;
  const rows = Object.entries(r.phases).map(([name, p]) => [name, ms(p.wallMs), ms(p.cpuMs), ms(p.systemMs), String(p.pageFaults)]);
  return [
    `Input: a Resource Graph export (\`az graph query\`'s \`{ count, data, ... }\`, compact JSON) of ${r.nsgs} NSGs with ${r.rulesPerNsg} custom rules each plus their six default rules, generated with a fixed seed by \`scripts/bench/graph-export.mjs\` (${mib(r.bytes)}): allows and denies over service tags of the vendored file, prefixes near those tags, private prefixes, \`VirtualNetwork\`, \`Internet\`, \`*\`, single ports, ranges and lists. ` +
      `Audited against the current revision for ${r.region} with the vendored service-tags file, in a fresh node process (\`scripts/bench/audit-run.mjs\`), as \`cli audit\` does it: the service tags loaded and the rules resolved (the files phase), the export read 64 KiB at a time into the network as the CLI reads one regular file, no string ever holding its whole text (the read phase; the network let go once the subject stream has it), then subject by subject through \`evaluateSubjects\`, each subject counted and dropped (output not written). Each NSG is one subject: ${r.subjects} subjects, ${r.requirements} requirement verdicts, ${r.flows} flows evaluated.`,
    "",
    table(["phase", "wall ms", "CPU ms", "of which system ms", "page faults"], rows),
    "",
    `**Total ${(r.totalMs / 1000).toFixed(1)} s (process start to exit; the median of ${r.totals.length} runs in fresh processes: ${r.totals.map((t) => (t / 1000).toFixed(2)).join(", ")} s; the phases above are the median run's), peak RSS ${mib(r.maxRssBytes)} (the highest of the runs)**; target < 5 s and < 1 GiB: ${r.met ? "met" : "missed"}. ` +
      `For scale, reading the same file and \`JSON.parse\` alone, in a process of their own: ${ms(r.parseOnly.wallMs)} ms, peak RSS ${mib(r.parseOnly.maxRssBytes)}. ` +
      `Evaluator: **${r.perFlowUs.toFixed(0)} µs of CPU per flow**, ${r.perNsgMs.toFixed(2)} ms per NSG. Verdicts: ${Object.entries(r.verdicts).map(([k, v]) => `${k} ${v}`).join(", ")}; ${r.warnings} over-broad allows.`,
  ].join("\n");
}

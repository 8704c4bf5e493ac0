// One audit of a Resource Graph export in a fresh process, as `cli audit FILE --service-tags FILE --region R`
// does it: load the tags and resolve the current revision (files), read the export 64 KiB at a time into the network
// as the CLI reads one regular file (read), evaluate it subject by subject (`evaluateSubjects`, letting go of the network
// once the stream has it), counting each subject's flows and verdicts as it comes and keeping none. Prints one JSON
// document: each phase's wall, CPU and system time and page faults, the flows evaluated and the peak RSS.
//   node scripts/bench/audit-run.mjs EXPORT.json REGION
//   node scripts/bench/audit-run.mjs EXPORT.json --parse-only   (reading and JSON.parse alone)
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CORE_DIST, CORE_TAGS_DIST, ROOT, SERVICE_TAGS_FILE, nowMs } from "./common.mjs";

const [file, region] = process.argv.slice(2);
if (region === "--parse-only") {
  // The floor: reading the export and JSON.parse alone, in a process of its own.
  const started = nowMs();
  const c0 = process.cpuUsage();
  const rows = JSON.parse(readFileSync(file, "utf8")).data.length;
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ rows, wallMs: nowMs() - started, cpuMs: (c.user + c.system) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
  process.exit(0);
}
const phases = {};
let wall = nowMs();
let cpu = process.cpuUsage();
let faults = process.resourceUsage().minorPageFault;
// System time and page faults too: on this machine a page touched for the first time costs microseconds of the run.
function phase(name) {
  const c = process.cpuUsage(cpu);
  const nowFaults = process.resourceUsage().minorPageFault;
  phases[name] = { wallMs: nowMs() - wall, cpuMs: (c.user + c.system) / 1000, systemMs: c.system / 1000, pageFaults: nowFaults - faults };
  wall = nowMs();
  cpu = process.cpuUsage();
  faults = nowFaults;
}

const core = await import(pathToFileURL(CORE_DIST).href);
const { loadServiceTags } = await import(pathToFileURL(CORE_TAGS_DIST).href);
const azure = await import(pathToFileURL(join(ROOT, "packages/azure/dist/index.js")).href);
// As the CLI reads one regular file: its own textPieces (64 KiB at a time, checked and decoded piece by piece).
const { textPieces } = await import(pathToFileURL(join(ROOT, "packages/cli/dist/index.js")).href);
phase("import");
const bytes = statSync(file).size;
const serviceTags = loadServiceTags(readFileSync(SERVICE_TAGS_FILE, "utf8"), SERVICE_TAGS_FILE);
const resolved = core.resolveRules({ regions: [region], serviceTags });
phase("files");
// As the CLI: the export read from its pieces (an export the pieces cannot read would be read whole: not this one).
let network = azure.readGraphExportPieces(textPieces({ cwd: process.cwd() }, file))?.network;
if (network === undefined) throw new Error(`${file}: not read in pieces`);
const nsgs = network.networkSecurityGroups.length;
phase("read");
const counts = { subjects: 0, requirements: 0, flows: 0, verdicts: {} };
const stream = azure.evaluateSubjects(network, { resolved, serviceTags });
network = undefined; // as the CLI: the stream holds what it still needs
let next = stream.next();
for (; !next.done; next = stream.next()) {
  const s = next.value;
  counts.subjects += 1;
  counts.requirements += s.requirements.length;
  for (const r of s.requirements) {
    counts.verdicts[r.status] = (counts.verdicts[r.status] ?? 0) + 1;
    for (const a of r.alternatives) counts.flows += a.flows.length;
  }
}
const outline = next.value;
phase("evaluate");

console.log(
  JSON.stringify({
    phases,
    bytes,
    nsgs,
    subjects: counts.subjects,
    requirements: counts.requirements,
    flows: counts.flows,
    verdicts: counts.verdicts,
    warnings: outline.summary.warnings,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);

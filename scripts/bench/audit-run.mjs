// One audit of a Resource Graph export in a fresh process, as `cli audit FILE --service-tags FILE --region R`
// does it: read both files, load the tags, resolve the current revision, read the network, evaluate it.
// Prints one JSON document: each phase's wall and CPU time, the flows evaluated and the peak RSS.
//   node scripts/bench/audit-run.mjs EXPORT.json REGION
//   node scripts/bench/audit-run.mjs EXPORT.json --parse-only   (reading and JSON.parse alone)
import { readFileSync } from "node:fs";
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
function phase(name) {
  const c = process.cpuUsage(cpu);
  phases[name] = { wallMs: nowMs() - wall, cpuMs: (c.user + c.system) / 1000 };
  wall = nowMs();
  cpu = process.cpuUsage();
}

const core = await import(pathToFileURL(CORE_DIST).href);
const { loadServiceTags } = await import(pathToFileURL(CORE_TAGS_DIST).href);
const azure = await import(pathToFileURL(join(ROOT, "packages/azure/dist/index.js")).href);
phase("import");
const text = readFileSync(file, "utf8");
const serviceTags = loadServiceTags(readFileSync(SERVICE_TAGS_FILE, "utf8"), SERVICE_TAGS_FILE);
const resolved = core.resolveRules({ regions: [region], serviceTags });
phase("files");
const read = azure.readNetwork({ name: file, text });
phase("read");
const report = azure.evaluateNetwork(read.network, { resolved, serviceTags });
phase("evaluate");

let flows = 0;
for (const s of report.subjects) for (const r of s.requirements) for (const a of r.alternatives) flows += a.flows.length;
const verdicts = {};
for (const s of report.subjects) for (const r of s.requirements) verdicts[r.status] = (verdicts[r.status] ?? 0) + 1;
console.log(
  JSON.stringify({
    phases,
    bytes: Buffer.byteLength(text),
    nsgs: read.network.networkSecurityGroups.length,
    subjects: report.subjects.length,
    requirements: report.subjects.reduce((n, s) => n + s.requirements.length, 0),
    flows,
    verdicts,
    warnings: report.summary.warnings,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);

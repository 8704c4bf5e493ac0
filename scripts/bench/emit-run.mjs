// Child process of benchmark 2 (emission): loads the built core and every built emitter, then emits
// every target for every vendored region of the current revision, in this one process. Prints JSON.
import { createHash } from "node:crypto";
import { Session } from "node:inspector/promises";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CORE_DIST, CORE_TAGS_DIST, EMITTERS, ROOT, SERVICE_TAGS_FILE, median, nowMs } from "./common.mjs";

const passes = Number(process.argv[2] ?? 5);
const SUBNET = "192.0.2.0/24";

const t0 = nowMs();
const core = await import(pathToFileURL(CORE_DIST).href);
const { loadServiceTags } = await import(pathToFileURL(CORE_TAGS_DIST).href);
const targets = [];
const missing = [];
for (const dir of EMITTERS) {
  const file = join(ROOT, "packages", dir, "dist/index.js");
  if (!existsSync(file)) {
    missing.push(dir);
    continue;
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    missing.push(`${dir} (its dist fails to load: ${e.message.split("\n")[0]})`);
    continue;
  }
  if (!mod.emitter || typeof mod.emitter.emit !== "function") {
    missing.push(`${dir} (no emitter export)`);
    continue;
  }
  targets.push({ dir, name: mod.emitter.name, emitter: mod.emitter, version: mod.version });
}
const loadModules = nowMs() - t0;

let t = nowMs();
const text = readFileSync(SERVICE_TAGS_FILE, "utf8");
const doc = JSON.parse(text);
const readInputs = nowMs() - t;
t = nowMs();
const index = loadServiceTags(doc, "vendor/service-tags/ServiceTags_Public_20251028.json");
const loadTags = nowMs() - t;

const regions = core.regions.map((r) => r.name);
const perRegion = regions.map((r) => [r]);
const scenarios = {
  tags: { label: "tags only (no service-tags file)", batches: perRegion, options: (rs) => ({ regions: rs, subnet: SUBNET }) },
  prefixes: { label: "with the vendored service-tags file (prefixes attached)", batches: perRegion, options: (rs) => ({ regions: rs, subnet: SUBNET, serviceTags: index }) },
  // For comparison: one artifact per target covering every region, from one resolve.
  oneBatch: { label: "all regions in one resolve, prefixes attached", batches: [regions], options: (rs) => ({ regions: rs, subnet: SUBNET, serviceTags: index }) },
};

function pass(scenario) {
  const perTarget = Object.fromEntries(targets.map((x) => [x.name, 0]));
  const hashes = Object.fromEntries(targets.map((x) => [x.name, createHash("sha256")]));
  const errors = [];
  let resolve = 0;
  let files = 0;
  let bytes = 0;
  let badCoverage = 0;
  const start = nowMs();
  for (const batch of scenario.batches) {
    const region = batch.length === 1 ? batch[0] : `${batch.length} regions`;
    let s = nowMs();
    const resolved = core.resolveRules(scenario.options(batch));
    resolve += nowMs() - s;
    for (const x of targets) {
      s = nowMs();
      let out;
      try {
        out = x.emitter.emit(resolved, {});
      } catch (e) {
        errors.push(`${x.name} ${region}: ${e.message.slice(0, 200)}`);
      }
      perTarget[x.name] += nowMs() - s;
      if (!out) continue;
      files += out.files.length;
      for (const f of out.files) {
        bytes += Buffer.byteLength(f.content);
        hashes[x.name].update(f.path).update("\0").update(f.content).update("\0");
      }
      if (out.coverage.length !== resolved.rules.length) badCoverage++;
    }
  }
  // Emission is resolve plus the emit calls; the bench's own hashing and counting of the output is not.
  const total = resolve + Object.values(perTarget).reduce((a, b) => a + b, 0);
  const overhead = nowMs() - start - total;
  return { total, overhead, resolve, perTarget, files, bytes, errors, badCoverage, digest: Object.fromEntries(Object.entries(hashes).map(([k, h]) => [k, h.digest("hex")])) };
}

const results = {};
for (const [key, scenario] of Object.entries(scenarios)) {
  const runs = [];
  for (let i = 0; i < passes; i++) runs.push(pass(scenario));
  const cold = runs[0];
  const warm = runs.slice(1);
  results[key] = {
    label: scenario.label,
    cold,
    warmTotal: median(warm.map((r) => r.total)),
    warmResolve: median(warm.map((r) => r.resolve)),
    warmPerTarget: Object.fromEntries(targets.map((x) => [x.name, median(warm.map((r) => r.perTarget[x.name]))])),
    deterministic: warm.every((r) => JSON.stringify(r.digest) === JSON.stringify(cold.digest)),
  };
  // Only the first pass's errors matter; the passes are identical.
  for (const r of warm) r.errors = [];
}

// One more, untimed pass of both cases under the profiler: where the time goes, by function and package.
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 200 });
await session.post("Profiler.start");
pass(scenarios.tags);
pass(scenarios.prefixes);
const { profile } = await session.post("Profiler.stop");
session.disconnect();
const hotspots = selfTimes(profile);

/** Self time per function, top 12, with the package the code belongs to. */
function selfTimes(p) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const self = new Map();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const agg = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const f = byId.get(id).callFrame;
    if (f.functionName === "(idle)" || f.functionName === "(program)") continue;
    total += us;
    const m = /\/(?:packages|node_modules)\/((?:@[^/]+\/)?[^/]+)\//.exec(f.url);
    const where = m ? m[1] : f.url.startsWith("node:") ? "node" : f.url === "" ? "v8" : f.url.split("/").pop();
    const file = f.url.split("/").pop();
    // An anonymous function is named by the function it was called from.
    const caller = f.functionName ? "" : byId.get(parentOf.get(id))?.callFrame.functionName;
    const name = f.functionName || (caller ? `(anonymous, in ${caller})` : "(anonymous)");
    const key = `${name}${file && !f.url.startsWith("node:") ? ` (${file}:${f.lineNumber + 1})` : ""}\u0000${where}`;
    agg.set(key, (agg.get(key) ?? 0) + us);
  }
  const byPackage = new Map();
  for (const [key, us] of agg) {
    const where = key.split("\u0000")[1];
    byPackage.set(where, (byPackage.get(where) ?? 0) + us);
  }
  // CIDR work (core's cidr.ts) by the nearest named caller outside it.
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const CIDR = new Set(["parseCidr", "mergePrefixes", "scanCidr", "scanIpv4", "scanIpv6", "hexDigit", "maskWords", "formatIpv4", "formatIpv6", "formatWords", "longestZeroRun", "add", "merge", "within", "siblings", "splitByFamily", "cidrContains", "isCidr", "formatAddress", "hostMask6"]);
  const isCidrFrame = (f) => /\/packages\/core\//.test(f.url) && (CIDR.has(f.functionName) || f.functionName === "");
  const cidrCallers = new Map();
  let cidr = 0;
  for (const [id, us] of self) {
    let node = byId.get(id);
    if (!isCidrFrame(node.callFrame) || (node.callFrame.functionName === "" && !CIDR.has(byId.get(parent.get(id))?.callFrame.functionName))) continue;
    while (node && isCidrFrame(node.callFrame)) node = byId.get(parent.get(node.id));
    const caller = node ? `${node.callFrame.functionName || "(anonymous)"} (${node.callFrame.url.split("/").slice(-3, -2)[0] ?? "?"})` : "?";
    cidr += us;
    cidrCallers.set(caller, (cidrCallers.get(caller) ?? 0) + us);
  }
  const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return {
    totalMs: total / 1000,
    cidrMs: cidr / 1000,
    cidrCallers: top(cidrCallers, 4).map(([caller, us]) => ({ caller, ms: us / 1000 })),
    functions: top(agg, 12).map(([k, us]) => ({ fn: k.split("\u0000")[0], where: k.split("\u0000")[1], ms: us / 1000 })),
    packages: top(byPackage, 8).map(([where, us]) => ({ where, ms: us / 1000 })),
  };
}

process.stdout.write(
  JSON.stringify({
    hotspots,
    passes,
    regions: regions.length,
    regionNames: regions,
    revision: core.currentRevision.id,
    targets: targets.map((x) => ({ dir: x.dir, name: x.name, version: x.version })),
    missing,
    loadModules,
    readInputs,
    loadTags,
    serviceTagsBytes: Buffer.byteLength(text),
    results,
  }),
);

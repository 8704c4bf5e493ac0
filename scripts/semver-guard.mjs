#!/usr/bin/env node
// Data-semver guard: compares the dataset with the last released snapshot and fails when the pending
// changesets bump @cassandra-mi-netrules/core less than the data change requires (policy in README.md).
//
//   node scripts/semver-guard.mjs                      check (CI)
//   node scripts/semver-guard.mjs --write-snapshot     record the dataset being released (run at version time)
// Options for tests: --released FILE, --current FILE (snapshot JSON), --changesets DIR, --core-dist DIR.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const PACKAGE = "@cassandra-mi-netrules/core";
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const LEVELS = ["none", "patch", "minor", "major"];
/** Fields that decide what a rule enforces: a change to them changes the artifacts' meaning. */
const ENFORCED = ["kind", "destinations", "protocol", "ports", "conditions"];

function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The snapshot of a dataset: what a release promises. */
export function snapshotOf(core) {
  const requirements = {};
  for (const r of core.allRequirements) requirements[r.id] = JSON.parse(JSON.stringify(r));
  return {
    package: PACKAGE,
    version: core.version,
    dataHash: core.dataHash,
    current: core.currentRevision.id,
    revisions: core.revisions.map((r) => ({ id: r.id, requirementIds: [...r.requirementIds] })),
    requirements,
    features: core.features.map((f) => JSON.parse(JSON.stringify(f))),
  };
}

/** Every data change between two snapshots with the bump each one needs, sorted by level then text. */
export function dataChanges(released, current) {
  const changes = [];
  const add = (level, text) => changes.push({ level, text });
  const relIds = Object.keys(released.requirements).sort();
  const curIds = Object.keys(current.requirements).sort();
  for (const id of relIds) if (!(id in current.requirements)) add("major", `requirement ${id} removed or renamed`);
  for (const id of curIds) if (!(id in released.requirements)) add("minor", `requirement ${id} added`);
  for (const id of relIds) {
    const a = released.requirements[id];
    const b = current.requirements[id];
    if (!b) continue;
    for (const f of ENFORCED) if (canonical(a[f]) !== canonical(b[f])) add("major", `requirement ${id}: ${f} changed (what is enforced changes)`);
    for (const f of Object.keys({ ...a, ...b }).sort()) {
      if (ENFORCED.includes(f)) continue;
      if (!(f in b)) add("major", `requirement ${id}: field ${f} removed`);
      else if (!(f in a)) add("minor", `requirement ${id}: field ${f} added`);
      else if (canonical(a[f]) !== canonical(b[f])) add("patch", `requirement ${id}: ${f} changed (wording or provenance)`);
    }
  }
  const relRevs = new Map(released.revisions.map((r) => [r.id, r]));
  const curRevs = new Map(current.revisions.map((r) => [r.id, r]));
  for (const [id, r] of relRevs) {
    const c = curRevs.get(id);
    if (!c) add("major", `revision ${id} removed`);
    else {
      for (const x of r.requirementIds) if (!c.requirementIds.includes(x)) add("major", `revision ${id}: requirement ${x} removed from it`);
      for (const x of c.requirementIds) if (!r.requirementIds.includes(x)) add("minor", `revision ${id}: requirement ${x} added to it`);
    }
  }
  for (const id of curRevs.keys()) if (!relRevs.has(id)) add("minor", `revision ${id} added`);
  if (released.current !== current.current) add("minor", `current revision ${released.current} -> ${current.current}`);
  const relF = new Map((released.features ?? []).map((f) => [f.id, f]));
  const curF = new Map((current.features ?? []).map((f) => [f.id, f]));
  for (const id of relF.keys()) if (!curF.has(id)) add("major", `feature ${id} removed`);
  for (const id of curF.keys()) if (!relF.has(id)) add("minor", `feature ${id} added`);
  for (const [id, f] of relF) {
    const g = curF.get(id);
    if (!g) continue;
    if (canonical({ d: f.default, w: f.waivesKinds }) !== canonical({ d: g.default, w: g.waivesKinds })) add("major", `feature ${id}: default or waived kinds changed`);
    else if (canonical(f) !== canonical(g)) add("patch", `feature ${id}: description changed`);
  }
  return changes.sort((x, y) => LEVELS.indexOf(y.level) - LEVELS.indexOf(x.level) || (x.text < y.text ? -1 : x.text > y.text ? 1 : 0));
}

export function requiredLevel(changes) {
  return changes.reduce((lvl, c) => (LEVELS.indexOf(c.level) > LEVELS.indexOf(lvl) ? c.level : lvl), "none");
}

/** The bump pending changesets give `pkg`: the highest level across `.changeset/*.md` front matter. */
export function declaredLevel(changesetTexts, pkg = PACKAGE) {
  let level = "none";
  for (const { file, text } of changesetTexts) {
    const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
    if (!m) continue;
    for (const line of (m[1] ?? "").split(/\r?\n/)) {
      const e = /^\s*["']?([^"':]+)["']?\s*:\s*(major|minor|patch|none)\s*$/.exec(line);
      if (!e) {
        if (line.trim() !== "") throw new Error(`${file}: cannot read front-matter line ${JSON.stringify(line)}`);
        continue;
      }
      if (e[1] === pkg && LEVELS.indexOf(e[2]) > LEVELS.indexOf(level)) level = e[2];
    }
  }
  return level;
}

export function readChangesets(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md") && f.toLowerCase() !== "readme.md")
    .sort()
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), "utf8") }));
}

/** Pure verdict: `{ ok, required, declared, changes, baseline }`. */
export function verdict(released, current, changesetTexts) {
  if (!released) return { ok: true, baseline: true, required: "none", declared: declaredLevel(changesetTexts), changes: [] };
  const changes = dataChanges(released, current);
  const required = requiredLevel(changes);
  const declared = declaredLevel(changesetTexts);
  return { ok: LEVELS.indexOf(declared) >= LEVELS.indexOf(required), baseline: false, required, declared, changes };
}

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] && !process.argv[i + 1].startsWith("--") ? process.argv[i + 1] : fallback;
}

async function main() {
  const releasedFile = resolve(arg("--released", join(ROOT, "packages/core/released/dataset.json")));
  const changesetDir = resolve(arg("--changesets", join(ROOT, ".changeset")));
  let current;
  const currentFile = arg("--current");
  if (currentFile) current = JSON.parse(readFileSync(resolve(currentFile), "utf8"));
  else {
    const dist = resolve(arg("--core-dist", join(ROOT, "packages/core/dist")), "index.js");
    if (!existsSync(dist)) {
      console.error(`semver-guard: ${dist} does not exist; run npm run build first`);
      return 2;
    }
    current = snapshotOf(await import(pathToFileURL(dist).href));
  }
  if (process.argv.includes("--write-snapshot")) {
    // At version time dist still carries the old version string; the manifest has the new one.
    if (!currentFile) current.version = JSON.parse(readFileSync(join(ROOT, "packages/core/package.json"), "utf8")).version;
    mkdirSync(dirname(releasedFile), { recursive: true });
    writeFileSync(releasedFile, `${JSON.stringify(current, null, 2)}\n`);
    console.log(`semver-guard: wrote ${releasedFile} (${PACKAGE} ${current.version}, data ${current.dataHash.slice(0, 12)})`);
    return 0;
  }
  const released = existsSync(releasedFile) ? JSON.parse(readFileSync(releasedFile, "utf8")) : undefined;
  const v = verdict(released, current, readChangesets(changesetDir));
  if (v.baseline) {
    console.log(`semver-guard: no released dataset at ${releasedFile}: this is the first release, the baseline (changesets declare ${v.declared} for ${PACKAGE})`);
    return 0;
  }
  for (const c of v.changes) console.log(`  ${c.level.padEnd(5)} ${c.text}`);
  const summary = `${v.changes.length} data change(s) since ${PACKAGE} ${released.version}: need ${v.required}, changesets declare ${v.declared}`;
  if (!v.ok) {
    console.error(`semver-guard: FAIL: ${summary}. Add a changeset with "${PACKAGE}": ${v.required} (see the data semver policy in README.md).`);
    return 1;
  }
  console.log(`semver-guard: ok: ${summary}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(`semver-guard: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 2;
    },
  );
}

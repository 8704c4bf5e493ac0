// Benchmark 3: mergePrefixes against Python's ipaddress.collapse_addresses, on the union of every
// service tag the current revision uses plus its own prefixes, per family; then the regional forms.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CORE_DIST, ROOT, SERVICE_TAGS_FILE, ms, nodeJson, ratio, run, table } from "./common.mjs";

export const COMMAND = "node scripts/bench.mjs merge";
const TARGET = 3;

/** The inputs, from the vendored file and the built core's current revision. */
export async function mergeInputs() {
  const core = await import(pathToFileURL(CORE_DIST).href);
  const doc = JSON.parse(readFileSync(SERVICE_TAGS_FILE, "utf8"));
  const byName = new Map(doc.values.map((v) => [v.name, v.properties.addressPrefixes]));
  const tags = [];
  const ownPrefixes = [];
  for (const req of core.currentRevision.requirements) {
    for (const d of req.destinations) {
      if (d.type === "serviceTag" && !tags.includes(d.tag)) tags.push(d.tag);
      if (d.type === "prefixes") ownPrefixes.push(...d.prefixes);
    }
  }
  tags.sort();
  const regionalForms = tags.flatMap((tag) => Object.values(core.serviceTagCatalog.tags[tag]?.regional ?? {}).map((f) => f.name)).sort();
  const prefixesOf = (name) => {
    const list = byName.get(name);
    if (!list) throw new Error(`service tag ${name} is not in ${SERVICE_TAGS_FILE}`);
    return list;
  };
  const union = [...tags.flatMap(prefixesOf), ...ownPrefixes];
  const regionalUnion = regionalForms.flatMap(prefixesOf);
  const fam = (list, f) => list.filter((p) => p.includes(":") === (f === 6));
  const cases = [];
  for (const f of [4, 6]) {
    cases.push({ id: `union-v${f}`, group: "union", family: f, lists: [fam(union, f)] });
    cases.push({ id: `regional-union-v${f}`, group: "regional-union", family: f, lists: [fam(regionalUnion, f)] });
    cases.push({ id: `regional-each-v${f}`, group: "regional-each", family: f, lists: regionalForms.map((n) => fam(prefixesOf(n), f)).filter((l) => l.length > 0) });
  }
  return { revision: core.currentRevision.id, tags, ownPrefixes, regionalForms, cases };
}

export async function benchMerge({ reps = 30 } = {}) {
  const input = await mergeInputs();
  const dir = mkdtempSync(join(tmpdir(), "cmn-bench-merge-"));
  try {
    const file = join(dir, "input.json");
    writeFileSync(file, JSON.stringify({ cases: input.cases }));
    const js = nodeJson(join(ROOT, "scripts/bench/merge-run.mjs"), [file, String(reps)]);
    const py = JSON.parse(run("python3", [join(ROOT, "scripts/bench/merge.py"), file, String(reps)]).stdout);
    const rows = input.cases.map((c) => {
      const j = js.cases[c.id];
      const p = py.cases[c.id];
      return {
        ...c,
        lists: undefined,
        listCount: c.lists.length,
        prefixesIn: c.lists.reduce((n, l) => n + l.length, 0),
        prefixesOut: j.result.reduce((n, l) => n + l.length, 0),
        same: JSON.stringify(j.result) === JSON.stringify(p.result),
        js: { first: j.first, median: j.median },
        py: { first: p.first, median: p.median },
      };
    });
    const group = (g) => {
      const rs = rows.filter((r) => r.group === g);
      const sum = (f) => rs.reduce((n, r) => n + f(r), 0);
      return {
        ratio: sum((r) => r.py.median) / sum((r) => r.js.median),
        firstRatio: sum((r) => r.py.first) / sum((r) => r.js.first),
        same: rs.every((r) => r.same),
      };
    };
    const groups = { union: group("union"), "regional-union": group("regional-union"), "regional-each": group("regional-each") };
    const met = groups.union.ratio >= TARGET && groups.union.same;
    const result = { reps, python: py.python, revision: input.revision, tags: input.tags, ownPrefixes: input.ownPrefixes.length, regionalForms: input.regionalForms.length, rows, groups, met };
    const summary = `merge: union ${groups.union.same ? "same result" : "DIFFERENT RESULT"}, mergePrefixes ${ratio(groups.union.ratio)}x faster than collapse_addresses (first call ${ratio(groups.union.firstRatio)}x; target >= ${TARGET}x) ${met ? "MET" : "MISSED"}`;
    return { result, markdown: render(result), summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function render(r) {
  const label = { union: "union of the tags + own prefixes", "regional-union": "union of every regional form", "regional-each": "each regional form on its own" };
  const rows = r.rows.map((x) => [
    `${label[x.group]}, IPv${x.family}${x.listCount > 1 ? ` (${x.listCount} lists)` : ""}`,
    String(x.prefixesIn),
    String(x.prefixesOut),
    `${ms(x.js.median)} (${ms(x.js.first)})`,
    `${ms(x.py.median)} (${ms(x.py.first)})`,
    ratio(x.py.median / x.js.median),
    x.same ? "yes" : "**no**",
  ]);
  const g = r.groups;
  return [
    `Inputs: the ${r.tags.length} service tags revision \`${r.revision}\` uses (${r.tags.map((t) => `\`${t}\``).join(", ")}), their prefixes from the vendored file plus the revision's own ${r.ownPrefixes} prefixes, split by family; then the ${r.regionalForms} regional forms of those tags. Both sides start from the prefix strings and end with canonical strings: \`mergePrefixes\` from the built core (\`scripts/bench/merge-run.mjs\`) against \`[str(n) for n in ipaddress.collapse_addresses(ip_network(p, strict=False) for p in ...)]\` (\`scripts/bench/merge.py\`, Python ${r.python}). Median of ${r.reps} repetitions, in parentheses the first call (for node, before the JIT has warmed up).`,
    "",
    table(["input", "prefixes in", "prefixes out", "mergePrefixes ms", "collapse_addresses ms", "speed-up", "same result"], rows),
    "",
    `**Union, both families: mergePrefixes is ${ratio(g.union.ratio)}x faster** than collapse_addresses (first call: ${ratio(g.union.firstRatio)}x); target >= 3x: ${r.met ? "met" : "missed"}. Union of the regional forms: ${ratio(g["regional-union"].ratio)}x (first call ${ratio(g["regional-union"].firstRatio)}x); each regional form on its own: ${ratio(g["regional-each"].ratio)}x (first call ${ratio(g["regional-each"].firstRatio)}x). Identical output on every input: ${g.union.same && g["regional-union"].same && g["regional-each"].same ? "yes" : "NO"}.`,
  ].join("\n");
}

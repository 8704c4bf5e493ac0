/** The emitted bundle: goldens, the real opa (check --strict, fmt, test with coverage), determinism, escaping. */
import { resolveRules, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { bundleFixtures, emitOpaBundle, emitter, POLICY_MODULE, policyDocument, version } from "@cassandra-mi-netrules/emit-opa";
import { validateArmSchema } from "@cassandra-mi-netrules/testkit/arm";
import { opaCheckStrict, opaEval, opaFmtDiff, opaTest, opaVersion, removeTree, writeTree } from "@cassandra-mi-netrules/testkit/opa";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { bundleRego, regoFile } from "../scripts/bundle-rego.js";
import { scenarios } from "./helpers.js";

const GOLDEN = fileURLToPath(new URL("./__golden__/", import.meta.url));
const dirs: string[] = [];
const coverages: string[] = [];
afterAll(() => {
  dirs.forEach(removeTree);
  // One line for the report: opa test coverage of each scenario's bundle.
  console.log(`opa test coverage: ${coverages.join(", ")}`);
});

function tree(files: readonly { path: string; content: string }[]): string {
  const d = writeTree(files, "cmn-emit-opa-");
  dirs.push(d);
  return d;
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

/** The full bundle of the first scenario is kept as golden; the others without fixtures and tests. */
function goldenOptions(name: string): { includeTests: boolean } {
  return { includeTests: name === "eastus-subnet" };
}

describe("opa binary", () => {
  it("is the pinned version", () => {
    expect(opaVersion()).toBe("1.22.3");
  });
});

for (const sc of scenarios) {
  describe(`bundle: ${sc.name}`, () => {
    const result = emitOpaBundle(sc.resolved, { includeTests: true });
    const dir = tree(result.files);

    it("has one coverage entry per resolved rule", () => {
      expect(result.coverage.map((c) => c.ruleId).sort()).toEqual(sc.resolved.rules.map((r) => r.id).sort());
      for (const c of result.coverage) {
        expect(["enforced", "approximated", "unsupported"]).toContain(c.status);
        if (c.status !== "enforced") expect(c.why).not.toBe("");
      }
    });

    it("passes opa check --strict and opa fmt --diff", () => {
      const check = opaCheckStrict(dir);
      expect(check.stderr + check.stdout).toBe("");
      expect(check.status).toBe(0);
      const fmt = opaFmtDiff(dir);
      expect(fmt.stdout).toBe("");
      expect(fmt.status).toBe(0);
    });

    // Coverage once, on the first scenario: the policy is the same text in every bundle, and the unit tests and
    // the synthetic fixtures, not the scenario's own, are what cover it. The limit is a hang guard: two runs of
    // opa test over every fixture take over two minutes on a loaded two-core machine.
    const first = sc === scenarios[0];
    it(`passes its own opa test (directory mode${first ? "; bundle mode; the policy 100% covered" : ""})`, { timeout: 600_000 }, () => {
      const t = opaTest(dir, false, first);
      expect(t.tests.length).toBeGreaterThanOrEqual(30);
      expect(t.tests.filter((x) => !x.pass).map((x) => x.name)).toEqual([]);
      expect(t.run.status).toBe(0);
      if (!first) return;
      expect(t.fileCoverage["policy/cassandra_mi/network.rego"]).toBe(100);
      expect(t.coverage).toBe(100);
      coverages.push(`${sc.name} ${t.coverage.toFixed(1)}%`);
      // Bundle mode (-b: .manifest roots, only data.json files) once; the modules are the same text in every scenario.
      const b = opaTest(dir, true, false);
      expect(b.tests.map((x) => x.name).sort()).toEqual(t.tests.map((x) => x.name).sort());
      expect(b.tests.every((x) => x.pass)).toBe(true);
    });

    it("matches the golden files, which pass opa check, fmt and eval themselves", async () => {
      const golden = emitOpaBundle(sc.resolved, goldenOptions(sc.name));
      for (const f of golden.files) await expect(f.content).toMatchFileSnapshot(join(GOLDEN, sc.name, f.path));
      // The snapshots proved these bytes equal the golden files; the validators run on the same bytes.
      const gdir = tree(golden.files);
      expect(listFiles(gdir)).toEqual(golden.files.map((f) => f.path).sort());
      expect(opaCheckStrict(gdir).status).toBe(0);
      expect(opaFmtDiff(gdir).status).toBe(0);
      const rep = opaEval(gdir, "data.cassandra_mi.network.report", { resources: [] }) as { format: string; verdicts: Record<string, unknown> };
      expect(rep.format).toBe("arm");
      expect(Object.keys(rep.verdicts).sort()).toEqual(sc.resolved.rules.map((r) => r.id).sort());
      if (goldenOptions(sc.name).includeTests) expect(golden.files).toEqual(result.files);
    });

    it("is deterministic, and shuffling the rules changes no byte", () => {
      const again = emitOpaBundle(sc.resolved, { includeTests: true });
      expect(again).toEqual(result);
      const shuffled: ResolvedRules = { ...sc.resolved, rules: [...sc.resolved.rules].reverse() };
      expect(emitOpaBundle(shuffled, { includeTests: true }).files).toEqual(result.files);
      const rotated: ResolvedRules = { ...sc.resolved, rules: [...sc.resolved.rules.slice(3), ...sc.resolved.rules.slice(0, 3)] };
      expect(emitOpaBundle(rotated, { includeTests: true }).files).toEqual(result.files);
    });
  });
}

describe("emitter contract", () => {
  const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });

  it("exports a named emitter with the package version", () => {
    expect(emitter.name).toBe("opa");
    expect(emitter.description).not.toBe("");
    expect(emitter.emit(resolved)).toEqual(emitOpaBundle(resolved));
    expect(emitOpaBundle(resolved).files.map((f) => f.path)).toEqual([".manifest", "data.json", "policy/cassandra_mi/network.rego"]);
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8")) as { version: string };
    expect(version).toBe(pkg.version);
  });

  it("stamps the manifest, the data document and the policy metadata", () => {
    const files = Object.fromEntries(emitOpaBundle(resolved).files.map((f) => [f.path, f.content]));
    const manifest = JSON.parse(files[".manifest"]!) as { revision: string; roots: string[]; rego_version: number };
    expect(manifest.roots).toEqual(["cassandra_mi"]);
    expect(manifest.rego_version).toBe(1);
    expect(manifest.revision).toBe(`${resolved.revision.id}+${resolved.dataHash.slice(0, 12)}`);
    const data = JSON.parse(files["data.json"]!) as { cassandra_mi: { requirements: { stamp: { dataHash: string }; subnet: string } } };
    expect(data.cassandra_mi.requirements.stamp.dataHash).toBe(resolved.dataHash);
    expect(data.cassandra_mi.requirements.subnet).toBe("10.9.0.0/24");
    expect(files["policy/cassandra_mi/network.rego"]).toBe(POLICY_MODULE);
    expect(Object.values(files).join("\n")).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  it("ships the policy byte for byte as templates/rego holds it, and the bundled copy is not stale", () => {
    expect(POLICY_MODULE).toBe(readFileSync(fileURLToPath(new URL("../../../templates/rego/cassandra_mi/network.rego", import.meta.url)), "utf8"));
    expect(readFileSync(regoFile, "utf8")).toBe(bundleRego());
  });

  it("the repository's .rego files pass opa fmt and opa check --strict", () => {
    const dir = fileURLToPath(new URL("../../../templates/rego", import.meta.url));
    const fmt = opaFmtDiff(dir);
    expect(fmt.stdout).toBe("");
    expect(fmt.status).toBe(0);
    const check = opaCheckStrict(dir);
    expect(check.stderr + check.stdout).toBe("");
  });

  it("reports what it cannot audit without regions", () => {
    const none = emitOpaBundle(resolveRules({ regions: [] })).coverage;
    expect(none.find((c) => c.ruleId === "dsms-regional")?.status).toBe("unsupported");
    expect(none.find((c) => c.ruleId === "key-vault")?.status).toBe("approximated");
    expect(none.find((c) => c.ruleId === "gossip")?.status).toBe("enforced");
  });
});

describe("ARM fixtures", () => {
  it("pass the official ARM schemas (ajv, draft-04)", () => {
    let validated = 0;
    for (const sc of scenarios) {
      for (const f of bundleFixtures(policyDocument(sc.resolved))) {
        if (f.expect.format !== "arm") continue;
        expect(validateArmSchema(f.input), `${sc.name}/${f.name}`).toEqual([]);
        validated++;
      }
    }
    expect(validated).toBeGreaterThanOrEqual(40);
  });
});

describe("fixtures that ship as a patch of another", () => {
  const resolved = resolveRules({ regions: ["eastus", "westeurope"], subnet: "10.9.0.0/24" });
  const files = emitOpaBundle(resolved, { includeTests: true }).files;

  it("json.patch in opa gives the inputs bundleFixtures returns", () => {
    const dir = tree(files);
    const query = "{name: json.patch(data.cassandra_mi.fixtures[f.base].input, f.patch) | some name, f in data.cassandra_mi.fixtures; f.base}";
    const patched = opaEval(dir, query, {}) as Record<string, unknown>;
    const fixtures = bundleFixtures(policyDocument(resolved)).filter((f) => f.base !== undefined);
    expect(fixtures.map((f) => f.name).sort()).toContain("synthetic-arm-deny-storage-westeurope");
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
    expect(Object.keys(patched).sort()).toEqual(fixtures.map((f) => f.name).sort());
    for (const f of fixtures) expect(patched[f.name], f.name).toEqual(f.input);
    // The patch is what ships: a fraction of the input it stands for.
    for (const f of fixtures) {
      const shipped = files.find((x) => x.path === `cassandra_mi/fixtures/${f.name}/data.json`)!.content;
      expect(shipped.length, f.name).toBeLessThan(JSON.stringify(f.input, null, 2).length);
    }
  });

  it("a wrong expectation fails its opa test", () => {
    const wrong = files.map((f) => {
      if (f.path !== "cassandra_mi/fixtures/arm-shadowed/data.json") return f;
      const body = JSON.parse(f.content) as { expect: { status: Record<string, string> } };
      body.expect.status["gossip"] = "open";
      return { path: f.path, content: JSON.stringify(body) };
    });
    const t = opaTest(tree(wrong), false, false);
    expect(t.tests.filter((x) => !x.pass).map((x) => x.name)).toEqual(["test_fixture_arm_shadowed"]);
  });
});

describe("hostile strings", () => {
  const base = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
  const evil = `x"\n}\ndeny contains "pwned" if true\n# \u2028 \`\${1}\` \\ [[`;
  const rule0 = base.rules[0]!;
  const hostile: ResolvedRules = {
    ...base,
    revision: { ...base.revision, id: `2021-11-02${evil}` },
    rules: [
      { ...rule0, id: `id-${evil}`, fqdns: [{ fqdn: `a.${evil}.example`, pattern: "p", wildcard: false }], serviceTags: [] },
      ...base.rules.slice(1),
    ],
  };

  it("stay data: the bundle still checks, formats and tests clean, and the policy is the static text", { timeout: 600_000 }, () => {
    const files = emitOpaBundle(hostile, { includeTests: true }).files;
    const dir = tree(files);
    expect(opaCheckStrict(dir).status).toBe(0);
    expect(opaFmtDiff(dir).status).toBe(0);
    const t = opaTest(dir);
    expect(t.tests.filter((x) => !x.pass)).toEqual([]);
    expect(t.fileCoverage["policy/cassandra_mi/network.rego"]).toBe(100);
    const policy = files.find((f) => f.path === "policy/cassandra_mi/network.rego")!.content;
    expect(policy).toBe(POLICY_MODULE);
    const data = JSON.parse(files.find((f) => f.path === "data.json")!.content) as { cassandra_mi: { requirements: { requirements: Record<string, unknown> } } };
    expect(Object.keys(data.cassandra_mi.requirements.requirements)).toContain(`id-${evil}`);
    const emptyGroup = { resources: [{ type: "Microsoft.Network/firewallPolicies/ruleCollectionGroups", name: "p/g", properties: { priority: 100, ruleCollections: [] } }] };
    const rep = opaEval(dir, "data.cassandra_mi.network.deny", emptyGroup) as string[];
    expect(rep.some((m) => m.startsWith(`id-${evil}: `))).toBe(true);
    expect(rep).not.toContain("pwned");
  });
});

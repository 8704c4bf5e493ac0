/**
 * The Rego policy (run by the real opa) and its TypeScript twin (`cli audit`) must give the same
 * verdict, detail and deny set on every fixture: the bundle's own, the hand-written az and Terraform
 * ones, the Azure emitters' templates and every mutation of them.
 */
import { auditConfiguration, auditWithDocument } from "../../cli/src/audit/index.js";
import { emitFirewallPolicyTemplate } from "@cassandra-mi-netrules/emit-azure-firewall";
import { emitNsgTemplate } from "@cassandra-mi-netrules/emit-nsg";
import { bundleFixtures, emitOpaBundle, requirementsDocument, SYNTHETIC_DOCUMENT } from "@cassandra-mi-netrules/emit-opa";
import { opaReports, removeTree, writeTree } from "@cassandra-mi-netrules/testkit/opa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromOpa, fromTs, handFixture, mutateFirewall, mutateNsg, scenarios, type Comparable, type MutatedInput } from "./helpers.js";

const HAND = ["tfplan-hand.json", "az-nsg-show.json", "az-rcg-show.json"];

let totalCompared = 0;
let totalInputs = 0;
let totalMutations = 0;
let singleDeny = 0;

for (const sc of scenarios) {
  describe(`differential: ${sc.name}`, () => {
    const doc = requirementsDocument(sc.resolved);
    const inputs: Record<string, unknown> = {};
    for (const f of bundleFixtures(doc)) if (!f.doc) inputs[`bundle/${f.name}`] = f.input;
    if (sc.name === "eastus-subnet" || sc.name === "two-regions") for (const h of HAND) inputs[`hand/${h}`] = handFixture(h);
    const nsg = JSON.parse(emitNsgTemplate(sc.resolved, { priorityStart: 200 }).files[0]!.content) as unknown;
    const fw = JSON.parse(emitFirewallPolicyTemplate(sc.resolved).files[0]!.content) as unknown;
    inputs["emitted/nsg"] = nsg;
    inputs["emitted/firewall"] = fw;
    const mutations: MutatedInput[] = sc.name === "eastus-subnet" || sc.name === "ipv6-2021-08-14" ? [...mutateNsg(nsg, sc.resolved), ...mutateFirewall(fw, sc.resolved)] : [];
    for (const m of mutations) inputs[`mutation/${m.name}`] = m.input;

    let dir = "";
    let opa: Record<string, Comparable> = {};
    beforeAll(() => {
      dir = writeTree(emitOpaBundle(sc.resolved, { includeTests: false }).files, "cmn-emit-opa-diff-");
      const raw = opaReports(dir, inputs);
      opa = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, fromOpa(v)]));
    });
    afterAll(() => removeTree(dir));

    it("opa answered for every input", () => {
      expect(Object.keys(opa).sort()).toEqual(Object.keys(inputs).sort());
    });

    it.each(Object.keys(inputs))("%s: same verdicts, details and deny set", (name) => {
      const ts = fromTs(auditConfiguration(inputs[name], { resolved: sc.resolved }));
      expect(ts).toEqual(opa[name]);
      totalInputs++;
      expect(ts.results.length).toBe(sc.resolved.rules.length);
      totalCompared += ts.results.length;
    });

    it("the Azure emitters' templates give an empty deny", () => {
      expect(opa["emitted/nsg"]!.deny).toEqual([]);
      expect(opa["emitted/firewall"]!.deny).toEqual([]);
    });

    if (mutations.length > 0) {
      it.each(mutations.map((m) => [m.name, m] as const))("%s: one deny names the requirement; the deny set is exactly what the mutation leaves uncovered", (_name, m) => {
        const denied = opa[`mutation/${m.name}`]!.deny.map((d) => d.slice(0, d.indexOf(":")));
        totalMutations++;
        if (denied.length === 1) singleDeny++;
        expect(m.expectedDeny).toContain(m.ruleId);
        expect(denied.filter((id) => id === m.ruleId)).toHaveLength(1);
        expect([...denied].sort()).toEqual(m.expectedDeny);
      });

      it("a mutation yields exactly one deny unless another requirement has no alternative left without the mutated rules", () => {
        const single = mutations.filter((m) => m.expectedDeny.length === 1);
        const shared = [...new Set(mutations.filter((m) => m.expectedDeny.length > 1).map((m) => `${m.name.split("/")[0]}: ${m.expectedDeny.join(" + ")}`))];
        console.log(`${sc.name}: ${single.length}/${mutations.length} mutations with exactly one deny; the others deny requirements that need the same rule: ${shared.join("; ")}`);
        for (const m of single) expect(opa[`mutation/${m.name}`]!.deny, m.name).toHaveLength(1);
        // Each requirement with a rule or a port of its own gives one deny; one whose need another shares in full cannot.
        expect(single.length).toBeGreaterThan(mutations.length / 3);
      });
    }
  });
}

describe("differential: the synthetic document of the shipped tests", () => {
  const resolved = scenarios[0]!.resolved;
  const fixtures = bundleFixtures(requirementsDocument(resolved)).filter((f) => f.doc);
  let dir = "";
  let opa: Record<string, Comparable> = {};
  beforeAll(() => {
    const files = emitOpaBundle(resolved, { includeTests: false }).files.map((f) =>
      f.path === "data.json" ? { path: f.path, content: JSON.stringify({ cassandra_mi: { requirements: SYNTHETIC_DOCUMENT } }) } : f,
    );
    dir = writeTree(files, "cmn-emit-opa-diff-");
    const raw = opaReports(dir, Object.fromEntries(fixtures.map((f) => [f.name, f.input])));
    opa = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, fromOpa(v)]));
  });
  afterAll(() => removeTree(dir));

  it.each(fixtures.map((f) => [f.name, f] as const))("%s: same verdicts, details and deny set", (name, f) => {
    const ts = fromTs(auditWithDocument(f.input, SYNTHETIC_DOCUMENT));
    expect(ts).toEqual(opa[name]);
    totalInputs++;
    expect(ts.deny.map((d) => d.slice(0, d.indexOf(":"))).sort()).toEqual([...f.expect.deny]);
    totalCompared += ts.results.length;
  });
});

describe("differential totals", () => {
  it("compared verdicts", () => {
    // Runs last in this file: every input above was compared requirement by requirement.
    expect(totalCompared).toBeGreaterThan(1000);
    console.log(`differential: ${totalInputs} inputs, ${totalCompared} verdicts compared; ${totalMutations} mutations, ${singleDeny} with exactly one deny`);
  });
});

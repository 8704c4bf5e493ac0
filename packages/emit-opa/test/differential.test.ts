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
      it.each(mutations.map((m) => [m.name, m] as const))("%s yields one deny naming the requirement, and none outside the rules it shared", (_name, m) => {
        const denied = opa[`mutation/${m.name}`]!.deny.map((d) => d.slice(0, d.indexOf(":")));
        totalMutations++;
        if (denied.length === 1) singleDeny++;
        expect(denied.filter((id) => id === m.ruleId)).toHaveLength(1);
        for (const id of denied) expect(m.sharing).toContain(id);
      });

      it("mutations of rules that serve one requirement yield exactly one deny", () => {
        const single = mutations.filter((m) => m.sharing.length === 1);
        expect(single.length).toBeGreaterThan(20);
        for (const m of single) expect(opa[`mutation/${m.name}`]!.deny, m.name).toHaveLength(1);
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

/**
 * The Rego policy (run by the real opa) against the evaluator (`audit` of @cassandra-mi-netrules/azure),
 * which replaced the policy's TypeScript twin. The two do not share semantics yet: the Rego is the old
 * audit (rules matched by name, Azure's default rules ignored, FQDNs only through application rules), and a
 * later step aligns it with the evaluator (issue 14, item 4). Until then this test holds them to the same
 * answer wherever the Rego's semantics are defined the same way, and every verdict where they differ must
 * be explained by one of the differences listed in `DIFFERENCES` (what the alignment must fix); an
 * unexplained difference fails. Inputs: the bundle's fixtures (ARM, az and Terraform plan), the hand-written
 * az and Terraform ones, the Azure emitters' templates and every mutation of them.
 */
import { audit, type AuditReport, type RequirementVerdict, type SubjectReport } from "@cassandra-mi-netrules/azure";
import { emitFirewallPolicyTemplate } from "@cassandra-mi-netrules/emit-azure-firewall";
import { emitNsgTemplate } from "@cassandra-mi-netrules/emit-nsg";
import { bundleFixtures, emitOpaBundle, requirementsDocument } from "@cassandra-mi-netrules/emit-opa";
import { opaReports, removeTree, writeTree } from "@cassandra-mi-netrules/testkit/opa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromOpa, handFixture, mutateFirewall, mutateNsg, scenarios, type Comparable, type Verdict } from "./helpers.js";

const HAND = ["tfplan-hand.json", "az-nsg-show.json", "az-rcg-show.json"];

/**
 * The Terraform plans the bundle and the hand fixtures write have an empty `resource_changes` beside full
 * `planned_values`; the azure reader reads `resource_changes` when it is there, so it sees no resource in
 * them: they are left out here (what a real `terraform show -json` prints has both).
 */
function readable(input: unknown): boolean {
  const plan = input as { resource_changes?: unknown[]; planned_values?: unknown };
  return !(Array.isArray(plan.resource_changes) && plan.resource_changes.length === 0 && plan.planned_values !== undefined);
}

/** The Rego's vocabulary for each verdict of the evaluator (unknown has none). */
const OLD_STATUS: Readonly<Record<string, string>> = { open: "covered", "partly-open": "partly-covered", blocked: "missing" };

interface Difference {
  readonly id: string;
  /** What the Rego alignment must change. */
  readonly fix: string;
  readonly applies: (ev: RequirementVerdict, opa: Verdict, subject: SubjectReport) => boolean;
}

const steps = (ev: RequirementVerdict) => ev.alternatives.flatMap((a) => a.flows.flatMap((f) => [...f.path, ...f.blocked.map((b) => b.by)]));

/** Every known difference, with the test that a verdict differs for that reason. */
const DIFFERENCES: readonly Difference[] = [
  {
    id: "layers-in-series",
    fix: "an NSG and a firewall on one path must both let a flow through: the Rego counts a requirement covered when either layer allows it",
    applies: (_ev, _opa, subject) => subject.layers.nsg !== undefined && subject.layers.firewall !== undefined,
  },
  {
    id: "unknown",
    fix: "the Rego has no `unknown`: a value the input does not give (an FQDN's address) must not be read as covered or missing",
    applies: (ev) => ev.status === "unknown",
  },
  {
    id: "default-rules",
    fix: "Azure's default rules (AllowVnetInBound/OutBound, AllowInternetOutBound, DenyAll*) are always there after the custom rules: the Rego ignores them",
    applies: (ev) => steps(ev).some((s) => s.detail === "Azure default rule"),
  },
  {
    id: "fqdn-by-address",
    fix: "where an NSG or a network rule decides by address, an FQDN is any address of the tag the data pairs it with: the Rego audits FQDNs only through application rules (not audited with an NSG)",
    applies: (ev, opa) => {
      const fqdn = ev.alternatives.find((a) => a.kind === "fqdn" && a.verdict !== "not-auditable");
      const byAddress = fqdn?.flows.some((f) => [...f.path, ...f.blocked.map((b) => b.by)].some((x) => x.layer === "nsg" || x.detail === "network rule"));
      return fqdn !== undefined && (!opa.audited || byAddress === true);
    },
  },
];

function compare(ev: AuditReport, opa: Comparable): { agree: number; differ: Array<{ ruleId: string; ev: string; opa: string; reasons: string[] }> } {
  let agree = 0;
  const differ: Array<{ ruleId: string; ev: string; opa: string; reasons: string[] }> = [];
  const byId = new Map(opa.results.map((r) => [r.ruleId, r]));
  const subject = ev.subjects[0] as SubjectReport;
  for (const r of subject.requirements) {
    const o = byId.get(r.ruleId);
    if (!o) throw new Error(`opa has no verdict for ${r.ruleId}`);
    const same = r.status === "not-auditable" ? !o.audited : o.audited && OLD_STATUS[r.status] === o.status;
    if (same) {
      agree++;
      continue;
    }
    differ.push({ ruleId: r.ruleId, ev: r.status, opa: o.audited ? o.status : "not audited", reasons: DIFFERENCES.filter((d) => d.applies(r, o, subject)).map((d) => d.id) });
  }
  return { agree, differ };
}

const tally = { inputs: 0, agree: 0, differ: 0, byReason: {} as Record<string, number> };

for (const sc of scenarios) {
  describe(`differential: ${sc.name}`, () => {
    const doc = requirementsDocument(sc.resolved);
    const inputs: Record<string, unknown> = {};
    for (const f of bundleFixtures(doc)) if (!f.doc && f.input !== undefined && readable(f.input)) inputs[`bundle/${f.name}`] = f.input;
    if (sc.name === "eastus-subnet" || sc.name === "two-regions") for (const h of HAND) if (readable(handFixture(h))) inputs[`hand/${h}`] = handFixture(h);
    const nsg = JSON.parse(emitNsgTemplate(sc.resolved, { priorityStart: 200 }).files[0]!.content) as unknown;
    const fw = JSON.parse(emitFirewallPolicyTemplate(sc.resolved).files[0]!.content) as unknown;
    inputs["emitted/nsg"] = nsg;
    inputs["emitted/firewall"] = fw;
    if (sc.name === "eastus-subnet" || sc.name === "ipv6-2021-08-14") for (const m of [...mutateNsg(nsg, sc.resolved), ...mutateFirewall(fw, sc.resolved)]) inputs[`mutation/${m.name}`] = m.input;

    let dir = "";
    let opa: Record<string, Comparable> = {};
    beforeAll(() => {
      dir = writeTree(emitOpaBundle(sc.resolved, { includeTests: false }).files, "cmn-emit-opa-diff-");
      opa = Object.fromEntries(Object.entries(opaReports(dir, inputs)).map(([k, v]) => [k, fromOpa(v)]));
    });
    afterAll(() => removeTree(dir));

    it("opa answered for every input", () => {
      expect(Object.keys(opa).sort()).toEqual(Object.keys(inputs).sort());
    });

    it.each(Object.keys(inputs))("%s: the same verdict, or a difference the Rego alignment must fix", (name) => {
      const report = audit({ name, text: JSON.stringify(inputs[name]) }, { resolved: sc.resolved });
      expect(report.subjects.length, `${name}: one subject`).toBe(1);
      const { agree, differ } = compare(report, opa[name]!);
      const unexplained = differ.filter((d) => d.reasons.length === 0);
      expect(unexplained, `${name}: differences no listed reason explains`).toEqual([]);
      tally.inputs++;
      tally.agree += agree;
      tally.differ += differ.length;
      for (const d of differ) tally.byReason[d.reasons[0] as string] = (tally.byReason[d.reasons[0] as string] ?? 0) + 1;
    });
  });
}

describe("differential totals", () => {
  it("most verdicts agree; each kind of difference is counted", () => {
    // Runs last in this file: every input above was compared requirement by requirement.
    console.log(`differential (Rego vs evaluator): ${tally.inputs} inputs, ${tally.agree} verdicts agree, ${tally.differ} differ: ${JSON.stringify(tally.byReason)}`);
    for (const d of DIFFERENCES) console.log(`  ${d.id}: ${d.fix}`);
    expect(tally.inputs).toBeGreaterThan(100);
    // Each listed difference still occurs: when the alignment removes one, its entry goes too.
    expect(Object.keys(tally.byReason).sort()).toEqual(DIFFERENCES.map((d) => d.id).sort());
    expect(tally.agree).toBeGreaterThan(tally.differ);
  });
});

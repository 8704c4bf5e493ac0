/**
 * The Rego policy (run by the real opa) against the evaluator (`audit` of @cassandra-mi-netrules/azure):
 * one truth (issue 14, item 4). For every input, each requirement's status must be the same in both
 * (`open`, `partly-open`, `blocked`, `unknown`, `not-auditable`). Inputs: the bundle's fixtures (ARM, az
 * and Terraform plan), the hand-written az and Terraform ones, the Azure emitters' templates and every
 * removed / narrowed / shadowed mutation of them.
 */
import { audit, type AuditReport, type SubjectReport } from "@cassandra-mi-netrules/azure";
import { emitFirewallPolicyTemplate } from "@cassandra-mi-netrules/emit-azure-firewall";
import { emitNsgTemplate } from "@cassandra-mi-netrules/emit-nsg";
import { bundleFixtures, emitOpaBundle, policyDocument } from "@cassandra-mi-netrules/emit-opa";
import { opaReports, removeTree, writeTree } from "@cassandra-mi-netrules/testkit/opa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handFixture, mutateFirewall, mutateNsg, scenarios, type OpaReport } from "./helpers.js";

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

export interface Difference {
  readonly input: string;
  readonly ruleId: string;
  readonly evaluator: string;
  readonly opa: string;
  readonly evaluatorDetail: string;
  readonly opaDetail: string;
}

/** Every requirement whose status differs between the evaluator and the policy (across subjects, the worst). */
export function differences(input: string, ev: AuditReport, opa: OpaReport): { agree: number; differ: Difference[] } {
  let agree = 0;
  const differ: Difference[] = [];
  const subject = ev.subjects[0] as SubjectReport;
  for (const r of subject.requirements) {
    const o = opa.verdicts[r.ruleId];
    if (!o) throw new Error(`${input}: opa has no verdict for ${r.ruleId}`);
    if (o.status === r.status) agree++;
    else differ.push({ input, ruleId: r.ruleId, evaluator: r.status, opa: o.status, evaluatorDetail: r.detail, opaDetail: o.detail });
  }
  return { agree, differ };
}

const tally = { inputs: 0, agree: 0, differ: [] as Difference[] };

for (const sc of scenarios) {
  describe(`differential: ${sc.name}`, () => {
    const inputs: Record<string, unknown> = {};
    for (const f of bundleFixtures(policyDocument(sc.resolved))) if (!f.doc && f.input !== undefined && readable(f.input)) inputs[`bundle/${f.name}`] = f.input;
    if (sc.name === "eastus-subnet" || sc.name === "two-regions") for (const h of HAND) if (readable(handFixture(h))) inputs[`hand/${h}`] = handFixture(h);
    const nsg = JSON.parse(emitNsgTemplate(sc.resolved, { priorityStart: 200 }).files[0]!.content) as unknown;
    const fw = JSON.parse(emitFirewallPolicyTemplate(sc.resolved).files[0]!.content) as unknown;
    inputs["emitted/nsg"] = nsg;
    inputs["emitted/firewall"] = fw;
    if (sc.name === "eastus-subnet" || sc.name === "ipv6-2021-08-14") for (const m of [...mutateNsg(nsg, sc.resolved), ...mutateFirewall(fw, sc.resolved)]) inputs[`mutation/${m.name}`] = m.input;

    let dir = "";
    let opa: Record<string, OpaReport> = {};
    beforeAll(() => {
      dir = writeTree(emitOpaBundle(sc.resolved, { includeTests: false }).files, "cmn-emit-opa-diff-");
      opa = opaReports(dir, inputs) as Record<string, OpaReport>;
    });
    afterAll(() => removeTree(dir));

    it("opa answered for every input", () => {
      expect(Object.keys(opa).sort()).toEqual(Object.keys(inputs).sort());
    });

    it.each(Object.keys(inputs))("%s: the same status for every requirement", (name) => {
      const report = audit({ name, text: JSON.stringify(inputs[name]) }, { resolved: sc.resolved });
      expect(report.subjects.length, `${name}: one subject`).toBe(1);
      const { agree, differ } = differences(`${sc.name}/${name}`, report, opa[name]!);
      tally.inputs++;
      tally.agree += agree;
      tally.differ.push(...differ);
      expect(differ, `${name}: statuses that differ`).toEqual([]);
    });
  });
}

describe("differential totals", () => {
  it("every verdict agrees", () => {
    // Runs last in this file: every input above was compared requirement by requirement.
    const byPair: Record<string, number> = {};
    for (const d of tally.differ) byPair[`${d.evaluator} -> ${d.opa}`] = (byPair[`${d.evaluator} -> ${d.opa}`] ?? 0) + 1;
    console.log(`differential (Rego vs evaluator): ${tally.inputs} inputs, ${tally.agree} verdicts agree, ${tally.differ.length} differ ${JSON.stringify(byPair)}`);
    expect(tally.inputs).toBeGreaterThan(100);
    expect(tally.differ.length).toBe(0);
  });
});

/**
 * Issue 21, failure 1: `opa.property.test.ts` case 4080 (FC_NUM_RUNS=10000, the fixed seed). The Azure
 * Firewall template's coverage said `enforced` and the OPA policy, given that very template, said
 * `partly-covered`. The requirement was HTTPS on the ports 1-22 and 12523 to wildcard host names: the
 * emitter writes one application rule with one `Https` protocol entry per port (1, 2, ..., 22, 12523),
 * which Azure Firewall allows on each of those ports, while the policy only matched a port check against
 * a single protocol entry (`port == from` and `from == to`), so the check `https/1-22` found nothing.
 * The template was right; the policy (and its TypeScript twin, then `cli audit`) were wrong. The policy now
 * decides port by port, as the evaluator (`audit` of @cassandra-mi-netrules/azure) does: both are held to
 * the same facts here, in their shared vocabulary (open, partly-open, blocked, unknown, not-auditable).
 */
import { resolveRules, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitFirewallPolicyTemplate } from "@cassandra-mi-netrules/emit-azure-firewall";
import { emitOpaBundle } from "@cassandra-mi-netrules/emit-opa";
import { opaReports, removeTree, writeTree } from "@cassandra-mi-netrules/testkit/opa";
import { afterAll, describe, expect, it } from "vitest";
import { audit } from "@cassandra-mi-netrules/azure";

const base = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
const backup = base.rules.find((r) => r.id === "storage-backup") as ResolvedRule;

/** Case 4080 shrunk by hand: one HTTPS requirement to a wildcard host name on a port range plus one port. */
const shrunk: ResolvedRules = {
  ...base,
  rules: [{ ...backup, ports: [{ from: 1, to: 22 }, { from: 12523, to: 12523 }] }],
};
/** The smallest form of the same fault: a range of two ports. */
const twoPorts: ResolvedRules = { ...base, rules: [{ ...backup, ports: [{ from: 443, to: 444 }] }] };

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) removeTree(d);
});

describe("regression: firewall coverage vs the OPA policy (issue 21, case 4080)", () => {
  it.each([
    ["ports 1-22 and 12523 (case 4080)", shrunk],
    ["ports 443-444", twoPorts],
  ])("an application rule with one Https entry per port of %s: enforced, and open for opa and for the evaluator", (_name, resolved) => {
    const out = emitFirewallPolicyTemplate(resolved);
    const template = JSON.parse(out.files[0]?.content ?? "{}") as unknown;
    const claim = out.coverage.find((c) => c.ruleId === "storage-backup");
    expect(claim?.status).toBe("enforced");
    expect(claim?.how).toMatch(/^application rule cassandra-mi-application\/storage-backup: Https /);

    const dir = writeTree(emitOpaBundle(resolved, { includeTests: false }).files, "cmn-regression-fw-opa-");
    dirs.push(dir);
    const reports = opaReports(dir, { fw: template }) as Record<string, { verdicts: Record<string, { status: string; detail: string }> }>;
    const opa = reports.fw?.verdicts["storage-backup"];
    expect(opa?.status, opa?.detail).toBe("open");

    const ev = audit({ name: "fw.json", text: JSON.stringify(template) }, { resolved }).subjects[0]?.requirements.find((r) => r.ruleId === "storage-backup");
    expect(ev?.status, ev?.detail).toBe("open");
  });

  it("an entry missing for one port of the range leaves that port blocked (the fix does not accept a mere overlap)", () => {
    const out = emitFirewallPolicyTemplate(twoPorts);
    const template = JSON.parse(out.files[0]?.content ?? "{}") as { resources: Array<{ properties: { ruleCollections?: Array<{ rules: Array<{ protocols?: Array<{ port: number }> }> }> } }> };
    const rule = template.resources.flatMap((r) => r.properties.ruleCollections ?? []).flatMap((c) => c.rules)[0];
    rule?.protocols?.splice(1, 1);
    expect(rule?.protocols?.map((p) => p.port)).toEqual([443]);
    const dir = writeTree(emitOpaBundle(twoPorts, { includeTests: false }).files, "cmn-regression-fw-opa-");
    dirs.push(dir);
    const reports = opaReports(dir, { fw: template }) as Record<string, { verdicts: Record<string, { status: string; detail: string }> }>;
    // Both decide port by port: 443 open, 444 blocked by the firewall's default deny.
    expect(reports.fw?.verdicts["storage-backup"]?.status).toBe("partly-open");
    expect(reports.fw?.verdicts["storage-backup"]?.detail).toMatch(/blocked by firewall \(no rule matches: denied\)/);
    const ev = audit({ name: "fw.json", text: JSON.stringify(template) }, { resolved: twoPorts }).subjects[0]?.requirements.find((r) => r.ruleId === "storage-backup");
    expect(ev?.status).toBe("partly-open");
    expect(ev?.detail).toMatch(/^partly open: FQDN \*\.blob\.core\.windows\.net: blocked by firewall fwp-cassandra-mi: no rule matches \(denied\), e\.g\. example\.blob\.core\.windows\.net port 444$/);
  });
});

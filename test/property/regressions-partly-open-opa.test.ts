/**
 * Issue 21, deep run failure: `opa.property.test.ts` case 8300 (FC_NUM_RUNS=10000, the fixed seed). A host name with
 * no paired tag (any public IPv6 address from a private IPv6 subnet) on ports 134, 443 and 58927; the NSG allowed `::/0`
 * on 443, `ApiManagement` on 19193-65535 and denied `Internet` at 4096. Port 443 is surely open, port 134 surely blocked,
 * and port 58927 unknown (the tag holds some public addresses, not all). The evaluator said partly-open (a part surely
 * open and a part surely blocked, whatever the unknown parts); the policy said unknown because it looked for an
 * unknown part first. The policy now orders its verdict as the evaluator does, for a flow and for an alternative.
 * Shrinking it showed one more difference: a tag that none of the requirements name (`ApiManagement` here) held no
 * address at all for the policy, while it may hold the host name's unknown public address or part of a literal public
 * prefix; a Deny of such a tag above an Allow then read as open. It may match now, as in the evaluator.
 */
import { resolveRules, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitOpaBundle } from "@cassandra-mi-netrules/emit-opa";
import { opaReports, removeTree, writeTree } from "@cassandra-mi-netrules/testkit/opa";
import { afterAll, describe, expect, it } from "vitest";
import { audit } from "@cassandra-mi-netrules/azure";

const base = resolveRules({ regions: ["westus"], subnet: "fd00:9::/64" });
const named = base.rules.find((r) => r.kind === "outbound" && r.fqdns.length > 0) as ResolvedRule;
const resolved: ResolvedRules = {
  ...base,
  rules: [{ ...named, serviceTags: [], prefixes: { ipv4: ["128.0.0.0/1"], ipv6: [] }, ports: [{ from: 134, to: 134 }, { from: 443, to: 443 }, { from: 58927, to: 58927 }] }],
};

function rule(name: string, priority: number, access: string, destination: string, ports: string[]): unknown {
  return {
    name,
    properties: { priority, direction: "Outbound", access, protocol: access === "Deny" ? "*" : "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: destination, destinationPortRanges: ports },
  };
}

function nsg(rules: unknown[]): unknown {
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    resources: [{ type: "Microsoft.Network/networkSecurityGroups", apiVersion: "2024-05-01", name: "nsg-case-8300", location: "westus", properties: { securityRules: rules } }],
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) removeTree(d);
});

function verdicts(template: unknown, rules: ResolvedRules = resolved): { opa: string | undefined; evaluator: string | undefined; detail: string } {
  const id = rules.rules[0]?.id ?? "";
  const dir = writeTree(emitOpaBundle(rules, { includeTests: false }).files, "cmn-regression-partly-open-");
  dirs.push(dir);
  const reports = opaReports(dir, { nsg: template }) as Record<string, { verdicts: Record<string, { status: string; detail: string }> }>;
  const opa = reports.nsg?.verdicts[id];
  const ev = audit({ name: "nsg.json", text: JSON.stringify(template) }, { resolved: rules }).subjects[0]?.requirements.find((r) => r.ruleId === id);
  return { opa: opa?.status, evaluator: ev?.status, detail: `opa: ${opa?.detail}; evaluator: ${ev?.detail}` };
}

const allow443 = rule("allow-any-v6-443", 135, "Allow", "::/0", ["443"]);
const allowTag = rule("allow-apimanagement", 120, "Allow", "ApiManagement", ["19193-65535"]);
const denyInternet = rule("deny-internet", 4096, "Deny", "Internet", ["*"]);

describe("regression: a part open, a part blocked and a part unknown (issue 21, case 8300)", () => {
  it("443 open, 134 blocked, 58927 unknown: partly-open for opa and for the evaluator", () => {
    const v = verdicts(nsg([allowTag, allow443, denyInternet]));
    expect(v.opa, v.detail).toBe("partly-open");
    expect(v.evaluator, v.detail).toBe("partly-open");
  });

  it("without the 443 allow nothing is surely open: unknown for both (the order does not hide an unknown part)", () => {
    const v = verdicts(nsg([allowTag, denyInternet]));
    expect(v.opa, v.detail).toBe("unknown");
    expect(v.evaluator, v.detail).toBe("unknown");
  });

  it("a Deny of a tag no requirement names, above the Allow of a literal public prefix: not open (unknown) for both", () => {
    const v4 = resolveRules({ regions: ["westus"], subnet: "10.9.0.0/24" });
    const rules: ResolvedRules = { ...v4, rules: [{ ...named, fqdns: [], serviceTags: [], prefixes: { ipv4: ["40.64.0.0/10"], ipv6: [] }, ports: [{ from: 443, to: 443 }] }] };
    const v = verdicts(nsg([rule("deny-sql", 100, "Deny", "Sql", ["*"]), rule("allow-prefix", 200, "Allow", "40.64.0.0/10", ["443"])]), rules);
    expect(v.opa, v.detail).toBe("unknown");
    expect(v.evaluator, v.detail).toBe("unknown");
  });
});

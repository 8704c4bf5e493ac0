/**
 * Issue 21, deep run failure: `opa.property.test.ts` case 5350 (FC_NUM_RUNS=10000, the fixed seed). The cluster
 * subnet was public IPv6 space (2357:c079:124e:5952::/64; Azure lets a virtual network use public ranges), the
 * requirement an HTTPS host name paired with no service tag (IPv4 prefixes beside it), the NSG the emitter's with
 * `denyInternetOutbound`. The policy said blocked (by the Internet deny at 4096); the evaluator said unknown: the host
 * name's address is any public address, and those of the subnet are VirtualNetwork, not Internet, so AllowVnetOutBound
 * (65000) may let it through. The evaluator was right; the policy now takes a public subnet out of Internet and into
 * VirtualNetwork as the evaluator does.
 */
import { resolveRules, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitNsgTemplate } from "@cassandra-mi-netrules/emit-nsg";
import { emitOpaBundle } from "@cassandra-mi-netrules/emit-opa";
import { opaReports, removeTree, writeTree } from "@cassandra-mi-netrules/testkit/opa";
import { afterAll, describe, expect, it } from "vitest";
import { audit } from "@cassandra-mi-netrules/azure";

function hostNameOnly(subnet: string): ResolvedRules {
  const base = resolveRules({ regions: ["uksouth"], subnet });
  const named = base.rules.find((r) => r.kind === "outbound" && r.fqdns.length > 0) as ResolvedRule;
  return { ...base, rules: [{ ...named, serviceTags: [], prefixes: { ipv4: ["40.64.0.0/10"], ipv6: [] } }] };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) removeTree(d);
});

function verdicts(resolved: ResolvedRules): { opa: string | undefined; evaluator: string | undefined; detail: string } {
  const id = resolved.rules[0]?.id ?? "";
  const template = JSON.parse(emitNsgTemplate(resolved, { denyInternetOutbound: true }).files[0]?.content ?? "{}") as unknown;
  const dir = writeTree(emitOpaBundle(resolved, { includeTests: false }).files, "cmn-regression-public-subnet-");
  dirs.push(dir);
  const reports = opaReports(dir, { nsg: template }) as Record<string, { verdicts: Record<string, { status: string; detail: string }> }>;
  const opa = reports.nsg?.verdicts[id];
  const ev = audit({ name: "nsg.json", text: JSON.stringify(template) }, { resolved }).subjects[0]?.requirements.find((r) => r.ruleId === id);
  return { opa: opa?.status, evaluator: ev?.status, detail: `opa: ${opa?.detail}; evaluator: ${ev?.detail}` };
}

describe("regression: a public cluster subnet and a host name with no paired tag (issue 21, case 5350)", () => {
  it("public IPv6 subnet, Internet denied: the host name may be in the subnet's space, so unknown for opa and for the evaluator", () => {
    const v = verdicts(hostNameOnly("2357:c079:124e:5952::/64"));
    expect(v.opa, v.detail).toBe("unknown");
    expect(v.evaluator, v.detail).toBe("unknown");
  });

  it("private IPv6 subnet, Internet denied: every public address is Internet, so blocked for both (the fix does not loosen it)", () => {
    const v = verdicts(hostNameOnly("fd00:9::/64"));
    expect(v.opa, v.detail).toBe("blocked");
    expect(v.evaluator, v.detail).toBe("blocked");
  });
});

/**
 * Target limits (Azure subscription and service limits, Azure Firewall limits, the ARM schemas): each
 * emitter either stays inside them or stops with a clear error before one is crossed.
 *
 * - NSG: 1,000 rules per NSG; priorities 100-4096, unique per direction; names 1-80 characters;
 *   4,000 IP addresses and ranges for destinations in one NSG.
 * - Azure Firewall Policy: rule collection group priority 100-65000; application rule port 0-64000 (schema);
 *   names 1-80; 20,000 unique source/destinations in network rules; 2 MB of rules per rule collection group.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAddress, resolveRules, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { resolvedRules, seed } from "./arbitraries.js";
import { parseFirewallTemplate, validateArmTemplate } from "@cassandra-mi-netrules/testkit/arm";
import { firewallGrants } from "./adapters-arm.js";
import { emitterCase, tryEmit } from "./emitters.js";
import { checkGrants } from "./model.js";

const base = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
const template = base.rules.find((r) => r.id === "microsoft-prefixes") as ResolvedRule;

/** An outbound requirement whose only alternative is a list of IPv4 prefixes. */
function prefixRule(id: string, order: number, prefixes: string[], ports = [{ from: 443, to: 443 }]): ResolvedRule {
  return { ...template, id, order, ports, fqdns: [], unresolvedFqdns: [], serviceTags: [], prefixes: { ipv4: prefixes, ipv6: [] } };
}
/** n distinct /32s in 10.0.0.0/8 starting at `offset`, sorted. */
function hosts(n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${formatAddress(4, 0x0a000000n + BigInt(offset + i))}/32`);
}
function withRules(rules: ResolvedRule[]): ResolvedRules {
  return { ...base, rules };
}
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error, none was thrown");
}

interface NsgRule {
  name: string;
  properties: { priority: number; direction: string; description?: string; destinationAddressPrefixes?: string[]; destinationAddressPrefix?: string };
}
function nsgRules(content: string): NsgRule[] {
  const t = JSON.parse(content) as { resources: Array<{ properties: { securityRules: NsgRule[] } }> };
  return t.resources.flatMap((r) => r.properties.securityRules);
}

describe("limits: nsg", () => {
  const nsg = emitterCase("nsg");
  // Without the final deny, so that the counts below are the requirements' own rules.
  const open = { denyInternetOutbound: false };

  it("L01 more than 1,000 security rules: RangeError naming the limit", () => {
    const rules = Array.from({ length: 1001 }, (_, i) => prefixRule(`p${i}`, i, hosts(1, i)));
    const e = thrown(() => nsg.emit(withRules(rules), { ...open, priorityStep: 1 }));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/1001 security rules; Azure allows at most 1000 per NSG/);
  });

  it("L02 more rules than priorities 100-4096 hold at the chosen step: PriorityRangeError; at step 1 they fit", () => {
    const rules = Array.from({ length: 500 }, (_, i) => prefixRule(`p${i}`, i, hosts(1, i)));
    const e = thrown(() => nsg.emit(withRules(rules), open));
    expect(e.name).toBe("PriorityRangeError");
    expect(e.message).toMatch(/would pass 4096 \(allowed 100-4096\)/);
    // With the final deny at 4096, the allows must stop at 4095.
    expect(thrown(() => nsg.emit(withRules(rules), {})).message).toMatch(/would pass 4095 \(allowed 100-4095\)/);
    const ok = nsgRules(nsg.emit(withRules(rules), { ...open, priorityStep: 1 }).files[0]?.content ?? "");
    expect(ok).toHaveLength(500);
    expect(Math.max(...ok.map((r) => r.properties.priority))).toBe(599);
  });

  it("L03 priorities stay in 100-4096 and unique per direction; names and descriptions stay in 80 and 140 characters", () => {
    let checked = 0;
    fc.assert(
      fc.property(
        resolvedRules({ maxRules: 30 }).chain((r) => fc.tuple(fc.constant(r), nsg.options(r))),
        ([r, o]) => {
          const out = tryEmit(nsg, r, o);
          if (!out.ok) return;
          checked++;
          const rules = nsgRules(out.result.files[0]?.content ?? "");
          for (const dir of ["Inbound", "Outbound"]) {
            const ps = rules.filter((x) => x.properties.direction === dir).map((x) => x.properties.priority);
            expect(new Set(ps).size).toBe(ps.length);
            for (const p of ps) expect(p >= 100 && p <= 4096 && Number.isInteger(p)).toBe(true);
          }
          expect(new Set(rules.map((x) => x.name.toLowerCase())).size).toBe(rules.length);
          for (const x of rules) {
            expect(x.name).toMatch(/^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/);
            expect((x.properties.description ?? "").length).toBeLessThanOrEqual(140);
          }
        },
      ),
      { numRuns: 150, seed: seed() },
    );
    expect(checked).toBeGreaterThan(100);
  });

  it("L04 63-character requirement ids: rule names cut to 80 with a hash, still unique", () => {
    const long1 = `a${"b".repeat(61)}1`;
    const long2 = `a${"b".repeat(61)}2`;
    const out = nsg.emit(withRules([prefixRule(long1, 0, hosts(1)), prefixRule(long2, 1, hosts(1, 5))]), open);
    const names = nsgRules(out.files[0]?.content ?? "").map((r) => r.name);
    expect(names).toHaveLength(2);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(80);
    expect(new Set(names).size).toBe(2);
  });

  it("L05 more than 4,000 destination addresses in one NSG: a clear error or a split, never an NSG Azure refuses", () => {
    const rules = [prefixRule("many-a", 0, hosts(2500)), prefixRule("many-b", 1, hosts(2500, 10_000))];
    let result: ReturnType<typeof tryEmit> | undefined;
    let error: Error | undefined;
    try {
      result = tryEmit(nsg, withRules(rules), {});
    } catch (e) {
      error = e as Error;
    }
    if (error) throw error;
    if (result?.ok) {
      // A split across NSGs is the only acceptable output: no one NSG may hold more than 4,000.
      for (const f of result.result.files) {
        const t = JSON.parse(f.content) as { resources: Array<{ type: string; properties: { securityRules: NsgRule[] } }> };
        for (const res of t.resources.filter((x) => x.type === "Microsoft.Network/networkSecurityGroups")) {
          const count = res.properties.securityRules.reduce((n, x) => n + (x.properties.destinationAddressPrefixes?.length ?? 1), 0);
          expect(count, `NSG in ${f.path} holds ${count} destination addresses; Azure allows 4000`).toBeLessThanOrEqual(4000);
        }
      }
    } else {
      expect(result?.error.message).toMatch(/4,?000/);
    }
  });
});

describe("limits: azure-firewall", () => {
  const fw = emitterCase("azure-firewall");

  it("L06 rule collection group priority outside 100-65000: option error naming the field and value", () => {
    expect(thrown(() => fw.emit(base, { groupPriority: 99 })).message).toBe("azure-firewall option groupPriority: must be an integer from 100 to 65000 (value: 99)");
    expect(thrown(() => fw.emit(base, { groupPriority: 65001 })).message).toBe("azure-firewall option groupPriority: must be an integer from 100 to 65000 (value: 65001)");
    for (const p of [100, 65000]) expect(JSON.parse(fw.emit(base, { groupPriority: p }).files[0]?.content ?? "").resources.at(-1).properties.priority).toBe(p);
  });

  it("L07 HTTPS requirement on port 65535 (application rules stop at 64000): no application rule past 64000, valid template, honest coverage", () => {
    const https = base.rules.find((r) => r.id === "storage-store") as ResolvedRule;
    const r = withRules([{ ...https, ports: [{ from: 65535, to: 65535 }] }]);
    let out: ReturnType<typeof fw.emit>;
    try {
      out = fw.emit(r, {});
    } catch (e) {
      // A clear error is acceptable too.
      expect((e as Error).message).toMatch(/64000/);
      return;
    }
    const content = out.files[0]?.content ?? "";
    expect(validateArmTemplate(content).errors).toEqual([]);
    const parsed = parseFirewallTemplate(content);
    for (const rule of parsed.rules.filter((x) => x.ruleType === "ApplicationRule")) for (const p of rule.ports) expect(p.to).toBeLessThanOrEqual(64000);
    const { grants, problems } = firewallGrants(content, r);
    expect([...problems, ...checkGrants("azure-firewall", r, out.coverage, grants)]).toEqual([]);
  });

  it("L08 more than 20,000 unique destinations in network rules: a clear error before Azure refuses the policy", () => {
    const rules = [prefixRule("many-a", 0, hosts(10_001)), prefixRule("many-b", 1, hosts(10_000, 20_000))];
    const e = thrown(() => fw.emit(withRules(rules), {}));
    expect(e.message).toMatch(/20,?000/);
  });

  it("L09 a rule collection group over 2 MB: a clear error (or a split into groups each under 2 MB)", () => {
    // Application rules do not count toward the 20,000 network destinations; 12,000 long host names weigh about 2.5 MB.
    const https = base.rules.find((r) => r.id === "storage-store") as ResolvedRule;
    const label = "x".repeat(60);
    const rules = Array.from({ length: 12 }, (_, i) => ({
      ...https,
      id: `names-${i}`,
      order: i,
      serviceTags: [],
      fqdns: Array.from({ length: 1000 }, (_, j) => {
        const fqdn = `h${i}-${j}.${label}.${label}.${label}.example.com`;
        return { fqdn, pattern: fqdn, wildcard: false };
      }),
    }));
    let content: string[] = [];
    try {
      content = fw.emit(withRules(rules), {}).files.map((f) => f.content);
    } catch (e) {
      expect((e as Error).message).toMatch(/2 ?MB|size/i);
      return;
    }
    for (const c of content) {
      const t = JSON.parse(c) as { resources: Array<{ type: string; properties: unknown }> };
      for (const res of t.resources.filter((x) => x.type.endsWith("/ruleCollectionGroups"))) {
        expect(Buffer.byteLength(JSON.stringify(res.properties)), "bytes of one rule collection group").toBeLessThanOrEqual(2 * 1024 * 1024);
      }
    }
  });
});

import { regions, resolveRules, revisions, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitFirewallPolicyTemplate, type FirewallPolicyOptions } from "@cassandra-mi-netrules/emit-azure-firewall";
import { validateArmTemplate } from "@cassandra-mi-netrules/testkit/arm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkRoundTrip } from "./roundtrip.js";

const numRuns = Number(process.env.FC_NUM_RUNS ?? 60);

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const input = fc.record({
  revision: fc.constantFrom(...revisions.map((r) => r.id)),
  regions: fc.subarray(regions.map((r) => r.name), { minLength: 0, maxLength: 3 }),
  subnet: fc.option(fc.constantFrom("10.9.0.0/24", "198.51.100.0/25", "2001:db8:1::/64"), { nil: undefined }),
  policy: fc.constantFrom("create" as const, "existing" as const),
  groupPriority: fc.integer({ min: 100, max: 65000 }),
  tier: fc.constantFrom("Standard" as const, "Premium" as const),
  regionalTags: fc.boolean(),
  fqdnNetworkRules: fc.boolean(),
  seed: fc.integer(),
  hostile: fc.nat(),
});

describe("azure-firewall properties", () => {
  it("any revision, regions, subnet and options: valid, read back as the coverage claims, independent of rule order", () => {
    fc.assert(
      fc.property(input, (g) => {
        const base = resolveRules({ revision: g.revision, regions: g.regions, ...(g.subnet ? { subnet: g.subnet } : {}) });
        // One rule's description turned hostile through its id: it must reach the template escaped.
        const victim = g.hostile % base.rules.length;
        const resolved: ResolvedRules = { ...base, rules: base.rules.map((r, i) => (i === victim ? { ...r, id: `[${r.id}]` } : r)) };
        const options: FirewallPolicyOptions = {
          policy: g.policy,
          groupPriority: g.groupPriority,
          tier: g.tier,
          regionalTags: g.regionalTags,
          fqdnNetworkRules: g.fqdnNetworkRules,
        };
        const out = emitFirewallPolicyTemplate(resolved, options);
        const content = (out.files[0] as { content: string }).content;
        expect(validateArmTemplate(content).errors).toEqual([]);
        checkRoundTrip(resolved, options, content, out.coverage);
        expect(emitFirewallPolicyTemplate({ ...resolved, rules: shuffle(resolved.rules, g.seed) }, options)).toEqual(out);
      }),
      { numRuns },
    );
  });
});

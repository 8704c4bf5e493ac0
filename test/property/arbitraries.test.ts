/** The generators themselves: every case they make satisfies the dataset's own schema and the resolver's invariants. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareStrings, mergePortRanges, parseCidr, regions, resolveRules, sortBy, splitByFamily, uniqueSorted } from "@cassandra-mi-netrules/core";
import { CidrSchema, ConditionSchema, FqdnPatternSchema, InferenceSchema, LocalizedTextSchema, RequirementIdSchema, RevisionIdSchema } from "@cassandra-mi-netrules/core/schema";
import { HOSTILE_STRINGS, numRuns, permutation, resolvedRules, seed, shuffledRules } from "./arbitraries.js";

const known = new Set(regions.map((r) => r.name));

describe("arbitraries", () => {
  it("generate ResolvedRules that respect every schema invariant", { timeout: 3_600_000 }, () => {
    let cases = 0;
    let hostile = 0;
    fc.assert(
      fc.property(resolvedRules(), (r) => {
        cases++;
        expect(r.regions).toEqual(uniqueSorted(r.regions));
        // The resolver takes the subnet as it is (it refuses widths no Azure subnet has).
        if (r.subnet) expect(resolveRules({ regions: [], subnet: r.subnet.cidr }).subnet).toEqual(r.subnet);
        for (const name of r.regions) expect(known.has(name)).toBe(true);
        expect(r.rules.map((x) => x.id)).toEqual(sortBy(r.rules, (x) => x.order, (x) => x.id).map((x) => x.id));
        expect(new Set(r.rules.map((x) => x.id)).size).toBe(r.rules.length);
        for (const rule of r.rules) {
          expect(RequirementIdSchema.safeParse(rule.id).success).toBe(true);
          expect(LocalizedTextSchema.safeParse(rule.purpose).success).toBe(true);
          for (const inf of rule.inferred) expect(InferenceSchema.safeParse(inf).success).toBe(true);
          for (const rev of rule.provenance.revisions) expect(RevisionIdSchema.safeParse(rev).success).toBe(true);
          expect(rule.provenance.since).toBe(rule.provenance.revisions[0]);
          expect(rule.ports).toEqual(mergePortRanges(rule.ports));
          for (const p of rule.ports) expect(1 <= p.from && p.from <= p.to && p.to <= 65535).toBe(true);
          for (const f of rule.fqdns) {
            expect(FqdnPatternSchema.safeParse(f.pattern).success).toBe(true);
            expect(f.fqdn).not.toContain("{region}");
            expect(f.fqdn.length).toBeLessThanOrEqual(253);
            for (const l of f.fqdn.split(".")) expect(l.length).toBeLessThanOrEqual(63);
            expect(f.wildcard).toBe(f.fqdn.startsWith("*."));
          }
          for (const u of rule.unresolvedFqdns) expect(u).toContain("{region}");
          const all = [...rule.prefixes.ipv4, ...rule.prefixes.ipv6];
          for (const c of all) {
            expect(CidrSchema.safeParse(c).success).toBe(true);
            expect(parseCidr(c).text).toBe(c);
          }
          expect(rule.prefixes).toEqual(splitByFamily(all));
          if (rule.kind === "outbound") expect(rule.fqdns.length + rule.unresolvedFqdns.length + rule.serviceTags.length + all.length).toBeGreaterThan(0);
          for (const t of rule.serviceTags) {
            expect(t.regional.map((x) => x.region as string)).toEqual(t.regional.map((x) => x.region as string).sort(compareStrings));
            expect([...t.regional.map((x) => x.region as string), ...t.regionsWithoutForm].sort(compareStrings)).toEqual(r.regions);
          }
          for (const c of rule.conditions) {
            expect(r.features[c.feature]).toBe(c.when === "enabled");
            expect(ConditionSchema.safeParse(c).success).toBe(true);
          }
          const text = [rule.purpose.en, rule.purpose.fr, ...rule.inferred.flatMap((i) => [i.en, i.fr])].join("\n");
          if (HOSTILE_STRINGS.some((h) => text.includes(h))) hostile++;
        }
      }),
      { numRuns: numRuns(), seed: seed() },
    );
    console.log(`property: arbitraries ${cases} cases (${hostile} rules carried a listed hostile string)`);
    expect(hostile).toBeGreaterThan(cases / 2);
  });

  it("shuffledRules is a permutation", () => {
    fc.assert(
      fc.property(resolvedRules({ tagPrefixes: false }), permutation, (r, p) => {
        const s = shuffledRules(r, p);
        expect(s.rules.map((x) => x.id).sort(compareStrings)).toEqual(r.rules.map((x) => x.id).sort(compareStrings));
      }),
      { numRuns: 200, seed: seed() },
    );
  });
});

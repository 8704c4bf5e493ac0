import { regions, resolveRules, revisions, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitNsgTemplate, type NsgOptions } from "@cassandra-mi-netrules/emit-nsg";
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
  subnet: fc.option(fc.constantFrom("10.9.0.0/24", "192.0.2.0/26", "2001:db8:1::/64"), { nil: undefined }),
  regionalTags: fc.boolean(),
  denyInternetOutbound: fc.boolean(),
  vnet: fc.boolean(),
  priorityStart: fc.integer({ min: 100, max: 400 }),
  priorityStep: fc.integer({ min: 1, max: 25 }),
  seed: fc.integer(),
  hostile: fc.nat(),
});

describe("nsg properties", () => {
  it("any revision, regions, subnet and options: valid, read back as the coverage claims, independent of rule order", () => {
    fc.assert(
      fc.property(input, (g) => {
        const base = resolveRules({ revision: g.revision, regions: g.regions, ...(g.subnet ? { subnet: g.subnet } : {}) });
        // One rule id turned hostile: it must reach the template escaped.
        const victim = g.hostile % base.rules.length;
        const resolved: ResolvedRules = { ...base, rules: base.rules.map((r, i) => (i === victim ? { ...r, id: `[${r.id}]` } : r)) };
        const options: NsgOptions = {
          regionalTags: g.regionalTags,
          denyInternetOutbound: g.denyInternetOutbound,
          internalScope: g.vnet || !g.subnet ? "vnet" : "subnet",
          priorityStart: g.priorityStart,
          priorityStep: g.priorityStep,
        };
        const out = emitNsgTemplate(resolved, options);
        const content = (out.files[0] as { content: string }).content;
        expect(validateArmTemplate(content).errors).toEqual([]);
        checkRoundTrip(resolved, options, content, out.coverage);
        expect(emitNsgTemplate({ ...resolved, rules: shuffle(resolved.rules, g.seed) }, options)).toEqual(out);
      }),
      { numRuns },
    );
  });
});

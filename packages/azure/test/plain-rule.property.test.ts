/**
 * The readers' shortcuts for large data input give what the general path gives: a security rule read by
 * plainSecurityRule (arm-resources.ts) equals the general reader's rule, or the general reader throws the
 * same error; the row separator's search (graph-text.ts) finds what indexOf finds.
 *   FC_NUM_RUNS=2000 npx vitest run packages/azure/test/plain-rule.property.test.ts
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readNetworkSecurityGroup, readSecurityRule } from "../src/read/arm-resources.js";
import { FieldReader, LITERAL, type Settler } from "../src/read/arm-values.js";
import { indexOfLong } from "../src/read/graph-text.js";

const RUNS = Number(process.env.FC_NUM_RUNS ?? 300);

/** Settles every string as itself, as LITERAL does, but is not LITERAL: the readers take their general path. */
const SAME_AS_LITERAL: Settler = { settle: (raw) => LITERAL.settle(raw) };

/** What a read gives: its value, or the error's kind and message. */
function outcome(read: () => unknown): unknown {
  try {
    return { value: read() };
  } catch (e) {
    return { error: (e as Error).name, message: (e as Error).message };
  }
}

const anyValue = fc.constantFrom<unknown>(undefined, null, "", [], {}, 7, true, ["x", 1], [null]);
/** A field's value: mostly one of `valid`, sometimes one of `odd` (what the general reader converts, refuses or finds unknown). */
const field = (valid: readonly unknown[], odd: readonly unknown[] = []) =>
  fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: odd.length > 0 ? fc.constantFrom(...odd) : anyValue }, { weight: 1, arbitrary: anyValue });
const single = fc.oneof({ weight: 8, arbitrary: fc.constantFrom("*", "10.0.0.0/8", "Storage", "443", "1000-2000", "") }, { weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: anyValue });
const list = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom("*", "10.1.0.0/16", "AzureCloud.eastus", "22", ""), { maxLength: 3 }) },
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: anyValue },
);
const groups = fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom<unknown>(null, [], [{ id: "/asg/a" }], [{}], "x") });

const ruleProperties = fc.record(
  {
    description: field(["a rule", ""], [undefined]),
    priority: field([100, 4096], [100.5, "200", "-1", "x"]),
    direction: field(["Inbound", "Outbound"], ["inbound", "Sideways"]),
    access: field(["Allow", "Deny"], ["deny", "Maybe"]),
    protocol: field(["Tcp", "Udp", "Icmp", "*"], ["tcp", "Any"]),
    provisioningState: fc.constant("Succeeded"),
    sourceAddressPrefix: single,
    sourceAddressPrefixes: list,
    sourceApplicationSecurityGroups: groups,
    destinationAddressPrefix: single,
    destinationAddressPrefixes: list,
    destinationApplicationSecurityGroups: groups,
    sourcePortRange: single,
    sourcePortRanges: list,
    destinationPortRange: single,
    destinationPortRanges: list,
  },
  { requiredKeys: ["priority", "direction", "access", "protocol"] },
);

/** A rule as az (flat, sometimes) or Resource Graph (under `properties`) prints it, or something that is not one. */
const rawRule = fc.oneof(
  { weight: 8, arbitrary: fc.record({ name: field(["r1", "allow-in"]), properties: ruleProperties }, { requiredKeys: ["properties"] }) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom("r2"), ruleProperties).map(([name, p]) => ({ name, ...p })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, "rule", [], { name: "r3" }, { name: "r4", properties: "x" }, { name: "r5", properties: null }) },
);

describe("plainSecurityRule: the shortcut for rules of data input", () => {
  it("reads a rule as the general reader does (flat or not, named by its parent or not), or leaves it to it", () => {
    fc.assert(
      fc.property(rawRule, fc.boolean(), fc.option(fc.constantFrom("given"), { nil: undefined }), (raw, flat, name) => {
        const plain = outcome(() => readSecurityRule(new FieldReader(LITERAL, flat), raw, "data[0]", name));
        const general = outcome(() => readSecurityRule(new FieldReader(SAME_AS_LITERAL, flat), raw, "data[0]", name));
        expect(plain).toEqual(general);
        // Same key order too: reports print rules' fields in it.
        expect(JSON.stringify(plain)).toBe(JSON.stringify(general));
      }),
      { numRuns: RUNS },
    );
  });

  const plainRule = { priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "10.0.0.0/8", destinationPortRange: "443" };
  it.each([
    ["a plain rule", {}],
    ["a list with a null", { sourceAddressPrefixes: [null] }],
    ["a list with a number", { destinationPortRanges: ["22", 3389] }],
    ["application security groups", { sourceApplicationSecurityGroups: [{ id: "/asg/a" }] }],
    ["empty application security groups", { destinationApplicationSecurityGroups: [] }],
    ["a side given by nothing", { sourcePortRange: "" }],
    ["a side given by an empty list", { destinationAddressPrefix: undefined, destinationAddressPrefixes: [] }],
    ["both forms of a side", { sourceAddressPrefixes: ["10.1.0.0/16"] }],
    ["a priority as a string", { priority: "200" }],
    ["a protocol in lower case", { protocol: "tcp" }],
    ["a description of null", { description: null }],
    ["an empty description", { description: "" }],
  ])("%s reads as the general reader reads it", (_, change) => {
    for (const flat of [false, true]) {
      for (const raw of [{ name: "r", properties: { ...plainRule, ...change } }, { name: "r", ...plainRule, ...change }]) {
        const plain = outcome(() => readSecurityRule(new FieldReader(LITERAL, flat), raw, "data[0]"));
        expect(JSON.stringify(plain)).toBe(JSON.stringify(outcome(() => readSecurityRule(new FieldReader(SAME_AS_LITERAL, flat), raw, "data[0]"))));
      }
    }
  });

  it("reads an NSG's rules as the general reader does, with the same paths in what it cannot know and in refusals", () => {
    fc.assert(
      fc.property(fc.array(rawRule, { maxLength: 4 }), fc.boolean(), (rules, flat) => {
        const nsg = { name: "nsg", properties: { securityRules: rules } };
        const plain = outcome(() => readNetworkSecurityGroup(new FieldReader(LITERAL, flat), nsg, "data[3]", "nsg"));
        const general = outcome(() => readNetworkSecurityGroup(new FieldReader(SAME_AS_LITERAL, flat), nsg, "data[3]", "nsg"));
        expect(JSON.stringify(plain)).toBe(JSON.stringify(general));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("indexOfLong: the row separator's search", () => {
  it("finds what indexOf finds", () => {
    // Two characters: a pattern's first six often stand where the whole pattern does not.
    const ab = fc.constantFrom("}", ",");
    const patterns = fc.oneof(fc.string({ unit: ab, minLength: 1, maxLength: 10 }), fc.string({ unit: ab, minLength: 7, maxLength: 10 }));
    fc.assert(
      fc.property(fc.string({ unit: ab, minLength: 10, maxLength: 60 }), patterns, fc.nat(20), (t, pattern, from) => {
        expect(indexOfLong(t, pattern, from)).toBe(t.indexOf(pattern, from));
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

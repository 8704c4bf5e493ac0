/** The model's zod schemas, Azure's default NSG rules, and the Unknown helpers. */
import { assertKnown, defaultSecurityRules, emptyNetwork, isUnknown, planFirewallPolicy, planNsg, planRouteTable, unknownsIn, UnknownValueError } from "@cassandra-mi-netrules/azure";
import {
  azureNetworkSchema,
  firewallPolicyRuleCollectionGroupSchema,
  firewallPolicySchema,
  networkSecurityGroupSchema,
  routeTableSchema,
  securityRuleSchema,
  unknownSchema,
} from "@cassandra-mi-netrules/azure/schema";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { describe, expect, it } from "vitest";

const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });

describe("Azure's default security rules", () => {
  it("are the six rules Azure puts in every NSG, as Azure returns them", () => {
    const rows = defaultSecurityRules().map((r) => {
      const p = r.properties;
      return [r.name, p.direction, p.priority, p.access, p.protocol, p.sourceAddressPrefix, p.sourcePortRange, p.destinationAddressPrefix, p.destinationPortRange];
    });
    expect(rows).toEqual([
      ["AllowVnetInBound", "Inbound", 65000, "Allow", "*", "VirtualNetwork", "*", "VirtualNetwork", "*"],
      ["AllowAzureLoadBalancerInBound", "Inbound", 65001, "Allow", "*", "AzureLoadBalancer", "*", "*", "*"],
      ["DenyAllInBound", "Inbound", 65500, "Deny", "*", "*", "*", "*", "*"],
      ["AllowVnetOutBound", "Outbound", 65000, "Allow", "*", "VirtualNetwork", "*", "VirtualNetwork", "*"],
      ["AllowInternetOutBound", "Outbound", 65001, "Allow", "*", "*", "*", "Internet", "*"],
      ["DenyAllOutBound", "Outbound", 65500, "Deny", "*", "*", "*", "*", "*"],
    ]);
    for (const r of defaultSecurityRules()) expect(securityRuleSchema.parse(r)).toEqual(r);
  });

  it("a fresh copy each call, so no caller can change another's", () => {
    expect(defaultSecurityRules()).not.toBe(defaultSecurityRules());
    expect(defaultSecurityRules()).toEqual(defaultSecurityRules());
  });
});

describe("schemas", () => {
  it("accept every plan, and a network that holds them", () => {
    const nsg = planNsg(resolved, { nsgName: "n", regionalTags: true, internalScope: "subnet", denyInternetOutbound: true, hostNamesViaFirewall: true, priorityStart: 100, priorityStep: 10 }).networkSecurityGroup;
    const fw = planFirewallPolicy(resolveRules({ regions: ["eastus"] }), { policy: "create", policyName: "p", ruleCollectionGroupName: "g", groupPriority: 100, tier: "Premium", regionalTags: false, fqdnNetworkRules: true, threatIntelMode: "Deny", intrusionDetection: "Deny" });
    const rt = planRouteTable(resolved, { routeTableName: "rt", mode: "service-tags", regionalTags: false, disableBgpRoutePropagation: false }).routeTable;
    expect(networkSecurityGroupSchema.parse(nsg)).toEqual(nsg);
    expect(firewallPolicySchema.parse(fw.firewallPolicy)).toEqual(fw.firewallPolicy);
    // Without a subnet the source of every rule is a Parameter, which the schema takes.
    expect(firewallPolicyRuleCollectionGroupSchema.parse(fw.ruleCollectionGroup)).toEqual(fw.ruleCollectionGroup);
    expect(routeTableSchema.parse(rt)).toEqual(rt);
    const network = { ...emptyNetwork(), networkSecurityGroups: [nsg], routeTables: [rt], firewallPolicies: [fw.firewallPolicy], firewallPolicyRuleCollectionGroups: [fw.ruleCollectionGroup] };
    expect(azureNetworkSchema.safeParse(network).success).toBe(true);
    expect(unknownsIn(network)).toEqual([]);
  });

  it("refuse a protocol, a next hop or a field ARM does not have", () => {
    const r = defaultSecurityRules()[0] as (ReturnType<typeof defaultSecurityRules>)[number];
    expect(securityRuleSchema.safeParse({ ...r, properties: { ...r.properties, protocol: "Sctp" } }).success).toBe(false);
    expect(securityRuleSchema.safeParse({ ...r, properties: { ...r.properties, colour: "red" } }).success).toBe(false);
    expect(routeTableSchema.safeParse({ name: "rt", properties: { routes: [{ name: "a", properties: { addressPrefix: "Storage", nextHopType: "Firewall" } }] } }).success).toBe(false);
    // Every value may be an Unknown, and so may every element of a list.
    const unknown = { kind: "unknown", path: "resources[0].properties.priority", reason: "not given" };
    expect(securityRuleSchema.safeParse({ ...r, properties: { ...r.properties, priority: unknown, destinationPortRanges: [unknown, "443"] } }).success).toBe(true);
    expect(unknownSchema.safeParse({ ...unknown, extra: 1 }).success).toBe(false);
  });
});

describe("Unknown", () => {
  const u = { kind: "unknown" as const, path: "resources[1].properties.securityRules[0].properties.priority", reason: "parameter 'p' has no default value and none was given" };
  it("isUnknown tells it apart; unknownsIn finds each in document order; assertKnown names them", () => {
    expect(isUnknown(u)).toBe(true);
    expect(isUnknown({ kind: "parameter", name: "x", description: "" })).toBe(false);
    expect(isUnknown("unknown")).toBe(false);
    const value = { a: [1, u, { b: { ...u, path: "x" } }] };
    expect(unknownsIn(value).map((x) => x.path)).toEqual([u.path, "x"]);
    expect(() => assertKnown(value)).toThrow(UnknownValueError);
    expect(() => assertKnown(value)).toThrow(`2 values are not known: ${u.path} (${u.reason}); x (${u.reason})`);
    const known = { a: [1, 2] };
    expect(assertKnown(known)).toBe(known);
  });
});

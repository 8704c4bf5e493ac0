/** readArmTemplate on templates written by hand: every form ARM takes, and what it cannot know. */
import { ArmReadError, evaluateArmExpression, isUnknown, readArmTemplate, type ExpressionScope, type SecurityRule } from "@cassandra-mi-netrules/azure";
import { azureNetworkSchema } from "@cassandra-mi-netrules/azure/schema";
import { describe, expect, it } from "vitest";

const SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const template = (resources: unknown[], extra: Record<string, unknown> = {}) => ({ $schema: SCHEMA, contentVersion: "1.0.0.0", ...extra, resources });
const rule = (name: string, priority: unknown, more: Record<string, unknown> = {}) => ({
  name,
  properties: { priority, direction: "Outbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "VirtualNetwork", sourcePortRange: "*", destinationAddressPrefix: "Storage", destinationPortRange: "443", ...more },
});

describe("readArmTemplate: NSGs", () => {
  it("inline rules, then child rules (top level or nested) in document order, join their NSG; names from parameters and variables", () => {
    const network = readArmTemplate(
      template(
        [
          { type: "Microsoft.Network/networkSecurityGroups/securityRules", apiVersion: "2024-05-01", name: "[concat(variables('nsg'), '/late')]", properties: rule("x", 300).properties },
          {
            type: "microsoft.network/NETWORKSECURITYGROUPS",
            apiVersion: "2024-05-01",
            name: "[variables('nsg')]",
            location: "[parameters('where')]",
            tags: { owner: "[toUpper('team')]" },
            properties: { securityRules: [rule("inline", "[parameters('p')]")] },
            resources: [{ type: "securityRules", apiVersion: "2024-05-01", name: "nested", properties: rule("y", 200, { access: "deny", protocol: "*" }).properties }],
          },
        ],
        { parameters: { p: { type: "int", defaultValue: 100 }, where: { type: "string" } }, variables: { nsg: "[format('nsg-{0}', 'cassandra')]" } },
      ),
    );
    expect(azureNetworkSchema.safeParse(network).success).toBe(true);
    const [nsg] = network.networkSecurityGroups;
    expect(nsg?.name).toBe("nsg-cassandra");
    expect(nsg?.tags).toEqual({ owner: "TEAM" });
    expect(nsg?.location).toEqual({ kind: "unknown", path: "resources[1].location", reason: "parameter 'where' has no default value and none was given" });
    const rules = nsg?.properties.securityRules as SecurityRule[];
    expect(rules.map((r) => [r.name, r.properties.priority, r.properties.access, r.properties.protocol])).toEqual([
      ["inline", 100, "Allow", "Tcp"],
      ["late", 300, "Allow", "Tcp"],
      ["nested", 200, "Deny", "*"],
    ]);
    expect(nsg?.properties.defaultSecurityRules.map((r) => `${r.name} ${String(r.properties.priority)}`)).toEqual([
      "AllowVnetInBound 65000",
      "AllowAzureLoadBalancerInBound 65001",
      "DenyAllInBound 65500",
      "AllowVnetOutBound 65000",
      "AllowInternetOutBound 65001",
      "DenyAllOutBound 65500",
    ]);
  });

  it("given parameter values win over defaults; a literal [[ stays data; a list given by an unknown expression is one Unknown", () => {
    const t = template(
      [{ type: "Microsoft.Network/networkSecurityGroups", apiVersion: "2024-05-01", name: "n", properties: { securityRules: [rule("r", 100, { description: "[[not an expression]", destinationAddressPrefixes: "[parameters('dests')]", destinationAddressPrefix: undefined })] } }],
      { parameters: { dests: { type: "array" } } },
    );
    const read = (given: Record<string, unknown>) => (readArmTemplate(t, { parameters: given }).networkSecurityGroups[0]?.properties.securityRules[0] as SecurityRule).properties;
    expect(read({}).description).toBe("[not an expression]");
    expect(read({}).destinationAddressPrefixes).toEqual([{ kind: "unknown", path: "resources[0].properties.securityRules[0].properties.destinationAddressPrefixes", reason: "parameter 'dests' has no default value and none was given" }]);
    expect(read({ dests: ["203.0.113.0/24", "[x]"] }).destinationAddressPrefixes).toEqual(["203.0.113.0/24", "[x]"]);
  });

  it("a given parameter is matched as ARM matches names: its own spelling first, else any case; a name not given is not the entry named \"\"", () => {
    const t = template([{ type: "Microsoft.Network/networkSecurityGroups", apiVersion: "2024-05-01", name: "n", properties: { securityRules: [rule("r", 100, { description: "[parameters('note')]" })] } }], { parameters: { note: { type: "string", defaultValue: "default" } } });
    const read = (given: Record<string, unknown>) => (readArmTemplate(t, { parameters: given }).networkSecurityGroups[0]?.properties.securityRules[0] as SecurityRule).properties.description;
    expect(read({ NOTE: "upper", note: "exact" })).toBe("exact");
    expect(read({ NOTE: "upper" })).toBe("upper");
    expect(read({ "": "empty" })).toBe("default");
  });

  it("a rule of an NSG outside the template: a stand-in NSG whose other rules are one Unknown", () => {
    const network = readArmTemplate(template([{ type: "Microsoft.Network/networkSecurityGroups/securityRules", apiVersion: "2024-05-01", name: "existing-nsg/allow-storage", properties: rule("x", 100).properties }]));
    const rules = network.networkSecurityGroups[0]?.properties.securityRules ?? [];
    expect(network.networkSecurityGroups[0]?.name).toBe("existing-nsg");
    expect(isUnknown(rules[0]) && rules[0].reason).toBe("the parent 'existing-nsg' is not in this template: its other entries are not known");
    expect((rules[1] as SecurityRule).name).toBe("allow-storage");
  });

  it("copy loops are expanded, a nested deployment with an inline template is read; condition false leaves a resource out", () => {
    const network = readArmTemplate(
      template([
        { type: "Microsoft.Network/networkSecurityGroups", apiVersion: "2024-05-01", name: "[format('looped-{0}', copyIndex(1))]", copy: { name: "c", count: 2 }, properties: {} },
        { type: "Microsoft.Resources/deployments", apiVersion: "2022-09-01", name: "module", properties: { templateLink: { uri: "https://example.invalid/t.json" } } },
        { type: "Microsoft.Network/networkSecurityGroups", apiVersion: "2024-05-01", name: "off", condition: "[equals(1, 2)]", properties: {} },
        { type: "Microsoft.Network/networkSecurityGroups", apiVersion: "2024-05-01", name: "on", condition: true, properties: { copy: [{ name: "securityRules", count: 3, input: rule("[format('r{0}', copyIndex('securityRules'))]", "[add(100, copyIndex('securityRules'))]") }] } },
        { type: "Microsoft.Compute/virtualMachines", apiVersion: "2024-03-01", name: "vm" },
      ]),
    );
    expect(network.unread.map((u) => u.path)).toEqual(["resources[1].properties.templateLink"]);
    expect(network.unread[0]?.reason).toMatch(/linked template/);
    expect(network.networkSecurityGroups.map((n) => n.name)).toEqual(["looped-1", "looped-2", "on"]);
    expect((network.networkSecurityGroups[2]?.properties.securityRules as SecurityRule[]).map((r) => [r.name, r.properties.priority])).toEqual([
      ["r0", 100],
      ["r1", 101],
      ["r2", 102],
    ]);
  });

  it("an invalid template is an ArmReadError naming the field and the value", () => {
    const bad = (props: Record<string, unknown>) => () => readArmTemplate(template([{ type: "Microsoft.Network/networkSecurityGroups", name: "n", properties: { securityRules: [{ name: "r", properties: { ...rule("r", 100).properties, ...props } }] } }]));
    expect(bad({ priority: "100" })).toThrow(new ArmReadError("resources[0].properties.securityRules[0].properties.priority", "100", "expected an integer"));
    expect(bad({ direction: "Sideways" })).toThrow('resources[0].properties.securityRules[0].properties.direction: expected one of Inbound, Outbound (value: "Sideways")');
    expect(bad({ access: undefined })).toThrow("resources[0].properties.securityRules[0].properties.access: is required (value: undefined)");
    expect(() => readArmTemplate("{")).toThrow(ArmReadError);
    expect(() => readArmTemplate({ resources: [{ name: "x" }] })).toThrow("resources[0].type: expected a resource type (value: undefined)");
    expect(() => readArmTemplate({ resources: [{ type: "Microsoft.Network/networkSecurityGroups/securityRules", name: "a/b/c", properties: {} }] })).toThrow(/a child resource at top level is named <parent>\/<child>/);
  });
});

describe("readArmTemplate: routes, firewalls, IP groups, subnets", () => {
  it("route tables with inline and child routes; nested rule collection groups; classic rules; IP groups; subnets", () => {
    const network = readArmTemplate(
      template([
        { type: "Microsoft.Network/routeTables", name: "rt", properties: { disableBgpRoutePropagation: true, routes: [{ name: "storage", properties: { addressPrefix: "Storage", nextHopType: "internet" } }] } },
        { type: "Microsoft.Network/routeTables/routes", name: "rt/nva", properties: { addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: "10.0.0.4" } },
        {
          type: "Microsoft.Network/firewallPolicies",
          name: "hub",
          properties: { sku: { tier: "Premium" }, dnsSettings: { enableProxy: true } },
          resources: [
            {
              type: "ruleCollectionGroups",
              name: "apps",
              properties: {
                priority: 300,
                ruleCollections: [
                  { ruleCollectionType: "FirewallPolicyNatRuleCollection", name: "nat", priority: 100, action: { type: "DNAT" }, rules: [{ ruleType: "NatRule", name: "in", ipProtocols: ["TCP"], destinationAddresses: ["198.51.100.1"], destinationPorts: ["9042"], translatedAddress: "10.9.0.4", translatedPort: "9042" }] },
                  { ruleCollectionType: "FirewallPolicyFilterRuleCollection", name: "net", priority: 200, action: { type: "Deny" }, rules: [{ ruleType: "NetworkRule", name: "all", ipProtocols: ["Any"], sourceIpGroups: ["[resourceId('Microsoft.Network/ipGroups', 'cluster')]"], destinationAddresses: ["*"], destinationPorts: ["*"] }] },
                ],
              },
            },
          ],
        },
        { type: "Microsoft.Network/azureFirewalls", name: "fw", properties: { networkRuleCollections: [{ name: "c", properties: { priority: 100, action: { type: "Allow" }, rules: [{ name: "r", protocols: ["TCP"], sourceAddresses: ["10.9.0.0/24"], destinationAddresses: ["Storage"], destinationPorts: ["443"] }] } }] } },
        { type: "Microsoft.Network/ipGroups", name: "cluster", properties: { ipAddresses: ["10.9.0.0/24"] } },
        { type: "Microsoft.Network/virtualNetworks", name: "vnet", properties: { subnets: [{ name: "cassandra", properties: { addressPrefix: "10.9.0.0/24", defaultOutboundAccess: false, networkSecurityGroup: { id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'n')]" }, delegations: [{ name: "d", properties: { serviceName: "Microsoft.DocumentDB/cassandraClusters" } }] } }] } },
      ]),
    );
    expect(azureNetworkSchema.safeParse(network).success).toBe(true);
    expect(network.routeTables[0]?.properties).toEqual({
      disableBgpRoutePropagation: true,
      routes: [
        { name: "storage", properties: { addressPrefix: "Storage", nextHopType: "Internet" } },
        { name: "nva", properties: { addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: "10.0.0.4" } },
      ],
    });
    const group = network.firewallPolicyRuleCollectionGroups[0];
    expect(group?.firewallPolicyName).toBe("hub");
    expect(group?.properties.ruleCollections.map((c) => !isUnknown(c) && [c.ruleCollectionType, c.action.type])).toEqual([
      ["FirewallPolicyNatRuleCollection", "DNAT"],
      ["FirewallPolicyFilterRuleCollection", "Deny"],
    ]);
    const all = group?.properties.ruleCollections[1];
    const r = !isUnknown(all) ? all?.rules[0] : undefined;
    expect(r && !isUnknown(r) && r.sourceIpGroups).toEqual(["/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/ipGroups/cluster"]);
    expect(network.firewallPolicies[0]?.properties.dnsSettings).toEqual({ enableProxy: true });
    expect(network.azureFirewalls[0]?.properties.networkRuleCollections).toHaveLength(1);
    expect(network.ipGroups[0]?.properties.ipAddresses).toEqual(["10.9.0.0/24"]);
    expect(network.subnets[0]).toMatchObject({ virtualNetworkName: "vnet", name: "cassandra", properties: { addressPrefix: "10.9.0.0/24", defaultOutboundAccess: false, delegations: [{ name: "d", properties: { serviceName: "Microsoft.DocumentDB/cassandraClusters" } }] } });
    expect(network.subnets[0]?.properties.networkSecurityGroup?.id).toBe("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkSecurityGroups/n");
  });
});

describe("ARM expressions", () => {
  const scope: ExpressionScope = {
    parameter: (n) => (n === "x" ? { ok: true, value: "ex" } : { ok: false, reason: `parameter '${n}' missing` }),
    variable: (n) => (n === "o" ? { ok: true, value: { a: [1, "[parameters('x')]"] } } : { ok: false, reason: "no" }),
    settle: (raw) => (raw.startsWith("[") && !raw.startsWith("[[") ? evaluateArmExpression(raw.slice(1, -1), scope) : { ok: true, value: raw }),
  };
  it.each([
    ["concat('a', parameters('x'), 'b')", "aexb"],
    ["format('{0}/{1}', 'p', 'q')", "p/q"],
    ["toLower('AbC')", "abc"],
    ["if(equals(1, 1), 'yes', 'no')", "yes"],
    ["variables('o').a[1]", "ex"],
    ["length(createArray(1, 2, 3))", 3],
    ["'it''s'", "it's"],
  ])("%s is %j", (source, value) => {
    expect(evaluateArmExpression(source, scope)).toEqual({ ok: true, value });
  });
  it("says why it cannot evaluate", () => {
    expect(evaluateArmExpression("resourceGroup().location", scope)).toEqual({ ok: false, reason: "resourceGroup() depends on the deployment" });
    expect(evaluateArmExpression("pickZones('a','b','c')", scope)).toEqual({ ok: false, reason: "pickZones() depends on the deployment" });
    expect(evaluateArmExpression("base64('x')", scope)).toEqual({ ok: false, reason: "the function base64() is not evaluated by this reader" });
    expect(evaluateArmExpression("concat('a', parameters('y'))", scope)).toEqual({ ok: false, reason: "parameter 'y' missing" });
    expect(() => evaluateArmExpression("concat('a'", scope)).toThrow(/not a valid ARM expression: expected "\)"/);
  });
});

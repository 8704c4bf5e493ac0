/**
 * The audit's Terraform readers (HCL and plan JSON) against the renderer that writes through the same
 * azurerm table: plan -> HCL (renderTerraform) -> readNetwork is the plan; intrusion detection; HCL's
 * template escapes and directives; plans without resource_changes; errors that name the file, the
 * attribute as the input spells it and the value.
 */
import { readFileSync, readdirSync } from "node:fs";
import {
  escapeHclString,
  hclToJson,
  isUnknown,
  planFirewallPolicy,
  planNsg,
  planRouteTable,
  readHclLocals,
  readNetwork,
  renderTerraform,
  resourceIdOf,
  unknownsIn,
  type AzureNetwork,
  type FirewallPolicy,
  type FirewallPolicyPlanOptions,
  type InputDocument,
  type SecurityRule,
} from "@cassandra-mi-netrules/azure";
import { azureNetworkSchema } from "@cassandra-mi-netrules/azure/schema";
import { resolveRules, revisions } from "@cassandra-mi-netrules/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { thrown } from "./read-helpers.js";

const fixture = (name: string): InputDocument => ({ name, text: readFileSync(new URL(`./fixtures/terraform/${name}`, import.meta.url), "utf8") });
/** The read resource without the location the file leaves to `var.location` (an Unknown naming it). */
function deployed<T extends { location?: unknown }>(x: T | undefined): Omit<T, "location"> {
  expect(isUnknown(x?.location) && x?.location.path).toMatch(/\.location$/);
  const { location: _location, ...rest } = x as T;
  return rest;
}
const byPriority = (g: unknown) => {
  const group = g as { properties: { ruleCollections: Array<{ priority: number }> } };
  return { ...group, properties: { ...group.properties, ruleCollections: [...group.properties.ruleCollections].sort((a, b) => a.priority - b.priority) } };
};
/** The policy as azurerm can hold it: `requireProxyForNetworkRules` has no azurerm argument (AZURERM_UNMAPPED). */
function azurermView(policy: FirewallPolicy): FirewallPolicy {
  const dns = policy.properties.dnsSettings;
  if (!dns) return policy;
  const { requireProxyForNetworkRules: _unmapped, ...rest } = dns;
  return { ...policy, properties: { ...policy.properties, dnsSettings: rest } };
}
const nsgRule = (more: string): string => `resource "azurerm_network_security_group" "x" {
  name                = "n"
  location            = "eastus"
  resource_group_name = "rg"
  security_rule {
    name                       = "r"
    priority                   = 100
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_address_prefix      = "*"
    source_port_range          = "*"
    destination_address_prefix = "Storage"
    destination_port_range     = "443"
${more}
  }
}
`;

describe("round trip: plan -> HCL (renderTerraform, the azurerm table) -> readNetwork", () => {
  const tags = { generator: "test", "data-sha256": "y" };
  const sets: Array<Omit<FirewallPolicyPlanOptions, "policy" | "policyName" | "ruleCollectionGroupName">> = [
    { groupPriority: 500, tier: "Standard", regionalTags: false, fqdnNetworkRules: false, threatIntelMode: "Alert", tags },
    { groupPriority: 65000, tier: "Premium", regionalTags: true, fqdnNetworkRules: true, threatIntelMode: "Deny", intrusionDetection: "Deny" },
    { groupPriority: 200, tier: "Premium", regionalTags: false, fqdnNetworkRules: false, threatIntelMode: "Off", intrusionDetection: "Alert" },
  ];

  it("the NSG, the policy (intrusion detection, DNS proxy, threat intelligence), the group and the route table read back as the plan", () => {
    let checked = 0;
    for (const rev of revisions) {
      for (const regions of [["eastus"], ["westeurope", "japaneast"]]) {
        const resolved = resolveRules({ revision: rev.id, regions, subnet: "192.0.2.0/24" });
        sets.forEach((set, i) => {
          const nsg = planNsg(resolved, { nsgName: `nsg-${i}`, regionalTags: set.regionalTags, internalScope: "subnet", denyInternetOutbound: i !== 0, hostNamesViaFirewall: i === 1, priorityStart: 100, priorityStep: 10, ...(set.tags ? { tags } : {}) });
          const fw = planFirewallPolicy(resolved, { ...set, policy: "create", policyName: `fwp-${i}`, ruleCollectionGroupName: "cassandra" });
          const rt = planRouteTable(resolved, { routeTableName: `rt-${i}`, mode: "service-tags", regionalTags: set.regionalTags, disableBgpRoutePropagation: i === 1 });
          const text = renderTerraform(
            { networkSecurityGroup: nsg.networkSecurityGroup, firewall: { firewallPolicy: fw.firewallPolicy as NonNullable<typeof fw.firewallPolicy>, ruleCollectionGroup: fw.ruleCollectionGroup }, routeTable: { table: rt.routeTable, routesOnly: false } },
            { header: ["round trip"] },
          );
          const { format, network } = readNetwork({ name: "main.tf", text });
          expect(format).toBe("hcl");
          expect(azureNetworkSchema.safeParse(network).success).toBe(true);
          expect(network.networkSecurityGroups.map(deployed)).toEqual([nsg.networkSecurityGroup]);
          expect(network.firewallPolicies.map(deployed)).toEqual([azurermView(fw.firewallPolicy as FirewallPolicy)]);
          expect(network.firewallPolicyRuleCollectionGroups.map(byPriority)).toEqual([fw.ruleCollectionGroup]);
          expect(network.routeTables.map(deployed)).toEqual([rt.routeTable]);
          // Nothing else is unknown: the location and the resource group are the file's only variables without a default;
          // the subnet associations stand under `count = var.subnet_id == null ? 0 : 1`, and subnet_id's default is null: none.
          expect(unknownsIn(network).filter((u) => !/variable '(location|resource_group_name)' has no default value/.test(u.reason))).toEqual([]);
          expect(network.unread).toEqual([]);
          expect(network.subnets).toEqual([]);
          checked++;
        });
      }
    }
    expect(checked).toBe(revisions.length * 2 * sets.length);
  });

  it("a group for an existing policy: the parent's name is an Unknown naming firewall_policy_id", () => {
    const fw = planFirewallPolicy(resolveRules({ regions: ["eastus"], subnet: "192.0.2.0/24" }), { ...(sets[0] as (typeof sets)[0]), policy: "existing", policyName: "hub", ruleCollectionGroupName: "g" });
    const { network } = readNetwork({ name: "main.tf", text: renderTerraform({ firewall: { ruleCollectionGroup: fw.ruleCollectionGroup } }, { header: [] }) });
    const [group] = network.firewallPolicyRuleCollectionGroups;
    expect(group?.firewallPolicyName).toEqual({ kind: "unknown", path: "resource.azurerm_firewall_policy_rule_collection_group.cassandra_mi.firewall_policy_id", reason: "variable 'firewall_policy_id' has no default value" });
    expect(byPriority({ ...group, firewallPolicyName: "hub" })).toEqual(fw.ruleCollectionGroup);
  });
});

describe("azurerm_firewall_policy's intrusion_detection (Premium IDPS)", () => {
  /** What both fixtures hold; the paths of what the model does not hold differ by form. */
  function expectIdps(network: AzureNetwork, at: string): void {
    expect(network.firewallPolicies.map((p) => p.properties)).toEqual([{ sku: { tier: "Premium" }, threatIntelMode: "Deny", dnsSettings: { enableProxy: true }, intrusionDetection: { mode: "Deny" } }]);
    expect(network.unread).toEqual([
      { kind: "unknown", path: `${at}.intrusion_detection[0].signature_overrides`, reason: "intrusion detection's signature_overrides is not read: the model holds only the mode" },
      { kind: "unknown", path: `${at}.intrusion_detection[0].traffic_bypass`, reason: "intrusion detection's traffic_bypass is not read: the model holds only the mode" },
    ]);
    expect(network.firewallPolicyRuleCollectionGroups.map((g) => [g.firewallPolicyName, g.name, g.properties.priority, g.properties.ruleCollections.length])).toEqual([["fwp-hub", "cassandra", 300, 1]]);
  }

  it("HCL: the mode into the model; signature overrides and traffic bypass listed as not read, naming the attribute", () => {
    const r = readNetwork(fixture("firewall-policy-idps.tf"));
    expect(r.format).toBe("hcl");
    expectIdps(r.network, "resource.azurerm_firewall_policy.hub");
  });

  it("plan JSON: the same", () => {
    const r = readNetwork(fixture("firewall-policy-idps.plan.json"));
    expect(r.format).toBe("tfplan");
    expectIdps(r.network, "resource_changes[0].change.after");
  });

  it("a mode known only after apply is an Unknown naming it; no intrusion_detection block, no intrusionDetection", () => {
    const plan = JSON.parse(fixture("firewall-policy-idps.plan.json").text) as { resource_changes: Array<{ change: { after: Record<string, unknown>; after_unknown: Record<string, unknown> } }> };
    const change = (plan.resource_changes[0] as (typeof plan.resource_changes)[0]).change;
    change.after.intrusion_detection = [{ private_ranges: null, signature_overrides: [], traffic_bypass: [] }];
    change.after_unknown.intrusion_detection = [{ mode: true }];
    const policy = readNetwork({ name: "plan.json", text: JSON.stringify(plan) }).network.firewallPolicies[0];
    expect(policy?.properties.intrusionDetection).toEqual({ mode: { kind: "unknown", path: "resource_changes[0].change.after.intrusion_detection[0].mode", reason: "known only after apply" } });
    change.after.intrusion_detection = [];
    change.after_unknown.intrusion_detection = [];
    expect(readNetwork({ name: "plan.json", text: JSON.stringify(plan) }).network.firewallPolicies[0]?.properties.intrusionDetection).toBeUndefined();
  });
});

describe("HCL template sequences", () => {
  const description = (text: string): unknown => {
    const rule = readNetwork({ name: "main.tf", text: nsgRule(`    description = "${text}"`) }).network.networkSecurityGroups[0]?.properties.securityRules[0] as SecurityRule;
    return rule.properties.description;
  };

  it("escaped %%{ and $${ are the literal text", () => {
    expect(description("100%%{ literal }")).toBe("100%{ literal }");
    expect(description("$${a} and %%{b} and %%%{c}")).toBe("${a} and %{b} and %%{c}");
    expect(description("a % { b $ { c")).toBe("a % { b $ { c");
  });

  it("a real directive is an Unknown whose path names the attribute and whose reason names the file and the directive", () => {
    expect(description("%{ if true }x%{ endif }")).toEqual({ kind: "unknown", path: "resource.azurerm_network_security_group.x.security_rule[0].description", reason: "a template directive (%{if true}) in main.tf, which this reader does not evaluate" });
    expect(description("100%%{ lit } then %{ for x in [1] }y%{ endfor }")).toMatchObject({ reason: "a template directive (%{for x in [1]}) in main.tf, which this reader does not evaluate" });
  });

  it("any text the renderer's escaping writes reads back as the text (NFC)", () => {
    // Line breaks and other control characters are escaped by escapeHclString, which quotes for native syntax.
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("$", "%", "{", "}", "\\", '"', "a", " ", "é", "\n") }), (s) => {
        expect(description(escapeHclString(s))).toBe(s === "" ? undefined : s.normalize("NFC"));
      }),
      { numRuns: Number(process.env.FC_NUM_RUNS ?? 60) },
    );
  });
});

describe("HCL: `count = x == null ? a : b`, object keys, locals", () => {
  const association = (count: string, subnetDefault: string) => `variable "subnet_id" {
  type    = string
  default = ${subnetDefault}
}
variable "no_default" {
  type = string
}
resource "azurerm_network_security_group" "x" {
  name                = "n"
  location            = "eastus"
  resource_group_name = "rg"
  tags = {
    "a$\${b} %%{c}" = "v"
    plain          = "w"
  }
}
resource "azurerm_subnet_network_security_group_association" "x" {
  count                     = ${count}
  subnet_id                 = var.subnet_id
  network_security_group_id = azurerm_network_security_group.x.id
}
`;
  const subnetId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s";
  const read = (text: string) => readNetwork({ name: "main.tf", text }).network;

  it("the condition on null decides the count: 0 makes no resource, 1 reads it (the subnet gets the NSG)", () => {
    expect(read(association("var.subnet_id == null ? 0 : 1", "null"))).toMatchObject({ subnets: [], unread: [] });
    const linked = read(association("var.subnet_id == null ? 0 : 1", `"${subnetId}"`));
    expect(linked.unread).toEqual([]);
    expect(linked.subnets).toEqual([{ name: "s", virtualNetworkName: "v", properties: { networkSecurityGroup: { id: resourceIdOf("Microsoft.Network/networkSecurityGroups", ["n"], { resourceGroup: "rg" }) } } }]);
    expect(read(association("var.subnet_id != null ? 1 : 0", `"${subnetId}"`)).subnets).toHaveLength(1);
    expect(read(association("var.subnet_id != null ? 1 : 0", "null")).subnets).toEqual([]);
  });

  it("a condition on an unknown value, or one this reader does not evaluate, leaves the resource not read, naming it", () => {
    expect(read(association("var.no_default == null ? 0 : 1", "null")).unread).toEqual([
      { kind: "unknown", path: "resource.azurerm_subnet_network_security_group_association.x.count", reason: "azurerm_subnet_network_security_group_association.x is repeated by count, which this reader does not expand" },
    ]);
    for (const count of ["var.subnet_id == null ? 0 : var.subnet_id == null ? 1 : 2", 'var.subnet_id == "" ? 0 : 1', "length(var.subnet_id) > 0 ? 1 : 0"]) {
      expect(read(association(count, `"${subnetId}"`)).unread.map((u) => u.path), count).toEqual(["resource.azurerm_subnet_network_security_group_association.x.count"]);
    }
  });

  it("an object's keys are templates: escapes undone; a key that is not known makes the object an Unknown", () => {
    expect(read(association("0", "null")).networkSecurityGroups[0]?.tags).toEqual({ "a${b} %{c}": "v", plain: "w" });
    const tags = read(association("0", "null").replace("plain ", "\"${var.no_default}\"")).networkSecurityGroups[0]?.tags;
    expect(tags).toMatchObject({ kind: "unknown", reason: "variable 'no_default' has no default value" });
  });

  it("readHclLocals: each local as the reader evaluates it, references and escapes included", () => {
    const text = 'variable "v" {\n  default = "x"\n}\nlocals {\n  a = { "k$${1}" = [var.v, "$${2}"] }\n  b = local.a\n  c = var.none\n}\n';
    const parsed = hclToJson("main.tf", text);
    expect(parsed.ok).toBe(true);
    const locals = readHclLocals((parsed as { value: Record<string, unknown> }).value, "main.tf");
    expect(locals).toEqual({ a: { "k${1}": ["x", "${2}"] }, b: { "k${1}": ["x", "${2}"] }, c: { kind: "unknown", path: "locals.c", reason: "variable 'none' is not declared" } });
  });
});

describe("Terraform plans without resource_changes", () => {
  const resource = (address: string, values: Record<string, unknown>) => ({ address, mode: "managed", type: address.split(".").at(-2), name: address.split(".").at(-1), values });
  const planned = {
    root_module: {
      resources: [resource("azurerm_route_table.rt", { name: "rt", location: "eastus", route: [{ name: "storage", address_prefix: "Storage", next_hop_type: "Internet", next_hop_in_ip_address: "" }] })],
      child_modules: [{ address: "module.net", resources: [resource("module.net.azurerm_ip_group.g", { name: "g", cidrs: ["198.51.100.0/24"] })] }],
    },
  };

  it("an empty or missing resource_changes: the resources of planned_values, root module and child modules", () => {
    for (const plan of [{ format_version: "1.2", resource_changes: [], planned_values: planned }, { format_version: "1.2", planned_values: planned }]) {
      const r = readNetwork({ name: "plan.json", text: JSON.stringify(plan) });
      expect(r.format).toBe("tfplan");
      expect(r.found).toEqual(["azurerm_ip_group", "azurerm_route_table"]);
      expect(r.network.routeTables.map((t) => [t.name, t.properties.routes])).toEqual([["rt", [{ name: "storage", properties: { addressPrefix: "Storage", nextHopType: "Internet" } }]]]);
      expect(r.network.ipGroups.map((g) => [g.name, g.properties.ipAddresses])).toEqual([["g", ["198.51.100.0/24"]]]);
    }
  });

  it("neither resource_changes nor planned_values: an error naming the file", () => {
    for (const [plan, changes] of [[{ format_version: "1.2", terraform_version: "1.9.8" }, "no"], [{ format_version: "1.2", resource_changes: [] }, "an empty"]] as const) {
      const e = thrown(() => readNetwork({ name: "empty-plan.json", text: JSON.stringify(plan) }));
      expect([e.file, e.path, e.detected]).toEqual(["empty-plan.json", "", "tfplan"]);
      expect(e.message).toBe(`empty-plan.json: a Terraform plan with ${changes} resource_changes and no planned_values (nor the values of a state): nothing says what the plan makes; give the output of 'terraform show -json PLANFILE'`);
    }
  });
});

describe("errors and Unknowns name the azurerm attribute as the input spells it, and the value", () => {
  it("HCL: a bad value of a block names the file, the block element and attribute, and the value", () => {
    const e = thrown(() => readNetwork({ name: "main.tf", text: nsgRule("").replace('"Outbound"', '"Sideways"') }));
    expect(e.message).toBe('main.tf: resource.azurerm_network_security_group.x.security_rule[0].direction: expected one of Inbound, Outbound (value: "Sideways")');
  });

  it("plan JSON: a rule collection's action, a route's next hop, a standalone rule's priority", () => {
    const plan = JSON.parse(fixture("firewall-policy-idps.plan.json").text) as { resource_changes: Array<{ change: { after: Record<string, unknown> } }> };
    const group = (plan.resource_changes[1] as (typeof plan.resource_changes)[0]).change.after as { network_rule_collection: Array<Record<string, unknown>> };
    (group.network_rule_collection[0] as Record<string, unknown>).action = "Maybe";
    expect(thrown(() => readNetwork({ name: "p.json", text: JSON.stringify(plan) })).message).toBe('p.json: resource_changes[1].change.after.network_rule_collection[0].action: expected one of Allow, Deny (value: "Maybe")');
    const changes = (after: Record<string, unknown>, type: string) => JSON.stringify({ format_version: "1.2", resource_changes: [{ address: `${type}.x`, mode: "managed", type, change: { actions: ["create"], after, after_unknown: {} } }] });
    expect(thrown(() => readNetwork({ name: "p.json", text: changes({ name: "rt", route: [{ name: "r", address_prefix: "0.0.0.0/0", next_hop_type: "Elsewhere" }] }, "azurerm_route_table") })).message).toBe(
      'p.json: resource_changes[0].change.after.route[0].next_hop_type: expected one of VirtualNetworkGateway, VnetLocal, Internet, VirtualAppliance, None (value: "Elsewhere")',
    );
    expect(thrown(() => readNetwork({ name: "p.json", text: changes({ name: "r", network_security_group_name: "n", priority: "first", direction: "Inbound", access: "Allow", protocol: "Tcp" }, "azurerm_network_security_rule") })).message).toBe(
      'p.json: resource_changes[0].change.after.priority: expected an integer (value: "first")',
    );
  });

  it("an Unknown the model's reader makes (a rule with no destination) names the azurerm attribute", () => {
    const text = nsgRule("").replace(/ *destination_address_prefix .*\n/, "");
    const rule = readNetwork({ name: "main.tf", text }).network.networkSecurityGroups[0]?.properties.securityRules[0] as SecurityRule;
    expect(rule.properties.destinationAddressPrefix).toMatchObject({ kind: "unknown", path: "resource.azurerm_network_security_group.x.security_rule[0].destination_address_prefix" });
  });
});

describe("the readers are pure", () => {
  it("no file under src/read touches the file system, the process or the network, but the HCL parser loading its own WebAssembly", () => {
    const dir = new URL("../src/read/", import.meta.url);
    const impure = /from "node:(fs|child_process|net|http|https|process)"|\bprocess\.(env|argv|exit|stdin|stdout)|\bfetch\(/;
    const offenders = readdirSync(dir).filter((f) => f.endsWith(".ts") && impure.test(readFileSync(new URL(f, dir), "utf8")));
    expect(offenders).toEqual(["hcl-parser.ts"]);
  });

  it("the same input gives the same model, and the input is not changed", () => {
    const doc = fixture("firewall-policy-idps.plan.json");
    const before = doc.text;
    expect(readNetwork(doc)).toEqual(readNetwork(doc));
    expect(doc.text).toBe(before);
  });
});

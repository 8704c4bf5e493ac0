/** readNetwork: format detection, InputError (file, path, reason, limit, expected and detected format), and the ARM features the readers evaluate. */
import { evaluateArmExpression, INPUT_LIMITS, isUnknown, readArmTemplate, readNetwork, type ExpressionScope, type InputDocument, type SecurityRule } from "@cassandra-mi-netrules/azure";
import { azureNetworkSchema } from "@cassandra-mi-netrules/azure/schema";
import { describe, expect, it } from "vitest";
import { thrown } from "./read-helpers.js";

const SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const arm = (resources: unknown, extra: Record<string, unknown> = {}): string => JSON.stringify({ $schema: SCHEMA, contentVersion: "1.0.0.0", ...extra, resources });
const rule = (name: string, priority: unknown, more: Record<string, unknown> = {}) => ({ name, properties: { priority, direction: "Outbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "Storage", destinationPortRange: "443", ...more } });
const nsg = (name: string, rules: unknown[]) => ({ type: "Microsoft.Network/networkSecurityGroups", apiVersion: "2024-05-01", name, properties: { securityRules: rules } });
const doc = (text: string, name = "input.json"): InputDocument => ({ name, text });

describe("format detection and format errors", () => {
  it.each([
    ["arm", arm([])],
    ["arm", JSON.stringify({ resources: { nsg: nsg("n", []) }, languageVersion: "2.0" })],
    ["az", JSON.stringify({ name: "n", securityRules: [], defaultSecurityRules: [] })],
    ["az", JSON.stringify([{ id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/routeTables/t", name: "t", routes: [] }])],
    ["resource-graph", JSON.stringify({ count: 0, data: [], skip_token: null, total_records: 0 })],
    ["resource-graph", JSON.stringify([{ id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/ipGroups/i", name: "i", type: "microsoft.network/ipgroups", tenantId: "t", subscriptionId: "s", resourceGroup: "g", properties: { ipAddresses: [] } }])],
    ["tfplan", JSON.stringify({ format_version: "1.2", terraform_version: "1.9.8", planned_values: { root_module: {} } })],
    ["hcl", 'resource "azurerm_ip_group" "g" {\n  name  = "g"\n  cidrs = ["192.0.2.0/24"]\n}\n'],
  ])("%s: %s", (format, text) => {
    expect(readNetwork(doc(text)).format).toBe(format);
  });

  it("a wrong --format names the expected and the detected format, and never prints the input", () => {
    const secret = "do-not-print-me";
    const e = thrown(() => readNetwork(doc(arm([nsg(secret, [])]), "nsg.json"), { format: "tfplan" }));
    expect([e.file, e.path, e.expected, e.detected]).toEqual(["nsg.json", "", "tfplan", "arm"]);
    expect(e.message).toBe("nsg.json: expected a Terraform plan (terraform show -json) (format tfplan), but the input looks like an ARM template (format arm)");
    expect(e.message).not.toContain(secret);
    expect(thrown(() => readNetwork(doc(JSON.stringify({ hello: secret })), { format: "az" })).detected).toBe("unknown");
  });

  it("input of no known format, input that is not JSON, a parameters file given as the template: plain errors naming the file", () => {
    expect(thrown(() => readNetwork(doc(JSON.stringify({ hello: "world" }), "x.json"))).message).toMatch(/^x\.json: not a format this reader knows: expected an ARM template, az CLI JSON output/);
    const notJson = thrown(() => readNetwork(doc('{"a": \u001b[31m}', "bad.json")));
    expect(notJson.message).toMatch(/^bad\.json: not valid JSON/);
    expect(notJson.message).not.toContain("\u001b");
    expect(thrown(() => readNetwork(doc(JSON.stringify({ $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", parameters: {} }), "p.json"))).message).toMatch(/this is an ARM parameters file, not a template/);
    expect(thrown(() => readNetwork(doc('resource "azurerm_ip_group" "g" {', "main.tf"))).message).toMatch(/^main\.tf: line 1, column \d+: not valid HCL: Unclosed configuration block/);
  });

  it("deep nesting and huge input: a plain error with the limit", () => {
    const deep = thrown(() => readNetwork(doc(`${"[".repeat(5000)}${"]".repeat(5000)}`, "deep.json")));
    expect(deep.limit).toEqual({ name: "maxDepth", value: INPUT_LIMITS.maxDepth });
    expect(deep.message).toBe(`deep.json: the input nests arrays and objects deeper than the limit of ${INPUT_LIMITS.maxDepth} levels`);
    const huge = { name: "huge.json", text: { length: INPUT_LIMITS.maxCharacters + 1 } as unknown as string };
    const e = thrown(() => readNetwork(huge));
    expect(e.limit).toEqual({ name: "maxCharacters", value: INPUT_LIMITS.maxCharacters });
    expect(e.message).toMatch(/^huge\.json: the input has \d+ characters, more than the limit of 268435456$/);
  });

  it("the nesting limit is exact: 100 levels read, 101 refused, of arrays or objects, in a field no reader looks at", () => {
    const arrays = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    const objects = (n: number) => `${'{"a":'.repeat(n - 1)}{}${"}".repeat(n - 1)}`;
    // The row's `properties.unused` stands at level 5 (document, data, row, properties, value).
    const graph = (n: number) => `{"count":1,"data":[{"name":"n","type":"microsoft.network/networksecuritygroups","properties":{"securityRules":[],"unused":${arrays(n - 4)}}}]}`;
    for (const make of [arrays, objects, graph]) {
      expect(thrown(() => readNetwork(doc(make(INPUT_LIMITS.maxDepth + 1)))).limit).toEqual({ name: "maxDepth", value: INPUT_LIMITS.maxDepth });
      let atLimit: unknown;
      try {
        readNetwork(doc(make(INPUT_LIMITS.maxDepth)));
      } catch (e) {
        atLimit = e;
      }
      expect((atLimit as { limit?: unknown } | undefined)?.limit).toBeUndefined();
    }
    expect(readNetwork(doc(graph(INPUT_LIMITS.maxDepth))).network.networkSecurityGroups).toHaveLength(1);
  });

  it("an invalid value names the file, the path and a short excerpt of the value", () => {
    const e = thrown(() => readNetwork(doc(arm([nsg("n", [rule("r", 100, { direction: "Sideways" })])]), "nsg.json")));
    expect([e.file, e.path]).toEqual(["nsg.json", "resources[0].properties.securityRules[0].properties.direction"]);
    expect(e.message).toBe('nsg.json: resources[0].properties.securityRules[0].properties.direction: expected one of Inbound, Outbound (value: "Sideways")');
  });

  it("data input (az, Resource Graph): a list of strings is read as given; an element that is not a string names its index", () => {
    const azNsg = (prefixes: unknown[]) => JSON.stringify([{ name: "n", securityRules: [{ name: "r", ...rule("r", 100, { sourceAddressPrefix: undefined, sourceAddressPrefixes: prefixes }).properties }] }]);
    const read = readNetwork(doc(azNsg(["192.0.2.0/24", "Storage"]))).network.networkSecurityGroups[0]?.properties.securityRules[0] as SecurityRule;
    expect(read.properties.sourceAddressPrefixes).toEqual(["192.0.2.0/24", "Storage"]);
    const e = thrown(() => readNetwork(doc(azNsg(["192.0.2.0/24", 5]), "az.json")));
    expect(e.message).toBe("az.json: [0].securityRules[0].sourceAddressPrefixes[1]: expected a string (value: 5)");
  });

  it("data input: a priority is an integer (or its digits), a rule is an object; anything else names the field", () => {
    const azRule = (raw: unknown) => JSON.stringify([{ name: "n", securityRules: [Array.isArray(raw) ? raw : { name: "r", ...(raw as object) }] }]);
    const read = (raw: unknown) => readNetwork(doc(azRule(raw), "az.json")).network.networkSecurityGroups[0]?.properties.securityRules[0] as SecurityRule;
    expect([read(rule("r", 100).properties).properties.priority, read(rule("r", "200").properties).properties.priority]).toEqual([100, 200]);
    expect(thrown(() => read(rule("r", 100.5).properties)).message).toBe("az.json: [0].securityRules[0].priority: expected an integer (value: 100.5)");
    expect(thrown(() => read(rule("r", "1e2").properties)).message).toBe('az.json: [0].securityRules[0].priority: expected an integer (value: "1e2")');
    expect(thrown(() => read([rule("r", 100).properties])).message).toMatch(/^az\.json: \[0\]\.securityRules\[0\]: expected an object \(value: \[/);
  });
});

describe("ARM parameters files and several documents", () => {
  const t = arm([nsg("n", [rule("r", "[parameters('p')]", { destinationAddressPrefix: "[parameters('dest')]" })])], { parameters: { p: { type: "int" }, dest: { type: "string", defaultValue: "Storage" } } });
  it("values as `az deployment group create --parameters` takes them; a Key Vault reference is not known; an undeclared name is an error naming the parameters file", () => {
    const given = (parameters: unknown) => readNetwork(doc(t), { parameters: doc(JSON.stringify(parameters), "p.json") }).network.networkSecurityGroups[0]?.properties.securityRules[0] as SecurityRule;
    expect(given({ $schema: "x", contentVersion: "1.0.0.0", parameters: { p: { value: 150 } } }).properties.priority).toBe(150);
    expect(given({ p: { value: 151 }, dest: { value: "[not an expression]" } }).properties).toMatchObject({ priority: 151, destinationAddressPrefix: "[not an expression]" });
    expect(given({ parameters: { p: { reference: { keyVault: { id: "/x" }, secretName: "s" } } } }).properties.priority).toEqual({ kind: "unknown", path: "resources[0].properties.securityRules[0].properties.priority", reason: "parameter 'p' is a Key Vault reference in p.json" });
    const e = thrown(() => given({ parameters: { q: { value: 1 } } }));
    expect([e.file, e.path, e.reason]).toEqual(["p.json", "parameters.q", "no template given declares the parameter 'q'"]);
    expect(thrown(() => given({ parameters: { p: 3 } })).message).toBe('p.json: parameters.p: expected { "value": ... } or { "reference": ... }, got 3');
  });

  it("several documents read into one model; their Unknowns' paths name the file", () => {
    const subnet = JSON.stringify({ id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/c", name: "c", addressPrefix: "192.0.2.0/24", networkSecurityGroup: { id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/n" } });
    const r = readNetwork([doc(t, "nsg.json"), doc(subnet, "subnet.json")]);
    expect(r.format).toBe("arm");
    expect(r.network.subnets.map((s) => [s.virtualNetworkName, s.name])).toEqual([["v", "c"]]);
    expect((r.network.networkSecurityGroups[0]?.properties.securityRules[0] as SecurityRule).properties.priority).toEqual({ kind: "unknown", path: "nsg.json#resources[0].properties.securityRules[0].properties.priority", reason: "parameter 'p' has no default value and none was given" });
  });
});

describe("ARM features", () => {
  it("property copy loops with copyIndex('name'), resource copy loops with copyIndex(offset), variable copy loops, nullable parameters", () => {
    const t = arm(
      [
        { type: "Microsoft.Network/networkSecurityGroups", apiVersion: "2024-05-01", name: "[concat('nsg-', copyIndex(1))]", copy: { name: "nsgs", count: 2 }, properties: { copy: [{ name: "securityRules", count: "[length(variables('tags'))]", input: rule("[format('r-{0}-{1}', copyIndex(), copyIndex('securityRules'))]", "[add(200, mul(10, copyIndex('securityRules')))]", { destinationAddressPrefix: "[variables('tags')[copyIndex('securityRules')]]" }) }] } },
        { type: "Microsoft.Network/routeTables", apiVersion: "2024-05-01", name: "rt", properties: { routes: "[variables('routes')]" } },
        { type: "Microsoft.Network/routeTables", apiVersion: "2024-05-01", name: "none", properties: { routes: "[parameters('maybe')]" } },
      ],
      {
        parameters: { maybe: { $ref: "#/definitions/routes" } },
        definitions: { routes: { type: "array", nullable: true } },
        variables: { tags: ["Storage", "AzureKeyVault"], copy: [{ name: "routes", count: 2, input: { name: "[concat('r', copyIndex('routes'))]", properties: { addressPrefix: "[format('192.0.2.{0}/32', copyIndex('routes'))]", nextHopType: "Internet" } } }] },
      },
    );
    const { network } = readNetwork(doc(t));
    expect(azureNetworkSchema.safeParse(network).success).toBe(true);
    expect(network.networkSecurityGroups.map((n) => [n.name, (n.properties.securityRules as SecurityRule[]).map((r) => [r.name, r.properties.priority, r.properties.destinationAddressPrefix])])).toEqual([
      ["nsg-1", [["r-0-0", 200, "Storage"], ["r-0-1", 210, "AzureKeyVault"]]],
      ["nsg-2", [["r-1-0", 200, "Storage"], ["r-1-1", 210, "AzureKeyVault"]]],
    ]);
    expect(network.routeTables.map((r) => [r.name, r.properties.routes])).toEqual([
      ["rt", [{ name: "r0", properties: { addressPrefix: "192.0.2.0/32", nextHopType: "Internet" } }, { name: "r1", properties: { addressPrefix: "192.0.2.1/32", nextHopType: "Internet" } }]],
      ["none", []],
    ]);
  });

  it("a copy loop whose count is not known is listed as unread, naming the count; over ARM's 800 is an error", () => {
    const unknownCount = readNetwork(doc(arm([{ ...nsg("n", []), copy: { name: "c", count: "[parameters('n')]" } }], { parameters: { n: { type: "int" } } })));
    expect(unknownCount.network.unread).toEqual([{ kind: "unknown", path: "resources[0].copy.count", reason: "copy loop 'c' of Microsoft.Network/networkSecurityGroups: its count is not known: parameter 'n' has no default value and none was given" }]);
    const props = readNetwork(doc(arm([{ type: "Microsoft.Network/networkSecurityGroups", apiVersion: "2024-05-01", name: "n", properties: { copy: [{ name: "securityRules", count: "[parameters('n')]", input: {} }] } }], { parameters: { n: { type: "int" } } })));
    expect(props.network.networkSecurityGroups[0]?.properties.securityRules).toEqual([{ kind: "unknown", path: "resources[0].properties.securityRules", reason: "built by copy loop 'securityRules' (resources[0].properties.copy[0]): its count is not known: parameter 'n' has no default value and none was given" }]);
    expect(thrown(() => readNetwork(doc(arm([{ ...nsg("n", []), copy: { name: "c", count: 801 } }])))).message).toMatch(/resources\[0\]\.copy\.count: a copy loop runs at most 800 times \(ARM's limit\)/);
  });

  it("nested deployments: inner scope with its parameters evaluated in the parent, outer scope in the parent's; a linked template is unread", () => {
    const inner = { $schema: SCHEMA, contentVersion: "1.0.0.0", parameters: { nsgName: { type: "string" }, rules: { type: "array" } }, resources: [{ type: "Microsoft.Network/networkSecurityGroups", apiVersion: "2024-05-01", name: "[parameters('nsgName')]", properties: { securityRules: "[parameters('rules')]" } }] };
    const outer = { $schema: SCHEMA, contentVersion: "1.0.0.0", resources: [{ type: "Microsoft.Network/routeTables", apiVersion: "2024-05-01", name: "[variables('rt')]", properties: { routes: [] } }] };
    const t = arm(
      [
        { type: "Microsoft.Resources/deployments", apiVersion: "2022-09-01", name: "inner", resourceGroup: "rg-net", properties: { mode: "Incremental", expressionEvaluationOptions: { scope: "inner" }, parameters: { nsgName: { value: "[concat(parameters('prefix'), '-nsg')]" }, rules: { value: [rule("from-parent", "[parameters('p')]")] } }, template: inner } },
        { type: "Microsoft.Resources/deployments", apiVersion: "2022-09-01", name: "outer", properties: { mode: "Incremental", template: outer } },
        { type: "Microsoft.Network/virtualNetworks", apiVersion: "2024-05-01", name: "v", properties: { subnets: [{ name: "c", properties: { addressPrefix: "192.0.2.0/24", networkSecurityGroup: { id: "[resourceId('rg-net', 'Microsoft.Network/networkSecurityGroups', concat(parameters('prefix'), '-nsg'))]" } } }] } },
        { type: "Microsoft.Resources/deployments", apiVersion: "2022-09-01", name: "linked", properties: { mode: "Incremental", templateLink: { uri: "https://example.invalid/t.json" } } },
      ],
      { parameters: { prefix: { type: "string", defaultValue: "cassandra" }, p: { type: "int", defaultValue: 120 } }, variables: { rt: "rt-parent" } },
    );
    const { network } = readNetwork(doc(t));
    expect(network.networkSecurityGroups.map((n) => [n.name, (n.properties.securityRules as SecurityRule[]).map((r) => [r.name, r.properties.priority])])).toEqual([["cassandra-nsg", [["from-parent", 120]]]]);
    expect(network.routeTables.map((r) => r.name)).toEqual(["rt-parent"]);
    expect(network.subnets[0]?.properties.networkSecurityGroup?.id).toBe("/subscriptions/{subscriptionId}/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/cassandra-nsg");
    expect(network.unread.map((u) => u.path)).toEqual(["resources[3].properties.templateLink"]);
  });

  it("languageVersion 2.0: symbolic resources, `existing` resources are references whose children still join them", () => {
    const t = JSON.stringify({ $schema: SCHEMA, languageVersion: "2.0", contentVersion: "1.0.0.0", resources: { hub: { existing: true, type: "Microsoft.Network/networkSecurityGroups", apiVersion: "2024-05-01", name: "hub-nsg" }, extra: { type: "Microsoft.Network/networkSecurityGroups/securityRules", apiVersion: "2024-05-01", name: "hub-nsg/extra", properties: rule("x", 300).properties } } });
    const [hub] = readNetwork(doc(t)).network.networkSecurityGroups;
    expect(hub?.name).toBe("hub-nsg");
    expect(isUnknown(hub?.properties.securityRules[0])).toBe(true);
    expect((hub?.properties.securityRules[1] as SecurityRule).properties.priority).toBe(300);
  });

  it("an expression that cannot be evaluated is an Unknown naming the field, never an exception", () => {
    const { network } = readNetwork(doc(arm([nsg("n", [rule("r", "[add(1, ]", { destinationAddressPrefix: "[reference('x').ip]", description: `[${"concat(".repeat(200)}'a'${")".repeat(200)}]` })])])));
    const p = (network.networkSecurityGroups[0]?.properties.securityRules[0] as SecurityRule).properties;
    expect(p.priority).toEqual({ kind: "unknown", path: "resources[0].properties.securityRules[0].properties.priority", reason: expect.stringContaining("not a valid ARM expression") });
    expect(p.destinationAddressPrefix).toEqual({ kind: "unknown", path: "resources[0].properties.securityRules[0].properties.destinationAddressPrefix", reason: "reference() depends on the deployment" });
    expect(p.description).toEqual({ kind: "unknown", path: "resources[0].properties.securityRules[0].properties.description", reason: expect.stringContaining("nested deeper than 64 levels") });
  });

  it("readArmTemplate keeps working for its users: text or parsed value, parameters as values", () => {
    const t = arm([nsg("n", [rule("r", "[parameters('p')]")])], { parameters: { p: { type: "int" } } });
    expect((readArmTemplate(JSON.parse(t), { parameters: { p: 4000 } }).networkSecurityGroups[0]?.properties.securityRules[0] as SecurityRule).properties.priority).toBe(4000);
  });
});

describe("the template functions Bicep and Azure Verified Modules emit", () => {
  const scope: ExpressionScope = {
    parameter: (n) => (n === "rules" ? { ok: true, value: [{ name: "a", properties: { priority: 100, description: "[[x" } }] } : n === "nothing" ? { ok: true, value: null } : { ok: false, reason: `parameter '${n}' missing` }),
    variable: () => ({ ok: false, reason: "no" }),
    settle: (raw) => (raw.startsWith("[[") ? { ok: true, value: raw.slice(1) } : raw.startsWith("[") ? evaluateArmExpression(raw.slice(1, -1), scope) : { ok: true, value: raw }),
    copyIndex: (loop) => (loop === undefined || loop === "rules" ? { ok: true, value: 0 } : { ok: false, reason: `not in '${loop}'` }),
  };
  it.each([
    ["add(111, copyIndex())", 111],
    ["add(copyIndex('rules', 5), 1)", 6],
    ["sub(10, 3)", 7],
    ["string(add(1, 2))", "3"],
    ["string(true())", "True"],
    ["int('42')", 42],
    ["toLower('AzureCloud')", "azurecloud"],
    ["coalesce(parameters('nothing'), createArray())", []],
    ["coalesce(null(), 'x', parameters('missing'))", "x"],
    ["if(true(), 'yes', parameters('missing'))", "yes"],
    ["and(false(), parameters('missing'))", false],
    ["tryGet(parameters('rules')[0].properties, 'destinationAddressPrefix')", null],
    ["tryGet(parameters('rules')[0], 'properties', 'priority')", 100],
    ["parameters('rules')[copyIndex('rules')].properties.description", "[x"],
    ["parameters('rules')[0].?missing", null],
    ["length(coalesce(parameters('nothing'), createArray()))", 0],
    ["union(createObject('a', 1), createObject('b', 2))", { a: 1, b: 2 }],
    ["union(createArray(1, 2), createArray(2, 3))", [1, 2, 3]],
    ["empty(createArray())", true],
    ["contains(createArray('a', 'b'), 'b')", true],
    ["map(createArray('x', 'y'), lambda('id', createObject('id', lambdaVariables('id'))))", [{ id: "x" }, { id: "y" }]],
    ["filter(createArray(1, 2, 3), lambda('n', greater(lambdaVariables('n'), 1)))", [2, 3]],
    ["json('{\"a\": [1]}').a[0]", 1],
    ["range(3, 2)", [3, 4]],
    ["split('a,b', ',')[1]", "b"],
    ["format('{0}-{1}', 'a', 7)", "a-7"],
    ["resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/v/subnets/s"],
    ["resourceId('sub-1', 'rg-1', 'Microsoft.Network/networkSecurityGroups', 'n')", "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Network/networkSecurityGroups/n"],
  ])("%s is %j", (source, value) => {
    expect(evaluateArmExpression(source, scope)).toEqual({ ok: true, value });
  });
  it.each([
    ["uniqueString(resourceGroup().id)", "uniqueString() depends on the deployment"],
    ["if(parameters('missing'), 1, 2)", "parameter 'missing' missing"],
    ["copyIndex('other')", "not in 'other'"],
    ["base64('x')", "the function base64() is not evaluated by this reader"],
  ])("%s is not known: %s", (source, reason) => {
    expect(evaluateArmExpression(source, scope)).toEqual({ ok: false, reason });
  });
});

describe("Terraform HCL and plans", () => {
  const hcl = `
variable "prefix" {
  default = "cassandra"
}
variable "cluster_subnet" {
  type = string
}
locals {
  deny_priority = 100
}
resource "azurerm_network_security_group" "nsg" {
  name                = "\${var.prefix}-nsg"
  location            = "eastus"
  resource_group_name = "rg"
  security_rule {
    name                       = "deny-cloud"
    priority                   = local.deny_priority
    direction                  = "Outbound"
    access                     = "Deny"
    protocol                   = "*"
    source_address_prefix      = var.cluster_subnet
    source_port_range          = "*"
    destination_address_prefix = "AzureCloud"
    destination_port_range     = "*"
  }
  dynamic "security_rule" {
    for_each = []
    content {}
  }
}
resource "azurerm_subnet" "cassandra" {
  name                 = "snet"
  resource_group_name  = "rg"
  virtual_network_name = "vnet"
  address_prefixes     = ["192.0.2.0/24"]
}
resource "azurerm_subnet_network_security_group_association" "a" {
  subnet_id                 = azurerm_subnet.cassandra.id
  network_security_group_id = azurerm_network_security_group.nsg.id
}
resource "azurerm_route_table" "many" {
  count = 2
  name  = "rt-\${count.index}"
}
`;
  it("variables with a default, locals, references to names and ids; a variable without a default, a dynamic block and count are Unknowns naming them", () => {
    const { format, network } = readNetwork(doc(hcl, "main.tf"));
    expect(format).toBe("hcl");
    expect(azureNetworkSchema.safeParse(network).success).toBe(true);
    const [nsg] = network.networkSecurityGroups;
    expect(nsg?.name).toBe("cassandra-nsg");
    const [deny, dynamic] = nsg?.properties.securityRules ?? [];
    expect((deny as SecurityRule).properties).toMatchObject({ priority: 100, access: "Deny", destinationAddressPrefix: "AzureCloud", sourceAddressPrefix: { kind: "unknown", path: "resource.azurerm_network_security_group.nsg.security_rule[0].source_address_prefix", reason: "variable 'cluster_subnet' has no default value" } });
    expect(dynamic).toEqual({ kind: "unknown", path: "resource.azurerm_network_security_group.nsg.dynamic.security_rule", reason: 'built by a dynamic "security_rule" block, which this reader does not expand' });
    expect(network.subnets.map((s) => [s.virtualNetworkName, s.name, s.properties.networkSecurityGroup?.id])).toEqual([["vnet", "snet", "/subscriptions/{subscriptionId}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/cassandra-nsg"]]);
    expect(network.unread).toEqual([{ kind: "unknown", path: "resource.azurerm_route_table.many.count", reason: "azurerm_route_table.many is repeated by count, which this reader does not expand" }]);
  });

  it("a plan's references stand for the ids Terraform knows only after apply: a subnet association links the subnet to its NSG", () => {
    const plan = {
      format_version: "1.2",
      resource_changes: [
        { address: "azurerm_network_security_group.nsg", mode: "managed", type: "azurerm_network_security_group", change: { actions: ["create"], after: { name: "nsg", resource_group_name: "rg", location: "eastus" }, after_unknown: { id: true, security_rule: true } } },
        { address: "azurerm_subnet.s", mode: "managed", type: "azurerm_subnet", change: { actions: ["create"], after: { name: "snet", virtual_network_name: "vnet", resource_group_name: "rg", address_prefixes: ["192.0.2.0/24"] }, after_unknown: { id: true } } },
        { address: "azurerm_subnet_network_security_group_association.a", mode: "managed", type: "azurerm_subnet_network_security_group_association", change: { actions: ["create"], after: {}, after_unknown: { id: true, subnet_id: true, network_security_group_id: true } } },
        { address: "azurerm_route_table.old", mode: "managed", type: "azurerm_route_table", change: { actions: ["delete"], before: { name: "old" }, after: null } },
      ],
      configuration: { root_module: { resources: [{ address: "azurerm_subnet_network_security_group_association.a", expressions: { subnet_id: { references: ["azurerm_subnet.s.id", "azurerm_subnet.s"] }, network_security_group_id: { references: ["azurerm_network_security_group.nsg.id", "azurerm_network_security_group.nsg"] } } }] } },
    };
    const { network } = readNetwork(doc(JSON.stringify(plan), "plan.json"));
    expect(network.networkSecurityGroups.map((n) => [n.name, n.properties.securityRules])).toEqual([["nsg", []]]);
    expect(network.subnets[0]?.properties.networkSecurityGroup?.id).toBe("/subscriptions/{subscriptionId}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg");
    expect(network.routeTables).toEqual([]);
  });

  it("Resource Graph's REST table form (columns and rows)", () => {
    const table = { totalRecords: 1, count: 1, data: { columns: [{ name: "id" }, { name: "name" }, { name: "type" }, { name: "properties" }], rows: [["/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/ipGroups/i", "i", "microsoft.network/ipgroups", { ipAddresses: ["192.0.2.1"] }]] } };
    const r = readNetwork(doc(JSON.stringify(table)));
    expect([r.format, r.network.ipGroups.map((g) => g.properties.ipAddresses)]).toEqual(["resource-graph", [["192.0.2.1"]]]);
  });
});

import { readFileSync } from "node:fs";
import { checkArmSemantics, parseNsgTemplate, validateArmSchema, validateArmTemplate } from "@cassandra-mi-netrules/testkit/arm";
import { mutationTests, type ArmMutation } from "@cassandra-mi-netrules/testkit/arm-emitter";
import { describe, expect, it } from "vitest";

/** The validator itself is tested: each mutation of a golden file must fail, naming the resource and the field. */

type Doc = {
  parameters: Record<string, unknown>;
  metadata: Record<string, unknown>;
  resources: Array<Record<string, unknown> & { properties: { securityRules: Array<{ name: string; properties: Record<string, unknown> }> } }>;
};
const goldenText = readFileSync(new URL("./__golden__/eastus-locked-down-vnet.nsg.json", import.meta.url), "utf8");
const rules = (d: Doc) => (d.resources[0] as Doc["resources"][number]).properties.securityRules;
const rule = (d: Doc, i: number) => (rules(d)[i] as { properties: Record<string, unknown> }).properties;
const NSG = "resources[0] Microsoft.Network/networkSecurityGroups '[parameters('nsgName')]'";

const mutations: Array<ArmMutation<Doc>> = [
  { name: "priority below 100", mutate: (d) => (rule(d, 1).priority = 5), field: /securityRules\/1 .*\/properties\/priority 5 is outside 100-4096/ },
  { name: "priority above 4096", mutate: (d) => (rule(d, 2).priority = 5000), field: /securityRules\/2 .*\/properties\/priority 5000 is outside/ },
  { name: "duplicate priority in one direction", mutate: (d) => (rule(d, 3).priority = rule(d, 2).priority), field: /securityRules\/3 .*\/properties\/priority 110 \(Outbound\) is also the priority of/ },
  { name: "priority as a string", mutate: (d) => (rule(d, 1).priority = "100"), field: /\/properties\/securityRules\/1\/properties\/priority must be integer/ },
  { name: "access not Allow/Deny", mutate: (d) => (rule(d, 1).access = "Maybe"), field: /\/properties\/securityRules\/1\/properties\/access must be equal to one of the allowed values \["Allow","Deny"\]/ },
  { name: "direction missing", mutate: (d) => delete rule(d, 1).direction, field: /\/properties\/securityRules\/1\/properties must have required property 'direction'/ },
  { name: "protocol unknown", mutate: (d) => (rule(d, 1).protocol = "Sctp"), field: /\/properties\/securityRules\/1\/properties\/protocol must be equal to one of/ },
  { name: "name of 81 characters", mutate: (d) => ((rules(d)[1] as { name: string }).name = "a".repeat(81)), field: /securityRules\/1 .*\/name "a{81}" must have 1-80/ },
  { name: "name with a space", mutate: (d) => ((rules(d)[1] as { name: string }).name = "allow storage"), field: /securityRules\/1 'allow storage'.*\/name .* must have 1-80 letters/ },
  { name: "name ending in a dot", mutate: (d) => ((rules(d)[1] as { name: string }).name = "storage."), field: /\/name "storage\." must/ },
  { name: "duplicate rule name", mutate: (d) => ((rules(d)[2] as { name: string }).name = (rules(d)[1] as { name: string }).name), field: /securityRules\/2 .*\/name "cassandra-out-storage" is also the name of/ },
  { name: "unknown service tag", mutate: (d) => (rule(d, 1).destinationAddressPrefix = "Storage.Nowhere"), field: /securityRules\/1 .*destinationAddressPrefix service tag "Storage.Nowhere" is not in the service-tags file/ },
  { name: "tag whose networkFeatures is null", mutate: (d) => (rule(d, 3).destinationAddressPrefix = "AzureResourceManager.EastUS"), field: /securityRules\/3 .*destinationAddressPrefix service tag "AzureResourceManager.EastUS" does not list NSG/ },
  { name: "wrong case of a tag", mutate: (d) => (rule(d, 1).destinationAddressPrefix = "storage"), field: /destinationAddressPrefix service tag "storage" is not in the service-tags file/ },
  {
    name: "two service tags in one rule",
    mutate: (d) => {
      delete rule(d, 1).destinationAddressPrefix;
      rule(d, 1).destinationAddressPrefixes = ["Storage", "AzureKeyVault"];
    },
    field: /securityRules\/1 .*destinationAddressPrefixes\/0 service tag "Storage" in a list; one service tag per rule/,
  },
  { name: "both destination forms", mutate: (d) => (rule(d, 1).destinationAddressPrefixes = ["10.0.0.0/8"]), field: /securityRules\/1 .*destinationAddressPrefix: exactly one of/ },
  { name: "invalid CIDR", mutate: (d) => (rule(d, 1).sourceAddressPrefix = "10.9.0.300/24"), field: /securityRules\/1 .*sourceAddressPrefix "10.9.0.300\/24" is not a valid IP address or CIDR prefix/ },
  { name: "IPv4 and IPv6 mixed", mutate: (d) => (rule(d, 10).sourceAddressPrefix = "2001:db8::/64"), field: /securityRules\/10 .*mix IPv4 and IPv6/ },
  { name: "port past 65535", mutate: (d) => (rule(d, 1).destinationPortRange = "70000"), field: /securityRules\/1 .*destinationPortRange "70000" is outside 0-65535/ },
  { name: "port range reversed", mutate: (d) => (rule(d, 1).destinationPortRange = "500-400"), field: /destinationPortRange "500-400" is a range whose start passes its end/ },
  { name: "port that is not a number", mutate: (d) => (rule(d, 1).destinationPortRange = "https"), field: /destinationPortRange "https" is not a port/ },
  { name: "port list and single port", mutate: (d) => (rule(d, 1).destinationPortRanges = ["443"]), field: /destinationPortRange: exactly one of destinationPortRange, destinationPortRanges/ },
  { name: "description over 140 characters", mutate: (d) => (rule(d, 1).description = "x".repeat(141)), field: /securityRules\/1 .*description has 141 characters/ },
  { name: "unescaped [ in a description", mutate: (d) => (rule(d, 1).description = "[tag] storage"), field: /\/properties\/securityRules\/1\/properties\/description: "\[tag\] storage" starts with '\['/ },
  { name: "data that looks like an expression", mutate: (d) => (rule(d, 1).destinationAddressPrefix = "[concat('Sto','rage')]"), field: /\/properties\/securityRules\/1\/properties\/destinationAddressPrefix: "\[concat\('Sto','rage'\)\]" starts with '\[' \(an ARM expression\) where the template holds data/ },
  { name: "undeclared parameter", mutate: (d) => ((d.resources[0] as Record<string, unknown>).location = "[parameters('where')]"), field: new RegExp(`${NSG.replace(/[[\]()'/]/g, "\\$&")}: /location: .*parameters\\('where'\\), which the template does not declare`) },
  { name: "unescaped [ in metadata", mutate: (d) => ((d.metadata as Record<string, unknown>).note = "[x]"), field: /template: \/metadata\/note: "\[x\]" starts with '\[' in metadata/ },
  { name: "apiVersion not in the schemas", mutate: (d) => ((d.resources[0] as Record<string, unknown>).apiVersion = "2023-11-01"), field: /no local schema for Microsoft.Network\/networkSecurityGroups@2023-11-01/ },
  { name: "parameter type in camelCase", mutate: (d) => ((d.parameters.nsgName as Record<string, unknown>).type = "secureString"), field: /template: \/parameters\/nsgName\/type must be equal to one of the allowed values/ },
  { name: "languageVersion 2.0", mutate: (d) => ((d as unknown as Record<string, unknown>).languageVersion = "2.0"), field: /template: \/ must NOT have additional properties \(languageVersion\)/ },
  { name: "NSG name parameter defaulting to a bad name", mutate: (d) => ((d.parameters.nsgName as Record<string, unknown>).defaultValue = "nsg cassandra"), field: new RegExp(`^${NSG.replace(/[[\]()'/]/g, "\\$&")}: /name "nsg cassandra" must have 1-80`) },
  {
    name: "more than 1000 rules in one NSG",
    mutate: (d) => {
      const template = rules(d)[1] as { name: string; properties: Record<string, unknown> };
      for (let i = 0; i < 1000; i++) rules(d).push({ name: `extra-${i}`, properties: { ...template.properties, priority: 100 + (i % 3997) } });
    },
    field: new RegExp(`^${NSG.replace(/[[\]()'/]/g, "\\$&")}: /properties/securityRules holds 1013 rules; Azure allows at most 1000 per NSG`),
  },
  {
    name: "more than 4000 destination addresses in one NSG",
    mutate: (d) => {
      delete rule(d, 10).destinationAddressPrefix;
      rule(d, 10).destinationAddressPrefixes = Array.from({ length: 4001 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`);
    },
    field: /\/properties\/securityRules hold 400\d IP addresses and ranges as destinations; Azure allows at most 4000 per NSG/,
  },
];

describe("ARM validator on mutated NSG golden files", () => {
  mutationTests(goldenText, mutations);
  it("rejects what is not JSON, and a template that is not an object", () => {
    expect(validateArmTemplate("{ nope").errors[0]).toMatch(/template: not valid JSON/);
    expect(validateArmSchema([])).toEqual(["template: / must be a JSON object"]);
    expect(checkArmSemantics(42)).toEqual(["template: / must be a JSON object"]);
  });
});

describe("NSG parser on templates written by hand", () => {
  it("reads securityRules as top-level and nested child resources, with parameters resolved", () => {
    const template = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      parameters: { nsg: { type: "string", defaultValue: "nsg-app" } },
      resources: [
        {
          type: "Microsoft.Network/networkSecurityGroups",
          apiVersion: "2024-05-01",
          name: "[parameters('nsg')]",
          location: "westeurope",
          properties: { securityRules: [] },
          resources: [
            {
              type: "securityRules",
              apiVersion: "2024-05-01",
              name: "allow-kv",
              properties: {
                priority: 110, direction: "Outbound", access: "Allow", protocol: "Tcp",
                sourceAddressPrefix: "192.0.2.0/24", sourcePortRange: "*", destinationAddressPrefix: "AzureKeyVault.WestEurope", destinationPortRange: "443",
              },
            },
          ],
        },
        {
          type: "Microsoft.Network/networkSecurityGroups/securityRules",
          apiVersion: "2024-05-01",
          name: "nsg-app/allow-storage",
          properties: {
            priority: 100, direction: "Outbound", access: "Allow", protocol: "Tcp",
            sourceAddressPrefix: "192.0.2.0/24", sourcePortRange: "*", destinationAddressPrefix: "Storage", destinationPortRanges: ["443", "8000-8010"],
          },
        },
      ],
    };
    expect(validateArmTemplate(template)).toEqual({ ok: true, errors: [] });
    const parsed = parseNsgTemplate(template);
    expect(parsed.map((p) => [p.nsg, p.name, p.priority, p.destinations, p.ports])).toEqual([
      ["nsg-app", "allow-storage", 100, ["Storage"], [{ from: 443, to: 443 }, { from: 8000, to: 8010 }]],
      ["nsg-app", "allow-kv", 110, ["AzureKeyVault.WestEurope"], [{ from: 443, to: 443 }]],
    ]);
    // Duplicate priorities across the two forms are caught too.
    (template.resources[1] as { properties: { priority: number } }).properties.priority = 110;
    expect(validateArmTemplate(template).errors.join("\n")).toMatch(/securityRules 'nsg-app\/allow-storage'.*priority 110 \(Outbound\) is also the priority of/);
  });
});

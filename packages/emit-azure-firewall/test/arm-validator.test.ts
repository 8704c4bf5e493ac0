import { readFileSync } from "node:fs";
import { parseFirewallTemplate, validateArmTemplate } from "@cassandra-mi-netrules/testkit/arm";
import { mutationTests, type ArmMutation } from "@cassandra-mi-netrules/testkit/arm-emitter";
import { describe, expect, it } from "vitest";

/** The validator itself is tested: each mutation of a golden file must fail, naming the resource and the field. */

type Rule = Record<string, unknown>;
type Collection = { name: string; priority: unknown; action: { type: string }; rules: Rule[]; ruleCollectionType: string };
type Resource = Record<string, unknown> & { properties: Record<string, unknown> & { ruleCollections: Collection[] } };
type Doc = { parameters: Record<string, unknown>; resources: Resource[] };

const goldenText = readFileSync(new URL("./__golden__/eastus.firewall-policy.json", import.meta.url), "utf8");
const group = (d: Doc): Resource => d.resources[1] as Resource;
const net = (d: Doc): Collection => group(d).properties.ruleCollections[0] as Collection;
const app = (d: Doc): Collection => group(d).properties.ruleCollections[1] as Collection;
const netRule = (d: Doc, i: number): Rule => net(d).rules[i] as Rule;
const appRule = (d: Doc, i: number): Rule => app(d).rules[i] as Rule;
const GROUP = /^resources\[1\] Microsoft\.Network\/firewallPolicies\/ruleCollectionGroups '\[format\('\{0\}\/\{1\}', parameters\('firewallPolicyName'\), parameters\('ruleCollectionGroupName'\)\)\]': /;
const POLICY = /^resources\[0\] Microsoft\.Network\/firewallPolicies '\[parameters\('firewallPolicyName'\)\]': /;

const mutations: Array<ArmMutation<Doc>> = [
  { name: "group priority below 100", mutate: (d) => (group(d).properties.priority = 50), resource: GROUP, field: /\/properties\/priority must be >= 100/ },
  { name: "group priority above 65000", mutate: (d) => (group(d).properties.priority = 70000), resource: GROUP, field: /\/properties\/priority must be <= 65000/ },
  { name: "duplicate collection priority", mutate: (d) => (app(d).priority = net(d).priority), resource: GROUP, field: /\/properties\/ruleCollections\/1\/priority 100 is also the priority of ruleCollections\/0/ },
  { name: "duplicate collection name", mutate: (d) => (app(d).name = net(d).name), resource: GROUP, field: /\/properties\/ruleCollections\/1\/name "cassandra-mi-network" is also the name of ruleCollections\/0/ },
  { name: "collection name with a slash", mutate: (d) => (app(d).name = "a/b"), resource: GROUP, field: /ruleCollections\/1\/name "a\/b" must have 1-80/ },
  { name: "action not Allow/Deny", mutate: (d) => (app(d).action.type = "Permit"), resource: GROUP, field: /ruleCollections\/1\/action\/type must be equal to one of the allowed values \["Allow","Deny"\]/ },
  { name: "ipProtocols TCPX", mutate: (d) => (netRule(d, 0).ipProtocols = ["TCPX"]), resource: GROUP, field: /ruleCollections\/0\/rules\/0\/ipProtocols\/0 must be equal to one of the allowed values \["TCP","UDP","Any","ICMP"\]/ },
  { name: "no ipProtocols", mutate: (d) => delete netRule(d, 0).ipProtocols, resource: GROUP, field: /ruleCollections\/0\/rules\/0\/ipProtocols: a network rule needs at least one protocol/ },
  { name: "destination port as a number", mutate: (d) => (netRule(d, 0).destinationPorts = [443]), resource: GROUP, field: /ruleCollections\/0\/rules\/0\/destinationPorts\/0 must be string/ },
  { name: "destination port 0", mutate: (d) => (netRule(d, 0).destinationPorts = ["0"]), resource: GROUP, field: /ruleCollections\/0\/rules\/0\/destinationPorts\/0 "0" is outside 1-65535/ },
  { name: "destination port 65536", mutate: (d) => (netRule(d, 1).destinationPorts = ["65536"]), resource: GROUP, field: /rules\/1\/destinationPorts\/0 "65536" is outside 1-65535/ },
  { name: "no destination ports", mutate: (d) => (netRule(d, 1).destinationPorts = []), resource: GROUP, field: /rules\/1\/destinationPorts: a network rule needs at least one port/ },
  { name: "tag unknown to the service-tags file", mutate: (d) => (netRule(d, 1).destinationAddresses = ["ApiManagement.Mars"]), resource: GROUP, field: /rules\/1\/destinationAddresses\/0 service tag "ApiManagement.Mars" is not in the service-tags file/ },
  { name: "NSG-only tag in a firewall rule", mutate: (d) => (netRule(d, 5).destinationAddresses = ["AzureMonitor.EastUS"]), resource: GROUP, field: /rules\/5\/destinationAddresses\/0 service tag "AzureMonitor.EastUS" does not list FW in its networkFeatures \(\["NSG"\]\)/ },
  { name: "invalid CIDR", mutate: (d) => (netRule(d, 0).destinationAddresses = ["104.40.0.0/33"]), resource: GROUP, field: /rules\/0\/destinationAddresses\/0 "104.40.0.0\/33" is not a valid IP address, range or CIDR prefix/ },
  { name: "source that is a tag", mutate: (d) => (netRule(d, 0).sourceAddresses = ["VirtualNetwork"]), resource: GROUP, field: /rules\/0\/sourceAddresses\/0 "VirtualNetwork" is not a valid IP address/ },
  { name: "no source", mutate: (d) => (appRule(d, 0).sourceAddresses = []), resource: GROUP, field: /ruleCollections\/1\/rules\/0\/sourceAddresses: a rule needs sourceAddresses or sourceIpGroups/ },
  { name: "duplicate rule name", mutate: (d) => (appRule(d, 1).name = appRule(d, 0).name), resource: GROUP, field: /ruleCollections\/1\/rules\/1\/name "crl" is also the name of rules\/0 in this collection/ },
  { name: "rule name too long", mutate: (d) => (appRule(d, 1).name = "r".repeat(81)), resource: GROUP, field: /ruleCollections\/1\/rules\/1\/name "r{81}" must have 1-80/ },
  { name: "ruleType AppRule", mutate: (d) => (appRule(d, 0).ruleType = "AppRule"), resource: GROUP, field: /ruleCollections\/1\/rules\/0\/ruleType must be equal to one of the allowed values \["ApplicationRule"\]/ },
  { name: "application port 70000", mutate: (d) => ((appRule(d, 0).protocols as Rule[])[0] = { protocolType: "Https", port: 70000 }), resource: GROUP, field: /rules\/0\/protocols\/0\/port must be <= 64000/ },
  { name: "application port 0", mutate: (d) => ((appRule(d, 0).protocols as Rule[])[0] = { protocolType: "Https", port: 0 }), resource: GROUP, field: /rules\/0\/protocols\/0\/port 0 must be an integer from 1 to 64000/ },
  { name: "protocolType Ftp", mutate: (d) => ((appRule(d, 0).protocols as Rule[])[0] = { protocolType: "Ftp", port: 21 }), resource: GROUP, field: /rules\/0\/protocols\/0\/protocolType must be equal to one of the allowed values/ },
  { name: "no protocols", mutate: (d) => (appRule(d, 0).protocols = []), resource: GROUP, field: /ruleCollections\/1\/rules\/0\/protocols: an application rule needs at least one protocol/ },
  { name: "wildcard not left-most", mutate: (d) => (appRule(d, 0).targetFqdns = ["crl.*.microsoft.com"]), resource: GROUP, field: /rules\/0\/targetFqdns\/0 "crl\.\*\.microsoft\.com" has a wildcard that is not the left-most label/ },
  { name: "partial wildcard label", mutate: (d) => (appRule(d, 0).targetFqdns = ["crl*.microsoft.com"]), resource: GROUP, field: /rules\/0\/targetFqdns\/0 "crl\*\.microsoft\.com" has an invalid label "crl\*"/ },
  { name: "no target", mutate: (d) => (appRule(d, 0).targetFqdns = []), resource: GROUP, field: /rules\/0\/targetFqdns: an application rule needs exactly one of targetFqdns/ },
  {
    name: "FQDN in a network rule without DNS proxy",
    mutate: (d) => {
      delete netRule(d, 0).destinationAddresses;
      netRule(d, 0).destinationFqdns = ["crl.microsoft.com"];
    },
    resource: GROUP,
    field: /rules\/0\/destinationFqdns: FQDNs in network rules need DNS proxy/,
  },
  { name: "wildcard FQDN in a network rule", mutate: (d) => (netRule(d, 0).destinationFqdns = ["*.blob.core.windows.net"]), resource: GROUP, field: /rules\/0\/destinationFqdns\/0 "\*\.blob\.core\.windows\.net" is a wildcard, not accepted here/ },
  { name: "unescaped [ in an FQDN", mutate: (d) => (appRule(d, 0).targetFqdns = ["[crl].microsoft.com"]), resource: GROUP, field: /\/properties\/ruleCollections\/1\/rules\/0\/targetFqdns\/0: "\[crl\]\.microsoft\.com" starts with '\['/ },
  { name: "source naming an undeclared parameter", mutate: (d) => (appRule(d, 0).sourceAddresses = ["[parameters('subnet')]"]), resource: GROUP, field: /sourceAddresses\/0: .*parameters\('subnet'\), which the template does not declare/ },
  { name: "policy tier Gold", mutate: (d) => ((d.resources[0] as Resource).properties.sku = { tier: "Gold" }), resource: POLICY, field: /\/properties\/sku\/tier must be equal to one of the allowed values \["Standard","Premium","Basic"\]/ },
  { name: "policy name with a space (in the group's name)", mutate: (d) => ((d.parameters.firewallPolicyName as Record<string, unknown>).defaultValue = "my policy"), resource: GROUP, field: /\/name "my policy" must have 1-80/ },
  { name: "policy name with a space (in the policy's name)", mutate: (d) => ((d.parameters.firewallPolicyName as Record<string, unknown>).defaultValue = "my policy"), resource: POLICY, field: /\/name "my policy" must have 1-80/ },
  {
    name: "DNS proxy on but not for network rules",
    mutate: (d) => {
      (d.resources[0] as Resource).properties.dnsSettings = { enableProxy: true, requireProxyForNetworkRules: false };
      delete netRule(d, 0).destinationAddresses;
      netRule(d, 0).destinationFqdns = ["crl.microsoft.com"];
    },
    resource: GROUP,
    field: /rules\/0\/destinationFqdns: FQDNs in network rules need DNS proxy, .*requireProxyForNetworkRules to false/,
  },
  {
    name: "more than 20,000 unique source/destinations in network rules",
    mutate: (d) => (netRule(d, 0).destinationAddresses = Array.from({ length: 20001 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)),
    resource: GROUP,
    field: /\/properties\/ruleCollections: the network rules of policy 'fwp-cassandra-mi' reach 200\d\d unique source\/destinations .*allows 20000/,
  },
  {
    name: "a rule collection group over 2 MB",
    mutate: (d) => (appRule(d, 0).targetFqdns = Array.from({ length: 30000 }, (_, i) => `host-${i}.${"x".repeat(60)}.example.com`)),
    resource: GROUP,
    field: /\/properties\/ruleCollections hold \d+ bytes of rules; Azure Firewall allows 2 MB per rule collection group/,
  },
];

describe("ARM validator on mutated firewall-policy golden files", () => {
  mutationTests(goldenText, mutations);
});

describe("firewall parser on templates written by hand", () => {
  it("reads a rule collection group nested in its policy, with a DNAT-free filter collection", () => {
    const template = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      resources: [
        {
          type: "Microsoft.Network/firewallPolicies",
          apiVersion: "2024-05-01",
          name: "hub",
          location: "eastus",
          properties: { dnsSettings: { enableProxy: true } },
          resources: [
            {
              type: "ruleCollectionGroups",
              apiVersion: "2024-05-01",
              name: "apps",
              dependsOn: ["hub"],
              properties: {
                priority: 300,
                ruleCollections: [
                  {
                    ruleCollectionType: "FirewallPolicyFilterRuleCollection",
                    name: "net",
                    priority: 100,
                    action: { type: "Allow" },
                    rules: [
                      { ruleType: "NetworkRule", name: "crl", ipProtocols: ["TCP"], sourceAddresses: ["203.0.113.0/24"], destinationFqdns: ["crl.microsoft.com"], destinationPorts: ["80", "443"] },
                    ],
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    expect(validateArmTemplate(template)).toEqual({ ok: true, errors: [] });
    const parsed = parseFirewallTemplate(template);
    expect(parsed.policies).toEqual([{ name: "hub", dnsProxy: true, tier: undefined }]);
    expect(parsed.rules).toMatchObject([
      { policy: "hub", group: "apps", groupPriority: 300, collection: "net", ruleType: "NetworkRule", fqdns: ["crl.microsoft.com"], ports: [{ from: 80, to: 80 }, { from: 443, to: 443 }] },
    ]);
    template.resources[0]!.properties.dnsSettings.enableProxy = false;
    expect(validateArmTemplate(template).errors.join("\n")).toMatch(/resources\[0\]\.resources\[0\] ruleCollectionGroups 'apps': \/properties\/ruleCollections\/0\/rules\/0\/destinationFqdns: FQDNs in network rules need DNS proxy/);
  });
});

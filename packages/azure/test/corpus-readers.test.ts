/**
 * Each reader on the corpus of real configurations: what the model holds, the same deployment in two
 * forms read to the same model, and the input defects of issue 15, each on the fixture that shows it.
 */
import { readFileSync } from "node:fs";
import { isUnknown, namesIn, readArmTemplate, readNetwork, unknownsIn, type AzureNetwork, type InputDocument, type NetworkSecurityGroup, type SecurityRule, type Subnet } from "@cassandra-mi-netrules/azure";
import { azureNetworkSchema } from "@cassandra-mi-netrules/azure/schema";
import { describe, expect, it } from "vitest";
import { caseInput, corpusCases, corpusConfigurations, corpusDocument, CORPUS_DIR } from "./corpus.js";

const doc = corpusDocument;
const read = (configuration: string, files: string[], parameters?: string) => readNetwork(files.map((f) => doc(configuration, f)), parameters ? { parameters: doc(configuration, parameters) } : {});
const rules = (nsg: NetworkSecurityGroup | undefined): SecurityRule[] => (nsg?.properties.securityRules ?? []).filter((r): r is SecurityRule => !isUnknown(r));
const nsgNamed = (n: AzureNetwork, name: string) => n.networkSecurityGroups.find((x) => x.name === name);
const ruleLine = (r: SecurityRule) => {
  const p = r.properties;
  const side = (one: unknown, many: unknown) => JSON.stringify(one ?? many);
  return `${String(r.name)} ${String(p.priority)} ${String(p.direction)} ${String(p.access)} ${String(p.protocol)} ${side(p.sourceAddressPrefix, p.sourceAddressPrefixes)}:${side(p.sourcePortRange, p.sourcePortRanges)} -> ${side(p.destinationAddressPrefix, p.destinationAddressPrefixes)}:${side(p.destinationPortRange, p.destinationPortRanges)}`;
};
/** The model without where each value came from: what two forms of one deployment must share. */
const comparable = (n: AzureNetwork) => JSON.parse(JSON.stringify(n, (k, v) => (k === "location" || k === "path" ? undefined : v))) as unknown;

/** The subnet of a case and whether its links reach an NSG / route table of the model. */
function cassandraSubnet(n: AzureNetwork, cidr: string): Subnet | undefined {
  return n.subnets.find((s) => s.properties.addressPrefix === cidr || (s.properties.addressPrefixes ?? []).includes(cidr));
}

describe("every corpus case reads, valid against the model's schema, its Cassandra subnet linked", () => {
  it("lists every configuration directory in an expected.json", () => {
    expect(new Set(corpusCases().map((c) => c.configuration))).toEqual(new Set(corpusConfigurations()));
  });
  it.each(corpusCases().map((c) => [`${c.configuration}: ${c.name}`, c] as const))("%s", (_, c) => {
    const { documents, parameters } = caseInput(c);
    const result = readNetwork(documents, parameters ? { parameters } : {});
    expect(azureNetworkSchema.safeParse(result.network).success).toBe(true);
    if (c.outcome === "nothing-to-audit") {
      expect(result.found).toEqual(c.found);
      return;
    }
    const subnet = cassandraSubnet(result.network, c.subnet);
    expect(subnet, `subnet ${c.subnet}`).toBeDefined();
    const nsgId = subnet?.properties.networkSecurityGroup?.id;
    if (typeof nsgId === "string") expect(result.network.networkSecurityGroups.some((n) => n.name === namesIn(nsgId, "Microsoft.Network/networkSecurityGroups")?.[0])).toBe(true);
    const rtId = subnet?.properties.routeTable?.id;
    if (typeof rtId === "string") expect(result.network.routeTables.some((t) => t.name === namesIn(rtId, "Microsoft.Network/routeTables")?.[0])).toBe(true);
  });
});

describe("ARM as Bicep and Azure Verified Modules compile it", () => {
  it("avm-nsg main.json (languageVersion 2.0, property copy loop): only its required name gives an NSG with the default rules alone", () => {
    const { format, network, found } = read("avm-nsg", ["main.json"], "name.parameters.json");
    expect(format).toBe("arm");
    expect(found).toContain("Microsoft.Network/networkSecurityGroups");
    expect(network.networkSecurityGroups.map((n) => [n.name, n.location, n.properties.securityRules.length, n.properties.defaultSecurityRules.length])).toEqual([["nnsgmax001", "eastus", 0, 6]]);
    expect(network.unread).toEqual([]);
  });

  it("avm-nsg main.json without its required name: the name is an Unknown naming the parameter", () => {
    const [nsg] = read("avm-nsg", ["main.json"]).network.networkSecurityGroups;
    expect(nsg?.name).toEqual({ kind: "unknown", path: 'resources["networkSecurityGroup"].name', reason: "parameter 'name' has no default value and none was given" });
    expect(nsg?.location).toEqual({ kind: "unknown", path: 'resources["networkSecurityGroup"].location', reason: "resourceGroup() depends on the deployment" });
  });

  it("avm-nsg main.json with the max test's rules: three rules from the copy loop; Port_8082's ASG keys do not match, so its two sides are Unknowns naming them", () => {
    const nsg = read("avm-nsg", ["main.json"], "max.parameters.json").network.networkSecurityGroups[0];
    expect(nsg?.tags).toEqual({ "hidden-title": "This is visible in the resource name", Environment: "Non-Prod", Role: "DeploymentValidation" });
    const [specific, ranges, port8082] = rules(nsg);
    expect(ruleLine(specific as SecurityRule)).toBe('Specific 100 Inbound Allow * "*":"*" -> "*":"8080"');
    expect(ruleLine(ranges as SecurityRule)).toBe('Ranges 101 Inbound Allow * ["10.0.0.0/16","10.1.0.0/16"]:["80","81"] -> ["10.2.0.0/16","10.3.0.0/16"]:["90","91"]');
    expect(specific?.properties.description).toBe("Tests specific IPs and ports");
    const at = 'resources["networkSecurityGroup"].properties.securityRules[2].properties';
    expect(port8082?.properties.sourceAddressPrefix).toEqual({ kind: "unknown", path: `${at}.sourceAddressPrefix`, reason: expect.stringContaining("the rule gives no source address") });
    expect(port8082?.properties.destinationAddressPrefix).toEqual({ kind: "unknown", path: `${at}.destinationAddressPrefix`, reason: expect.stringContaining("Azure refuses such a rule") });
    expect(port8082?.properties.destinationPortRange).toBe("8082");
  });

  it("avm-nsg security-rule.main.json (a child resource, every value a parameter): Unknowns naming the parameters; given values attach it to its NSG", () => {
    const alone = readArmTemplate(doc("avm-nsg", "security-rule.main.json").text);
    const [nsg] = alone.networkSecurityGroups;
    const reasons = unknownsIn(nsg).map((u) => u.reason);
    expect(reasons).toEqual(expect.arrayContaining(["parameter 'networkSecurityGroupName' has no default value and none was given", "parameter 'priority' has no default value and none was given", "parameter 'direction' has no default value and none was given", "parameter 'protocol' has no default value and none was given"]));
    const given = readArmTemplate(doc("avm-nsg", "security-rule.main.json").text, { parameters: { networkSecurityGroupName: "nsg-cassandra", name: "deny-cloud", priority: 100, direction: "Outbound", protocol: "*", access: "Deny", sourceAddressPrefix: "*", destinationAddressPrefix: "AzureCloud", sourcePortRange: "*", destinationPortRange: "*" } });
    expect(given.networkSecurityGroups.map((n) => [n.name, rules(n).map(ruleLine)])).toEqual([["nsg-cassandra", ['deny-cloud 100 Outbound Deny * "*":"*" -> "AzureCloud":"*"']]]);
  });

  it("avm-route-table main.json: routes taken whole from a nullable parameter are none without it, the max test's route with it", () => {
    expect(read("avm-route-table", ["main.json"], "name.parameters.json").network.routeTables.map((t) => [t.name, t.properties.routes])).toEqual([["nrtmax001", []]]);
    expect(read("avm-route-table", ["main.json"], "max.parameters.json").network.routeTables[0]?.properties.routes).toEqual([{ name: "default", properties: { addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: "172.16.0.20" } }]);
  });

  it("bicep-loop-nsg (hand-compiled Bicep loop): nine rules from the copy loop at add(111, copyIndex()), the subnet linked by resourceId", () => {
    const { network } = read("bicep-loop-nsg", ["main.json"]);
    const nsg = nsgNamed(network, "nsg-cassandra");
    expect(rules(nsg).map((r) => [r.name, r.properties.priority, r.properties.destinationAddressPrefix ?? r.properties.destinationAddressPrefixes])).toEqual([
      ["nsgr-coscas-outbound-misc", 110, ["104.40.0.0/13", "13.104.0.0/14", "40.64.0.0/10"]],
      ["nsgr-coscas-outbound-443-storage", 111, "Storage"],
      ["nsgr-coscas-outbound-443-azurekeyvault", 112, "AzureKeyVault"],
      ["nsgr-coscas-outbound-443-eventhub", 113, "EventHub"],
      ["nsgr-coscas-outbound-443-azuremonitor", 114, "AzureMonitor"],
      ["nsgr-coscas-outbound-443-azureactivedirectory", 115, "AzureActiveDirectory"],
      ["nsgr-coscas-outbound-443-azureresourcemanager", 116, "AzureResourceManager"],
      ["nsgr-coscas-outbound-443-azurefrontdoor.firstparty", 117, "AzureFrontDoor.FirstParty"],
      ["nsgr-coscas-outbound-443-guestandhybridmanagement", 118, "GuestAndHybridManagement"],
      ["nsgr-coscas-outbound-443-apimanagement", 119, "ApiManagement"],
    ]);
    expect(network.subnets).toEqual([{ virtualNetworkName: "vnet-cassandra", name: "snet-cassandra", properties: { addressPrefix: "10.10.2.0/24", defaultOutboundAccess: false, networkSecurityGroup: { id: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkSecurityGroups/nsg-cassandra" } } }]);
    expect(read("bicep-loop-nsg", ["main.json"], "outbound-access.parameters.json").network.subnets[0]?.properties.defaultOutboundAccess).toBe(true);
  });

  it("cassandra-quickstart: the subnet the template declares, no NSG, no route table; the other resources named in found", () => {
    const { network, found } = read("cassandra-quickstart", ["azuredeploy.json"], "azuredeploy.parameters.json");
    expect(network.subnets).toEqual([{ virtualNetworkName: "cassandra-vnet1", name: "subnet", properties: { addressPrefix: "10.0.128.0/24" } }]);
    expect(found).toEqual(["Microsoft.DocumentDB/cassandraClusters", "Microsoft.DocumentDB/cassandraClusters/dataCenters", "Microsoft.Network/virtualNetworks", "Microsoft.Network/virtualNetworks/providers/roleAssignments"]);
  });

  it("quickstart-firewall-policy-ipgroups (Bicep 0.5 output: variable and resource copy loops, format() child names): the policy's groups, collections and IP groups", () => {
    const { network } = read("quickstart-firewall-policy-ipgroups", ["azuredeploy.json"]);
    const groups = network.firewallPolicyRuleCollectionGroups.map((g) => [g.firewallPolicyName, g.name, g.properties.priority, g.properties.ruleCollections.map((c) => !isUnknown(c) && [c.name, c.priority, c.action.type, c.rules.map((r) => !isUnknown(r) && r.name)])]);
    const policy = network.firewallPolicies[0]?.name;
    expect(typeof policy).toBe("string");
    expect(groups).toEqual([
      [policy, "DefaultNetworkRuleCollectionGroup", 200, [["azure-global-services-nrc", 1250, "Allow", ["time-windows"]]]],
      [policy, "DefaultApplicationRuleCollectionGroup", 300, [["global-rule-url-arc", 1000, "Allow", ["winupdate-rule-01"]], ["Global-rules-arc", 1202, "Allow", ["global-rule-01"]]]],
    ]);
    expect(network.ipGroups.map((g) => g.properties.ipAddresses)).toEqual([["10.20.0.0/24", "10.30.0.0/24"], ["10.40.0.0/24", "10.50.0.0/24"]]);
    expect(network.azureFirewalls[0]?.properties.firewallPolicy?.id).toMatch(/\/providers\/Microsoft\.Network\/firewallPolicies\//);
  });

  it("quickstart-firewall-sandbox: NSG, route table and classic firewall on ServersSubnet", () => {
    const { network } = read("quickstart-firewall-sandbox", ["azuredeploy.json"]);
    const servers = network.subnets.find((s) => s.name === "ServersSubnet");
    expect(servers?.properties.routeTable?.id).toMatch(/routeTables\/AzfwRouteTable$/);
    expect(network.routeTables[0]?.properties.routes).toEqual([{ name: "AzfwDefaultRoute", properties: { addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: "10.0.1.4" } }]);
    const fw = network.azureFirewalls[0]?.properties;
    expect(fw?.networkRuleCollections).toEqual([{ name: "netRc1", properties: { priority: 200, action: { type: "Allow" }, rules: [{ name: "netRule1", protocols: ["TCP"], sourceAddresses: ["10.0.2.0/24"], destinationAddresses: ["*"], destinationPorts: ["8000-8999"] }] } }]);
    expect(fw?.applicationRuleCollections).toEqual([{ name: "appRc1", properties: { priority: 101, action: { type: "Allow" }, rules: [{ name: "appRule1", protocols: [{ protocolType: "Http", port: 80 }, { protocolType: "Https", port: 443 }], targetFqdns: ["www.microsoft.com"], sourceAddresses: ["10.0.2.0/24"] }] } }]);
  });
});

describe("az JSON and Resource Graph results", () => {
  it("az network nsg show (the docs' sample): two custom rules, missing plural keys read as absent", () => {
    const { format, network } = read("az-nsg-show-docs", ["az-network-nsg-show.json"]);
    expect(format).toBe("az");
    expect(rules(network.networkSecurityGroups[0]).map(ruleLine)).toEqual(['myNetworkSecurityGroupRuleSSH 1000 Inbound Allow Tcp "*":"*" -> "*":"22"', 'myNetworkSecurityGroupRuleWeb 1001 Inbound Allow Tcp "*":"*" -> "*":"80"']);
  });

  it("the configureUDR.sh table as az network route-table show: 52 routes to Internet", () => {
    const { network } = read("cassandra-udr-sample", ["az-network-route-table-show.p1.derived.json"]);
    const prefixes = readFileSync(`${CORPUS_DIR}../../../../vendor/udr/configureUDR.62eb687.prefixes.txt`, "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
    expect(network.routeTables[0]?.properties.routes.map((r) => !isUnknown(r) && [r.name, r.properties.addressPrefix, r.properties.nextHopType])).toEqual(prefixes.map((p, i) => [`msft${i + 1}`, p.trim(), "Internet"]));
  });

  it("firewall policy show and rule-collection-group show in one array; classic firewall show; ip-group show", () => {
    const policy = read("avm-firewall-policy", ["az-firewall-policy-and-groups.derived.json"]).network;
    expect(policy.firewallPolicies.map((p) => [p.name, p.properties.sku?.tier, p.properties.threatIntelMode])).toEqual([["nfpmax001", "Standard", "Alert"]]);
    expect(policy.firewallPolicyRuleCollectionGroups.map((g) => [g.firewallPolicyName, g.name, g.properties.priority])).toEqual([["nfpmax001", "rule-001", 5000]]);
    const fw = read("avm-azure-firewall", ["az-network-firewall-show.derived.json"]).network.azureFirewalls[0];
    expect(fw?.properties.networkRuleCollections.map((c) => !isUnknown(c) && [c.name, c.properties.priority, c.properties.action.type])).toEqual([["allow-network-rules", 100, "Allow"]]);
    expect(read("avm-ip-group", ["az-network-ip-group-show.derived.json"]).network.ipGroups.map((g) => [g.name, g.properties.ipAddresses])).toEqual([["nigmax001", ["10.0.0.1", "10.0.0.2"]]]);
  });

  it("a rule collection group without a type and with a malformed id (the REST example) is known by its shape", () => {
    const { network } = read("rest-api-examples", ["az-network-firewall-policy-rule-collection-group-show.derived.json"]);
    const [group] = network.firewallPolicyRuleCollectionGroups;
    expect([group?.firewallPolicyName, group?.name, group?.properties.priority]).toEqual(["firewallPolicy", "ruleGroup1", 110]);
  });
});

describe("one deployment in two forms reads to the same model", () => {
  it("avm-nsg: main.json with the max parameters (the keys main.json reads) and az network nsg show of that deployment", () => {
    const arm = read("avm-nsg", ["main.json"], "max-keys-of-main.parameters.json").network;
    const az = read("avm-nsg", ["az-network-nsg-show.derived.json"]).network;
    expect(rules(arm.networkSecurityGroups[0])).toHaveLength(3);
    expect(comparable(arm)).toEqual(comparable(az));
  });

  it("az-nsg-show-docs: the az output and the same NSG as an ARM template", () => {
    expect(comparable(read("az-nsg-show-docs", ["equivalent.template.json"]).network)).toEqual(comparable(read("az-nsg-show-docs", ["az-network-nsg-show.json"]).network));
  });

  it("rest-api-examples: the GET body (az resource show), az network ... show and a Resource Graph row", () => {
    const body = (file: string): InputDocument => ({ name: file, text: JSON.stringify((JSON.parse(doc("rest-api-examples", file).text) as { responses: { 200: { body: unknown } } }).responses[200].body) });
    const fromBodies = readNetwork([body("NetworkSecurityGroupGet.json"), body("RouteTableGet.json")]).network;
    const fromAz = read("rest-api-examples", ["az-network-nsg-show.derived.json", "az-network-route-table-show.derived.json"]).network;
    const fromGraph = read("rest-api-examples", ["az-graph-query.derived.json"]);
    expect(fromGraph.format).toBe("resource-graph");
    expect(fromGraph.network.networkSecurityGroups).toHaveLength(1);
    expect(comparable(fromBodies)).toEqual(comparable(fromAz));
    expect(comparable(fromGraph.network)).toEqual(comparable(fromAz));
    const rcg = readNetwork(body("FirewallPolicyRuleCollectionGroupWithIpGroupsGet.json")).network;
    expect(comparable(rcg)).toEqual(comparable(read("rest-api-examples", ["az-network-firewall-policy-rule-collection-group-show.derived.json"]).network));
  });

  it("tf-plan-regula-nsg: the plan and its HCL (every value literal)", () => {
    const plan = read("tf-plan-regula-nsg", ["security_group_no_inbound_3389_infra.json"]);
    const hcl = read("tf-plan-regula-nsg", ["security_group_no_inbound_3389_infra.tf"]);
    expect([plan.format, hcl.format]).toEqual(["tfplan", "hcl"]);
    const byName = (n: AzureNetwork) => [...n.networkSecurityGroups].sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(byName(plan.network).map((n) => [n.name, rules(n).length])).toEqual([["invalidnsg1", 2], ["invalidnsg2", 1], ["testnsg", 5], ["validnsg1", 2]]);
    // Rules and set elements are sets in Terraform: the plan sorts them, the HCL keeps its own order.
    const asSet = (_: string, v: unknown) => (Array.isArray(v) ? v.map((x) => JSON.stringify(x)).sort().map((x) => JSON.parse(x) as unknown) : v);
    const sorted = (n: AzureNetwork) => JSON.parse(JSON.stringify(comparable({ ...n, networkSecurityGroups: byName(n) })), asSet) as unknown;
    expect(sorted(hcl.network)).toEqual(sorted(plan.network));
    expect(unknownsIn(plan.network)).toEqual([]);
  });
});

describe("Terraform HCL", () => {
  it("the AVM NSG module called by its registry address: its rules from locals; names from other modules are Unknowns naming the expression", () => {
    const { network } = read("tf-avm-nsg", ["main.registry-source.derived.tf"]);
    const nsg = nsgNamed(network, "nsg-avm-example");
    expect(rules(nsg).map((r) => ruleLine({ ...r, name: "r" }))).toEqual(['r 100 Outbound Deny Tcp "*":"*" -> "*":"80-88"', 'r 200 Inbound Allow Tcp "*":"*" -> "*":["80","443"]']);
    expect(rules(nsg)[0]?.name).toEqual({ kind: "unknown", path: "locals.nsg_rules.rule01.name", reason: "${module.naming.network_security_rule.name_unique} is not a literal, a variable with a default value, a local or a reference to a resource this reader follows" });
  });

  it("the example as published calls the module by its own path: an unread entry names the module call", () => {
    const { network, found } = read("tf-avm-nsg", ["examples-example_with_NSG_rule.main.tf"]);
    expect(network.networkSecurityGroups).toEqual([]);
    expect(network.unread).toEqual([{ kind: "unknown", path: "module.nsg", reason: "a call of module '../../', which this reader does not read" }]);
    expect(found).toContain("module ../../");
  });
});

describe("issue 15: each input defect on its fixture", () => {
  it('"priority": "[add(111, copyIndex())]" (a Bicep loop) is read, not an abort', () => {
    const priorities = rules(read("bicep-loop-nsg", ["main.json"]).network.networkSecurityGroups[0]).map((r) => r.properties.priority);
    expect(priorities).toEqual([110, 111, 112, 113, 114, 115, 116, 117, 118, 119]);
  });

  it("a property copy loop (properties.copy) gives its rules, not zero", () => {
    expect(rules(read("avm-nsg", ["main.json"], "max.parameters.json").network.networkSecurityGroups[0]).map((r) => r.name)).toEqual(["Specific", "Ranges", "Port_8082"]);
    const text = readFileSync(new URL("./fixtures/issue-15/property-copy-loop.json", import.meta.url), "utf8");
    expect(rules(readNetwork({ name: "property-copy-loop.json", text }).network.networkSecurityGroups[0]).map(ruleLine)).toEqual(['deny-azurecloud 100 Outbound Deny * "*":"*" -> "AzureCloud":"*"', 'deny-internet 101 Outbound Deny * "*":"*" -> "Internet":"*"']);
  });

  it('a languageVersion "2.0" template (symbolic resources) is an ARM template', () => {
    const { format, network } = readNetwork(doc("avm-nsg", "main.json"));
    expect(format).toBe("arm");
    expect(network.networkSecurityGroups).toHaveLength(1);
  });

  it("a destination given as [parameters('x')] is the parameter's value, or an Unknown naming the field and the parameter, never the expression's text", () => {
    const fixture = (text: string): InputDocument => ({ name: "parameter-destination.json", text });
    const text = readFileSync(new URL("./fixtures/issue-15/parameter-destination.json", import.meta.url), "utf8");
    const [deny, allow] = rules(readNetwork(fixture(text)).network.networkSecurityGroups[0]);
    expect(deny?.properties.destinationAddressPrefix).toBe("AzureCloud");
    expect(allow?.properties.destinationAddressPrefix).toEqual({ kind: "unknown", path: "resources[0].properties.securityRules[1].properties.destinationAddressPrefix", reason: "parameter 'allowedDestination' has no default value and none was given" });
    const given = readNetwork(fixture(text), { parameters: { name: "p.json", text: JSON.stringify({ parameters: { allowedDestination: { value: "Storage" }, blockedDestination: { value: "13.64.0.0/11" } } }) } });
    expect(rules(given.network.networkSecurityGroups[0]).map((r) => r.properties.destinationAddressPrefix)).toEqual(["13.64.0.0/11", "Storage"]);
  });

  it("a Terraform plan value known only after apply is an Unknown naming it; the regula plan, whose testnsg rules are known only after apply, reads", () => {
    const text = readFileSync(new URL("./fixtures/issue-15/tfplan-known-after-apply.json", import.meta.url), "utf8");
    const [deny, admin] = rules(readNetwork({ name: "plan.json", text }).network.networkSecurityGroups[0]);
    expect(deny?.properties.destinationAddressPrefix).toEqual({ kind: "unknown", path: "resource_changes[0].change.after.security_rule[0].destination_address_prefix", reason: "known only after apply" });
    expect(admin?.properties.destinationPortRange).toEqual({ kind: "unknown", path: "resource_changes[0].change.after.security_rule[1].destination_port_range", reason: "known only after apply" });
    const testnsg = nsgNamed(read("tf-plan-regula-nsg", ["security_group_no_inbound_3389_infra.json"]).network, "testnsg");
    expect(rules(testnsg).map((r) => r.name)).toEqual(["invalidrule1", "validrule2", "validrule3", "validrule1", "validrule2"]);
  });
});

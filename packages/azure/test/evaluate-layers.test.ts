/**
 * The evaluator layer by layer on hand-built networks: NSG first match and unknown values, routes
 * (longest prefix, service-tag routes, None, virtual appliance), Azure Firewall (network before
 * application rules, priorities, IP groups, DNS proxy, classic collections), the subnet's way out, FQDN
 * pairing, subjects.
 */
import { readFileSync } from "node:fs";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { describe, expect, it } from "vitest";
import { audit, evaluateNetwork } from "../src/evaluate/index.js";
import type { AzureFirewall, FirewallPolicy, FirewallPolicyRuleCollectionGroup, NetworkRule, ApplicationRule, RouteTable, Subnet } from "../src/model.js";
import { unknownValue } from "../src/unknown.js";
import { byId, eastus, network, nsg, only, rule, serviceTags } from "./evaluate-helpers.js";

const opts = { resolved: eastus, serviceTags: serviceTags() };
const denyAllOut = rule("deny-all-out", 4096, "Outbound", "Deny", "*");

describe("NSG: first match by priority", () => {
  it("a Deny above an Allow wins; an Allow above a Deny wins; order in the input does not matter", () => {
    const denyFirst = byId(evaluateNetwork(network({ networkSecurityGroups: [nsg("n", [rule("allow", 200, "Outbound", "Allow", "Storage", "443"), rule("deny", 100, "Outbound", "Deny", "Storage.EastUS", "443")])] }), opts));
    expect(denyFirst["tag-storage"]?.status).toBe("partly-open");
    expect(denyFirst["tag-storage"]?.alternatives[0]).toMatchObject({ label: "service tag Storage.EastUS", verdict: "blocked" });
    const allowFirst = byId(evaluateNetwork(network({ networkSecurityGroups: [nsg("n", [rule("deny", 200, "Outbound", "Deny", "Storage.EastUS", "443"), rule("allow", 100, "Outbound", "Allow", "Storage", "443")])] }), opts));
    expect(allowFirst["tag-storage"]?.status).toBe("open");
  });

  it("a step's text has whitespace runs in names as one space, names without any as they are", () => {
    const detail = (nsgName: string, ruleName: string): string | undefined => byId(evaluateNetwork(network({ networkSecurityGroups: [nsg(nsgName, [rule(ruleName, 100, "Outbound", "Deny", "Storage", "443")])] }), opts))["tag-storage"]?.detail;
    expect(detail("my  nsg", "deny\tstorage ")).toContain("by NSG my nsg outbound rule deny storage (100) Deny");
    expect(detail("n", "deny-storage")).toContain("by NSG n outbound rule deny-storage (100) Deny");
    const noDirection = rule("deny-maybe", 100, "Outbound", "Deny", "Storage", "443");
    const unknownDirection = { ...noDirection, properties: { ...noDirection.properties, direction: unknownValue("resources[0].properties.securityRules[0].properties.direction", "a parameter") } };
    expect(byId(evaluateNetwork(network({ networkSecurityGroups: [nsg("n", [unknownDirection])] }), opts))["tag-storage"]?.detail).toContain("(NSG n rule deny-maybe (100) Deny)");
  });

  it("a rule on other ports, protocol or direction does not match; a port range splits the flow", () => {
    const r = byId(
      evaluateNetwork(
        network({ networkSecurityGroups: [nsg("n", [rule("udp", 100, "Outbound", "Deny", "*", "*", "*", "Udp"), rule("in", 110, "Inbound", "Deny", "*"), rule("p444", 120, "Outbound", "Deny", "*", "444-500"), rule("gossip", 130, "Outbound", "Deny", "VirtualNetwork", "7001")])] }),
        opts,
      ),
    );
    expect(r["tag-storage"]?.status).toBe("open");
    expect(r.gossip?.status).toBe("blocked");
    expect(r.gossip?.detail).toContain("outbound rule gossip (130) Deny");
    expect(r.cql?.status).toBe("blocked");
    expect(r.cql?.detail).toContain("inbound rule in (110) Deny");
  });

  it("an unknown priority makes the decision unknown where it matters, and only there", () => {
    const unknownRule = { ...rule("deny-maybe", 100, "Outbound", "Deny", "AzureKeyVault", "443"), properties: { ...rule("x", 1, "Outbound", "Deny", "AzureKeyVault", "443").properties, priority: unknownValue("resources[0].properties.securityRules[0].properties.priority", "parameter 'p' has no default value and none was given") } };
    const port22 = { ...rule("ssh", 101, "Inbound", "Allow", "*", "22"), properties: { ...rule("ssh", 101, "Inbound", "Allow", "*", "22").properties, sourceAddressPrefix: unknownValue("resources[0].properties.securityRules[1].properties.sourceAddressPrefix", "reference() depends on the deployment") } };
    const r = byId(evaluateNetwork(network({ networkSecurityGroups: [nsg("n", [unknownRule, port22, rule("allow", 200, "Outbound", "Allow", "*", "443")])] }), opts));
    expect(r["tag-azure-key-vault"]?.status).toBe("unknown");
    expect(r["tag-azure-key-vault"]?.detail).toContain("resources[0].properties.securityRules[0].properties.priority is not known (parameter 'p' has no default value and none was given)");
    expect(r["tag-storage"]?.status).toBe("open");
    expect(r.gossip?.status).toBe("open");
  });

  it("the default rules are evaluated even when the model's list is empty", () => {
    const bare = { name: "n", properties: { securityRules: [], defaultSecurityRules: [] } };
    const r = byId(evaluateNetwork(network({ networkSecurityGroups: [bare] }), opts));
    expect(r.gossip?.detail).toContain("AllowVnetInBound (65000)");
    expect(r["tag-storage"]?.detail).toContain("AllowInternetOutBound (65001)");
  });

  it("a source narrower than the subnet leaves part of the nodes blocked, with an example source", () => {
    const r = byId(evaluateNetwork(network({ networkSecurityGroups: [nsg("n", [rule("half", 100, "Outbound", "Allow", "Storage", "443", "10.10.2.0/25"), denyAllOut])] }), opts));
    expect(r["tag-storage"]?.status).toBe("partly-open");
    expect(r["tag-storage"]?.alternatives[0]?.flows[0]?.blocked[0]).toMatchObject({ exampleSource: "10.10.2.128", by: { rule: "deny-all-out" } });
  });
});

describe("FQDNs", () => {
  it("an FQDN the data pairs with a tag is taken as any address of it; with no pair, only */Internet-wide rules decide it", () => {
    const report = evaluateNetwork(network({ networkSecurityGroups: [nsg("n", [rule("storage", 100, "Outbound", "Allow", "Storage", "443"), denyAllOut])] }), opts);
    const r = byId(report);
    const fqdn = r["storage-control-plane"]?.alternatives.find((a) => a.kind === "fqdn");
    expect(fqdn?.verdict).toBe("open");
    expect(fqdn?.flows[0]?.notes[0]).toContain("taken as any address of Storage");
    expect(r.crl?.status).toBe("unknown");
    expect(r.crl?.detail).toContain("storage decides some public addresses, not all");
    const open = byId(evaluateNetwork(network({ networkSecurityGroups: [nsg("n", [rule("internet", 100, "Outbound", "Allow", "Internet", "443"), denyAllOut])] }), opts));
    expect(open.crl?.status).toBe("open");
  });
});

function routeTable(name: string, routes: Array<[string, string, string, string?]>): RouteTable {
  return { name, properties: { routes: routes.map(([n, prefix, hop, ip]) => ({ name: n, properties: { addressPrefix: prefix, nextHopType: hop as never, ...(ip ? { nextHopIpAddress: ip } : {}) } })) } };
}

function subnet(extra: Partial<Subnet["properties"]> = {}): Subnet {
  return { virtualNetworkName: "vnet", name: "cassandra", properties: { addressPrefix: "10.10.2.0/24", ...extra } };
}

function policy(name: string, proxy = false): FirewallPolicy {
  return { name, properties: { ...(proxy ? { dnsSettings: { enableProxy: true } } : {}) } };
}

function group(policyName: string, name: string, priority: number, collections: Array<[string, number, "Allow" | "Deny", Array<NetworkRule | ApplicationRule>]>): FirewallPolicyRuleCollectionGroup {
  return {
    firewallPolicyName: policyName,
    name,
    properties: { priority, ruleCollections: collections.map(([n, p, action, rules]) => ({ ruleCollectionType: "FirewallPolicyFilterRuleCollection", name: n, priority: p, action: { type: action }, rules })) },
  };
}

const net = (name: string, dst: string[], ports: string[] = ["443"], extra: Partial<NetworkRule> = {}): NetworkRule => ({ ruleType: "NetworkRule", name, ipProtocols: ["TCP"], sourceAddresses: ["*"], destinationAddresses: dst, destinationPorts: ports, ...extra });
const app = (name: string, fqdns: string[]): ApplicationRule => ({ ruleType: "ApplicationRule", name, sourceAddresses: ["*"], protocols: [{ protocolType: "Https", port: 443 }], targetFqdns: fqdns });

describe("routes and the subnet's way out", () => {
  it("defaultOutboundAccess false without a NAT gateway blocks what goes to the Internet; a NAT gateway opens it", () => {
    const blocked = byId(evaluateNetwork(network({ subnets: [subnet({ defaultOutboundAccess: false })] }), opts));
    expect(blocked["tag-storage"]?.status).toBe("blocked");
    expect(blocked["tag-storage"]?.detail).toContain("defaultOutboundAccess is false and the subnet has no NAT gateway");
    expect(blocked.gossip?.status).toBe("open");
    const nat = byId(evaluateNetwork(network({ subnets: [subnet({ defaultOutboundAccess: false, natGateway: { id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/natGateways/nat" } })] }), opts));
    expect(nat["tag-storage"]?.status).toBe("open");
  });

  it("a service endpoint carries its service's traffic even from a private subnet", () => {
    const r = byId(evaluateNetwork(network({ subnets: [subnet({ defaultOutboundAccess: false, serviceEndpoints: [{ service: "Microsoft.Storage", locations: ["eastus"] }] })] }), opts));
    expect(r["tag-storage"]?.status).toBe("open");
    expect(r["tag-storage"]?.detail).toBe("open: service tag Storage.EastUS (route service endpoint Microsoft.Storage of vnet/cassandra (next hop ServiceEndpoint))");
    expect(r["tag-azure-key-vault"]?.status).toBe("blocked");
  });

  it("longest prefix: a None route for Storage's tag beats 0.0.0.0/0; an explicit longer prefix beats the tag", () => {
    const rt = routeTable("rt", [["storage-none", "Storage", "None"], ["default", "0.0.0.0/0", "Internet"], ["one", "20.38.98.0/24", "Internet"]]);
    const r = byId(evaluateNetwork(network({ subnets: [subnet({ routeTable: { id: "/x/routeTables/rt" } })], routeTables: [rt] }), opts));
    expect(r["tag-storage"]?.status).toBe("partly-open");
    expect(r["tag-storage"]?.detail).toContain("route storage-none of rt (next hop None)");
    expect(r["tag-azure-key-vault"]?.status).toBe("open");
  });

  it("a virtual appliance next hop hands the flow to the input's firewall: network rules before application rules", () => {
    const rt = routeTable("rt", [["default", "0.0.0.0/0", "VirtualAppliance", "10.0.1.4"]]);
    const groups = [
      group("fw", "apps", 100, [["allow-apps", 100, "Allow", [app("blob", ["*.blob.core.windows.net", "snovapeastus.blob.core.windows.net"])]]]),
      group("fw", "nets", 300, [["deny-kv", 300, "Deny", [net("deny-kv", ["AzureKeyVault"])]], ["allow-tags", 400, "Allow", [net("tags", ["Storage", "AzureKeyVault"])]]]),
    ];
    const r = byId(evaluateNetwork(network({ subnets: [subnet({ routeTable: { id: "/x/routeTables/rt" } })], routeTables: [rt], firewallPolicies: [policy("fw")], firewallPolicyRuleCollectionGroups: groups }), opts));
    expect(r["tag-storage"]?.status).toBe("open");
    expect(r["tag-storage"]?.detail).toContain("firewall fw network rule nets/allow-tags/tags (400) Allow");
    // The network Deny (group priority 300) comes before the application Allow (group priority 100).
    expect(r["key-vault"]?.status).toBe("blocked");
    expect(r["key-vault"]?.detail).toContain("firewall fw network rule nets/deny-kv/deny-kv (300) Deny");
    // By name: the application rule. An FQDN with no paired tag may have an address the network rules allow: unknown, naming them.
    const backup = r["storage-backup"]?.alternatives.find((a) => a.kind === "fqdn");
    expect(backup?.verdict).toBe("open");
    expect(r.crl?.status).toBe("unknown");
    expect(r.crl?.detail).toContain("firewall fw network rule nets/allow-tags/tags (400) Allow");
    const namesOnly = byId(evaluateNetwork(network({ subnets: [subnet({ routeTable: { id: "/x/routeTables/rt" } })], routeTables: [rt], firewallPolicies: [policy("fw")], firewallPolicyRuleCollectionGroups: [groups[0] as FirewallPolicyRuleCollectionGroup] }), opts));
    expect(namesOnly.crl?.status).toBe("blocked");
    expect(namesOnly.crl?.detail).toBe("blocked: FQDN crl.microsoft.com: blocked by firewall fw: no rule matches (denied), e.g. crl.microsoft.com");
    // Internal traffic stays in the virtual network: the firewall is not on its path.
    expect(r.gossip?.status).toBe("open");
  });

  it("a virtual appliance that is not in the input: unknown", () => {
    const rt = routeTable("rt", [["default", "0.0.0.0/0", "VirtualAppliance", "10.0.1.4"]]);
    const r = byId(evaluateNetwork(network({ subnets: [subnet({ routeTable: { id: "/x/routeTables/rt" } })], routeTables: [rt] }), opts));
    expect(r["tag-storage"]?.status).toBe("unknown");
    expect(r["tag-storage"]?.detail).toContain("next hop VirtualAppliance 10.0.1.4: the virtual appliance is not in the input");
  });
});

describe("Azure Firewall", () => {
  const only = (groups: FirewallPolicyRuleCollectionGroup[], extra: { policy?: FirewallPolicy; ipGroups?: Parameters<typeof network>[0]["ipGroups"]; firewalls?: AzureFirewall[] } = {}) =>
    byId(evaluateNetwork(network({ firewallPolicies: [extra.policy ?? policy("fw")], firewallPolicyRuleCollectionGroups: groups, ...(extra.ipGroups ? { ipGroups: extra.ipGroups } : {}), ...(extra.firewalls ? { azureFirewalls: extra.firewalls } : {}) }), opts));

  it("without subnet or route table the firewall is taken to be on the outbound path; internal ports are not auditable there", () => {
    const r = only([group("fw", "g", 100, [["c", 100, "Allow", [net("all-tags", ["AzureCloud"])]]])]);
    expect(r["tag-storage"]?.status).toBe("open");
    expect(r["tag-storage"]?.alternatives.find((a) => a.label === "service tag Storage")?.verdict).toBe("partly-open");
    expect(r["tag-azure-key-vault"]?.status).toBe("open");
    expect(r.gossip?.status).toBe("not-auditable");
  });

  it("group priority, then collection priority, decide among network collections", () => {
    const r = only([group("fw", "late", 200, [["allow", 100, "Allow", [net("a", ["Storage"])]]]), group("fw", "early", 100, [["deny", 500, "Deny", [net("d", ["Storage.EastUS"])]]])]);
    expect(r["tag-storage"]?.alternatives[0]).toMatchObject({ label: "service tag Storage.EastUS", verdict: "blocked" });
    expect(r["tag-storage"]?.status).toBe("partly-open");
  });

  it("IP groups are expanded; one that is not in the input is unknown", () => {
    const ipGroups = [{ name: "ms", properties: { ipAddresses: ["13.104.0.0/14", "40.64.0.0/10", "104.40.0.0/13"] } }];
    const r = only([group("fw", "g", 100, [["c", 100, "Allow", [net("prefixes", [], ["443"], { destinationIpGroups: ["/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/ipGroups/ms"] })]]])], { ipGroups });
    expect(r["microsoft-prefixes"]?.status).toBe("open");
    const missing = only([group("fw", "g", 100, [["c", 100, "Allow", [net("prefixes", [], ["443"], { destinationIpGroups: ["/x/ipGroups/other"] })]]])]);
    expect(missing["microsoft-prefixes"]?.status).toBe("unknown");
    expect(missing["microsoft-prefixes"]?.detail).toContain("IP group other is not in the input");
  });

  it("FQDNs in network rules count only with the DNS proxy", () => {
    const rules = [group("fw", "g", 100, [["c", 100, "Allow", [net("crl", [], ["443"], { destinationFqdns: ["crl.microsoft.com"] })]]])];
    expect(only(rules).crl?.status).toBe("blocked");
    expect(only(rules, { policy: policy("fw", true) }).crl?.status).toBe("open");
  });

  it("a classic firewall's collections: network before application, by priority", () => {
    const fw: AzureFirewall = {
      name: "classic",
      properties: {
        applicationRuleCollections: [{ name: "apps", properties: { priority: 100, action: { type: "Allow" }, rules: [{ name: "crl", sourceAddresses: ["*"], protocols: [{ protocolType: "Https", port: 443 }], targetFqdns: ["crl.microsoft.com"] }] } }],
        networkRuleCollections: [{ name: "deny", properties: { priority: 200, action: { type: "Deny" }, rules: [{ name: "all", protocols: ["Any"], sourceAddresses: ["*"], destinationAddresses: ["*"], destinationPorts: ["443"] }] } }],
        natRuleCollections: [],
      },
    };
    const r = byId(evaluateNetwork(network({ azureFirewalls: [fw] }), opts));
    expect(r.crl?.status).toBe("blocked");
    expect(r.crl?.detail).toContain("firewall classic network rule deny/all (200) Deny");
  });

  it("flows on the same addresses and port that differ by name or protocol are walked apart where application rules decide (AVM firewall, no service-tags file)", () => {
    const file = new URL("./corpus/avm-azure-firewall/az-network-firewall-show.derived.json", import.meta.url);
    const r = byId(audit({ name: "az-network-firewall-show.derived.json", text: readFileSync(file, "utf8") }, { resolved: resolveRules({ regions: ["eastus"] }) }));
    // The tag's flow is known by address only: the application rules may match its names (beside it, login.microsoftonline.com's flow meets none).
    const https = r["entra-id-login"]?.alternatives.find((a) => a.label === "service tag AzureActiveDirectory")?.flows[0];
    expect(https?.path[0]).toMatchObject({ rule: "allow-app-rules/allow-ase-tags", action: "Allow" });
    expect(https?.unknown.map((u) => u.reason)).toContain("allow-app-rules/allow-ase-tags matches host names; this flow is known by address only");
  });
});

describe("subjects", () => {
  it("the subnet holding the cluster's prefix is audited with the NSG it names; Azure's reserved subnets are not", () => {
    const report = evaluateNetwork(
      network({
        subnets: [subnet({ networkSecurityGroup: { id: "/x/networkSecurityGroups/n" } }), { virtualNetworkName: "vnet", name: "AzureFirewallSubnet", properties: { addressPrefix: "10.10.0.0/26" } }],
        networkSecurityGroups: [nsg("n", [rule("deny-storage", 100, "Outbound", "Deny", "Storage")]), nsg("other", [])],
      }),
      opts,
    );
    expect(report.subjects.map((s) => s.subject)).toEqual(["vnet/cassandra"]);
    expect(only(report).layers).toEqual({ nsg: "n", subnet: "vnet/cassandra" });
    expect(byId(report)["tag-storage"]?.status).toBe("blocked");
  });

  it("a subnet whose NSG is not in the input: unknown, naming it", () => {
    const r = byId(evaluateNetwork(network({ subnets: [subnet({ networkSecurityGroup: { id: "/x/networkSecurityGroups/absent" } })] }), opts));
    expect(r["tag-storage"]?.status).toBe("unknown");
    expect(r["tag-storage"]?.detail).toContain("network security group absent is not in the input");
  });
});

describe("over-broad allows", () => {
  it("a firewall rule that matches by address and by name (DNS proxy) says each way it is too wide once", () => {
    const wide = net("wide", ["AzureCloud"], ["*"], { destinationFqdns: ["crl.microsoft.com"] });
    const report = evaluateNetwork(network({ firewallPolicies: [policy("fw", true)], firewallPolicyRuleCollectionGroups: [group("fw", "g", 100, [["nets", 100, "Allow", [wide]]])] }), opts);
    // Its sure match is two boxes (addresses, names) on the same ports: the ports' text comes once.
    expect(only(report).findings.map((f) => f.message)).toEqual(["firewall fw network rule g/nets/wide (100) Allow opens ports * (the requirements need 443); destinations no requirement needs (e.g. 4.144.0.0)"]);
  });
});

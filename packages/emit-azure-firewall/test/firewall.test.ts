import { regions, resolveRules, type CoverageEntry, type ResolvedRules } from "@cassandra-mi-netrules/core";
import {
  APPLICATION_COLLECTION,
  emitFirewallPolicyTemplate,
  FirewallOptionError,
  NETWORK_COLLECTION,
  type FirewallPolicyOptions,
} from "@cassandra-mi-netrules/emit-azure-firewall";
import { parseFirewallTemplate, validateArmTemplate } from "@cassandra-mi-netrules/testkit/arm";
import { contractTests, emitChecked as emitCheckedBy, expectDeterministic, goldenTests, runArmMatrix } from "@cassandra-mi-netrules/testkit/arm-emitter";
import { invalidResolvedTests } from "@cassandra-mi-netrules/testkit/invalid-resolved";
import { describe, expect, it } from "vitest";
import { DEPLOY_SUBNET, firewallUnderTest } from "./roundtrip.js";

const emitChecked = (resolved: ResolvedRules, options: FirewallPolicyOptions = {}) => emitCheckedBy(firewallUnderTest, resolved, options);

describe("azure-firewall goldens", () => {
  goldenTests(firewallUnderTest, new URL("./__golden__/", import.meta.url), [
    { name: "eastus", resolve: { regions: ["eastus"], subnet: "10.9.0.0/24" }, options: {} },
    { name: "westeurope-regional-tags", resolve: { regions: ["westeurope"], subnet: "10.9.0.0/24" }, options: { regionalTags: true } },
    { name: "eastus-westus2", resolve: { regions: ["eastus", "westus2"], subnet: "10.9.0.0/24" }, options: { regionalTags: true } },
    { name: "revision-2021-05-21", resolve: { revision: "2021-05-21", regions: ["eastus"], subnet: "10.9.0.0/24" }, options: {} },
    { name: "eastus-no-subnet", resolve: { regions: ["eastus"] }, options: {} },
    {
      name: "eastus-existing-policy-fqdn-network-rules",
      resolve: { regions: ["eastus"], subnet: "10.9.0.0/24" },
      options: { policy: "existing", policyName: "hub-policy", fqdnNetworkRules: true, groupPriority: 300 },
    },
    { name: "eastus-fqdn-network-rules", resolve: { regions: ["eastus"], subnet: "10.9.0.0/24" }, options: { fqdnNetworkRules: true, tier: "Premium" } },
    { name: "eastus-premium-alert", resolve: { regions: ["eastus"], subnet: "10.9.0.0/24" }, options: { tier: "Premium", threatIntelMode: "Alert", intrusionDetection: "Alert" } },
  ]);

  it("FQDN rows become application rules, tag and prefix rows network rules, internal ports unsupported", () => {
    const { coverage, content } = emitChecked(resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" }));
    const get = (id: string) => coverage.find((c) => c.ruleId === id) as CoverageEntry;
    expect(get("security-scanner-definitions")).toMatchObject({ status: "enforced" });
    expect(get("security-scanner-definitions").how).toContain(`application rule ${APPLICATION_COLLECTION}/security-scanner-definitions: Https 443 to packages.microsoft.com`);
    expect(get("storage-control-plane").how).toContain("snovapeastus.blob.core.windows.net");
    expect(get("tag-storage").how).toContain(`network rule ${NETWORK_COLLECTION}/tag-storage: TCP 443 to service tag Storage`);
    expect(get("microsoft-prefixes").status).toBe("enforced");
    expect(get("gossip")).toMatchObject({ status: "unsupported", how: "no firewall rule" });
    expect(get("gossip").why).toMatch(/does not cross the firewall/);
    const rules = parseFirewallTemplate(content).rules;
    expect(rules.find((r) => r.name === "storage-backup")?.fqdns).toEqual(["*.blob.core.windows.net"]);
    expect(rules.find((r) => r.name === "tag-storage")?.ports).toEqual([{ from: 443, to: 443 }]);
    expect(content).toContain('"destinationPorts": [\n                  "443"\n                ]');
  });

  it("without regions, {region} names cannot be written: the tag stands in (approximated) or the row is unsupported", () => {
    const { coverage } = emitChecked(resolveRules({ regions: [], subnet: "10.9.0.0/24" }));
    const get = (id: string) => coverage.find((c) => c.ruleId === id) as CoverageEntry;
    expect(get("storage-control-plane")).toMatchObject({ status: "approximated" });
    expect(get("storage-control-plane").why).toContain("snovap{region}.blob.core.windows.net");
    expect(get("dsms-regional")).toMatchObject({ status: "unsupported" });
    expect(get("dsms-regional").why).toMatch(/no region was given/);
  });

  it("regional tags fall back to the global tag where the regional form lacks FW (AzureMonitor.EastUS is NSG-only)", () => {
    const { coverage, content } = emitChecked(resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" }), { regionalTags: true });
    expect(coverage.find((c) => c.ruleId === "tag-azure-monitor")?.how).toContain("global tag AzureMonitor used: AzureMonitor.EastUS does not list FW");
    expect(content).toContain('"Storage.EastUS"');
    expect(content).not.toContain('"AzureMonitor.EastUS"');
  });

  it("FQDNs in network rules turn DNS proxy on when the policy is created; wildcards stay application rules", () => {
    const { content } = emitChecked(resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" }), { fqdnNetworkRules: true });
    const parsed = parseFirewallTemplate(content);
    expect(parsed.policies).toEqual([{ name: "fwp-cassandra-mi", dnsProxy: true, tier: "Standard" }]);
    expect(parsed.rules.find((r) => r.name === "crl")).toMatchObject({ ruleType: "NetworkRule", fqdns: ["crl.microsoft.com"] });
    expect(parsed.rules.find((r) => r.name === "storage-backup")).toMatchObject({ ruleType: "ApplicationRule" });
    // Both settings, so that the policy supports FQDNs in network rules whatever the defaults.
    const policy = (JSON.parse(content) as { resources: Array<{ properties: Record<string, unknown> }> }).resources[0];
    expect(policy?.properties.dnsSettings).toEqual({ enableProxy: true, requireProxyForNetworkRules: true });
    const plain = JSON.parse(emitChecked(resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" })).content) as { resources: Array<{ properties: Record<string, unknown> }> };
    expect(plain.resources[0]?.properties.dnsSettings).toBeUndefined();
  });
});

describe("azure-firewall matrix: every vendored region x every revision x option sets", () => {
  // Each option takes each kind of value in some set: create and existing policy (with and without a
  // subnet), custom names, group priorities at both ends, both tiers, regional tags with application
  // and with network FQDN rules, each threat intelligence and intrusion detection mode, an IPv6 subnet.
  const optionSets: Array<{ subnet?: string; options: FirewallPolicyOptions }> = [
    { subnet: "10.9.0.0/24", options: {} },
    { subnet: "10.9.0.0/24", options: { regionalTags: true, fqdnNetworkRules: true, tier: "Premium" } },
    { options: { policy: "existing", groupPriority: 65000, policyName: "hub_policy-01", ruleCollectionGroupName: "rcg.cassandra" } },
    { options: { regionalTags: true, groupPriority: 100, threatIntelMode: "Alert" } },
    { subnet: "10.9.0.0/24", options: { tier: "Premium", threatIntelMode: "Off", intrusionDetection: "Alert" } },
    { subnet: "2001:db8:10::/64", options: { regionalTags: true, policy: "existing", fqdnNetworkRules: true, groupPriority: 100 } },
  ];
  it("validates and reads back every output", () => {
    const { templates, fewestClaims } = runArmMatrix(firewallUnderTest, optionSets);
    expect(templates).toBe(62 * 4 * optionSets.length);
    // Each template reads back its enforced and approximated requirements: at least seven of them.
    expect(fewestClaims).toBeGreaterThanOrEqual(7);
  });

  it("all 62 regions in one policy", () => {
    const { content } = emitChecked(resolveRules({ regions: regions.map((r) => r.name), subnet: "10.9.0.0/24" }), { regionalTags: true });
    const rules = parseFirewallTemplate(content).rules;
    expect(rules.find((r) => r.name === "storage-control-plane")?.fqdns.length).toBe(62);
  });
});

describe("azure-firewall determinism and escaping", () => {
  it("same input, same bytes; shuffled rules, same bytes", () => {
    const resolved = resolveRules({ regions: ["eastus", "westus2"], subnet: "10.9.0.0/24" });
    expectDeterministic(firewallUnderTest, resolved, { regionalTags: true });
    expectDeterministic(firewallUnderTest, resolved, { fqdnNetworkRules: true, policy: "existing" });
  });

  it("writes data strings that start with [ as [[, keeps its own expressions live; refuses an FQDN that is an expression", () => {
    const resolved = resolveRules({ regions: ["eastus"] });
    const hostile = resolved.rules.map((r) => (r.id === "crl" ? { ...r, id: "[evil]" } : r));
    const content = (emitFirewallPolicyTemplate({ ...resolved, rules: hostile }).files[0] as { content: string }).content;
    expect(content).toContain(`"[[evil]"`);
    expect(content).toContain(`"[parameters('clusterSubnet')]"`);
    expect(validateArmTemplate(content).errors).toEqual([]);
    const parsed = parseFirewallTemplate(content, { parameters: { clusterSubnet: DEPLOY_SUBNET } });
    const evil = parsed.rules.find((r) => r.requirementIds.includes("[evil]"));
    expect(evil?.fqdns).toEqual(["crl.microsoft.com"]);
    expect(evil?.sources).toEqual([DEPLOY_SUBNET]);
    // A host name that is an ARM expression never reaches the template (it used to be written escaped and invalid).
    const index = resolved.rules.findIndex((r) => r.id === "crl");
    const expression = resolved.rules.map((r) => (r.id === "crl" ? { ...r, fqdns: [{ fqdn: "[parameters('clusterSubnet')]", pattern: "x", wildcard: false }] } : r));
    expect(() => emitFirewallPolicyTemplate({ ...resolved, rules: expression })).toThrow(`rules[${index}].fqdns[0].fqdn: must be a lower-case host name`);
  });
});

describe("azure-firewall contract", () => {
  contractTests(firewallUnderTest);
});

describe("azure-firewall options and limits", () => {
  const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
  it("existing policy: only the group, no location parameter, no dependsOn", () => {
    const doc = JSON.parse((emitFirewallPolicyTemplate(resolved, { policy: "existing", policyName: "hub" }).files[0] as { content: string }).content);
    expect(doc.resources.map((r: { type: string }) => r.type)).toEqual(["Microsoft.Network/firewallPolicies/ruleCollectionGroups"]);
    expect(doc.resources[0].dependsOn).toBeUndefined();
    expect(Object.keys(doc.parameters)).toEqual(["firewallPolicyName", "ruleCollectionGroupName"]);
    expect(parseFirewallTemplate(doc).rules[0]?.policy).toBe("hub");
  });

  it("rejects bad options naming the field and the value", () => {
    expect(() => emitFirewallPolicyTemplate(resolved, { groupPriority: 99 })).toThrow(/groupPriority.*99/);
    expect(() => emitFirewallPolicyTemplate(resolved, { groupPriority: 65001 })).toThrow(/groupPriority.*65001/);
    expect(() => emitFirewallPolicyTemplate(resolved, { groupPriority: 150.5 })).toThrow(FirewallOptionError);
    expect(() => emitFirewallPolicyTemplate(resolved, { policy: "reuse" as "existing" })).toThrow(/policy.*reuse/);
    expect(() => emitFirewallPolicyTemplate(resolved, { policyName: "[x]" })).toThrow(/policyName/);
    expect(() => emitFirewallPolicyTemplate(resolved, { ruleCollectionGroupName: "a".repeat(81) })).toThrow(/ruleCollectionGroupName/);
    expect(() => emitFirewallPolicyTemplate(resolved, { tier: "Basic" as "Standard" })).toThrow(/tier.*Basic/);
    expect(() => emitFirewallPolicyTemplate(resolved, { priority: 200 } as FirewallPolicyOptions)).toThrow(/priority.*unknown option/);
  });

  it("HTTPS names an application rule cannot carry (port past 64000, wide range) become network rules with DNS proxy", () => {
    const rules = resolved.rules.map((r) =>
      r.id === "crl" ? { ...r, ports: [{ from: 64001, to: 64001 }] } : r.id === "storage-backup" ? { ...r, ports: [{ from: 8000, to: 8100 }] } : r,
    );
    const hacked = { ...resolved, rules };
    const { content, coverage } = emitChecked(hacked);
    const parsed = parseFirewallTemplate(content);
    expect(parsed.policies[0]?.dnsProxy).toBe(true);
    expect(parsed.rules.find((r) => r.name === "crl")).toMatchObject({ ruleType: "NetworkRule", fqdns: ["crl.microsoft.com"], ports: [{ from: 64001, to: 64001 }] });
    expect(coverage.find((c) => c.ruleId === "crl")?.how).toContain("not an application rule: port 64001 is past 64000");
    // A wildcard cannot go to a network rule: the Storage tag stands in.
    expect(parsed.rules.find((r) => r.name === "storage-backup")).toMatchObject({ ruleType: "NetworkRule", destinations: ["Storage"], fqdns: [] });
    expect(coverage.find((c) => c.ruleId === "storage-backup")).toMatchObject({ status: "approximated" });
  });
});

describe("azure-firewall: threat intelligence and intrusion detection deny by default (issue 16, item 9)", () => {
  const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
  const policyOf = (options?: FirewallPolicyOptions) =>
    (JSON.parse((emitFirewallPolicyTemplate(resolved, options).files[0] as { content: string }).content) as { resources: Array<{ type: string; properties: Record<string, unknown> }> }).resources[0];

  it("a created policy denies known-malicious traffic (threatIntelMode Deny); Standard has no intrusion detection block", () => {
    expect(policyOf()?.properties).toMatchObject({ sku: { tier: "Standard" }, threatIntelMode: "Deny" });
    expect(policyOf()?.properties.intrusionDetection).toBeUndefined();
  });

  it("Premium gets intrusion detection in Deny mode (checkov CKV_AZURE_220), the schema's FirewallPolicyIntrusionDetection", () => {
    const { content } = emitChecked(resolved, { tier: "Premium" });
    const policy = (JSON.parse(content) as { resources: Array<{ properties: Record<string, unknown> }> }).resources[0];
    expect(policy?.properties).toMatchObject({ threatIntelMode: "Deny", intrusionDetection: { mode: "Deny" } });
  });

  it("the options say otherwise, and only where they apply", () => {
    expect(policyOf({ threatIntelMode: "Alert" })?.properties.threatIntelMode).toBe("Alert");
    expect(policyOf({ tier: "Premium", intrusionDetection: "Off" })?.properties.intrusionDetection).toEqual({ mode: "Off" });
    expect(() => emitFirewallPolicyTemplate(resolved, { intrusionDetection: "Deny" })).toThrow(/intrusionDetection: needs tier "Premium"/);
    expect(() => emitFirewallPolicyTemplate(resolved, { policy: "existing", threatIntelMode: "Deny" })).toThrow(/threatIntelMode: applies to a policy the artifact creates/);
    expect(() => emitFirewallPolicyTemplate(resolved, { threatIntelMode: "Block" as "Deny" })).toThrow(/threatIntelMode.*Block/);
  });

  it("the coverage says it", () => {
    const get = (options: FirewallPolicyOptions, id: string) => emitFirewallPolicyTemplate(resolved, options).coverage.find((c) => c.ruleId === id) as CoverageEntry;
    expect(get({}, "tag-storage").how).toMatch(/; policy: threat intelligence Deny, no intrusion detection \(Premium only\); traffic no rule allows is denied$/);
    expect(get({ tier: "Premium" }, "crl").how).toMatch(/; policy: threat intelligence Deny, intrusion detection Deny; traffic no rule allows is denied$/);
    expect(get({ policy: "existing" }, "crl").how).toContain("the existing policy's own threat intelligence and intrusion detection apply");
  });
});

describe("azure-firewall refuses resolved rules no policy may hold (issue 16, item 24)", () => {
  invalidResolvedTests((r) => emitFirewallPolicyTemplate(r));
});

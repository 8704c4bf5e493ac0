import { portsCover, type CoverageEntry, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { APPLICATION_COLLECTION, emitFirewallPolicyTemplate, emitter, NETWORK_COLLECTION, version, type FirewallPolicyOptions } from "@cassandra-mi-netrules/emit-azure-firewall";
import { expectAlternativeWritten, type ArmEmitterUnderTest } from "@cassandra-mi-netrules/testkit/arm-emitter";
import { parseFirewallTemplate, type ParsedFirewallRule } from "@cassandra-mi-netrules/testkit/arm";
import { expect } from "vitest";

/** The value a deployer gives the clusterSubnet parameter when the template has no subnet (documentation range). */
export const DEPLOY_SUBNET = "192.0.2.0/24";

/**
 * Reads the template back and checks it allows exactly what the coverage claims: one rule per claimed
 * requirement, from the cluster subnet, to that requirement's own FQDNs / tag / prefixes on its ports;
 * internal ports and unsupported rows have no rule.
 */
export function checkRoundTrip(resolved: ResolvedRules, options: FirewallPolicyOptions, content: string, coverage: readonly CoverageEntry[]): number {
  const parsed = parseFirewallTemplate(content, { parameters: { clusterSubnet: DEPLOY_SUBNET } });
  expect(coverage.map((c) => c.ruleId)).toEqual(resolved.rules.map((r) => r.id).sort());
  const byId = new Map<string, ParsedFirewallRule[]>();
  for (const p of parsed.rules) {
    expect(p.requirementIds.length, `${p.collection}/${p.name} serves one requirement`).toBe(1);
    expect(p.action).toBe("Allow");
    for (const id of p.requirementIds) byId.set(id, [...(byId.get(id) ?? []), p]);
  }
  const policyCreated = (options.policy ?? "create") === "create";
  expect(parsed.policies.length).toBe(policyCreated ? 1 : 0);
  if (policyCreated) {
    // Threat intelligence denies by default; Premium runs intrusion detection, in Deny mode by default.
    const policy = (JSON.parse(content) as { resources: Array<{ properties: { threatIntelMode?: string; intrusionDetection?: { mode: string } } }> }).resources[0]?.properties;
    expect(policy?.threatIntelMode).toBe(options.threatIntelMode ?? "Deny");
    expect(policy?.intrusionDetection).toEqual(options.tier === "Premium" ? { mode: options.intrusionDetection ?? "Deny" } : undefined);
    for (const c of coverage) if (c.status !== "unsupported") expect(c.how).toContain(`policy: threat intelligence ${options.threatIntelMode ?? "Deny"}`);
  }
  const usesNetworkFqdns = parsed.rules.some((r) => r.ruleType === "NetworkRule" && r.fqdns.length > 0);
  if (policyCreated) expect(parsed.policies[0]?.dnsProxy).toBe(usesNetworkFqdns);
  // An existing policy is not rewritten: the metadata says whether its DNS proxy must be on.
  const meta = (JSON.parse(content) as { metadata: { "cassandra-mi-netrules": { dnsProxyRequired: boolean } } }).metadata["cassandra-mi-netrules"];
  expect(meta.dnsProxyRequired).toBe(usesNetworkFqdns);
  const source = resolved.subnet?.cidr ?? DEPLOY_SUBNET;
  let checked = 0;
  for (const c of coverage) {
    const rule = resolved.rules.find((r) => r.id === c.ruleId);
    if (!rule) throw new Error(`coverage names unknown rule ${c.ruleId}`);
    const used = byId.get(c.ruleId) ?? [];
    if (rule.kind === "internal") expect(c.status).toBe("unsupported");
    if (c.status === "unsupported") {
      expect(used, `${c.ruleId} is unsupported but has a rule`).toEqual([]);
      expect(c.why).not.toBe("");
      continue;
    }
    expect(used.length, `${c.ruleId} is ${c.status}`).toBe(1);
    const p = used[0] as ParsedFirewallRule;
    expect(p.sources).toEqual([source]);
    expect(portsCover(p.ports, rule.ports)).toBe(true);
    expect(portsCover(rule.ports, p.ports)).toBe(true);
    const concrete = [...new Set(rule.fqdns.map((f) => f.fqdn))].sort();
    if (p.ruleType === "ApplicationRule") {
      expect(p.collection).toBe(APPLICATION_COLLECTION);
      expect(p.protocols).toEqual(["Https"]);
      expect(p.destinations).toEqual([]);
      expect(p.fqdns).toEqual(concrete);
      expect(c.status).toBe("enforced");
    } else if (p.fqdns.length > 0) {
      expect(p.collection).toBe(NETWORK_COLLECTION);
      expect(p.fqdns).toEqual(concrete);
      expect(p.destinations).toEqual([]);
      expect(p.fqdns.some((f) => f.startsWith("*"))).toBe(false);
      expect(c.status).toBe("enforced");
      expect(c.how, `${c.ruleId}: the condition of FQDNs in network rules`).toMatch(/DNS proxy .*use the firewall as its DNS server/);
    } else {
      expect(p.collection).toBe(NETWORK_COLLECTION);
      expect(p.protocols).toEqual(["TCP"]);
      // Reached only when no FQDN could be written: no names, or wildcards whose ports no application rule carries.
      expect(concrete.every((f) => f.startsWith("*."))).toBe(true);
      expect(c.status).toBe(expectAlternativeWritten(rule, p.destinations, "FW").status);
    }
    checked++;
  }
  return checked;
}

/** The emitter as the shared ARM test code drives it. */
export const firewallUnderTest: ArmEmitterUnderTest<FirewallPolicyOptions> = {
  generator: "@cassandra-mi-netrules/emit-azure-firewall",
  version,
  file: "firewall-policy.json",
  emit: emitFirewallPolicyTemplate,
  roundTrip: checkRoundTrip,
  emitter,
  registryName: "azure-firewall",
};

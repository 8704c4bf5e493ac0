/** Thin adapters from the ARM reader (through testkit's flat views) to the grants of model.ts, plus the structural checks of each target. */
import { isUnknown, NSG_VIA_FIREWALL_RULE_NAME, readArmTemplate } from "@cassandra-mi-netrules/azure";
import { getUdrAdvice, isCidr, mergePortRanges, portsCover, type CoverageEntry, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { parseFirewallTemplate, parseNsgTemplate } from "@cassandra-mi-netrules/testkit/arm";
import type { Grant } from "./model.js";

export function nsgGrants(content: string, resolved: ResolvedRules): { grants: Grant[]; problems: string[] } {
  const problems: string[] = [];
  const grants: Grant[] = [];
  const internalIds = new Set(resolved.rules.filter((r) => r.kind === "internal").map((r) => r.id));
  const sources = new Set(["VirtualNetwork", ...(resolved.subnet ? [resolved.subnet.cidr] : [])]);
  for (const r of parseNsgTemplate(content)) {
    const at = `nsg rule ${r.name}`;
    if (r.access === "Deny") {
      if (r.direction !== "Outbound" || r.destinations.join() !== "Internet" || r.requirementIds.length > 0) problems.push(`${at}: a deny rule other than the final deny to Internet`);
      continue;
    }
    if (r.name === NSG_VIA_FIREWALL_RULE_NAME) {
      // Host names handed to a firewall behind the NSG (hostNamesViaFirewall): Internet on the named requirements' ports;
      // each requirement's flow passes (to be narrowed by name downstream), which its approximated coverage says.
      if (r.destinations.join() !== "Internet") problems.push(`${at}: destinations ${r.destinations.join()}, expected Internet`);
      const named = resolved.rules.filter((x) => r.requirementIds.includes(x.id));
      if (!portsCover(mergePortRanges(named.flatMap((x) => x.ports)), r.ports)) problems.push(`${at}: opens ports beyond its requirements`);
      for (const x of named) for (const f of [...x.fqdns.map((q) => q.fqdn), ...x.unresolvedFqdns]) grants.push({ ruleIds: [x.id], dest: { kind: "fqdn", value: f }, ports: x.ports });
      continue;
    }
    if (r.protocol !== "Tcp") problems.push(`${at}: protocol ${r.protocol}, expected Tcp`);
    if (r.sourcePorts.length !== 1 || r.sourcePorts[0]?.from !== 0 || r.sourcePorts[0]?.to !== 65535) problems.push(`${at}: source ports are restricted`);
    for (const s of r.sources) if (!sources.has(s)) problems.push(`${at}: source ${s} is neither the subnet nor VirtualNetwork`);
    const internal = r.requirementIds.length > 0 && r.requirementIds.every((id) => internalIds.has(id));
    if (!internal && r.direction !== "Outbound") problems.push(`${at}: an inbound rule for outbound requirements`);
    for (const d of r.destinations) {
      if (internal) {
        if (!sources.has(d)) problems.push(`${at}: internal destination ${d} is neither the subnet nor VirtualNetwork`);
        grants.push({ ruleIds: r.requirementIds, dest: { kind: "internal", value: `${r.direction}:${d}` }, ports: r.ports });
      } else grants.push({ ruleIds: r.requirementIds, dest: isCidr(d) ? { kind: "cidr", value: d } : { kind: "tag", value: d }, ports: r.ports });
    }
  }
  // Internal traffic needs both directions: one grant set per direction is checked by requiring both exist.
  for (const id of internalIds) {
    const dirs = new Set(grants.filter((g) => g.ruleIds.includes(id)).map((g) => g.dest.value.split(":")[0]));
    if (dirs.size === 1) problems.push(`nsg: internal requirement ${id} is allowed in one direction only`);
  }
  return { grants, problems };
}

/** The value a deployer gives the template's clusterSubnet parameter when the rules have no subnet (documentation range). */
export const DEPLOY_SUBNET = "192.0.2.0/24";

export function firewallGrants(content: string, resolved: ResolvedRules): { grants: Grant[]; problems: string[] } {
  const problems: string[] = [];
  const grants: Grant[] = [];
  const parsed = parseFirewallTemplate(content, { parameters: { clusterSubnet: DEPLOY_SUBNET } });
  const source = resolved.subnet ? resolved.subnet.cidr : DEPLOY_SUBNET;
  for (const r of parsed.rules) {
    const at = `firewall rule ${r.collection}/${r.name}`;
    if (r.action !== "Allow") problems.push(`${at}: action ${r.action}`);
    if (r.sources.join() !== source) problems.push(`${at}: sources ${JSON.stringify(r.sources)}, expected ${source}`);
    if (r.ruleType === "ApplicationRule") {
      if (r.protocols.join() !== "Https") problems.push(`${at}: protocols ${r.protocols.join()}`);
      if (r.destinations.length > 0) problems.push(`${at}: an application rule with destination addresses`);
    } else if (r.ruleType === "NetworkRule") {
      if (r.protocols.join() !== "TCP") problems.push(`${at}: protocols ${r.protocols.join()}`);
      if (r.fqdns.length > 0 && parsed.policies.length > 0 && !parsed.policies.every((p) => p.dnsProxy)) problems.push(`${at}: FQDNs in a network rule without DNS proxy`);
    } else problems.push(`${at}: rule type ${r.ruleType}`);
    for (const f of r.fqdns) grants.push({ ruleIds: r.requirementIds, dest: { kind: "fqdn", value: f }, ports: r.ports });
    for (const d of r.destinations) grants.push({ ruleIds: r.requirementIds, dest: isCidr(d) ? { kind: "cidr", value: d } : { kind: "tag", value: d }, ports: r.ports });
  }
  return { grants, problems };
}

/**
 * The route table read back by the azure package's ARM reader, against the coverage: every route goes to
 * the Internet next hop; each requirement the coverage claims has a route to one of its own tags or
 * prefixes (service-tag mode) or the routes are exactly the sample's list (sample mode); an unsupported
 * requirement has none of its own.
 */
export function routeTableProblems(content: string, resolved: ResolvedRules, coverage: readonly CoverageEntry[], options: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const tables = readArmTemplate(content).routeTables;
  // Routes for an existing table: no route, no resource at all.
  const expected = options.routeTable === "existing" && !content.includes("Microsoft.Network/routeTables/routes") ? 0 : 1;
  if (tables.length !== expected) return [`route table: ${tables.length} route tables in the template, expected ${expected}`];
  const routes = (tables[0]?.properties.routes ?? []).filter((r, i) => !(i === 0 && options.routeTable === "existing" && isUnknown(r)));
  const meta = (JSON.parse(content) as { metadata: { "cassandra-mi-netrules": { requirements: Record<string, string[]> } } }).metadata["cassandra-mi-netrules"].requirements;
  const byName = new Map<string, string>();
  for (const r of routes) {
    if (isUnknown(r)) return [`route table: a route is not known (${r.reason})`];
    if (r.properties.nextHopType !== "Internet") problems.push(`route ${String(r.name)}: next hop ${String(r.properties.nextHopType)}`);
    byName.set(String(r.name), String(r.properties.addressPrefix));
  }
  if (options.mode === "sample-prefixes") {
    const sample = getUdrAdvice(resolved.revision.id)?.sample.prefixes ?? [];
    if ([...byName.values()].join() !== sample.join()) problems.push("route table: sample mode routes differ from the sample's list");
    return problems;
  }
  for (const c of coverage) {
    const rule = resolved.rules.find((r) => r.id === c.ruleId);
    const own = Object.entries(meta).filter(([, ids]) => ids.map((id) => (id.startsWith("[[") ? id.slice(1) : id)).includes(c.ruleId)).map(([name]) => byName.get(name) ?? "");
    if (!rule) continue;
    if (c.status === "unsupported") {
      if (own.length > 0) problems.push(`route table: ${c.ruleId} is unsupported but routed`);
      continue;
    }
    const alternatives = new Set([...rule.serviceTags.flatMap((t) => [t.global.name, ...t.regional.map((x) => x.name)]), ...rule.prefixes.ipv4, ...rule.prefixes.ipv6]);
    if (own.length === 0) problems.push(`route table: ${c.ruleId} is ${c.status} but has no route`);
    for (const p of own) if (!alternatives.has(p)) problems.push(`route table: ${c.ruleId} routed to ${p}, none of its alternatives`);
  }
  return problems;
}

/**
 * A small model of an NSG + Azure Firewall policy configuration, rendered in the three input shapes
 * the audit reads (ARM template, az JSON, Terraform plan JSON). The bundle's fixtures and the tests'
 * mutations are built with it.
 */
import { formatPortRange, type PortRange } from "@cassandra-mi-netrules/core";
import type { PolicyDocument } from "./document.js";

export interface NsgRuleSpec {
  readonly name: string;
  readonly priority: number;
  readonly direction: "Inbound" | "Outbound";
  readonly access: "Allow" | "Deny";
  readonly protocol: "Tcp" | "Udp" | "*";
  readonly sources: readonly string[];
  readonly destinations: readonly string[];
  readonly ports: readonly string[];
}
export interface NsgSpec {
  readonly name: string;
  readonly rules: readonly NsgRuleSpec[];
}
export interface AppRuleSpec {
  readonly name: string;
  readonly sources: readonly string[];
  readonly fqdns: readonly string[];
  readonly protocols: readonly { readonly type: "Http" | "Https"; readonly port: number }[];
}
export interface NetRuleSpec {
  readonly name: string;
  readonly sources: readonly string[];
  readonly destinations: readonly string[];
  readonly ports: readonly string[];
  readonly ipProtocols: readonly ("TCP" | "UDP" | "Any" | "ICMP")[];
}
export type CollectionSpec =
  | { readonly kind: "app"; readonly name: string; readonly priority: number; readonly action: "Allow" | "Deny"; readonly rules: readonly AppRuleSpec[] }
  | { readonly kind: "net"; readonly name: string; readonly priority: number; readonly action: "Allow" | "Deny"; readonly rules: readonly NetRuleSpec[] };
export interface RuleCollectionGroupSpec {
  readonly name: string;
  readonly priority: number;
  readonly collections: readonly CollectionSpec[];
}
export interface ConfigSpec {
  readonly nsgs: readonly NsgSpec[];
  readonly groups: readonly RuleCollectionGroupSpec[];
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
// The rules' objects below list their keys in code-unit order, the order canonicalJson writes: it has nothing to sort.

/** Where a rendered rule keeps its destination ports: NSG rule, firewall application or network rule. */
export interface PortLeaf {
  /** JSON pointer (RFC 6901) into the rendered input. */
  readonly path: string;
  readonly value: Json;
  readonly kind: "nsg" | "app" | "net";
  readonly allow: boolean;
}
/** Receives every port field a renderer writes, so a patch can change the ports without a second rendering. */
export type PortSink = (leaf: PortLeaf) => void;

/** ARM wants exactly one field of the pair: the single one for one value, the list for several. */
function oneOf(out: Record<string, Json>, key: string, keys: string, values: readonly string[]): void {
  if (values.length === 1) out[key] = values[0] ?? "";
  else if (values.length > 1) out[keys] = [...values];
}

function nsgRuleProperties(r: NsgRuleSpec): Record<string, Json> {
  const out: Record<string, Json> = { access: r.access };
  oneOf(out, "destinationAddressPrefix", "destinationAddressPrefixes", r.destinations);
  oneOf(out, "destinationPortRange", "destinationPortRanges", r.ports);
  out.direction = r.direction;
  out.priority = r.priority;
  out.protocol = r.protocol;
  oneOf(out, "sourceAddressPrefix", "sourceAddressPrefixes", r.sources);
  out.sourcePortRange = "*";
  return out;
}

function armCollection(c: CollectionSpec, at: string, sink?: PortSink): Json {
  const allow = c.action === "Allow";
  const rules: Json[] =
    c.kind === "app"
      ? c.rules.map((r, i) => {
          if (sink) r.protocols.forEach((p, j) => sink({ path: `${at}/rules/${i}/protocols/${j}/port`, value: p.port, kind: "app", allow }));
          return {
            name: r.name,
            protocols: r.protocols.map((p) => ({ port: p.port, protocolType: p.type })),
            ruleType: "ApplicationRule",
            sourceAddresses: [...r.sources],
            targetFqdns: [...r.fqdns],
          };
        })
      : c.rules.map((r, i) => {
          sink?.({ path: `${at}/rules/${i}/destinationPorts`, value: [...r.ports], kind: "net", allow });
          return {
            destinationAddresses: [...r.destinations],
            destinationPorts: [...r.ports],
            ipProtocols: [...r.ipProtocols],
            name: r.name,
            ruleType: "NetworkRule",
            sourceAddresses: [...r.sources],
          };
        });
  return { action: { type: c.action }, name: c.name, priority: c.priority, ruleCollectionType: "FirewallPolicyFilterRuleCollection", rules };
}

/** The port field of a rendered NSG rule (`destinationPortRange` or `destinationPortRanges`, as written). */
function nsgPortLeaf(r: NsgRuleSpec, at: string, sink: PortSink | undefined, single: string, multiple: string): void {
  if (!sink) return;
  const allow = r.access === "Allow";
  if (r.ports.length === 1) sink({ path: `${at}/${single}`, value: r.ports[0] ?? "", kind: "nsg", allow });
  else sink({ path: `${at}/${multiple}`, value: [...r.ports], kind: "nsg", allow });
}

/** One security rule as an ARM template writes it under `securityRules`. */
export function armSecurityRule(r: NsgRuleSpec, at = "", sink?: PortSink): Json {
  nsgPortLeaf(r, `${at}/properties`, sink, "destinationPortRange", "destinationPortRanges");
  return { name: r.name, properties: nsgRuleProperties(r) };
}

/** One `Microsoft.Network/firewallPolicies/ruleCollectionGroups` resource of policy `fw-policy`. */
export function armRuleCollectionGroup(g: RuleCollectionGroupSpec, at = "", sink?: PortSink): Json {
  return {
    type: "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
    apiVersion: "2024-05-01",
    name: `fw-policy/${g.name}`,
    dependsOn: ["[resourceId('Microsoft.Network/firewallPolicies', 'fw-policy')]"],
    properties: { priority: g.priority, ruleCollections: g.collections.map((c, i) => armCollection(c, `${at}/properties/ruleCollections/${i}`, sink)) },
  };
}

/** An ARM deployment template with the NSGs and the rule collection groups (policy `fw-policy`). */
export function toArmTemplate(spec: ConfigSpec, sink?: PortSink): Json {
  const resources: Json[] = [];
  for (const nsg of spec.nsgs) {
    const at = `/resources/${resources.length}/properties/securityRules`;
    resources.push({
      type: "Microsoft.Network/networkSecurityGroups",
      apiVersion: "2024-05-01",
      name: nsg.name,
      location: "[resourceGroup().location]",
      properties: { securityRules: nsg.rules.map((r, i) => armSecurityRule(r, `${at}/${i}`, sink)) },
    });
  }
  if (spec.groups.length > 0) {
    resources.push({ type: "Microsoft.Network/firewallPolicies", apiVersion: "2024-05-01", name: "fw-policy", location: "[resourceGroup().location]", properties: {} });
  }
  for (const g of spec.groups) resources.push(armRuleCollectionGroup(g, `/resources/${resources.length}`, sink));
  return { $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", contentVersion: "1.0.0.0", resources };
}

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-cassandra/providers/Microsoft.Network";

/** One entry of `securityRules` in what `az network nsg show` prints (az flattens `properties`). */
export function azSecurityRule(nsgName: string, r: NsgRuleSpec, at = "", sink?: PortSink): Json {
  nsgPortLeaf(r, at, sink, "destinationPortRange", "destinationPortRanges");
  // az prints both fields of a pair: the list is empty when the single one is set.
  const out: Record<string, Json> = { access: r.access };
  oneOf(out, "destinationAddressPrefix", "destinationAddressPrefixes", r.destinations);
  out.destinationAddressPrefixes ??= [];
  oneOf(out, "destinationPortRange", "destinationPortRanges", r.ports);
  out.destinationPortRanges ??= [];
  out.direction = r.direction;
  out.id = `${SUB}/networkSecurityGroups/${nsgName}/securityRules/${r.name}`;
  out.name = r.name;
  out.priority = r.priority;
  out.protocol = r.protocol;
  out.provisioningState = "Succeeded";
  out.resourceGroup = "rg-cassandra";
  oneOf(out, "sourceAddressPrefix", "sourceAddressPrefixes", r.sources);
  out.sourceAddressPrefixes ??= [];
  out.sourcePortRange = "*";
  out.sourcePortRanges = [];
  out.type = "Microsoft.Network/networkSecurityGroups/securityRules";
  return out;
}

/** What `az network nsg show` and `az network firewall policy rule-collection-group show` print, one document each, in an array. */
export function toAzJson(spec: ConfigSpec, sink?: PortSink): Json {
  const docs: Json[] = [];
  for (const nsg of spec.nsgs) {
    const at = `/${docs.length}/securityRules`;
    docs.push({
      id: `${SUB}/networkSecurityGroups/${nsg.name}`,
      location: "eastus",
      name: nsg.name,
      provisioningState: "Succeeded",
      resourceGroup: "rg-cassandra",
      securityRules: nsg.rules.map((r, i) => azSecurityRule(nsg.name, r, `${at}/${i}`, sink)),
      type: "Microsoft.Network/networkSecurityGroups",
    });
  }
  for (const g of spec.groups) {
    const at = `/${docs.length}/ruleCollections`;
    docs.push({
      id: `${SUB}/firewallPolicies/fw-policy/ruleCollectionGroups/${g.name}`,
      name: g.name,
      priority: g.priority,
      provisioningState: "Succeeded",
      resourceGroup: "rg-cassandra",
      ruleCollections: g.collections.map((c, i) => armCollection(c, `${at}/${i}`, sink)),
      type: "Microsoft.Network/FirewallPolicies/RuleCollectionGroups",
    });
  }
  return docs;
}

/** Terraform sets both fields of a pair: the single one (or null) and the list (or empty). */
function pair(out: Record<string, Json>, key: string, keys: string, values: readonly string[]): void {
  out[key] = values.length === 1 ? (values[0] ?? "") : null;
  out[keys] = values.length === 1 ? [] : [...values];
}

function tfNsgRule(r: NsgRuleSpec): Record<string, Json> {
  const out: Record<string, Json> = { access: r.access, description: "" };
  pair(out, "destination_address_prefix", "destination_address_prefixes", r.destinations);
  out.destination_application_security_group_ids = [];
  pair(out, "destination_port_range", "destination_port_ranges", r.ports);
  out.direction = r.direction;
  out.name = r.name;
  out.priority = r.priority;
  out.protocol = r.protocol;
  pair(out, "source_address_prefix", "source_address_prefixes", r.sources);
  out.source_application_security_group_ids = [];
  out.source_port_range = "*";
  out.source_port_ranges = [];
  return out;
}

/**
 * A Terraform plan JSON (`terraform show -json plan`): each NSG's first rule as an
 * `azurerm_network_security_rule` resource in a child module, the others inline in
 * `azurerm_network_security_group.security_rule`, and the rule collection groups.
 */
export function toTerraformPlan(spec: ConfigSpec, sink?: PortSink): Json {
  const root: Json[] = [];
  const child: Json[] = [];
  const ROOT = "/planned_values/root_module/resources";
  const CHILD = "/planned_values/root_module/child_modules/0/resources";
  spec.nsgs.forEach((nsg, i) => {
    const [first, ...rest] = nsg.rules;
    const at = `${ROOT}/${root.length}/values/security_rule`;
    rest.forEach((r, j) => nsgPortLeaf(r, `${at}/${j}`, sink, "destination_port_range", "destination_port_ranges"));
    root.push({
      address: `azurerm_network_security_group.nsg${i}`,
      mode: "managed",
      type: "azurerm_network_security_group",
      name: `nsg${i}`,
      provider_name: "registry.terraform.io/hashicorp/azurerm",
      schema_version: 0,
      values: { name: nsg.name, location: "eastus", resource_group_name: "rg-cassandra", security_rule: rest.map(tfNsgRule), tags: null },
      sensitive_values: {},
    });
    if (first) {
      nsgPortLeaf(first, `${CHILD}/${child.length}/values`, sink, "destination_port_range", "destination_port_ranges");
      child.push({
        address: `module.rules.azurerm_network_security_rule.r${i}`,
        mode: "managed",
        type: "azurerm_network_security_rule",
        name: `r${i}`,
        provider_name: "registry.terraform.io/hashicorp/azurerm",
        schema_version: 0,
        values: { ...tfNsgRule(first), network_security_group_name: nsg.name, resource_group_name: "rg-cassandra" },
        sensitive_values: {},
      });
    }
  });
  spec.groups.forEach((g, i) => {
    const at = `${ROOT}/${root.length}/values`;
    const app: Json[] = [];
    const net: Json[] = [];
    for (const c of g.collections) {
      const allow = c.action === "Allow";
      if (c.kind === "app") {
        const cat = `${at}/application_rule_collection/${app.length}`;
        app.push({
          name: c.name,
          priority: c.priority,
          action: c.action,
          rule: c.rules.map((r, k) => {
            if (sink) r.protocols.forEach((p, m) => sink({ path: `${cat}/rule/${k}/protocols/${m}/port`, value: p.port, kind: "app", allow }));
            return {
              description: null,
              destination_addresses: [],
              destination_fqdn_tags: [],
              destination_fqdns: [...r.fqdns],
              destination_urls: [],
              http_headers: [],
              name: r.name,
              protocols: r.protocols.map((p) => ({ port: p.port, type: p.type })),
              source_addresses: [...r.sources],
              source_ip_groups: [],
              terminate_tls: false,
              web_categories: [],
            };
          }),
        });
      } else {
        const cat = `${at}/network_rule_collection/${net.length}`;
        net.push({
          name: c.name,
          priority: c.priority,
          action: c.action,
          rule: c.rules.map((r, k) => {
            sink?.({ path: `${cat}/rule/${k}/destination_ports`, value: [...r.ports], kind: "net", allow });
            return {
              description: null,
              destination_addresses: [...r.destinations],
              destination_fqdns: [],
              destination_ip_groups: [],
              destination_ports: [...r.ports],
              name: r.name,
              protocols: [...r.ipProtocols],
              source_addresses: [...r.sources],
              source_ip_groups: [],
            };
          }),
        });
      }
    }
    root.push({
      address: `azurerm_firewall_policy_rule_collection_group.rcg${i}`,
      mode: "managed",
      type: "azurerm_firewall_policy_rule_collection_group",
      name: `rcg${i}`,
      provider_name: "registry.terraform.io/hashicorp/azurerm",
      schema_version: 0,
      values: { name: g.name, priority: g.priority, application_rule_collection: app, network_rule_collection: net, nat_rule_collection: [] },
      sensitive_values: {},
    });
  });
  const root_module: Json = child.length > 0 ? { resources: root, child_modules: [{ address: "module.rules", resources: child }] } : { resources: root };
  return { format_version: "1.2", terraform_version: "1.9.8", planned_values: { root_module }, resource_changes: [], configuration: {} };
}

function portText(r: readonly [number, number]): string {
  return formatPortRange({ from: r[0], to: r[1] } satisfies PortRange);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** Every port of the ranges (application rules take one port per protocol entry). */
function eachPort(ranges: readonly (readonly [number, number])[]): number[] {
  return [...new Set(ranges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i)))];
}

/**
 * The configuration that allows exactly what the document's flows need: an NSG (service tags and
 * prefixes outbound, internal ports in both directions, from the subnet) and a firewall policy
 * (network rules for the tags and prefixes, application rules for the FQDNs). NSG rules start at 200
 * so that a Deny fits above every one of them.
 */
export function completeConfig(doc: PolicyDocument): ConfigSpec {
  const src = doc.subnet ?? "VirtualNetwork";
  const nsgRules: NsgRuleSpec[] = [];
  const seen = new Set<string>();
  let out = 200;
  let inb = 200;
  const apps: AppRuleSpec[] = [];
  const nets: NetRuleSpec[] = [];
  const nsgOut = (name: string, destinations: readonly string[], ports: readonly string[]): void => {
    const key = `${destinations.join(",")}|${ports.join(",")}`;
    if (seen.has(key)) return;
    seen.add(key);
    nsgRules.push({ name, priority: out, direction: "Outbound", access: "Allow", protocol: "Tcp", sources: [src], destinations: [...destinations], ports: [...ports] });
    out += 10;
  };
  for (const id of Object.keys(doc.requirements).sort()) {
    const req = doc.requirements[id];
    for (const alt of req?.alternatives ?? []) {
      const flows = alt.flows.filter((f) => !f.notAuditable && !f.unknown);
      for (const f of flows) {
        const ports = f.ports.map(portText);
        if ("local" in f.dst) {
          nsgRules.push({ name: `${id}-inbound`, priority: inb, direction: "Inbound", access: "Allow", protocol: "Tcp", sources: [src], destinations: [src], ports });
          inb += 10;
          nsgOut(`${id}-outbound`, [src], ports);
        } else if ("tags" in f.dst && alt.type === "serviceTag") {
          for (const t of f.dst.tags) nsgOut(`allow-${slug(t)}-${slug(ports.join("-"))}`, [t], ports);
          nets.push({ name: `${id}-${slug(f.dst.tags.join("-"))}`, sources: [src], destinations: [...f.dst.tags], ports, ipProtocols: ["TCP"] });
        } else if ("prefixes" in f.dst) {
          nsgOut(`${id}-prefixes`, f.dst.prefixes, ports);
          nets.push({ name: `${id}-prefixes`, sources: [src], destinations: [...f.dst.prefixes], ports, ipProtocols: ["TCP"] });
        }
      }
      const named = flows.filter((f) => f.name !== undefined && f.https);
      if (named.length > 0) {
        apps.push({ name: id, sources: [src], fqdns: [...new Set(named.map((f) => f.name ?? ""))], protocols: eachPort(named.flatMap((f) => f.ports)).map((port) => ({ type: "Https" as const, port })) });
      }
    }
  }
  const collections: CollectionSpec[] = [];
  if (nets.length > 0) collections.push({ kind: "net", name: "cassandra-network", priority: 100, action: "Allow", rules: nets });
  if (apps.length > 0) collections.push({ kind: "app", name: "cassandra-fqdns", priority: 200, action: "Allow", rules: apps });
  return { nsgs: [{ name: "nsg-cassandra", rules: nsgRules }], groups: [{ name: "cassandra-mi", priority: 300, collections }] };
}

/**
 * A small model of an NSG + Azure Firewall policy configuration, rendered in the three input shapes
 * the audit reads (ARM template, az JSON, Terraform plan JSON). The bundle's fixtures and the tests'
 * mutations are built with it.
 */
import { formatPortRange, type PortRange } from "@cassandra-mi-netrules/core";
import type { Check, RequirementsDocument } from "./document.js";

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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function one(key: string, keys: string, values: readonly string[]): Record<string, Json> {
  return values.length === 1 ? { [key]: values[0] ?? "", [keys]: [] } : { [key]: null, [keys]: [...values] };
}

function nsgRuleProperties(r: NsgRuleSpec): Record<string, Json> {
  const single = (key: string, keys: string, values: readonly string[]): Record<string, Json> => {
    const o = one(key, keys, values);
    // ARM wants exactly one of the pair; drop the empty one.
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0)));
  };
  return {
    protocol: r.protocol,
    sourcePortRange: "*",
    ...single("sourceAddressPrefix", "sourceAddressPrefixes", r.sources),
    ...single("destinationAddressPrefix", "destinationAddressPrefixes", r.destinations),
    ...single("destinationPortRange", "destinationPortRanges", r.ports),
    access: r.access,
    priority: r.priority,
    direction: r.direction,
  };
}

function armCollection(c: CollectionSpec): Json {
  const rules: Json[] =
    c.kind === "app"
      ? c.rules.map((r) => ({
          ruleType: "ApplicationRule",
          name: r.name,
          sourceAddresses: [...r.sources],
          targetFqdns: [...r.fqdns],
          protocols: r.protocols.map((p) => ({ protocolType: p.type, port: p.port })),
        }))
      : c.rules.map((r) => ({
          ruleType: "NetworkRule",
          name: r.name,
          ipProtocols: [...r.ipProtocols],
          sourceAddresses: [...r.sources],
          destinationAddresses: [...r.destinations],
          destinationPorts: [...r.ports],
        }));
  return { ruleCollectionType: "FirewallPolicyFilterRuleCollection", name: c.name, priority: c.priority, action: { type: c.action }, rules };
}

/** An ARM deployment template with the NSGs and the rule collection groups (policy `fw-policy`). */
export function toArmTemplate(spec: ConfigSpec): Json {
  const resources: Json[] = [];
  for (const nsg of spec.nsgs) {
    resources.push({
      type: "Microsoft.Network/networkSecurityGroups",
      apiVersion: "2024-05-01",
      name: nsg.name,
      location: "[resourceGroup().location]",
      properties: { securityRules: nsg.rules.map((r) => ({ name: r.name, properties: nsgRuleProperties(r) })) },
    });
  }
  if (spec.groups.length > 0) {
    resources.push({ type: "Microsoft.Network/firewallPolicies", apiVersion: "2024-05-01", name: "fw-policy", location: "[resourceGroup().location]", properties: {} });
  }
  for (const g of spec.groups) {
    resources.push({
      type: "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
      apiVersion: "2024-05-01",
      name: `fw-policy/${g.name}`,
      dependsOn: ["[resourceId('Microsoft.Network/firewallPolicies', 'fw-policy')]"],
      properties: { priority: g.priority, ruleCollections: g.collections.map(armCollection) },
    });
  }
  return { $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", contentVersion: "1.0.0.0", resources };
}

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-cassandra/providers/Microsoft.Network";

/** What `az network nsg show` and `az network firewall policy rule-collection-group show` print, one document each, in an array. */
export function toAzJson(spec: ConfigSpec): Json {
  const docs: Json[] = [];
  for (const nsg of spec.nsgs) {
    docs.push({
      id: `${SUB}/networkSecurityGroups/${nsg.name}`,
      location: "eastus",
      name: nsg.name,
      provisioningState: "Succeeded",
      resourceGroup: "rg-cassandra",
      securityRules: nsg.rules.map((r) => ({
        id: `${SUB}/networkSecurityGroups/${nsg.name}/securityRules/${r.name}`,
        name: r.name,
        provisioningState: "Succeeded",
        resourceGroup: "rg-cassandra",
        sourceAddressPrefixes: [],
        destinationAddressPrefixes: [],
        destinationPortRanges: [],
        sourcePortRanges: [],
        ...nsgRuleProperties(r),
        type: "Microsoft.Network/networkSecurityGroups/securityRules",
      })),
      type: "Microsoft.Network/networkSecurityGroups",
    });
  }
  for (const g of spec.groups) {
    docs.push({
      id: `${SUB}/firewallPolicies/fw-policy/ruleCollectionGroups/${g.name}`,
      name: g.name,
      priority: g.priority,
      provisioningState: "Succeeded",
      resourceGroup: "rg-cassandra",
      ruleCollections: g.collections.map(armCollection),
      type: "Microsoft.Network/FirewallPolicies/RuleCollectionGroups",
    });
  }
  return docs;
}

function tfNsgRule(r: NsgRuleSpec): Record<string, Json> {
  const pair = (key: string, keys: string, values: readonly string[]): Record<string, Json> =>
    values.length === 1 ? { [key]: values[0] ?? "", [keys]: [] } : { [key]: null, [keys]: [...values] };
  return {
    name: r.name,
    priority: r.priority,
    direction: r.direction,
    access: r.access,
    protocol: r.protocol,
    source_port_range: "*",
    source_port_ranges: [],
    ...pair("source_address_prefix", "source_address_prefixes", r.sources),
    ...pair("destination_address_prefix", "destination_address_prefixes", r.destinations),
    ...pair("destination_port_range", "destination_port_ranges", r.ports),
    description: "",
    source_application_security_group_ids: [],
    destination_application_security_group_ids: [],
  };
}

/**
 * A Terraform plan JSON (`terraform show -json plan`): each NSG's first rule inline in
 * `azurerm_network_security_group.security_rule`, the others as `azurerm_network_security_rule`
 * resources in a child module, and the rule collection groups.
 */
export function toTerraformPlan(spec: ConfigSpec): Json {
  const root: Json[] = [];
  const child: Json[] = [];
  spec.nsgs.forEach((nsg, i) => {
    const [first, ...rest] = nsg.rules;
    root.push({
      address: `azurerm_network_security_group.nsg${i}`,
      mode: "managed",
      type: "azurerm_network_security_group",
      name: `nsg${i}`,
      provider_name: "registry.terraform.io/hashicorp/azurerm",
      schema_version: 0,
      values: { name: nsg.name, location: "eastus", resource_group_name: "rg-cassandra", security_rule: first ? [tfNsgRule(first)] : [], tags: null },
      sensitive_values: {},
    });
    rest.forEach((r, j) => {
      child.push({
        address: `module.rules.azurerm_network_security_rule.r${i}_${j}`,
        mode: "managed",
        type: "azurerm_network_security_rule",
        name: `r${i}_${j}`,
        provider_name: "registry.terraform.io/hashicorp/azurerm",
        schema_version: 0,
        values: { ...tfNsgRule(r), network_security_group_name: nsg.name, resource_group_name: "rg-cassandra" },
        sensitive_values: {},
      });
    });
  });
  spec.groups.forEach((g, i) => {
    const app = g.collections.flatMap((c) =>
      c.kind === "app"
        ? [
            {
              name: c.name,
              priority: c.priority,
              action: c.action,
              rule: c.rules.map((r) => ({
                name: r.name,
                description: null,
                source_addresses: [...r.sources],
                source_ip_groups: [],
                destination_fqdns: [...r.fqdns],
                destination_fqdn_tags: [],
                destination_urls: [],
                destination_addresses: [],
                terminate_tls: false,
                web_categories: [],
                http_headers: [],
                protocols: r.protocols.map((p) => ({ type: p.type, port: p.port })),
              })),
            },
          ]
        : [],
    );
    const net = g.collections.flatMap((c) =>
      c.kind === "net"
        ? [
            {
              name: c.name,
              priority: c.priority,
              action: c.action,
              rule: c.rules.map((r) => ({
                name: r.name,
                description: null,
                protocols: [...r.ipProtocols],
                source_addresses: [...r.sources],
                source_ip_groups: [],
                destination_addresses: [...r.destinations],
                destination_ip_groups: [],
                destination_fqdns: [],
                destination_ports: [...r.ports],
              })),
            },
          ]
        : [],
    );
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

function ports(c: Check): string {
  return formatPortRange({ from: c.from, to: c.to } satisfies PortRange);
}

/**
 * The configuration that allows exactly what the document asks, one alternative per requirement:
 * service tags in NSG outbound rules (the regional form where there is one), prefixes in a firewall
 * network rule, FQDN-only requirements in a firewall application rule, internal ports in NSG
 * inbound and outbound rules; the NSG ends with Deny-all rules at 4096.
 */
export function completeConfig(doc: RequirementsDocument, options: { prefixesIn?: "nsg" | "firewall"; firstRegionOnly?: boolean } = {}): ConfigSpec {
  const src = doc.subnet ?? "VirtualNetwork";
  const nsgRules: NsgRuleSpec[] = [];
  const seen = new Set<string>();
  // Start at 200 so that a test can put a Deny above every rule.
  let out = 200;
  let inb = 200;
  const fqdns: AppRuleSpec[] = [];
  const nets: NetRuleSpec[] = [];
  for (const [id, req] of Object.entries(doc.requirements)) {
    const tagAlt = req.alternatives.find((a) => a.type === "serviceTag");
    const prefixAlt = req.alternatives.find((a) => a.type === "prefixes");
    const fqdnAlt = req.alternatives.find((a) => a.type === "fqdn");
    const internal = req.alternatives.find((a) => a.type === "internal");
    if (tagAlt) {
      for (const c of options.firstRegionOnly ? tagAlt.checks.slice(0, 1) : tagAlt.checks) {
        if (c.kind !== "tag") continue;
        const dst = c.names[c.names.length - 1] ?? "";
        const key = `${dst}|${ports(c)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        nsgRules.push({ name: `allow-${dst.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${ports(c)}`, priority: out, direction: "Outbound", access: "Allow", protocol: "Tcp", sources: [src], destinations: [dst], ports: [ports(c)] });
        out += 10;
      }
    } else if (prefixAlt && options.prefixesIn === "nsg") {
      for (const c of prefixAlt.checks) {
        if (c.kind !== "prefix") continue;
        nsgRules.push({ name: `${id}-${c.prefix.replace(/[^0-9a-f]+/g, "-")}`, priority: out, direction: "Outbound", access: "Allow", protocol: "Tcp", sources: [src], destinations: [c.prefix], ports: [ports(c)] });
        out += 10;
      }
    } else if (prefixAlt) {
      const checks = prefixAlt.checks.filter((c) => c.kind === "prefix");
      nets.push({ name: id, sources: [src], destinations: checks.map((c) => (c.kind === "prefix" ? c.prefix : "")), ports: [...new Set(checks.map(ports))], ipProtocols: ["TCP"] });
    } else if (fqdnAlt) {
      const checks = fqdnAlt.checks.filter((c) => c.kind === "fqdn");
      fqdns.push({ name: id, sources: [src], fqdns: [...new Set(checks.map((c) => (c.kind === "fqdn" ? c.fqdn : "")))], protocols: [...new Set(checks.map((c) => c.from))].map((port) => ({ type: "Https" as const, port })) });
    }
    if (internal) {
      for (const c of internal.checks) {
        const dir = c.kind === "internal" && c.direction === "inbound" ? "Inbound" : "Outbound";
        const priority = dir === "Inbound" ? inb : out;
        if (dir === "Inbound") inb += 10;
        else out += 10;
        nsgRules.push({ name: `${id}-${dir.toLowerCase()}`, priority, direction: dir, access: "Allow", protocol: "Tcp", sources: [src], destinations: [src], ports: [ports(c)] });
      }
    }
  }
  nsgRules.push({ name: "deny-all-inbound", priority: 4096, direction: "Inbound", access: "Deny", protocol: "*", sources: ["*"], destinations: ["*"], ports: ["*"] });
  nsgRules.push({ name: "deny-all-outbound", priority: 4096, direction: "Outbound", access: "Deny", protocol: "*", sources: ["*"], destinations: ["*"], ports: ["*"] });
  const collections: CollectionSpec[] = [];
  if (fqdns.length > 0) collections.push({ kind: "app", name: "cassandra-fqdns", priority: 200, action: "Allow", rules: fqdns });
  if (nets.length > 0) collections.push({ kind: "net", name: "cassandra-prefixes", priority: 100, action: "Allow", rules: nets });
  return { nsgs: [{ name: "nsg-cassandra", rules: nsgRules }], groups: [{ name: "cassandra-mi", priority: 300, collections }] };
}

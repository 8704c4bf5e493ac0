/**
 * azurerm resources (their attribute values, from a Terraform plan or from HCL) as the ARM shapes the
 * model's readers take. Each supported type maps attribute by attribute (`source_address_prefixes` ->
 * `sourceAddressPrefixes`); a value Terraform knows only after apply, or HCL that is not a literal, is
 * already an `Unknown` here and stays one. References between resources are resource ids (built from the
 * referenced resource's name where Terraform has no id yet), so subnets find their NSG and route table.
 */
import { isUnknown, unknownValue, type Maybe, type Unknown } from "../unknown.js";
import { FieldReader, LITERAL, type JsonObject } from "./arm-values.js";
import { isObject } from "./input.js";
import { FIREWALL, IP_GROUP, NetworkBuilder, NSG, POLICY, ROUTE, ROUTE_TABLE, RULE_COLLECTION_GROUP, SECURITY_RULE, SUBNET, VNET, type ResourceItem } from "./network-builder.js";
import { parseResourceId, resourceIdOf } from "./resource-id.js";
import type { AzureNetwork } from "../model.js";

/** One Terraform resource: its address, type, attribute values (Unknown where not known) and where they stand. */
export interface TerraformResource {
  readonly address: string;
  readonly type: string;
  readonly values: JsonObject;
  /** Where `values` stands in the input, for paths. */
  readonly path: string;
}

/** The ARM type of each azurerm resource type that holds a network object of the model. */
export const AZURERM_TYPES: Readonly<Record<string, string>> = {
  azurerm_network_security_group: "Microsoft.Network/networkSecurityGroups",
  azurerm_network_security_rule: "Microsoft.Network/networkSecurityGroups/securityRules",
  azurerm_route_table: "Microsoft.Network/routeTables",
  azurerm_route: "Microsoft.Network/routeTables/routes",
  azurerm_firewall_policy: "Microsoft.Network/firewallPolicies",
  azurerm_firewall_policy_rule_collection_group: "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
  azurerm_firewall: "Microsoft.Network/azureFirewalls",
  azurerm_ip_group: "Microsoft.Network/ipGroups",
  azurerm_virtual_network: "Microsoft.Network/virtualNetworks",
  azurerm_subnet: "Microsoft.Network/virtualNetworks/subnets",
};

type V = unknown;
const list = (v: V): V[] | Unknown => (isUnknown(v) ? v : Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);
const text = (v: V): V => (v === "" ? undefined : v);
/** A block list (`security_rule`, `route`): each element mapped; an unknown list stays one Unknown. */
const blocks = (v: V, map: (o: JsonObject) => JsonObject): V => {
  const l = list(v);
  return isUnknown(l) ? l : l.map((x) => (isObject(x) && !isUnknown(x) ? map(x) : x));
};
const ids = (v: V): V => {
  const l = list(v);
  return isUnknown(l) ? l : l.map((id) => (isUnknown(id) ? id : { id }));
};
const first = (v: V): JsonObject | undefined => {
  const l = list(v);
  return isUnknown(l) ? undefined : (l.find(isObject) as JsonObject | undefined);
};
/** Drops undefined fields. */
const clean = (o: Record<string, V>): JsonObject => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));

function securityRule(r: JsonObject): JsonObject {
  return {
    name: r.name,
    properties: clean({
      description: text(r.description),
      priority: r.priority,
      direction: r.direction,
      access: r.access,
      protocol: r.protocol,
      sourcePortRange: r.source_port_range,
      sourcePortRanges: r.source_port_ranges,
      destinationPortRange: r.destination_port_range,
      destinationPortRanges: r.destination_port_ranges,
      sourceAddressPrefix: r.source_address_prefix,
      sourceAddressPrefixes: r.source_address_prefixes,
      destinationAddressPrefix: r.destination_address_prefix,
      destinationAddressPrefixes: r.destination_address_prefixes,
      sourceApplicationSecurityGroups: r.source_application_security_group_ids === undefined ? undefined : ids(r.source_application_security_group_ids),
      destinationApplicationSecurityGroups: r.destination_application_security_group_ids === undefined ? undefined : ids(r.destination_application_security_group_ids),
    }),
  };
}

function route(r: JsonObject): JsonObject {
  return { name: r.name, properties: clean({ addressPrefix: r.address_prefix, nextHopType: r.next_hop_type, nextHopIpAddress: text(r.next_hop_in_ip_address) }) };
}

const ACTIONS: Readonly<Record<string, string>> = { allow: "Allow", deny: "Deny", dnat: "DNAT", snat: "Snat" };
const action = (v: V): V => (typeof v === "string" ? (ACTIONS[v.toLowerCase()] ?? v) : v);

function policyRule(kind: "application" | "network" | "nat", r: JsonObject): JsonObject {
  const common = { name: r.name, description: text(r.description), sourceAddresses: r.source_addresses, sourceIpGroups: r.source_ip_groups };
  if (kind === "application") {
    const protocols = blocks(r.protocols, (p) => ({ protocolType: p.type, port: p.port }));
    return clean({ ruleType: "ApplicationRule", ...common, protocols, targetFqdns: r.destination_fqdns, fqdnTags: r.destination_fqdn_tags, targetUrls: r.destination_urls, webCategories: r.web_categories, destinationAddresses: r.destination_addresses, terminateTLS: r.terminate_tls });
  }
  if (kind === "network") return clean({ ruleType: "NetworkRule", ...common, ipProtocols: r.protocols, destinationAddresses: r.destination_addresses, destinationIpGroups: r.destination_ip_groups, destinationFqdns: r.destination_fqdns, destinationPorts: r.destination_ports });
  const destination = r.destination_address === undefined ? undefined : list(r.destination_address);
  return clean({ ruleType: "NatRule", ...common, ipProtocols: r.protocols, destinationAddresses: destination, destinationPorts: r.destination_ports, translatedAddress: text(r.translated_address), translatedFqdn: text(r.translated_fqdn), translatedPort: r.translated_port === undefined ? undefined : typeof r.translated_port === "number" ? String(r.translated_port) : r.translated_port });
}

function ruleCollectionGroup(v: JsonObject): JsonObject {
  const collections = (key: string, kind: "application" | "network" | "nat"): V => {
    const l = list(v[key]);
    if (isUnknown(l)) return [l];
    return l.map((c) => (isObject(c) && !isUnknown(c) ? { ruleCollectionType: kind === "nat" ? "FirewallPolicyNatRuleCollection" : "FirewallPolicyFilterRuleCollection", name: c.name, priority: c.priority, action: { type: action(c.action) }, rules: blocks(c.rule, (r) => policyRule(kind, r)) } : c));
  };
  const all = [collections("nat_rule_collection", "nat"), collections("network_rule_collection", "network"), collections("application_rule_collection", "application")].flat();
  return { name: v.name, properties: { priority: v.priority, ruleCollections: all } };
}

function classicRule(kind: "application" | "network" | "nat", r: JsonObject): JsonObject {
  const common = { name: r.name, description: text(r.description), sourceAddresses: r.source_addresses, sourceIpGroups: r.source_ip_groups };
  if (kind === "application") return clean({ ...common, protocols: blocks(r.protocol, (p) => ({ protocolType: p.type, port: p.port })), targetFqdns: r.target_fqdns, fqdnTags: r.fqdn_tags });
  if (kind === "network") return clean({ ...common, protocols: r.protocols, destinationAddresses: r.destination_addresses, destinationIpGroups: r.destination_ip_groups, destinationFqdns: r.destination_fqdns, destinationPorts: r.destination_ports });
  return clean({ ...common, protocols: r.protocols, destinationAddresses: r.destination_addresses, destinationPorts: r.destination_ports, translatedAddress: text(r.translated_address), translatedPort: r.translated_port });
}

const CLASSIC: Readonly<Record<string, ["application" | "network" | "nat", string]>> = {
  azurerm_firewall_application_rule_collection: ["application", "applicationRuleCollections"],
  azurerm_firewall_network_rule_collection: ["network", "networkRuleCollections"],
  azurerm_firewall_nat_rule_collection: ["nat", "natRuleCollections"],
};

function subnetProperties(v: JsonObject): JsonObject {
  const prefixes = v.address_prefixes ?? (v.address_prefix === undefined ? undefined : list(v.address_prefix));
  const delegations = v.delegation === undefined ? undefined : blocks(v.delegation, (d) => ({ name: d.name, properties: { serviceName: first(d.service_delegation)?.name ?? unknownValue("service_delegation", "not given") } }));
  const endpoints = v.service_endpoints === undefined ? undefined : blocks(v.service_endpoints, (s) => s);
  return clean({
    addressPrefixes: prefixes,
    serviceEndpoints: isUnknown(endpoints) || endpoints === undefined ? endpoints : (endpoints as V[]).map((s) => ({ service: s })),
    delegations,
    defaultOutboundAccess: v.default_outbound_access_enabled,
    networkSecurityGroup: v.security_group === undefined || v.security_group === "" ? undefined : { id: v.security_group },
  });
}

/** The name an id names (`names[index]`), or an Unknown naming the field. */
function nameFromId(id: V, path: string, index = 0): Maybe<string> {
  if (isUnknown(id)) return id;
  if (typeof id !== "string") return unknownValue(path, "not given");
  return parseResourceId(id)?.names[index] ?? unknownValue(path, `not a resource id: ${JSON.stringify(id.slice(0, 60))}`);
}

/** Reads azurerm resources into the model. */
export function readAzurerm(resources: readonly TerraformResource[]): AzureNetwork {
  const reader = new FieldReader(LITERAL, true);
  const b = new NetworkBuilder();
  const item = (t: TerraformResource, type: string, res: JsonObject, parentName?: () => Maybe<string>): ResourceItem => ({
    res: { ...res, name: t.values.name },
    path: t.path,
    type,
    reader,
    name: () => reader.string(t.values.name ?? unknownValue(`${t.path}.name`, "not given"), `${t.path}.name`),
    ...(parentName ? { parentName } : {}),
  });
  const parentBy = (t: TerraformResource, key: string) => () => reader.string(t.values[key] ?? unknownValue(`${t.path}.${key}`, "not given"), `${t.path}.${key}`);
  const subnets = new Map<string, JsonObject>();
  const associations: TerraformResource[] = [];
  const firewalls = new Map<string, JsonObject>();
  const classic: TerraformResource[] = [];
  const cidrs: TerraformResource[] = [];
  for (const t of resources) {
    const v = t.values;
    const base = clean({ location: v.location, tags: v.tags ?? undefined });
    switch (t.type) {
      case "azurerm_network_security_group":
        b.add(item(t, NSG, { ...base, properties: { securityRules: blocks(v.security_rule, securityRule) } }));
        break;
      case "azurerm_network_security_rule":
        b.add(item(t, SECURITY_RULE, securityRule(v), parentBy(t, "network_security_group_name")));
        break;
      case "azurerm_route_table": {
        const disable = v.bgp_route_propagation_enabled !== undefined ? (isUnknown(v.bgp_route_propagation_enabled) ? v.bgp_route_propagation_enabled : v.bgp_route_propagation_enabled === false) : v.disable_bgp_route_propagation;
        b.add(item(t, ROUTE_TABLE, { ...base, properties: clean({ disableBgpRoutePropagation: disable, routes: blocks(v.route, route) }) }));
        break;
      }
      case "azurerm_route":
        b.add(item(t, ROUTE, route(v), parentBy(t, "route_table_name")));
        break;
      case "azurerm_firewall_policy": {
        const dns = first(v.dns);
        const sku = typeof v.sku === "string" ? { tier: v.sku } : undefined;
        b.add(item(t, POLICY, { ...base, properties: clean({ sku, threatIntelMode: v.threat_intelligence_mode, dnsSettings: dns ? clean({ enableProxy: dns.proxy_enabled, servers: dns.servers }) : undefined, basePolicy: v.base_policy_id ? { id: v.base_policy_id } : undefined }) }));
        break;
      }
      case "azurerm_firewall_policy_rule_collection_group":
        b.add(item(t, RULE_COLLECTION_GROUP, ruleCollectionGroup(v), () => nameFromId(v.firewall_policy_id, `${t.path}.firewall_policy_id`)));
        break;
      case "azurerm_firewall":
        firewalls.set(String(v.name).toLowerCase(), { t: t as unknown as JsonObject, res: { ...base, properties: clean({ sku: clean({ name: v.sku_name, tier: v.sku_tier }), threatIntelMode: v.threat_intel_mode || undefined, firewallPolicy: v.firewall_policy_id ? { id: v.firewall_policy_id } : undefined }) } });
        break;
      case "azurerm_ip_group":
        b.add(item(t, IP_GROUP, { ...base, properties: { ipAddresses: v.cidrs ?? [] } }));
        break;
      case "azurerm_ip_group_cidr":
        cidrs.push(t);
        break;
      case "azurerm_virtual_network":
        b.add(item(t, VNET, { ...base, properties: { subnets: blocks(v.subnet, (s) => ({ name: s.name, properties: subnetProperties(s) })) } }));
        break;
      case "azurerm_subnet":
        subnets.set(t.address, { t: t as unknown as JsonObject, properties: subnetProperties(v) });
        break;
      case "azurerm_subnet_network_security_group_association":
      case "azurerm_subnet_route_table_association":
        associations.push(t);
        break;
      default:
        if (t.type in CLASSIC) classic.push(t);
    }
  }
  linkSubnets(subnets, associations);
  for (const { t, properties } of subnets.values() as Iterable<{ t: TerraformResource; properties: JsonObject }>) b.add(item(t, SUBNET, { properties }, parentBy(t, "virtual_network_name")));
  for (const t of classic) {
    const [kind, key] = CLASSIC[t.type] as ["application" | "network" | "nat", string];
    const name = String(t.values.azure_firewall_name).toLowerCase();
    const fw = firewalls.get(name) ?? { t: { ...t, values: { name: t.values.azure_firewall_name } }, res: { properties: { applicationRuleCollections: [], networkRuleCollections: [], natRuleCollections: [] } }, standIn: true };
    firewalls.set(name, fw);
    const props = (fw.res as JsonObject).properties as JsonObject;
    props[key] = [...((props[key] as V[] | undefined) ?? []), { name: t.values.name, properties: { priority: t.values.priority, action: { type: action(t.values.action) }, rules: blocks(t.values.rule, (r) => classicRule(kind, r)) } }];
  }
  for (const fw of firewalls.values()) {
    const t = fw.t as unknown as TerraformResource;
    const props = (fw.res as JsonObject).properties as JsonObject;
    if (fw.standIn) for (const key of ["applicationRuleCollections", "networkRuleCollections", "natRuleCollections"]) props[key] = [unknownValue(`${t.path}.azure_firewall_name`, `the firewall '${String(t.values.name)}' is not in this input: its other rule collections are not known`), ...((props[key] as V[]) ?? [])];
    b.add(item(t, FIREWALL, fw.res as JsonObject));
  }
  const network = b.result();
  return cidrs.length === 0 ? network : { ...network, ipGroups: withCidrs(network, cidrs) };
}

/** Subnet associations (`azurerm_subnet_network_security_group_association`...) set the subnet's NSG or route table. */
function linkSubnets(subnets: Map<string, JsonObject>, associations: readonly TerraformResource[]): void {
  for (const a of associations) {
    const subnetId = a.values.subnet_id;
    const target = [...subnets.values()].find((s) => {
      const t = s.t as unknown as TerraformResource;
      return typeof subnetId === "string" && typeof t.values.name === "string" && nameFromId(subnetId, "", 1) === t.values.name && nameFromId(subnetId, "", 0) === t.values.virtual_network_name;
    });
    const key = a.type === "azurerm_subnet_route_table_association" ? "routeTable" : "networkSecurityGroup";
    const id = a.type === "azurerm_subnet_route_table_association" ? a.values.route_table_id : a.values.network_security_group_id;
    if (target) (target.properties as JsonObject)[key] = { id };
    else if (typeof subnetId === "string" && parseResourceId(subnetId)) {
      // A subnet outside the input (an existing one): known by its id.
      const names = parseResourceId(subnetId)?.names ?? [];
      subnets.set(a.address, { t: { ...a, values: { name: names[1], virtual_network_name: names[0] } } as unknown as JsonObject, properties: { [key]: { id } } });
    }
  }
}

function withCidrs(network: AzureNetwork, cidrs: readonly TerraformResource[]) {
  return network.ipGroups.map((g) => {
    const extra = cidrs.filter((c) => typeof g.name === "string" && nameFromId(c.values.ip_group_id, `${c.path}.ip_group_id`) === g.name).map((c) => (isUnknown(c.values.cidr) ? c.values.cidr : String(c.values.cidr)));
    return extra.length === 0 ? g : { ...g, properties: { ipAddresses: [...g.properties.ipAddresses, ...(extra as Maybe<string>[])] } };
  });
}

/** The id a reference to an azurerm resource stands for, built from its name (Terraform gives ids only after apply). */
export function azurermId(type: string, values: JsonObject): string | undefined {
  const arm = AZURERM_TYPES[type];
  if (!arm || typeof values.name !== "string") return undefined;
  const rg = typeof values.resource_group_name === "string" ? { resourceGroup: values.resource_group_name } : {};
  const parentKey = { azurerm_network_security_rule: "network_security_group_name", azurerm_route: "route_table_name", azurerm_subnet: "virtual_network_name" }[type];
  if (parentKey !== undefined) {
    const parent = values[parentKey];
    return typeof parent === "string" ? resourceIdOf(arm, [parent, values.name], rg) : undefined;
  }
  if (type === "azurerm_firewall_policy_rule_collection_group") {
    const policy = nameFromId(values.firewall_policy_id, "");
    return typeof policy === "string" ? resourceIdOf(arm, [policy, values.name]) : undefined;
  }
  return resourceIdOf(arm, [values.name], rg);
}

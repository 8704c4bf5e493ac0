/**
 * azurerm resources (their attribute values, from a Terraform plan or from HCL) as the ARM shapes the
 * model's readers take, field by field through the azurerm table of `../azurerm.ts`, the one the
 * Terraform renderer writes through. A value Terraform knows only after apply, or HCL that is not a
 * literal, is already an `Unknown` here and stays one. References between resources are resource ids
 * (built from the referenced resource's name where Terraform has no id yet), so subnets find their NSG and
 * route table. The ARM readers name what they refuse by ARM paths; `ArmShapes` remembers the azurerm path
 * each came from, so errors and Unknowns name the attribute as the input has it (`security_rule[0].priority`).
 */
import { ownValue } from "@cassandra-mi-netrules/core";
import {
  APPLICATION_PROTOCOL_FIELDS,
  AZURE_FIREWALL_FIELDS,
  AZURERM_ARM_TYPES,
  CLASSIC_RULE_COLLECTION_FIELDS,
  CLASSIC_RULE_FIELDS,
  DNS_SETTINGS_FIELDS,
  FIREWALL_POLICY_FIELDS,
  FIREWALL_RULE_FIELDS,
  INTRUSION_DETECTION_FIELDS,
  INTRUSION_DETECTION_UNMAPPED,
  IP_GROUP_FIELDS,
  modelFieldValue,
  ROUTE_FIELDS,
  ROUTE_TABLE_FIELDS,
  ROUTE_TABLE_FIELDS_3X,
  RULE_COLLECTION_BLOCK,
  RULE_COLLECTION_FIELDS,
  RULE_COLLECTION_GROUP_FIELDS,
  SECURITY_RULE_FIELDS,
  setValueAt,
  SUBNET_FIELDS,
  type AzurermField,
} from "../azurerm.js";
import type { AzureNetwork } from "../model.js";
import { isUnknown, unknownValue, type Maybe, type Unknown } from "../unknown.js";
import { ArmReadError, FieldReader, LITERAL, type JsonObject } from "./arm-values.js";
import { isObject } from "./input.js";
import { FIREWALL, IP_GROUP, NetworkBuilder, NSG, POLICY, ROUTE, ROUTE_TABLE, RULE_COLLECTION_GROUP, SECURITY_RULE, SUBNET, VNET, type ResourceItem } from "./network-builder.js";
import { parseResourceId, resourceIdOf } from "./resource-id.js";

/** One Terraform resource: its address, type, attribute values (Unknown where not known) and where they stand. */
export interface TerraformResource {
  readonly address: string;
  readonly type: string;
  readonly values: JsonObject;
  /** Where `values` stands in the input, for paths. */
  readonly path: string;
}

type V = unknown;

/** Element `i` of a block list, or of a list attribute (a lone value counts as a list of one). */
const listOf = (v: V): V[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** ARM-shaped values built from azurerm ones, and the azurerm path each ARM path stands for. */
class ArmShapes {
  readonly #from = new Map<string, string>();

  /** The ARM-shaped value at `arm` stands for the azurerm value at `tf` (`given`: that value is in the input, and wins). */
  at(arm: string, tf: string, given = true): void {
    if (given || !this.#from.has(arm)) this.#from.set(arm, tf);
  }

  /** The fields of `table` in an azurerm body, as the model object they stand for. */
  fields(table: readonly AzurermField[], body: JsonObject, arm: string, tf: string): JsonObject {
    const out: JsonObject = {};
    for (const f of table) {
      const raw = body[f.azurerm];
      for (let i = 1; i <= f.model.length; i++) this.at(`${arm}.${f.model.slice(0, i).join(".")}`, `${tf}.${f.azurerm}`, raw !== undefined);
      const v = modelFieldValue(f, raw);
      if (v !== undefined) setValueAt(out, f.model, v);
    }
    return out;
  }

  /** A block list (`security_rule`, `route`): each element mapped; an unknown list stays one Unknown. */
  blocks(v: V, arm: string, tf: string, map: (o: JsonObject, arm: string, tf: string) => V): V {
    if (isUnknown(v) || v === undefined || v === null) return v ?? undefined;
    this.at(arm, tf);
    return listOf(v).map((x, i) => {
      this.at(`${arm}[${i}]`, `${tf}[${i}]`);
      return isObject(x) && !isUnknown(x) ? map(x, `${arm}[${i}]`, `${tf}[${i}]`) : x;
    });
  }

  /** The first block of a block list that holds at most one (`dns`), mapped; an Unknown stays one. */
  block(v: V, arm: string, tf: string, map: (o: JsonObject, arm: string, tf: string) => JsonObject): V {
    if (isUnknown(v)) return v;
    const first = listOf(v)[0];
    if (first === undefined) return undefined;
    this.at(arm, `${tf}[0]`);
    return isObject(first) && !isUnknown(first) ? map(first, arm, `${tf}[0]`) : first;
  }

  /** The azurerm path of an ARM path: its longest recorded prefix (whole segments) replaced. */
  path(p: string): string {
    for (let end = p.length; end > 0; end = Math.max(p.lastIndexOf(".", end - 1), p.lastIndexOf("[", end - 1))) {
      const tf = this.#from.get(p.slice(0, end));
      if (tf !== undefined) return tf + p.slice(end);
    }
    return p;
  }

  /** Every Unknown of a value with its path as the input has it. */
  unknownPaths<T>(value: T): T {
    if (isUnknown(value)) {
      const p = this.path(value.path);
      return (p === value.path ? value : unknownValue(p, value.reason)) as T;
    }
    if (Array.isArray(value)) return value.map((v) => this.unknownPaths(v)) as T;
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.unknownPaths(v)])) as T;
    return value;
  }
}

function securityRule(s: ArmShapes, r: JsonObject, arm: string, tf: string): JsonObject {
  s.at(`${arm}.properties`, tf);
  return { name: r.name, properties: s.fields(SECURITY_RULE_FIELDS, r, `${arm}.properties`, tf) };
}

function route(s: ArmShapes, r: JsonObject, arm: string, tf: string): JsonObject {
  s.at(`${arm}.properties`, tf);
  return { name: r.name, properties: s.fields(ROUTE_FIELDS, r, `${arm}.properties`, tf) };
}

function policyRule(s: ArmShapes, ruleType: keyof typeof FIREWALL_RULE_FIELDS, r: JsonObject, arm: string, tf: string): JsonObject {
  const rule = { ruleType, ...s.fields(FIREWALL_RULE_FIELDS[ruleType], r, arm, tf) };
  if (ruleType !== "ApplicationRule") return rule;
  const protocols = s.blocks(r.protocols, `${arm}.protocols`, `${tf}.protocols`, (p, a, t) => s.fields(APPLICATION_PROTOCOL_FIELDS, p, a, t));
  return protocols === undefined ? rule : { ...rule, protocols };
}

/** The order collections of each type are read in (Azure takes them by priority, whatever their order). */
const COLLECTION_ORDER = ["NatRule", "NetworkRule", "ApplicationRule"] as const;

function ruleCollectionGroup(s: ArmShapes, v: JsonObject, arm: string, tf: string): JsonObject {
  const collections: V[] = [];
  for (const ruleType of COLLECTION_ORDER) {
    const key = RULE_COLLECTION_BLOCK[ruleType];
    const list = v[key];
    if (isUnknown(list)) collections.push(list);
    else
      listOf(list).forEach((c, i) => {
        const at = `${arm}.properties.ruleCollections[${collections.length}]`;
        const ct = `${tf}.${key}[${i}]`;
        s.at(at, ct);
        if (!isObject(c) || isUnknown(c)) return void collections.push(c);
        const ruleCollectionType = ruleType === "NatRule" ? "FirewallPolicyNatRuleCollection" : "FirewallPolicyFilterRuleCollection";
        const rules = s.blocks(c.rule, `${at}.rules`, `${ct}.rule`, (r, a, t) => policyRule(s, ruleType, r, a, t));
        collections.push({ ruleCollectionType, ...s.fields(RULE_COLLECTION_FIELDS, c, at, ct), rules });
      });
  }
  return { name: v.name, properties: { ...s.fields(RULE_COLLECTION_GROUP_FIELDS, v, `${arm}.properties`, tf), ruleCollections: collections } };
}

/** The policy, its `dns` and `intrusion_detection` blocks; IDPS arguments the model does not hold go to `unread`. */
function firewallPolicy(s: ArmShapes, v: JsonObject, arm: string, tf: string, unread: Unknown[]): JsonObject {
  const p = `${arm}.properties`;
  const dnsSettings = s.block(v.dns, `${p}.dnsSettings`, `${tf}.dns`, (d, a, t) => s.fields(DNS_SETTINGS_FIELDS, d, a, t));
  const intrusionDetection = s.block(v.intrusion_detection, `${p}.intrusionDetection`, `${tf}.intrusion_detection`, (d, a, t) => {
    for (const key of INTRUSION_DETECTION_UNMAPPED) {
      const x = d[key];
      if (isUnknown(x) || (Array.isArray(x) && x.length > 0)) unread.push(unknownValue(`${t}.${key}`, `intrusion detection's ${key} is not read: the model holds only the mode`));
    }
    return s.fields(INTRUSION_DETECTION_FIELDS, d, a, t);
  });
  const properties: JsonObject = { ...s.fields(FIREWALL_POLICY_FIELDS, v, p, tf) };
  if (dnsSettings !== undefined) properties.dnsSettings = dnsSettings;
  if (intrusionDetection !== undefined) properties.intrusionDetection = intrusionDetection;
  return { properties };
}

function routeTable(s: ArmShapes, v: JsonObject, arm: string, tf: string): JsonObject {
  const p = `${arm}.properties`;
  const routes = s.blocks(v.route, `${p}.routes`, `${tf}.route`, (r, a, t) => route(s, r, a, t));
  return { properties: { ...s.fields([...ROUTE_TABLE_FIELDS_3X, ...ROUTE_TABLE_FIELDS], v, p, tf), ...(routes !== undefined ? { routes } : {}) } };
}

function subnetProperties(s: ArmShapes, v: JsonObject, arm: string, tf: string): JsonObject {
  const properties = s.fields(SUBNET_FIELDS, v, arm, tf);
  const delegations = s.blocks(v.delegation, `${arm}.delegations`, `${tf}.delegation`, (d, a, t) => {
    const service = listOf(d.service_delegation).find(isObject);
    s.at(`${a}.properties.serviceName`, `${t}.service_delegation[0].name`);
    return { name: d.name, properties: { serviceName: service?.name ?? unknownValue(`${t}.service_delegation`, "not given") } };
  });
  const endpoints = v.service_endpoints;
  if (endpoints !== undefined && endpoints !== null) {
    s.at(`${arm}.serviceEndpoints`, `${tf}.service_endpoints`);
    properties.serviceEndpoints = isUnknown(endpoints) ? endpoints : listOf(endpoints).map((service) => ({ service }));
  }
  if (delegations !== undefined) properties.delegations = delegations;
  return properties;
}

const CLASSIC: Readonly<Record<string, [keyof typeof CLASSIC_RULE_FIELDS, string]>> = {
  azurerm_firewall_application_rule_collection: ["application", "applicationRuleCollections"],
  azurerm_firewall_network_rule_collection: ["network", "networkRuleCollections"],
  azurerm_firewall_nat_rule_collection: ["nat", "natRuleCollections"],
};

function classicCollection(s: ArmShapes, t: TerraformResource, arm: string): JsonObject {
  const [kind] = CLASSIC[t.type] as [keyof typeof CLASSIC_RULE_FIELDS, string];
  s.at(arm, t.path);
  s.at(`${arm}.properties`, t.path);
  const rules = s.blocks(t.values.rule, `${arm}.properties.rules`, `${t.path}.rule`, (r, a, tp) => {
    const rule = s.fields(CLASSIC_RULE_FIELDS[kind], r, a, tp);
    if (kind !== "application") return rule;
    const protocols = s.blocks(r.protocol, `${a}.protocols`, `${tp}.protocol`, (p, pa, pt) => s.fields(APPLICATION_PROTOCOL_FIELDS, p, pa, pt));
    return protocols === undefined ? rule : { ...rule, protocols };
  });
  return { name: t.values.name, properties: { ...s.fields(CLASSIC_RULE_COLLECTION_FIELDS, t.values, `${arm}.properties`, t.path), rules } };
}

/** The name an id names (`names[index]`), or an Unknown naming the field. */
function nameFromId(id: V, path: string, index = 0): Maybe<string> {
  if (isUnknown(id)) return id;
  if (typeof id !== "string") return unknownValue(path, "not given");
  return parseResourceId(id)?.names[index] ?? unknownValue(path, `not a resource id: ${JSON.stringify(id.slice(0, 60))}`);
}

/** Drops undefined fields. */
const clean = (o: Record<string, V>): JsonObject => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));

/** Reads azurerm resources into the model. */
export function readAzurerm(resources: readonly TerraformResource[]): AzureNetwork {
  const s = new ArmShapes();
  try {
    return s.unknownPaths(buildNetwork(s, resources));
  } catch (e) {
    if (e instanceof ArmReadError) throw new ArmReadError(s.path(e.path), e.value, e.reason);
    throw e;
  }
}

function buildNetwork(s: ArmShapes, resources: readonly TerraformResource[]): AzureNetwork {
  const reader = new FieldReader(LITERAL, true);
  const b = new NetworkBuilder();
  const unread: Unknown[] = [];
  const item = (t: TerraformResource, type: string, res: JsonObject, parentName?: () => Maybe<string>): ResourceItem => ({
    res: { ...res, name: t.values.name },
    path: t.path,
    type,
    reader,
    name: () => reader.string(t.values.name ?? unknownValue(`${t.path}.name`, "not given"), `${t.path}.name`),
    ...(parentName ? { parentName } : {}),
  });
  const parentBy = (t: TerraformResource, key: string) => () => reader.string(t.values[key] ?? unknownValue(`${t.path}.${key}`, "not given"), `${t.path}.${key}`);
  const subnets = new Map<string, { t: TerraformResource; properties: JsonObject }>();
  const associations: TerraformResource[] = [];
  const firewalls = new Map<string, { t: TerraformResource; res: JsonObject; standIn?: true }>();
  const classic: TerraformResource[] = [];
  const cidrs: TerraformResource[] = [];
  for (const t of resources) {
    const v = t.values;
    const base = clean({ location: v.location, tags: v.tags ?? undefined });
    const props = `${t.path}.properties`;
    s.at(props, t.path);
    switch (t.type) {
      case "azurerm_network_security_group":
        b.add(item(t, NSG, { ...base, properties: { securityRules: s.blocks(v.security_rule, `${props}.securityRules`, `${t.path}.security_rule`, (r, a, tp) => securityRule(s, r, a, tp)) } }));
        break;
      case "azurerm_network_security_rule":
        b.add(item(t, SECURITY_RULE, securityRule(s, v, t.path, t.path), parentBy(t, "network_security_group_name")));
        break;
      case "azurerm_route_table":
        b.add(item(t, ROUTE_TABLE, { ...base, ...routeTable(s, v, t.path, t.path) }));
        break;
      case "azurerm_route":
        b.add(item(t, ROUTE, route(s, v, t.path, t.path), parentBy(t, "route_table_name")));
        break;
      case "azurerm_firewall_policy":
        b.add(item(t, POLICY, { ...base, ...firewallPolicy(s, v, t.path, t.path, unread) }));
        break;
      case "azurerm_firewall_policy_rule_collection_group":
        b.add(item(t, RULE_COLLECTION_GROUP, ruleCollectionGroup(s, v, t.path, t.path), () => nameFromId(v.firewall_policy_id, `${t.path}.firewall_policy_id`)));
        break;
      case "azurerm_firewall":
        firewalls.set(String(v.name).toLowerCase(), { t, res: { ...base, properties: { ...s.fields(AZURE_FIREWALL_FIELDS, v, props, t.path), applicationRuleCollections: [], networkRuleCollections: [], natRuleCollections: [] } } });
        break;
      case "azurerm_ip_group":
        b.add(item(t, IP_GROUP, { ...base, properties: s.fields(IP_GROUP_FIELDS, v, props, t.path) }));
        break;
      case "azurerm_ip_group_cidr":
        cidrs.push(t);
        break;
      case "azurerm_virtual_network":
        b.add(item(t, VNET, { ...base, properties: { subnets: s.blocks(v.subnet, `${props}.subnets`, `${t.path}.subnet`, (x, a, tp) => ({ name: x.name, properties: subnetProperties(s, x, `${a}.properties`, tp) })) } }));
        break;
      case "azurerm_subnet":
        subnets.set(t.address, { t, properties: subnetProperties(s, v, props, t.path) });
        break;
      case "azurerm_subnet_network_security_group_association":
      case "azurerm_subnet_route_table_association":
        associations.push(t);
        break;
      default:
        if (Object.hasOwn(CLASSIC, t.type)) classic.push(t);
    }
  }
  linkSubnets(subnets, associations);
  for (const { t, properties } of subnets.values()) b.add(item(t, SUBNET, { properties }, parentBy(t, "virtual_network_name")));
  addClassicFirewalls(s, b, firewalls, classic, item);
  const network = b.result();
  const withUnread = { ...network, unread: [...network.unread, ...unread] };
  return cidrs.length === 0 ? withUnread : { ...withUnread, ipGroups: withCidrs(withUnread, cidrs) };
}

type Firewalls = Map<string, { t: TerraformResource; res: JsonObject; standIn?: true }>;

/** Classic rule collections join their firewall by name; a firewall not in the input stands in, its other collections unknown. */
function addClassicFirewalls(s: ArmShapes, b: NetworkBuilder, firewalls: Firewalls, classic: readonly TerraformResource[], item: (t: TerraformResource, type: string, res: JsonObject) => ResourceItem): void {
  for (const t of classic) {
    const key = (CLASSIC[t.type] as [string, string])[1];
    const name = String(t.values.azure_firewall_name).toLowerCase();
    const fw = firewalls.get(name) ?? { t: { ...t, values: { name: t.values.azure_firewall_name } }, res: { properties: { applicationRuleCollections: [], networkRuleCollections: [], natRuleCollections: [] } }, standIn: true as const };
    firewalls.set(name, fw);
    const props = fw.res.properties as JsonObject;
    const list = props[key] as V[];
    list.push(classicCollection(s, t, `${fw.t.path}.properties.${key}[${list.length + (fw.standIn ? 1 : 0)}]`));
  }
  for (const fw of firewalls.values()) {
    const props = fw.res.properties as JsonObject;
    if (fw.standIn) for (const key of ["applicationRuleCollections", "networkRuleCollections", "natRuleCollections"]) props[key] = [unknownValue(`${fw.t.path}.azure_firewall_name`, `the firewall '${String(fw.t.values.name)}' is not in this input: its other rule collections are not known`), ...(props[key] as V[])];
    b.add(item(fw.t, FIREWALL, fw.res));
  }
}

/** Subnet associations (`azurerm_subnet_network_security_group_association`...) set the subnet's NSG or route table. */
function linkSubnets(subnets: Map<string, { t: TerraformResource; properties: JsonObject }>, associations: readonly TerraformResource[]): void {
  for (const a of associations) {
    const subnetId = a.values.subnet_id;
    const target = [...subnets.values()].find(({ t }) => typeof subnetId === "string" && typeof t.values.name === "string" && nameFromId(subnetId, "", 1) === t.values.name && nameFromId(subnetId, "", 0) === t.values.virtual_network_name);
    const key = a.type === "azurerm_subnet_route_table_association" ? "routeTable" : "networkSecurityGroup";
    const id = a.type === "azurerm_subnet_route_table_association" ? a.values.route_table_id : a.values.network_security_group_id;
    if (target) target.properties[key] = { id };
    else if (typeof subnetId === "string" && parseResourceId(subnetId)) {
      // A subnet outside the input (an existing one): known by its id.
      const names = parseResourceId(subnetId)?.names ?? [];
      subnets.set(a.address, { t: { ...a, values: { name: names[1], virtual_network_name: names[0] } }, properties: { [key]: { id } } });
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
  const arm = ownValue(AZURERM_ARM_TYPES, type);
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

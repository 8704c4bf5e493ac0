/**
 * Builds the model from resources met one by one, whatever the input form: each resource by its
 * (lower-case) type goes to its reader in `arm-resources.ts`; child resources (security rules, routes,
 * rule collection groups, subnets) join their parent by name, or a stand-in parent when the parent is
 * not in the input.
 */
import { defaultSecurityRules, emptyNetwork, type AzureFirewall, type AzureNetwork, type FirewallPolicy, type FirewallPolicyRuleCollectionGroup, type IpGroup, type NetworkSecurityGroup, type Route, type RouteTable, type SecurityRule, type Subnet } from "../model.js";
import { isUnknown, unknownValue, type Maybe, type Unknown } from "../unknown.js";
import { readAzureFirewall, readFirewallPolicy, readIpGroup, readNetworkSecurityGroup, readRoute, readRouteTable, readRuleCollection, readSecurityRule, readSubnet } from "./arm-resources.js";
import type { FieldReader, JsonObject } from "./arm-values.js";

export const NSG = "microsoft.network/networksecuritygroups";
export const ROUTE_TABLE = "microsoft.network/routetables";
export const POLICY = "microsoft.network/firewallpolicies";
export const VNET = "microsoft.network/virtualnetworks";
export const FIREWALL = "microsoft.network/azurefirewalls";
export const IP_GROUP = "microsoft.network/ipgroups";
export const SECURITY_RULE = `${NSG}/securityrules`;
export const ROUTE = `${ROUTE_TABLE}/routes`;
export const RULE_COLLECTION_GROUP = `${POLICY}/rulecollectiongroups`;
export const SUBNET = `${VNET}/subnets`;

/** The types the model holds, by lower-case type, as Azure spells them. */
export const NETWORK_TYPES: Readonly<Record<string, string>> = {
  [NSG]: "Microsoft.Network/networkSecurityGroups",
  [ROUTE_TABLE]: "Microsoft.Network/routeTables",
  [POLICY]: "Microsoft.Network/firewallPolicies",
  [VNET]: "Microsoft.Network/virtualNetworks",
  [FIREWALL]: "Microsoft.Network/azureFirewalls",
  [IP_GROUP]: "Microsoft.Network/ipGroups",
  [SECURITY_RULE]: "Microsoft.Network/networkSecurityGroups/securityRules",
  [ROUTE]: "Microsoft.Network/routeTables/routes",
  [RULE_COLLECTION_GROUP]: "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
  [SUBNET]: "Microsoft.Network/virtualNetworks/subnets",
};

export const CHILD_TYPES: ReadonlySet<string> = new Set([SECURITY_RULE, ROUTE, RULE_COLLECTION_GROUP, SUBNET]);

/** One resource to read: its JSON, where it stands, its type and names, and the reader of its fields. */
export interface ResourceItem {
  readonly res: JsonObject;
  readonly path: string;
  /** Full lower-case type. */
  readonly type: string;
  readonly reader: FieldReader;
  /** Its own name (a child's last segment). */
  readonly name: () => Maybe<string>;
  /** A child's parent name. */
  readonly parentName?: () => Maybe<string>;
}

/** Collects the resources by kind; children find their parent by name (case-insensitive, as Azure names are). */
export class NetworkBuilder {
  readonly nsgs: NetworkSecurityGroup[] = [];
  readonly routeTables: RouteTable[] = [];
  readonly policies: FirewallPolicy[] = [];
  readonly groups: FirewallPolicyRuleCollectionGroup[] = [];
  readonly firewalls: AzureFirewall[] = [];
  readonly ipGroups: IpGroup[] = [];
  readonly subnets: Subnet[] = [];
  readonly unread: Unknown[] = [];
  readonly #extraRules = new Map<NetworkSecurityGroup, Maybe<SecurityRule>[]>();
  readonly #extraRoutes = new Map<RouteTable, Maybe<Route>[]>();
  readonly #pending: ResourceItem[] = [];

  /** `where`: what the input is called in messages ("template" for ARM). */
  constructor(private readonly where = "input") {}

  /** The NSG (or route table) of that name, or a stand-in for one outside the input whose own entries are unknown. */
  #parent<T extends { name: Maybe<string> }>(list: T[], name: Maybe<string>, path: string, standIn: (name: Maybe<string>, missing: Unknown) => T): T {
    const found = typeof name === "string" ? list.find((x) => typeof x.name === "string" && x.name.toLowerCase() === name.toLowerCase()) : undefined;
    if (found) return found;
    const made = standIn(name, unknownValue(path, `the parent ${typeof name === "string" ? `'${name}'` : "resource"} is not in this ${this.where}: its other entries are not known`));
    list.push(made);
    return made;
  }

  addSecurityRule(nsgName: Maybe<string>, rule: Maybe<SecurityRule>, path: string): void {
    const nsg = this.#parent(this.nsgs, nsgName, path, (name, missing) => ({ name, properties: { securityRules: [missing], defaultSecurityRules: defaultSecurityRules() } }));
    this.#extraRules.set(nsg, [...(this.#extraRules.get(nsg) ?? []), rule]);
  }

  addRoute(tableName: Maybe<string>, route: Maybe<Route>, path: string): void {
    const table = this.#parent(this.routeTables, tableName, path, (name, missing) => ({ name, properties: { routes: [missing] } }));
    this.#extraRoutes.set(table, [...(this.#extraRoutes.get(table) ?? []), route]);
  }

  #subnet(s: Maybe<Subnet>): void {
    if (isUnknown(s)) this.unread.push(s);
    else this.subnets.push(s);
  }

  /** Reads a resource of a type the model holds; other types are left alone. Children wait for their parents (`result`). */
  add(item: ResourceItem): void {
    if (CHILD_TYPES.has(item.type)) return void this.#pending.push(item);
    const r = item.reader;
    switch (item.type) {
      case NSG:
        return void this.nsgs.push(readNetworkSecurityGroup(r, item.res, item.path, item.name()));
      case ROUTE_TABLE:
        return void this.routeTables.push(readRouteTable(r, item.res, item.path, item.name()));
      case POLICY:
        return void this.policies.push(readFirewallPolicy(r, item.res, item.path, item.name()));
      case FIREWALL:
        return void this.firewalls.push(readAzureFirewall(r, item.res, item.path, item.name()));
      case IP_GROUP:
        return void this.ipGroups.push(readIpGroup(r, item.res, item.path, item.name()));
      case VNET: {
        const p = r.propertiesOf(item.res, item.path);
        if (isUnknown(p)) return void this.unread.push(p);
        const vnet = item.name();
        for (const s of p.o.subnets === undefined ? [] : r.list(p.o.subnets, `${p.path}.subnets`, (x, at) => readSubnet(r, x, at, vnet))) this.#subnet(s);
        return;
      }
      default:
        return;
    }
  }

  #child(item: ResourceItem): void {
    const r = item.reader;
    const parent = item.parentName?.() ?? unknownValue(`${item.path}.name`, "the parent is not named");
    const own = item.name();
    if (item.type === SECURITY_RULE) return this.addSecurityRule(parent, readSecurityRule(r, item.res, item.path, own), item.path);
    if (item.type === ROUTE) return this.addRoute(parent, readRoute(r, item.res, item.path, own), item.path);
    if (item.type === SUBNET) return this.#subnet(readSubnet(r, item.res, item.path, parent, own));
    const p = r.propertiesOf(item.res, item.path);
    const priority = isUnknown(p) ? p : (r.optional(p.o, "priority", p.path, (x, at) => r.int(x, at)) ?? unknownValue(`${p.path}.priority`, "not given"));
    const ruleCollections = isUnknown(p) ? [p] : p.o.ruleCollections === undefined ? [] : r.list(p.o.ruleCollections, `${p.path}.ruleCollections`, (x, at) => readRuleCollection(r, x, at));
    this.groups.push({ firewallPolicyName: parent, name: own, properties: { priority, ruleCollections } });
  }

  result(): AzureNetwork {
    // Parents first, so that children find them wherever they stood in the input.
    for (const item of this.#pending.splice(0)) this.#child(item);
    // An NSG or table no child joined is kept as read: no copy of each of ten thousand NSGs and their rules.
    const nsgs = this.nsgs.map((n) => withExtra(n, "securityRules", this.#extraRules.get(n)));
    const tables = this.routeTables.map((t) => withExtra(t, "routes", this.#extraRoutes.get(t)));
    return { ...emptyNetwork(), networkSecurityGroups: nsgs, routeTables: tables, firewallPolicies: this.policies, firewallPolicyRuleCollectionGroups: this.groups, azureFirewalls: this.firewalls, ipGroups: this.ipGroups, subnets: this.subnets, unread: this.unread };
  }
}

/** `parent` with `extra` entries after its own in `properties[key]`, or `parent` itself when there are none. */
function withExtra<P extends { properties: Record<K, readonly unknown[]> }, K extends string>(parent: P, key: K, extra: readonly unknown[] | undefined): P {
  return extra === undefined ? parent : { ...parent, properties: { ...parent.properties, [key]: [...parent.properties[key], ...extra] } };
}

/**
 * readArmTemplate: an ARM template (JSON text or the parsed value) into the model. Parameters take the
 * values given, else their default values; variables and the expressions of `arm-expression.ts` are
 * evaluated; what the template alone cannot decide is an `Unknown` naming the field. Child resources
 * (`networkSecurityGroups/securityRules`, `routeTables/routes`, `firewallPolicies/ruleCollectionGroups`,
 * `virtualNetworks/subnets`), top level or nested, join their parent.
 */
import { defaultSecurityRules, emptyNetwork, type AzureFirewall, type AzureNetwork, type FirewallPolicy, type FirewallPolicyRuleCollectionGroup, type IpGroup, type NetworkSecurityGroup, type Route, type RouteTable, type SecurityRule, type Subnet } from "../model.js";
import { isUnknown, unknownValue, type Maybe, type Unknown } from "../unknown.js";
import {
  readAzureFirewall,
  readFirewallPolicy,
  readIpGroup,
  readNetworkSecurityGroup,
  readRoute,
  readRouteTable,
  readRuleCollection,
  readSecurityRule,
  readSubnet,
} from "./arm-resources.js";
import { ArmReadError, FieldReader, isObject, TemplateScope, type JsonObject } from "./arm-values.js";

export interface ArmReadOptions {
  /** Values of the template's parameters (as in a parameters file); the others take their `defaultValue`. */
  readonly parameters?: Readonly<Record<string, unknown>>;
}

const NSG = "microsoft.network/networksecuritygroups";
const ROUTE_TABLE = "microsoft.network/routetables";
const POLICY = "microsoft.network/firewallpolicies";
const VNET = "microsoft.network/virtualnetworks";
const CHILDREN: Readonly<Record<string, string>> = {
  [`${NSG}/securityrules`]: NSG,
  [`${ROUTE_TABLE}/routes`]: ROUTE_TABLE,
  [`${POLICY}/rulecollectiongroups`]: POLICY,
  [`${VNET}/subnets`]: VNET,
};

interface Entry {
  readonly res: JsonObject;
  readonly path: string;
  /** Full lower-case type. */
  readonly type: string;
  /** The enclosing resource, for a nested child. */
  readonly parent?: Entry;
}

/** Every resource of the template, nested children after their parent, with full lower-case types. */
function entries(doc: JsonObject): Entry[] {
  const out: Entry[] = [];
  const top = doc.resources;
  const list: Array<[unknown, string]> = Array.isArray(top)
    ? top.map((r, i) => [r, `resources[${i}]`])
    : isObject(top)
      ? Object.entries(top).map(([k, r]) => [r, `resources[${JSON.stringify(k)}]`])
      : [];
  if (top !== undefined && !Array.isArray(top) && !isObject(top)) throw new ArmReadError("resources", top, "expected an array (or an object of symbolic names)");
  for (const [raw, path] of list) {
    if (!isObject(raw)) throw new ArmReadError(path, raw, "expected a resource object");
    const type = typeOf(raw, path, undefined);
    const entry: Entry = { res: raw, path, type };
    out.push(entry);
    const kids = Array.isArray(raw.resources) ? raw.resources : [];
    kids.forEach((k, j) => {
      const kp = `${path}.resources[${j}]`;
      if (!isObject(k)) throw new ArmReadError(kp, k, "expected a resource object");
      out.push({ res: k, path: kp, type: typeOf(k, kp, type), parent: entry });
    });
  }
  return out;
}

function typeOf(res: JsonObject, path: string, parentType: string | undefined): string {
  if (typeof res.type !== "string") throw new ArmReadError(`${path}.type`, res.type, "expected a resource type");
  const t = res.type.toLowerCase();
  return parentType !== undefined && !t.includes("/") ? `${parentType}/${t}` : t;
}

/** Collects the resources by kind; children find their parent by name (case-insensitive, as Azure names are). */
class Builder {
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

  /** The NSG (or route table) of that name, or a stand-in for one outside the template whose own entries are unknown. */
  #parent<T extends { name: Maybe<string> }>(list: T[], name: Maybe<string>, path: string, standIn: (name: Maybe<string>, missing: Unknown) => T): T {
    const found = typeof name === "string" ? list.find((x) => typeof x.name === "string" && x.name.toLowerCase() === name.toLowerCase()) : undefined;
    if (found) return found;
    const made = standIn(name, unknownValue(path, `the parent ${typeof name === "string" ? `'${name}'` : "resource"} is not in this template: its other entries are not known`));
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

  result(): AzureNetwork {
    const nsgs = this.nsgs.map((n) => ({ ...n, properties: { ...n.properties, securityRules: [...n.properties.securityRules, ...(this.#extraRules.get(n) ?? [])] } }));
    const tables = this.routeTables.map((t) => ({ ...t, properties: { ...t.properties, routes: [...t.properties.routes, ...(this.#extraRoutes.get(t) ?? [])] } }));
    return { ...emptyNetwork(), networkSecurityGroups: nsgs, routeTables: tables, firewallPolicies: this.policies, firewallPolicyRuleCollectionGroups: this.groups, azureFirewalls: this.firewalls, ipGroups: this.ipGroups, subnets: this.subnets, unread: this.unread };
  }
}

/** A child's parent name and own name: nested (the parent's name, its own) or top level (`<parent>/<child>`). */
function childNames(r: FieldReader, e: Entry): [Maybe<string>, Maybe<string>] {
  const own = r.string(e.res.name, `${e.path}.name`);
  if (e.parent) {
    const parentName = r.string(e.parent.res.name, `${e.parent.path}.name`);
    return [parentName, isUnknown(own) ? own : (own.split("/").at(-1) as string)];
  }
  if (isUnknown(own)) return [own, own];
  const segments = own.split("/");
  if (segments.length !== 2) throw new ArmReadError(`${e.path}.name`, own, "a child resource at top level is named <parent>/<child>");
  return [segments[0] as string, segments[1] as string];
}

function readEntry(r: FieldReader, b: Builder, e: Entry): void {
  const name = (): Maybe<string> => r.string(e.res.name, `${e.path}.name`);
  switch (e.type) {
    case NSG:
      return void b.nsgs.push(readNetworkSecurityGroup(r, e.res, e.path, name()));
    case ROUTE_TABLE:
      return void b.routeTables.push(readRouteTable(r, e.res, e.path, name()));
    case POLICY:
      return void b.policies.push(readFirewallPolicy(r, e.res, e.path, name()));
    case "microsoft.network/azurefirewalls":
      return void b.firewalls.push(readAzureFirewall(r, e.res, e.path, name()));
    case "microsoft.network/ipgroups":
      return void b.ipGroups.push(readIpGroup(r, e.res, e.path, name()));
    case VNET: {
      const p = r.properties(e.res.properties, `${e.path}.properties`);
      const subnets = isUnknown(p) ? [p] : p.subnets === undefined ? [] : r.list(p.subnets, `${e.path}.properties.subnets`, (x, at) => readSubnet(r, x, at, name()));
      for (const s of subnets) if (isUnknown(s)) b.unread.push(s);
      else b.subnets.push(s);
      return;
    }
    default:
      return readChild(r, b, e);
  }
}

function readChild(r: FieldReader, b: Builder, e: Entry): void {
  if (!(e.type in CHILDREN)) return;
  const [parent, own] = childNames(r, e);
  if (e.type === `${NSG}/securityrules`) return b.addSecurityRule(parent, readSecurityRule(r, e.res, e.path, own), e.path);
  if (e.type === `${ROUTE_TABLE}/routes`) return b.addRoute(parent, readRoute(r, e.res, e.path, own), e.path);
  if (e.type === `${VNET}/subnets`) {
    const s = readSubnet(r, e.res, e.path, parent, own);
    return void (isUnknown(s) ? b.unread.push(s) : b.subnets.push(s));
  }
  const p = r.properties(e.res.properties, `${e.path}.properties`);
  const priority = isUnknown(p) ? p : (r.optional(p, "priority", `${e.path}.properties`, (x, at) => r.int(x, at)) ?? unknownValue(`${e.path}.properties.priority`, "not given"));
  const ruleCollections = isUnknown(p) ? [p] : p.ruleCollections === undefined ? [] : r.list(p.ruleCollections, `${e.path}.properties.ruleCollections`, (x, at) => readRuleCollection(r, x, at));
  b.groups.push({ firewallPolicyName: parent, name: own, properties: { priority, ruleCollections } });
}

/** Whether the resource is deployed: `condition` false leaves it out; an unknown condition reads it as deployed. */
function deployed(r: FieldReader, e: Entry): boolean {
  return e.res.condition === undefined || r.value(e.res.condition, `${e.path}.condition`) !== false;
}

const NETWORK_TYPE = /^microsoft\.network\//;

/** Reads an ARM template into the model. Throws ArmReadError naming the field when the template is not a valid one. */
export function readArmTemplate(template: unknown, options: ArmReadOptions = {}): AzureNetwork {
  let doc = template;
  if (typeof template === "string") {
    try {
      doc = JSON.parse(template);
    } catch (e) {
      throw new ArmReadError("(template)", template.slice(0, 40), `not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!isObject(doc)) throw new ArmReadError("(template)", doc, "expected a JSON object");
  const r = new FieldReader(new TemplateScope(doc, options.parameters ?? {}));
  const b = new Builder();
  const all = entries(doc).filter((e) => deployed(r, e));
  for (const e of all) {
    if (e.type === "microsoft.resources/deployments") b.unread.push(unknownValue(e.path, "a nested deployment, which this reader does not read"));
    else if (NETWORK_TYPE.test(e.type) && e.res.copy !== undefined) b.unread.push(unknownValue(e.path, `a copy loop of ${String(e.res.type)}, which this reader does not expand`));
  }
  const readable = all.filter((e) => e.res.copy === undefined && NETWORK_TYPE.test(e.type));
  // Parents first, so that children find them wherever they stand in the template.
  for (const e of readable.filter((x) => !(x.type in CHILDREN))) readEntry(r, b, e);
  for (const e of readable.filter((x) => x.type in CHILDREN)) readEntry(r, b, e);
  return b.result();
}

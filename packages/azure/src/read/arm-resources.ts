/** Readers of each Microsoft.Network resource of an ARM template into the model, field by field. */
import {
  defaultSecurityRules,
  FIREWALL_IP_PROTOCOLS,
  FIREWALL_POLICY_TIERS,
  NEXT_HOP_TYPES,
  SECURITY_RULE_ACCESSES,
  SECURITY_RULE_DIRECTIONS,
  SECURITY_RULE_PROTOCOLS,
  THREAT_INTEL_MODES,
  type AzureFirewall,
  type FirewallPolicy,
  type FirewallPolicyRule,
  type FirewallPolicyRuleCollection,
  type IpGroup,
  type MaybeList,
  type NetworkSecurityGroup,
  type Route,
  type RouteTable,
  type SecurityRule,
  type SubResource,
  type Subnet,
  type Tags,
} from "../model.js";
import { isUnknown, unknownValue, type Maybe, type Unknown } from "../unknown.js";
import { ArmReadError, expandPropertyCopies, isInteger, isObject, LITERAL, TemplateScope, type FieldReader, type JsonObject } from "./arm-values.js";

/** The properties of a resource or element (property copy loops expanded), and their path. */
interface Props {
  readonly o: JsonObject;
  readonly path: string;
}

/** The properties of `o` (under `properties`, or `o` itself in flat `az` output), with property copy loops expanded. */
function props(r: FieldReader, o: JsonObject, path: string): Props | Unknown {
  const p = r.propertiesOf(o, path);
  if (isUnknown(p) || !Array.isArray(p.o.copy) || !(r.scope instanceof TemplateScope)) return p;
  const { copy, ...rest } = p.o;
  return { o: { ...rest, ...expandPropertyCopies(copy, r.scope, p.path) }, path: p.path };
}

/** An object that is its own properties (a rule of a rule collection): property copy loops expanded. */
function own(r: FieldReader, o: JsonObject, path: string): Props {
  if (!Array.isArray(o.copy) || !(r.scope instanceof TemplateScope)) return { o, path };
  const { copy, ...rest } = o;
  return { o: { ...rest, ...expandPropertyCopies(copy, r.scope, path) }, path };
}

/** A list property: missing or null is empty. */
function listOf<T>(r: FieldReader, p: Props, key: string, item: (raw: unknown, path: string) => Maybe<T>): MaybeList<T> {
  return optionalList(r, p, key, item) ?? [];
}

/** A list of strings, or undefined when missing or null. */
function optionalStrings(r: FieldReader, p: Props, key: string): MaybeList<string> | undefined {
  const raw = p.o[key];
  return raw === undefined || raw === null ? undefined : r.strings(raw, `${p.path}.${key}`);
}

function optionalList<T>(r: FieldReader, p: Props, key: string, item: (raw: unknown, path: string) => Maybe<T>): MaybeList<T> | undefined {
  const raw = p.o[key];
  return raw === undefined || raw === null ? undefined : r.list(raw, `${p.path}.${key}`, item);
}

/** A field the model always has but ARM may leave out: Unknown when missing. */
function orNotGiven<T>(r: FieldReader, o: JsonObject, key: string, path: string, read: (raw: unknown, path: string) => Maybe<T>): Maybe<T> {
  return r.optional(o, key, path, read) ?? unknownValue(`${path}.${key}`, "not given");
}

export function readTags(r: FieldReader, raw: unknown, path: string): Tags {
  const o = r.object(raw, path);
  if (isUnknown(o)) return o;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, r.string(v, `${path}.${k}`)]));
}

function subResource(r: FieldReader, raw: unknown, path: string): Maybe<SubResource> {
  const o = r.object(raw, path);
  return isUnknown(o) ? o : { id: orNotGiven(r, o, "id", path, (x, p) => r.string(x, p)) };
}

/** The fields every resource has, as the model keeps them. */
export function resourceBase(r: FieldReader, res: JsonObject, path: string, name: Maybe<string>): { name: Maybe<string>; location?: Maybe<string>; tags?: Tags } {
  const location = r.optional(res, "location", path, (x, p) => r.string(x, p));
  const tags = r.optional(res, "tags", path, (x, p) => readTags(r, x, p));
  return { name, ...(location !== undefined ? { location } : {}), ...(tags !== undefined ? { tags } : {}) };
}

/* ---------------------------------------------------------------- NSG */

const SIDES = [
  ["sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups", "source address"],
  ["destinationAddressPrefix", "destinationAddressPrefixes", "destinationApplicationSecurityGroups", "destination address"],
  ["sourcePortRange", "sourcePortRanges", undefined, "source port"],
  ["destinationPortRange", "destinationPortRanges", undefined, "destination port"],
] as const;

/** The sides in the order the model keeps their fields: source address and port, then the destination's. */
const SIDES_IN_FIELD_ORDER = [SIDES[0], SIDES[2], SIDES[1], SIDES[3]] as const;

/** A side's field as Azure keeps it: an empty single form (`""`, as Bicep modules write beside the list form) or an empty list is not given. */
function keepSide(out: Record<string, unknown>, key: string, v: unknown): void {
  if (v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0)) out[key] = v;
}

/**
 * The rule's properties as Azure keeps them, read into one object (the readers meet hundreds of thousands
 * of rules): fields left undefined dropped, empty side forms not given; a side with no form at all, which
 * Azure refuses, is an Unknown naming the field rather than a rule that silently matches nothing.
 */
function ruleProperties(r: FieldReader, p: Props): Record<string, unknown> {
  const str = (x: unknown, at: string) => r.string(x, at);
  const subResources = (x: unknown, at: string) => subResource(r, x, at);
  const out: Record<string, unknown> = {};
  const description = r.optional(p.o, "description", p.path, str);
  if (description !== undefined) out.description = description;
  out.priority = r.required(p.o, "priority", p.path, (x, at) => r.int(x, at));
  out.direction = r.required(p.o, "direction", p.path, (x, at) => r.oneOf(x, at, SECURITY_RULE_DIRECTIONS));
  out.access = r.required(p.o, "access", p.path, (x, at) => r.oneOf(x, at, SECURITY_RULE_ACCESSES));
  out.protocol = r.required(p.o, "protocol", p.path, (x, at) => r.oneOf(x, at, SECURITY_RULE_PROTOCOLS));
  for (const [one, many, groups] of SIDES_IN_FIELD_ORDER) {
    keepSide(out, one, r.optional(p.o, one, p.path, str));
    keepSide(out, many, optionalStrings(r, p, many));
    if (groups !== undefined) keepSide(out, groups, optionalList(r, p, groups, subResources));
  }
  for (const [one, many, groups, what] of SIDES) {
    if (out[one] === undefined && out[many] === undefined && (groups === undefined || out[groups] === undefined)) {
      out[one] = unknownValue(`${p.path}.${one}`, `the rule gives no ${what} (${one}, ${many}${groups ? ` or ${groups}` : ""}): Azure refuses such a rule`);
    }
  }
  return out;
}

const NOT_PLAIN = Symbol("not plain");

/** A single side form of data input: a string is itself, missing or null is undefined; NOT_PLAIN otherwise. */
function plainSide(v: unknown): unknown {
  return v === undefined || v === null || typeof v === "string" ? (v ?? undefined) : NOT_PLAIN;
}

/** A list side form of data input: a list of strings is itself, missing or null is undefined; NOT_PLAIN otherwise. */
function plainSides(v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return NOT_PLAIN;
  for (const x of v as unknown[]) if (typeof x !== "string") return NOT_PLAIN;
  return v;
}

/** A field of data input that is one of `allowed` as spelled there, or NOT_PLAIN. */
function plainOneOf(v: unknown, allowed: readonly string[]): unknown {
  return typeof v === "string" && allowed.includes(v) ? v : NOT_PLAIN;
}

/** Whether a side is given by a plain form: a non-empty string or list (what `keepSide` keeps). */
const given = (single: unknown, list: unknown): boolean => (single !== undefined && single !== "") || (list !== undefined && (list as unknown[]).length > 0);

/**
 * A rule of data input (LITERAL) whose fields are all plainly valid, read without a path or a closure per
 * field (the readers meet hundreds of thousands of rules); undefined for any other rule (application
 * security groups, a side not given, a field to convert or refuse), which the general reader reads as before.
 * Gives what `ruleProperties` gives, in the same key order.
 */
function plainSecurityRule(r: FieldReader, raw: unknown, name: Maybe<string> | undefined): SecurityRule | undefined {
  if (r.scope !== LITERAL || !isObject(raw)) return undefined;
  const p = isObject(raw.properties) ? raw.properties : r.flat ? raw : undefined;
  if (p === undefined) return undefined;
  const own = name ?? (typeof raw.name === "string" ? raw.name : undefined);
  if (own === undefined) return undefined;
  const description = plainSide(p.description);
  const { priority } = p;
  const direction = plainOneOf(p.direction, SECURITY_RULE_DIRECTIONS);
  const access = plainOneOf(p.access, SECURITY_RULE_ACCESSES);
  const protocol = plainOneOf(p.protocol, SECURITY_RULE_PROTOCOLS);
  if (description === NOT_PLAIN || !isInteger(priority) || direction === NOT_PLAIN || access === NOT_PLAIN || protocol === NOT_PLAIN) return undefined;
  const noGroups = (p.sourceApplicationSecurityGroups ?? null) === null && (p.destinationApplicationSecurityGroups ?? null) === null;
  const sourceAddress = plainSide(p.sourceAddressPrefix);
  const sourceAddresses = plainSides(p.sourceAddressPrefixes);
  const sourcePort = plainSide(p.sourcePortRange);
  const sourcePorts = plainSides(p.sourcePortRanges);
  const destinationAddress = plainSide(p.destinationAddressPrefix);
  const destinationAddresses = plainSides(p.destinationAddressPrefixes);
  const destinationPort = plainSide(p.destinationPortRange);
  const destinationPorts = plainSides(p.destinationPortRanges);
  const anyNotPlain = [sourceAddress, sourceAddresses, sourcePort, sourcePorts, destinationAddress, destinationAddresses, destinationPort, destinationPorts].includes(NOT_PLAIN);
  if (!noGroups || anyNotPlain) return undefined;
  if (!given(sourceAddress, sourceAddresses) || !given(sourcePort, sourcePorts) || !given(destinationAddress, destinationAddresses) || !given(destinationPort, destinationPorts)) return undefined;
  const out: Record<string, unknown> = {};
  if (description !== undefined) out.description = description;
  out.priority = priority;
  out.direction = direction;
  out.access = access;
  out.protocol = protocol;
  keepSide(out, "sourceAddressPrefix", sourceAddress);
  keepSide(out, "sourceAddressPrefixes", sourceAddresses);
  keepSide(out, "sourcePortRange", sourcePort);
  keepSide(out, "sourcePortRanges", sourcePorts);
  keepSide(out, "destinationAddressPrefix", destinationAddress);
  keepSide(out, "destinationAddressPrefixes", destinationAddresses);
  keepSide(out, "destinationPortRange", destinationPort);
  keepSide(out, "destinationPortRanges", destinationPorts);
  return { name: own, properties: out as unknown as SecurityRule["properties"] };
}

export function readSecurityRule(r: FieldReader, raw: unknown, path: string, name?: Maybe<string>): Maybe<SecurityRule> {
  const plain = plainSecurityRule(r, raw, name);
  if (plain !== undefined) return plain;
  const o = r.object(raw, path);
  if (isUnknown(o)) return o;
  const p = props(r, o, path);
  if (isUnknown(p)) return p;
  const properties = ruleProperties(r, p) as unknown as SecurityRule["properties"];
  return { name: name ?? r.required(o, "name", path, (x, at) => r.string(x, at)), properties };
}

/** An NSG's own rules; in data input a rule's path is made only for a rule the general reader reads. */
function securityRulesOf(r: FieldReader, p: Props): MaybeList<SecurityRule> {
  const rules = p.o.securityRules;
  if (r.scope !== LITERAL || !Array.isArray(rules)) return listOf(r, p, "securityRules", (x, at) => readSecurityRule(r, x, at));
  return rules.map((x, i) => plainSecurityRule(r, x, undefined) ?? readSecurityRule(r, x, `${p.path}.securityRules[${i}]`));
}

export function readNetworkSecurityGroup(r: FieldReader, res: JsonObject, path: string, name: Maybe<string>): NetworkSecurityGroup {
  const p = props(r, res, path);
  const securityRules = isUnknown(p) ? [p] : securityRulesOf(r, p);
  return { ...resourceBase(r, res, path, name), properties: { securityRules, defaultSecurityRules: defaultSecurityRules() } };
}

/* --------------------------------------------------------- route table */

export function readRoute(r: FieldReader, raw: unknown, path: string, name?: Maybe<string>): Maybe<Route> {
  const o = r.object(raw, path);
  if (isUnknown(o)) return o;
  const p = props(r, o, path);
  if (isUnknown(p)) return p;
  const nextHopIpAddress = r.optional(p.o, "nextHopIpAddress", p.path, (x, at) => r.string(x, at));
  return {
    name: name ?? r.required(o, "name", path, (x, at) => r.string(x, at)),
    properties: {
      addressPrefix: orNotGiven(r, p.o, "addressPrefix", p.path, (x, at) => r.string(x, at)),
      nextHopType: r.required(p.o, "nextHopType", p.path, (x, at) => r.oneOf(x, at, NEXT_HOP_TYPES)),
      ...(nextHopIpAddress !== undefined ? { nextHopIpAddress } : {}),
    },
  };
}

export function readRouteTable(r: FieldReader, res: JsonObject, path: string, name: Maybe<string>): RouteTable {
  const p = props(r, res, path);
  if (isUnknown(p)) return { ...resourceBase(r, res, path, name), properties: { routes: [p] } };
  const disable = r.optional(p.o, "disableBgpRoutePropagation", p.path, (x, at) => r.bool(x, at));
  const routes = listOf(r, p, "routes", (x, at) => readRoute(r, x, at));
  return { ...resourceBase(r, res, path, name), properties: { ...(disable !== undefined ? { disableBgpRoutePropagation: disable } : {}), routes } };
}

/* ------------------------------------------------------ firewall policy */

export function readFirewallPolicy(r: FieldReader, res: JsonObject, path: string, name: Maybe<string>): FirewallPolicy {
  const p = props(r, res, path);
  const base = resourceBase(r, res, path, name);
  if (isUnknown(p)) return { ...base, properties: { threatIntelMode: p, dnsSettings: { enableProxy: p, requireProxyForNetworkRules: p } } };
  const sku = r.optional(p.o, "sku", p.path, (x, at) => {
    const o = r.object(x, at);
    return isUnknown(o) ? { tier: o } : { tier: orNotGiven(r, o, "tier", at, (t, tp) => r.oneOf(t, tp, FIREWALL_POLICY_TIERS)) };
  });
  const dnsSettings = r.optional(p.o, "dnsSettings", p.path, (x, at) => {
    const dv = r.object(x, at);
    if (isUnknown(dv)) return { enableProxy: dv };
    const d = own(r, dv, at);
    const enableProxy = r.optional(d.o, "enableProxy", at, (v, vp) => r.bool(v, vp));
    const require = r.optional(d.o, "requireProxyForNetworkRules", at, (v, vp) => r.bool(v, vp));
    const servers = optionalList(r, d, "servers", (v, vp) => r.string(v, vp));
    return { ...(enableProxy !== undefined ? { enableProxy } : {}), ...(require !== undefined ? { requireProxyForNetworkRules: require } : {}), ...(servers ? { servers } : {}) };
  });
  const threatIntelMode = r.optional(p.o, "threatIntelMode", p.path, (x, at) => r.oneOf(x, at, THREAT_INTEL_MODES));
  const intrusionDetection = r.optional(p.o, "intrusionDetection", p.path, (x, at) => {
    const o = r.object(x, at);
    return isUnknown(o) ? { mode: o } : { mode: orNotGiven(r, o, "mode", at, (m, mp) => r.oneOf(m, mp, THREAT_INTEL_MODES)) };
  });
  const basePolicy = r.optional(p.o, "basePolicy", p.path, (x, at) => subResource(r, x, at));
  return {
    ...base,
    properties: {
      ...(sku ? { sku } : {}),
      ...(threatIntelMode !== undefined ? { threatIntelMode } : {}),
      ...(intrusionDetection ? { intrusionDetection } : {}),
      ...(dnsSettings ? { dnsSettings } : {}),
      ...(basePolicy && !isUnknown(basePolicy) ? { basePolicy } : basePolicy ? { basePolicy: { id: basePolicy } } : {}),
    },
  };
}

/** Drops the fields left undefined, so that a read rule equals one written without them. */
function present<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out as T;
}

export function readFirewallPolicyRule(r: FieldReader, raw: unknown, path: string): Maybe<FirewallPolicyRule> {
  const o = r.object(raw, path);
  if (isUnknown(o)) return o;
  const ruleType = r.required(o, "ruleType", path, (x, at) => r.oneOf(x, at, ["ApplicationRule", "NetworkRule", "NatRule"] as const));
  if (isUnknown(ruleType)) return ruleType;
  const p = own(r, o, path);
  const str = (x: unknown, at: string) => r.string(x, at);
  const strs = (key: string) => optionalStrings(r, p, key);
  const common = { name: orNotGiven(r, o, "name", path, str), description: r.optional(o, "description", path, str), sourceAddresses: strs("sourceAddresses"), sourceIpGroups: strs("sourceIpGroups") };
  const ipProtocols = () => optionalList(r, p, "ipProtocols", (x, at) => r.oneOf(x, at, FIREWALL_IP_PROTOCOLS));
  if (ruleType === "ApplicationRule") {
    const protocols = optionalList(r, p, "protocols", (x, at) => {
      const q = r.object(x, at);
      if (isUnknown(q)) return q;
      return { protocolType: orNotGiven(r, q, "protocolType", at, (t, tp) => r.oneOf(t, tp, ["Http", "Https"] as const)), port: orNotGiven(r, q, "port", at, (t, tp) => r.int(t, tp)) };
    });
    const terminateTLS = r.optional(o, "terminateTLS", path, (x, at) => r.bool(x, at));
    return present({ ruleType, ...common, protocols, targetFqdns: strs("targetFqdns"), fqdnTags: strs("fqdnTags"), targetUrls: strs("targetUrls"), webCategories: strs("webCategories"), destinationAddresses: strs("destinationAddresses"), terminateTLS });
  }
  if (ruleType === "NetworkRule") {
    return present({ ruleType, ...common, ipProtocols: ipProtocols(), destinationAddresses: strs("destinationAddresses"), destinationIpGroups: strs("destinationIpGroups"), destinationFqdns: strs("destinationFqdns"), destinationPorts: strs("destinationPorts") });
  }
  const opt = (key: string) => r.optional(o, key, path, str);
  return present({ ruleType, ...common, ipProtocols: ipProtocols(), destinationAddresses: strs("destinationAddresses"), destinationPorts: strs("destinationPorts"), translatedAddress: opt("translatedAddress"), translatedFqdn: opt("translatedFqdn"), translatedPort: opt("translatedPort") });
}

export function readRuleCollection(r: FieldReader, raw: unknown, path: string): Maybe<FirewallPolicyRuleCollection> {
  const o = r.object(raw, path);
  if (isUnknown(o)) return o;
  const type = r.required(o, "ruleCollectionType", path, (x, at) => r.oneOf(x, at, ["FirewallPolicyFilterRuleCollection", "FirewallPolicyNatRuleCollection"] as const));
  if (isUnknown(type)) return type;
  const p = own(r, o, path);
  const action = r.optional(o, "action", path, (x, at) => r.object(x, at));
  const actionType = (allowed: readonly string[]) =>
    action === undefined ? unknownValue(`${path}.action`, "not given") : isUnknown(action) ? action : orNotGiven(r, action, "type", `${path}.action`, (x, at) => r.oneOf(x, at, allowed));
  const common = { name: orNotGiven(r, o, "name", path, (x, at) => r.string(x, at)), priority: orNotGiven(r, o, "priority", path, (x, at) => r.int(x, at)), rules: listOf(r, p, "rules", (x, at) => readFirewallPolicyRule(r, x, at)) };
  if (type === "FirewallPolicyFilterRuleCollection") return { ruleCollectionType: type, ...common, action: { type: actionType(["Allow", "Deny"]) as Maybe<"Allow" | "Deny"> } };
  return { ruleCollectionType: type, ...common, action: { type: actionType(["DNAT"]) as Maybe<"DNAT"> } };
}

/* ------------------------------------------------- classic Azure Firewall */

function classicCollection<A extends string, R>(r: FieldReader, actions: readonly A[], rule: (o: JsonObject, p: Props) => R) {
  return (raw: unknown, path: string) => {
    const o = r.object(raw, path);
    if (isUnknown(o)) return o;
    const p = props(r, o, path);
    if (isUnknown(p)) return p;
    const action = r.optional(p.o, "action", p.path, (x, at) => r.object(x, at));
    const type = action === undefined ? unknownValue(`${p.path}.action`, "not given") : isUnknown(action) ? action : orNotGiven(r, action, "type", `${p.path}.action`, (x, at) => r.oneOf(x, at, actions));
    const rules = listOf(r, p, "rules", (x, at) => {
      const ro = r.object(x, at);
      return isUnknown(ro) ? ro : rule(ro, own(r, ro, at));
    });
    return { name: orNotGiven(r, o, "name", path, (x, at) => r.string(x, at)), properties: { priority: orNotGiven(r, p.o, "priority", p.path, (x, at) => r.int(x, at)), action: { type }, rules } };
  };
}

export function readAzureFirewall(r: FieldReader, res: JsonObject, path: string, name: Maybe<string>): AzureFirewall {
  const base = resourceBase(r, res, path, name);
  const p = props(r, res, path);
  if (isUnknown(p)) return { ...base, properties: { applicationRuleCollections: [p], networkRuleCollections: [p], natRuleCollections: [p] } };
  const str = (x: unknown, at: string) => r.string(x, at);
  const ruleBase = (o: JsonObject, q: Props) => ({ name: orNotGiven(r, o, "name", q.path, str), description: r.optional(o, "description", q.path, str), sourceAddresses: optionalStrings(r, q, "sourceAddresses"), sourceIpGroups: optionalStrings(r, q, "sourceIpGroups") });
  const protocols = (q: Props) => optionalList(r, q, "protocols", (x, at) => r.oneOf(x, at, FIREWALL_IP_PROTOCOLS));
  const app = classicCollection(r, ["Allow", "Deny"] as const, (o, q) =>
    present({
      ...ruleBase(o, q),
      protocols: optionalList(r, q, "protocols", (x, at) => {
        const po = r.object(x, at);
        if (isUnknown(po)) return po;
        const port = r.optional(po, "port", at, (v, vp) => r.int(v, vp));
        return { protocolType: orNotGiven(r, po, "protocolType", at, (v, vp) => r.oneOf(v, vp, ["Http", "Https", "Mssql"] as const)), ...(port !== undefined ? { port } : {}) };
      }),
      targetFqdns: optionalStrings(r, q, "targetFqdns"),
      fqdnTags: optionalStrings(r, q, "fqdnTags"),
    }),
  );
  const net = classicCollection(r, ["Allow", "Deny"] as const, (o, q) =>
    present({ ...ruleBase(o, q), protocols: protocols(q), destinationAddresses: optionalStrings(r, q, "destinationAddresses"), destinationIpGroups: optionalStrings(r, q, "destinationIpGroups"), destinationFqdns: optionalStrings(r, q, "destinationFqdns"), destinationPorts: optionalStrings(r, q, "destinationPorts") }),
  );
  const nat = classicCollection(r, ["Snat", "Dnat"] as const, (o, q) =>
    present({
      ...ruleBase(o, q),
      protocols: protocols(q),
      destinationAddresses: optionalStrings(r, q, "destinationAddresses"),
      destinationPorts: optionalStrings(r, q, "destinationPorts"),
      translatedAddress: r.optional(o, "translatedAddress", q.path, str),
      translatedPort: r.optional(o, "translatedPort", q.path, str),
      translatedFqdn: r.optional(o, "translatedFqdn", q.path, str),
    }),
  );
  const sku = r.optional(p.o, "sku", p.path, (x, at) => {
    const o = r.object(x, at);
    if (isUnknown(o)) return { name: o };
    return present({ name: r.optional(o, "name", at, (v, vp) => r.oneOf(v, vp, ["AZFW_VNet", "AZFW_Hub"] as const)), tier: r.optional(o, "tier", at, (v, vp) => r.oneOf(v, vp, FIREWALL_POLICY_TIERS)) });
  });
  const threatIntelMode = r.optional(p.o, "threatIntelMode", p.path, (x, at) => r.oneOf(x, at, THREAT_INTEL_MODES));
  const firewallPolicy = r.optional(p.o, "firewallPolicy", p.path, (x, at) => subResource(r, x, at));
  return {
    ...base,
    properties: present({
      sku,
      threatIntelMode,
      firewallPolicy: firewallPolicy === undefined ? undefined : isUnknown(firewallPolicy) ? { id: firewallPolicy } : firewallPolicy,
      applicationRuleCollections: listOf(r, p, "applicationRuleCollections", app),
      networkRuleCollections: listOf(r, p, "networkRuleCollections", net),
      natRuleCollections: listOf(r, p, "natRuleCollections", nat),
    }),
  };
}

/* ----------------------------------------------------- IP group, subnet */

export function readIpGroup(r: FieldReader, res: JsonObject, path: string, name: Maybe<string>): IpGroup {
  const p = props(r, res, path);
  return { ...resourceBase(r, res, path, name), properties: { ipAddresses: isUnknown(p) ? [p] : listOf(r, p, "ipAddresses", (x, at) => r.string(x, at)) } };
}

export function readSubnet(r: FieldReader, raw: unknown, path: string, virtualNetworkName: Maybe<string>, name?: Maybe<string>): Maybe<Subnet> {
  const o = r.object(raw, path);
  if (isUnknown(o)) return o;
  const subnetName = name ?? orNotGiven(r, o, "name", path, (x, at) => r.string(x, at));
  const p = props(r, o, path);
  if (isUnknown(p)) return { virtualNetworkName, name: subnetName, properties: { addressPrefix: p, networkSecurityGroup: { id: p }, routeTable: { id: p }, defaultOutboundAccess: p } };
  const str = (x: unknown, at: string) => r.string(x, at);
  const ref = (key: string) => {
    const v = r.optional(p.o, key, p.path, (x, at) => subResource(r, x, at));
    return v === undefined ? undefined : isUnknown(v) ? { id: v } : v;
  };
  const serviceEndpoints = optionalList(r, p, "serviceEndpoints", (x, at) => {
    const ev = r.object(x, at);
    if (isUnknown(ev)) return ev;
    const e = own(r, ev, at);
    return present({ service: orNotGiven(r, e.o, "service", at, str), locations: optionalStrings(r, e, "locations") });
  });
  const delegations = optionalList(r, p, "delegations", (x, at) => {
    const d = r.object(x, at);
    if (isUnknown(d)) return d;
    const dp = r.properties(d.properties, `${at}.properties`);
    return { name: orNotGiven(r, d, "name", at, str), properties: { serviceName: isUnknown(dp) ? dp : orNotGiven(r, dp, "serviceName", `${at}.properties`, str) } };
  });
  return {
    virtualNetworkName,
    name: subnetName,
    properties: present({
      addressPrefix: r.optional(p.o, "addressPrefix", p.path, str),
      addressPrefixes: optionalStrings(r, p, "addressPrefixes"),
      networkSecurityGroup: ref("networkSecurityGroup"),
      routeTable: ref("routeTable"),
      natGateway: ref("natGateway"),
      defaultOutboundAccess: r.optional(p.o, "defaultOutboundAccess", p.path, (x, at) => r.bool(x, at)),
      serviceEndpoints,
      delegations,
    }),
  };
}

export { ArmReadError };

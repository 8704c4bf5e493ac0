/**
 * Azure Firewall as it decides a flow: network rule collections first, then application rule
 * collections, whatever their priorities; within each, the rule collection groups by priority (a base
 * policy's groups before the policy's own), then the collections by priority; the first collection with a
 * matching rule applies its action; nothing matches: denied. Classic firewalls: network rule collections by
 * priority, then application rule collections by priority. IP groups are expanded; FQDNs in network rules
 * match only with the policy's DNS proxy.
 */
import type {
  ApplicationRule,
  AzureFirewall,
  AzureFirewallApplicationRule,
  AzureFirewallNetworkRule,
  AzureNetwork,
  FirewallPolicy,
  FirewallPolicyRuleCollectionGroup,
  IpGroup,
  MaybeList,
  NetworkRule,
  AddressValue,
} from "../model.js";
import { isUnknown, type Maybe } from "../unknown.js";
import { AddressSet } from "./address-set.js";
import { NameSet, namePattern } from "./names.js";
import { MATCH_ALL, MATCH_NOTHING, type BoxConstraint } from "./region.js";
import type { PathStep } from "./report.js";
import { refName } from "./refs.js";
import { addressTerm, ALL_PORTS, describeUnknown, portTerms, projectAll, type AddressContext, type AddressTerm, type PortTerms } from "./terms.js";
import type { WalkRule } from "./walk.js";
import type { DstView } from "./nsg.js";
import { DEFAULT_DENY } from "./verdict.js";
import { single, type NumRanges } from "./ranges.js";

export type FirewallOutcome = "Allow" | "Deny";
type Tri = "yes" | "no" | "maybe";

interface FirewallRuleSpec {
  readonly step: PathStep;
  readonly kind: "network" | "application";
  readonly outcomes: readonly FirewallOutcome[];
  /** Position: [phase, group priority, collection priority]; undefined entries are not known. */
  readonly order: readonly (number | undefined)[];
  readonly src: readonly AddressTerm[];
  readonly dst: readonly AddressTerm[];
  /** Names the rule matches (network FQDNs, application target FQDNs). */
  readonly names: NameSet;
  /** The rule also matches names the input does not list (FQDN tags, web categories, URLs). */
  readonly namesMaybe?: string;
  readonly ports: PortTerms;
  readonly tcp: Tri;
  /** Application rules: whether they apply to HTTPS on the flow's port is in `ports`. */
  readonly reasons: readonly string[];
}

export interface CompiledFirewall {
  readonly name: string;
  readonly kind: "policy" | "classic";
  readonly dnsProxy: Tri;
  readonly dnsProxyReason?: string;
  readonly rules: readonly FirewallRuleSpec[];
  /** Reasons the firewall as a whole is not fully known (a base policy outside the input). */
  readonly gaps: readonly string[];
}

function known<T>(v: Maybe<T> | undefined, reasons: string[]): T | undefined {
  if (isUnknown(v)) {
    reasons.push(describeUnknown(v));
    return undefined;
  }
  return v;
}

function valuesOf<T>(list: MaybeList<T> | undefined): Maybe<T>[] {
  return [...(list ?? [])];
}

/** IP group ids to address terms, from the IP groups the input holds. */
function ipGroupTerms(ids: MaybeList<string> | undefined, groups: readonly IpGroup[], field: string): AddressTerm[] {
  const out: AddressTerm[] = [];
  for (const id of valuesOf(ids)) {
    const ref = refName(isUnknown(id) ? { id } : { id });
    const group = ref.name === undefined ? undefined : groups.find((g) => !isUnknown(g.name) && g.name.toLowerCase() === ref.name);
    if (!group) {
      out.push({ kind: "unknown", text: ref.name ?? "(unknown)", reason: ref.reason ?? `${field}: IP group ${ref.name} is not in the input` });
      continue;
    }
    const addresses = group.properties.ipAddresses;
    if (addresses.length === 0) continue;
    out.push(...addresses.map((a, i) => addressTerm(a, `IP group ${ref.name} ipAddresses[${i}]`)));
  }
  return out;
}

function addressTerms(values: MaybeList<AddressValue> | undefined, field: string): AddressTerm[] {
  return valuesOf(values).map((v, i) => addressTerm(v, `${field}[${i}]`));
}

function protocolsTcp(values: MaybeList<string> | undefined, reasons: string[]): Tri {
  let maybe = false;
  for (const v of valuesOf(values)) {
    if (isUnknown(v)) {
      maybe = true;
      reasons.push(describeUnknown(v));
    } else if (v.toUpperCase() === "TCP" || v.toUpperCase() === "ANY") return "yes";
  }
  return maybe ? "maybe" : "no";
}

function names(values: MaybeList<string> | undefined, reasons: string[]): { set: NameSet; maybe?: string } {
  let maybe: string | undefined;
  const patterns = [];
  for (const v of valuesOf(values)) {
    if (isUnknown(v)) {
      maybe = describeUnknown(v);
      reasons.push(maybe);
    } else patterns.push(namePattern(v));
  }
  return { set: NameSet.of(patterns), ...(maybe ? { maybe } : {}) };
}

/** Https entries of an application rule as the ports they open to HTTPS. */
function httpsPorts(protocols: MaybeList<{ readonly protocolType: Maybe<string>; readonly port?: Maybe<number> }> | undefined): PortTerms {
  const values: Array<Maybe<string>> = [];
  const reasons: string[] = [];
  for (const p of valuesOf(protocols)) {
    if (isUnknown(p)) {
      values.push(p);
      continue;
    }
    if (isUnknown(p.protocolType)) {
      values.push(p.protocolType);
      continue;
    }
    if (p.protocolType.toLowerCase() !== "https") continue;
    if (p.port === undefined) values.push("443");
    else if (isUnknown(p.port)) values.push(p.port);
    else values.push(String(p.port));
  }
  const t = portTerms(values, "protocols.port");
  return { ...t, reasons: [...t.reasons, ...reasons] };
}

interface CollectionLike<R> {
  readonly name: string;
  readonly priority: number | undefined;
  readonly action: FirewallOutcome | undefined;
  readonly rules: readonly Maybe<R>[];
  readonly reasons: readonly string[];
}

function step(firewall: string, group: string | undefined, collection: string, rule: string, priority: number | undefined, action: string, kind: string): PathStep {
  return { layer: "firewall", resource: firewall, rule: [group, collection, rule].filter((x) => x !== undefined).join("/"), ...(priority !== undefined ? { priority } : {}), action, detail: `${kind} rule` };
}

function unknownRuleSpec(firewall: string, kind: "network" | "application", order: readonly (number | undefined)[], where: string, reason: string): FirewallRuleSpec {
  return {
    step: step(firewall, undefined, where, "(unknown rule)", undefined, "(unknown)", kind),
    kind,
    outcomes: ["Allow", "Deny"],
    order,
    src: [{ kind: "unknown", text: "(unknown)", reason }],
    dst: [{ kind: "unknown", text: "(unknown)", reason }],
    names: NameSet.ALL,
    namesMaybe: reason,
    ports: { certain: ALL_PORTS, possible: ALL_PORTS, reasons: [] },
    tcp: "maybe",
    reasons: [reason],
  };
}

function networkSpec(fw: string, group: string | undefined, c: CollectionLike<unknown>, r: NetworkRule | AzureFirewallNetworkRule, order: readonly (number | undefined)[], ipGroups: readonly IpGroup[]): FirewallRuleSpec {
  const reasons = [...c.reasons];
  const name = known(r.name, reasons) ?? "(unknown name)";
  const protocols = "ipProtocols" in r ? r.ipProtocols : (r as AzureFirewallNetworkRule).protocols;
  const fq = names(r.destinationFqdns, reasons);
  return {
    step: step(fw, group, c.name, name, c.priority, c.action ?? "(unknown action)", "network"),
    kind: "network",
    outcomes: c.action ? [c.action] : ["Allow", "Deny"],
    order,
    src: [...addressTerms(r.sourceAddresses, "sourceAddresses"), ...ipGroupTerms(r.sourceIpGroups, ipGroups, "sourceIpGroups")],
    dst: [...addressTerms(r.destinationAddresses, "destinationAddresses"), ...ipGroupTerms(r.destinationIpGroups, ipGroups, "destinationIpGroups")],
    names: fq.set,
    ...(fq.maybe ? { namesMaybe: fq.maybe } : {}),
    ports: portTerms(valuesOf(r.destinationPorts), "destinationPorts"),
    tcp: protocolsTcp(protocols as MaybeList<string> | undefined, reasons),
    reasons,
  };
}

function applicationSpec(fw: string, group: string | undefined, c: CollectionLike<unknown>, r: ApplicationRule | AzureFirewallApplicationRule, order: readonly (number | undefined)[], ipGroups: readonly IpGroup[]): FirewallRuleSpec {
  const reasons = [...c.reasons];
  const name = known(r.name, reasons) ?? "(unknown name)";
  const targets = names(r.targetFqdns, reasons);
  const extra: string[] = [];
  if (valuesOf(r.fqdnTags).length > 0) extra.push(`FQDN tags ${valuesOf(r.fqdnTags).map((t) => (isUnknown(t) ? "(unknown)" : t)).join(", ")}: the names they hold are not in the input`);
  if ("webCategories" in r && valuesOf(r.webCategories).length > 0) extra.push("web categories: the names they hold are not in the input");
  if ("targetUrls" in r && valuesOf(r.targetUrls).length > 0) extra.push("target URLs: matched on inspected TLS, not evaluated");
  const namesMaybe = [targets.maybe, ...extra].filter((x): x is string => x !== undefined).join("; ");
  return {
    step: step(fw, group, c.name, name, c.priority, c.action ?? "(unknown action)", "application"),
    kind: "application",
    outcomes: c.action ? [c.action] : ["Allow", "Deny"],
    order,
    src: [...addressTerms(r.sourceAddresses, "sourceAddresses"), ...ipGroupTerms(r.sourceIpGroups, ipGroups, "sourceIpGroups")],
    dst: [{ kind: "any", text: "*" }],
    names: targets.set,
    ...(namesMaybe ? { namesMaybe } : {}),
    ports: httpsPorts(r.protocols),
    tcp: "yes",
    reasons: [...reasons, ...extra],
  };
}

function actionOf(v: Maybe<string> | undefined, reasons: string[]): FirewallOutcome | undefined {
  const a = known(v, reasons);
  if (a === undefined) return undefined;
  return a.toLowerCase() === "deny" ? "Deny" : "Allow";
}

/** The rules of a firewall policy (and its base policy's, first), in processing order. */
export function compilePolicy(policy: FirewallPolicy | undefined, policyName: string, network: AzureNetwork, seen: ReadonlySet<string> = new Set()): CompiledFirewall {
  const gaps: string[] = [];
  const reasons: string[] = [];
  const proxy = policy?.properties.dnsSettings;
  const enable = proxy?.enableProxy;
  const require = proxy?.requireProxyForNetworkRules;
  let dnsProxy: Tri = "no";
  let dnsProxyReason: string | undefined;
  if (isUnknown(enable) || isUnknown(require)) {
    dnsProxy = "maybe";
    dnsProxyReason = describeUnknown((isUnknown(enable) ? enable : require) as never);
  } else if (!policy) {
    dnsProxy = "maybe";
    dnsProxyReason = `firewall policy ${policyName} is not in the input: whether its DNS proxy is on is not known`;
  } else if (enable === true && require !== false) dnsProxy = "yes";
  const base = policy?.properties.basePolicy;
  let baseRules: FirewallRuleSpec[] = [];
  if (base) {
    const ref = refName(base);
    const parent = ref.name === undefined ? undefined : network.firewallPolicies.find((p) => !isUnknown(p.name) && p.name.toLowerCase() === ref.name);
    if (parent && ref.name && !seen.has(ref.name)) baseRules = [...compilePolicy(parent, ref.name, network, new Set([...seen, policyName.toLowerCase()])).rules].map((r) => ({ ...r, order: [r.order[0], -1, ...r.order.slice(1)] }));
    else gaps.push(ref.reason ?? `base policy ${ref.name} is not in the input (its rule collection groups come first)`);
  }
  const groups = network.firewallPolicyRuleCollectionGroups.filter((g) => !isUnknown(g.firewallPolicyName) && g.firewallPolicyName.toLowerCase() === policyName.toLowerCase());
  const rules: FirewallRuleSpec[] = [];
  for (const g of groups) rules.push(...groupRules(policyName, g, network.ipGroups));
  void reasons;
  // Base policy rules first within each phase: their order key sorts before the child's (-1 group slot).
  const own = rules.map((r) => ({ ...r, order: [r.order[0], 0, ...r.order.slice(1)] }));
  return { name: policyName, kind: "policy", dnsProxy, ...(dnsProxyReason ? { dnsProxyReason } : {}), rules: [...baseRules, ...own], gaps };
}

function groupRules(fw: string, g: FirewallPolicyRuleCollectionGroup, ipGroups: readonly IpGroup[]): FirewallRuleSpec[] {
  const reasons: string[] = [];
  const groupName = known(g.name, reasons) ?? "(unknown group)";
  const groupPriority = known(g.properties.priority, reasons);
  const out: FirewallRuleSpec[] = [];
  for (const rc of g.properties.ruleCollections) {
    if (isUnknown(rc)) {
      for (const kind of ["network", "application"] as const) out.push(unknownRuleSpec(fw, kind, [kind === "network" ? 1 : 2, undefined, undefined], groupName, describeUnknown(rc)));
      continue;
    }
    if (rc.ruleCollectionType !== "FirewallPolicyFilterRuleCollection") continue;
    const cr = [...reasons];
    const c: CollectionLike<unknown> = { name: known(rc.name, cr) ?? "(unknown collection)", priority: known(rc.priority, cr), action: actionOf(rc.action.type, cr), rules: rc.rules, reasons: cr };
    for (const r of rc.rules) {
      if (isUnknown(r)) {
        for (const kind of ["network", "application"] as const) out.push(unknownRuleSpec(fw, kind, [kind === "network" ? 1 : 2, groupPriority, c.priority], `${groupName}/${c.name}`, describeUnknown(r)));
      } else if (r.ruleType === "NetworkRule") out.push(networkSpec(fw, groupName, c, r, [1, groupPriority, c.priority], ipGroups));
      else if (r.ruleType === "ApplicationRule") out.push(applicationSpec(fw, groupName, c, r, [2, groupPriority, c.priority], ipGroups));
    }
  }
  return out;
}

/** The classic rules of an Azure Firewall without a policy. */
export function compileClassic(fw: AzureFirewall, network: AzureNetwork): CompiledFirewall {
  const name = isUnknown(fw.name) ? "(unknown firewall)" : fw.name;
  const rules: FirewallRuleSpec[] = [];
  const collect = <R>(list: MaybeList<{ readonly name: Maybe<string>; readonly properties: { readonly priority: Maybe<number>; readonly action: { readonly type: Maybe<string> }; readonly rules: MaybeList<R> } }>, kind: "network" | "application"): void => {
    for (const rc of list) {
      if (isUnknown(rc)) {
        rules.push(unknownRuleSpec(name, kind, [kind === "network" ? 1 : 2, 0, undefined], "(unknown collection)", describeUnknown(rc)));
        continue;
      }
      const cr: string[] = [];
      const c: CollectionLike<R> = { name: known(rc.name, cr) ?? "(unknown collection)", priority: known(rc.properties.priority, cr), action: actionOf(rc.properties.action.type, cr), rules: rc.properties.rules, reasons: cr };
      for (const r of rc.properties.rules) {
        const order = [kind === "network" ? 1 : 2, 0, c.priority];
        if (isUnknown(r)) rules.push(unknownRuleSpec(name, kind, order, c.name, describeUnknown(r)));
        else if (kind === "network") rules.push(networkSpec(name, undefined, c as CollectionLike<unknown>, r as AzureFirewallNetworkRule, order, network.ipGroups));
        else rules.push(applicationSpec(name, undefined, c as CollectionLike<unknown>, r as AzureFirewallApplicationRule, order, network.ipGroups));
      }
    }
  };
  collect(fw.properties.networkRuleCollections, "network");
  collect(fw.properties.applicationRuleCollections, "application");
  return {
    name,
    kind: "classic",
    dnsProxy: "maybe",
    dnsProxyReason: `classic firewall ${name}: whether its DNS proxy is on is not in the model`,
    rules,
    gaps: [],
  };
}

export interface FlowShape {
  /** The flow is known by name (an FQDN): name rules decide; else name rules only may match. */
  readonly byName: boolean;
  /** The flow's address is one unknown public address (an FQDN with no paired tag). */
  readonly opaqueAddress: boolean;
  /** HTTPS (application rules apply) or plain TCP. */
  readonly https: boolean;
}

function orderKey(order: readonly (number | undefined)[]): { key: string; known: boolean } {
  const known = order.every((x) => x !== undefined);
  return { key: order.map((x) => String(x ?? -1).padStart(6, "0")).join(":"), known };
}

/** The firewall's rules as walk rules for one flow shape, with the default deny last. */
export function firewallWalkRules(fw: CompiledFirewall, ctx: AddressContext, shape: FlowShape, collapse: DstView): WalkRule<FirewallOutcome>[] {
  const out: Array<WalkRule<FirewallOutcome> & { key: string }> = [];
  for (const gap of fw.gaps) {
    out.push({ key: "", step: { layer: "firewall", resource: fw.name, rule: "(base policy)", action: "(unknown)" }, outcomes: ["Allow", "Deny"], certain: MATCH_NOTHING, possible: MATCH_ALL, reasons: [gap], group: -1 });
  }
  for (const r of fw.rules) {
    if (r.kind === "application" && !shape.https) continue;
    if (r.tcp === "no") continue;
    const src = projectAll(r.src, ctx);
    const projected = projectAll(r.dst, ctx);
    const dst = collapse(projected, r.step.rule);
    const ports = r.ports;
    const { key, known } = orderKey(r.order);
    const sure = known && r.tcp === "yes" && r.outcomes.length === 1;
    const reasons = [...r.reasons, ...(dst.reasons ?? []), ...src.reasons, ...projected.reasons];
    const certain: BoxConstraint[] = [];
    const possible: BoxConstraint[] = [];
    const nameSure = r.kind === "network" ? fw.dnsProxy === "yes" : true;
    if (r.kind === "network" && r.dst.length > 0) {
      certain.push({ src: src.certain, dst: dst.certain, port: ports.certain });
      possible.push({ src: src.possible, dst: dst.possible, port: ports.possible });
    }
    // Without the DNS proxy, FQDNs in network rules match nothing.
    const namesApply = r.kind !== "network" || fw.dnsProxy !== "no";
    if (namesApply && (!r.names.isEmpty() || r.namesMaybe)) {
      const byName = shape.byName || r.names.isAll();
      if (byName && nameSure && !r.namesMaybe) certain.push({ src: src.certain, port: ports.certain, ...(r.names.isAll() ? {} : { name: r.names }) });
      if (byName && nameSure && r.namesMaybe) certain.push({ src: src.certain, port: ports.certain, name: r.names });
      // Known names bound what a flow known by name can match; otherwise any name may.
      possible.push({ src: src.possible, port: ports.possible, ...(shape.byName && !r.namesMaybe && !r.names.isAll() ? { name: r.names } : {}) });
      if (!shape.byName && !r.names.isAll()) reasons.push(`${r.step.rule} matches host names; this flow is known by address only`);
      if (r.kind === "network" && fw.dnsProxy === "maybe") reasons.push(fw.dnsProxyReason ?? "whether the DNS proxy is on is not known");
      if (r.namesMaybe) reasons.push(r.namesMaybe);
    }
    out.push({ key, step: r.step, outcomes: r.outcomes, certain: sure ? certain : MATCH_NOTHING, possible, reasons, group: 0 });
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // Rules of one collection share an action: one group each, so their order does not matter.
  let group = 0;
  let last = "\u0000";
  const rules: WalkRule<FirewallOutcome>[] = out.map(({ key, ...r }) => {
    if (r.group === -1) return r;
    if (key !== last) {
      group++;
      last = key;
    }
    return { ...r, group };
  });
  rules.push({ step: { layer: "firewall", resource: fw.name, rule: DEFAULT_DENY, action: "Deny" }, outcomes: ["Deny"], certain: MATCH_ALL, possible: MATCH_ALL, reasons: [], group: group + 1 });
  return rules;
}

export const HTTPS_UNUSED: NumRanges = single(0, 0);

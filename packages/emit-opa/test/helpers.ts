/** Scenarios, the mutations of the Azure emitters' templates, and the shape both audits are compared in. */
import { cidrContains, isCidr, resolveRules, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { LAYERS_FOR, requirementsDocument, type Check, type RequirementsDocument } from "@cassandra-mi-netrules/emit-opa";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface Scenario {
  readonly name: string;
  readonly resolved: ResolvedRules;
}

export const scenarios: readonly Scenario[] = [
  { name: "eastus-subnet", resolved: resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" }) },
  { name: "two-regions", resolved: resolveRules({ regions: ["eastus", "westeurope"], subnet: "10.9.0.0/24" }) },
  { name: "no-region-no-subnet", resolved: resolveRules({ regions: [] }) },
  { name: "ipv6-2021-08-14", resolved: resolveRules({ revision: "2021-08-14", regions: ["westeurope"], subnet: "2001:db8:1::/64" }) },
  { name: "vpn", resolved: resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24", features: { vpn: true } }) },
];

export function scenario(name: string): Scenario {
  const s = scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

export function handFixture(name: string): unknown {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), "utf8"));
}

export interface Verdict {
  readonly ruleId: string;
  readonly status: string;
  readonly detail: string;
  readonly overBroad: boolean;
  readonly audited: boolean;
}
export interface Comparable {
  readonly format: string;
  readonly results: readonly Verdict[];
  readonly deny: readonly string[];
}

interface OpaReport {
  format: string;
  requirements: Record<string, { status: string; detail: string; overBroad: boolean; audited: boolean }>;
  deny: string[];
}

/** The OPA report in the TypeScript report's shape. */
export function fromOpa(value: unknown): Comparable {
  const rep = value as OpaReport;
  return {
    format: rep.format,
    results: Object.keys(rep.requirements)
      .sort()
      .map((ruleId) => {
        const r = rep.requirements[ruleId]!;
        return { ruleId, status: r.status, detail: r.detail, overBroad: r.overBroad, audited: r.audited };
      }),
    deny: [...rep.deny].sort(),
  };
}

export function fromTs(rep: { format: string; results: readonly Verdict[]; deny: readonly string[] }): Comparable {
  return {
    format: rep.format,
    results: rep.results.map((r) => ({ ruleId: r.ruleId, status: r.status, detail: r.detail, overBroad: r.overBroad, audited: r.audited })),
    deny: [...rep.deny],
  };
}

/* ---------- mutations of the emitted ARM templates ---------- */

type Obj = Record<string, unknown>;
export type Mutation = "removed" | "narrowed" | "shadowed";

export interface MutatedInput {
  readonly name: string;
  readonly ruleId: string;
  readonly mutation: Mutation;
  readonly input: unknown;
  /**
   * The ids the deny set must hold: the requirement, and those that no rule left in the input can
   * cover any more (every alternative they have needs a check that only the mutated rules allowed).
   */
  readonly expectedDeny: readonly string[];
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** `rule name` (NSG) or `collection/rule` (firewall) -> requirement ids, from the template metadata. */
export function ruleMap(template: unknown): Record<string, string[]> {
  const meta = (template as { metadata: Record<string, { requirements: Record<string, string[]> }> }).metadata["cassandra-mi-netrules"];
  if (!meta) throw new Error("template has no cassandra-mi-netrules metadata");
  return meta.requirements;
}

interface Span {
  readonly from: number;
  readonly to: number;
}

/** What one rule of an emitted template allows or denies, read from the ARM JSON. */
interface RuleView {
  readonly layer: "nsg" | "app" | "net";
  readonly direction: string;
  readonly allow: boolean;
  /** NSG: [priority]; firewall: [group priority, collection priority]. */
  readonly order: readonly number[];
  readonly dsts: readonly string[];
  readonly fqdns: readonly string[];
  readonly ports: readonly Span[];
}

const ALLOW_ALL = new Set(["*", "any", "internet", "0.0.0.0/0", "::/0"]);

function spans(values: readonly string[]): Span[] {
  return values.map((p) => {
    if (p === "*") return { from: 0, to: 65535 };
    const [a, b] = p.split("-").map(Number);
    return { from: a ?? Number.NaN, to: b ?? a ?? Number.NaN };
  });
}

function strings(...values: unknown[]): string[] {
  return values.flatMap((v) => (typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [])).map((v) => v.toLowerCase());
}

function nsgRulesOf(t: Obj): Obj[] {
  return ((t.resources as Obj[])[0]!.properties as { securityRules: Obj[] }).securityRules;
}

function nsgView(rule: Obj): RuleView {
  const p = rule.properties as Obj;
  return {
    layer: "nsg",
    direction: String(p.direction).toLowerCase(),
    allow: p.access === "Allow",
    order: [p.priority as number],
    dsts: strings(p.destinationAddressPrefix, p.destinationAddressPrefixes),
    fqdns: [],
    ports: spans(strings(p.destinationPortRange, p.destinationPortRanges)),
  };
}

function rcgOf(t: Obj): Obj[] {
  return (t.resources as Obj[]).filter((r) => (r.type as string).toLowerCase() === "microsoft.network/firewallpolicies/rulecollectiongroups");
}

function collectionsOf(group: Obj): Obj[] {
  return (group.properties as { ruleCollections: Obj[] }).ruleCollections;
}

function fwView(collection: Obj, rule: Obj, group = 0): RuleView {
  const allow = (collection.action as Obj).type === "Allow";
  const order = [group, collection.priority as number];
  if (rule.ruleType === "ApplicationRule") {
    const https = (rule.protocols as Obj[]).filter((p) => p.protocolType === "Https").map((p) => ({ from: p.port as number, to: p.port as number }));
    return { layer: "app", direction: "outbound", allow, order, dsts: [], fqdns: strings(rule.targetFqdns), ports: https };
  }
  return { layer: "net", direction: "outbound", allow, order, dsts: strings(rule.destinationAddresses), fqdns: strings(rule.destinationFqdns), ports: spans(strings(rule.destinationPorts)) };
}

function viewsOf(t: Obj, layer: "nsg" | "firewall"): RuleView[] {
  if (layer === "nsg") return nsgRulesOf(t).map(nsgView);
  return rcgOf(t).flatMap((g) => collectionsOf(g).flatMap((c) => (c.rules as Obj[]).map((r) => fwView(c, r, (g.properties as Obj).priority as number))));
}

function fqdnCovers(t: string, f: string): boolean {
  return t === "*" || t === f || (t.startsWith("*.") && f.endsWith(t.slice(1)));
}

function prefixCovers(d: string, prefix: string): boolean {
  return d === prefix || (isCidr(d) && isCidr(prefix) && cidrContains(d, prefix));
}

/** Whether the rule's destinations and ports take in the check (sources are the subnet in every emitted rule). */
function serves(v: RuleView, chk: Check): boolean {
  if (!v.ports.some((p) => p.from <= chk.from && chk.to <= p.to)) return false;
  const all = v.dsts.some((d) => ALLOW_ALL.has(d));
  switch (chk.kind) {
    case "internal":
      return v.layer === "nsg" && v.direction === chk.direction;
    case "tag":
      return v.layer !== "app" && v.direction === "outbound" && (all || v.dsts.some((d) => chk.names.some((n) => n.toLowerCase() === d)));
    case "prefix":
      return v.layer !== "app" && v.direction === "outbound" && (all || v.dsts.some((d) => prefixCovers(d, chk.prefix)));
    case "fqdn":
      return v.layer !== "nsg" && (v.fqdns.some((t) => fqdnCovers(t, chk.fqdn.toLowerCase())) || (v.layer === "net" && all));
  }
}

/** Whether a Deny rule stops any of the check's traffic: ports, prefixes or names that overlap it. */
function stops(d: RuleView, chk: Check): boolean {
  if (!d.ports.some((p) => p.from <= chk.to && chk.from <= p.to)) return false;
  const all = d.dsts.some((x) => ALLOW_ALL.has(x));
  switch (chk.kind) {
    case "internal":
      return d.layer === "nsg" && d.direction === chk.direction;
    case "tag":
      return d.layer !== "app" && d.direction === "outbound" && (all || d.dsts.some((x) => chk.names.some((n) => n.toLowerCase() === x)));
    case "prefix":
      return d.layer !== "app" && d.direction === "outbound" && (all || d.dsts.some((x) => prefixCovers(x, chk.prefix) || prefixCovers(chk.prefix, x)));
    case "fqdn":
      return d.layer !== "nsg" && (d.fqdns.some((t) => fqdnCovers(t, chk.fqdn.toLowerCase())) || (d.layer === "net" && all));
  }
}

/** Whether Deny `d` is evaluated before Allow `a`: NSG priority; firewall network rules first, then group and collection priority. */
function before(d: RuleView, a: RuleView): boolean {
  if (d.layer === "net" && a.layer === "app") return true;
  if (d.layer !== a.layer) return false;
  for (let i = 0; i < d.order.length; i++) {
    if ((d.order[i] ?? 0) !== (a.order[i] ?? 0)) return (d.order[i] ?? 0) < (a.order[i] ?? 0);
  }
  return false;
}

/**
 * The requirements the input leaves uncovered: audited (one alternative is expressible by the
 * layer) and no alternative whose every check some Allow serves with no Deny before it stopping it.
 */
function uncovered(doc: RequirementsDocument, views: readonly RuleView[], layer: "nsg" | "firewall"): string[] {
  const allows = views.filter((v) => v.allow);
  const denies = views.filter((v) => !v.allow);
  const allowed = (c: Check): boolean => allows.some((a) => serves(a, c) && !denies.some((d) => before(d, a) && stops(d, c)));
  return Object.entries(doc.requirements)
    .filter(([, req]) => {
      const alts = req.alternatives.filter((a) => LAYERS_FOR[a.type].includes(layer));
      return alts.length > 0 && !alts.some((a) => a.checks.every(allowed));
    })
    .map(([id]) => id)
    .sort();
}

function portsOf(resolved: ResolvedRules, id: string): string[] {
  const rule = resolved.rules.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule.ports.map((p) => (p.from === p.to ? String(p.from) : `${p.from}-${p.to}`));
}

function shift(p: string, ports: readonly string[]): string {
  return ports.includes(p) ? String(Number(p) + 1) : p;
}

/**
 * Mutations of an NSG template (emitted with priorityStart >= 200 so a Deny fits above every rule),
 * each limited to what serves the requirement: its ports in the rules that allow one of its checks.
 */
export function mutateNsg(template: unknown, resolved: ResolvedRules): MutatedInput[] {
  const doc = requirementsDocument(resolved);
  const map = ruleMap(template);
  const ids = [...new Set(Object.values(map).flat())].sort();
  const base = clone(template) as Obj;
  if (uncovered(doc, viewsOf(base, "nsg"), "nsg").length > 0) throw new Error("the NSG template does not cover every requirement");
  const out: MutatedInput[] = [];
  for (const id of ids) {
    const checks = (doc.requirements[id]?.alternatives ?? []).flatMap((a) => (LAYERS_FOR[a.type].includes("nsg") ? a.checks : []));
    const serving = (t: Obj): Obj[] => nsgRulesOf(t).filter((r) => checks.some((c) => serves(nsgView(r), c)));
    const ports = portsOf(resolved, id);
    // removed: the requirement's ports leave every rule that served it; a rule left without a port goes.
    const removed = clone(template) as Obj;
    const gone = new Set(serving(removed));
    const nsgProps = (removed.resources as Obj[])[0]!.properties as { securityRules: Obj[] };
    nsgProps.securityRules = nsgProps.securityRules.flatMap((r) => {
      if (!gone.has(r)) return [r];
      const p = r.properties as Obj;
      const left = strings(p.destinationPortRange, p.destinationPortRanges).filter((x) => !ports.includes(x));
      if (left.length === 0) return [];
      delete p.destinationPortRange;
      delete p.destinationPortRanges;
      if (left.length === 1) p.destinationPortRange = left[0];
      else p.destinationPortRanges = left;
      return [r];
    });
    const expectedDeny = uncovered(doc, viewsOf(removed, "nsg"), "nsg");
    out.push({ name: `nsg/${id}/removed`, ruleId: id, mutation: "removed", input: removed, expectedDeny });
    // narrowed: the requirement's ports move one up in every rule that served it
    const narrowed = clone(template) as Obj;
    for (const r of serving(narrowed)) {
      const p = r.properties as Obj;
      if (typeof p.destinationPortRange === "string") p.destinationPortRange = shift(p.destinationPortRange, ports);
      if (Array.isArray(p.destinationPortRanges)) p.destinationPortRanges = (p.destinationPortRanges as string[]).map((x) => shift(x, ports));
    }
    out.push({ name: `nsg/${id}/narrowed`, ruleId: id, mutation: "narrowed", input: narrowed, expectedDeny: uncovered(doc, viewsOf(narrowed, "nsg"), "nsg") });
    // shadowed: a Deny just above each rule that served it, on the requirement's ports
    const shadowed = clone(template) as Obj;
    const list = nsgRulesOf(shadowed);
    for (const r of serving(shadowed)) {
      const p = r.properties as Obj;
      const deny: Obj = { ...clone(p), access: "Deny", priority: (p.priority as number) - 5, description: `shadow ${id}` };
      delete deny.destinationPortRange;
      deny.destinationPortRanges = ports;
      list.push({ name: `shadow-${r.name as string}`, properties: deny });
    }
    out.push({ name: `nsg/${id}/shadowed`, ruleId: id, mutation: "shadowed", input: shadowed, expectedDeny: uncovered(doc, viewsOf(shadowed, "nsg"), "nsg") });
  }
  return out;
}

/** Mutations of a firewall-policy template, each limited to the rules that allow one of the requirement's checks. */
export function mutateFirewall(template: unknown, resolved: ResolvedRules): MutatedInput[] {
  const doc = requirementsDocument(resolved);
  const map = ruleMap(template);
  const ids = [...new Set(Object.values(map).flat())].sort();
  if (uncovered(doc, viewsOf(clone(template) as Obj, "firewall"), "firewall").length > 0) throw new Error("the firewall template does not cover every requirement");
  const out: MutatedInput[] = [];
  for (const id of ids) {
    const checks = (doc.requirements[id]?.alternatives ?? []).flatMap((a) => (LAYERS_FOR[a.type].includes("firewall") ? a.checks : []));
    const ports = portsOf(resolved, id);
    const each = (t: Obj, f: (collection: Obj, rule: Obj) => void): void => {
      for (const g of rcgOf(t)) for (const c of collectionsOf(g)) for (const r of [...(c.rules as Obj[])]) if (checks.some((k) => serves(fwView(c, r), k))) f(c, r);
    };
    const removed = clone(template) as Obj;
    each(removed, (c, r) => {
      c.rules = (c.rules as Obj[]).filter((x) => x !== r);
    });
    const expectedDeny = uncovered(doc, viewsOf(removed, "firewall"), "firewall");
    out.push({ name: `fw/${id}/removed`, ruleId: id, mutation: "removed", input: removed, expectedDeny });
    const narrowed = clone(template) as Obj;
    each(narrowed, (_c, r) => {
      if (Array.isArray(r.protocols)) r.protocols = (r.protocols as Obj[]).map((p) => ({ ...p, port: ports.includes(String(p.port)) ? (p.port as number) + 1 : p.port }));
      if (Array.isArray(r.destinationPorts)) r.destinationPorts = (r.destinationPorts as string[]).map((x) => shift(x, ports));
    });
    out.push({ name: `fw/${id}/narrowed`, ruleId: id, mutation: "narrowed", input: narrowed, expectedDeny: uncovered(doc, viewsOf(narrowed, "firewall"), "firewall") });
    // shadowed: a group of higher priority whose Deny collections mirror the rules that served it
    const shadowed = clone(template) as Obj;
    const rcg = rcgOf(shadowed)[0]!;
    const denyCollections: Obj[] = [];
    each(shadowed, (c, r) => {
      denyCollections.push({ ...clone(c), name: `shadow-${c.name as string}`, priority: 100 + denyCollections.length * 10, action: { type: "Deny" }, rules: [clone(r)] });
    });
    // A child of the same policy: ARM names a top-level child `<policy>/<group>`.
    const groupName = String(rcg.name).replace(/parameters\('ruleCollectionGroupName'\)/, "'shadow-group'");
    (shadowed.resources as Obj[]).push({ ...clone(rcg), name: groupName, properties: { priority: 100, ruleCollections: denyCollections } });
    out.push({ name: `fw/${id}/shadowed`, ruleId: id, mutation: "shadowed", input: shadowed, expectedDeny: uncovered(doc, viewsOf(shadowed, "firewall"), "firewall") });
  }
  return out;
}

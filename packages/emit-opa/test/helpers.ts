/** Scenarios, the mutations of the Azure emitters' templates, and the shape both audits are compared in. */
import { resolveRules, type ResolvedRules } from "@cassandra-mi-netrules/core";
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

/** What the policy's `report` holds (see the package README, "Output"). */
export interface OpaVerdict {
  readonly status: string;
  readonly detail: string;
  /** Per audited subject (an NSG, or the firewall alone): its status. */
  readonly subjects: Readonly<Record<string, string>>;
}
export interface OpaReport {
  readonly format: string;
  readonly revision: string;
  readonly subjects: readonly string[];
  readonly verdicts: Readonly<Record<string, OpaVerdict>>;
  readonly deny: readonly string[];
  readonly warn: readonly string[];
}

/* ---------- mutations of the emitted ARM templates ---------- */

type Obj = Record<string, unknown>;
export type Mutation = "removed" | "narrowed" | "shadowed";

export interface MutatedInput {
  readonly name: string;
  readonly ruleId: string;
  readonly mutation: Mutation;
  readonly input: unknown;
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

function strings(...values: unknown[]): string[] {
  return values.flatMap((v) => (typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []));
}

function nsgRulesOf(t: Obj): Obj[] {
  return ((t.resources as Obj[])[0]!.properties as { securityRules: Obj[] }).securityRules;
}

function rcgOf(t: Obj): Obj[] {
  return (t.resources as Obj[]).filter((r) => (r.type as string).toLowerCase() === "microsoft.network/firewallpolicies/rulecollectiongroups");
}

function collectionsOf(group: Obj): Obj[] {
  return (group.properties as { ruleCollections: Obj[] }).ruleCollections;
}

function portsOf(resolved: ResolvedRules, id: string): string[] {
  const rule = resolved.rules.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule.ports.map((p) => (p.from === p.to ? String(p.from) : `${p.from}-${p.to}`));
}

function shift(p: string, ports: readonly string[]): string {
  return ports.includes(p) ? String(Number(p) + 1) : p;
}

/** The rules the template's metadata says serve requirement `id`, by their name (`collection/rule` in a firewall). */
function serving(map: Record<string, string[]>, id: string): Set<string> {
  return new Set(Object.entries(map).flatMap(([name, ids]) => (ids.includes(id) ? [name] : [])));
}

/**
 * Mutations of an NSG template (emitted with priorityStart >= 200 so a Deny fits above every rule), each
 * limited to what serves the requirement: its ports in the rules the template's metadata lists for it.
 */
export function mutateNsg(template: unknown, resolved: ResolvedRules): MutatedInput[] {
  const map = ruleMap(template);
  const ids = [...new Set(Object.values(map).flat())].sort();
  const out: MutatedInput[] = [];
  for (const id of ids) {
    const names = serving(map, id);
    const rulesOf = (t: Obj): Obj[] => nsgRulesOf(t).filter((r) => names.has(r.name as string));
    const ports = portsOf(resolved, id);
    // removed: the requirement's ports leave every rule that served it; a rule left without a port goes.
    const removed = clone(template) as Obj;
    const gone = new Set(rulesOf(removed));
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
    out.push({ name: `nsg/${id}/removed`, ruleId: id, mutation: "removed", input: removed });
    // narrowed: the requirement's ports move one up in every rule that served it
    const narrowed = clone(template) as Obj;
    for (const r of rulesOf(narrowed)) {
      const p = r.properties as Obj;
      if (typeof p.destinationPortRange === "string") p.destinationPortRange = shift(p.destinationPortRange, ports);
      if (Array.isArray(p.destinationPortRanges)) p.destinationPortRanges = (p.destinationPortRanges as string[]).map((x) => shift(x, ports));
    }
    out.push({ name: `nsg/${id}/narrowed`, ruleId: id, mutation: "narrowed", input: narrowed });
    // shadowed: a Deny just above each rule that served it, on the requirement's ports
    const shadowed = clone(template) as Obj;
    const list = nsgRulesOf(shadowed);
    for (const r of rulesOf(shadowed)) {
      const p = r.properties as Obj;
      const deny: Obj = { ...clone(p), access: "Deny", priority: (p.priority as number) - 5, description: `shadow ${id}` };
      delete deny.destinationPortRange;
      deny.destinationPortRanges = ports;
      list.push({ name: `shadow-${r.name as string}`, properties: deny });
    }
    out.push({ name: `nsg/${id}/shadowed`, ruleId: id, mutation: "shadowed", input: shadowed });
  }
  return out;
}

/** Mutations of a firewall-policy template, each limited to the rules the template's metadata lists for the requirement. */
export function mutateFirewall(template: unknown, resolved: ResolvedRules): MutatedInput[] {
  const map = ruleMap(template);
  const ids = [...new Set(Object.values(map).flat())].sort();
  const out: MutatedInput[] = [];
  for (const id of ids) {
    const names = serving(map, id);
    const ports = portsOf(resolved, id);
    const each = (t: Obj, f: (collection: Obj, rule: Obj) => void): void => {
      for (const g of rcgOf(t)) for (const c of collectionsOf(g)) for (const r of [...(c.rules as Obj[])]) if (names.has(`${c.name as string}/${r.name as string}`)) f(c, r);
    };
    const removed = clone(template) as Obj;
    each(removed, (c, r) => {
      c.rules = (c.rules as Obj[]).filter((x) => x !== r);
    });
    out.push({ name: `fw/${id}/removed`, ruleId: id, mutation: "removed", input: removed });
    const narrowed = clone(template) as Obj;
    each(narrowed, (_c, r) => {
      if (Array.isArray(r.protocols)) r.protocols = (r.protocols as Obj[]).map((p) => ({ ...p, port: ports.includes(String(p.port)) ? (p.port as number) + 1 : p.port }));
      if (Array.isArray(r.destinationPorts)) r.destinationPorts = (r.destinationPorts as string[]).map((x) => shift(x, ports));
    });
    out.push({ name: `fw/${id}/narrowed`, ruleId: id, mutation: "narrowed", input: narrowed });
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
    out.push({ name: `fw/${id}/shadowed`, ruleId: id, mutation: "shadowed", input: shadowed });
  }
  return out;
}

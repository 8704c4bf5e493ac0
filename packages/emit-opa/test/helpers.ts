/** Scenarios, the mutations of the Azure emitters' templates, and the shape both audits are compared in. */
import { resolveRules, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { requirementsDocument } from "@cassandra-mi-netrules/emit-opa";
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
  /** Every requirement the mutated rules served: the only ids a deny may name. */
  readonly sharing: readonly string[];
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

/**
 * The requirements that share an alternative with `id` (same label: same tag, FQDNs or prefixes):
 * a rule written for one of them also serves `id`, so a mutation must reach all their rules.
 */
export function alternativeGroup(resolved: ResolvedRules, id: string, bothWays = false): string[] {
  const doc = requirementsDocument(resolved);
  const alts = doc.requirements[id]?.alternatives ?? [];
  const labels = new Set(alts.map((a) => a.label));
  const fqdns = alts.flatMap((a) => a.checks.flatMap((c) => (c.kind === "fqdn" ? [c.fqdn] : [])));
  // A wildcard written for another requirement also serves the names under it.
  const covers = (t: string): boolean => fqdns.some((f) => t === f || (t.startsWith("*.") && f.endsWith(t.slice(1))));
  return Object.entries(doc.requirements)
    .filter(([, r]) =>
      r.alternatives.some(
        (a) =>
          labels.has(a.label) ||
          a.checks.some((c) => c.kind === "fqdn" && (covers(c.fqdn) || (bothWays && fqdns.some((t) => t.startsWith("*.") && c.fqdn.endsWith(t.slice(1)))))),
      ),
    )
    .map(([other]) => other)
    .sort();
}

function shift(p: string, ports: readonly string[]): string {
  return ports.includes(p) ? String(Number(p) + 1) : p;
}

function portsOf(resolved: ResolvedRules, id: string): string[] {
  const rule = resolved.rules.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule.ports.map((p) => (p.from === p.to ? String(p.from) : `${p.from}-${p.to}`));
}

/** Mutations of an NSG template (emitted with priorityStart >= 200 so a Deny fits above every rule). */
export function mutateNsg(template: unknown, resolved: ResolvedRules): MutatedInput[] {
  const map = ruleMap(template);
  const ids = [...new Set(Object.values(map).flat())].sort();
  const out: MutatedInput[] = [];
  for (const id of ids) {
    const group = alternativeGroup(resolved, id);
    const names = Object.keys(map).filter((n) => map[n]!.some((x) => group.includes(x)));
    const sharing = [...new Set([...alternativeGroup(resolved, id, true), ...names.flatMap((n) => map[n]!)])].sort();
    const ports = portsOf(resolved, id);
    const rulesOf = (t: Obj): Obj[] => ((t.resources as Obj[])[0]!.properties as { securityRules: Obj[] }).securityRules;
    // removed
    const removed = clone(template) as Obj;
    const nsgProps = (removed.resources as Obj[])[0]!.properties as { securityRules: Obj[] };
    nsgProps.securityRules = nsgProps.securityRules.filter((r) => !names.includes(r.name as string));
    out.push({ name: `nsg/${id}/removed`, ruleId: id, mutation: "removed", input: removed, sharing });
    // narrowed: the requirement's ports move one up in every rule that served it
    const narrowed = clone(template) as Obj;
    for (const r of rulesOf(narrowed)) {
      if (!names.includes(r.name as string)) continue;
      const p = r.properties as Obj;
      if (typeof p.destinationPortRange === "string") p.destinationPortRange = shift(p.destinationPortRange, ports);
      if (Array.isArray(p.destinationPortRanges)) p.destinationPortRanges = (p.destinationPortRanges as string[]).map((x) => shift(x, ports));
    }
    out.push({ name: `nsg/${id}/narrowed`, ruleId: id, mutation: "narrowed", input: narrowed, sharing });
    // shadowed: a Deny just above each rule that served it, on the requirement's ports
    const shadowed = clone(template) as Obj;
    const list = rulesOf(shadowed);
    for (const r of [...list]) {
      if (!names.includes(r.name as string)) continue;
      const p = r.properties as Obj;
      const deny: Obj = { ...clone(p), access: "Deny", priority: (p.priority as number) - 5, description: `shadow ${id}` };
      delete deny.destinationPortRange;
      deny.destinationPortRanges = ports;
      list.push({ name: `shadow-${r.name as string}`, properties: deny });
    }
    out.push({ name: `nsg/${id}/shadowed`, ruleId: id, mutation: "shadowed", input: shadowed, sharing });
  }
  return out;
}

/** Mutations of a firewall-policy template. */
export function mutateFirewall(template: unknown, resolved: ResolvedRules): MutatedInput[] {
  const map = ruleMap(template);
  const ids = [...new Set(Object.values(map).flat())].sort();
  const out: MutatedInput[] = [];
  const groupOf = (t: Obj): Obj =>
    (t.resources as Obj[]).find((r) => (r.type as string).toLowerCase() === "microsoft.network/firewallpolicies/rulecollectiongroups")!;
  for (const id of ids) {
    const group = alternativeGroup(resolved, id);
    const keys = Object.keys(map).filter((k) => map[k]!.some((x) => group.includes(x)));
    // A Deny on a wildcard also stops the names under it.
    const sharing = [...new Set([...keys.flatMap((k) => map[k]!).flatMap((x) => alternativeGroup(resolved, x, true))])].sort();
    const ports = portsOf(resolved, id);
    const each = (t: Obj, f: (collection: Obj, rule: Obj, index: number) => void): void => {
      for (const c of (groupOf(t).properties as { ruleCollections: Obj[] }).ruleCollections) {
        (c.rules as Obj[]).forEach((r, i) => {
          if (keys.includes(`${c.name as string}/${r.name as string}`)) f(c, r, i);
        });
      }
    };
    const removed = clone(template) as Obj;
    for (const c of (groupOf(removed).properties as { ruleCollections: Obj[] }).ruleCollections) {
      c.rules = (c.rules as Obj[]).filter((r) => !keys.includes(`${c.name as string}/${r.name as string}`));
    }
    out.push({ name: `fw/${id}/removed`, ruleId: id, mutation: "removed", input: removed, sharing });
    const narrowed = clone(template) as Obj;
    each(narrowed, (_c, r) => {
      if (Array.isArray(r.protocols)) r.protocols = (r.protocols as Obj[]).map((p) => ({ ...p, port: ports.includes(String(p.port)) ? (p.port as number) + 1 : p.port }));
      if (Array.isArray(r.destinationPorts)) r.destinationPorts = (r.destinationPorts as string[]).map((x) => shift(x, ports));
    });
    out.push({ name: `fw/${id}/narrowed`, ruleId: id, mutation: "narrowed", input: narrowed, sharing });
    // shadowed: a group of higher priority whose Deny collections mirror the rules that served it
    const shadowed = clone(template) as Obj;
    const rcg = groupOf(shadowed);
    const denyCollections: Obj[] = [];
    each(shadowed, (c, r) => {
      denyCollections.push({ ...clone(c), name: `shadow-${c.name as string}`, priority: 100 + denyCollections.length * 10, action: { type: "Deny" }, rules: [clone(r)] });
    });
    (shadowed.resources as Obj[]).push({
      ...clone(rcg),
      name: "shadow-group",
      properties: { priority: 100, ruleCollections: denyCollections },
    });
    out.push({ name: `fw/${id}/shadowed`, ruleId: id, mutation: "shadowed", input: shadowed, sharing });
  }
  return out;
}

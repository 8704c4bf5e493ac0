/**
 * The common shape every artifact is parsed back into (a list of grants), and the checks that tie a
 * target's grants to its coverage: nothing widened, nothing dropped, differences exactly as the
 * coverage entries say.
 */
import { mergePortRanges, mergePrefixes, parseCidr, portsCover, type CoverageEntry, type PortRange, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";

/** One allowance found in an artifact, attributed to the requirement(s) it says it serves. */
export interface Grant {
  readonly ruleIds: readonly string[];
  readonly dest:
    | { readonly kind: "fqdn"; readonly value: string }
    /** A dnsmasq `ipset=/d/` or `nftset=/d/` entry: `d` and every subdomain of it. */
    | { readonly kind: "dns-domain"; readonly value: string }
    | { readonly kind: "tag"; readonly value: string }
    | { readonly kind: "cidr"; readonly value: string }
    /** Traffic inside the cluster's scope (subnet, VirtualNetwork, the peers of a Linux NVA). */
    | { readonly kind: "internal"; readonly value: string };
  readonly ports: readonly PortRange[];
}

/** Every name or prefix that alone satisfies the requirement, as a target may write it. */
export interface Alternatives {
  readonly fqdns: ReadonlySet<string>;
  /** Global and regional tag names. */
  readonly tags: ReadonlySet<string>;
  /** Literal prefixes and, when a service-tags file was used, the tags' prefixes. */
  readonly prefixes: readonly string[];
}

export function alternatives(rule: ResolvedRule): Alternatives {
  const tags = new Set<string>();
  const prefixes: string[] = [...rule.prefixes.ipv4, ...rule.prefixes.ipv6];
  for (const t of rule.serviceTags) {
    for (const ref of [t.global, ...t.regional]) {
      tags.add(ref.name);
      if (ref.prefixes) prefixes.push(...ref.prefixes.ipv4, ...ref.prefixes.ipv6);
    }
  }
  return { fqdns: new Set([...rule.fqdns.map((f) => f.fqdn), ...rule.unresolvedFqdns]), tags, prefixes };
}

/** A dnsmasq domain is admitted when the rule lists the name, its wildcard, or a wildcard of a parent (see dnsDomainWidens for exact names). */
export function dnsDomainListed(alts: Alternatives, domain: string): boolean {
  return [...alts.fqdns].some((f) => f === domain || (f.startsWith("*.") && (domain === f.slice(2) || domain.endsWith(f.slice(1)))));
}

const rangeCache = new WeakMap<Alternatives, Record<4 | 6, Array<{ start: bigint; end: bigint }>>>();

/** Whether `cidr` lies inside the alternatives' prefixes (merged once, then a binary search). */
function containedIn(alts: Alternatives, cidr: string): boolean {
  let ranges = rangeCache.get(alts);
  if (!ranges) {
    const merged = mergePrefixes(alts.prefixes);
    ranges = { 4: merged.ipv4.map((p) => parseCidr(p)), 6: merged.ipv6.map((p) => parseCidr(p)) };
    rangeCache.set(alts, ranges);
  }
  const c = parseCidr(cidr, false);
  const fam = ranges[c.family];
  let lo = 0;
  let hi = fam.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = fam[mid] as { start: bigint; end: bigint };
    if (c.start < r.start) hi = mid - 1;
    else if (c.start > r.end) lo = mid + 1;
    else return c.end <= r.end;
  }
  return false;
}

function destAllowed(rule: ResolvedRule, alts: Alternatives, dest: Grant["dest"]): boolean {
  switch (dest.kind) {
    case "internal":
      return rule.kind === "internal";
    case "fqdn":
      return rule.kind === "outbound" && alts.fqdns.has(dest.value);
    case "dns-domain":
      return rule.kind === "outbound" && dnsDomainListed(alts, dest.value);
    case "tag":
      return rule.kind === "outbound" && alts.tags.has(dest.value);
    case "cidr":
      return rule.kind === "outbound" && containedIn(alts, dest.value);
  }
}

/**
 * Problems of one target's grants against its coverage (empty when all is well):
 * - coverage has exactly one entry per resolved rule, with a `why` unless enforced;
 * - every grant names requirements that exist and are not `unsupported`;
 * - no widening: each grant's destination is an alternative of every requirement it names, and its
 *   ports lie within the union of their ports;
 * - nothing dropped: each requirement that is not `unsupported` has grants covering all its ports;
 * - an `unsupported` requirement has no grant.
 */
export function checkGrants(target: string, resolved: ResolvedRules, coverage: readonly CoverageEntry[], grants: readonly Grant[]): string[] {
  const problems: string[] = [];
  const byId = new Map(resolved.rules.map((r) => [r.id, r]));
  const cov = new Map<string, CoverageEntry>();
  for (const c of coverage) {
    if (cov.has(c.ruleId)) problems.push(`${target}: coverage lists ${c.ruleId} twice`);
    cov.set(c.ruleId, c);
    if (!byId.has(c.ruleId)) problems.push(`${target}: coverage names ${c.ruleId}, which is not a resolved rule`);
    if (c.status !== "enforced" && c.why.trim() === "") problems.push(`${target}: ${c.ruleId} is ${c.status} without a why`);
    if (c.how.trim() === "") problems.push(`${target}: ${c.ruleId} has an empty how`);
  }
  for (const r of resolved.rules) if (!cov.has(r.id)) problems.push(`${target}: rule ${r.id} is missing from the coverage (dropped silently)`);

  const alts = new Map(resolved.rules.map((r) => [r.id, alternatives(r)]));
  for (const g of grants) {
    const where = `${target}: grant ${g.dest.kind} ${g.dest.value} ports ${JSON.stringify(g.ports)}`;
    if (g.ruleIds.length === 0) {
      problems.push(`${where} names no requirement`);
      continue;
    }
    const rules: ResolvedRule[] = [];
    for (const id of g.ruleIds) {
      const r = byId.get(id);
      if (!r) {
        problems.push(`${where} names unknown requirement ${id}`);
        continue;
      }
      if (cov.get(id)?.status === "unsupported") problems.push(`${where} serves ${id}, which the coverage says is unsupported`);
      if (!destAllowed(r, alts.get(id) as Alternatives, g.dest)) problems.push(`${where} is not an alternative of ${id} (widened)`);
      rules.push(r);
    }
    if (rules.length > 0 && !portsCover(rules.flatMap((r) => r.ports), g.ports)) problems.push(`${where} opens ports beyond ${g.ruleIds.join(", ")} (widened)`);
  }
  for (const r of resolved.rules) {
    const c = cov.get(r.id);
    if (!c || c.status === "unsupported") continue;
    const mine = grants.filter((g) => g.ruleIds.includes(r.id));
    if (mine.length === 0) {
      problems.push(`${target}: ${r.id} is ${c.status} but the artifact has no rule for it (dropped)`);
      continue;
    }
    // Some one destination (or, for internal rules, the internal scope) must carry every port of the requirement.
    const byDest = new Map<string, PortRange[]>();
    for (const g of mine) byDest.set(`${g.dest.kind}:${g.dest.value}`, [...(byDest.get(`${g.dest.kind}:${g.dest.value}`) ?? []), ...g.ports]);
    if (![...byDest.values()].some((ps) => portsCover(mergePortRanges(ps), r.ports))) problems.push(`${target}: ${r.id} is ${c.status} but no destination carries all its ports ${JSON.stringify(r.ports)} (dropped)`);
  }
  return problems;
}

/** Requirement ids the coverage says the target enforces or approximates. */
export function covered(coverage: readonly CoverageEntry[]): Set<string> {
  return new Set(coverage.filter((c) => c.status !== "unsupported").map((c) => c.ruleId));
}

/**
 * dnsmasq matches a domain and all its subdomains, so `ipset=/a.example/` for the exact name `a.example`
 * also admits `x.a.example`. Returns the requirement ids whose exact (non-wildcard) names are written
 * that way while the coverage calls them `enforced`.
 */
export function dnsDomainWidens(resolved: ResolvedRules, coverage: readonly CoverageEntry[], grants: readonly Grant[]): string[] {
  const enforced = new Set(coverage.filter((c) => c.status === "enforced").map((c) => c.ruleId));
  const out = new Set<string>();
  for (const g of grants) {
    if (g.dest.kind !== "dns-domain") continue;
    for (const id of g.ruleIds) {
      const r = resolved.rules.find((x) => x.id === id);
      const names = new Set(r?.fqdns.map((f) => f.fqdn) ?? []);
      if (enforced.has(id) && names.has(g.dest.value) && !names.has(`*.${g.dest.value}`)) out.add(id);
    }
  }
  return [...out].sort();
}

/** Whether the grants, whoever they were written for, open all ports of one alternative of the rule. */
export function grantsCover(rule: ResolvedRule, grants: readonly Grant[]): boolean {
  const alts = alternatives(rule);
  const byDest = new Map<string, PortRange[]>();
  for (const g of grants) {
    if (!destAllowed(rule, alts, g.dest)) continue;
    const key = `${g.dest.kind}:${g.dest.value}`;
    byDest.set(key, [...(byDest.get(key) ?? []), ...g.ports]);
  }
  return [...byDest.values()].some((ps) => portsCover(mergePortRanges(ps), rule.ports));
}

interface OpaFlow {
  readonly kind: "outbound" | "internal";
  readonly ports: readonly (readonly [number, number])[];
  readonly name?: string;
  readonly dst: { readonly tags?: readonly string[]; readonly prefixes?: readonly string[]; readonly opaque?: true; readonly local?: true };
  readonly notAuditable?: string;
}

/** The OPA bundle's data document (`data.json`) as grants: every flow of every alternative it audits. */
export function opaGrants(dataJson: string): Grant[] {
  const doc = JSON.parse(dataJson) as { cassandra_mi: { requirements: { requirements: Record<string, { alternatives: Array<{ flows: OpaFlow[] }> }> } } };
  const grants: Grant[] = [];
  for (const [id, req] of Object.entries(doc.cassandra_mi.requirements.requirements)) {
    for (const f of req.alternatives.flatMap((a) => a.flows)) {
      if (f.notAuditable !== undefined) continue;
      const ports = f.ports.map(([from, to]) => ({ from, to }));
      const add = (dest: Grant["dest"]): void => void grants.push({ ruleIds: [id], dest, ports });
      if (f.kind === "internal") add({ kind: "internal", value: "within" });
      else if (f.name !== undefined) add({ kind: "fqdn", value: f.name });
      else if (f.dst.prefixes) for (const p of f.dst.prefixes) add({ kind: "cidr", value: p });
      else for (const name of f.dst.tags ?? []) add({ kind: "tag", value: name });
    }
  }
  return grants;
}

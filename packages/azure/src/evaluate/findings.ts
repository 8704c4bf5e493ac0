/**
 * Allows wider than the requirements: a custom NSG or firewall rule that lets a required flow through
 * and also opens destinations, sources or ports no requirement needs; and an NSG rule that lets traffic
 * in from public addresses (no requirement needs any).
 */
import { AddressSet, NON_PUBLIC, PUBLIC } from "./address-set.js";
import { memoized, submap } from "./memo.js";
import { formatRanges } from "./ports-text.js";
import { NameSet } from "./names.js";
import { firstOutside, single, subtractRanges, unionRanges, type NumRanges } from "./ranges.js";
import * as V6 from "../generated/ranges-v6.js";
import type { BoxConstraint } from "./region.js";
import type { Finding, PathStep } from "./report.js";
import { describeStep, stepKey } from "./verdict.js";

/** The detail of the steps of Azure's default rules (never a finding). */
export const AZURE_DEFAULT_RULE = "Azure default rule";

/** A rule's sure match, by the key of its step. */
export interface RuleShape {
  readonly step: PathStep;
  readonly certain: readonly BoxConstraint[];
  readonly inbound: boolean;
}

/** What the requirements need, per side of the path. */
export interface Needs {
  readonly outboundDst: AddressSet;
  readonly outboundNames: NameSet;
  readonly outboundPorts: NumRanges;
  /** Sources internal flows come from (the subnet and its peers). */
  readonly internalSrc: AddressSet;
  readonly internalDst: AddressSet;
  readonly internalPorts: NumRanges;
}

/** A custom rule (not one of Azure's defaults) that let required flows through: the first step of its key, the requirements, where. */
export interface Allowed {
  readonly step: PathStep;
  readonly ruleIds: Set<string>;
  internal: boolean;
  outbound: boolean;
}

/** The first address (IPv4 before IPv6) of `set` outside `needed` and `also`, as text. */
function firstBeyond(set: AddressSet, needed: AddressSet, also = AddressSet.EMPTY): string | undefined {
  const v4 = firstOutside(set.v4, [needed.v4, also.v4]);
  if (v4 !== undefined) return AddressSet.of({ v4: single(v4, v4) }).exampleAddress();
  const v6 = V6.firstOutside(set.v6, [needed.v6, also.v6]);
  return v6 === undefined ? undefined : AddressSet.of({ v6: V6.single(v6, v6) }).exampleAddress();
}

/** What the requirements need in the given contexts, by needs and contexts: the same few unions serve every rule of every subject. */
const NEEDED = new WeakMap<Needs, Map<string, { ports: NumRanges; dsts: AddressSet }>>();

function neededFor(needs: Needs, contexts: { internal: boolean; outbound: boolean }): { ports: NumRanges; dsts: AddressSet } {
  let byContexts = NEEDED.get(needs);
  if (!byContexts) {
    byContexts = new Map();
    NEEDED.set(needs, byContexts);
  }
  const key = `${contexts.internal}:${contexts.outbound}`;
  let needed = byContexts.get(key);
  if (!needed) {
    const ports = unionRanges(contexts.internal ? needs.internalPorts : [], contexts.outbound ? needs.outboundPorts : []);
    const dsts = (contexts.internal ? needs.internalDst : AddressSet.EMPTY).union(contexts.outbound ? needs.outboundDst : AddressSet.EMPTY);
    needed = { ports, dsts };
    byContexts.set(key, needed);
  }
  return needed;
}

/** Examples of what sets hold beyond what is needed, by universe, needed set and set: a tag or prefix rule repeats from NSG to NSG. */
const BEYOND = new WeakMap<AddressSet, WeakMap<AddressSet, WeakMap<AddressSet, string | null>>>();

/**
 * The example text of what `set` holds in `universe` beyond `needed` (an address, public if it holds one, found
 * without making the difference); null when it holds nothing more.
 */
function beyond(set: AddressSet, universe: AddressSet, needed: AddressSet): string | null {
  return memoized(submap(submap(BEYOND, universe), needed), set, () => {
    const inside = set.intersect(universe);
    const address = firstBeyond(inside, needed, NON_PUBLIC) ?? firstBeyond(inside, needed);
    if (address !== undefined) return ` (e.g. ${address})`;
    // No address beyond: what else the set holds (tag atoms, the cluster point) decides.
    return needed.contains(inside) ? null : "";
  });
}

function widerText(rule: RuleShape, needs: Needs, contexts: { internal: boolean; outbound: boolean }, universe: AddressSet): string[] {
  const out: string[] = [];
  const { ports, dsts } = neededFor(needs, contexts);
  for (const c of rule.certain) {
    if (c.port && subtractRanges(c.port, ports).length > 0) out.push(`ports ${formatRanges(c.port)} (the requirements need ${formatRanges(ports)})`);
    if (rule.inbound && c.src) {
      const extra = beyond(c.src, universe, needs.internalSrc);
      if (extra !== null) out.push(`sources beyond the cluster subnet and its peers${extra}`);
    }
    if (!rule.inbound && c.dst) {
      const extra = beyond(c.dst, universe, dsts);
      if (extra !== null) out.push(`destinations no requirement needs${extra}`);
    }
    if (!rule.inbound && contexts.outbound && c.dst === undefined) {
      const extra = (c.name ?? NameSet.ALL).subtract(needs.outboundNames);
      if (!extra.isEmpty()) out.push(`host names no requirement needs (e.g. ${extra.example() ?? ""})`);
    }
  }
  return [...new Set(out)];
}

/** The findings of a subject, from its allows grouped by step key (one `Allowed` per key). */
export function findingsOf(allowed: Iterable<Allowed>, rules: ReadonlyMap<string, RuleShape>, needs: Needs, universe: AddressSet, inboundRules: readonly RuleShape[]): Finding[] {
  const out = new Map<string, Finding>();
  for (const g of allowed) {
    const key = stepKey(g.step);
    const rule = rules.get(key);
    if (!rule) continue;
    const wider = widerText(rule, needs, g, universe);
    if (wider.length > 0) out.set(key, { level: "warn", step: g.step, ruleIds: [...g.ruleIds].sort(), message: `${describeStep(g.step)} opens ${wider.join("; ")}` });
  }
  for (const r of inboundRules) {
    if (r.step.action !== "Allow" || r.step.detail === AZURE_DEFAULT_RULE) continue;
    const open = r.certain.some((c) => c.src !== undefined && c.src.overlaps(PUBLIC));
    if (!open) continue;
    const key = stepKey(r.step);
    const ports = r.certain.map((c) => formatRanges(c.port ?? [])).join(",");
    const text = `${describeStep(r.step)} lets traffic in from public addresses on ports ${ports}; no requirement needs it`;
    const prev = out.get(key);
    out.set(key, prev ? { ...prev, message: `${prev.message}; it also lets traffic in from public addresses` } : { level: "warn", step: r.step, ruleIds: [], message: text });
  }
  // By step key (each finding sits under its step's key).
  return [...out.keys()].sort((a, b) => (a < b ? -1 : 1)).map((k) => out.get(k) as Finding);
}

/**
 * From a flow's outcomes to its verdict, the path that decides it, the blocked parts (counted in the
 * destination's prefixes, with an example) and the causes of an `unknown`; then alternatives (all their
 * flows needed) and requirements (any alternative suffices).
 */
import { prefixSet, type AddressSet } from "./address-set.js";
import type { FlowSpec } from "./flows.js";
import type { Outcome } from "./pipeline.js";
import { memoized, submap } from "./memo.js";
import { formatRanges } from "./ports-text.js";
import { projection, type Box, type Region } from "./region.js";
import { countMeeting, intervalList, rangesEqual, type IntervalList } from "./ranges.js";
import * as V6 from "../generated/ranges-v6.js";
import type { AlternativeKind, AlternativeVerdict, BlockedPart, FlowVerdict, PathStep, RequirementVerdict, UnknownCause, Verdict } from "./report.js";
import type { TagSpace } from "./tag-space.js";

/** The rule name of a firewall's implicit deny. */
export const DEFAULT_DENY = "(no rule matches: denied)";

/**
 * Keys and descriptions of the steps met since `forgetSteps`: most steps are a subject's own and die with it, so plain
 * maps dropped subject by subject keep them (WeakMap entries are ephemerons, costly at every collection).
 */
let stepKeys = new Map<PathStep, string>();
let descriptions = new Map<PathStep, string>();

/** Lets go of the steps' keys and descriptions (the evaluation calls it before each subject). */
export function forgetSteps(): void {
  if (stepKeys.size > 0) stepKeys = new Map();
  if (descriptions.size > 0) descriptions = new Map();
}

export function stepKey(s: PathStep): string {
  let key = stepKeys.get(s);
  if (key === undefined) {
    key = `${s.layer}\u0000${s.resource}\u0000${s.rule}\u0000${s.priority ?? ""}\u0000${s.direction ?? ""}`;
    stepKeys.set(s, key);
  }
  return key;
}

/** One line naming a step, as the table prints it (a rule's step is described flow after flow: once). */
export function describeStep(s: PathStep): string {
  let text = descriptions.get(s);
  if (text === undefined) {
    text = stepText(s);
    descriptions.set(s, text);
  }
  return text;
}

function stepText(s: PathStep): string {
  const prio = s.priority !== undefined ? ` (${s.priority})` : "";
  switch (s.layer) {
    case "nsg": {
      const text = `NSG ${s.resource} ${s.direction?.toLowerCase() ?? ""} rule ${s.rule}${prio} ${s.action}`;
      // Whitespace runs become one space: parts (and a priority's number) that are not empty and hold none leave none.
      return solid(s.resource) && solid(s.direction) && solid(s.rule) && solid(s.action) ? text : text.replace(/\s+/g, " ");
    }
    case "route":
      return s.resource === "(system routes)" ? `system route: ${s.detail ?? s.rule} (next hop ${s.action})` : `route ${s.rule} of ${s.resource} (next hop ${s.action})`;
    case "firewall":
      if (s.rule === DEFAULT_DENY) return `firewall ${s.resource}: no rule matches (denied)`;
      return `firewall ${s.resource} ${s.detail ?? "rule"} ${s.rule}${prio} ${s.action}`;
    case "subnet":
      return `subnet ${s.resource}: ${s.detail ?? s.action}`;
  }
}

/** Whether a part of a text is there and holds no whitespace (names seldom do: looking at them costs less than a replace on the text). */
function solid(part: string | undefined): boolean {
  return part !== undefined && part !== "" && !/\s/.test(part);
}

/** The causes of the outcomes of one fate, each once (a flow has a few: compared in a list until it grows). */
function uniqueCauses(outcomes: readonly Outcome[], fates: Outcome["fates"]): UnknownCause[] {
  const out: UnknownCause[] = [];
  let seen: Set<string> | undefined;
  for (const o of outcomes) {
    if (o.fates !== fates) continue;
    for (const c of o.causes) {
      if (seen ? seen.has(causeKey(c)) : out.some((u) => sameCause(u, c))) continue;
      out.push(c);
      if (seen) seen.add(causeKey(c));
      else if (out.length > 16) seen = new Set(out.map(causeKey));
    }
  }
  return out;
}

function causeKey(c: UnknownCause): string {
  return `${c.reason}\u0000${c.step ? stepKey(c.step) : ""}`;
}

function sameCause(a: UnknownCause, b: UnknownCause): boolean {
  return a === b || (a.reason === b.reason && (a.step === b.step || (a.step !== undefined && b.step !== undefined && stepKey(a.step) === stepKey(b.step))));
}

/** The steps of the outcomes of one fate, in order, each once (a path holds a few steps: searched in a list until it grows). */
function uniqueSteps(outcomes: readonly Outcome[], fates: Outcome["fates"]): readonly PathStep[] {
  const only = onlyOutcome(outcomes, fates);
  if (only && distinctSteps(only.steps)) return only.steps;
  // The keys are made when a second step object comes: most paths hold one.
  let keys: string[] | undefined;
  let seen: Set<string> | undefined;
  const out: PathStep[] = [];
  for (const o of outcomes) {
    if (o.fates !== fates) continue;
    for (const s of o.steps) {
      // A step object already kept has its key kept too.
      if (!seen && out.includes(s)) continue;
      if (out.length === 0) {
        out.push(s);
        continue;
      }
      keys ??= [stepKey(out[0] as PathStep)];
      const k = stepKey(s);
      if (seen ? seen.has(k) : keys.includes(k)) continue;
      out.push(s);
      if (seen) seen.add(k);
      else if (keys.push(k) > 16) seen = new Set(keys);
    }
  }
  return out;
}

/** The one outcome of the fate, undefined when there are none or several. */
function onlyOutcome(outcomes: readonly Outcome[], fates: Outcome["fates"]): Outcome | undefined {
  let only: Outcome | undefined;
  for (const o of outcomes) {
    if (o.fates !== fates) continue;
    if (only) return undefined;
    only = o;
  }
  return only;
}

/** Whether a short list of steps holds each step key once: then it is its own list of unique steps (lists are never changed, and shared). */
function distinctSteps(steps: readonly PathStep[]): boolean {
  if (steps.length > 4) return false;
  for (let i = 1; i < steps.length; i++) {
    const s = steps[i] as PathStep;
    for (let j = 0; j < i; j++) {
      const t = steps[j] as PathStep;
      if (s === t || (s.layer === t.layer && stepKey(s) === stepKey(t))) return false;
    }
  }
  return true;
}

/** A prefix list's members in a flow's universe, as the sets hold them: the same lists and universes come flow after flow. */
interface CountBase {
  readonly v4: IntervalList;
  readonly v6: V6.IntervalList;
  readonly total: number;
  readonly families: string;
  /** Counts already made, by blocked set (a rule's own set blocks flow after flow). */
  readonly counts: WeakMap<AddressSet, NonNullable<BlockedPart["count"]> | null>;
}

const BASES = new WeakMap<AddressSet, WeakMap<readonly string[], CountBase>>();

function countBase(prefixes: readonly string[], universe: AddressSet): CountBase {
  return memoized(submap(BASES, universe), prefixes, () => {
    const inUniverse = prefixes.map((p) => prefixSet([p])).filter((p) => universe.overlaps(p));
    const v4 = inUniverse.filter((p) => p.v4.length > 0).map((p) => p.v4 as readonly [number, number]);
    const v6 = inUniverse.filter((p) => p.v6.length > 0).map((p) => p.v6 as readonly [bigint, bigint]);
    const families = v4.length > 0 && v6.length > 0 ? "" : v4.length > 0 ? "IPv4 " : "IPv6 ";
    return { v4: intervalList(v4), v6: V6.intervalList(v6), total: inUniverse.length, families, counts: new WeakMap() };
  });
}

/** How many of the given prefixes (in the flow's families) the blocked set takes, wholly or in part. */
function countPrefixes(prefixes: readonly string[], blockedSet: AddressSet, universe: AddressSet, unit: string): BlockedPart["count"] | undefined {
  const base = countBase(prefixes, universe);
  const counted = memoized(base.counts, blockedSet, () => countIn(base, blockedSet) ?? null);
  if (counted === null) return undefined;
  const { blocked, total, inPart } = counted;
  return inPart === undefined ? { blocked, total, unit: counted.unit + unit } : { blocked, total, unit: counted.unit + unit, inPart };
}

function countIn(base: CountBase, blockedSet: AddressSet): BlockedPart["count"] | undefined {
  if (base.total === 0) return undefined;
  const counts = { met: 0, inPart: 0 };
  countMeeting(base.v4, blockedSet.v4, counts);
  V6.countMeeting(base.v6, blockedSet.v6, counts);
  return { blocked: counts.met, total: base.total, unit: base.families, ...(counts.inPart > 0 ? { inPart: counts.inPart } : {}) };
}

/** A tag's IPv4 and IPv6 prefixes as one list, made once per tag. */
type TagPrefixes = { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] };
const TAG_LISTS = new WeakMap<TagPrefixes, readonly string[]>();

function tagList(pf: TagPrefixes): readonly string[] {
  let list = TAG_LISTS.get(pf);
  if (!list) {
    list = [...pf.ipv4, ...pf.ipv6];
    TAG_LISTS.set(pf, list);
  }
  return list;
}

/** What a flow's blocked parts are counted in, a prefix list and its unit, once per flow (the flows are shared by subjects). */
interface CountedIn {
  readonly prefixes: readonly string[];
  readonly unit: string;
}

const COUNTED_IN = new WeakMap<TagSpace, WeakMap<FlowSpec, CountedIn | null>>();

function countedIn(spec: FlowSpec, tags: TagSpace): CountedIn | null {
  return memoized(submap(COUNTED_IN, tags), spec, () => {
    if (spec.countTag && tags.exact) {
      const pf = tags.prefixes(spec.countTag);
      return pf ? { prefixes: tagList(pf), unit: `prefixes of ${tags.canonical(spec.countTag) ?? spec.countTag}` } : null;
    }
    return spec.countPrefixes ? { prefixes: spec.countPrefixes, unit: "prefixes" } : null;
  });
}

/** The blocked outcomes' regions by the step that blocks them (by step key, in the order first met). */
function blockedRegions(outcomes: readonly Outcome[]): Array<{ by: PathStep; regions: Region[] }> {
  const groups = new Map<string, { by: PathStep; regions: Region[] }>();
  for (const o of outcomes) {
    if (o.fates !== 2 || !o.blockedBy) continue;
    const k = stepKey(o.blockedBy);
    const g = groups.get(k);
    if (g) g.regions.push(o.region);
    else groups.set(k, { by: o.blockedBy, regions: [o.region] });
  }
  return [...groups.values()];
}

/** The regions as one (most steps block one part: its region as it is). */
function joined(regions: readonly Region[]): Region {
  if (regions.length === 1) return regions[0] as Region;
  const boxes: Box[] = [];
  for (const r of regions) for (const b of r) boxes.push(b);
  return boxes;
}

function blockedParts(spec: FlowSpec, outcomes: readonly Outcome[], tags: TagSpace): BlockedPart[] {
  const universe = spec.dst;
  const counted = countedIn(spec, tags);
  const out: BlockedPart[] = [];
  for (const { by, regions } of blockedRegions(outcomes)) {
    // The report keeps three parts: the others are not worked out.
    if (out.length === 3) break;
    const proj = projection(joined(regions));
    const count = counted ? countPrefixes(counted.prefixes, proj.dst, universe, counted.unit) : undefined;
    const partialPorts = !rangesEqual(proj.port, spec.ports);
    const byName = spec.shape.byName && (spec.shape.opaqueAddress || !proj.name.contains(spec.name));
    let example = byName ? proj.name.example() : (proj.dst.exampleAddress() ?? (spec.shape.byName ? proj.name.example() : undefined));
    if (partialPorts) example = `${example ?? "any destination"} port ${formatRanges(proj.port)}`;
    const partialSource = !proj.src.contains(spec.src);
    const exampleSource = partialSource ? proj.src.exampleAddress() : undefined;
    out.push(blockedPart(by, example, exampleSource, count));
  }
  return out;
}

/** A blocked part, its fields in the report's order (built field by field: spreads of literals cost flow after flow). */
function blockedPart(by: PathStep, example: string | undefined, exampleSource: string | undefined, count: BlockedPart["count"]): BlockedPart {
  const part: { -readonly [K in keyof BlockedPart]: BlockedPart[K] } = { by };
  if (example) part.example = example;
  if (exampleSource) part.exampleSource = exampleSource;
  if (count) part.count = count;
  return part;
}

/** An empty list of a verdict, one for all (a report's lists are never changed). */
const NONE: readonly never[] = Object.freeze([]);

/** A flow's verdict, its fields in the report's order. */
function verdictOf(spec: FlowSpec, verdict: Verdict, mayBeOpen: boolean, path: readonly PathStep[], blocked: readonly BlockedPart[], unknown: readonly UnknownCause[], notes = spec.notes): FlowVerdict {
  return { flow: spec.label, notes, verdict, mayBeOpen, path, blocked, unknown };
}

export function flowVerdict(spec: FlowSpec, outcomes: readonly Outcome[], tags: TagSpace): FlowVerdict {
  if (spec.notAuditable) return verdictOf(spec, "not-auditable", false, NONE, NONE, NONE, [...spec.notes, spec.notAuditable]);
  if (spec.unknown) return verdictOf(spec, "unknown", true, NONE, NONE, [{ reason: spec.unknown }]);
  let fromInput = false;
  let passes = 0;
  let stops = 0;
  let either = 0;
  for (const o of outcomes) {
    if (o.fromInput) fromInput = true;
    if (o.fates === 1) passes++;
    else if (o.fates === 2) stops++;
    else either++;
  }
  if (!fromInput) return verdictOf(spec, "not-auditable", false, NONE, NONE, NONE, [...spec.notes, "no layer of the input lies on this flow's path"]);
  const path = uniqueSteps(outcomes, passes > 0 ? 1 : 3);
  const blocked = stops > 0 ? blockedParts(spec, outcomes, tags) : NONE;
  const causes = either > 0 ? uniqueCauses(outcomes, 3) : NONE;
  // A part surely open and a part surely blocked: partly open whatever the unknown parts are.
  if (passes > 0 && stops > 0) return verdictOf(spec, "partly-open", false, path, blocked, causes);
  if (either > 0) return verdictOf(spec, "unknown", stops === 0, path, blocked, causes);
  return verdictOf(spec, stops === 0 ? "open" : "blocked", stops === 0, path, blocked, NONE);
}

/** How many of the verdicts are each verdict, and whether all that are auditable may be open. */
type Tally = Record<Verdict, number> & { mayBeOpen: boolean };

/** The one tally, counted afresh at each call: its callers read it before the next (one object per alternative and requirement costs garbage). */
const TALLY: Tally = { open: 0, "partly-open": 0, blocked: 0, unknown: 0, "not-auditable": 0, mayBeOpen: true };

function tally(items: readonly { readonly verdict: Verdict; readonly mayBeOpen: boolean }[]): Readonly<Tally> {
  const t = TALLY;
  t.open = t["partly-open"] = t.blocked = t.unknown = t["not-auditable"] = 0;
  t.mayBeOpen = true;
  for (const i of items) {
    countVerdict(t, i.verdict);
    if (i.verdict !== "not-auditable" && !i.mayBeOpen) t.mayBeOpen = false;
  }
  return t;
}

/** One more of the verdict, by a named field (an index by the verdict's text is a slow keyed store). */
export function countVerdict(counts: Record<Verdict, number>, verdict: Verdict): void {
  switch (verdict) {
    case "open":
      counts.open++;
      break;
    case "partly-open":
      counts["partly-open"]++;
      break;
    case "blocked":
      counts.blocked++;
      break;
    case "unknown":
      counts.unknown++;
      break;
    case "not-auditable":
      counts["not-auditable"]++;
      break;
  }
}

/** All flows of an alternative are needed. */
export function alternativeVerdict(flows: readonly FlowVerdict[]): { verdict: Verdict; mayBeOpen: boolean } {
  const t = tally(flows);
  const auditable = flows.length - t["not-auditable"];
  if (auditable === 0) return { verdict: "not-auditable", mayBeOpen: false };
  const mayBeOpen = t.mayBeOpen;
  if (t.open === auditable) return { verdict: "open", mayBeOpen };
  if (t.blocked === auditable) return { verdict: "blocked", mayBeOpen };
  // Some part surely blocked and some surely open: partly open, unknown parts or not.
  if (t["partly-open"] > 0 || (t.open > 0 && t.blocked > 0)) return { verdict: "partly-open", mayBeOpen: false };
  return { verdict: "unknown", mayBeOpen };
}

/** Any alternative suffices: open if one is; unknown if one may be open; else the best that is sure. */
export function requirementStatus(alternatives: readonly AlternativeVerdict[]): Verdict {
  const t = tally(alternatives);
  if (t.open > 0) return "open";
  if (alternatives.some((a) => a.verdict === "unknown" && a.mayBeOpen)) return "unknown";
  if (t["partly-open"] > 0) return "partly-open";
  if (t.unknown > 0) return "unknown";
  if (t.blocked > 0) return "blocked";
  return "not-auditable";
}

function blockedText(b: BlockedPart): string {
  const part = b.count?.inPart ? ` (${b.count.inPart} of them in part)` : "";
  const count = b.count ? `${b.count.blocked} of ${b.count.total} ${b.count.unit}${part} blocked by ` : "blocked by ";
  const ex = b.example ? `, e.g. ${b.example}` : "";
  const src = b.exampleSource ? ` from ${b.exampleSource}` : "";
  return `${count}${describeStep(b.by)}${ex}${src}`;
}

const DETAIL_ORDER: readonly AlternativeKind[] = ["serviceTag", "prefixes", "internal", "fqdn"];

/** The alternative a requirement's line names: the first of the status by kind (in `DETAIL_ORDER`), else the first. */
function detailAlternative(status: Verdict, alternatives: readonly AlternativeVerdict[]): AlternativeVerdict | undefined {
  let best: AlternativeVerdict | undefined;
  for (const a of alternatives) {
    if (a.verdict === status && (!best || DETAIL_ORDER.indexOf(a.kind) < DETAIL_ORDER.indexOf(best.kind))) best = a;
  }
  return best ?? alternatives[0];
}

/** An open requirement's line: the first two decisive steps (NSG and firewall rules), else of the whole path (no list made: one per requirement). */
function openDetail(label: string, path: readonly PathStep[]): string {
  let first: PathStep | undefined;
  let second: PathStep | undefined;
  let decisive = 0;
  for (const s of path) {
    if (s.layer !== "nsg" && s.layer !== "firewall") continue;
    if (decisive === 0) first = s;
    else if (decisive === 1) second = s;
    decisive++;
  }
  if (decisive === 0) {
    first = path[0];
    second = path[1];
  }
  const more = decisive > 2 ? `, and ${decisive - 2} more` : "";
  if (!first) return `open: ${label}`;
  return `open: ${label} (${describeStep(first)}${second ? `, ${describeStep(second)}` : ""}${more})`;
}

/** The one line the table prints for a requirement. */
export function requirementDetail(status: Verdict, alternatives: readonly AlternativeVerdict[]): string {
  const alt = detailAlternative(status, alternatives);
  if (!alt) return "no alternative";
  const flow = alt.flows.find((f) => f.verdict === status) ?? alt.flows.find((f) => f.verdict !== "open") ?? alt.flows[0];
  switch (status) {
    case "open":
      return openDetail(alt.label, flow?.path ?? NONE);
    case "partly-open":
    case "blocked": {
      const part = alt.flows.find((f) => f.blocked.length > 0)?.blocked[0];
      return `${status === "blocked" ? "blocked" : "partly open"}: ${alt.label}${part ? `: ${blockedText(part)}` : ""}`;
    }
    case "unknown": {
      const cause = flow?.unknown[0];
      return `unknown: ${alt.label}: ${cause ? `${cause.reason}${cause.step ? ` (${describeStep(cause.step)})` : ""}` : "not known"}`;
    }
    case "not-auditable":
      return `not auditable: ${flow?.notes[flow.notes.length - 1] ?? "no layer of the input lies on the path"}`;
  }
}

export function requirementVerdict(ruleId: string, kind: "outbound" | "internal", alternatives: readonly AlternativeVerdict[]): RequirementVerdict {
  const status = requirementStatus(alternatives);
  return { ruleId, kind, status, detail: requirementDetail(status, alternatives), alternatives };
}

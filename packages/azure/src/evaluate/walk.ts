/**
 * First match over an ordered list of rules, with what is not known kept apart. Each rule has a sure
 * match and a possible match (a superset: where a value of the input is not known, or a tag's addresses
 * are not). A part of the flow is decided by the first rule that surely matches it; the decision is sure
 * when no rule before it possibly matched that part with another outcome, and `uncertain` otherwise,
 * naming the rules and reasons. Rules in one group (equal priorities) may come in any order.
 */
import { AddressSet } from "./address-set.js";
import type { PathStep, UnknownCause } from "./report.js";
import { A_ONLY, SHARE, type Relation } from "./ranges.js";
import { intersect, isEmpty, portReach, srcReach, subtract, touches, union, withDst, type Box, type BoxConstraint, type Match, type ReachBeside, type Region, EMPTY_REGION } from "./region.js";

export interface WalkRule<O extends string> {
  readonly step: PathStep;
  /** What the rule does to what it matches; two or more when it is not known (an unknown access). */
  readonly outcomes: readonly O[];
  readonly certain: Match;
  /** Holds `certain`. */
  readonly possible: Match;
  /** Why `possible` holds more than `certain`. */
  readonly reasons: readonly string[];
  /** Rules of one group come in an order the input does not fix. */
  readonly group: number;
}

export interface Decided<O extends string> {
  readonly region: Region;
  readonly outcome: O;
  readonly step: PathStep;
}

export interface Undecided<O extends string> {
  readonly region: Region;
  readonly outcomes: readonly O[];
  readonly steps: readonly PathStep[];
  readonly causes: readonly UnknownCause[];
}

export interface WalkResult<O extends string> {
  readonly decided: readonly Decided<O>[];
  readonly uncertain: readonly Undecided<O>[];
  /** What no rule surely matched (callers add the layer's default). */
  readonly rest: Region;
}

interface Maybe<O extends string> {
  region: Region;
  readonly outcome: O;
  readonly rule: WalkRule<O>;
  readonly reasons: readonly string[];
}

/** A possible match of the walk on destinations alone: a set that meets what remained when it was met as the match does (what later sure matches take lies within). */
interface DstMaybe<O extends string> {
  readonly dst: AddressSet;
  readonly outcome: O;
  readonly rule: WalkRule<O>;
  readonly reasons: readonly string[];
}

function causesOf<O extends string>(entries: readonly { readonly rule: WalkRule<O>; readonly reasons: readonly string[] }[]): UnknownCause[] {
  const out: UnknownCause[] = [];
  for (const e of entries) for (const reason of e.reasons.length > 0 ? e.reasons : ["the rule may match"]) out.push({ reason, step: e.rule.step });
  return out;
}

function uniqueOutcomes<O extends string>(values: readonly O[]): O[] {
  return [...new Set(values)];
}

/**
 * The rules that may touch the region: a rule whose possible match misses it decides nothing there and
 * adds no doubt, so it is left out, unless a rule of its group touches the region (the group's order is
 * then in doubt among all its rules). Checked without building any set.
 */
function touching<O extends string>(region: Region, rules: readonly WalkRule<O>[]): readonly WalkRule<O>[] {
  let out: WalkRule<O>[] | undefined;
  for (let i = 0; i < rules.length; ) {
    let j = i + 1;
    while (j < rules.length && rules[j]?.group === rules[i]?.group) j++;
    let any = false;
    for (let k = i; k < j && !any; k++) any = touches(region, (rules[k] as WalkRule<O>).possible);
    if (!any) out ??= rules.slice(0, i);
    else if (out) for (let k = i; k < j; k++) out.push(rules[k] as WalkRule<O>);
    i = j;
  }
  return out ?? rules;
}

/** Whether the rule's possible match is its sure match, constraint for constraint (the same sets). */
function possibleIsCertain<O extends string>(r: WalkRule<O>): boolean {
  const c = r.certain[0];
  const p = r.possible[0];
  return r.certain.length === 1 && r.possible.length === 1 && c !== undefined && p !== undefined && c.src === p.src && c.dst === p.dst && c.name === p.name && c.port === p.port;
}

export function walkFirstMatch<O extends string>(region: Region, all: readonly WalkRule<O>[]): WalkResult<O> {
  return (region.length === 1 && walkDestinations(region, all)) || walkBoxes(region, touching(region, all));
}

/** How each rule's matches (possible, sure) meet a source set, beside destinations and ports. */
interface SourceReach {
  readonly possible: readonly ReachBeside[];
  readonly certain: readonly ReachBeside[];
}

/** A rule list's reach into each source it is walked from: the same few sources come flow after flow of a subject (a plain map per list: it dies with the list, its entries are no ephemerons). */
const SOURCE_REACHES = new WeakMap<readonly WalkRule<string>[], Map<AddressSet, SourceReach>>();

function matchSrcReach(src: AddressSet, m: Match): ReachBeside {
  if (m.length !== 1) return m.length === 0 ? "none" : "part";
  return srcReach(src, m[0] as BoxConstraint);
}

function sourceReach<O extends string>(all: readonly WalkRule<O>[], src: AddressSet): SourceReach {
  const bySource = SOURCE_REACHES.get(all) ?? new Map<AddressSet, SourceReach>();
  if (bySource.size === 0) SOURCE_REACHES.set(all, bySource);
  const known = bySource.get(src);
  if (known) return known;
  const reach = { possible: all.map((r) => matchSrcReach(src, r.possible)), certain: all.map((r) => matchSrcReach(src, r.certain)) };
  bySource.set(src, reach);
  return reach;
}

/** A match within the box as destinations (empty when it misses the box's source or port), undefined when it cuts the box elsewhere. */
function dstWithin(b: Box, m: Match, src: ReachBeside): AddressSet | undefined {
  if (src !== "all") return src === "none" ? AddressSet.EMPTY : undefined;
  const c = m[0] as BoxConstraint;
  const port = portReach(b.port, c);
  return port === "all" ? (c.dst ?? b.dst) : port === "none" ? AddressSet.EMPTY : undefined;
}

/** Whether the rule shares its group with another rule (the group's order is then in doubt). */
function inGroup<O extends string>(all: readonly WalkRule<O>[], i: number): boolean {
  const g = (all[i] as WalkRule<O>).group;
  return (i > 0 && (all[i - 1] as WalkRule<O>).group === g) || (i + 1 < all.length && (all[i + 1] as WalkRule<O>).group === g);
}

/**
 * The walk of a region of one box when every rule that touches what remains of it holds its source and port whole
 * or misses them, and is alone in its group: each part is one box that differs only in its destinations, so the
 * walk is set operations on those (the same parts, box for box, as `walkBoxes`). A rule that touches nothing of what
 * remains decides nothing and adds no doubt: skipped, and the walk ends once nothing remains. Undefined when a rule
 * that touches what remains cuts it elsewhere or shares its group (the walk over boxes then decides).
 */
function walkDestinations<O extends string>(region: Region, all: readonly WalkRule<O>[]): WalkResult<O> | undefined {
  const b = region[0] as Box;
  const reach = sourceReach(all, b.src);
  let remaining = b.dst;
  const maybes: DstMaybe<O>[] = [];
  const decided: Decided<O>[] = [];
  const uncertain: Undecided<O>[] = [];
  for (let i = 0; i < all.length && !remaining.isEmpty(); i++) {
    const src = reach.possible[i] as ReachBeside;
    if (src === "none") continue;
    const r = all[i] as WalkRule<O>;
    const p = dstWithin(b, r.possible, src);
    if (p === undefined) {
      if (touches([withDst(b, remaining)], r.possible)) return undefined;
      continue;
    }
    if (p !== b.dst && !remaining.overlaps(p)) continue;
    const c = possibleIsCertain(r) ? p : dstWithin(b, r.certain, reach.certain[i] as ReachBeside);
    if (c === undefined || inGroup(all, i)) return undefined;
    if (r.outcomes.length === 1) {
      const rel = c.isEmpty() ? 0 : relationTo(b, remaining, c);
      if ((rel & SHARE) !== 0) {
        // One relation tells both parts: when the sure match holds all that remains, it takes it whole.
        const inside = (rel & A_ONLY) === 0;
        decideDst(b, r, inside ? remaining : remaining.intersect(c), maybes, decided, uncertain);
        // Possible matches keep what later rules take: a sure match lies within what remains, so it meets only what remains of them.
        remaining = inside ? AddressSet.EMPTY : remaining.subtract(c);
      }
      if (possibleIsCertain(r) || remaining.isEmpty()) continue;
    }
    // What it reaches of what remains is not made: later sure matches lie within what remains, so they meet it as they meet `p`.
    for (const o of r.outcomes) maybes.push({ dst: p === b.dst ? remaining : p, outcome: o, rule: r, reasons: r.reasons });
  }
  return { decided, uncertain, rest: remaining === b.dst ? region : remaining.isEmpty() ? EMPTY_REGION : [withDst(b, remaining)] };
}

/** How what remains of the box's destinations meets a set (only `SHARE` and `A_ONLY` told): the box's own destinations hold all of it. */
function relationTo(b: Box, remaining: AddressSet, set: AddressSet): Relation {
  return set === b.dst ? SHARE : remaining.relate(set);
}

/** What a rule surely matches: sure where no earlier possible match of another outcome reaches, uncertain where one does. */
function decideDst<O extends string>(b: Box, r: WalkRule<O>, matched: AddressSet, maybes: readonly DstMaybe<O>[], decided: Decided<O>[], uncertain: Undecided<O>[]): void {
  const outcome = r.outcomes[0] as O;
  const conflicts = conflictsOf(maybes, outcome, matched);
  if (conflicts === undefined) {
    decided.push({ region: [withDst(b, matched)], outcome, step: r.step });
    return;
  }
  // As `union` joins regions: each conflict adds what the ones before it left out, as a box of its own.
  const unsure: Box[] = [];
  let sure = matched;
  for (const m of conflicts) {
    let piece = matched.intersect(m.dst);
    for (let k = 0; k < unsure.length && !piece.isEmpty(); k++) piece = piece.subtract((unsure[k] as Box).dst);
    if (piece.isEmpty()) continue;
    unsure.push(withDst(b, piece));
    sure = sure.subtract(piece);
  }
  if (!sure.isEmpty()) decided.push({ region: [withDst(b, sure)], outcome, step: r.step });
  if (unsure.length > 0) {
    uncertain.push({ region: unsure, outcomes: uniqueOutcomes([outcome, ...conflicts.map((m) => m.outcome)]), steps: [...conflicts.map((m) => m.rule.step), r.step], causes: causesOf(conflicts) });
  }
}

/** The earlier possible matches of another outcome that reach the set; undefined when none (most sure matches meet none: no array made). */
function conflictsOf<O extends string>(maybes: readonly DstMaybe<O>[], outcome: O, matched: AddressSet): DstMaybe<O>[] | undefined {
  let out: DstMaybe<O>[] | undefined;
  for (const m of maybes) if (m.outcome !== outcome && matched.overlaps(m.dst)) (out ??= []).push(m);
  return out;
}

/** The walk of any region, box by box. */
function walkBoxes<O extends string>(region: Region, rules: readonly WalkRule<O>[]): WalkResult<O> {
  let remaining = region;
  const maybes: Maybe<O>[] = [];
  const decided: Decided<O>[] = [];
  const uncertain: Undecided<O>[] = [];
  for (let i = 0; i < rules.length && !isEmpty(remaining); ) {
    let j = i;
    while (j < rules.length && rules[j]?.group === rules[i]?.group) j++;
    const group = rules.slice(i, j);
    i = j;
    if (group.length > 1) {
      for (const r of group) {
        const reach = intersect(remaining, r.possible);
        const order = `rules of equal priority (${group.map((g) => g.step.rule).join(", ")}) come in an order the input does not fix`;
        if (!isEmpty(reach)) for (const o of r.outcomes) maybes.push({ region: reach, outcome: o, rule: r, reasons: [order, ...r.reasons] });
      }
    }
    let taken: Region = EMPTY_REGION;
    for (const r of group) {
      if (r.outcomes.length !== 1) continue;
      const outcome = r.outcomes[0] as O;
      const matched = subtract(intersect(remaining, r.certain), taken);
      if (isEmpty(matched)) continue;
      taken = union(taken, matched);
      const conflicts = maybes.filter((m) => m.outcome !== outcome && m.rule !== r && touches(matched, m.region));
      let unsure: Region = EMPTY_REGION;
      for (const m of conflicts) unsure = union(unsure, intersect(matched, m.region));
      const sure = subtract(matched, unsure);
      if (!isEmpty(sure)) decided.push({ region: sure, outcome, step: r.step });
      if (!isEmpty(unsure)) {
        uncertain.push({ region: unsure, outcomes: uniqueOutcomes([outcome, ...conflicts.map((m) => m.outcome)]), steps: [...conflicts.map((m) => m.rule.step), r.step], causes: causesOf(conflicts) });
      }
    }
    if (!isEmpty(taken)) {
      remaining = subtract(remaining, taken);
      for (const m of maybes) m.region = subtract(m.region, taken);
    }
    if (group.length === 1) {
      const r = group[0] as WalkRule<O>;
      // What is left lies outside the rule's sure match: when that is all it may match, it reaches nothing more.
      if (r.outcomes.length === 1 && possibleIsCertain(r)) continue;
      const reach = intersect(remaining, r.possible);
      if (!isEmpty(reach)) for (const o of r.outcomes) maybes.push({ region: reach, outcome: o, rule: r, reasons: r.reasons });
    }
  }
  return { decided, uncertain, rest: remaining };
}

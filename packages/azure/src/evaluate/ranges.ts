/**
 * Sets of integers as sorted, disjoint, non-adjacent closed intervals: the one interval-set
 * implementation of the evaluator (address sets per family, tag atoms, ports). Core's `cidr.ts` parses
 * and merges prefixes; the evaluator also needs intersection and difference, which live here.
 *
 * Bounds are numbers here. IPv6 addresses need bigints, and a comparison V8 has seen on both kinds is generic
 * (these loops ran about 1.6x slower once IPv6 sets had passed through them), so IPv6 sets have their own copy of
 * this file, `../generated/ranges-v6.ts`, with the bound type below swapped (`npm run generate -w
 * @cassandra-mi-netrules/azure`; a test checks the copy is current).
 */

// bound type: begin
/** An interval's bound in this copy: IPv4 addresses, tag atoms, the cluster point and ports (a double holds every 32-bit value exactly, and arrays of them are unboxed). */
type B = number;
const ONE: B = 1;
// bound type: end

/** Flat `[start0, end0, start1, end1, ...]`, sorted, disjoint and non-adjacent. Never mutated once built. */
export type Ranges = readonly B[];
/** A set of numbers (this file's sets) and of bigints (the IPv6 copy's), named alike in both copies. */
export type NumRanges = readonly number[];
export type BigRanges = readonly bigint[];

/** The empty set (of numbers and of bigints alike). */
export const NO_RANGES: readonly never[] = Object.freeze([]);

function next(v: B): B {
  return v + ONE;
}

function previous(v: B): B {
  return v - ONE;
}

/** Normalises any list of closed intervals (unsorted, overlapping) into `Ranges`. */
export function rangesOf(pairs: ReadonlyArray<readonly [B, B]>): Ranges {
  const sorted = pairs.filter(([s, e]) => s <= e).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: B[] = [];
  for (const [s, e] of sorted) {
    const last = out.length - 1;
    if (last > 0 && s <= next(out[last] as B)) {
      if (e > (out[last] as B)) out[last] = e;
    } else out.push(s, e);
  }
  return out;
}

export function single(start: B, end: B): Ranges {
  return start <= end ? [start, end] : NO_RANGES;
}

export function isEmptyRanges(a: Ranges): boolean {
  return a.length === 0;
}

/** Appends `[s, e]` to a normalised list, merging it with the last interval when they touch. */
function append(out: B[], s: B, e: B): void {
  const last = out.length - 1;
  if (last > 0 && s <= next(out[last] as B)) {
    if (e > (out[last] as B)) out[last] = e;
  } else out.push(s, e);
}

/** `out` followed by intervals `from` to `to` (indices) of `a`, the first merged as `append` does, the rest copied as `copyRun` does (they lie past it). */
function appendRun(out: B[], a: Ranges, from: number, to: number): B[] {
  if (from >= to) return out;
  append(out, a[from] as B, a[from + 1] as B);
  return copyRun(out, a, from + 2, to);
}

export function unionRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  // One side inside the other (most unions of a flow's and a rule's sets): that side, with no merge and no copy.
  if (inside(a, b)) return b;
  if (inside(b, a)) return a;
  let out: B[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    // The side that starts first up to where the other starts: its intervals past the last one merged go in whole.
    if ((a[i] as B) <= (b[j] as B)) {
      const k = mergeTouching(out, a, i, b[j] as B, true);
      i = seekStart(a, k, b[j] as B, true);
      out = appendRun(out, a, k, i);
    } else {
      const k = mergeTouching(out, b, j, a[i] as B, false);
      j = seekStart(b, k, a[i] as B, false);
      out = appendRun(out, b, k, j);
    }
  }
  out = appendRun(out, a, mergeTouching(out, a, i, undefined, true), a.length);
  return appendRun(out, b, mergeTouching(out, b, j, undefined, true), b.length);
}

/** Merges into the last interval of `out` those of `a` from `from` that touch it and start before `limit` (at or before it with `orEqual`; no limit when undefined), one by one; returns where it stopped. */
function mergeTouching(out: B[], a: Ranges, from: number, limit: B | undefined, orEqual: boolean): number {
  let k = from;
  while (k < a.length && (limit === undefined || (a[k] as B) < limit || (orEqual && a[k] === limit)) && out.length > 0 && (a[k] as B) <= next(out[out.length - 1] as B)) {
    append(out, a[k] as B, a[k + 1] as B);
    k += 2;
  }
  return k;
}

/** The first interval of `a` at or after `from` whose start is past `v` (> with `orEqual`, else >=), a.length if none. */
function seekStart(a: Ranges, from: number, v: B, orEqual: boolean): number {
  return gallop(a, from, 0, v, orEqual);
}

export function intersectRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return NO_RANGES;
  // Walk the smaller set and skip through the larger: a rule's few prefixes against a tag's thousands.
  const [small, large] = a.length <= b.length ? [a, b] : [b, a];
  let out: B[] = [];
  let j = 0;
  for (let i = 0; i < small.length && j < large.length; i += 2) {
    const s = small[i] as B;
    const e = small[i + 1] as B;
    j = seekEnd(large, j, s);
    if (j >= large.length || (large[j] as B) > e) continue;
    // The intervals of `large` after the first that end before `e` lie inside [s, e]: copied whole.
    const k = seekEnd(large, j, e);
    if (k > j) {
      out.push((large[j] as B) > s ? (large[j] as B) : s, large[j + 1] as B);
      out = copyRun(out, large, j + 2, k);
    }
    j = k;
    if (j < large.length && (large[j] as B) <= e) out.push((large[j] as B) > s ? (large[j] as B) : s, e);
  }
  // One side inside the other: that side itself, so that callers see nothing changed (a port range inside a rule's).
  return out.length === small.length && rangesEqual(out, small) ? small : out;
}

export function subtractRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return a;
  let out: B[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length) {
    j = seekEnd(b, j, a[i] as B);
    if (j >= b.length) break;
    // The intervals of `a` that end before the next interval of `b` starts stay whole.
    const k = seekEnd(a, i, b[j] as B);
    if (k > i) {
      // What is left of `a` before lies apart from these (its intervals do not touch): copied whole.
      out = copyRun(out, a, i, k);
      i = k;
      continue;
    }
    let s = a[i] as B;
    const e = a[i + 1] as B;
    let m = j;
    while (m < b.length && (b[m] as B) <= e && s <= e) {
      if ((b[m] as B) > s) out.push(s, previous(b[m] as B));
      s = next(b[m + 1] as B);
      m += 2;
    }
    if (s <= e) out.push(s, e);
    i += 2;
  }
  return copyRun(out, a, i, a.length);
}

/** Runs shorter than this are pushed one by one; longer ones onto a shorter `out` are copied by `slice` and `concat` (several times faster). */
const SHORT_RUN = 16;

/**
 * `out` followed by intervals `from` to `to` (indices) of `a`, which lie past its last without touching it: `out` itself when
 * it is short enough to push onto, else a new array. A run is pushed, not concatenated, onto an `out` longer than it: `concat`
 * copies `out` too, and a union of two interleaved tags made of many runs would copy its result once per run.
 */
function copyRun(out: B[], a: Ranges, from: number, to: number): B[] {
  if (from >= to) return out;
  if (out.length === 0) return a.slice(from, to);
  if (to - from >= SHORT_RUN && out.length <= to - from) return out.concat(a.slice(from, to));
  for (let k = from; k < to; k++) out.push(a[k] as B);
  return out;
}

/** How two sets relate: bit 1, they share an element; bit 2, `a` holds an element `b` does not; bit 4, `b` one `a` does not. */
export type Relation = number;
export const SHARE = 1;
export const A_ONLY = 2;
export const B_ONLY = 4;

/** The first interval of `a` at or after interval index `from` (a multiple of 2) whose end is >= `v` (a.length if none). */
function seekEnd(a: Ranges, from: number, v: B): number {
  return gallop(a, from, 1, v, false);
}

/**
 * The first interval index (a multiple of 2) at or after `from` whose bound `side` (0 start, 1 end) is not below
 * `v` (nor equal to it with `orEqual`), `a.length` if none: galloping, then binary search, so a small set against
 * a service tag's thousands of intervals skips most of them. No closure: it would be allocated per call.
 */
function gallop(a: Ranges, from: number, side: 0 | 1, v: B, orEqual: boolean): number {
  const length = a.length;
  let step = 2;
  let hi = from;
  // The test `x < v || (orEqual && x === v)` written out twice: as a function it was not inlined (number and bigint both pass here).
  while (hi < length && ((a[hi + side] as B) < v || (orEqual && a[hi + side] === v))) {
    from = hi + 2;
    hi += step;
    step *= 2;
  }
  if (hi > length) hi = length;
  let lo = from;
  while (lo < hi) {
    const mid = lo + (((hi - lo) >> 2) << 1);
    if ((a[mid + side] as B) < v || (orEqual && a[mid + side] === v)) lo = mid + 2;
    else hi = mid;
  }
  return lo;
}

/**
 * The relation of two sets, allocating nothing. An interval lies inside the other set only when one of its
 * intervals holds it whole (they are apart), so each side is checked interval by interval against the other.
 */
export function relateRanges(a: Ranges, b: Ranges): Relation {
  if (a.length === 0) return b.length === 0 ? 0 : B_ONLY;
  if (b.length === 0) return A_ONLY;
  const known = relateByEnds(a, b);
  if (known !== undefined) return known;
  const ab = cover(a, b, false);
  const ba = cover(b, a, (ab & SHARE) !== 0);
  return (ab & SHARE) | (ba & SHARE) | (ab & OUTSIDE ? A_ONLY : 0) | (ba & OUTSIDE ? B_ONLY : 0);
}

/**
 * The relation of two non-empty sets when their ends decide it: apart, or one a single interval that spans the
 * other (a rule's one range around a flow's set, most of the relations asked); undefined otherwise.
 */
function relateByEnds(a: Ranges, b: Ranges): Relation | undefined {
  const aFirst = a[0] as B;
  const aLast = a[a.length - 1] as B;
  const bFirst = b[0] as B;
  const bLast = b[b.length - 1] as B;
  if (aLast < bFirst || bLast < aFirst) return A_ONLY | B_ONLY;
  if (b.length === 2 && bFirst <= aFirst && aLast <= bLast) return a.length === 2 && aFirst === bFirst && aLast === bLast ? SHARE : SHARE | B_ONLY;
  if (a.length === 2 && aFirst <= bFirst && bLast <= aLast) return SHARE | A_ONLY;
  return undefined;
}

/** An interval of the first set lies outside the second, in part or whole (`cover`'s own bit). */
const OUTSIDE = 2;

/** Whether `a` shares an element with `b` (SHARE) and holds one `b` does not (OUTSIDE); stops once it knows both, or OUTSIDE alone when `shared` is already known. */
function cover(a: Ranges, b: Ranges, shared: boolean): number {
  let rel = 0;
  let j = 0;
  const done = shared ? OUTSIDE : SHARE | OUTSIDE;
  for (let i = 0; i < a.length; ) {
    const s = a[i] as B;
    const e = a[i + 1] as B;
    j = seekEnd(b, j, s);
    if (j >= b.length) return rel | OUTSIDE;
    const bs = b[j] as B;
    const be = b[j + 1] as B;
    if (bs <= e) rel |= SHARE;
    if (bs > s || be < e) rel |= OUTSIDE;
    if ((rel & done) === done) return rel;
    // The intervals of `a` that end before b's next interval starts (all outside), or inside this one (all shared), add nothing: skipped.
    i = seekEnd(a, i + 2, bs <= e ? be : bs);
  }
  return rel;
}

/** Whether every element of non-empty `a` is in `b`, stopping at the first that is not. */
function inside(a: Ranges, b: Ranges): boolean {
  return (cover(a, b, true) & OUTSIDE) === 0;
}

/** Whether every element of `inner` is in `outer`. */
export function rangesContain(outer: Ranges, inner: Ranges): boolean {
  return (relateRanges(inner, outer) & A_ONLY) === 0;
}

/** Whether the sets share an element: stops at the first one. */
export function rangesOverlap(a: Ranges, b: Ranges): boolean {
  if (a.length === 0 || b.length === 0 || (a[a.length - 1] as B) < (b[0] as B) || (b[b.length - 1] as B) < (a[0] as B)) return false;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if ((a[i + 1] as B) < (b[j] as B)) i = seekEnd(a, i + 2, b[j] as B);
    else if ((b[j + 1] as B) < (a[i] as B)) j = seekEnd(b, j + 2, a[i] as B);
    else return true;
  }
  return false;
}

export function rangesEqual(a: Ranges, b: Ranges): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Number of elements (a bigint of either kind: IPv6 counts pass 2**53). */
export function rangesSize(a: Ranges): bigint {
  let n = 0n;
  for (let i = 0; i < a.length; i += 2) n += BigInt(a[i + 1] as B) - BigInt(a[i] as B) + 1n;
  return n;
}

/** The smallest element, or undefined. */
export function firstOf(a: Ranges): B | undefined {
  return a[0];
}

/** The least value of `a` that none of `others` holds, if any: an example of a difference without making it. */
export function firstOutside(a: Ranges, others: readonly Ranges[]): B | undefined {
  const at = others.map(() => 0);
  for (let i = 0; i < a.length; i += 2) {
    const end = a[i + 1] as B;
    let v = a[i] as B;
    // Past every interval of the others that holds `v`, until none does or `a`'s interval ends.
    for (let moved = true; moved && v <= end; ) {
      moved = false;
      for (let k = 0; k < others.length; k++) {
        const b = others[k] as Ranges;
        const j = (at[k] = seekEnd(b, at[k] as number, v));
        if (j < b.length && (b[j] as B) <= v) {
          v = next(b[j + 1] as B);
          moved = true;
        }
      }
    }
    if (v <= end) return v;
  }
  return undefined;
}

/** Intervals sorted by start, overlapping or not, with the furthest end reached up to each (to skip those that meet nothing). */
export interface IntervalList {
  /** Flat `[start0, end0, ...]`, sorted by start. */
  readonly bounds: readonly B[];
  /** Flat `[start0, reach0, ...]`: reach is the largest end up to that interval, never decreasing. */
  readonly reach: Ranges;
}

export function intervalList(intervals: readonly (readonly [B, B])[]): IntervalList {
  const sorted = [...intervals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const bounds: B[] = [];
  const reach: B[] = [];
  for (const [s, e] of sorted) {
    const last = reach[reach.length - 1];
    bounds.push(s, e);
    reach.push(s, last !== undefined && last > e ? last : e);
  }
  return { bounds, reach };
}

/** How many of the intervals of `list` share a value with `set`, and how many of those it holds only in part, added to `counts`. */
export function countMeeting(list: IntervalList, set: Ranges, counts: { met: number; inPart: number }): void {
  const { bounds, reach } = list;
  let j = 0;
  for (let i = 0; i < bounds.length; ) {
    const s = bounds[i] as B;
    const e = bounds[i + 1] as B;
    j = seekEnd(set, j, s);
    if (j >= set.length) return;
    const nextStart = set[j] as B;
    if (nextStart > e) {
      // The intervals that end before the set's next one starts meet nothing: skipped by their reach.
      i = seekEnd(reach, i + 2, nextStart);
      continue;
    }
    counts.met++;
    if (nextStart > s || (set[j + 1] as B) < e) counts.inPart++;
    i += 2;
  }
}

/** How much of [start, end] the set holds: none, part or all (binary search). */
export function coverage(set: Ranges, start: B, end: B): "none" | "part" | "all" {
  let lo = 0;
  let hi = set.length / 2;
  // First interval whose end >= start.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((set[2 * mid + 1] as B) < start) lo = mid + 1;
    else hi = mid;
  }
  if (lo * 2 >= set.length) return "none";
  const s = set[2 * lo] as B;
  const e = set[2 * lo + 1] as B;
  if (s > end) return "none";
  return s <= start && e >= end ? "all" : "part";
}

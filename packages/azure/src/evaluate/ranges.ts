/**
 * Sets of integers as sorted, disjoint, non-adjacent closed intervals: the one interval-set
 * implementation of the evaluator (address sets per family, tag atoms, ports). Core's `cidr.ts` parses
 * and merges prefixes; the evaluator also needs intersection and difference, which live here.
 */

/** Flat `[start0, end0, start1, end1, ...]`, sorted, disjoint and non-adjacent. Never mutated once built. */
export type Ranges = readonly bigint[];

export const NO_RANGES: Ranges = Object.freeze([]) as Ranges;

/** Normalises any list of closed intervals (unsorted, overlapping) into `Ranges`. */
export function rangesOf(pairs: ReadonlyArray<readonly [bigint, bigint]>): Ranges {
  const sorted = pairs.filter(([s, e]) => s <= e).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: bigint[] = [];
  for (const [s, e] of sorted) {
    const last = out.length - 1;
    if (last > 0 && s <= (out[last] as bigint) + 1n) {
      if (e > (out[last] as bigint)) out[last] = e;
    } else out.push(s, e);
  }
  return out;
}

export function single(start: bigint, end: bigint): Ranges {
  return start <= end ? [start, end] : NO_RANGES;
}

export function isEmptyRanges(a: Ranges): boolean {
  return a.length === 0;
}

export function unionRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: bigint[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let s: bigint;
    let e: bigint;
    if (j >= b.length || (i < a.length && (a[i] as bigint) <= (b[j] as bigint))) {
      s = a[i] as bigint;
      e = a[i + 1] as bigint;
      i += 2;
    } else {
      s = b[j] as bigint;
      e = b[j + 1] as bigint;
      j += 2;
    }
    const last = out.length - 1;
    if (last > 0 && s <= (out[last] as bigint) + 1n) {
      if (e > (out[last] as bigint)) out[last] = e;
    } else out.push(s, e);
  }
  return out;
}

export function intersectRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return NO_RANGES;
  const out: bigint[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const s = (a[i] as bigint) > (b[j] as bigint) ? (a[i] as bigint) : (b[j] as bigint);
    const ea = a[i + 1] as bigint;
    const eb = b[j + 1] as bigint;
    const e = ea < eb ? ea : eb;
    if (s <= e) out.push(s, e);
    if (ea < eb) i += 2;
    else j += 2;
  }
  return out;
}

export function subtractRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return a;
  const out: bigint[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let s = a[i] as bigint;
    const e = a[i + 1] as bigint;
    while (j < b.length && (b[j + 1] as bigint) < s) j += 2;
    let k = j;
    while (k < b.length && (b[k] as bigint) <= e && s <= e) {
      if ((b[k] as bigint) > s) out.push(s, (b[k] as bigint) - 1n);
      s = (b[k + 1] as bigint) + 1n;
      k += 2;
    }
    if (s <= e) out.push(s, e);
  }
  return out;
}

/** Whether every element of `inner` is in `outer`. */
export function rangesContain(outer: Ranges, inner: Ranges): boolean {
  return subtractRanges(inner, outer).length === 0;
}

export function rangesOverlap(a: Ranges, b: Ranges): boolean {
  return intersectRanges(a, b).length > 0;
}

export function rangesEqual(a: Ranges, b: Ranges): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Number of elements. */
export function rangesSize(a: Ranges): bigint {
  let n = 0n;
  for (let i = 0; i < a.length; i += 2) n += (a[i + 1] as bigint) - (a[i] as bigint) + 1n;
  return n;
}

/** The smallest element, or undefined. */
export function firstOf(a: Ranges): bigint | undefined {
  return a[0];
}

/** How much of [start, end] the set holds: none, part or all (binary search). */
export function coverage(set: Ranges, start: bigint, end: bigint): "none" | "part" | "all" {
  let lo = 0;
  let hi = set.length / 2;
  // First interval whose end >= start.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((set[2 * mid + 1] as bigint) < start) lo = mid + 1;
    else hi = mid;
  }
  if (lo * 2 >= set.length) return "none";
  const s = set[2 * lo] as bigint;
  const e = set[2 * lo + 1] as bigint;
  if (s > end) return "none";
  return s <= start && e >= end ? "all" : "part";
}

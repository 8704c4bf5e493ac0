/**
 * Regions of a flow: sets of (source address, destination address, destination name, destination port)
 * as lists of disjoint boxes, each box a product of one set per dimension. A rule matches a region, the
 * walk takes the matched part away: intersection and difference of regions are all it needs.
 */
import { AddressSet, type Part } from "./address-set.js";
import { NameSet } from "./names.js";
import { A_ONLY, coverage, intersectRanges, isEmptyRanges, rangesOf, rangesOverlap, relateRanges, SHARE, subtractRanges, type NumRanges, type Relation } from "./ranges.js";

export interface Box {
  readonly src: AddressSet;
  readonly dst: AddressSet;
  readonly name: NameSet;
  readonly port: NumRanges;
}

export type Region = readonly Box[];

export const EMPTY_REGION: Region = Object.freeze([]) as Region;

function boxEmpty(b: Box): boolean {
  return b.src.isEmpty() || b.dst.isEmpty() || b.name.isEmpty() || isEmptyRanges(b.port);
}

export function box(src: AddressSet, dst: AddressSet, name: NameSet, port: NumRanges): Region {
  const b = { src, dst, name, port };
  return boxEmpty(b) ? EMPTY_REGION : [b];
}

/** A constraint on some dimensions of a box (the others unconstrained). */
export interface BoxConstraint {
  readonly src?: AddressSet;
  readonly dst?: AddressSet;
  readonly name?: NameSet;
  readonly port?: NumRanges;
}

function intersectBox(a: Box, c: BoxConstraint): Box | undefined {
  const port = c.port ? intersectRanges(a.port, c.port) : a.port;
  if (isEmptyRanges(port)) return undefined;
  const src = c.src ? a.src.intersect(c.src) : a.src;
  if (src.isEmpty()) return undefined;
  const dst = c.dst ? a.dst.intersect(c.dst) : a.dst;
  if (dst.isEmpty()) return undefined;
  const name = c.name ? a.name.intersect(c.name) : a.name;
  if (name.isEmpty()) return undefined;
  return port === a.port && src === a.src && dst === a.dst && name === a.name ? a : { src, dst, name, port };
}

/** Whether the box and the constraint share a point (allocates nothing for addresses and ports). */
function boxTouches(a: Box, c: BoxConstraint): boolean {
  if (c.port && !rangesOverlap(a.port, c.port)) return false;
  if (c.src && !a.src.overlaps(c.src)) return false;
  if (c.dst && !a.dst.overlaps(c.dst)) return false;
  return !c.name || !a.name.intersect(c.name).isEmpty();
}

/** Whether the region and the match share a point: `intersect(region, match)` is not empty. */
export function touches(region: Region, match: Match): boolean {
  for (const b of region) for (const c of match) if (boxTouches(b, c)) return true;
  return false;
}

/** How a constraint meets a box in every dimension but the destination: holds all of it, misses it, or cuts it. */
export type ReachBeside = "all" | "none" | "part";

function reachOf(rel: Relation): ReachBeside {
  return (rel & SHARE) === 0 ? "none" : (rel & A_ONLY) === 0 ? "all" : "part";
}

/** Whether the constraint holds the source set whole, misses it, or cuts it (a name constraint counts as a cut: names are not looked at). */
export function srcReach(src: AddressSet, c: BoxConstraint): ReachBeside {
  if (c.name) return "part";
  return c.src ? reachOf(src.relate(c.src)) : "all";
}

/** Whether the constraint holds the ports whole, misses them, or cuts them. */
export function portReach(port: NumRanges, c: BoxConstraint): ReachBeside {
  return c.port ? reachOf(relateRanges(port, c.port)) : "all";
}

/** The box with another destination set (the box itself when it is the same set). */
export function withDst(b: Box, dst: AddressSet): Box {
  return dst === b.dst ? b : { src: b.src, dst, name: b.name, port: b.port };
}

/** a \ c as disjoint boxes: peel one dimension at a time; undefined when c misses a (a stays whole). */
function subtractBox(a: Box, c: BoxConstraint): Box[] | undefined {
  const inside = intersectBox(a, c);
  if (!inside) return undefined;
  if (inside === a) return [];
  const out: Box[] = [];
  let rest: Box = a;
  if (c.port) {
    const p = subtractRanges(rest.port, c.port);
    if (!isEmptyRanges(p)) out.push({ ...rest, port: p });
    rest = { ...rest, port: inside.port };
  }
  if (c.src) {
    const s = rest.src.subtract(c.src);
    if (!s.isEmpty()) out.push({ ...rest, src: s });
    rest = { ...rest, src: inside.src };
  }
  if (c.dst) {
    const d = rest.dst.subtract(c.dst);
    if (!d.isEmpty()) out.push({ ...rest, dst: d });
    rest = { ...rest, dst: inside.dst };
  }
  if (c.name) {
    const n = rest.name.subtract(c.name);
    if (!n.isEmpty()) out.push({ ...rest, name: n });
  }
  return out;
}

/** A region as the union of constraints (a rule's match: one constraint, or one per way it can match). */
export type Match = readonly BoxConstraint[];

export const MATCH_NOTHING: Match = Object.freeze([]) as Match;
export const MATCH_ALL: Match = Object.freeze([{}]) as Match;

export function intersect(region: Region, match: Match): Region {
  if (region.length === 0 || match.length === 0) return EMPTY_REGION;
  // Constraints of one match may overlap: take each box's parts one constraint at a time, disjointly.
  const out: Box[] = [];
  for (const b of region) {
    let rest: Box[] = [b];
    for (let k = 0; k < match.length; k++) {
      const c = match[k] as BoxConstraint;
      // What the last constraint leaves is never looked at: not computed.
      const last = k === match.length - 1;
      const next: Box[] = [];
      for (const r of rest) {
        const i = intersectBox(r, c);
        if (i) out.push(i);
        if (!last) next.push(...((i && subtractBox(r, c)) ?? [r]));
      }
      rest = next;
      if (rest.length === 0) break;
    }
  }
  return out;
}

export function subtract(region: Region, match: Match): Region {
  let out = region;
  for (let k = 0; k < match.length && out.length > 0; k++) out = subtractEach(out, match[k] as BoxConstraint);
  return out;
}

/** Each box less the constraint; the region itself when the constraint misses every box (nothing copied). */
function subtractEach(region: Region, c: BoxConstraint): Region {
  let out: Box[] | undefined;
  for (let k = 0; k < region.length; k++) {
    const b = region[k] as Box;
    const parts = subtractBox(b, c);
    if (parts === undefined && out === undefined) continue;
    out ??= region.slice(0, k);
    for (const p of parts ?? [b]) out.push(p);
  }
  return out ?? region;
}

/** A region as a match (to take one region out of another). */
export function asMatch(region: Region): Match {
  return region;
}

export function isEmpty(region: Region): boolean {
  return region.length === 0;
}

export function union(a: Region, b: Region): Region {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return [...a, ...subtract(b, a)];
}

/** The destinations, sources, names and ports a region touches (unions over its boxes). */
export function projection(region: Region): { src: AddressSet; dst: AddressSet; name: NameSet; port: NumRanges } {
  let src = AddressSet.EMPTY;
  let dst = AddressSet.EMPTY;
  let name = NameSet.EMPTY;
  let port: NumRanges = [];
  for (const b of region) {
    src = src.union(b.src);
    dst = dst.union(b.dst);
    name = name.union(b.name);
    port = [...port, ...b.port];
  }
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < port.length; i += 2) pairs.push([port[i] as number, port[i + 1] as number]);
  return { src, dst, name, port: rangesOf(pairs) };
}

/** The box of the region that holds the point (a source and destination address part and value, a port), if any. */
export function boxHolding(region: Region, point: { readonly src: readonly [Part, bigint]; readonly dst: readonly [Part, bigint]; readonly port: number }): Box | undefined {
  return region.find((b) => b.src.holdsPoint(...point.src) && b.dst.holdsPoint(...point.dst) && coverage(b.port, point.port, point.port) === "all");
}

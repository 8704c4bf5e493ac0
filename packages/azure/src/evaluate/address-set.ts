/**
 * Address sets of the evaluator. Besides IPv4 and IPv6 addresses, a set may hold "tag atoms" (without a
 * service-tags file, a tag is a set of atoms of the bundled tag table: the pieces of address space every
 * tag of Microsoft's file either holds whole or not at all, per family) and the "cluster point" (the
 * cluster subnet when its prefix is not known). The parts never meet: where a rule's value and a flow live
 * in different parts, the projection (`project.ts`) says how sure the match is.
 */
import { formatAddress, parseCidr } from "@cassandra-mi-netrules/core";
import { BoundedMemo, memoized } from "./memo.js";
import * as V6 from "../generated/ranges-v6.js";
import { A_ONLY, B_ONLY, coverage, firstOf, intersectRanges, NO_RANGES, rangesOf, rangesOverlap, rangesSize, relateRanges, SHARE, single, subtractRanges, unionRanges, type BigRanges, type NumRanges, type Relation } from "./ranges.js";

export const PARTS = ["v4", "v6", "t4", "t6", "cluster"] as const;
export type Part = (typeof PARTS)[number];
/** Each part's sets: IPv6 addresses as bigints (in the IPv6 copy of the interval functions, `V6`), every other part as numbers. */
export interface PartRanges {
  readonly v4: NumRanges;
  readonly v6: BigRanges;
  readonly t4: NumRanges;
  readonly t6: NumRanges;
  readonly cluster: NumRanges;
}

/**
 * Two sets of more intervals than this each (tags, shared by every subject) remember what they met (a set
 * operation's result from the second meeting on): they meet flow after flow. A pair with a small set (a rule's own prefixes) is computed each time: remembering it would
 * keep a large result alive for every rule of every NSG.
 */
const LARGE = 16;

function worthRemembering(a: AddressSet, b: AddressSet): boolean {
  return a.size() > LARGE && b.size() > LARGE;
}

/** The set operations whose results a set remembers. */
type SetOperation = "intersections" | "differences" | "unions";

/** What a set's memos keep for a pair met once: its result is kept the second time (most pairs are met once). */
const MET_ONCE: unique symbol = Symbol("met once");

/** What a set remembers of the sets it met: relations, and the results of each set operation, keyed weakly by the other set (made when first needed). */
interface Met {
  relations?: WeakMap<AddressSet, Relation>;
  sets?: { [K in SetOperation]?: WeakMap<AddressSet, AddressSet | typeof MET_ONCE> };
}

/** The pair last related, and how: the walk intersects a pair, then subtracts it (one relation, not two). */
let lastA: AddressSet | undefined;
let lastB: AddressSet | undefined;
let lastRelation: Relation = 0;

/** Example addresses as text, by family and value: the same first addresses are blocked flow after flow. */
const ADDRESS_TEXTS = [new BoundedMemo<number | bigint, string>(1 << 16), new BoundedMemo<number | bigint, string>(1 << 16)] as const;

function addressText(family: 4 | 6, value: number | bigint): string {
  return ADDRESS_TEXTS[family === 4 ? 0 : 1].get(value, (v) => formatAddress(family, BigInt(v)));
}

export class AddressSet {
  private constructor(
    /** IPv4 addresses less 2**31 (`fromV4`): every bound a small integer on a 64-bit engine. */
    readonly v4: NumRanges,
    readonly v6: BigRanges,
    /** Atoms of IPv4 tags in the bundled table. */
    readonly t4: NumRanges,
    readonly t6: NumRanges,
    /** 0: the cluster subnet whose prefix is not known. */
    readonly cluster: NumRanges,
  ) {
    this.#size = (v4.length + v6.length + t4.length + t6.length + cluster.length) / 2;
  }

  /** Number of intervals, counted once: every operation asks it of both sets (which path, whether to remember). */
  readonly #size: number;

  /** Kept on the set itself: one WeakMap lookup per remembered operation instead of two. */
  #met: Met | undefined = undefined;

  static readonly EMPTY = new AddressSet(NO_RANGES, NO_RANGES, NO_RANGES, NO_RANGES, NO_RANGES);

  static of(parts: Partial<PartRanges>): AddressSet {
    return new AddressSet(parts.v4 ?? NO_RANGES, parts.v6 ?? NO_RANGES, parts.t4 ?? NO_RANGES, parts.t6 ?? NO_RANGES, parts.cluster ?? NO_RANGES);
  }

  /** The relation this set keeps for `other`, computed and kept when it keeps none. */
  #rememberedRelation(other: AddressSet, compute: () => Relation): Relation {
    return memoized((this.#met ??= {}).relations ??= new WeakMap(), other, compute);
  }

  /**
   * The result of `operation` with `other`: kept the second time the pair is met, so that a pair met once keeps
   * nothing alive (a kept set outlives young collections and is copied to the old generation).
   */
  #rememberedSet(operation: SetOperation, other: AddressSet, compute: () => AddressSet): AddressSet {
    const sets = ((this.#met ??= {}).sets ??= {});
    const known = (sets[operation] ??= new WeakMap());
    const kept = known.get(other);
    if (kept !== undefined && kept !== MET_ONCE) return kept;
    const value = compute();
    known.set(other, kept === undefined ? MET_ONCE : value);
    return value;
  }

  part<P extends Part>(p: P): PartRanges[P] {
    return this[p];
  }

  /** `f` applied part by part, `f6` (its IPv6 copy) to the IPv6 part. */
  private map(other: AddressSet, f: (a: NumRanges, b: NumRanges) => NumRanges, f6: (a: BigRanges, b: BigRanges) => BigRanges): AddressSet {
    return new AddressSet(f(this.v4, other.v4), f6(this.v6, other.v6), f(this.t4, other.t4), f(this.t6, other.t6), f(this.cluster, other.cluster));
  }

  /** How this set and `other` relate (`SHARE`, `A_ONLY`: this holds more, `B_ONLY`: other holds more), in one pass. */
  relate(other: AddressSet): Relation {
    if (this === other) return this.isEmpty() ? 0 : SHARE;
    if (this === lastA && other === lastB) return lastRelation;
    // A relation is one number: remembered whenever one side is large (a tag meets the same rule sets flow after flow).
    const relation = this.size() <= LARGE && other.size() <= LARGE ? this.#relate(other) : this.#rememberedRelation(other, () => this.#relate(other));
    lastA = this;
    lastB = other;
    lastRelation = relation;
    return relation;
  }

  #relate(other: AddressSet): Relation {
    // Written out: a loop over the part names made a keyed property load per part, hot in the walk.
    return relateRanges(this.v4, other.v4) | V6.relateRanges(this.v6, other.v6) | relateRanges(this.t4, other.t4) | relateRanges(this.t6, other.t6) | relateRanges(this.cluster, other.cluster);
  }

  intersect(other: AddressSet): AddressSet {
    if (this === other) return this;
    const rel = this.relate(other);
    if ((rel & SHARE) === 0) return AddressSet.EMPTY;
    if ((rel & A_ONLY) === 0) return this;
    if ((rel & B_ONLY) === 0) return other;
    if (!worthRemembering(this, other)) return this.map(other, intersectRanges, V6.intersectRanges);
    return this.#rememberedSet("intersections", other, () => this.map(other, intersectRanges, V6.intersectRanges));
  }

  /** Whether the sets share an address. */
  overlaps(other: AddressSet): boolean {
    if (this === other) return !this.isEmpty();
    // An empty side (a third of the overlaps the walk asks) meets nothing: no part looked at.
    if (this.#size === 0 || other.#size === 0) return false;
    if (!worthRemembering(this, other)) return this.#overlaps(other);
    const known = this.#met?.relations?.get(other);
    if (known !== undefined) return (known & SHARE) !== 0;
    // Stops at the first shared address; sets found apart are related (they stay apart flow after flow).
    if (this.#overlaps(other)) return true;
    this.#rememberedRelation(other, () => (this.isEmpty() ? 0 : A_ONLY) | (other.isEmpty() ? 0 : B_ONLY));
    return false;
  }

  /** Whether the sets share an address, stopping at the first: the walk asks this of every rule for every flow. */
  #overlaps(other: AddressSet): boolean {
    return rangesOverlap(this.v4, other.v4) || V6.rangesOverlap(this.v6, other.v6) || rangesOverlap(this.t4, other.t4) || rangesOverlap(this.t6, other.t6) || rangesOverlap(this.cluster, other.cluster);
  }

  /** Number of intervals (a measure of the work a set costs). */
  size(): number {
    return this.#size;
  }

  subtract(other: AddressSet): AddressSet {
    const rel = this.relate(other);
    if ((rel & SHARE) === 0) return this;
    if ((rel & A_ONLY) === 0) return AddressSet.EMPTY;
    if (!worthRemembering(this, other)) return this.map(other, subtractRanges, V6.subtractRanges);
    return this.#rememberedSet("differences", other, () => this.map(other, subtractRanges, V6.subtractRanges));
  }

  union(other: AddressSet): AddressSet {
    if (other === this || other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    if (!worthRemembering(this, other)) return this.map(other, unionRanges, V6.unionRanges);
    return this.#rememberedSet("unions", other, () => this.map(other, unionRanges, V6.unionRanges));
  }

  isEmpty(): boolean {
    return this.#size === 0;
  }

  contains(other: AddressSet): boolean {
    return (this.relate(other) & B_ONLY) === 0;
  }

  /** Only addresses (no atoms, no cluster point). */
  get literal(): AddressSet {
    return new AddressSet(this.v4, this.v6, NO_RANGES, NO_RANGES, NO_RANGES);
  }

  /** One address of the set, as text, when it holds an address. */
  exampleAddress(): string | undefined {
    const v4 = firstOf(this.v4);
    if (v4 !== undefined) return addressText(4, v4 + V4_OFFSET);
    const v6 = V6.firstOf(this.v6);
    if (v6 !== undefined) return addressText(6, v6);
    return undefined;
  }

  /** Whether part `p` holds the point `v` (a bigint whatever the part: the tests' points). */
  holdsPoint(p: Part, v: bigint): boolean {
    if (p === "v6") return V6.coverage(this.v6, v, v) === "all";
    const n = p === "v4" ? fromV4(v) : Number(v);
    return coverage(this.part(p), n, n) === "all";
  }

  /** The lowest and highest value of part `p` as bigints (IPv4 addresses as they are, not as stored), if any. */
  ends(p: Part): readonly [bigint, bigint] | undefined {
    const r: readonly (number | bigint)[] = this.part(p);
    if (r.length === 0) return undefined;
    const lift = p === "v4" ? (v: bigint) => v + BigInt(V4_OFFSET) : (v: bigint) => v;
    return [lift(BigInt(r[0] as number | bigint)), lift(BigInt(r[r.length - 1] as number | bigint))];
  }

  /** Addresses in the set, IPv4 and IPv6 apart. */
  addressCount(): { v4: bigint; v6: bigint } {
    return { v4: rangesSize(this.v4), v6: V6.rangesSize(this.v6) };
  }

  equals(other: AddressSet): boolean {
    return this.contains(other) && other.contains(this);
  }
}

/** What an IPv4 address is less in a set: its bounds fit a small integer (no boxed double in the hot loops). */
const V4_OFFSET = 2 ** 31;

function fromV4(address: bigint): number {
  return Number(address) - V4_OFFSET;
}

const V6_MAX = (1n << 128n) - 1n;

/** Every IPv4 and IPv6 address. */
export const ALL_ADDRESSES = AddressSet.of({ v4: single(fromV4(0n), fromV4((1n << 32n) - 1n)), v6: V6.single(0n, V6_MAX) });

/** The set of CIDR prefixes (host bits tolerated: the network they name). Throws CidrError. */
export function prefixSet(prefixes: Iterable<string>): AddressSet {
  const v4: Array<[number, number]> = [];
  const v6: Array<[bigint, bigint]> = [];
  for (const p of prefixes) {
    const c = parseCidr(p, false);
    if (c.family === 4) v4.push([fromV4(c.start), fromV4(c.end)]);
    else v6.push([c.start, c.end]);
  }
  return AddressSet.of({ v4: rangesOf(v4), v6: V6.rangesOf(v6) });
}

/**
 * Special-purpose address blocks (RFC 6890 and its updates: this network, private use, shared address
 * space, loopback, link local, IETF protocol assignments, documentation, benchmarking, multicast,
 * reserved; IPv6 likewise). Everything else is public: Azure's `Internet` tag.
 */
export const NON_PUBLIC_PREFIXES: readonly string[] = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/3",
  "::/8",
  "64:ff9b:1::/48",
  "100::/64",
  "2001::/23",
  "2001:db8::/32",
  "2002::/16",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
];

export const NON_PUBLIC = prefixSet(NON_PUBLIC_PREFIXES);

/** Public addresses: what Azure's `Internet` tag holds, and where service tags and FQDNs live. */
export const PUBLIC = ALL_ADDRESSES.subtract(NON_PUBLIC);

/** Private address space (RFC 1918, RFC 6598, RFC 4193): where a virtual network's own addresses usually are. */
export const PRIVATE = prefixSet(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]);

/** The single address `a.b.c.d` or an IPv6 address as a set, or undefined when it is not one. */
export function addressAsSet(text: string): AddressSet | undefined {
  // A tag name is no address: refused here without building the parser's error (rule values are tags flow after flow).
  if (/[g-zG-Z]/.test(text)) return undefined;
  const host = text.includes(":") ? `${text}/128` : `${text}/32`;
  try {
    return prefixSet([host]);
  } catch {
    return undefined;
  }
}

/** `a.b.c.d-e.f.g.h` (Azure Firewall ranges) as a set, or undefined. */
export function rangeAsSet(text: string): AddressSet | undefined {
  const dash = text.indexOf("-");
  if (dash < 0) return undefined;
  const from = addressAsSet(text.slice(0, dash).trim());
  const to = addressAsSet(text.slice(dash + 1).trim());
  if (!from || !to) return undefined;
  const [lo4, hi4, lo6, hi6] = [from.v4[0], to.v4[0], from.v6[0], to.v6[0]];
  // From the first address to the second, of one family, in order.
  if (lo4 !== undefined) return hi4 !== undefined && lo4 <= hi4 ? AddressSet.of({ v4: single(lo4, hi4) }) : undefined;
  return lo6 !== undefined && hi6 !== undefined && lo6 <= hi6 ? AddressSet.of({ v6: V6.single(lo6, hi6) }) : undefined;
}

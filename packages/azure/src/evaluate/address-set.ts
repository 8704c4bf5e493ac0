/**
 * Address sets of the evaluator. Besides IPv4 and IPv6 addresses, a set may hold "tag atoms" (without a
 * service-tags file, a tag is a set of atoms of the bundled tag table: the pieces of address space every
 * tag of Microsoft's file either holds whole or not at all, per family) and the "cluster point" (the
 * cluster subnet when its prefix is not known). The parts never meet: where a rule's value and a flow live
 * in different parts, the projection (`project.ts`) says how sure the match is.
 */
import { formatAddress, parseCidr } from "@cassandra-mi-netrules/core";
import { firstOf, intersectRanges, NO_RANGES, rangesContain, rangesOf, rangesSize, single, subtractRanges, unionRanges, type Ranges } from "./ranges.js";

export const PARTS = ["v4", "v6", "t4", "t6", "cluster"] as const;
export type Part = (typeof PARTS)[number];

const INTERSECTIONS = new WeakMap<AddressSet, WeakMap<AddressSet, AddressSet>>();

export class AddressSet {
  private constructor(
    readonly v4: Ranges,
    readonly v6: Ranges,
    /** Atoms of IPv4 tags in the bundled table. */
    readonly t4: Ranges,
    readonly t6: Ranges,
    /** 0: the cluster subnet whose prefix is not known. */
    readonly cluster: Ranges,
  ) {}

  static readonly EMPTY = new AddressSet(NO_RANGES, NO_RANGES, NO_RANGES, NO_RANGES, NO_RANGES);

  static of(parts: Partial<Record<Part, Ranges>>): AddressSet {
    return new AddressSet(parts.v4 ?? NO_RANGES, parts.v6 ?? NO_RANGES, parts.t4 ?? NO_RANGES, parts.t6 ?? NO_RANGES, parts.cluster ?? NO_RANGES);
  }

  part(p: Part): Ranges {
    return this[p];
  }

  private map(other: AddressSet, f: (a: Ranges, b: Ranges) => Ranges): AddressSet {
    return new AddressSet(f(this.v4, other.v4), f(this.v6, other.v6), f(this.t4, other.t4), f(this.t6, other.t6), f(this.cluster, other.cluster));
  }

  intersect(other: AddressSet): AddressSet {
    if (this === other) return this;
    // Large sets (tags) meet the same rule sets flow after flow: remember those results.
    const large = this.size() + other.size() > 64;
    if (!large) return this.map(other, intersectRanges);
    let memo = INTERSECTIONS.get(this);
    if (!memo) {
      memo = new WeakMap();
      INTERSECTIONS.set(this, memo);
    }
    let r = memo.get(other);
    if (!r) {
      r = this.map(other, intersectRanges);
      memo.set(other, r);
    }
    return r;
  }

  /** Number of intervals (a measure of the work a set costs). */
  size(): number {
    return (this.v4.length + this.v6.length + this.t4.length + this.t6.length + this.cluster.length) / 2;
  }

  subtract(other: AddressSet): AddressSet {
    return this.map(other, subtractRanges);
  }

  union(other: AddressSet): AddressSet {
    return this.map(other, unionRanges);
  }

  isEmpty(): boolean {
    return this.v4.length + this.v6.length + this.t4.length + this.t6.length + this.cluster.length === 0;
  }

  contains(other: AddressSet): boolean {
    return PARTS.every((p) => rangesContain(this[p], other[p]));
  }

  /** Only addresses (no atoms, no cluster point). */
  get literal(): AddressSet {
    return new AddressSet(this.v4, this.v6, NO_RANGES, NO_RANGES, NO_RANGES);
  }

  /** One address of the set, as text, when it holds an address. */
  exampleAddress(): string | undefined {
    const v4 = firstOf(this.v4);
    if (v4 !== undefined) return formatAddress(4, v4);
    const v6 = firstOf(this.v6);
    if (v6 !== undefined) return formatAddress(6, v6);
    return undefined;
  }

  /** Addresses in the set, IPv4 and IPv6 apart. */
  addressCount(): { v4: bigint; v6: bigint } {
    return { v4: rangesSize(this.v4), v6: rangesSize(this.v6) };
  }

  equals(other: AddressSet): boolean {
    return this.contains(other) && other.contains(this);
  }
}

const V4_MAX = (1n << 32n) - 1n;
const V6_MAX = (1n << 128n) - 1n;

/** Every IPv4 and IPv6 address. */
export const ALL_ADDRESSES = AddressSet.of({ v4: single(0n, V4_MAX), v6: single(0n, V6_MAX) });

/** The set of CIDR prefixes (host bits tolerated: the network they name). Throws CidrError. */
export function prefixSet(prefixes: Iterable<string>): AddressSet {
  const v4: Array<[bigint, bigint]> = [];
  const v6: Array<[bigint, bigint]> = [];
  for (const p of prefixes) {
    const c = parseCidr(p, false);
    (c.family === 4 ? v4 : v6).push([c.start, c.end]);
  }
  return AddressSet.of({ v4: rangesOf(v4), v6: rangesOf(v6) });
}

/**
 * Special-purpose address blocks (RFC 6890 and its updates: this network, private use, shared address
 * space, loopback, link local, IETF protocol assignments, documentation, benchmarking, multicast,
 * reserved; IPv6 likewise). Everything else is public: Azure's `Internet` tag.
 */
export const NON_PUBLIC = prefixSet([
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
]);

/** Public addresses: what Azure's `Internet` tag holds, and where service tags and FQDNs live. */
export const PUBLIC = ALL_ADDRESSES.subtract(NON_PUBLIC);

/** Private address space (RFC 1918, RFC 6598, RFC 4193): where a virtual network's own addresses usually are. */
export const PRIVATE = prefixSet(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]);

/** The single address `a.b.c.d` or an IPv6 address as a set, or undefined when it is not one. */
export function addressAsSet(text: string): AddressSet | undefined {
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
  const a = from.v4.length > 0 ? ["v4", from.v4, to.v4] : ["v6", from.v6, to.v6];
  const [part, lo, hi] = a as [Part, Ranges, Ranges];
  if (hi.length === 0 || (lo[0] as bigint) > (hi[0] as bigint)) return undefined;
  return AddressSet.of({ [part]: single(lo[0] as bigint, hi[0] as bigint) });
}

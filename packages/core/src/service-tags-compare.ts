/**
 * What a service-tags file is compared with before use: Microsoft's file bundled with this package (its
 * tag names, the widest prefixes it holds, and the prefixes of the tags the dataset uses). The limits
 * and why each is where it is are documented in SECURITY.md ("Service-tags files").
 */
import { parseCidr } from "./cidr.js";
import type { PrefixSet } from "./types.js";

/** Built from the vendored file by `src/build/service-tag-reference.ts`; see `generated/service-tag-reference.ts`. */
export interface ServiceTagReference {
  /** File name and top-level changeNumber of the bundled file. */
  readonly source: string;
  readonly cloud: string;
  readonly changeNumber: number;
  /** Every tag name of the bundled file is `Base` or `Base.Suffix` with these, compared case-insensitively. */
  readonly bases: readonly string[];
  readonly suffixes: readonly string[];
  /** ARM names of the regions the resolver knows: `Tag.Region` of a dataset tag is a regional form it may use. */
  readonly regions: readonly string[];
  /** The widest prefix length of any tag in the bundled file, per family (14 and 40 in the 20251028 file). */
  readonly widest: { readonly ipv4: number; readonly ipv6: number };
  /** The dataset's global tags in the bundled file. */
  readonly tags: Readonly<Record<string, ReferenceTag>>;
  /** Their regional forms (the catalogue's) in the bundled file. */
  readonly regional: Readonly<Record<string, ReferenceTag>>;
}

/**
 * A tag as the bundled file has it: changeNumber, merged prefixes (comma-separated, to keep the module
 * small) and, only where it differs from them (IPv4 then IPv6, as Microsoft writes every tag the dataset
 * uses today), its list as written.
 */
export interface ReferenceTag {
  readonly changeNumber: number;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly raw?: string;
}

/** The bundled list of a tag as written, comma-separated. */
export function referenceRaw(entry: ReferenceTag): string {
  return entry.raw ?? (entry.ipv4 && entry.ipv6 ? `${entry.ipv4},${entry.ipv6}` : entry.ipv4 || entry.ipv6);
}

/**
 * No service tag may hold a prefix wider than these (shorter lengths are refused), as written or once
 * merged. IPv4 /8: the largest block the IANA ever assigned to one holder, 64 times the widest prefix in
 * Microsoft's file (/14). IPv6 /24: 2603:1000::/24 holds 23,031 of the file's 24,458 IPv6 prefixes;
 * 65,536 times the widest (/40). `0.0.0.0/0`, `::/0` and `0.0.0.0/1` in a tag are refused.
 */
export const SERVICE_TAG_PREFIX_BOUNDS: Readonly<{ ipv4: number; ipv6: number }> = Object.freeze({ ipv4: 8, ipv6: 24 });

/** The merged prefixes the bundled file gives a tag. */
export function referencePrefixes(entry: ReferenceTag): PrefixSet {
  return { ipv4: entry.ipv4 === "" ? [] : entry.ipv4.split(","), ipv6: entry.ipv6 === "" ? [] : entry.ipv6.split(",") };
}

interface Span {
  readonly start: bigint;
  readonly end: bigint;
}

// A global tag's spans are read once, not once per regional form checked against it.
const spanCache = new WeakMap<readonly string[], Span[]>();
function spans(prefixes: readonly string[]): Span[] {
  let out = spanCache.get(prefixes);
  if (!out) {
    out = prefixes.map((p) => {
      const c = parseCidr(p, false);
      return { start: c.start, end: c.end };
    });
    spanCache.set(prefixes, out);
  }
  return out;
}

/** For each block of `a`, how many of its addresses `b` lacks; both sorted by address and disjoint (merged). */
function outsideEach(a: readonly Span[], b: readonly Span[]): bigint[] {
  const out: bigint[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && (b[j] as Span).end < x.start) j++;
    let inside = 0n;
    for (let k = j; k < b.length && (b[k] as Span).start <= x.end; k++) {
      const y = b[k] as Span;
      const lo = y.start > x.start ? y.start : x.start;
      const hi = y.end < x.end ? y.end : x.end;
      if (hi >= lo) inside += hi - lo + 1n;
    }
    out.push(x.end - x.start + 1n - inside);
  }
  return out;
}

const sum = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);
const size = (xs: readonly Span[]): bigint => sum(xs.map((x) => x.end - x.start + 1n));

export interface FamilyDrift {
  /** Addresses the bundled tag holds, the file's tag holds beyond them, and the bundled ones it dropped. */
  readonly bundled: bigint;
  readonly added: bigint;
  readonly removed: bigint;
  /** Most addresses the tag may gain: as many as it held, or a block of the widest bundled prefix. */
  readonly limit: bigint;
}

/** How far a tag moved from the bundled file, per family. */
export function driftFrom(reference: ServiceTagReference, bundled: PrefixSet, now: PrefixSet): { readonly ipv4: FamilyDrift; readonly ipv6: FamilyDrift } {
  const family = (was: readonly string[], is: readonly string[], bits: bigint, widest: number): FamilyDrift => {
    const a = spans(was);
    const b = spans(is);
    const held = size(a);
    const block = 1n << (bits - BigInt(widest));
    return { bundled: held, added: sum(outsideEach(b, a)), removed: sum(outsideEach(a, b)), limit: held > block ? held : block };
  };
  return {
    ipv4: family(bundled.ipv4, now.ipv4, 32n, reference.widest.ipv4),
    ipv6: family(bundled.ipv6, now.ipv6, 128n, reference.widest.ipv6),
  };
}

/**
 * The first prefix of `inner` not wholly inside `outer` (both merged), or undefined. `outer` holds maximal
 * aligned blocks, so a prefix it covers lies inside one of them: a binary search per prefix.
 */
export function firstOutside(inner: PrefixSet, outer: PrefixSet): string | undefined {
  for (const fam of ["ipv4", "ipv6"] as const) {
    const blocks = spans(outer[fam]);
    for (const p of inner[fam]) {
      const x = parseCidr(p, false);
      let lo = 0;
      let hi = blocks.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if ((blocks[mid] as Span).start <= x.start) lo = mid + 1;
        else hi = mid - 1;
      }
      const block = blocks[hi];
      if (!block || block.end < x.end) return p;
    }
  }
  return undefined;
}

/** Whether a tag name in lower case is made of a base and a suffix the bundled file knows (`storage`, `sql.eastus2`). */
export function knownTagName(bases: ReadonlySet<string>, suffixes: ReadonlySet<string>, lower: string): boolean {
  const dot = lower.indexOf(".");
  if (dot < 0) return bases.has(lower);
  return bases.has(lower.slice(0, dot)) && suffixes.has(lower.slice(dot + 1));
}

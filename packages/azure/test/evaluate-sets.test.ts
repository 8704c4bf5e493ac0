/**
 * The set algebra under the evaluator, against brute force: interval sets (addresses, atoms, ports) and
 * host-name sets; and the bundled tag table, rebuilt from the vendored file and checked for the relations
 * it must keep.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUNDLED_TAG_TABLE } from "../src/generated/tag-table.js";
import { NameSet, namePattern } from "../src/evaluate/names.js";
import { ALL_ADDRESSES, AddressSet, NON_PUBLIC, prefixSet, PUBLIC } from "../src/evaluate/address-set.js";
import * as BIGINT_RANGES from "../src/generated/ranges-v6.js";
import * as NUMBER_RANGES from "../src/evaluate/ranges.js";
import { A_ONLY, B_ONLY, SHARE } from "../src/evaluate/ranges.js";
import { rangesV6Source } from "../scripts/ranges-v6.js";
import { bundledTagSpace, fileTagSpace } from "../src/evaluate/tag-space.js";
import { buildTagTable, renderTagTable, type ServiceTagsFileLike } from "../scripts/tag-table.js";
import { serviceTags, TAGS_FILE } from "./evaluate-helpers.js";

const runs = Number(process.env.FC_NUM_RUNS ?? 500);

/** Small sets over 0..63 as intervals and as bitmasks. */
const small = fc.array(fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 63 })), { maxLength: 6 });
type Bound = number | bigint;
type Ranges<T extends Bound> = readonly T[];
type IntervalList<T extends Bound> = { readonly bounds: readonly T[]; readonly reach: Ranges<T> };

/** One copy of the interval functions over bounds of type T: ranges.ts for numbers, its generated IPv6 copy for bigints. */
interface RangeFunctions<T extends Bound> {
  rangesOf(pairs: ReadonlyArray<readonly [T, T]>): Ranges<T>;
  unionRanges(a: Ranges<T>, b: Ranges<T>): Ranges<T>;
  intersectRanges(a: Ranges<T>, b: Ranges<T>): Ranges<T>;
  subtractRanges(a: Ranges<T>, b: Ranges<T>): Ranges<T>;
  rangesContain(outer: Ranges<T>, inner: Ranges<T>): boolean;
  relateRanges(a: Ranges<T>, b: Ranges<T>): number;
  rangesOverlap(a: Ranges<T>, b: Ranges<T>): boolean;
  coverage(set: Ranges<T>, start: T, end: T): "none" | "part" | "all";
  firstOutside(a: Ranges<T>, others: readonly Ranges<T>[]): T | undefined;
  intervalList(intervals: readonly (readonly [T, T])[]): IntervalList<T>;
  countMeeting(list: IntervalList<T>, set: Ranges<T>, counts: { met: number; inPart: number }): void;
}

/** Both kinds of bound, each with its copy of the functions: numbers (IPv4 less 2**31, atoms, ports: negative ones included) and bigints (IPv6). */
interface Kind<T extends Bound> {
  readonly name: string;
  readonly of: (n: number) => T;
  readonly R: RangeFunctions<T>;
}
const NUMBERS: Kind<number> = { name: "numbers", of: (n) => n - 32, R: NUMBER_RANGES };
const BIGINTS: Kind<bigint> = { name: "bigints", of: (n) => BigInt(n), R: BIGINT_RANGES };
const toRanges = <T extends Bound>(pairs: Array<[number, number]>, of: (n: number) => T, R: RangeFunctions<T>): Ranges<T> => R.rangesOf(pairs.map(([a, b]) => [of(Math.min(a, b)), of(Math.max(a, b))] as [T, T]));
const toMask = <T extends Bound>(r: Ranges<T>, of: (n: number) => T): bigint => {
  const zero = BigInt(of(0));
  let m = 0n;
  for (let i = 0; i < r.length; i += 2) for (let v = BigInt(r[i] as T); v <= BigInt(r[i + 1] as T); v++) m |= 1n << (v - zero);
  return m;
};

function algebraTests<T extends Bound>({ name: kind, of, R }: Kind<T>): void {
  describe(`interval sets of ${kind}`, () => {
    it("union, intersection, difference, containment and coverage agree with bitmasks", () => {
      fc.assert(
        fc.property(small, small, fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 63 }), (a, b, x, y) => {
          const ra = toRanges(a, of, R);
          const rb = toRanges(b, of, R);
          const ma = toMask(ra, of);
          const mb = toMask(rb, of);
          expect(toMask(R.unionRanges(ra, rb), of)).toBe(ma | mb);
          expect(toMask(R.intersectRanges(ra, rb), of)).toBe(ma & mb);
          expect(toMask(R.subtractRanges(ra, rb), of)).toBe(ma & ~mb);
          expect(R.rangesContain(ra, rb)).toBe((mb & ~ma) === 0n);
          expect(R.relateRanges(ra, rb)).toBe(maskRelation(ma, mb));
          expect(R.rangesOverlap(ra, rb)).toBe((ma & mb) !== 0n);
          // Normal form: sorted, disjoint, not adjacent.
          const u = R.unionRanges(ra, rb);
          for (let i = 2; i < u.length; i += 2) expect(BigInt(u[i] as Bound) > BigInt(u[i - 1] as Bound) + 1n).toBe(true);
          const [lo, hi] = x <= y ? [x, y] : [y, x];
          const span = toMask(R.rangesOf([[of(lo), of(hi)]]), of);
          const cov = R.coverage(ra, of(lo), of(hi));
          expect(cov).toBe((span & ma) === 0n ? "none" : (span & ~ma) === 0n ? "all" : "part");
        }),
        { numRuns: runs },
      );
    });
  });
}
algebraTests(NUMBERS);
algebraTests(BIGINTS);

/**
 * Sets over 0..1023: large ones (more than the 16 intervals past which AddressSet remembers relations) and
 * small ones; a small set against a large one is where the scans skip ahead.
 */
const wide = (minLength: number, maxLength: number) =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 0, max: 3 })), { minLength, maxLength }).map((xs) => xs.map(([s, w]) => [s, Math.min(1023, s + w)] as [number, number]));
const large = wide(40, 80);
const anySize = fc.oneof(wide(0, 3), wide(40, 80));

function maskRelation(ma: bigint, mb: bigint): number {
  return ((ma & mb) !== 0n ? SHARE : 0) | ((ma & ~mb) !== 0n ? A_ONLY : 0) | ((mb & ~ma) !== 0n ? B_ONLY : 0);
}

function relationTests<T extends Bound>({ name: kind, of, R }: Kind<T>): void {
  describe(`relations of interval sets of ${kind}`, () => {
    it("relateRanges and rangesOverlap agree with bitmasks, small against large sets and both ways", () => {
      fc.assert(
        fc.property(large, anySize, (a, b) => {
          const ra = toRanges(a, of, R);
          const rb = toRanges(b, of, R);
          const ma = toMask(ra, of);
          const mb = toMask(rb, of);
          expect(R.relateRanges(ra, rb)).toBe(maskRelation(ma, mb));
          expect(R.relateRanges(rb, ra)).toBe(maskRelation(mb, ma));
          expect(R.rangesOverlap(ra, rb)).toBe((ma & mb) !== 0n);
          expect(R.rangesOverlap(rb, ra)).toBe((ma & mb) !== 0n);
        }),
        { numRuns: runs },
      );
    });
  });
}
relationTests(NUMBERS);
relationTests(BIGINTS);

/** The least element of a bitmask over `of(0)..`, as a bound. */
const lowest = <T extends Bound>(m: bigint, of: (n: number) => T): T | undefined => {
  for (let n = 0; m !== 0n; n++, m >>= 1n) if ((m & 1n) !== 0n) return of(n);
  return undefined;
};

/** Intervals that overlap and nest, as the prefixes of a tag may: widths up to 255 over 0..1023. */
const prefixLike = fc.array(fc.tuple(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 0, max: 255 })), { maxLength: 30 }).map((xs) => xs.map(([s, w]) => [s, Math.min(1023, s + w)] as [number, number]));

function exampleAndCountTests<T extends Bound>({ name: kind, of, R }: Kind<T>): void {
  describe(`examples and counts of interval sets of ${kind}`, () => {
    it("firstOutside is the least element of the difference, and countMeeting counts as coverage does, item by item", () => {
      fc.assert(
        fc.property(anySize, anySize, anySize, prefixLike, (a, b, c, items) => {
          const [ra, rb, rc] = [toRanges(a, of, R), toRanges(b, of, R), toRanges(c, of, R)];
          const [ma, mb, mc] = [toMask(ra, of), toMask(rb, of), toMask(rc, of)];
          expect(R.firstOutside(ra, [rb, rc])).toBe(lowest(ma & ~mb & ~mc, of));
          expect(R.firstOutside(ra, [])).toBe(lowest(ma, of));
          // Items overlapping and nested, in any order.
          const counts = { met: 0, inPart: 0 };
          R.countMeeting(R.intervalList(items.map(([s, e]) => [of(s), of(e)] as const)), ra, counts);
          const covered = items.map(([s, e]) => R.coverage(ra, of(s), of(e)));
          expect(counts).toEqual({ met: covered.filter((v) => v !== "none").length, inPart: covered.filter((v) => v === "part").length });
        }),
        { numRuns: runs },
      );
    });
  });
}
exampleAndCountTests(NUMBERS);
exampleAndCountTests(BIGINTS);

/** Sorted, disjoint, not adjacent, each interval non-empty. */
const isNormal = <T extends Bound>(r: Ranges<T>): boolean => r.every((v, i) => (i % 2 === 1 ? BigInt(v) >= BigInt(r[i - 1] as T) : i === 0 || BigInt(v) > BigInt(r[i - 1] as T) + 1n));

function wideAgainstManyTests<T extends Bound>({ name: kind, of, R }: Kind<T>): void {
  describe(`wide intervals against many small ones, of ${kind}`, () => {
    it("union, intersection and difference agree with bitmasks where runs of intervals are copied whole", () => {
      fc.assert(
        fc.property(prefixLike, large, (a, b) => {
          const [ra, rb] = [toRanges(a, of, R), toRanges(b, of, R)];
          const [ma, mb] = [toMask(ra, of), toMask(rb, of)];
          for (const [x, y, mx, my] of [[ra, rb, ma, mb], [rb, ra, mb, ma]] as const) {
            const results = [R.intersectRanges(x, y), R.subtractRanges(x, y), R.unionRanges(x, y)];
            expect(results.map((r) => toMask(r, of))).toEqual([mx & my, mx & ~my, mx | my]);
            for (const r of results) expect(isNormal(r)).toBe(true);
            expect(R.relateRanges(x, y)).toBe(maskRelation(mx, my));
          }
        }),
        { numRuns: runs },
      );
    });
  });
}
wideAgainstManyTests(NUMBERS);
wideAgainstManyTests(BIGINTS);

describe("address sets", () => {
  const num = (n: number): number => n;
  it("AddressSet relations that are remembered (a large set on one side) stay exact when asked again, in either order", () => {
    fc.assert(
      fc.property(large, anySize, (a, b) => {
        const sa = AddressSet.of({ v4: toRanges(a, num, NUMBER_RANGES) });
        const sb = AddressSet.of({ v4: toRanges(b, num, NUMBER_RANGES) });
        fc.pre(sa.size() > 16);
        const ma = toMask(sa.v4, num);
        const mb = toMask(sb.v4, num);
        for (let k = 0; k < 2; k++) {
          expect(sa.relate(sb)).toBe(maskRelation(ma, mb));
          expect(sb.relate(sa)).toBe(maskRelation(mb, ma));
          expect(sa.contains(sb)).toBe((mb & ~ma) === 0n);
          expect(sb.contains(sa)).toBe((ma & ~mb) === 0n);
          expect(sa.overlaps(sb)).toBe((ma & mb) !== 0n);
          expect(toMask(sa.intersect(sb).v4, num)).toBe(ma & mb);
          expect(toMask(sa.subtract(sb).v4, num)).toBe(ma & ~mb);
          expect(toMask(sa.union(sb).v4, num)).toBe(ma | mb);
        }
      }),
      { numRuns: runs },
    );
  });

  it("a set operation between two large sets is kept the second time the pair is met, not the first, and stays exact", () => {
    fc.assert(
      fc.property(large, large, (a, b) => {
        const sa = AddressSet.of({ v4: toRanges(a, num, NUMBER_RANGES) });
        const sb = AddressSet.of({ v4: toRanges(b, num, NUMBER_RANGES) });
        const ma = toMask(sa.v4, num);
        const mb = toMask(sb.v4, num);
        fc.pre(sa.size() > 16 && sb.size() > 16 && (ma & mb) !== 0n && (ma & ~mb) !== 0n && (mb & ~ma) !== 0n);
        for (const [operation, mask] of [[(x: AddressSet, y: AddressSet) => x.intersect(y), ma & mb], [(x: AddressSet, y: AddressSet) => x.subtract(y), ma & ~mb], [(x: AddressSet, y: AddressSet) => x.union(y), ma | mb]] as const) {
          const [first, second, third] = [operation(sa, sb), operation(sa, sb), operation(sa, sb)];
          for (const result of [first, second, third]) expect(toMask(result.v4, num)).toBe(mask);
          expect(second).not.toBe(first);
          expect(third).toBe(second);
        }
      }),
      { numRuns: runs },
    );
  });

  it("a set related to one set, then another, then the first again, relates to each exactly (the last pair is answered again)", () => {
    fc.assert(
      fc.property(fc.array(anySize, { minLength: 3, maxLength: 3 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2, maxLength: 8 }), (lists, order) => {
        const sets = lists.map((l) => AddressSet.of({ v4: toRanges(l, num, NUMBER_RANGES) }));
        const masks = sets.map((s) => toMask(s.v4, num));
        for (const k of order) {
          const [a, b] = [sets[0] as AddressSet, sets[k] as AddressSet];
          expect(a.relate(b)).toBe(maskRelation(masks[0] as bigint, masks[k] as bigint));
          expect(toMask(a.subtract(b).v4, num)).toBe((masks[0] as bigint) & ~(masks[k] as bigint));
        }
      }),
      { numRuns: runs },
    );
  });

  it("overlaps asked first (what the walk's prefilter does) leaves relations, intersections and differences exact, sets apart included", () => {
    fc.assert(
      fc.property(large, anySize, fc.boolean(), (a, b, apart) => {
        const sa = AddressSet.of({ v4: toRanges(a, num, NUMBER_RANGES) });
        const sb = AddressSet.of({ v4: toRanges(b, (n) => (apart ? n + 2048 : n), NUMBER_RANGES) });
        const ma = toMask(sa.v4, num);
        const mb = toMask(sb.v4, num);
        expect(sa.overlaps(sb)).toBe((ma & mb) !== 0n);
        expect(sa.relate(sb)).toBe(maskRelation(ma, mb));
        expect(sb.relate(sa)).toBe(maskRelation(mb, ma));
        expect(toMask(sa.intersect(sb).v4, num)).toBe(ma & mb);
        expect(toMask(sa.subtract(sb).v4, num)).toBe(ma & ~mb);
        expect(toMask(sb.subtract(sa).v4, num)).toBe(mb & ~ma);
      }),
      { numRuns: runs },
    );
  });

  it("hold the ends of both address spaces exactly (IPv4 bounds are stored less 2**31)", () => {
    const all4 = prefixSet(["0.0.0.0/0"]);
    expect(all4.equals(AddressSet.of({ v4: ALL_ADDRESSES.v4 }))).toBe(true);
    expect(PUBLIC.union(NON_PUBLIC).equals(ALL_ADDRESSES)).toBe(true);
    expect(all4.addressCount()).toEqual({ v4: 2n ** 32n, v6: 0n });
    expect(prefixSet(["::/0"]).addressCount()).toEqual({ v4: 0n, v6: 2n ** 128n });
    const ends = [["0.0.0.0", 0n], ["127.255.255.255", 2n ** 31n - 1n], ["128.0.0.0", 2n ** 31n], ["255.255.255.255", 2n ** 32n - 1n]] as const;
    for (const [text, value] of ends) {
      const one = prefixSet([`${text}/32`]);
      expect(one.exampleAddress()).toBe(text);
      expect(one.holdsPoint("v4", value)).toBe(true);
      expect(one.holdsPoint("v4", value === 0n ? 1n : value - 1n)).toBe(false);
      expect(ALL_ADDRESSES.holdsPoint("v4", value)).toBe(true);
      expect(prefixSet(["0.0.0.0/1"]).holdsPoint("v4", value)).toBe(value < 2n ** 31n);
    }
    expect(prefixSet(["255.255.255.254/31"]).subtract(prefixSet(["255.255.255.254/32"])).exampleAddress()).toBe("255.255.255.255");
    expect(prefixSet(["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"]).holdsPoint("v6", 2n ** 128n - 1n)).toBe(true);
  });

});

describe("host-name sets", () => {
  const universe = ["a.com", "b.a.com", "c.b.a.com", "x.b.a.com", "b.com", "a.b.com", "z.org", "com"];
  const pattern = fc.constantFrom("*", "*.com", "*.a.com", "*.b.a.com", "a.com", "b.a.com", "c.b.a.com", "*.b.com", "z.org", "*.org");
  const set = fc.array(pattern, { maxLength: 3 }).map((ps) => ({ ps, set: NameSet.of(ps.map(namePattern)) }));
  const matches = (p: string, n: string): boolean => (p === "*" ? true : p.startsWith("*.") ? n.endsWith(p.slice(1)) : n === p);
  const members = (ps: readonly string[]): Set<string> => new Set(universe.filter((n) => ps.some((p) => matches(p, n))));
  const holds = (s: NameSet): Set<string> => new Set(universe.filter((n) => !s.intersect(NameSet.of([namePattern(n)])).isEmpty()));

  it("intersection and difference agree with membership over sample names", () => {
    fc.assert(
      fc.property(set, set, (a, b) => {
        const ma = members(a.ps);
        const mb = members(b.ps);
        expect(holds(a.set.intersect(b.set))).toEqual(new Set([...ma].filter((n) => mb.has(n))));
        expect(holds(a.set.subtract(b.set))).toEqual(new Set([...ma].filter((n) => !mb.has(n))));
        // A wildcard minus finitely many names is never empty.
        if (a.ps.some((p) => p.startsWith("*")) && !b.ps.some((p) => p.startsWith("*"))) expect(a.set.subtract(b.set).isEmpty()).toBe(false);
        const ex = a.set.subtract(b.set).example();
        if (ex !== undefined) expect(holds(NameSet.of([namePattern(ex)]).intersect(b.set)).size).toBe(0);
      }),
      { numRuns: runs },
    );
  });
});

describe("the IPv6 copy of the interval functions", () => {
  it("is ranges.ts with its bound type made bigint (regenerate with npm run generate -w @cassandra-mi-netrules/azure)", () => {
    const ranges = readFileSync(new URL("../src/evaluate/ranges.ts", import.meta.url), "utf8");
    const copy = readFileSync(new URL("../src/generated/ranges-v6.ts", import.meta.url), "utf8");
    expect(copy).toBe(rangesV6Source(ranges));
    expect(copy).toContain("type B = bigint;\nconst ONE: B = 1n;\n");
    expect(() => rangesV6Source(ranges.replace("// bound type: end\n", ""))).toThrow('expected one "// bound type: begin" and one "// bound type: end" line');
  });
});

describe("the bundled tag table", () => {
  const file = JSON.parse(readFileSync(TAGS_FILE, "utf8")) as ServiceTagsFileLike;

  it("is what scripts/tag-table.ts builds from the vendored file (regenerate with npm run generate -w @cassandra-mi-netrules/azure)", () => {
    const built = buildTagTable(file, "ServiceTags_Public_20251028.json");
    expect(built).toEqual(BUNDLED_TAG_TABLE);
    expect(renderTagTable(built)).toBe(readFileSync(new URL("../src/generated/tag-table.ts", import.meta.url), "utf8"));
  });

  it("relates every pair of tags exactly as the file does, per family (subset, overlap, disjoint)", () => {
    const table = bundledTagSpace();
    const exact = fileTagSpace(serviceTags());
    const names = ["AzureCloud", "AzureCloud.eastus", "Storage", "Storage.EastUS", "Storage.WestEurope", "AzureKeyVault", "AzureKeyVault.EastUS", "AzureResourceManager", "AzureActiveDirectory", "AzureFrontDoor.FirstParty", "EventHub", "Sql", "AzureMonitor"];
    const relationIn =
      <T extends Bound>(R: RangeFunctions<T>) =>
      (x: Ranges<T>, y: Ranges<T>) =>
        R.intersectRanges(x, y).length === 0 ? "disjoint" : R.rangesContain(y, x) ? (R.rangesContain(x, y) ? "equal" : "inside") : R.rangesContain(x, y) ? "holds" : "overlap";
    const relation = relationIn(NUMBER_RANGES);
    const relation6 = relationIn(BIGINT_RANGES);
    const atoms = (name: string): AddressSet => table.tag(name) ?? AddressSet.EMPTY;
    const addresses = (name: string): AddressSet => exact.tag(name) ?? AddressSet.EMPTY;
    for (const a of names) {
      for (const b of names) {
        expect(relation(atoms(a).t4, atoms(b).t4), `${a} vs ${b} (IPv4)`).toBe(relation(addresses(a).v4, addresses(b).v4));
        expect(relation(atoms(a).t6, atoms(b).t6), `${a} vs ${b} (IPv6)`).toBe(relation6(addresses(a).v6, addresses(b).v6));
      }
    }
    expect(relation(atoms("AzureKeyVault").t4, atoms("AzureCloud").t4)).toBe("inside");
    expect(relation(atoms("Storage.EastUS").t4, atoms("Storage").t4)).toBe("inside");
    expect(relation(atoms("Storage").t4, atoms("AzureCloud").t4)).toBe("overlap");
  });

  it("refuses a file whose tag holds a private address (Internet must hold every tag)", () => {
    const bad = { ...file, values: [...file.values, { name: "Rogue", properties: { addressPrefixes: ["10.1.0.0/16"] } }] };
    expect(() => buildTagTable(bad, "bad.json")).toThrow("tag Rogue: prefix 10.1.0.0/16 is not public (inside 10.0.0.0/8)");
  });
});

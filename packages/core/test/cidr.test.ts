/**
 * CIDR parsing and merging: edge cases, a brute-force reference for merging, and ipaddr.js (the
 * implementation cidr.ts replaced) as the oracle for parsing and formatting.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { CidrError, cidrContains, currentRevision, formatAddress, isCidr, mergePrefixes, parseCidr, serviceTagCatalog, splitByFamily } from "@cassandra-mi-netrules/core";

const runs = (n: number) => ({ numRuns: Number(process.env.FC_NUM_RUNS ?? n) });

/** The previous, ipaddr.js-based parseCidr(value, false), kept as the reference. */
function reference(value: string): { family: 4 | 6; start: bigint; end: bigint; length: number; text: string } {
  const [addr, length] = ipaddr.parseCIDR(value);
  if (addr.kind() === "ipv4" && !ipaddr.IPv4.isValidFourPartDecimal(value.split("/")[0] ?? "")) throw new Error("not four-part decimal");
  const family: 4 | 6 = addr.kind() === "ipv4" ? 4 : 6;
  const total = family === 4 ? 32 : 128;
  let raw = 0n;
  for (const b of addr.toByteArray()) raw = (raw << 8n) | BigInt(b);
  const hostMask = (1n << BigInt(total - length)) - 1n;
  const start = raw & ~hostMask;
  const bytes: number[] = [];
  for (let i = total / 8 - 1, n = start; i >= 0; i--, n >>= 8n) bytes[i] = Number(n & 0xffn);
  const text = `${family === 4 ? bytes.join(".") : ipaddr.fromByteArray(bytes).toString()}/${length}`;
  return { family, start, end: start | hostMask, length, text };
}

function referenceOrNull(value: string): ReturnType<typeof reference> | null {
  try {
    return reference(value);
  } catch {
    return null;
  }
}

function rejectReason(value: unknown): string {
  try {
    parseCidr(value as string);
  } catch (e) {
    expect(e).toBeInstanceOf(CidrError);
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(value)} was accepted`);
}

describe("parseCidr edge cases", () => {
  it.each([
    ["0.0.0.0/0", 4, 0n, 0xffffffffn, "0.0.0.0/0"],
    ["::/0", 6, 0n, (1n << 128n) - 1n, "::/0"],
    ["255.255.255.255/32", 4, 0xffffffffn, 0xffffffffn, "255.255.255.255/32"],
    ["192.0.2.7/32", 4, 0xc0000207n, 0xc0000207n, "192.0.2.7/32"],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 6, (1n << 128n) - 1n, (1n << 128n) - 1n, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"],
    ["2001:DB8:0:0:1:0:0:1/128", 6, 0x20010db8000000000001000000000001n, 0x20010db8000000000001000000000001n, "2001:db8::1:0:0:1/128"],
    ["2001:db8::/32", 6, 0x20010db8n << 96n, (0x20010db8n << 96n) | ((1n << 96n) - 1n), "2001:db8::/32"],
    ["::ffff:192.0.2.0/120", 6, 0xffffc0000200n, 0xffffc00002ffn, "::ffff:c000:200/120"],
    // As inet_pton reads it (and ip6tables-save prints it): the low 32 bits, not ::ffff:a.b.c.d as ipaddr.js had it.
    ["::85.83.176.112/125", 6, 0x5553b070n, 0x5553b077n, "::5553:b070/125"],
    ["::0.0.0.0/128", 6, 0n, 0n, "::/128"],
    ["198.51.100.0/024", 4, 0xc6336400n, 0xc63364ffn, "198.51.100.0/24"],
  ])("%s", (text, family, start, end, canonical) => {
    const c = parseCidr(text);
    expect(c).toEqual({ family, start, end, length: Number(canonical.split("/")[1]), text: canonical });
    expect(isCidr(text)).toBe(true);
  });

  it("host bits: rejected in strict mode with the network named, masked otherwise", () => {
    expect(rejectReason("10.9.0.5/24")).toBe('"10.9.0.5/24" is not a valid CIDR prefix: host bits are set; the network is 10.9.0.0/24');
    expect(rejectReason("2001:db8::1/64")).toBe('"2001:db8::1/64" is not a valid CIDR prefix: host bits are set; the network is 2001:db8::/64');
    expect(parseCidr("10.9.0.5/24", false).text).toBe("10.9.0.0/24");
    expect(parseCidr("203.0.113.255/0", false).text).toBe("0.0.0.0/0");
    expect(parseCidr("2001:db8::1/0", false).text).toBe("::/0");
    expect(isCidr("10.9.0.5/24")).toBe(false);
  });

  it.each([
    ["", "expected address/length"],
    ["192.0.2.0", "expected address/length"],
    ["192.0.2.0/", "prefix length is missing"],
    ["192.0.2.0/33", "above 32"],
    ["2001:db8::/129", "above 128"],
    ["192.0.2.0/2x", "decimal number"],
    ["192.0.2.0/-1", "decimal number"],
    ["192.0.2/24", "four decimal parts"],
    ["192.0.2.0.0/24", "four decimal parts"],
    ["192.0.02.0/24", "leading zero"],
    ["192.0.256.0/24", "above 255"],
    ["0x10.0.0.0/8", "four decimal parts"],
    ["192.0.2.0 /24", "four decimal parts"],
    ["3232235520/32", "four decimal parts"],
    ["2001:db8:::/48", "unexpected character"],
    ["2001::db8::/48", "more than one '::'"],
    [":2001:db8::/48", "single ':'"],
    ["2001:db8:/32", "single ':'"],
    ["1:2:3:4:5:6:7/112", "needs 8 groups"],
    ["1:2:3:4:5:6:7:8:9/128", "too many"],
    ["1:2:3:4:5:6:7:8::/128", "too many"],
    ["2001:db8g::/32", "unexpected character"],
    ["02001:db8::/32", "more than 4"],
    ["fe80::1%eth0/64", "unexpected character"],
    ["::ffff:192.0.2/120", "four decimal parts"],
    ["1:2:3:4:5:6:7:192.0.2.1/128", "too many"],
  ])("rejects %j (%s)", (text, why) => {
    const message = rejectReason(text);
    expect(message.startsWith(`${JSON.stringify(text)} is not a valid CIDR prefix: `)).toBe(true);
    expect(message).toContain(why);
    expect(() => mergePrefixes(["192.0.2.0/24", text])).toThrow(CidrError);
  });

  it("rejects values that are not strings", () => {
    expect(rejectReason(undefined)).toContain("expected address/length");
    expect(rejectReason(42)).toContain('"42"');
    expect(() => mergePrefixes([42 as unknown as string])).toThrow(CidrError);
  });
});

describe("mergePrefixes edge cases", () => {
  it.each<[string[], string[], string[]]>([
    [[], [], []],
    [["0.0.0.0/0", "192.0.2.0/24"], ["0.0.0.0/0"], []],
    [["::/0", "2001:db8::/32", "0.0.0.0/1", "128.0.0.0/1"], ["0.0.0.0/0"], ["::/0"]],
    [["192.0.2.0/25", "192.0.2.128/25"], ["192.0.2.0/24"], []],
    [["192.0.2.128/25", "192.0.2.0/25", "192.0.2.0/25"], ["192.0.2.0/24"], []],
    [["192.0.2.0/24", "192.0.2.5/32", "192.0.2.128/26"], ["192.0.2.0/24"], []],
    [["192.0.2.0/26", "192.0.2.128/26"], ["192.0.2.0/26", "192.0.2.128/26"], []],
    [["192.0.2.1/32", "192.0.2.2/32"], ["192.0.2.1/32", "192.0.2.2/32"], []],
    [["192.0.2.1/32", "192.0.2.2/31", "192.0.2.0/32"], ["192.0.2.0/30"], []],
    [["192.0.2.77/24"], ["192.0.2.0/24"], []],
    [["255.255.255.255/32", "255.255.255.254/32"], ["255.255.255.254/31"], []],
    [["2001:db8::/33", "2001:db8:8000::/33", "2001:db8::1/128"], [], ["2001:db8::/32"]],
    [["2001:db8::/128", "2001:db8::1/128", "2001:db8::3/128"], [], ["2001:db8::/127", "2001:db8::3/128"]],
    [["ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"], [], ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"]],
    [["198.51.100.0/24", "2001:db8::/48", "203.0.113.0/24", "2001:db8:1::/48"], ["198.51.100.0/24", "203.0.113.0/24"], ["2001:db8::/47"]],
  ])("%j", (input, ipv4, ipv6) => {
    expect(mergePrefixes(input)).toEqual({ ipv4, ipv6 });
    expect(mergePrefixes(new Set(input))).toEqual({ ipv4, ipv6 });
  });
});

/** A universe of 2^12 cells: every prefix is a prefix of length base..base+12 inside one base block. */
interface Universe {
  family: 4 | 6;
  base: bigint;
  baseLength: number;
}
const CELL_BITS = 12;

const universe: fc.Arbitrary<Universe> = fc.oneof(
  fc.record({ family: fc.constant<4>(4), baseLength: fc.integer({ min: 0, max: 32 - CELL_BITS }), seed: fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }) }),
  fc.record({ family: fc.constant<6>(6), baseLength: fc.integer({ min: 0, max: 128 - CELL_BITS }), seed: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }) }),
).map(({ family, baseLength, seed }) => {
  const total = family === 4 ? 32 : 128;
  return { family, baseLength, base: (seed >> BigInt(total - baseLength)) << BigInt(total - baseLength) };
});

/** A prefix of the universe: `bits` high bits of a cell index below the base block, as CIDR text. */
function cellPrefix(u: Universe, cell: number, bits: number, hostNoise: bigint): string {
  const total = u.family === 4 ? 32 : 128;
  const cellShift = BigInt(total - u.baseLength - CELL_BITS);
  const start = u.base | ((BigInt(cell >> (CELL_BITS - bits)) << BigInt(CELL_BITS - bits)) << cellShift);
  const hostBits = BigInt(total - u.baseLength - bits);
  return `${formatAddress(u.family, start | (hostNoise & ((1n << hostBits) - 1n)))}/${u.baseLength + bits}`;
}

/** Brute force: mark covered cells, then cut the marks into the largest aligned blocks, left to right. */
function bruteForceMerge(u: Universe, prefixes: ReadonlyArray<{ cell: number; bits: number }>): string[] {
  const size = 1 << CELL_BITS;
  const covered = new Uint8Array(size);
  for (const { cell, bits } of prefixes) {
    const block = 1 << (CELL_BITS - bits);
    const first = (cell >> (CELL_BITS - bits)) * block;
    covered.fill(1, first, first + block);
  }
  const out: string[] = [];
  for (let c = 0; c < size; ) {
    if (!covered[c]) {
      c++;
      continue;
    }
    let bits = 0;
    for (; bits <= CELL_BITS; bits++) {
      const block = 1 << (CELL_BITS - bits);
      if (c % block === 0 && covered.subarray(c, c + block).every((x) => x === 1)) break;
    }
    out.push(cellPrefix(u, c, bits, 0n));
    c += 1 << (CELL_BITS - bits);
  }
  return out;
}

describe("mergePrefixes on large inputs (past the packed-key sort)", () => {
  it("40,000 consecutive /32s and /128s, in a scrambled order, fold into the five blocks they tile", () => {
    const n = 40_000;
    // A fixed permutation (multiplying by a number prime to n) so the input is far from sorted.
    const scrambled = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const v4 = scrambled.map((i) => `10.0.${i >> 8}.${i & 255}/32`);
    const v6 = scrambled.map((i) => `2001:db8::${i.toString(16)}/128`);
    expect(mergePrefixes([...v4, ...v6])).toEqual({
      ipv4: ["10.0.0.0/17", "10.0.128.0/20", "10.0.144.0/21", "10.0.152.0/22", "10.0.156.0/26"],
      ipv6: ["2001:db8::/113", "2001:db8::8000/116", "2001:db8::9000/117", "2001:db8::9800/118", "2001:db8::9c00/122"],
    });
    // Without the last prefix the tail stays as the blocks tiling it.
    expect(mergePrefixes(v4.filter((p) => p !== "10.0.156.63/32")).ipv4.slice(-6)).toEqual(["10.0.156.0/27", "10.0.156.32/28", "10.0.156.48/29", "10.0.156.56/30", "10.0.156.60/31", "10.0.156.62/32"]);
  });
});

describe("mergePrefixes against a brute-force reference", () => {
  it("gives the minimal cover of the union, in address order, whatever the input order and host bits", () => {
    fc.assert(
      fc.property(
        universe,
        fc.array(fc.record({ cell: fc.integer({ min: 0, max: (1 << CELL_BITS) - 1 }), bits: fc.integer({ min: 0, max: CELL_BITS }), noise: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }) }), { maxLength: 60 }),
        fc.array(fc.record({ depth: fc.integer({ min: 1, max: 6 }), at: fc.integer({ min: 0, max: 63 }) }), { maxLength: 4 }),
        (u, raw, tiles) => {
          // Tiles split one block into all its sub-blocks, so sibling merges happen often.
          const items = [...raw];
          for (const t of tiles) {
            const bits = Math.min(CELL_BITS, t.depth + 2);
            const parentBits = bits - t.depth;
            const parent = (t.at % (1 << parentBits)) << (CELL_BITS - parentBits);
            for (let k = 0; k < 1 << t.depth; k++) items.push({ cell: parent + (k << (CELL_BITS - bits)), bits, noise: 0n });
          }
          const expected = bruteForceMerge(u, items);
          const text = items.map((p) => cellPrefix(u, p.cell, p.bits, p.noise));
          const merged = mergePrefixes(text);
          expect(u.family === 4 ? merged.ipv4 : merged.ipv6).toEqual(expected);
          expect(u.family === 4 ? merged.ipv6 : merged.ipv4).toEqual([]);
          expect(mergePrefixes([...text].reverse())).toEqual(merged);
          // Merging is idempotent and its output is canonical.
          expect(mergePrefixes(expected)).toEqual(merged);
          for (const p of expected) expect(parseCidr(p).text).toBe(p);
        },
      ),
      runs(300),
    );
  });

  it("every merged block lies in the input union and every input prefix lies in one merged block", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 16, max: 32 })), { maxLength: 80 }), (raw) => {
        const text = raw.map(([hi, len]) => parseCidr(`198.51.${hi >> 8}.${hi & 255}/${len}`, false).text);
        const { ipv4 } = mergePrefixes(text);
        for (const p of text) expect(ipv4.filter((m) => cidrContains(m, p))).toHaveLength(1);
        for (let i = 1; i < ipv4.length; i++) {
          const a = parseCidr(ipv4[i - 1] as string);
          const b = parseCidr(ipv4[i] as string);
          // Sorted, disjoint and not adjacent-and-mergeable.
          expect(a.end < b.start).toBe(true);
        }
      }),
      runs(300),
    );
  });
});

const hexGroup = fc.integer({ min: 0, max: 0xffff });
const octet = fc.integer({ min: 0, max: 255 });

/** Valid IPv6 text in its many spellings: compressed or not, any case, leading zeros, a trailing dotted quad. */
const ipv6Spelling: fc.Arbitrary<string> = fc
  .record({
    groups: fc.array(fc.oneof(hexGroup, fc.constant(0)), { minLength: 8, maxLength: 8 }),
    compress: fc.option(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 8 })), { nil: undefined }),
    upper: fc.boolean(),
    pad: fc.boolean(),
    dotted: fc.boolean(),
    length: fc.integer({ min: 0, max: 128 }),
  })
  .map(({ groups, compress, upper, pad, dotted, length }) => {
    const text = groups.map((g) => (pad ? g.toString(16).padStart(4, "0") : g.toString(16)));
    const tail = dotted ? [`${(groups[6] as number) >> 8}.${(groups[6] as number) & 255}.${(groups[7] as number) >> 8}.${(groups[7] as number) & 255}`] : [];
    const head = dotted ? text.slice(0, 6) : text;
    let parts: string;
    if (compress) {
      const [at, n] = compress;
      const from = Math.min(at, head.length - 1);
      const to = Math.min(head.length, from + n);
      for (let k = from; k < to; k++) groups[k] = 0;
      const left = head.slice(0, from).join(":");
      const right = [...head.slice(to), ...tail].join(":");
      parts = `${left}::${right}`;
    } else {
      parts = [...head, ...tail].join(":");
    }
    return `${upper ? parts.toUpperCase() : parts}/${length}`;
  })
  // ipaddr.js reads ::a.b.c.d as ::ffff:a.b.c.d; that form has a test of its own.
  .filter((s) => !/^::[0-9.]+\//.test(s));

describe("parseCidr against ipaddr.js", () => {
  it("IPv4: same family, bounds and canonical text", () => {
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), fc.integer({ min: 0, max: 32 }), (q, len) => {
        const text = `${q.join(".")}/${len}`;
        expect(parseCidr(text, false)).toEqual(reference(text));
      }),
      runs(1000),
    );
  });

  it("IPv6: every spelling gives the same bounds and RFC 5952 text as ipaddr.js", () => {
    fc.assert(
      fc.property(ipv6Spelling, (text) => {
        expect(parseCidr(text, false)).toEqual(reference(text));
      }),
      runs(2000),
    );
  });

  it("::a.b.c.d is the IPv4-compatible address (the low 32 bits), as inet_pton and Python's ipaddress read it", () => {
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), fc.integer({ min: 96, max: 128 }), (q, len) => {
        const v4 = BigInt(q.reduce((acc, o) => acc * 256 + o, 0));
        const c = parseCidr(`::${q.join(".")}/${len}`, false);
        const host = (1n << BigInt(128 - len)) - 1n;
        expect(c.start).toBe(v4 & ~host);
        expect(c.end).toBe((v4 & ~host) | host);
        expect(c.text).toBe(`${formatAddress(6, v4 & ~host)}/${len}`);
      }),
      runs(500),
    );
  });

  it("formatAddress matches ipaddr.js's RFC 5952 text, including runs of zeros", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(hexGroup, fc.constant(0), fc.constant(0)), { minLength: 8, maxLength: 8 }), (groups) => {
        const n = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
        const bytes = groups.flatMap((g) => [g >> 8, g & 255]);
        expect(formatAddress(6, n)).toBe(ipaddr.fromByteArray(bytes).toString());
      }),
      runs(2000),
    );
  });

  it("on arbitrary strings: never accepts what ipaddr.js rejected; rejects only the documented forms it took", () => {
    const alphabet = fc.constantFrom(..."0123456789abcdefABCDEFx:::...//%g ".split(""));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 24 }).map((a) => a.join("")), (text) => {
        const ref = referenceOrNull(text);
        let mine: ReturnType<typeof parseCidr> | CidrError;
        try {
          mine = parseCidr(text, false);
        } catch (e) {
          expect(e).toBeInstanceOf(CidrError);
          mine = e as CidrError;
        }
        const compatible = /^::(\d+\.\d+\.\d+\.\d+)\//.exec(text);
        if (!(mine instanceof CidrError) && compatible) {
          // ::a.b.c.d: the low 32 bits, where ipaddr.js read ::ffff:a.b.c.d.
          const v4 = parseCidr(`${compatible[1]}/32`);
          expect(mine.start >> BigInt(128 - mine.length)).toBe(v4.start >> BigInt(128 - mine.length));
        } else if (!(mine instanceof CidrError)) {
          expect(ref).toEqual(mine);
        } else if (ref) {
          const address = text.slice(0, text.lastIndexOf("/"));
          const documented = address.includes("%") || /[0-9a-f]{5,}/i.test(address) || address.includes(".");
          expect(documented, `${text}: ipaddr.js accepted it, parseCidr said ${mine.message}`).toBe(true);
        }
      }),
      runs(3000),
    );
  });
});

describe("on the vendored service-tags file", () => {
  const doc = JSON.parse(readFileSync(new URL("../../../vendor/service-tags/ServiceTags_Public_20251028.json", import.meta.url), "utf8")) as {
    values: Array<{ name: string; properties: { addressPrefixes: string[] } }>;
  };

  it("parses every prefix of every tag exactly as ipaddr.js did", () => {
    const seen = new Set<string>();
    for (const v of doc.values) for (const p of v.properties.addressPrefixes) seen.add(p);
    expect(seen.size).toBeGreaterThan(50_000);
    let v6 = 0;
    for (const p of seen) {
      const mine = parseCidr(p);
      expect(mine).toEqual(reference(p));
      if (mine.family === 6) v6++;
    }
    expect(v6).toBeGreaterThan(1000);
  });

  it("gives exactly what Python's ipaddress.collapse_addresses gives, on the tags of the current revision and their regional forms", () => {
    const byName = new Map(doc.values.map((v) => [v.name, v.properties.addressPrefixes]));
    const tags = [...new Set(currentRevision.requirements.flatMap((r) => r.destinations.flatMap((d) => (d.type === "serviceTag" ? [d.tag] : []))))];
    const own = currentRevision.requirements.flatMap((r) => r.destinations.flatMap((d) => (d.type === "prefixes" ? d.prefixes : [])));
    const union = [...tags.flatMap((t) => byName.get(t) ?? []), ...own];
    const regional = tags.flatMap((t) => Object.values(serviceTagCatalog.tags[t]?.regional ?? {}).flatMap((f) => byName.get(f.name) ?? []));
    expect(union.length).toBeGreaterThan(6000);
    expect(regional.length).toBeGreaterThan(5000);
    const cases = [union, regional].flatMap((list, i) => [4, 6].map((family) => ({ id: `${i}-${family}`, family, lists: [list.filter((p) => p.includes(":") === (family === 6))] })));
    const dir = mkdtempSync(join(tmpdir(), "cmn-core-cidr-"));
    try {
      const input = join(dir, "input.json");
      writeFileSync(input, JSON.stringify({ cases }));
      const script = new URL("../../../scripts/bench/merge.py", import.meta.url).pathname;
      const run = spawnSync("python3", [script, input, "0"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      expect(run.status, run.stderr).toBe(0);
      const python = JSON.parse(run.stdout) as { cases: Record<string, { result: string[][] }> };
      for (const c of cases) {
        const merged = mergePrefixes(c.lists[0] as string[]);
        expect(merged[c.family === 4 ? "ipv4" : "ipv6"], c.id).toEqual(python.cases[c.id]?.result[0]);
        expect(merged[c.family === 4 ? "ipv6" : "ipv4"]).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("merges each tag as the range-based merge did (sorted union, then minimal blocks)", () => {
    for (const v of doc.values.filter((x, i) => i % 7 === 0 || x.name === "Storage" || x.name === "AzureCloud")) {
      const expected = rangeMerge(v.properties.addressPrefixes);
      expect(mergePrefixes(v.properties.addressPrefixes), v.name).toEqual(expected);
      expect(splitByFamily(v.properties.addressPrefixes).ipv4.length).toBe(v.properties.addressPrefixes.filter((p) => !p.includes(":")).length);
    }
  });
});

/** The range-based merge cidr.ts used before, on the reference parser. */
function rangeMerge(prefixes: readonly string[]): { ipv4: string[]; ipv6: string[] } {
  const out = { ipv4: [] as string[], ipv6: [] as string[] };
  for (const family of [4, 6] as const) {
    const total = family === 4 ? 32 : 128;
    const ranges = prefixes
      .map(reference)
      .filter((c) => c.family === family)
      .map((c) => [c.start, c.end] as [bigint, bigint])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: Array<[bigint, bigint]> = [];
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1] + 1n) last[1] = r[1] > last[1] ? r[1] : last[1];
      else merged.push([r[0], r[1]]);
    }
    const list = family === 4 ? out.ipv4 : out.ipv6;
    for (const [start, end] of merged) {
      for (let cur = start; cur <= end; ) {
        let size = 0;
        while (size < total && (cur >> BigInt(size)) % 2n === 0n && cur + (1n << BigInt(size + 1)) - 1n <= end) size++;
        list.push(reference(`${formatAddress(family, cur)}/${total - size}`).text);
        cur += 1n << BigInt(size);
      }
    }
  }
  return out;
}

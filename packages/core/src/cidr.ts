/**
 * CIDR parsing, containment and merging: the one implementation every package uses.
 *
 * Hand-written scanners on plain numbers (IPv4 as one uint32, IPv6 as four uint32 words) instead of
 * ipaddr.js: importing the CommonJS ipaddr.js from ESM alone cost ~35 ms per process (see
 * BENCHMARKS.md), and its generic parsers dominated `loadServiceTags`. ipaddr.js stays the reference
 * oracle of `packages/core/test/cidr.test.ts`, which checks both agree on every accepted input.
 *
 * Accepted: `a.b.c.d/n` (four decimal parts, no leading zeros) and RFC 4291 IPv6 text (1-4 hex digits
 * per group, one `::`, an optional trailing dotted quad as in `::ffff:192.0.2.1`), any case. Rejected
 * (ipaddr.js took them): zone ids (`fe80::1%eth0`) and groups of more than 4 hex digits. `::a.b.c.d`
 * (which `ip6tables-save` prints for ::/96 addresses) is read as RFC 4291 and inet_pton read it, the low
 * 32 bits; ipaddr.js read it as `::ffff:a.b.c.d`, another address.
 */
import { compareStrings } from "./order.js";
import type { PrefixSet } from "./types.js";

export interface ParsedCidr {
  readonly family: 4 | 6;
  /** First address as an unsigned integer. */
  readonly start: bigint;
  /** Last address. */
  readonly end: bigint;
  readonly length: number;
  /** Canonical text: network address, compressed IPv6, e.g. `2001:db8::/32`. */
  readonly text: string;
}

export class CidrError extends Error {
  constructor(
    readonly value: string,
    /** Why the value is not a prefix, without the value. */
    readonly reason: string,
  ) {
    super(`${JSON.stringify(value)} is not a valid CIDR prefix: ${reason}`);
    this.name = "CidrError";
  }
}

// Scratch state of the scanners (single-threaded, overwritten by every scan): the address as four
// big-endian uint32 words (IPv4 in word 0), the 16-bit IPv6 groups, and why the last scan failed.
const W = new Uint32Array(4);
const G = new Uint16Array(8);
let failure = "";
/** Whether the last scanned text is already canonical (bar host bits), so it can be reused as is. */
let canonical = false;

function fail(reason: string): -1 {
  failure = reason;
  return -1;
}

/** Dotted quad in s[from, to) as a uint32, or -1. */
function scanIpv4(s: string, from: number, to: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return fail("IPv4 addresses must be written as four decimal parts (a part has a leading zero)");
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return fail("IPv4 addresses must be written as four decimal parts (a part is above 255)");
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return fail("IPv4 addresses must be written as four decimal parts");
    }
  }
  if (digits === 0 || dots !== 3) return fail("IPv4 addresses must be written as four decimal parts");
  return value * 256 + part;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** IPv6 text in s[from, to) into W; 0 on success, -1 on failure. */
function scanIpv6(s: string, from: number, to: number): number {
  let count = 0;
  let gap = -1;
  let i = from;
  let plain = true;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return fail("an IPv6 address cannot start with a single ':'");
    gap = 0;
    i += 2;
  }
  while (i < to) {
    const groupStart = i;
    let group = 0;
    let digits = 0;
    for (let d: number; i < to && (d = hexDigit(s.charCodeAt(i))) >= 0; i++) {
      if (s.charCodeAt(i) >= 65 && s.charCodeAt(i) <= 70) plain = false;
      group = (group << 4) | d;
      digits++;
    }
    if (digits > 1 && s.charCodeAt(groupStart) === 48) plain = false;
    if (i < to && s.charCodeAt(i) === 46) {
      // An embedded dotted quad ends the address and fills two groups.
      if (count > 6) return fail("too many IPv6 groups");
      const v4 = scanIpv4(s, groupStart, to);
      if (v4 < 0) return -1;
      G[count++] = Math.floor(v4 / 65536);
      G[count++] = v4 & 0xffff;
      plain = false;
      i = to;
      break;
    }
    if (digits === 0) return fail(i < to ? `unexpected character ${JSON.stringify(s[i])} in IPv6 address` : "an IPv6 address cannot end with a single ':'");
    if (digits > 4) return fail("an IPv6 group has more than 4 hexadecimal digits");
    if (count === 8) return fail("too many IPv6 groups");
    G[count++] = group;
    if (i === to) break;
    if (s.charCodeAt(i) !== 58) return fail(`unexpected character ${JSON.stringify(s[i])} in IPv6 address`);
    i++;
    if (i < to && s.charCodeAt(i) === 58) {
      if (gap >= 0) return fail("more than one '::'");
      gap = count;
      i++;
    } else if (i === to) {
      return fail("an IPv6 address cannot end with a single ':'");
    }
  }
  let zeros = 0;
  if (gap < 0) {
    if (count !== 8) return fail("an IPv6 address without '::' needs 8 groups");
  } else {
    if (count > 7) return fail("too many IPv6 groups for '::'");
    zeros = 8 - count;
    for (let k = count - 1; k >= gap; k--) G[k + zeros] = G[k] as number;
    for (let k = gap; k < gap + zeros; k++) G[k] = 0;
  }
  for (let k = 0; k < 4; k++) W[k] = (((G[2 * k] as number) << 16) | (G[2 * k + 1] as number)) >>> 0;
  if (plain) {
    // RFC 5952: "::" stands for the longest run of 2+ zero groups (the leftmost of equal runs), or is absent.
    const run = longestZeroRun(W);
    plain = (run[0] as number) < 0 ? gap < 0 : gap === run[0] && zeros === run[1];
  }
  canonical = plain;
  return 0;
}

/** Scans `address/length` into W; returns family * 256 + length, or -1 with `failure` set. */
function scanCidr(s: string): number {
  const slash = s.lastIndexOf("/");
  if (slash < 0) return fail("expected address/length");
  let length = 0;
  if (slash === s.length - 1) return fail("the prefix length is missing");
  const lengthPlain = s.charCodeAt(slash + 1) !== 48 || slash + 2 === s.length;
  for (let i = slash + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return fail("the prefix length must be a decimal number");
    length = length * 10 + (c - 48);
    if (length > 128) return fail("the prefix length is above 128");
  }
  const colon = s.indexOf(":");
  if (colon >= 0 && colon < slash) {
    if (scanIpv6(s, 0, slash) < 0) return -1;
    canonical &&= lengthPlain;
    return 6 * 256 + length;
  }
  if (length > 32) return fail(`the prefix length ${length} is above 32 for IPv4`);
  const v4 = scanIpv4(s, 0, slash);
  if (v4 < 0) return -1;
  W[0] = v4;
  W[1] = W[2] = W[3] = 0;
  canonical = lengthPlain;
  return 4 * 256 + length;
}

/** Clears the host bits of W beyond `length` (of a family of `words` 32-bit words); whether any was set. */
function maskWords(words: number, length: number): boolean {
  let hostBits = false;
  for (let k = 0; k < words; k++) {
    const keep = length - 32 * k;
    const before = W[k] as number;
    if (keep <= 0) W[k] = 0;
    else if (keep < 32) W[k] = (before & (~0 << (32 - keep))) >>> 0;
    if (W[k] !== before) hostBits = true;
  }
  return hostBits;
}

function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** RFC 5952 text of an IPv6 address given as four uint32 words: lower case, longest zero run (2+ groups, leftmost) as `::`. */
function formatIpv6(words: ArrayLike<number>, at = 0): string {
  const run = longestZeroRun(words, at);
  const bestAt = run[0] as number;
  const bestLen = run[1] as number;
  let out = "";
  for (let g = 0; g < 8; g++) {
    if (g === bestAt) {
      out += "::";
      g += bestLen - 1;
      continue;
    }
    if (out !== "" && !out.endsWith(":")) out += ":";
    out += (((words[at + (g >> 1)] as number) >>> (g & 1 ? 0 : 16)) % 65536).toString(16);
  }
  return out;
}

const RUN = [-1, 0];
/** Start and length of the longest run of 2+ zero groups (the leftmost of equal runs), or [-1, 0]. Shared result array. */
function longestZeroRun(words: ArrayLike<number>, at = 0): number[] {
  let bestAt = -1;
  let bestLen = 1;
  let runAt = -1;
  for (let g = 0; g <= 8; g++) {
    const zero = g < 8 && ((words[at + (g >> 1)] as number) >>> (g & 1 ? 0 : 16)) % 65536 === 0;
    if (zero) {
      if (runAt < 0) runAt = g;
    } else if (runAt >= 0) {
      if (g - runAt > bestLen) {
        bestAt = runAt;
        bestLen = g - runAt;
      }
      runAt = -1;
    }
  }
  RUN[0] = bestAt;
  RUN[1] = bestAt < 0 ? 0 : bestLen;
  return RUN;
}

export function formatAddress(family: 4 | 6, n: bigint): string {
  if (family === 4) return formatIpv4(Number(n & 0xffffffffn));
  return formatIpv6([Number((n >> 96n) & 0xffffffffn), Number((n >> 64n) & 0xffffffffn), Number((n >> 32n) & 0xffffffffn), Number(n & 0xffffffffn)]);
}

function formatWords(family: 4 | 6): string {
  return family === 4 ? formatIpv4(W[0] as number) : formatIpv6(W);
}

/**
 * Parses `a.b.c.d/n` or an IPv6 prefix. With `strict` (the default) host bits must be zero, so
 * `10.0.0.5/24` is an error rather than silently widened or narrowed.
 */
export function parseCidr(value: string, strict = true): ParsedCidr {
  if (typeof value !== "string") throw new CidrError(String(value), "expected address/length");
  const code = scanCidr(value);
  if (code < 0) throw new CidrError(value, failure);
  const family: 4 | 6 = code >> 8 === 4 ? 4 : 6;
  const length = code & 255;
  const reuse = canonical;
  const hostBits = maskWords(family === 4 ? 1 : 4, length);
  const text = reuse && !hostBits ? value : `${formatWords(family)}/${length}`;
  if (strict && hostBits) throw new CidrError(value, `host bits are set; the network is ${text}`);
  if (family === 4) {
    const start = W[0] as number;
    return { family, start: BigInt(start), end: BigInt(start + 2 ** (32 - length) - 1), length, text };
  }
  const start = (BigInt(W[0] as number) << 96n) | (BigInt(W[1] as number) << 64n) | (BigInt(W[2] as number) << 32n) | BigInt(W[3] as number);
  return { family, start, end: start | hostMask6(length), length, text };
}

const HOST_MASK_6: bigint[] = [];
function hostMask6(length: number): bigint {
  return (HOST_MASK_6[length] ??= (1n << BigInt(128 - length)) - 1n);
}

export function isCidr(value: string): boolean {
  try {
    parseCidr(value);
    return true;
  } catch {
    return false;
  }
}

/** Whether `inner` lies entirely inside `outer` (same family). */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer, false);
  const i = parseCidr(inner, false);
  return o.family === i.family && o.start <= i.start && i.end <= o.end;
}

/** Prefixes of one family gathered for merging: network words, lengths, and the input text when it is canonical. */
class Gathered {
  readonly words: number[] = [];
  readonly lengths: number[] = [];
  readonly texts: Array<string | undefined> = [];
  constructor(readonly family: 4 | 6) {}

  add(text: string, length: number): void {
    const hostBits = maskWords(this.family === 4 ? 1 : 4, length);
    if (this.family === 4) this.words.push(W[0] as number);
    else this.words.push(W[0] as number, W[1] as number, W[2] as number, W[3] as number);
    this.lengths.push(length);
    this.texts.push(canonical && !hostBits ? text : undefined);
  }

  /**
   * The maximal aligned blocks of the union, in address order: sort by (start, length), skip what the
   * block on top of the stack contains, and fold two sibling blocks on top into their parent.
   */
  merge(): string[] {
    const n = this.lengths.length;
    const { words, lengths, texts } = this;
    const six = this.family === 6;
    const order = sortedOrder(words, lengths, six);
    const w = six ? 4 : 1;
    const stackWords: number[] = [];
    const stackLengths: number[] = [];
    const stackSource: number[] = [];
    for (let o = 0; o < n; o++) {
      const i = order[o] as number;
      const top = stackLengths.length - 1;
      if (top >= 0 && within(words, w * i, stackWords, w * top, stackLengths[top] as number)) continue;
      for (let k = 0; k < w; k++) stackWords.push(words[w * i + k] as number);
      stackLengths.push(lengths[i] as number);
      stackSource.push(i);
      for (;;) {
        const b = stackLengths.length - 1;
        const a = b - 1;
        if (a < 0 || !siblings(stackWords, w * a, w * b, w, stackLengths[a] as number, stackLengths[b] as number)) break;
        // The parent starts where the lower sibling starts, one bit shorter.
        stackWords.length = w * b;
        stackLengths.length = b;
        stackSource.length = b;
        stackLengths[a] = (stackLengths[a] as number) - 1;
        stackSource[a] = -1;
      }
    }
    const out = new Array<string>(stackLengths.length);
    for (let k = 0; k < stackLengths.length; k++) {
      const src = stackSource[k] as number;
      const text = src >= 0 ? texts[src] : undefined;
      out[k] = text ?? `${six ? formatIpv6(stackWords, 4 * k) : formatIpv4(stackWords[k] as number)}/${stackLengths[k] as number}`;
    }
    return out;
  }
}

/** Indices of the gathered blocks sorted by (start, length). */
function sortedOrder(words: readonly number[], lengths: readonly number[], six: boolean): Int32Array {
  const n = lengths.length;
  const order = new Int32Array(n);
  const w = six ? 4 : 1;
  const before = (a: number, b: number): number => {
    for (let k = 0; k < w; k++) {
      const d = (words[w * a + k] as number) - (words[w * b + k] as number);
      if (d !== 0) return d;
    }
    return (lengths[a] as number) - (lengths[b] as number);
  };
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (sorted && i > 0 && before(i - 1, i) > 0) sorted = false;
  }
  if (sorted) return order;
  if (n > 32768) return order.sort(before);
  // A native numeric sort of exact doubles, no comparator calls: the leading 38 bits of the key (IPv4:
  // start and length, which decide; IPv6: the first 38 address bits) times 2^15, plus the index.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lead = six ? (words[4 * i] as number) * 64 + ((words[4 * i + 1] as number) >>> 26) : (words[i] as number) * 64 + (lengths[i] as number);
    keys[i] = lead * 32768 + i;
  }
  keys.sort();
  for (let i = 0; i < n; i++) order[i] = (keys[i] as number) % 32768;
  if (!six) return order;
  // IPv6 blocks that share the leading 38 bits: each such run sorted again with the full order.
  for (let start = 0; start < n; ) {
    const lead = Math.floor((keys[start] as number) / 32768);
    let end = start + 1;
    while (end < n && Math.floor((keys[end] as number) / 32768) === lead) end++;
    if (end - start > 1) order.subarray(start, end).sort(before);
    start = end;
  }
  return order;
}

/** Whether the block at words[at] lies inside the aligned block of `length` bits at block[blockAt]. */
function within(words: readonly number[], at: number, block: readonly number[], blockAt: number, length: number): boolean {
  for (let k = 0; 32 * k < length; k++) {
    const keep = length - 32 * k;
    const mask = keep >= 32 ? 0xffffffff : ~0 << (32 - keep);
    if ((((words[at + k] as number) & mask) >>> 0) !== block[blockAt + k]) return false;
  }
  return true;
}

/** Whether blocks a and b (a first) are the two halves of one aligned block. */
function siblings(stack: readonly number[], a: number, b: number, w: number, lengthA: number, lengthB: number): boolean {
  if (lengthA !== lengthB || lengthA === 0) return false;
  const k = (lengthA - 1) >>> 5;
  const bit = (1 << (31 - ((lengthA - 1) & 31))) >>> 0;
  const wa = stack[a + k] as number;
  if ((wa & bit) !== 0 || stack[b + k] !== (wa | bit) >>> 0) return false;
  for (let j = 0; j < w; j++) if (j !== k && stack[a + j] !== stack[b + j]) return false;
  return true;
}

/**
 * Merges adjacent and contained prefixes, per family, into the smallest equivalent list, sorted by
 * address. Throws CidrError on the first invalid prefix. Host bits are tolerated here (Microsoft's
 * files are canonical; user input is checked with parseCidr before it gets here).
 */
export function mergePrefixes(prefixes: Iterable<string>): PrefixSet {
  // A list core built as this function returns it (a service-tags index's) is its own merge.
  const family = mergedPrefixFamily(prefixes);
  if (family !== undefined) {
    const list = [...(prefixes as readonly string[])];
    return family === 4 ? { ipv4: list, ipv6: [] } : { ipv4: [], ipv6: list };
  }
  const v4 = new Gathered(4);
  const v6 = new Gathered(6);
  for (const p of prefixes) {
    if (typeof p !== "string") throw new CidrError(String(p), "expected address/length");
    const code = scanCidr(p);
    if (code < 0) throw new CidrError(p, failure);
    (code >> 8 === 4 ? v4 : v6).add(p, code & 255);
  }
  return { ipv4: v4.merge(), ipv6: v6.merge() };
}

// Lists core built as mergePrefixes returns them (canonical, sorted, merged, one family) and froze.
const mergedLists = new WeakMap<readonly string[], 4 | 6>();

/** Freezes `list`, one family's part of a mergePrefixes result, and records it for `mergedPrefixFamily`. */
export function markMergedPrefixList(list: readonly string[], family: 4 | 6): readonly string[] {
  mergedLists.set(Object.freeze(list), family);
  return list;
}

/**
 * The family of a list core built and froze as mergePrefixes returns it (a service-tags index hands such
 * lists to the resolver), or undefined for any other list, a hand-built one included: a planner may take a
 * recorded list as it is instead of reading and merging it again.
 */
export function mergedPrefixFamily(list: unknown): 4 | 6 | undefined {
  return typeof list === "object" && list !== null ? mergedLists.get(list as readonly string[]) : undefined;
}

/** Splits prefixes by family without merging, each list sorted by address then length. */
export function splitByFamily(prefixes: Iterable<string>): PrefixSet {
  const parsed = [...prefixes].map((p) => parseCidr(p, false));
  const sorted = parsed.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.length - b.length || compareStrings(a.text, b.text)));
  return {
    ipv4: sorted.filter((c) => c.family === 4).map((c) => c.text),
    ipv6: sorted.filter((c) => c.family === 6).map((c) => c.text),
  };
}

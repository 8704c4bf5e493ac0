/** CIDR parsing, containment and merging: the one implementation every package uses. */
import ipaddr from "ipaddr.js";
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
    reason: string,
  ) {
    super(`${JSON.stringify(value)} is not a valid CIDR prefix: ${reason}`);
    this.name = "CidrError";
  }
}

function bytesToBigInt(bytes: readonly number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function bigIntToBytes(n: bigint, size: number): number[] {
  const out = new Array<number>(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

export function formatAddress(family: 4 | 6, n: bigint): string {
  const bytes = bigIntToBytes(n, family === 4 ? 4 : 16);
  return family === 4 ? bytes.join(".") : ipaddr.fromByteArray(bytes).toString();
}

function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/**
 * Parses `a.b.c.d/n` or an IPv6 prefix. With `strict` (the default) host bits must be zero, so
 * `10.0.0.5/24` is an error rather than silently widened or narrowed.
 */
export function parseCidr(value: string, strict = true): ParsedCidr {
  if (typeof value !== "string" || !value.includes("/")) throw new CidrError(String(value), "expected address/length");
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  let length: number;
  try {
    [addr, length] = ipaddr.parseCIDR(value);
  } catch (e) {
    throw new CidrError(value, (e as Error).message.replace(/^ipaddr: /, ""));
  }
  if (addr.kind() === "ipv4" && !ipaddr.IPv4.isValidFourPartDecimal(value.split("/")[0] ?? "")) {
    throw new CidrError(value, "IPv4 addresses must be written as four decimal parts");
  }
  const family: 4 | 6 = addr.kind() === "ipv4" ? 4 : 6;
  const total = bits(family);
  const raw = bytesToBigInt(addr.toByteArray());
  const hostMask = (1n << BigInt(total - length)) - 1n;
  const start = raw & ~hostMask;
  if (strict && start !== raw) {
    throw new CidrError(value, `host bits are set; the network is ${formatAddress(family, start)}/${length}`);
  }
  return { family, start, end: start | hostMask, length, text: `${formatAddress(family, start)}/${length}` };
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

/** The smallest list of prefixes covering [start, end] exactly. */
function rangeToPrefixes(family: 4 | 6, start: bigint, end: bigint, out: string[]): void {
  const total = bits(family);
  let cur = start;
  while (cur <= end) {
    // Largest block aligned at cur that does not pass end.
    let size = cur === 0n ? total : 0;
    if (cur !== 0n) {
      let c = cur;
      while ((c & 1n) === 0n && size < total) {
        c >>= 1n;
        size++;
      }
    }
    while (size > 0 && cur + (1n << BigInt(size)) - 1n > end) size--;
    out.push(`${formatAddress(family, cur)}/${total - size}`);
    cur += 1n << BigInt(size);
  }
}

/**
 * Merges adjacent and contained prefixes, per family, into the smallest equivalent list, sorted by
 * address. Throws CidrError on the first invalid prefix. Host bits are tolerated here (Microsoft's
 * files are canonical; user input is checked with parseCidr before it gets here).
 */
export function mergePrefixes(prefixes: Iterable<string>): PrefixSet {
  const byFamily: Record<4 | 6, Array<[bigint, bigint]>> = { 4: [], 6: [] };
  for (const p of prefixes) {
    const c = parseCidr(p, false);
    byFamily[c.family].push([c.start, c.end]);
  }
  const merged = (family: 4 | 6): string[] => {
    const ranges = byFamily[family].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const out: string[] = [];
    let cur: [bigint, bigint] | undefined;
    for (const r of ranges) {
      if (cur && r[0] <= cur[1] + 1n) {
        if (r[1] > cur[1]) cur[1] = r[1];
      } else {
        if (cur) rangeToPrefixes(family, cur[0], cur[1], out);
        cur = [r[0], r[1]];
      }
    }
    if (cur) rangeToPrefixes(family, cur[0], cur[1], out);
    return out;
  };
  return { ipv4: merged(4), ipv6: merged(6) };
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

/**
 * The checks every value goes through before it reaches a Linux artifact (shell words, nft syntax,
 * dnsmasq lines, comments), and the one error they throw.
 */
import { mergedPrefixFamily, mergePortRanges, mergePrefixes, parseCidr, type PortRange, type PrefixSet } from "@cassandra-mi-netrules/core";
import { KERNEL_LIMITS, WIDEST_NETWORK } from "./limits.js";

export class LinuxFirewallError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field}: ${reason} (value: ${JSON.stringify(value)})`);
    this.name = "LinuxFirewallError";
  }
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST = new RegExp(`^(?:${LABEL}\\.)*${LABEL}$`);

/** Printable ASCII only (no quotes, backslashes, `#`, `$`, backticks or control characters), for comments. */
export function safeCommentText(text: string, max = 200): string {
  const cleaned = text.replace(/[^A-Za-z0-9 .,:;_/()+=@%*<>{}[\]|!?-]/g, "_").replace(/\s+/g, " ").trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 3)}...` : cleaned;
}

/** Checks a requirement id, which reaches comments and shell words: kebab-case, 1-100 characters. */
export function checkRuleId(id: unknown, field: string): string {
  if (typeof id !== "string" || !ID.test(id) || id.length > 100) throw new LinuxFirewallError(field, id, "must be kebab-case ([a-z0-9] words joined by -), at most 100 characters");
  return id;
}

/** dnsmasq's domain for a resolved FQDN: `*.x.y` becomes `x.y` (dnsmasq matches it and every subdomain). */
export function dnsmasqDomain(fqdn: unknown, field: string): string {
  if (typeof fqdn !== "string") throw new LinuxFirewallError(field, fqdn, "must be a host name");
  const name = fqdn.startsWith("*.") ? fqdn.slice(2) : fqdn;
  if (!HOST.test(name) || name.length > 253 || !name.includes(".")) {
    throw new LinuxFirewallError(field, fqdn, "must be a lower-case host name of [a-z0-9-] labels, optionally with a left-most `*.`");
  }
  return name;
}

export function checkPorts(ports: readonly PortRange[], field: string): PortRange[] {
  if (!Array.isArray(ports) || ports.length === 0) throw new LinuxFirewallError(field, ports, "must list at least one port range");
  ports.forEach((p, i) => {
    const ok = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
    if (!p || !ok(p.from) || !ok(p.to) || p.from > p.to) throw new LinuxFirewallError(`${field}[${i}]`, p, "must be { from, to } with 1 <= from <= to <= 65535");
  });
  return mergePortRanges(ports);
}

/**
 * Subnets and peers: valid CIDRs, none (and not all of them together) wider than WIDEST_NETWORK, at most
 * KERNEL_LIMITS.setElements per family; merged.
 */
export function checkNetworks(values: unknown, field: string): PrefixSet {
  if (!Array.isArray(values)) throw new LinuxFirewallError(field, values, "must be an array of CIDR prefixes");
  const texts = values.map((v, i) => {
    let parsed;
    try {
      if (typeof v !== "string") throw new Error("not a string");
      parsed = parseCidr(v);
    } catch (e) {
      throw new LinuxFirewallError(`${field}[${i}]`, v, (e as Error).message);
    }
    const widest = WIDEST_NETWORK[parsed.family];
    if (parsed.length < widest) throw new LinuxFirewallError(`${field}[${i}]`, v, `is wider than /${widest}: no cluster subnet or peer network is that wide, and it would open the cluster ports to far more than the cluster`);
    return parsed.text;
  });
  const merged = mergePrefixes(texts);
  for (const [family, list] of [
    [4, merged.ipv4],
    [6, merged.ipv6],
  ] as const) {
    const wide = list.find((p) => parseCidr(p).length < WIDEST_NETWORK[family]);
    if (wide) throw new LinuxFirewallError(field, values, `together cover ${wide}, wider than /${WIDEST_NETWORK[family]}`);
    if (list.length > KERNEL_LIMITS.setElements) throw new LinuxFirewallError(field, `${list.length} IPv${family} prefixes`, `more than the ${KERNEL_LIMITS.setElements} elements a set holds (KERNEL_LIMITS.setElements)`);
  }
  return merged;
}

// Resolved rules are immutable, and a service-tags index hands every region the same arrays: check and merge each once.
const mergedCache = new WeakMap<readonly string[], { 4?: string[]; 6?: string[] }>();

/** The prefixes of one family, checked (valid, of that family) and merged. */
export function mergeChecked(prefixes: readonly string[], field: string, family: 4 | 6): string[] {
  if (!Array.isArray(prefixes)) throw new LinuxFirewallError(field, prefixes, "must be an array of CIDR prefixes");
  const cached = mergedCache.get(prefixes)?.[family];
  if (cached) return [...cached];
  // A list core recorded (validated, merged, frozen) is taken as it is: its family is all there is to check.
  const recorded = mergedPrefixFamily(prefixes);
  if (recorded !== undefined && (recorded === family || prefixes.length === 0)) return [...prefixes];
  prefixes.forEach((p, i) => {
    let fam: number;
    try {
      if (typeof p !== "string") throw new Error("not a string");
      fam = parseCidr(p, false).family;
    } catch (e) {
      throw new LinuxFirewallError(`${field}[${i}]`, p, (e as Error).message);
    }
    if (fam !== family) throw new LinuxFirewallError(`${field}[${i}]`, p, `is not an IPv${family} prefix`);
  });
  const merged = mergePrefixes(prefixes);
  const out = family === 4 ? merged.ipv4 : merged.ipv6;
  mergedCache.set(prefixes, { ...mergedCache.get(prefixes), [family]: out });
  return [...out];
}

/** Refuses an option key the emitter does not know, as the other emitters do, naming it and the known ones. */
export function checkOptionKeys(options: object, known: readonly string[]): void {
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) throw new LinuxFirewallError(`options.${key}`, value, `unknown option; known: ${known.join(", ")}`);
  }
}

/**
 * Groups requirement ids into comma-joined comments of at most `maxBytes` (ids are ASCII), in order, so a
 * rule that serves many requirements is split into as few rules as the kernel's comment limit allows.
 */
export function commentChunks(ids: readonly string[], maxBytes: number): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const last = out[out.length - 1];
    if (last !== undefined && last.length + 1 + id.length <= maxBytes) out[out.length - 1] = `${last},${id}`;
    else out.push(id);
  }
  return out;
}

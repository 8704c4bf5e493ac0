/**
 * checkResolvedRules: the values of a `ResolvedRules` that reach an Azure artifact as addresses (service
 * tags, host names, CIDRs, the subnet) and ports, checked before any planner uses them. `resolveRules`
 * only produces valid values; a value built by hand is refused here, naming the field and the value,
 * instead of ending up in a template Azure rejects (or reads as something else).
 */
import { parseCidr, type PortRange, type ResolvedRule, type ResolvedRules, type ResolvedServiceTag } from "@cassandra-mi-netrules/core";

/** A service tag as Microsoft names them: `Storage`, `Storage.EastUS`, `AzureFrontDoor.FirstParty`. */
export const SERVICE_TAG_PATTERN = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)?$/;

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
/** A lower-case host name of two labels or more, `*` only as the whole left-most label. */
export const FQDN_PATTERN = new RegExp(`^(?:\\*\\.)?(?:${LABEL}\\.)+${LABEL}$`);
/** A host name pattern left unfilled for want of a region: `{region}` inside its labels. */
const FQDN_TEMPLATE_PATTERN = /^(?:\*\.)?(?:[a-z0-9-]|\{region\})+(?:\.(?:[a-z0-9-]|\{region\})+)+$/;

/** A value of a `ResolvedRules` an Azure planner refuses: `field` says where, `value` what. */
export class ResolvedRulesError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field}: ${reason} (value: ${excerpt(value)})`);
    this.name = "ResolvedRulesError";
  }
}

/** The value as JSON, cut to 80 characters: an error names it without echoing a whole document. */
function excerpt(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function checkCidr(value: unknown, field: string, family?: 4 | 6): void {
  if (typeof value !== "string") throw new ResolvedRulesError(field, value, "must be a CIDR prefix");
  let parsed: ReturnType<typeof parseCidr>;
  try {
    parsed = parseCidr(value);
  } catch (e) {
    throw new ResolvedRulesError(field, value, (e as Error).message);
  }
  if (family !== undefined && parsed.family !== family) throw new ResolvedRulesError(field, value, `is not an IPv${family} prefix`);
}

function checkList(values: unknown, field: string, each: (v: unknown, at: string) => void): void {
  if (!Array.isArray(values)) throw new ResolvedRulesError(field, values, "must be an array");
  values.forEach((v, i) => each(v, `${field}[${i}]`));
}

function checkTagName(name: unknown, field: string): void {
  if (typeof name !== "string" || !SERVICE_TAG_PATTERN.test(name)) throw new ResolvedRulesError(field, name, "must be a service tag name such as Storage or Storage.EastUS");
}

function checkTag(tag: ResolvedServiceTag, field: string): void {
  if (typeof tag !== "object" || tag === null) throw new ResolvedRulesError(field, tag, "must be a resolved service tag");
  checkTagName(tag.tag, `${field}.tag`);
  checkTagName(tag.global?.name, `${field}.global.name`);
  checkList(tag.regional, `${field}.regional`, (r, at) => checkTagName((r as { name?: unknown } | null)?.name, `${at}.name`));
}

function checkPorts(ports: readonly PortRange[], field: string): void {
  if (!Array.isArray(ports) || ports.length === 0) throw new ResolvedRulesError(field, ports, "must list at least one port range");
  const port = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
  ports.forEach((p, i) => {
    if (!p || !port(p.from) || !port(p.to) || p.from > p.to) throw new ResolvedRulesError(`${field}[${i}]`, p, "must be { from, to } with 1 <= from <= to <= 65535");
  });
}

function checkRule(rule: ResolvedRule, field: string): void {
  if (typeof rule !== "object" || rule === null) throw new ResolvedRulesError(field, rule, "must be a resolved rule");
  if (typeof rule.id !== "string" || rule.id === "") throw new ResolvedRulesError(`${field}.id`, rule.id, "must be a requirement id");
  if (rule.kind !== "outbound" && rule.kind !== "internal") throw new ResolvedRulesError(`${field}.kind`, rule.kind, 'must be "outbound" or "internal"');
  checkPorts(rule.ports, `${field}.ports`);
  checkList(rule.fqdns, `${field}.fqdns`, (f, at) => {
    const fqdn = (f as { fqdn?: unknown } | null)?.fqdn;
    if (typeof fqdn !== "string" || !FQDN_PATTERN.test(fqdn) || fqdn.length > 253)
      throw new ResolvedRulesError(`${at}.fqdn`, fqdn, "must be a lower-case host name of [a-z0-9-] labels, optionally with a left-most `*.`");
  });
  checkList(rule.unresolvedFqdns, `${field}.unresolvedFqdns`, (f, at) => {
    if (typeof f !== "string" || !FQDN_TEMPLATE_PATTERN.test(f)) throw new ResolvedRulesError(at, f, "must be a lower-case host name pattern, {region} its only placeholder");
  });
  checkList(rule.serviceTags, `${field}.serviceTags`, (t, at) => checkTag(t as ResolvedServiceTag, at));
  if (typeof rule.prefixes !== "object" || rule.prefixes === null) throw new ResolvedRulesError(`${field}.prefixes`, rule.prefixes, "must be { ipv4, ipv6 }");
  checkList(rule.prefixes.ipv4, `${field}.prefixes.ipv4`, (p, at) => checkCidr(p, at, 4));
  checkList(rule.prefixes.ipv6, `${field}.prefixes.ipv6`, (p, at) => checkCidr(p, at, 6));
}

/**
 * Throws a ResolvedRulesError at the first value no Azure artifact may hold: a subnet that is not a
 * canonical CIDR of its family, a port outside 1-65535, a host name that is not a lower-case DNS name
 * (a `*.` only as the left-most label), a service tag name outside `Name` / `Name.Region`, an address
 * prefix that is not a canonical CIDR of its family. Every planner of this package calls it first.
 */
export function checkResolvedRules(resolved: ResolvedRules): void {
  if (typeof resolved !== "object" || resolved === null) throw new ResolvedRulesError("resolved", resolved, "must be the result of resolveRules");
  if (resolved.subnet !== undefined) {
    const family = resolved.subnet?.family;
    if (family !== 4 && family !== 6) throw new ResolvedRulesError("subnet.family", family, "must be 4 or 6");
    checkCidr(resolved.subnet.cidr, "subnet.cidr", family);
  }
  checkList(resolved.rules, "rules", (r, at) => checkRule(r as ResolvedRule, at));
}

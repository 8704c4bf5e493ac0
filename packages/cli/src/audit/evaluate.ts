/**
 * The verdicts, rule for rule as the Rego policy computes them (see `emit-opa/src/policy.ts`); the
 * differential test in emit-opa holds the two to the same answers.
 */
import { cidrContains, parseCidr, uniqueSorted } from "@cassandra-mi-netrules/core";
import { LAYERS_FOR, NEEDS_PHRASE, type Alternative, type Check, type RequirementsDocument } from "@cassandra-mi-netrules/emit-opa";
import type { Configuration, FwRule, NsgRule, PortSpan } from "./parse.js";

export type AuditStatus = "covered" | "partly-covered" | "missing";

export interface AuditResult {
  readonly ruleId: string;
  readonly status: AuditStatus;
  readonly detail: string;
  /** An allow-all rule (`*`, `Internet`, `0.0.0.0/0`, FQDN `*`) is among those that allow it. */
  readonly overBroad: boolean;
  /** False when no alternative of the requirement can be expressed by the input's resource types. */
  readonly audited: boolean;
}

const ALLOW_ALL = new Set(["*", "any", "internet", "0.0.0.0/0", "::/0"]);
const HOLDS_ANY = new Set(["*", "any", "virtualnetwork", "0.0.0.0/0", "::/0"]);
const TCP = new Set(["tcp", "*", "any"]);

type Mode = "allow" | "deny";

/** A CIDR, or a bare address as a host prefix; undefined when neither. */
function asCidr(s: string): string | undefined {
  const valid = (c: string): boolean => {
    try {
      parseCidr(c, false);
      return true;
    } catch {
      return false;
    }
  };
  if (s.includes("/")) return valid(s) ? s : undefined;
  if (s.includes(":")) return valid(`${s}/128`) ? `${s}/128` : undefined;
  return valid(`${s}/32`) ? `${s}/32` : undefined;
}

function coversCidr(outer: string, inner: string, mode: Mode): boolean {
  const o = asCidr(outer);
  const i = asCidr(inner);
  if (o === undefined || i === undefined) return false;
  return cidrContains(o, i) || (mode === "deny" && cidrContains(i, o));
}

export class Evaluator {
  readonly #doc: RequirementsDocument;
  readonly #config: Configuration;

  constructor(doc: RequirementsDocument, config: Configuration) {
    this.#doc = doc;
    this.#config = config;
  }

  holdsSubnet(e: string, mode: Mode): boolean {
    if (HOLDS_ANY.has(e)) return true;
    const subnet = this.#doc.subnet;
    if (subnet === null) return true;
    return coversCidr(e, subnet, mode);
  }

  static portsMatch(ranges: readonly PortSpan[], chk: Check, mode: Mode): boolean {
    return ranges.some((r) => (mode === "allow" ? r.from <= chk.from && chk.to <= r.to : r.from <= chk.to && chk.from <= r.to));
  }

  static destMatch(d: string, chk: Check, mode: Mode): boolean {
    if (ALLOW_ALL.has(d)) return true;
    if (chk.kind === "tag") return chk.names.some((n) => n.toLowerCase() === d);
    if (chk.kind === "prefix") return coversCidr(d, chk.prefix, mode);
    return false;
  }

  static fqdnCovers(t: string, f: string): boolean {
    return t === "*" || t === f || (t.startsWith("*.") && f.endsWith(t.slice(1)));
  }

  nsgMatch(r: NsgRule, chk: Check, mode: Mode): boolean {
    if (chk.kind === "fqdn") return false;
    const direction = chk.kind === "internal" ? chk.direction : "outbound";
    if (r.direction !== direction || !TCP.has(r.protocol) || !Evaluator.portsMatch(r.ports, chk, mode)) return false;
    if (!r.src.some((s) => this.holdsSubnet(s, mode))) return false;
    return chk.kind === "internal" ? r.dst.some((d) => this.holdsSubnet(d, mode)) : r.dst.some((d) => Evaluator.destMatch(d, chk, mode));
  }

  static nsgBroad(r: NsgRule, chk: Check): boolean {
    const entries = chk.kind === "internal" ? [...r.src, ...r.dst] : r.dst;
    return entries.some((e) => ALLOW_ALL.has(e));
  }

  nsgAllowing(chk: Check): NsgRule[] {
    const rules = this.#config.nsgRules;
    return rules.filter(
      (a) =>
        a.access === "allow" &&
        this.nsgMatch(a, chk, "allow") &&
        !rules.some((d) => d.nsg === a.nsg && d.access === "deny" && d.priority < a.priority && this.nsgMatch(d, chk, "deny")),
    );
  }

  /** One protocol entry per port: an allow needs an Https entry for every port of the range, a deny one in it. */
  static appPortsMatch(r: FwRule & { kind: "app" }, chk: Check, mode: Mode): boolean {
    const ports = new Set(r.protocols.filter((p) => p.type === "https" && chk.from <= p.port && p.port <= chk.to).map((p) => p.port));
    return mode === "allow" ? ports.size === chk.to - chk.from + 1 : ports.size > 0;
  }

  fwMatch(r: FwRule, chk: Check, mode: Mode): boolean {
    if (chk.kind === "fqdn") {
      const f = chk.fqdn.toLowerCase();
      if (r.kind === "net") {
        // FQDNs in network rules need the policy's DNS proxy; a network rule to every address matches any FQDN.
        return (
          r.ipProtocols.some((p) => TCP.has(p)) &&
          Evaluator.portsMatch(r.ports, chk, mode) &&
          r.src.some((s) => this.holdsSubnet(s, mode)) &&
          (r.fqdns.some((t) => Evaluator.fqdnCovers(t, f)) || r.dst.some((d) => ALLOW_ALL.has(d)))
        );
      }
      return (
        r.src.some((s) => this.holdsSubnet(s, mode)) &&
        r.fqdns.some((t) => Evaluator.fqdnCovers(t, f)) &&
        Evaluator.appPortsMatch(r, chk, mode)
      );
    }
    if (chk.kind === "internal" || r.kind !== "net") return false;
    return (
      r.ipProtocols.some((p) => TCP.has(p)) &&
      Evaluator.portsMatch(r.ports, chk, mode) &&
      r.src.some((s) => this.holdsSubnet(s, mode)) &&
      r.dst.some((d) => Evaluator.destMatch(d, chk, mode))
    );
  }

  static fwBroad(r: FwRule): boolean {
    return r.fqdns.includes("*") || (r.kind === "net" && r.dst.some((e) => ALLOW_ALL.has(e)));
  }

  fwAllowing(chk: Check): FwRule[] {
    const rules = this.#config.fwRules;
    // Network rules are processed before application rules whatever the priorities; within a rule type,
    // by rule collection group priority, then rule collection priority.
    const before = (d: FwRule, a: FwRule): boolean => (d.kind === "net" && a.kind === "app") || (d.kind === a.kind && (d.g < a.g || (d.g === a.g && d.c < a.c)));
    return rules.filter((a) => a.action === "allow" && this.fwMatch(a, chk, "allow") && !rules.some((d) => d.action === "deny" && before(d, a) && this.fwMatch(d, chk, "deny")));
  }

  allowed(chk: Check): boolean {
    return this.nsgAllowing(chk).length > 0 || this.fwAllowing(chk).length > 0;
  }

  broad(chk: Check): boolean {
    return this.nsgAllowing(chk).some((a) => Evaluator.nsgBroad(a, chk)) || this.fwAllowing(chk).some((a) => Evaluator.fwBroad(a));
  }

  auditable(alt: Alternative): boolean {
    return LAYERS_FOR[alt.type].some((l) => this.#config.layers.has(l));
  }

  result(ruleId: string): AuditResult {
    const req = this.#doc.requirements[ruleId];
    if (req === undefined) throw new Error(`ruleId: no requirement ${JSON.stringify(ruleId)} in the document`);
    const alts = req.alternatives
      .map((alt, index) => ({ alt, index }))
      .filter(({ alt }) => this.auditable(alt))
      .map(({ alt, index }) => {
        const allowed = alt.checks.map((c) => this.allowed(c));
        return {
          index,
          label: alt.label,
          total: alt.checks.length,
          allowed: allowed.filter(Boolean).length,
          missing: alt.checks.filter((_, i) => !allowed[i]).map((c) => c.label),
          broad: alt.checks.some((c, i) => allowed[i] === true && this.broad(c)),
        };
      });
    const full = alts.filter((a) => a.allowed === a.total);
    const status: AuditStatus = full.length > 0 ? "covered" : alts.some((a) => a.allowed > 0) ? "partly-covered" : "missing";
    let detail: string;
    if (req.alternatives.length === 0) {
      detail = "not auditable: no alternative can be checked (FQDN patterns with {region} need a region)";
    } else if (alts.length === 0) {
      detail = `not auditable: needs ${uniqueSorted(req.alternatives.map((a) => NEEDS_PHRASE[a.type])).join(" or ")}, which the input does not hold`;
    } else if (status === "covered") {
      const best = full.reduce((x, y) => (y.index < x.index ? y : x));
      detail = `covered by ${best.label}`;
    } else if (status === "partly-covered") {
      const most = Math.max(...alts.map((a) => a.allowed));
      const best = alts.filter((a) => a.allowed === most).reduce((x, y) => (y.index < x.index ? y : x));
      detail = `partly covered by ${best.label}; missing ${best.missing.join(", ")}`;
    } else {
      detail = `missing: nothing allows ${alts.map((a) => a.label).join(" or ")}`;
    }
    return { ruleId, status, detail, overBroad: alts.some((a) => a.broad), audited: alts.length > 0 };
  }
}

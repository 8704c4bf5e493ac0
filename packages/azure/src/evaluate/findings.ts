/**
 * Allows wider than the requirements: a custom NSG or firewall rule that lets a required flow through
 * and also opens destinations, sources or ports no requirement needs; and an NSG rule that lets traffic
 * in from public addresses (no requirement needs any).
 */
import { AddressSet, PUBLIC } from "./address-set.js";
import { formatRanges } from "./ports-text.js";
import { NameSet } from "./names.js";
import { subtractRanges, type Ranges } from "./ranges.js";
import type { BoxConstraint } from "./region.js";
import type { Finding, PathStep } from "./report.js";
import { describeStep, stepKey } from "./verdict.js";

/** A rule's sure match, by the key of its step. */
export interface RuleShape {
  readonly step: PathStep;
  readonly certain: readonly BoxConstraint[];
  readonly inbound: boolean;
}

/** What the requirements need, per side of the path. */
export interface Needs {
  readonly outboundDst: AddressSet;
  readonly outboundNames: NameSet;
  readonly outboundPorts: Ranges;
  /** Sources internal flows come from (the subnet and its peers). */
  readonly internalSrc: AddressSet;
  readonly internalDst: AddressSet;
  readonly internalPorts: Ranges;
}

export interface Allowed {
  readonly step: PathStep;
  readonly ruleIds: Set<string>;
  readonly internal: boolean;
}

function widerText(rule: RuleShape, needs: Needs, internal: boolean, universe: AddressSet): string[] {
  const out: string[] = [];
  for (const c of rule.certain) {
    const ports = c.port ? subtractRanges(c.port, internal ? needs.internalPorts : needs.outboundPorts) : [];
    if (ports.length > 0) out.push(`ports ${formatRanges(c.port ?? [])} (the requirements need ${formatRanges(internal ? needs.internalPorts : needs.outboundPorts)})`);
    if (internal && rule.inbound && c.src) {
      const extra = c.src.intersect(universe).subtract(needs.internalSrc);
      if (!extra.isEmpty()) out.push(`sources beyond the cluster subnet and its peers${extra.exampleAddress() ? ` (e.g. ${extra.exampleAddress()})` : ""}`);
    }
    if (!rule.inbound && c.dst) {
      const extra = c.dst.intersect(universe).subtract(internal ? needs.internalDst : needs.outboundDst);
      if (!extra.isEmpty()) out.push(`destinations no requirement needs${extra.exampleAddress() ? ` (e.g. ${extra.exampleAddress()})` : ""}`);
    }
    if (!rule.inbound && !internal && c.dst === undefined) {
      const extra = (c.name ?? NameSet.ALL).subtract(needs.outboundNames);
      if (!extra.isEmpty()) out.push(`host names no requirement needs (e.g. ${extra.example() ?? ""})`);
    }
  }
  return [...new Set(out)];
}

export function findingsOf(allowed: readonly Allowed[], rules: ReadonlyMap<string, RuleShape>, needs: Needs, universe: AddressSet, inboundRules: readonly RuleShape[]): Finding[] {
  const out = new Map<string, Finding>();
  for (const a of allowed) {
    if (a.step.detail === "Azure default rule") continue;
    const rule = rules.get(stepKey(a.step));
    if (!rule) continue;
    const wider = widerText(rule, needs, a.internal, universe);
    if (wider.length === 0) continue;
    const key = stepKey(a.step);
    const prev = out.get(key);
    const ruleIds = [...new Set([...(prev?.ruleIds ?? []), ...a.ruleIds])].sort();
    out.set(key, { level: "warn", step: a.step, ruleIds, message: `${describeStep(a.step)} opens ${wider.join("; ")}` });
  }
  for (const r of inboundRules) {
    if (r.step.action !== "Allow" || r.step.detail === "Azure default rule") continue;
    const open = r.certain.some((c) => c.src !== undefined && !c.src.intersect(PUBLIC).isEmpty());
    if (!open) continue;
    const key = stepKey(r.step);
    const ports = r.certain.map((c) => formatRanges(c.port ?? [])).join(",");
    const text = `${describeStep(r.step)} lets traffic in from public addresses on ports ${ports}; no requirement needs it`;
    const prev = out.get(key);
    out.set(key, prev ? { ...prev, message: `${prev.message}; it also lets traffic in from public addresses` } : { level: "warn", step: r.step, ruleIds: [], message: text });
  }
  return [...out.values()].sort((a, b) => (stepKey(a.step) < stepKey(b.step) ? -1 : 1));
}

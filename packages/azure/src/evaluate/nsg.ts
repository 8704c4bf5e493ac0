/**
 * A network security group as Azure evaluates it for one direction: the custom rules by priority, then
 * Azure's six default rules (always, whatever the input lists), first match wins. A rule's sides are read
 * into terms when a walk first meets the rule, and projected onto the subject's addresses once.
 */
import { defaultSecurityRules, type AddressValue, type NetworkSecurityGroup, type SecurityRule, type SecurityRuleDirection } from "../model.js";
import { isUnknown, type Maybe } from "../unknown.js";
import type { AddressSet } from "./address-set.js";
import type { PathStep } from "./report.js";
import { MATCH_NOTHING, type BoxConstraint, type Match } from "./region.js";
import { addressTerm, describeUnknown, everything as ctxEverything, portTerms, project, projectAll, type AddressContext, type AddressTerm, type PortTerms } from "./terms.js";
import { rangesOverlap, type NumRanges } from "./ranges.js";
import type { WalkRule } from "./walk.js";
import { BoundedMemo } from "./memo.js";

export type NsgOutcome = "Allow" | "Deny";

/** How a flow sees a rule's destination (an FQDN's one unknown address sees all of it or nothing). */
export type DstView = (p: { readonly certain: AddressSet; readonly possible: AddressSet }, rule: string) => { readonly certain: AddressSet; readonly possible: AddressSet; readonly reasons?: readonly string[] };

/** A yes/no/maybe of one field of a rule against the flow. */
type Tri = "yes" | "no" | "maybe";

interface CompiledSide {
  readonly terms: readonly AddressTerm[];
  /** Application security groups: membership is not in the input. */
  readonly asgReason?: string;
}

interface RuleSides {
  readonly src: CompiledSide;
  readonly dst: CompiledSide;
}

export interface CompiledNsgRule {
  readonly step: PathStep;
  readonly isDefault: boolean;
  readonly priority: number | undefined;
  readonly direction: SecurityRuleDirection | undefined;
  readonly outcomes: readonly NsgOutcome[];
  readonly tcp: Tri;
  readonly sourcePortsAny: Tri;
  /** The rule as read: its sides are read into terms only when a walk meets them (`sideMatches`). */
  readonly rule: SecurityRule;
  /** The sides read already (Azure's default rules, shared by every NSG). */
  readonly sides?: RuleSides;
  readonly ports: PortTerms;
  /** Why fields read as "maybe" (unknown values). */
  readonly reasons: readonly string[];
}

function list<T>(one: Maybe<T> | undefined, many: readonly Maybe<T>[] | undefined): readonly Maybe<T>[] {
  if (one === undefined) return many ?? [];
  return many === undefined || many.length === 0 ? [one] : [one, ...many];
}

/** The field's value when `list` would list exactly one, with no list made; else undefined. */
function onlyValue<T>(one: Maybe<T> | undefined, many: readonly Maybe<T>[] | undefined): Maybe<T> | undefined {
  if (one !== undefined) return many === undefined || many.length === 0 ? one : undefined;
  return many?.length === 1 ? many[0] : undefined;
}

/** Whether `list` would list nothing. */
function noValue<T>(one: Maybe<T> | undefined, many: readonly Maybe<T>[] | undefined): boolean {
  return one === undefined && (many === undefined || many.length === 0);
}

type Side = "source" | "destination";
type Properties = SecurityRule["properties"];

const FIELDS: Readonly<Record<Side, string>> = { source: "sourceAddressPrefix", destination: "destinationAddressPrefix" };

function prefixesOf(p: Properties, which: Side): readonly Maybe<AddressValue>[] {
  return which === "source" ? list(p.sourceAddressPrefix, p.sourceAddressPrefixes) : list(p.destinationAddressPrefix, p.destinationAddressPrefixes);
}

type Asgs = NonNullable<Properties["sourceApplicationSecurityGroups"]>;

const NO_ASGS: Asgs = [];

function asgsOf(p: Properties, which: Side): Asgs {
  return (which === "source" ? p.sourceApplicationSecurityGroups : p.destinationApplicationSecurityGroups) ?? NO_ASGS;
}

/** The side's one address value when it has exactly one (as `prefixesOf` lists them), with no list made; else undefined. */
function onlyPrefix(p: Properties, which: Side): Maybe<AddressValue> | undefined {
  return which === "source" ? onlyValue(p.sourceAddressPrefix, p.sourceAddressPrefixes) : onlyValue(p.destinationAddressPrefix, p.destinationAddressPrefixes);
}

function side(p: Properties, which: Side): CompiledSide {
  const prefixes = prefixesOf(p, which);
  const field = FIELDS[which];
  const asgs = asgsOf(p, which);
  const terms = prefixes.map((v, i) => addressTerm(v, field, prefixes.length > 1 ? i : undefined));
  if (asgs.length === 0) {
    return terms.length > 0 ? { terms } : { terms: [{ kind: "unknown", text: "(none)", reason: `${field}: the rule gives no ${which} address` }] };
  }
  const names = asgs.map((a) => (isUnknown(a) || isUnknown(a.id) ? "(unknown)" : (a.id.split("/").pop() ?? a.id)));
  return { terms, asgReason: `${which} application security group ${names.join(", ")}: which network interfaces it holds is not in the input` };
}

function sidesOf(rule: SecurityRule): RuleSides {
  return { src: side(rule.properties, "source"), dst: side(rule.properties, "destination") };
}

/** One side of the rule projected: a single value (no application security group) is that value's projection, with no list of terms to join. */
function projectRuleSide(p: Properties, which: Side, ctx: AddressContext): SideMatch {
  const only = asgsOf(p, which).length === 0 ? onlyPrefix(p, which) : undefined;
  if (only !== undefined) return project(addressTerm(only, FIELDS[which]), ctx);
  return projectSide(side(p, which), ctx);
}

function tcpOf(protocol: SecurityRule["properties"]["protocol"]): Tri {
  if (isUnknown(protocol)) return "maybe";
  return protocol === "Tcp" || protocol === "*" ? "yes" : "no";
}

/** How a rule's source ports meet the flow's ephemeral port, and why when not surely. */
type SourcePorts = Readonly<{ tri: Tri; reason?: string }>;

/** Shared by every rule of any source port: never changed. */
const ANY_SOURCE_PORT: SourcePorts = Object.freeze({ tri: "yes" });

function sourcePortsAny(rule: SecurityRule): SourcePorts {
  const { sourcePortRange, sourcePortRanges } = rule.properties;
  if (onlyValue(sourcePortRange, sourcePortRanges) === "*" || noValue(sourcePortRange, sourcePortRanges)) return ANY_SOURCE_PORT;
  const values = list(sourcePortRange, sourcePortRanges);
  const t = portTerms(values, "sourcePortRange");
  if (t.certain.length === 2 && t.certain[0] === 0 && t.certain[1] === 65535) return ANY_SOURCE_PORT;
  return { tri: "maybe", reason: `sourcePortRange ${values.map((v) => (isUnknown(v) ? "(unknown)" : v)).join(",")}: the flow's source port is an ephemeral port the input does not fix` };
}

/** The value when known; else undefined, and why noted in `reasons`. */
function known<T>(v: Maybe<T>, reasons: string[]): T | undefined {
  if (!isUnknown(v)) return v;
  reasons.push(describeUnknown(v));
  return undefined;
}

/** Outcomes of a rule by its access, shared by every rule (never changed). */
const OUTCOMES: Readonly<Record<NsgOutcome | "unknown", readonly NsgOutcome[]>> = { Allow: ["Allow"], Deny: ["Deny"], unknown: ["Allow", "Deny"] };

/** Destination ports by the rule's one value (`*`, `443`, `8000-8100`): rules repeat a few values NSG after NSG. */
const PORTS = new BoundedMemo<string, PortTerms>(1 << 12);

function destinationPorts(p: Properties): PortTerms {
  const one = noValue(p.destinationPortRange, p.destinationPortRanges) ? "*" : onlyValue(p.destinationPortRange, p.destinationPortRanges);
  return one !== undefined && !isUnknown(one) ? PORTS.get(one, portsOf) : portTerms(list(p.destinationPortRange, p.destinationPortRanges), "destinationPortRange");
}

function portsOf(value: string): PortTerms {
  return portTerms([value], "destinationPortRange");
}

export function compileNsgRule(nsgName: string, rule: SecurityRule, isDefault: boolean): CompiledNsgRule {
  const p = rule.properties;
  const reasons: string[] = [];
  const name = known(rule.name, reasons) ?? "(unknown name)";
  const priority = known(p.priority, reasons);
  const direction = known(p.direction, reasons);
  const access = known(p.access, reasons);
  const tcp = tcpOf(p.protocol);
  if (isUnknown(p.protocol)) reasons.push(describeUnknown(p.protocol));
  const srcPorts = sourcePortsAny(rule);
  if (srcPorts.reason) reasons.push(srcPorts.reason);
  const ports = destinationPorts(p);
  return {
    step: nsgStep(nsgName, name, priority, direction, access ?? "(unknown access)", isDefault),
    isDefault,
    priority,
    direction,
    outcomes: OUTCOMES[access ?? "unknown"],
    tcp,
    sourcePortsAny: srcPorts.tri,
    rule,
    ports,
    reasons: ports.reasons.length === 0 ? reasons : [...reasons, ...ports.reasons],
  };
}

/** A rule's step, its optional fields set in the order a report writes them (no spread of a literal per field). */
function nsgStep(resource: string, rule: string, priority: number | undefined, direction: SecurityRuleDirection | undefined, action: string, isDefault: boolean): PathStep {
  const step: { -readonly [K in keyof PathStep]?: PathStep[K] } = { layer: "nsg", resource, rule };
  if (priority !== undefined) step.priority = priority;
  if (direction !== undefined) step.direction = direction;
  step.action = action;
  if (isDefault) step.detail = "Azure default rule";
  return step as PathStep;
}

export interface CompiledNsg {
  readonly name: string;
  /** Custom rules then the default rules, each direction apart, ordered; rules of unknown priority first. */
  readonly rules: readonly CompiledNsgRule[];
}

export function nsgName(nsg: NetworkSecurityGroup): string {
  return isUnknown(nsg.name) ? "(unknown NSG name)" : nsg.name;
}

let DEFAULTS: readonly CompiledNsgRule[] | undefined;

/** Azure's default rules, compiled once: NSG after NSG they differ only by the NSG named in their steps. */
function compiledDefaults(): readonly CompiledNsgRule[] {
  DEFAULTS ??= defaultSecurityRules().map((r) => ({ ...compileNsgRule("", r, true), sides: sidesOf(r) }));
  return DEFAULTS;
}

export function compileNsg(nsg: NetworkSecurityGroup, options: { readonly withDefaults?: boolean } = {}): CompiledNsg {
  const name = nsgName(nsg);
  // Every required flow is TCP: a rule of another protocol decides none of them (the walk skips it), so it is not compiled.
  const custom = nsg.properties.securityRules.filter((r) => isUnknown(r) || tcpOf(r.properties.protocol) !== "no").map((r) =>
    isUnknown(r)
      ? compileNsgRule(name, { name: r, properties: { priority: r, direction: r, access: r, protocol: r, sourceAddressPrefix: r, destinationAddressPrefix: r, destinationPortRange: r } }, false)
      : compileNsgRule(name, r, false),
  );
  const defaults = options.withDefaults === false ? [] : compiledDefaults().map((r) => ({ ...r, step: nsgStep(name, r.step.rule, r.priority, r.direction, r.step.action, true) }));
  const rules = [...custom, ...defaults].sort((a, b) => (a.priority ?? -1) - (b.priority ?? -1));
  return { name, rules };
}

interface SideMatch {
  readonly certain: AddressSet;
  readonly possible: AddressSet;
  readonly reasons: readonly string[];
}

interface SideMatches {
  readonly src: SideMatch;
  readonly dst: SideMatch;
}

/** A subject's projections of its rules' sides: one set per side, so what the walk remembers of a set serves every flow of the subject. */
export type SideMemo = Map<CompiledNsgRule, SideMatches>;

function sideMatches(r: CompiledNsgRule, ctx: AddressContext, memo: SideMemo | undefined): SideMatches {
  let m = memo?.get(r);
  if (!m) {
    const { sides } = r;
    const p = r.rule.properties;
    m = sides ? { src: projectSide(sides.src, ctx), dst: projectSide(sides.dst, ctx) } : { src: projectRuleSide(p, "source", ctx), dst: projectRuleSide(p, "destination", ctx) };
    memo?.set(r, m);
  }
  return m;
}

function projectSide(s: CompiledSide, ctx: AddressContext): SideMatch {
  const p = projectAll(s.terms, ctx);
  if (!s.asgReason) return p;
  return { certain: p.certain, possible: p.possible.union(ctxEverything(ctx)), reasons: [...p.reasons, s.asgReason] };
}

/** How a subject's flows meet one direction's rules: how they see a destination, the sides projected so far, the ports they carry. */
export interface WalkView {
  readonly dstView?: DstView;
  readonly memo?: SideMemo;
  /** Every port of the flows that pass this direction (a walk's regions never leave their flow's ports). */
  readonly ports?: NumRanges;
}

/** The findings read the sure match of inbound custom allows whatever the flows (traffic in from public addresses). */
function readByFindings(r: CompiledNsgRule, direction: SecurityRuleDirection): boolean {
  return direction === "Inbound" && !r.isDefault && r.step.action === "Allow";
}

/** The rules of one direction as walk rules over (source, destination, port) for a TCP flow. */
export function nsgWalkRules(nsg: CompiledNsg, direction: SecurityRuleDirection, ctx: AddressContext, view: WalkView = {}): WalkRule<NsgOutcome>[] {
  const out: WalkRule<NsgOutcome>[] = [];
  for (const r of nsg.rules) {
    if (r.direction !== undefined && r.direction !== direction) continue;
    if (r.tcp === "no") continue;
    // A rule on ports no flow carries matches nothing any walk meets: its sides are not projected.
    const unreached = view.ports !== undefined && !rangesOverlap(r.ports.possible, view.ports) && !readByFindings(r, direction);
    out.push(unreached ? { step: r.step, outcomes: r.outcomes, certain: MATCH_NOTHING, possible: MATCH_NOTHING, reasons: r.reasons, group: r.priority ?? -1 } : walkRule(r, ctx, view));
  }
  return out;
}

function walkRule(r: CompiledNsgRule, ctx: AddressContext, view: WalkView): WalkRule<NsgOutcome> {
  const { src, dst: projected } = sideMatches(r, ctx, view.memo);
  const seen = view.dstView ? view.dstView(projected, r.step.rule) : projected;
  const possible: BoxConstraint = { src: src.possible, dst: seen.possible, port: r.ports.possible };
  const sure = r.direction !== undefined && r.tcp === "yes" && r.sourcePortsAny === "yes" && r.priority !== undefined && r.outcomes.length === 1;
  const certain: Match = sure ? [{ src: src.certain, dst: seen.certain, port: r.ports.certain }] : MATCH_NOTHING;
  return {
    step: r.step,
    outcomes: r.outcomes,
    certain,
    possible: [possible],
    reasons: joined(r.reasons, seen.reasons ?? NO_REASONS, projected.reasons, src.reasons),
    group: r.priority ?? -1,
  };
}

const NO_REASONS: readonly string[] = [];

/** The lists one after the other, copied only when two of them hold something (most rules have no reason). */
function joined(a: readonly string[], b: readonly string[], c: readonly string[], d: readonly string[]): readonly string[] {
  const n = a.length + b.length + c.length + d.length;
  if (n === a.length) return a;
  if (n === b.length) return b;
  if (n === c.length) return c;
  if (n === d.length) return d;
  return [...a, ...b, ...c, ...d];
}

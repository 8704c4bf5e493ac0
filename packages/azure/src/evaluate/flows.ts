/**
 * The flows each requirement needs, per alternative: from the cluster subnet to each destination
 * alternative (service tag, its regional form, literal prefixes, FQDNs) on its ports; internal ports from
 * node to node within the subnet, to and from each peer. An FQDN's addresses are not known offline: it is
 * taken as any address of the tag the requirement pairs it with, or as one unknown public address.
 */
import { formatPortRange, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { AddressSet, prefixSet, PUBLIC } from "./address-set.js";
import type { FlowShape } from "./firewall.js";
import { NameSet, namePattern } from "./names.js";
import { rangesOf, type NumRanges } from "./ranges.js";
import type { AlternativeKind } from "./report.js";
import type { TagSpace } from "./tag-space.js";

export type FlowKind = "outbound" | "within-subnet" | "to-peer" | "from-peer";

export interface FlowSpec {
  readonly label: string;
  readonly kind: FlowKind;
  readonly src: AddressSet;
  readonly dst: AddressSet;
  readonly name: NameSet;
  readonly ports: NumRanges;
  readonly shape: FlowShape;
  /** What blocked parts are counted in: the tag's prefixes, or literal prefixes. */
  readonly countTag?: string;
  readonly countPrefixes?: readonly string[];
  readonly notes: readonly string[];
  /** The flow cannot be evaluated at all (a tag the file does not have). */
  readonly unknown?: string;
  readonly notAuditable?: string;
}

export interface AlternativeSpec {
  readonly kind: AlternativeKind;
  readonly label: string;
  readonly flows: readonly FlowSpec[];
}

export interface RequirementSpec {
  readonly ruleId: string;
  readonly kind: "outbound" | "internal";
  readonly alternatives: readonly AlternativeSpec[];
}

export interface FlowContext {
  readonly tags: TagSpace;
  /** The cluster subnet (or the cluster point). */
  readonly subnet: AddressSet;
  readonly subnetText: string;
  readonly peers: ReadonlyArray<{ readonly cidr: string; readonly set: AddressSet }>;
  /** Address families the subnet has: what a destination is cut to. */
  readonly universe: AddressSet;
}

function portsOf(rule: ResolvedRule): NumRanges {
  return rangesOf(rule.ports.map((p) => [p.from, p.to] as [number, number]));
}

function portText(rule: ResolvedRule, proto: string): string {
  return `${proto}/${rule.ports.map((p) => formatPortRange(p)).join(",")}`;
}

const ADDRESS_SHAPE: FlowShape = { byName: false, opaqueAddress: false, https: true };

function tagFlow(rule: ResolvedRule, tag: string, ctx: FlowContext): FlowSpec {
  const set = ctx.tags.tag(tag);
  const label = `${portText(rule, "tcp")} to ${tag}`;
  const base = { label, kind: "outbound" as const, src: ctx.subnet, name: NameSet.ALL, ports: portsOf(rule), shape: { ...ADDRESS_SHAPE, https: rule.protocol === "HTTPS" }, notes: [] };
  if (!set) return { ...base, dst: AddressSet.EMPTY, unknown: `service tag ${tag} is not in the ${ctx.tags.description}` };
  const dst = set.intersect(ctx.universe);
  if (dst.isEmpty()) return { ...base, dst, notAuditable: `service tag ${tag} has no address of the subnet's address family` };
  return { ...base, dst, countTag: tag };
}

/** Alternatives already made, by what makes them: requirements that name the same tag on the same ports share one (and its verdict). */
type SharedAlternatives = Map<string, AlternativeSpec>;

function tagAlternative(rule: ResolvedRule, tags: readonly string[], ctx: FlowContext, shared: SharedAlternatives): AlternativeSpec {
  const label = `service tag ${tags.join(", ")}`;
  const key = `${label}\u0000${portText(rule, "tcp")}\u0000${rule.protocol === "HTTPS"}`;
  let alt = shared.get(key);
  if (!alt) {
    alt = { kind: "serviceTag", label, flows: tags.map((f) => tagFlow(rule, f, ctx)) };
    shared.set(key, alt);
  }
  return alt;
}

function tagAlternatives(rule: ResolvedRule, regions: readonly string[], ctx: FlowContext, shared: SharedAlternatives): AlternativeSpec[] {
  const out: AlternativeSpec[] = [];
  for (const t of rule.serviceTags) {
    const regional = regions.map((r) => t.regional.find((f) => f.region === r)?.name ?? t.global.name);
    const forms = [...new Set(regional)].filter((n) => n !== t.global.name);
    if (forms.length > 0) out.push(tagAlternative(rule, forms, ctx, shared));
    out.push(tagAlternative(rule, [t.global.name], ctx, shared));
  }
  return out;
}

function fqdnAlternative(rule: ResolvedRule, ctx: FlowContext): AlternativeSpec | undefined {
  const names = [...rule.fqdns.map((f) => f.fqdn), ...rule.unresolvedFqdns];
  if (names.length === 0) return undefined;
  const paired = rule.serviceTags.map((t) => t.global.name);
  let dst = AddressSet.EMPTY;
  const known: string[] = [];
  for (const tag of paired) {
    const set = ctx.tags.tag(tag);
    if (set) {
      dst = dst.union(set.intersect(ctx.universe));
      known.push(tag);
    }
  }
  const opaque = known.length === 0;
  if (opaque) dst = PUBLIC.intersect(ctx.universe);
  const note = opaque
    ? "its addresses are not known offline and the requirement pairs it with no service tag: a rule that decides by address decides it only when it holds every public address or none"
    : `its addresses are not known offline: taken as any address of ${known.join(" or ")}, the service tag${known.length > 1 ? "s" : ""} the requirement pairs it with`;
  const flows: FlowSpec[] = rule.fqdns.map((f) => ({
    label: `${portText(rule, "https")} to ${f.fqdn}`,
    kind: "outbound",
    src: ctx.subnet,
    dst,
    name: NameSet.of([namePattern(f.fqdn)]),
    ports: portsOf(rule),
    shape: { byName: true, opaqueAddress: opaque, https: rule.protocol === "HTTPS" },
    ...(opaque ? {} : { countTag: known.length === 1 ? known[0] : undefined }),
    notes: [`${f.fqdn}: ${note}`],
  }));
  for (const pattern of rule.unresolvedFqdns) {
    flows.push({ label: `${portText(rule, "https")} to ${pattern}`, kind: "outbound", src: ctx.subnet, dst, name: NameSet.EMPTY, ports: portsOf(rule), shape: ADDRESS_SHAPE, notes: [], notAuditable: `${pattern} needs a region (--region) to be checked` });
  }
  return { kind: "fqdn", label: `FQDN ${names.join(", ")}`, flows };
}

function prefixAlternative(rule: ResolvedRule, ctx: FlowContext): AlternativeSpec | undefined {
  const prefixes = [...rule.prefixes.ipv4, ...rule.prefixes.ipv6];
  if (prefixes.length === 0) return undefined;
  const dst = prefixSet(prefixes).intersect(ctx.universe);
  const label = `${portText(rule, "tcp")} to ${prefixes.join(", ")}`;
  const flow: FlowSpec = {
    label,
    kind: "outbound",
    src: ctx.subnet,
    dst,
    name: NameSet.ALL,
    ports: portsOf(rule),
    shape: { ...ADDRESS_SHAPE, https: rule.protocol === "HTTPS" },
    countPrefixes: prefixes,
    notes: [],
    ...(dst.isEmpty() ? { notAuditable: "no prefix of the subnet's address family" } : {}),
  };
  return { kind: "prefixes", label: `prefixes ${prefixes.join(", ")}`, flows: [flow] };
}

function internalAlternative(rule: ResolvedRule, ctx: FlowContext): AlternativeSpec {
  const ports = portsOf(rule);
  const shape: FlowShape = { byName: false, opaqueAddress: false, https: false };
  const p = portText(rule, "tcp");
  const flows: FlowSpec[] = [{ label: `${p} within ${ctx.subnetText}`, kind: "within-subnet", src: ctx.subnet, dst: ctx.subnet, name: NameSet.ALL, ports, shape, notes: [] }];
  for (const peer of ctx.peers) {
    flows.push({ label: `${p} from ${ctx.subnetText} to peer ${peer.cidr}`, kind: "to-peer", src: ctx.subnet, dst: peer.set, name: NameSet.ALL, ports, shape, notes: [`the peer's own NSG is not in the input`] });
    flows.push({ label: `${p} from peer ${peer.cidr} to ${ctx.subnetText}`, kind: "from-peer", src: peer.set, dst: ctx.subnet, name: NameSet.ALL, ports, shape, notes: [`the peer's own NSG and routes are not in the input`] });
  }
  return { kind: "internal", label: "between the nodes (within the subnet and its peers)", flows };
}

/** The alternatives of every resolved rule, in the order of the resolved rules. */
export function requirementSpecs(resolved: ResolvedRules, ctx: FlowContext): RequirementSpec[] {
  const shared: SharedAlternatives = new Map();
  return resolved.rules.map((rule) => {
    if (rule.kind === "internal") return { ruleId: rule.id, kind: "internal", alternatives: [internalAlternative(rule, ctx)] };
    const alternatives: AlternativeSpec[] = [];
    const f = fqdnAlternative(rule, ctx);
    if (f) alternatives.push(f);
    alternatives.push(...tagAlternatives(rule, resolved.regions, ctx, shared));
    const p = prefixAlternative(rule, ctx);
    if (p) alternatives.push(p);
    return { ruleId: rule.id, kind: "outbound", alternatives };
  });
}

/**
 * `evaluateNetwork`: every required flow of the resolved rules through every audited subject of the
 * network (NSG, routes, firewall, the subnet's way out, the destination's NSG), as Azure decides it.
 * Pure: reads nothing, writes nothing.
 */
import { compareStrings, parseCidr, type ResolvedRules } from "@cassandra-mi-netrules/core";
import type { AzureNetwork, Subnet } from "../model.js";
import { isUnknown } from "../unknown.js";
import { AddressSet, ALL_ADDRESSES, prefixSet, PRIVATE, PUBLIC } from "./address-set.js";
import { summaryFails, type FailOn } from "./failure.js";
import { firewallWalkRules, type FlowShape } from "./firewall.js";
import { AZURE_DEFAULT_RULE, findingsOf, type Allowed, type Needs, type RuleShape } from "./findings.js";
import { requirementSpecs, type AlternativeSpec, type FlowContext, type FlowKind, type FlowSpec, type RequirementSpec } from "./flows.js";
import { NameSet } from "./names.js";
import { memoized, submap } from "./memo.js";
import { nsgWalkRules, type CompiledNsg, type DstView, type NsgOutcome, type SideMemo } from "./nsg.js";
import { arrive, blocked, filterStage, routeStage, START, type Next, type Outcome } from "./pipeline.js";
import { unionRanges, type NumRanges } from "./ranges.js";
import { box, type BoxConstraint } from "./region.js";
import type { AlternativeVerdict, AuditReport, AuditStatus, AuditSummary, EvaluateOptions, Finding, FlowVerdict, PathStep, RequirementVerdict, SubjectReport, SubjectStream, Verdict } from "./report.js";
import { routeWalkRules, type RouteOutcome } from "./routes.js";
import { clusterSubnet, compileSubject, subjectsOf, type Subject, type SubjectPlan } from "./subjects.js";
import { tagSpaceFor, type TagSpace } from "./tag-space.js";
import { CLUSTER_POINT, describeUnknown, type AddressContext } from "./terms.js";
import { alternativeVerdict, countVerdict, flowVerdict, forgetSteps, requirementVerdict, stepKey } from "./verdict.js";
import type { WalkRule } from "./walk.js";

/** What the input holds, by kind, for the report and for "nothing to audit". */
export function foundIn(network: AzureNetwork): string[] {
  const counts: Array<[string, number]> = [
    ["Microsoft.Network/networkSecurityGroups", network.networkSecurityGroups.length],
    ["Microsoft.Network/routeTables", network.routeTables.length],
    ["Microsoft.Network/firewallPolicies", network.firewallPolicies.length],
    ["Microsoft.Network/firewallPolicies/ruleCollectionGroups", network.firewallPolicyRuleCollectionGroups.length],
    ["Microsoft.Network/azureFirewalls", network.azureFirewalls.length],
    ["Microsoft.Network/ipGroups", network.ipGroups.length],
    ["Microsoft.Network/virtualNetworks/subnets", network.subnets.length],
    ["(not read)", network.unread.length],
  ];
  return counts.filter(([, n]) => n > 0).map(([t, n]) => `${t} (${n})`);
}

function parsePeers(peers: readonly string[]): Array<{ cidr: string; set: AddressSet }> {
  return peers.map((p, i) => {
    try {
      const c = parseCidr(p);
      return { cidr: c.text, set: prefixSet([c.text]) };
    } catch (e) {
      throw new RangeError(`peers[${i}]: ${(e as Error).message}`);
    }
  });
}

function familiesOf(cidrs: readonly string[] | undefined): AddressSet {
  if (!cidrs) return ALL_ADDRESSES;
  const fams = new Set(cidrs.map((c) => parseCidr(c, false).family));
  return AddressSet.of({ ...(fams.has(4) ? { v4: ALL_ADDRESSES.v4 } : {}), ...(fams.has(6) ? { v6: ALL_ADDRESSES.v6 } : {}) });
}

/** The families' addresses and, without a file, their tag atoms. */
function universeOf(families: AddressSet, tags: TagSpace): AddressSet {
  const atoms = AddressSet.of({ ...(families.v4.length > 0 ? { t4: tags.allAtoms.t4 } : {}), ...(families.v6.length > 0 ? { t6: tags.allAtoms.t6 } : {}) });
  return families.union(atoms);
}

/** What `VirtualNetwork` may hold beyond the subnet and peers: private space and the prefixes of the subnet's user routes. */
function virtualNetworkMaybe(subject: Subject, tags: TagSpace): AddressSet {
  let set = PRIVATE;
  for (const r of subject.routeTable?.properties.routes ?? []) {
    const prefix = isUnknown(r) ? r : r.properties.addressPrefix;
    if (isUnknown(prefix)) return ALL_ADDRESSES.union(tags.allAtoms);
    try {
      set = set.union(prefixSet([prefix]));
      if (!tags.exact && !prefixSet([prefix]).intersect(PUBLIC).isEmpty()) set = set.union(tags.allAtoms);
    } catch {
      set = set.union(tags.tag(prefix) ?? PUBLIC.union(tags.allAtoms));
      if (!tags.exact) set = set.union(PUBLIC);
    }
  }
  return set;
}

interface SubjectRun {
  readonly subject: Subject;
  readonly tags: TagSpace;
  readonly ctx: AddressContext;
  readonly flowCtx: FlowContext;
  readonly universe: AddressSet;
  /** The lists of rules on the subject's paths, in the order met, whether inbound (for the findings' rule shapes). */
  readonly met: Array<{ readonly rules: readonly WalkRule<string>[]; readonly inbound: boolean }>;
  readonly cache: Map<string, Next>;
  readonly sides: SideMemo;
  /** Numbers of the alternatives and walks of the subject's requirements (`SpecIndex`). */
  readonly index: SpecIndex;
  /** Outcomes of the flows walked, by the number of what decides them (`SpecIndex`): flows that differ in nothing else share them. */
  readonly walks: Array<Walked | undefined>;
  /** Alternatives evaluated (`evaluateAlternative`), by number. */
  readonly alternatives: Array<EvaluatedAlternative | undefined>;
  /** The lists in `met`. */
  readonly remembered: Set<readonly WalkRule<string>[]>;
  /** Walk rules of the NSG by direction and destination view (`nsgRules`). */
  readonly nsgRules: Map<string, readonly WalkRule<NsgOutcome>[]>;
  /** The ports of the flows that pass each direction of the NSG. */
  readonly nsgPorts: NsgPorts;
}

interface Walked {
  readonly name: NameSet;
  readonly outcomes: Outcome[];
}

function remember<O extends string>(run: SubjectRun, rules: readonly WalkRule<O>[], inbound: boolean): readonly WalkRule<O>[] {
  // An NSG's rules of one direction serve every pipeline of the subject: they are noted once.
  if (!run.remembered.has(rules)) {
    run.remembered.add(rules);
    run.met.push({ rules, inbound });
  }
  return rules;
}

/** Sure matches of the rules met, by step key (the first met of a key): the findings look up the inbound rules' and the allows' alone. */
function shapesOf(run: SubjectRun, allowed: ReadonlyMap<string, Allowed>): Map<string, RuleShape> {
  const shapes = new Map<string, RuleShape>();
  for (const { rules, inbound } of run.met) {
    for (const r of rules) {
      const key = stepKey(r.step);
      if ((inbound || allowed.has(key)) && !shapes.has(key)) shapes.set(key, { step: r.step, certain: r.certain as BoxConstraint[], inbound });
    }
  }
  return shapes;
}

/** Over-broad allows: none unless a custom rule let a flow through or the NSG has a custom inbound rule. */
function subjectFindings(run: SubjectRun, allowed: Map<string, Allowed>, needs: Needs): Finding[] {
  const inboundRules = run.subject.nsg ? remember(run, nsgRules(run, "Inbound", undefined), true) : [];
  if (allowed.size === 0 && inboundRules.every((r) => r.step.detail === AZURE_DEFAULT_RULE)) return [];
  const shapes = shapesOf(run, allowed);
  const inbound = inboundRules.map((r) => shapes.get(stepKey(r.step)) as RuleShape);
  return findingsOf(allowed.values(), shapes, needs, run.universe, inbound);
}

/** A layer that may block or pass anything: a value it depends on is not known. */
function unsure(reason: string, step: PathStep, next: Next): Next {
  return (region, trail) => next(region, { ...trail, steps: [...trail.steps, step], causes: [...trail.causes, { reason, step }], maybeBlocked: true, fromInput: true });
}

function dstView(shape: FlowShape, flowDst: AddressSet): DstView {
  return shape.opaqueAddress ? opaqueView(flowDst) : (p) => p;
}

/** One unknown public address: a rule decides it only when it holds every public address or none. */
function opaqueView(flowDst: AddressSet): DstView {
  return (p, rule) => {
    const certain = p.certain.contains(flowDst) ? p.certain : AddressSet.EMPTY;
    // The walk's regions lie inside the flow's destination: of them, the rule may match all (its set with flowDst adds nothing there).
    const possible = p.possible.overlaps(flowDst) ? flowDst : AddressSet.EMPTY;
    const partial = !possible.isEmpty() && certain.isEmpty();
    return { certain, possible, ...(partial ? { reasons: [`the FQDN's address is not known offline, and ${rule} decides some public addresses, not all`] } : {}) };
  };
}

function subnetName(s: Subnet | undefined, fallback: string): string {
  return s ? `${typeof s.virtualNetworkName === "string" ? s.virtualNetworkName : "(vnet)"}/${typeof s.name === "string" ? s.name : "(subnet)"}` : fallback;
}

/** The subnet's way out for traffic routed to the Internet: a NAT gateway, default outbound access, or none. */
function egress(subject: Subject): Next {
  const s = subject.subnet;
  if (!s) return arrive;
  const name = subnetName(s, subject.name);
  const nat = s.properties.natGateway;
  const step = (rule: string, action: string, detail: string): PathStep => ({ layer: "subnet", resource: name, rule, action, detail });
  if (nat) {
    const id = nat.id;
    if (isUnknown(id)) return unsure(describeUnknown(id), step("natGateway", "(unknown)", "the subnet's NAT gateway"), arrive);
    const by = step("natGateway", "Allow", `out through NAT gateway ${id.split("/").pop() ?? id}`);
    return (region, trail) => arrive(region, { ...trail, steps: [...trail.steps, by], fromInput: true });
  }
  const doa = s.properties.defaultOutboundAccess;
  if (isUnknown(doa)) return unsure(describeUnknown(doa), step("defaultOutboundAccess", "(unknown)", "the subnet's default outbound access"), arrive);
  if (doa === false) {
    const by = step("defaultOutboundAccess", "Deny", "defaultOutboundAccess is false and the subnet has no NAT gateway: no way out to the Internet");
    return (region, trail) => blocked(region, trail, by, true);
  }
  return (region, trail) => arrive(region, { ...trail, steps: [...trail.steps, step("defaultOutboundAccess", "Allow", "default outbound access")], fromInput: true });
}

function nsgStage(run: SubjectRun, direction: "Inbound" | "Outbound", shape: FlowShape, flowDst: AddressSet, next: Next): Next {
  const { subject } = run;
  if (subject.nsgUnknown) return unsure(subject.nsgUnknown, { layer: "nsg", resource: "(unknown NSG)", rule: "(all rules)", direction, action: "(unknown)" }, next);
  if (!subject.nsg) return next;
  const rules = remember(run, nsgRules(run, direction, shape.opaqueAddress ? flowDst : undefined), direction === "Inbound");
  return filterStage(rules, true, next);
}

/** The NSG's rules of one direction as one flow destination sees them (any destination unless the address is opaque), built once per subject. */
function nsgRules(run: SubjectRun, direction: "Inbound" | "Outbound", opaqueDst: AddressSet | undefined): readonly WalkRule<NsgOutcome>[] {
  const key = `${direction}:${opaqueDst ? idOf(opaqueDst) : ""}`;
  let rules = run.nsgRules.get(key);
  if (!rules) {
    const view = opaqueDst ? opaqueView(opaqueDst) : undefined;
    rules = nsgWalkRules(run.subject.nsg as CompiledNsg, direction, run.ctx, { ...(view ? { dstView: view } : {}), memo: run.sides, ports: run.nsgPorts[direction] });
    run.nsgRules.set(key, rules);
  }
  return rules;
}

function firewallStage(run: SubjectRun, shape: FlowShape, flowDst: AddressSet, hop: string, next: Next): Next {
  const { subject, ctx } = run;
  if (subject.firewallUnknown) return unsure(subject.firewallUnknown, { layer: "firewall", resource: "(unknown firewall)", rule: "(all rules)", action: "(unknown)" }, next);
  if (!subject.firewall) {
    return unsure(`next hop ${hop}: the virtual appliance is not in the input`, { layer: "route", resource: "(virtual appliance)", rule: hop, action: "VirtualAppliance" }, next);
  }
  const view = dstView(shape, flowDst);
  const rules = remember(run, firewallWalkRules(subject.firewall, ctx, shape, view), false);
  return filterStage(rules, true, next);
}

/** What a flow's keys are made of, once per flow spec (the specs are shared by the subjects of a space). */
interface SpecKeys {
  /** What picks the flow's pipeline. */
  readonly pipeline: string;
  /** What decides the flow's walk without a firewall, and with one (where its name matters too). */
  readonly walk: string;
  readonly walkByName: string;
}

const SPEC_KEYS = new WeakMap<FlowSpec, SpecKeys>();

function keysOf(spec: FlowSpec): SpecKeys {
  return memoized(SPEC_KEYS, spec, () => {
    const { kind, shape } = spec;
    const rest = `${idOf(spec.src)}:${idOf(spec.dst)}:${spec.ports.join(",")}`;
    return {
      pipeline: `${kind}:${shape.byName}:${shape.opaqueAddress}:${shape.https}`,
      walk: `${kind}:${shape.opaqueAddress}::${rest}`,
      walkByName: `${kind}:${shape.opaqueAddress}:${shape.byName}:${shape.https}:${idOf(spec.name)}:${rest}`,
    };
  });
}

function pipeline(run: SubjectRun, spec: FlowSpec): Next {
  const key = keysOf(spec).pipeline;
  const cached = run.cache.get(key);
  if (cached) return cached;
  const built = buildPipeline(run, spec.kind, spec.shape, spec.dst);
  run.cache.set(key, built);
  return built;
}

function buildPipeline(run: SubjectRun, kind: FlowKind, shape: FlowShape, flowDst: AddressSet): Next {
  const { subject } = run;
  const nsgIn = passesNsg(kind, "Inbound") ? nsgStage(run, "Inbound", shape, flowDst, arrive) : arrive;
  if (kind === "from-peer") return nsgIn;
  const afterRoute = kind === "outbound" ? arrive : kind === "within-subnet" ? nsgIn : arrive;
  const branch = (hop: RouteOutcome, step: PathStep): Next => {
    switch (hop) {
      case "Internet":
        return kind === "outbound" ? egress(subject) : (r, t) => blocked(r, t, step, true);
      case "VirtualAppliance":
        return firewallStage(run, shape, flowDst, step.action, afterRoute);
      case "None":
        return (r, t) => blocked(r, t, step, true);
      case "VnetLocal":
      case "VNetPeering":
        return kind === "outbound" ? (r, t) => blocked(r, t, { ...step, detail: `${step.detail ?? ""}: the destination is not in the virtual network` }, true) : afterRoute;
      case "VirtualNetworkGateway":
        return unsure("next hop VirtualNetworkGateway: what happens beyond the gateway is not in the input", step, afterRoute);
      case "ServiceEndpoint":
        return afterRoute;
    }
  };
  let routed: Next;
  if (subject.routesInInput || subject.routeTableUnknown) {
    const rules = routeWalkRules(
      {
        ...(subject.routeTable ? { table: subject.routeTable, tableName: subject.routeTableName ?? "(route table)" } : {}),
        ...(subject.routeTableUnknown ? { tableUnknown: subject.routeTableUnknown } : {}),
        subnetName: subnetName(subject.subnet, subject.name),
        ...(run.flowCtx.subnet.part("cluster").length === 0 ? { subnetLength: subnetLengthOf(run.flowCtx.subnetText) } : {}),
        peers: run.flowCtx.peers,
        ...(subject.subnet?.properties.serviceEndpoints ? { endpoints: subject.subnet.properties.serviceEndpoints } : {}),
      },
      run.ctx,
    );
    routed = routeStage(rules, true, branch);
  } else if (kind === "outbound" && subject.firewallAssumed) routed = firewallStage(run, shape, flowDst, "(assumed)", arrive);
  else routed = afterRoute;
  return nsgStage(run, "Outbound", shape, flowDst, routed);
}

/** Whether a flow of this kind meets the NSG's rules of this direction (`buildPipeline`): inbound within the subnet and from peers, outbound unless from a peer. */
function passesNsg(kind: FlowKind, direction: "Inbound" | "Outbound"): boolean {
  return direction === "Inbound" ? kind === "within-subnet" || kind === "from-peer" : kind !== "from-peer";
}

type NsgPorts = Readonly<Record<"Inbound" | "Outbound", NumRanges>>;

const NSG_PORTS = new WeakMap<readonly RequirementSpec[], NsgPorts>();

/** The ports of the flows that meet each direction of an NSG, once per list of flows. */
function nsgPortsOf(specs: readonly RequirementSpec[]): NsgPorts {
  return memoized(NSG_PORTS, specs, () => {
    const ports = { Inbound: [] as NumRanges, Outbound: [] as NumRanges };
    for (const f of specs.flatMap((r) => r.alternatives.flatMap((a) => a.flows))) {
      for (const d of ["Inbound", "Outbound"] as const) if (passesNsg(f.kind, d)) ports[d] = unionRanges(ports[d], f.ports);
    }
    return ports;
  });
}

function subnetLengthOf(text: string): number | undefined {
  const lengths = text.split(", ").map((c) => Number(c.slice(c.lastIndexOf("/") + 1)));
  return lengths.every(Number.isFinite) ? Math.min(...lengths) : undefined;
}

interface EvaluatedAlternative {
  readonly verdict: AlternativeVerdict;
  /** Each flow's outcomes, in the order of its flows. */
  readonly outcomes: readonly (readonly Outcome[])[];
}

/** An alternative's verdict, once per subject: requirements that share an alternative share its verdict. */
function evaluateAlternative(run: SubjectRun, alt: AlternativeSpec): EvaluatedAlternative {
  const n = run.index.alternatives.get(alt) as number;
  let done = run.alternatives[n];
  if (!done) {
    // Made at their size: a list grown by push from empty takes room for 17.
    const flows = new Array<FlowVerdict>(alt.flows.length);
    const outcomes = new Array<readonly Outcome[]>(alt.flows.length);
    for (let i = 0; i < alt.flows.length; i++) {
      const f = alt.flows[i] as FlowSpec;
      const walked = f.notAuditable || f.unknown ? NO_OUTCOMES : walkedOutcomes(run, f);
      flows[i] = flowVerdict(f, walked, run.tags);
      outcomes[i] = walked;
    }
    const { verdict, mayBeOpen } = alternativeVerdict(flows);
    done = { verdict: { kind: alt.kind, label: alt.label, verdict, mayBeOpen, flows }, outcomes };
    run.alternatives[n] = done;
  }
  return done;
}

/** The outcomes of a flow that is not walked (not auditable, or unknown before any layer). */
const NO_OUTCOMES: readonly Outcome[] = Object.freeze([]);

const IDS = new WeakMap<object, number>();
let nextId = 0;

/** A number per object, for keys made of identities (sets are shared, never mutated). */
function idOf(o: object): number {
  let id = IDS.get(o);
  if (id === undefined) {
    id = nextId++;
    IDS.set(o, id);
  }
  return id;
}

/** Without a firewall no stage matches host names: a flow's name rides along unchanged, and flows that differ only in it walk alike. */
function namesDecide(run: SubjectRun): boolean {
  return run.subject.firewall !== undefined || run.subject.firewallUnknown !== undefined;
}

function walkedOutcomes(run: SubjectRun, spec: FlowSpec): Outcome[] {
  const n = (namesDecide(run) ? run.index.walksByName : run.index.walks).get(spec) as number;
  const known = run.walks[n];
  if (known) {
    const renamed = known.name === spec.name ? known.outcomes : withName(known, spec.name);
    if (renamed) return renamed;
  }
  const outcomes = pipeline(run, spec)(box(spec.src, spec.dst, spec.name, spec.ports), START);
  if (!known) run.walks[n] = { name: spec.name, outcomes };
  return outcomes;
}

/** The same outcomes for a flow of another name; undefined when a part does not carry the walked flow's name whole. */
function withName(walked: Walked, name: NameSet): Outcome[] | undefined {
  const out = new Array<Outcome>(walked.outcomes.length);
  for (let i = 0; i < out.length; i++) {
    const o = walked.outcomes[i] as Outcome;
    if (o.region.some((b) => b.name !== walked.name)) return undefined;
    out[i] = { ...o, region: o.region.map((b) => ({ ...b, name })) };
  }
  return out;
}

/** The needs of one list of flows (shared by the subjects of one space). */
const NEEDS = new WeakMap<ReturnType<typeof requirementSpecs>, Needs>();

function needsOf(specs: ReturnType<typeof requirementSpecs>, flowCtx: FlowContext): Needs {
  return memoized(NEEDS, specs, () => computeNeeds(specs, flowCtx));
}

function computeNeeds(specs: ReturnType<typeof requirementSpecs>, flowCtx: FlowContext): Needs {
  let outboundDst = AddressSet.EMPTY;
  let outboundNames = NameSet.EMPTY;
  let outboundPorts: NumRanges = [];
  let internalPorts: NumRanges = [];
  for (const r of specs) {
    for (const a of r.alternatives) {
      for (const f of a.flows) {
        if (f.kind === "outbound") {
          if (!f.shape.opaqueAddress) outboundDst = outboundDst.union(f.dst);
          if (f.shape.byName) outboundNames = outboundNames.union(f.name);
          outboundPorts = unionRanges(outboundPorts, f.ports);
        } else internalPorts = unionRanges(internalPorts, f.ports);
      }
    }
  }
  let peers = AddressSet.EMPTY;
  for (const p of flowCtx.peers) peers = peers.union(p.set);
  const internal = flowCtx.subnet.union(peers);
  return { outboundDst, outboundNames, outboundPorts, internalSrc: internal, internalDst: internal, internalPorts };
}

/** Numbers for what a list of requirements holds, made once per list: per subject, what is done is kept in arrays by them. */
interface SpecIndex {
  readonly alternatives: ReadonlyMap<AlternativeSpec, number>;
  /** Each flow's walk by what decides it without a firewall (`SpecKeys.walk`), and with one (`walkByName`). */
  readonly walks: ReadonlyMap<FlowSpec, number>;
  readonly walksByName: ReadonlyMap<FlowSpec, number>;
  readonly walkCount: number;
}

const SPEC_INDEXES = new WeakMap<readonly RequirementSpec[], SpecIndex>();

function specIndex(specs: readonly RequirementSpec[]): SpecIndex {
  return memoized(SPEC_INDEXES, specs, () => {
    const alternatives = new Map<AlternativeSpec, number>();
    const walks = new Map<FlowSpec, number>();
    const walksByName = new Map<FlowSpec, number>();
    const byKey = new Map<string, number>();
    const numberOf = (key: string): number => byKey.get(key) ?? (byKey.set(key, byKey.size), byKey.size - 1);
    for (const alt of specs.flatMap((r) => r.alternatives)) {
      if (!alternatives.has(alt)) alternatives.set(alt, alternatives.size);
      for (const f of alt.flows) {
        walks.set(f, numberOf(keysOf(f).walk));
        walksByName.set(f, numberOf(keysOf(f).walkByName));
      }
    }
    return { alternatives, walks, walksByName, walkCount: byKey.size };
  });
}

/** Every evaluated flow with its outcomes (for tests that check each part of a flow against an oracle). */
export interface FlowTrace {
  readonly subject: string;
  readonly ruleId: string;
  readonly alternative: string;
  readonly spec: FlowSpec;
  readonly outcomes: readonly Outcome[];
  readonly verdict: FlowVerdict;
}

/** The flows depend on the rules and the flow context only: subjects that share a space (one context object) share them. */
const SPECS = new WeakMap<FlowContext, WeakMap<ResolvedRules, ReturnType<typeof requirementSpecs>>>();

function specsFor(resolved: ResolvedRules, flowCtx: FlowContext): ReturnType<typeof requirementSpecs> {
  return memoized(submap(SPECS, flowCtx), resolved, () => requirementSpecs(resolved, flowCtx));
}

const ORDERS = new WeakMap<readonly RequirementSpec[], readonly number[]>();

/** The requirements' order in a report (by rule id, stable), once per list of flows. */
function reportOrder(specs: readonly RequirementSpec[]): readonly number[] {
  return memoized(ORDERS, specs, () => specs.map((_, i) => i).sort((a, b) => compareStrings((specs[a] as RequirementSpec).ruleId, (specs[b] as RequirementSpec).ruleId) || a - b));
}

/** What a subject's addresses are: its subnet, peers and families, the address context of its rules, the flows' context. */
interface SubjectSpace {
  readonly cluster: { cidrs: string[]; set: AddressSet } | undefined;
  readonly ctx: AddressContext;
  readonly flowCtx: FlowContext;
  readonly universe: AddressSet;
}

/** Subjects of one subnet and peers, without user routes (`VirtualNetwork` the same), share one space: its sets and projections are computed once. */
const SPACES = new WeakMap<TagSpace, Map<string, SubjectSpace>>();

function subjectSpace(subject: Subject, options: EvaluateOptions, tags: TagSpace, peers: ReadonlyArray<{ cidr: string; set: AddressSet }>): SubjectSpace {
  const cidrs = options.resolved.subnet ? [options.resolved.subnet.cidr] : subject.subnetPrefixes;
  const shareable = (subject.routeTable?.properties.routes.length ?? 0) === 0;
  const key = `${cidrs?.join(",") ?? ""}\u0000${peers.map((p) => p.cidr).join(",")}`;
  let byKey = SPACES.get(tags);
  if (!byKey) {
    byKey = new Map();
    SPACES.set(tags, byKey);
  }
  const shared = shareable ? byKey.get(key) : undefined;
  if (shared) return shared;
  const space = newSubjectSpace(subject, options, tags, peers);
  if (shareable) byKey.set(key, space);
  return space;
}

function newSubjectSpace(subject: Subject, options: EvaluateOptions, tags: TagSpace, peers: ReadonlyArray<{ cidr: string; set: AddressSet }>): SubjectSpace {
  const cluster = clusterSubnet(options.resolved, subject);
  const subnet = cluster ? cluster.set : CLUSTER_POINT;
  const families = familiesOf(cluster?.cidrs);
  const universe = universeOf(families, tags).union(CLUSTER_POINT);
  let peerSet = AddressSet.EMPTY;
  for (const p of peers) peerSet = peerSet.union(p.set);
  const ctx: AddressContext = {
    tags,
    subnet,
    peers: peerSet,
    virtualNetworkMaybe: virtualNetworkMaybe(subject, tags),
    virtualNetworkWhy: "VirtualNetwork holds the virtual network's address space, connected networks and the prefixes of user-defined routes; the input gives only the cluster subnet and its peers",
  };
  const flowCtx: FlowContext = { tags, subnet, subnetText: cluster ? cluster.cidrs.join(", ") : "the cluster subnet", peers, universe: universeOf(families, tags) };
  return { cluster, ctx, flowCtx, universe };
}

function runSubject(subject: Subject, options: EvaluateOptions, tags: TagSpace, peers: ReadonlyArray<{ cidr: string; set: AddressSet }>, trace?: (t: FlowTrace) => void): SubjectReport {
  forgetSteps();
  const { cluster, ctx, flowCtx, universe } = subjectSpace(subject, options, tags, peers);
  const specs = specsFor(options.resolved, flowCtx);
  const index = specIndex(specs);
  const run: SubjectRun = { subject, tags, ctx, flowCtx, universe, met: [], cache: new Map(), sides: new Map(), index, walks: new Array<Walked | undefined>(index.walkCount), alternatives: new Array<EvaluatedAlternative | undefined>(index.alternatives.size), remembered: new Set(), nsgRules: new Map(), nsgPorts: nsgPortsOf(specs) };
  const allowed = new Map<string, Allowed>();
  const requirements: RequirementVerdict[] = [];
  for (const req of specs) requirements.push(evaluateRequirement(run, req, allowed, trace));
  const findings = subjectFindings(run, allowed, needsOf(specs, flowCtx));
  const notes = [...subject.notes];
  if (!tags.exact) notes.push(`service tags compared through the ${tags.description}`);
  const sp = subject.subnet?.properties;
  if (sp && !sp.natGateway && sp.defaultOutboundAccess === undefined) notes.push(`subnet ${subnetName(subject.subnet, subject.name)} sets no defaultOutboundAccess and has no NAT gateway: traffic to the Internet uses Azure's default outbound access, which Azure retires for new virtual networks`);
  if (!cluster) notes.push("the cluster subnet's prefix is neither given (--subnet) nor in the input: rules that name prefixes may or may not hold it");
  return {
    subject: subject.name,
    kind: subject.kind,
    layers: {
      ...(subject.nsg ? { nsg: subject.nsg.name } : {}),
      ...(subject.routeTableName ? { routeTable: subject.routeTableName } : {}),
      ...(subject.firewall ? { firewall: subject.firewall.name } : {}),
      ...(subject.subnet ? { subnet: subnetName(subject.subnet, subject.name) } : {}),
    },
    requirements: reportOrder(specs).map((i) => requirements[i] as RequirementVerdict),
    findings,
    notes,
  };
}

/** A requirement's verdict, noting what its flows' allows let through. */
function evaluateRequirement(run: SubjectRun, req: RequirementSpec, allowed: Map<string, Allowed>, trace: ((t: FlowTrace) => void) | undefined): RequirementVerdict {
  const alternatives = new Array<AlternativeVerdict>(req.alternatives.length);
  for (let a = 0; a < req.alternatives.length; a++) {
    const alt = req.alternatives[a] as AlternativeSpec;
    const done = evaluateAlternative(run, alt);
    for (let i = 0; i < alt.flows.length; i++) {
      const f = alt.flows[i] as FlowSpec;
      const outcomes = done.outcomes[i] as readonly Outcome[];
      trace?.({ subject: run.subject.name, ruleId: req.ruleId, alternative: alt.label, spec: f, outcomes, verdict: done.verdict.flows[i] as FlowVerdict });
      noteAllowed(allowed, outcomes, req.ruleId, f.kind === "outbound");
    }
    alternatives[a] = done.verdict;
  }
  return requirementVerdict(req.ruleId, req.kind, alternatives);
}

/** The custom allows (NSG and firewall rules) that let a flow's parts through, by step key, with the requirement and where. */
function noteAllowed(allowed: Map<string, Allowed>, outcomes: readonly Outcome[], ruleId: string, outbound: boolean): void {
  for (const o of outcomes) {
    if (o.fates === 2) continue;
    for (const s of o.steps) {
      if ((s.layer !== "nsg" && s.layer !== "firewall") || s.action !== "Allow" || s.detail === AZURE_DEFAULT_RULE) continue;
      const key = stepKey(s);
      let a = allowed.get(key);
      if (!a) {
        a = { step: s, ruleIds: new Set<string>(), internal: false, outbound: false };
        allowed.set(key, a);
      }
      a.ruleIds.add(ruleId);
      if (outbound) a.outbound = true;
      else a.internal = true;
    }
  }
}

/** The summary counted subject by subject, as they are made. */
class SummaryCounter {
  private readonly counts: Record<Verdict, number> = { open: 0, "partly-open": 0, blocked: 0, unknown: 0, "not-auditable": 0 };
  private warnings = 0;
  subjects = 0;

  add(subject: SubjectReport): void {
    for (const r of subject.requirements) countVerdict(this.counts, r.status);
    this.warnings += subject.findings.length;
    this.subjects += 1;
  }

  summary(): AuditSummary {
    const c = this.counts;
    return { open: c.open, partlyOpen: c["partly-open"], blocked: c.blocked, unknown: c.unknown, notAuditable: c["not-auditable"], warnings: this.warnings };
  }
}

export function auditStatus(summary: AuditSummary, subjects: number, failOn: FailOn): AuditStatus {
  if (subjects === 0) return "nothing-to-audit";
  return summaryFails(summary, failOn) ? "fail" : "pass";
}

/** The whole report from a stream of subjects: its outline with the subjects before the summary (the report's key order). */
export function collectReport(stream: SubjectStream): AuditReport {
  const subjects: SubjectReport[] = [];
  let next = stream.next();
  for (; !next.done; next = stream.next()) subjects.push(next.value);
  const { summary, format, ...head } = next.value;
  return { ...head, subjects, summary, ...(format !== undefined ? { format } : {}) };
}

/** Every required flow of `options.resolved` through the network, as Azure decides it. Pure. */
export function evaluateNetwork(network: AzureNetwork, options: EvaluateOptions): AuditReport {
  return evaluateWithTrace(network, options);
}

/**
 * `evaluateNetwork` subject by subject: yields each subject's report as it is made and returns the outline
 * (status, summary and the rest of the report but its subjects) after the last one. Holds no subject it
 * has yielded. Pure; the options are checked when it is called, before the first subject.
 */
export function evaluateSubjects(network: AzureNetwork, options: EvaluateOptions): SubjectStream {
  return subjectStream(network, options);
}

/** `evaluateNetwork`, calling `trace` with each flow's outcomes (not part of the package's API). */
export function evaluateWithTrace(network: AzureNetwork, options: EvaluateOptions, trace?: (t: FlowTrace) => void): AuditReport {
  return collectReport(subjectStream(network, options, trace));
}

function subjectStream(network: AzureNetwork, options: EvaluateOptions, trace?: (t: FlowTrace) => void): SubjectStream {
  const tags = tagSpaceFor(options.serviceTags);
  const peers = parsePeers(options.peers ?? []);
  const pending: Array<SubjectPlan | undefined> = subjectsOf(network, options.resolved);
  const resolved: ResolvedRules = options.resolved;
  const head = {
    revision: resolved.revision.id,
    regions: resolved.regions,
    subnet: resolved.subnet?.cidr ?? null,
    peers: peers.map((p) => p.cidr),
    serviceTags: tags.exact ? { source: "file" as const, changeNumber: tags.changeNumber } : { source: "bundled-table" as const, changeNumber: tags.changeNumber },
    found: foundIn(network),
  };
  return (function* run(): SubjectStream {
    const counter = new SummaryCounter();
    // Each subject is let go once evaluated: what its walk compiled and remembered goes with it.
    for (let i = 0; i < pending.length; i++) {
      const subject = compileSubject(pending[i] as SubjectPlan);
      pending[i] = undefined;
      const report = runSubject(subject, options, tags, peers, trace);
      counter.add(report);
      yield report;
    }
    const summary = counter.summary();
    return { status: auditStatus(summary, counter.subjects, options.failOn ?? "gap"), ...head, summary };
  })();
}

/**
 * The optimised evaluator against the straightforward one it replaced (`reference-evaluator/`, kept verbatim):
 * on generated networks (NSGs with random priorities, equal ones included, allows and denies over tags of the
 * vendored file, prefixes, VirtualNetwork, Internet, *, application security groups, port ranges and lists,
 * values the input does not give; subnets, route tables, firewall policies), several subjects in one network
 * and many audits in one process (what the caches share), with and without the service-tags file, with and
 * without a subnet and peers, both give the same report, field by field, and the same parts of each flow.
 *
 *   FC_NUM_RUNS=2000 npx vitest run packages/azure/test/evaluate-reference.property.test.ts
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveRules, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { evaluateNetwork, evaluateWithTrace, type FlowTrace } from "../src/evaluate/evaluate.js";
import { defaultSecurityRules, emptyNetwork, type AzureNetwork, type FirewallPolicyRule, type FirewallPolicyRuleCollectionGroup, type NetworkSecurityGroup, type Route, type RouteTable, type SecurityRule, type Subnet } from "../src/model.js";
import { unknownValue, type Maybe } from "../src/unknown.js";
import { CLUSTER_SUBNET_PARAMETER } from "../src/plan/firewall-policy.js";
import * as reference from "./reference-evaluator/index.js";
import { readdirSync } from "node:fs";
import { readNetwork } from "../src/read/index.js";
import { boxHolding, type Box } from "../src/evaluate/region.js";
import type { Part } from "../src/evaluate/address-set.js";
import { boxHolding as referenceBoxHolding } from "./reference-evaluator/region.js";
import { caseInput, corpusCases } from "./corpus.js";
import { FIXTURES, fixture, serviceTags } from "./evaluate-helpers.js";

/** The slow reference sets the pace, so a deep run (FC_NUM_RUNS=10000) stops at 1,000 cases here. */
const RUNS = Math.min(Number(process.env.FC_NUM_RUNS ?? 300), 1_000);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
/** Both evaluators run each case; the slow reference sets the pace (about 0.2 s a case on a loaded machine). */
const TIMEOUT = Math.max(120_000, RUNS * 1_000);

const TAGS = ["Storage", "Storage.EastUS", "Storage.WestEurope", "AzureCloud", "AzureCloud.EastUS", "AzureKeyVault", "AzureKeyVault.EastUS", "EventHub", "AzureMonitor", "AzureActiveDirectory", "AzureResourceManager", "ApiManagement", "Sql", "AzureFrontDoor.FirstParty", "GuestAndHybridManagement", "AzureLoadBalancer", "NoSuchTag"];
const PREFIXES = ["13.64.0.0/11", "20.0.0.0/8", "20.38.98.0/24", "40.64.0.0/10", "52.239.0.0/16", "0.0.0.0/0", "10.0.0.0/8", "10.9.0.0/24", "10.9.0.0/25", "10.9.0.128/25", "10.9.0.0/16", "10.20.0.0/16", "192.168.0.0/16", "::/0", "2603:1000::/24", "20.60.0.0/16", "168.63.129.16", "20.150.0.0/15"];
const unknown = (what: string) => unknownValue(`gen.${what}`, "generated as not known");

const address: fc.Arbitrary<Maybe<string> | typeof CLUSTER_SUBNET_PARAMETER> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...TAGS) },
  { weight: 5, arbitrary: fc.constantFrom(...PREFIXES) },
  { weight: 3, arbitrary: fc.constantFrom("*", "Internet", "VirtualNetwork") },
  { weight: 1, arbitrary: fc.constantFrom(unknown("address"), "not an address!", CLUSTER_SUBNET_PARAMETER) },
);
const port: fc.Arbitrary<Maybe<string>> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("*", "443", "444", "7001", "9042", "8443", "7199", "9443") },
  { weight: 3, arbitrary: fc.constantFrom("440-450", "7000-9100", "0-1023", "1024-65535", "443-444", "9000-9500") },
  { weight: 1, arbitrary: fc.constantFrom(unknown("port"), "http") },
);
const oneOrMany = <T>(a: fc.Arbitrary<T>, one: string, many: string): fc.Arbitrary<Record<string, T | T[]>> =>
  fc.oneof(a.map((v) => ({ [one]: v })), fc.array(a, { minLength: 1, maxLength: 3 }).map((v) => ({ [many]: v })));

const securityRule: fc.Arbitrary<Maybe<SecurityRule>> = fc.oneof(
  { weight: 30, arbitrary: fc
    .record({
      name: fc.constantFrom("a", "b", "c", "d", "e", "f", "g"),
      priority: fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 100, max: 140 }) }, { weight: 1, arbitrary: fc.constant(unknown("priority")) }),
      direction: fc.oneof({ weight: 12, arbitrary: fc.constantFrom<"Inbound" | "Outbound">("Inbound", "Outbound", "Outbound") }, { weight: 1, arbitrary: fc.constant(unknown("direction")) }),
      access: fc.oneof({ weight: 12, arbitrary: fc.constantFrom<"Allow" | "Deny">("Allow", "Deny") }, { weight: 1, arbitrary: fc.constant(unknown("access")) }),
      protocol: fc.oneof({ weight: 12, arbitrary: fc.constantFrom<"Tcp" | "Udp" | "*" | "Icmp">("Tcp", "*", "*", "Udp", "Icmp") }, { weight: 1, arbitrary: fc.constant(unknown("protocol")) }),
      src: oneOrMany(address, "sourceAddressPrefix", "sourceAddressPrefixes"),
      dst: oneOrMany(address, "destinationAddressPrefix", "destinationAddressPrefixes"),
      ports: oneOrMany(port, "destinationPortRange", "destinationPortRanges"),
      sourcePort: fc.constantFrom<Maybe<string>>("*", "*", "*", "*", "1024-65535"),
      asg: fc.constantFrom(undefined, undefined, undefined, undefined, undefined, "source", "destination"),
    })
    .map(({ name, priority, direction, access, protocol, src, dst, ports, sourcePort, asg }) => {
      const groups = [{ id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/applicationSecurityGroups/asg-1" }];
      const properties = { priority, direction, access, protocol, sourcePortRange: sourcePort, ...src, ...dst, ...ports, ...(asg === "source" ? { sourceApplicationSecurityGroups: groups } : asg === "destination" ? { destinationApplicationSecurityGroups: groups } : {}) };
      return { name, properties } as SecurityRule;
    }) },
  { weight: 1, arbitrary: fc.constant(unknown("rule")) },
);

const nsgs: fc.Arbitrary<NetworkSecurityGroup[]> = fc.array(fc.array(securityRule, { maxLength: 12 }), { minLength: 0, maxLength: 3 }).map((lists) =>
  lists.map((rules, i) => ({ name: `nsg-${i}`, properties: { securityRules: rules.map((r, k) => (typeof r === "object" && "properties" in r ? { ...r, name: `${String(r.name)}${k}` } : r)), defaultSecurityRules: defaultSecurityRules() } })),
);

const route: fc.Arbitrary<Route> = fc.record({
  name: fc.constantFrom("r1", "r2", "r3"),
  properties: fc.record({
    addressPrefix: fc.constantFrom<Maybe<string>>("0.0.0.0/0", "20.0.0.0/8", "Storage", "Storage.EastUS", "AzureCloud", "10.9.0.0/16", "10.0.0.0/8", "40.64.0.0/10", unknown("routePrefix")),
    nextHopType: fc.constantFrom<Route["properties"]["nextHopType"]>("Internet", "VirtualAppliance", "None", "VnetLocal", "VirtualNetworkGateway", unknown("nextHop")),
  }),
});
const routeTables: fc.Arbitrary<RouteTable[]> = fc.array(fc.array(route, { maxLength: 4 }), { maxLength: 1 }).map((ts) => ts.map((routes, i) => ({ name: `rt-${i}`, properties: { routes: routes.map((r, k) => ({ ...r, name: `${String(r.name)}-${k}` })) } })));

const fwRule: fc.Arbitrary<FirewallPolicyRule> = fc.oneof(
  fc.record({
    ruleType: fc.constant<"NetworkRule">("NetworkRule"),
    name: fc.constantFrom("n1", "n2"),
    ipProtocols: fc.constantFrom<Array<"TCP" | "Any" | "UDP">>(["TCP"], ["Any"], ["UDP"]),
    sourceAddresses: fc.constantFrom(["*"], ["10.9.0.0/24"], ["10.20.0.0/16"]),
    destinationAddresses: fc.array(fc.constantFrom("Storage", "AzureCloud", "20.0.0.0/8", "*", "AzureKeyVault.EastUS"), { minLength: 1, maxLength: 2 }),
    destinationPorts: fc.constantFrom(["443"], ["*"], ["7000-9100"]),
  }),
  fc.record({
    ruleType: fc.constant<"ApplicationRule">("ApplicationRule"),
    name: fc.constantFrom("a1", "a2"),
    sourceAddresses: fc.constantFrom(["*"], ["10.9.0.0/24"]),
    protocols: fc.constant([{ protocolType: "Https" as const, port: 443 }]),
    targetFqdns: fc.array(fc.constantFrom("*.blob.core.windows.net", "*", "management.azure.com", "*.vault.azure.net", "login.microsoftonline.com"), { minLength: 1, maxLength: 2 }),
  }),
);
const ruleGroups: fc.Arbitrary<FirewallPolicyRuleCollectionGroup[]> = fc.array(
  fc.array(fc.record({ priority: fc.integer({ min: 100, max: 300 }), action: fc.constantFrom<"Allow" | "Deny">("Allow", "Deny"), rules: fc.array(fwRule, { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 3 }),
  { maxLength: 1 },
).map((gs) =>
  gs.map((cols, i) => ({
    firewallPolicyName: "fw-policy",
    name: `group-${i}`,
    properties: { priority: 100 + i, ruleCollections: cols.map((c, k) => ({ ruleCollectionType: "FirewallPolicyFilterRuleCollection" as const, name: `col-${k}`, priority: c.priority, action: { type: c.action }, rules: c.rules })) },
  })),
);

function subnetsFor(count: number, nsgCount: number, tableCount: number, opts: { prefix: number; nat: boolean; doa: number; endpoint: boolean }): Subnet[] {
  return Array.from({ length: count }, (_, i) => ({
    virtualNetworkName: "vnet",
    name: `subnet-${i}`,
    properties: {
      addressPrefix: ["10.9.0.0/24", "10.20.1.0/24", "10.9.0.0/16"][(opts.prefix + i) % 3] as string,
      ...(nsgCount > 0 ? { networkSecurityGroup: { id: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/nsg-${(i + opts.prefix) % (nsgCount + 1)}` } } : {}),
      ...(tableCount > 0 && i === 0 ? { routeTable: { id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/routeTables/rt-0" } } : {}),
      ...(opts.nat ? { natGateway: { id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/natGateways/nat" } } : {}),
      ...(opts.doa === 0 ? { defaultOutboundAccess: false } : opts.doa === 1 ? { defaultOutboundAccess: true } : {}),
      ...(opts.endpoint ? { serviceEndpoints: [{ service: "Microsoft.Storage", locations: ["eastus"] }] } : {}),
    },
  }));
}

const networkCase = fc.record({
  nsgs,
  routeTables,
  ruleGroups,
  subnets: fc.nat({ max: 2 }),
  subnetOpts: fc.record({ prefix: fc.nat({ max: 2 }), nat: fc.boolean(), doa: fc.nat({ max: 2 }), endpoint: fc.boolean() }),
  dnsProxy: fc.boolean(),
  withFile: fc.boolean(),
  subnet: fc.constantFrom<string | undefined>("10.9.0.0/24", "10.9.0.0/24", undefined),
  regions: fc.constantFrom(["eastus"], ["eastus", "westeurope"]),
  peers: fc.constantFrom<string[]>([], [], ["10.30.0.0/16"]),
});
type NetworkCase = typeof networkCase extends fc.Arbitrary<infer T> ? T : never;

const RESOLVED = new Map<string, ResolvedRules>();
function resolvedFor(c: NetworkCase): ResolvedRules {
  const key = `${c.regions.join(",")}|${c.subnet ?? ""}|${c.withFile}`;
  let r = RESOLVED.get(key);
  if (!r) {
    r = resolveRules({ regions: c.regions, ...(c.subnet ? { subnet: c.subnet } : {}), ...(c.withFile ? { serviceTags: serviceTags() } : {}) });
    RESOLVED.set(key, r);
  }
  return r;
}

function networkFor(c: NetworkCase): AzureNetwork {
  return {
    ...emptyNetwork(),
    networkSecurityGroups: c.nsgs,
    routeTables: c.routeTables,
    firewallPolicies: c.ruleGroups.length > 0 ? [{ name: "fw-policy", properties: { dnsSettings: { enableProxy: c.dnsProxy } } }] : [],
    firewallPolicyRuleCollectionGroups: c.ruleGroups,
    subnets: subnetsFor(c.subnets, c.nsgs.length, c.routeTables.length, c.subnetOpts),
  };
}

function compare(c: NetworkCase): void {
  const network = networkFor(c);
  const options = { resolved: resolvedFor(c), ...(c.withFile ? { serviceTags: serviceTags() } : {}), peers: c.peers };
  expect(evaluateNetwork(network, options)).toEqual(reference.evaluateNetwork(network, options));
}

describe("the optimised evaluator gives the reference evaluator's reports", () => {
  it("on generated networks (reports field by field)", () => {
    fc.assert(fc.property(networkCase, compare), { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) });
  }, TIMEOUT);

  it("on generated networks (every part of every flow)", () => {
    fc.assert(
      fc.property(networkCase, (c) => {
        const network = networkFor(c);
        const options = { resolved: resolvedFor(c), ...(c.withFile ? { serviceTags: serviceTags() } : {}), peers: c.peers };
        const mine: FlowTrace[] = [];
        const theirs: FlowTrace[] = [];
        evaluateWithTrace(network, options, (t) => mine.push(t));
        // The reference's sets hold the same fields without the optimised methods, which the comparison does not call.
        reference.evaluateWithTrace(network, options, (t) => theirs.push(t as unknown as FlowTrace));
        // The same parts, however the optimised walk cuts them into boxes.
        expect(regionsEqual(mine, theirs)).toBe(true);
      }),
      { numRuns: Math.max(20, Math.floor(RUNS / 5)), ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  }, TIMEOUT);

  it("on every input of the corpus and the audit fixtures, with and without the service-tags file", () => {
    const inputs = [
      ...corpusCases().map((k) => ({ name: `${k.configuration}: ${k.name}`, ...caseInput(k), regions: [k.region], subnet: k.subnet as string | undefined })),
      ...readdirSync(FIXTURES).filter((f) => f.endsWith(".json")).map((f) => ({ name: f, documents: [fixture(f)], parameters: undefined, regions: ["eastus", "westeurope"], subnet: undefined })),
    ];
    for (const k of inputs) {
      const network = readNetwork(k.documents, k.parameters ? { parameters: k.parameters } : {}).network;
      for (const withFile of [true, false]) {
        for (const subnet of [k.subnet, undefined]) {
          const resolved = resolveRules({ regions: k.regions, ...(subnet ? { subnet } : {}), ...(withFile ? { serviceTags: serviceTags() } : {}) });
          const options = { resolved, ...(withFile ? { serviceTags: serviceTags() } : {}) };
          expect(evaluateNetwork(network, options), `${k.name} ${withFile ? "with" : "without"} the file, subnet ${subnet ?? "not given"}`).toEqual(reference.evaluateNetwork(network, options));
        }
      }
    }
  }, TIMEOUT);
});

/** Whether two traces hold the same flows, with the same verdicts, each cut into the same parts (boxes may differ). */
function regionsEqual(a: readonly FlowTrace[], b: readonly FlowTrace[]): boolean {
  expect(a.map((t) => `${t.subject} ${t.ruleId} ${t.spec.label}`)).toEqual(b.map((t) => `${t.subject} ${t.ruleId} ${t.spec.label}`));
  a.forEach((x, i) => {
    const y = b[i] as FlowTrace;
    expect(x.verdict).toEqual(y.verdict);
    expect(samePoints(x, y)).toBe(true);
  });
  return true;
}

/** The same parts: the same fates, steps and causes, holding the same points (sampled at every box's corners). */
function samePoints(x: FlowTrace, y: FlowTrace): boolean {
  const key = (o: FlowTrace["outcomes"][number]) => JSON.stringify([o.fates, o.steps, o.blockedBy ?? null, o.causes, o.fromInput]);
  const keys = (t: FlowTrace) => [...new Set(t.outcomes.map(key))].sort();
  expect(keys(x)).toEqual(keys(y));
  // x is the optimised evaluator's trace (its sets store IPv4 less 2**31), y the reference's: each side's own boxHolding and ends.
  const optimisedEnds = (s: Box["src"], p: Part) => s.ends(p);
  const referenceEnds = (s: Box["src"], p: Part) => {
    const r = (s as unknown as ReferenceSet).part(p);
    return r.length === 0 ? undefined : ([r[0] as bigint, r[r.length - 1] as bigint] as const);
  };
  const referenceHolding = (region: FlowTrace["outcomes"][number]["region"], point: Point) => referenceBoxHolding(region as unknown as Parameters<typeof referenceBoxHolding>[0], point);
  for (const [from, to, ends, holding] of [[x, y, optimisedEnds, referenceHolding], [y, x, referenceEnds, boxHolding]] as const) {
    for (const o of from.outcomes) {
      for (const point of corners(o.region, ends)) {
        const there = to.outcomes.find((p) => holding(p.region, point) !== undefined);
        expect(there && key(there), `${from.spec.label}: the part holding ${JSON.stringify(point, (_, v) => (typeof v === "bigint" ? String(v) : v))}`).toBe(key(o));
      }
    }
  }
  return true;
}

type Point = Parameters<typeof boxHolding>[1];
type ReferenceSet = { part(p: Part): readonly bigint[] };
const PARTS = ["v4", "v6", "t4", "t6", "cluster"] as const;

/** The lowest and highest point of each box (per address part its first and last address, the first and last port). */
function corners(region: FlowTrace["outcomes"][number]["region"], endsOf: (s: Box["src"], p: Part) => readonly [bigint, bigint] | undefined): Point[] {
  const out: Point[] = [];
  for (const b of region) {
    const ends = (s: typeof b.src) => PARTS.flatMap((p) => { const e = endsOf(s, p); return e === undefined ? [] : [[p, e[0]] as const, [p, e[1]] as const]; });
    const ports = [Number(b.port[0]), Number(b.port[b.port.length - 1])];
    for (const src of ends(b.src)) for (const dst of ends(b.dst)) for (const port of ports) out.push({ src, dst, port });
  }
  return out.slice(0, 64);
}

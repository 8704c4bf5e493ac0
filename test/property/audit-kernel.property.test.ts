/**
 * The kernel as an independent oracle of the evaluator (issue 14, item 5). For generated NSGs (random
 * priorities, allows and denies over tags of the vendored service-tags file, prefixes, VirtualNetwork,
 * Internet, *, port ranges, and Azure's default rules) and generated requirements, the same first-match
 * rules are loaded into ip6tables in a network namespace and flows are probed to sample addresses of each
 * requirement's destination. Each real address is mapped to a documentation-range stand-in (sources in
 * 2001:db8:a::/64, destinations in 2001:db8:b::/64); what a rule's values hold is decided here, by
 * scanning the raw prefixes of the file (not the evaluator's sets), and written as ipsets of stand-ins.
 * The evaluator's decision for each probe (the part of the flow's region that holds it) must agree with
 * the kernel's (accepted: connected; rejected: reset), its verdicts must agree with its parts, and its
 * verdicts without the file must be the same or `unknown`, never more open.
 *
 *   FC_NUM_RUNS=5000 npx vitest run test/property/audit-kernel.property.test.ts   (5x the CI size)
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCidr, resolveRules, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { defaultSecurityRules, emptyNetwork, type NetworkSecurityGroup, type SecurityRule } from "@cassandra-mi-netrules/azure";
import { evaluateWithTrace, type FlowTrace } from "../../packages/azure/src/evaluate/evaluate.js";
import { boxHolding } from "../../packages/azure/src/evaluate/region.js";
import { Netns, PYTHON, startTcpServer, veth, type TcpServer } from "@cassandra-mi-netrules/testkit/netns";
import { numRuns, seed, vendoredServiceTags } from "./arbitraries.js";

const SUBNET = "10.9.0.0/24";
const PORTS = [443, 444, 7001, 8443, 9042];

/* ------------------------------------------------------------------ the oracle's own membership */

interface RawTags {
  readonly v4: ReadonlyMap<string, ReadonlyArray<readonly [bigint, bigint]>>;
}

function rawTags(): RawTags {
  const doc = JSON.parse(readFileSync(new URL("../../vendor/service-tags/ServiceTags_Public_20251028.json", import.meta.url), "utf8")) as { values: Array<{ name: string; properties: { addressPrefixes: string[] } }> };
  const v4 = new Map<string, Array<readonly [bigint, bigint]>>();
  for (const v of doc.values) {
    v4.set(
      v.name.toLowerCase(),
      v.properties.addressPrefixes.filter((p) => !p.includes(":")).map((p) => {
        const c = parseCidr(p, false);
        return [c.start, c.end] as const;
      }),
    );
  }
  return { v4 };
}

const RAW = rawTags();
const inCidr = (cidr: string, a: bigint): boolean => {
  const c = parseCidr(cidr, false);
  return c.family === 4 && c.start <= a && a <= c.end;
};
// Written here apart from the evaluator: the IPv4 special-purpose blocks (not Internet).
const SPECIAL = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3"];

/** Whether an NSG address value holds the IPv4 address `a` (the subnet is the virtual network: no peers, no routes). */
function holds(value: string, a: bigint): boolean {
  const v = value.toLowerCase();
  if (v === "*") return true;
  if (v === "virtualnetwork") return inCidr(SUBNET, a);
  if (v === "internet") return !SPECIAL.some((s) => inCidr(s, a));
  if (v === "azureloadbalancer") return inCidr("168.63.129.16/32", a);
  if (v.includes("/")) return inCidr(v, a);
  return (RAW.v4.get(v) ?? []).some(([s, e]) => s <= a && a <= e);
}

/* ------------------------------------------------------------------------- generators */

const POOL_TAGS = ["AzureCloud", "AzureCloud.eastus", "Storage", "Storage.EastUS", "Storage.WestUS2", "AzureKeyVault", "AzureKeyVault.EastUS", "EventHub", "AzureMonitor", "AzureActiveDirectory", "AzureResourceManager", "Sql", "AzureFrontDoor.FirstParty", "GuestAndHybridManagement", "ApiManagement"];
const ALL_TAGS = [...RAW.v4.keys()].filter((t) => (RAW.v4.get(t)?.length ?? 0) > 0);
const REQUIREMENT_TAGS = ["Storage", "AzureKeyVault", "EventHub", "AzureMonitor", "AzureActiveDirectory", "ApiManagement", "Sql"];

function fmt4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join(".");
}

/** A prefix around one of a tag's prefixes: the prefix itself or a parent up to 8 bits shorter. */
const nearTagPrefix: fc.Arbitrary<string> = fc.tuple(fc.constantFrom(...POOL_TAGS), fc.nat(), fc.integer({ min: 0, max: 8 })).map(([tag, i, widen]) => {
  const list = RAW.v4.get(tag.toLowerCase()) ?? [];
  const [s, e] = list[i % list.length] as readonly [bigint, bigint];
  const len = 32 - Math.round(Math.log2(Number(e - s + 1n)));
  const l = Math.max(8, len - widen);
  const mask = ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - l)) - 1n);
  return `${fmt4(s & mask)}/${l}`;
});

const addressValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...POOL_TAGS) },
  { weight: 1, arbitrary: fc.constantFrom(...ALL_TAGS) },
  { weight: 3, arbitrary: nearTagPrefix },
  { weight: 2, arbitrary: fc.constantFrom("13.64.0.0/11", "40.64.0.0/10", "20.0.0.0/8", "0.0.0.0/0", "10.0.0.0/8") },
  { weight: 2, arbitrary: fc.constantFrom("*", "Internet", "VirtualNetwork") },
  { weight: 2, arbitrary: fc.constantFrom(SUBNET, "10.9.0.0/25", "10.9.0.128/25") },
);

const portValue: fc.Arbitrary<string> = fc.oneof(fc.constant("*"), fc.constantFrom(...PORTS.map(String)), fc.constantFrom("440-450", "7000-9100", "9000-9100", "443-444"));

interface GenRule {
  readonly direction: "Inbound" | "Outbound";
  readonly access: "Allow" | "Deny";
  readonly protocol: "Tcp" | "Udp" | "*";
  readonly src: string[];
  readonly dst: string[];
  readonly ports: string[];
}

const genRule: fc.Arbitrary<GenRule> = fc.record({
  direction: fc.constantFrom<"Inbound" | "Outbound">("Inbound", "Outbound", "Outbound"),
  access: fc.constantFrom<"Allow" | "Deny">("Allow", "Deny"),
  protocol: fc.constantFrom<"Tcp" | "Udp" | "*">("Tcp", "*", "*", "Udp"),
  src: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom("*", "VirtualNetwork", SUBNET, "10.9.0.0/25", "10.9.0.128/25") }, { weight: 1, arbitrary: addressValue }), { minLength: 1, maxLength: 2 }),
  dst: fc.array(addressValue, { minLength: 1, maxLength: 3 }),
  ports: fc.array(portValue, { minLength: 1, maxLength: 2 }),
});

interface GenRequirement {
  readonly kind: "outbound" | "internal";
  readonly tag?: string;
  readonly prefixes: string[];
  readonly ports: number[];
}

const genRequirement: fc.Arbitrary<GenRequirement> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant<"outbound">("outbound"), tag: fc.constantFrom(...REQUIREMENT_TAGS), prefixes: fc.constant<string[]>([]), ports: fc.subarray([443, 444], { minLength: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant<"outbound">("outbound"), prefixes: fc.uniqueArray(fc.oneof(nearTagPrefix, fc.constantFrom("13.104.0.0/14", "40.64.0.0/10", "104.40.0.0/13")), { minLength: 1, maxLength: 2 }), ports: fc.constant<number[]>([443]) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant<"internal">("internal"), prefixes: fc.constant<string[]>([]), ports: fc.subarray([7001, 8443, 9042], { minLength: 1 }) }) },
);

const genCase = fc.record({
  rules: fc.array(genRule, { minLength: 1, maxLength: 10 }),
  priorities: fc.uniqueArray(fc.integer({ min: 100, max: 4096 }), { minLength: 10, maxLength: 10 }),
  requirements: fc.array(genRequirement, { minLength: 1, maxLength: 4 }),
  picks: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
});
type Case = typeof genCase extends fc.Arbitrary<infer T> ? T : never;

const BASE = resolveRules({ regions: ["eastus"], subnet: SUBNET });
const TEMPLATE = BASE.rules.find((r) => r.id === "tag-storage") as ResolvedRule;

function resolvedFor(c: Case): ResolvedRules {
  const index = vendoredServiceTags();
  const rules: ResolvedRule[] = c.requirements.map((g, i) => {
    const regional = g.tag ? index.get(`${g.tag}.EastUS`) : undefined;
    return {
      ...TEMPLATE,
      id: `req-${i}`,
      kind: g.kind,
      protocol: g.kind === "internal" ? "TCP" : "HTTPS",
      ports: [...g.ports].sort((a, b) => a - b).map((p) => ({ from: p, to: p })),
      order: i,
      fqdns: [],
      unresolvedFqdns: [],
      serviceTags: g.tag ? [{ tag: g.tag, global: { name: g.tag, networkFeatures: null }, regional: regional ? [{ name: regional.name, region: "eastus", networkFeatures: null }] : [], regionsWithoutForm: regional ? [] : ["eastus"], regionalOnly: false }] : [],
      prefixes: { ipv4: g.prefixes, ipv6: [] },
    };
  });
  return { ...BASE, rules };
}

function nsgFor(c: Case): NetworkSecurityGroup {
  const rules: SecurityRule[] = c.rules.map((r, i) => ({
    name: `r${i}`,
    properties: {
      priority: c.priorities[i] as number,
      direction: r.direction,
      access: r.access,
      protocol: r.protocol,
      sourcePortRange: "*",
      sourceAddressPrefixes: r.src,
      destinationAddressPrefixes: r.dst,
      destinationPortRanges: r.ports,
    },
  }));
  return { name: "nsg", properties: { securityRules: rules, defaultSecurityRules: defaultSecurityRules() } };
}

/* ------------------------------------------------------------------------------ probes */

interface Probe {
  readonly src: bigint;
  readonly dst: bigint;
  readonly port: number;
  readonly inbound: boolean;
  /** What the evaluator says: 1 passes, 2 blocked. */
  readonly expected: number;
  readonly flow: string;
}

function randomIn(s: bigint, e: bigint, pick: number): bigint {
  return s + (BigInt(pick) % (e - s + 1n));
}

/** Sample destination addresses of a flow: inside a few of the tag's or prefixes' blocks, and the blocked examples. */
function destinations(t: FlowTrace, c: Case, k: { i: number }): bigint[] {
  const next = (): number => c.picks[k.i++ % c.picks.length] as number;
  const out: bigint[] = [];
  if (t.spec.kind === "within-subnet") {
    const s = parseCidr(SUBNET);
    out.push(randomIn(s.start + 1n, s.end - 1n, next()), randomIn(s.start + 1n, s.end - 1n, next()));
  } else {
    const blocks = t.spec.countTag ? (RAW.v4.get(t.spec.countTag.toLowerCase()) ?? []) : (t.spec.countPrefixes ?? []).map((p) => [parseCidr(p).start, parseCidr(p).end] as const);
    for (let j = 0; j < 3 && blocks.length > 0; j++) {
      const [s, e] = blocks[next() % blocks.length] as readonly [bigint, bigint];
      out.push(randomIn(s, e, next()));
    }
  }
  for (const b of t.verdict.blocked) if (b.example && /^\d+\.\d+\.\d+\.\d+$/.test(b.example)) out.push(parseCidr(`${b.example}/32`).start);
  return [...new Set(out)];
}

function probesOf(traces: readonly FlowTrace[], c: Case): Probe[] {
  const s = parseCidr(SUBNET);
  const k = { i: 0 };
  const sources = [randomIn(s.start + 1n, s.start + 127n, c.picks[60] as number), randomIn(s.start + 128n, s.end - 1n, c.picks[61] as number)];
  const out: Probe[] = [];
  for (const t of traces) {
    const ports = [...new Set([Number(t.spec.ports[0]), Number(t.spec.ports[t.spec.ports.length - 1])])];
    for (const dst of destinations(t, c, k)) {
      for (const src of sources) {
        for (const port of ports) {
          const held = t.outcomes.find((o) => boxHolding(o.region, { src: ["v4", src], dst: ["v4", dst], port }));
          if (!held) throw new Error(`${t.spec.label}: no outcome holds ${fmt4(src)} -> ${fmt4(dst)}:${port}`);
          out.push({ src, dst, port, inbound: t.spec.kind === "within-subnet", expected: held.fates, flow: `${t.ruleId} ${t.spec.label}` });
        }
      }
    }
  }
  return out;
}

/* ------------------------------------------------------------------------------ kernel */

let node: Netns;
let world: Netns;
let server: TcpServer | undefined;

const PROBE = `
import errno, json, select, socket, sys, time
probes = json.loads(sys.stdin.read())
res = ["timeout"] * len(probes)
live = {}
poller = select.poll()
for i, (src, dst, port) in enumerate(probes):
    k = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    k.setblocking(False)
    k.bind((src, 0))
    k.connect_ex((dst, port))
    live[k.fileno()] = (i, k)
    poller.register(k.fileno(), select.POLLOUT | select.POLLERR | select.POLLHUP)
deadline = time.time() + 10
while live and time.time() < deadline:
    for fd, ev in poller.poll(200):
        if fd not in live:
            continue
        i, k = live.pop(fd)
        poller.unregister(fd)
        e = k.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        res[i] = "connected" if e == 0 else ("refused" if e == errno.ECONNREFUSED else "error %d" % e)
        k.close()
print(json.dumps(res))
`;

const srcStandIn = (i: number): string => `2001:db8:a::${(i + 1).toString(16)}`;
const dstStandIn = (i: number): string => `2001:db8:b::${(i + 1).toString(16)}`;

interface KernelRule {
  readonly name: string;
  readonly priority: number;
  readonly direction: "Inbound" | "Outbound";
  readonly access: "Allow" | "Deny";
  readonly protocol: string;
  readonly src: readonly string[];
  readonly dst: readonly string[];
  readonly ports: readonly string[];
}

/** Azure's six default rules, as the oracle writes them (not read from the evaluator). */
const DEFAULTS: readonly KernelRule[] = [
  { name: "AllowVnetInBound", priority: 65000, direction: "Inbound", access: "Allow", protocol: "*", src: ["VirtualNetwork"], dst: ["VirtualNetwork"], ports: ["*"] },
  { name: "AllowAzureLoadBalancerInBound", priority: 65001, direction: "Inbound", access: "Allow", protocol: "*", src: ["AzureLoadBalancer"], dst: ["*"], ports: ["*"] },
  { name: "DenyAllInBound", priority: 65500, direction: "Inbound", access: "Deny", protocol: "*", src: ["*"], dst: ["*"], ports: ["*"] },
  { name: "AllowVnetOutBound", priority: 65000, direction: "Outbound", access: "Allow", protocol: "*", src: ["VirtualNetwork"], dst: ["VirtualNetwork"], ports: ["*"] },
  { name: "AllowInternetOutBound", priority: 65001, direction: "Outbound", access: "Allow", protocol: "*", src: ["*"], dst: ["Internet"], ports: ["*"] },
  { name: "DenyAllOutBound", priority: 65500, direction: "Outbound", access: "Deny", protocol: "*", src: ["*"], dst: ["*"], ports: ["*"] },
];

function kernelRules(c: Case): KernelRule[] {
  const custom = c.rules.map((r, i) => ({ name: `r${i}`, priority: c.priorities[i] as number, direction: r.direction, access: r.access, protocol: r.protocol, src: r.src, dst: r.dst, ports: r.ports }));
  return [...custom, ...DEFAULTS].sort((a, b) => a.priority - b.priority);
}

/** The ipsets and ip6tables rules of one NSG direction over the stand-ins of the sampled addresses. */
function loadScript(rules: readonly KernelRule[], direction: "Inbound" | "Outbound", srcs: readonly bigint[], dsts: readonly bigint[]): string {
  const sets: string[] = [];
  const lines: string[] = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":NSG - [0:0]"];
  const subnetDsts = dsts.map((d, i) => (inCidr(SUBNET, d) ? dstStandIn(i) : undefined)).filter((x): x is string => x !== undefined);
  sets.push("create subnetdst hash:ip family inet6 -exist", ...subnetDsts.map((a) => `add subnetdst ${a}`));
  if (direction === "Outbound") lines.push("-A OUTPUT -d 2001:db8:b::/64 -j NSG");
  else lines.push("-A INPUT -s 2001:db8:a::/64 -m set --match-set subnetdst dst -j NSG");
  rules
    .filter((r) => r.direction === direction)
    .forEach((r, i) => {
      const s = `s${i}`;
      const d = `d${i}`;
      sets.push(`create ${s} hash:ip family inet6 -exist`, `create ${d} hash:ip family inet6 -exist`);
      srcs.forEach((a, k) => r.src.some((v) => holds(v, a)) && sets.push(`add ${s} ${srcStandIn(k)}`));
      dsts.forEach((a, k) => r.dst.some((v) => holds(v, a)) && sets.push(`add ${d} ${dstStandIn(k)}`));
      const proto = r.protocol === "Udp" ? "-p udp" : "-p tcp";
      const ports = r.ports.includes("*") ? "" : ` -m multiport --dports ${r.ports.map((p) => p.replace("-", ":")).join(",")}`;
      const target = r.access === "Allow" ? "ACCEPT" : r.protocol === "Udp" ? "REJECT" : "REJECT --reject-with tcp-reset";
      lines.push(`-A NSG ${proto} -m set --match-set ${s} src -m set --match-set ${d} dst${ports} -m comment --comment ${r.name} -j ${target}`);
    });
  lines.push("COMMIT", "");
  return ["set -e", "ip6tables -F; ip6tables -X 2>/dev/null || true; ipset destroy 2>/dev/null || true", `ipset restore <<'SETS'\n${sets.join("\n")}\nSETS`, `ip6tables-restore <<'RULES'\n${lines.join("\n")}RULES`].join("\n");
}

function kernelProbe(c: Case, probes: readonly Probe[]): string[] {
  const srcs = [...new Set(probes.map((p) => p.src))];
  const dsts = [...new Set(probes.map((p) => p.dst))];
  const rules = kernelRules(c);
  const load = (ns: Netns, direction: "Inbound" | "Outbound"): void => {
    const script = loadScript(rules, direction, srcs, dsts);
    const r = ns.bash(script);
    if (r.status !== 0 && process.env.CMN_ORACLE_DEBUG) console.log(script);
    if (r.status !== 0) throw new Error(`loading ${direction} rules failed: ${r.stderr}`);
  };
  load(node, "Outbound");
  load(world, "Inbound");
  const input = JSON.stringify(probes.map((p) => [srcStandIn(srcs.indexOf(p.src)), dstStandIn(dsts.indexOf(p.dst)), p.port]));
  const r = node.exec(PYTHON, ["-c", PROBE], { input, timeoutMs: 60_000 });
  if (r.status !== 0) throw new Error(`probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

beforeAll(async () => {
  node = Netns.create("audit-oracle");
  world = Netns.create("audit-oracle");
  veth(node, "eth0", world, "eth0");
  node.execOk("ip", ["addr", "add", "2001:db8:ff::1/64", "dev", "eth0", "nodad"]);
  world.execOk("ip", ["addr", "add", "2001:db8:ff::2/64", "dev", "eth0", "nodad"]);
  node.execOk("ip", ["-6", "route", "add", "2001:db8:b::/64", "via", "2001:db8:ff::2"]);
  world.execOk("ip", ["-6", "route", "add", "2001:db8:a::/64", "via", "2001:db8:ff::1"]);
  node.execOk("ip", ["-6", "route", "add", "local", "2001:db8:a::/64", "dev", "lo"]);
  world.execOk("ip", ["-6", "route", "add", "local", "2001:db8:b::/64", "dev", "lo"]);
  node.sysctl("net.ipv6.ip_nonlocal_bind", "1");
  // Listening on every port of the generator, on every address of the namespace (the stand-ins' local route included).
  server = await startTcpServer(world, PORTS);
});

afterAll(() => {
  server?.stop();
  world?.destroy();
  node?.destroy();
});

/* ------------------------------------------------------------------------------- test */

describe("property: the evaluator against the kernel", () => {
  it("agrees with the kernel on every probe; its verdicts agree with its parts; without the file it is the same or unknown", { timeout: 3_600_000 }, () => {
    const cases = Math.max(10, Math.ceil(numRuns(1000) / 10));
    let probes = 0;
    let flows = 0;
    let verdictCounts: Record<string, number> = {};
    const started = performance.now();
    let evaluatorMs = 0;
    const samples = fc.sample(genCase, { numRuns: cases, seed: seed() });
    samples.forEach((c, n) => {
      const resolved = resolvedFor(c);
      const net = { ...emptyNetwork(), networkSecurityGroups: [nsgFor(c)] };
      const traces: FlowTrace[] = [];
      const t0 = performance.now();
      const report = evaluateWithTrace(net, { resolved, serviceTags: vendoredServiceTags() }, (t) => traces.push(t));
      evaluatorMs += performance.now() - t0;
      const plain = evaluateWithTrace(net, { resolved });
      const ctx = `case ${n} (seed ${seed()}): ${JSON.stringify(c.rules.map((r, i) => ({ ...r, priority: c.priorities[i] })))} requirements ${JSON.stringify(c.requirements)}`;
      const ps = probesOf(traces, c);
      const got = kernelProbe(c, ps);
      ps.forEach((p, i) => {
        const kernel = got[i] === "connected" ? 1 : got[i] === "refused" ? 2 : 0;
        expect(kernel, `${ctx}: ${p.flow}: ${fmt4(p.src)} -> ${fmt4(p.dst)}:${p.port}: evaluator ${p.expected === 1 ? "open" : p.expected === 2 ? "blocked" : "unknown"}, kernel ${got[i]}`).toBe(p.expected);
      });
      probes += ps.length;
      for (const t of traces) {
        flows++;
        verdictCounts = { ...verdictCounts, [t.verdict.verdict]: (verdictCounts[t.verdict.verdict] ?? 0) + 1 };
        expect(t.outcomes.every((o) => o.fates !== 3), `${ctx}: ${t.ruleId} ${t.spec.label} has an unsure part`).toBe(true);
        const fates = new Set(t.outcomes.map((o) => o.fates));
        const expected = fates.size === 2 ? "partly-open" : fates.has(1) ? "open" : "blocked";
        expect(t.verdict.verdict, `${ctx}: ${t.ruleId} ${t.spec.label}`).toBe(expected);
      }
      // Without the file: the same verdict, or unknown; never a different known one.
      const exact = report.subjects[0]?.requirements ?? [];
      const table = plain.subjects[0]?.requirements ?? [];
      exact.forEach((r, i) => {
        r.alternatives.forEach((a, j) => {
          const other = table[i]?.alternatives[j]?.verdict;
          expect([a.verdict, "unknown"], `${ctx}: ${r.ruleId} ${a.label} with the file ${a.verdict}, without ${other}`).toContain(other);
        });
      });
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`property: audit vs kernel ${cases} NSGs, ${flows} flows, ${probes} probes in ${seconds.toFixed(1)} s; evaluator ${(evaluatorMs / flows).toFixed(2)} ms per flow; verdicts ${JSON.stringify(verdictCounts)}`);
    // At the CI size (100 NSGs) at least 2,000 probes.
    expect(probes).toBeGreaterThanOrEqual(cases * 20);
    // Every verdict the kernel can show was met.
    expect(Object.keys(verdictCounts).sort()).toEqual(["blocked", "open", "partly-open"]);
  });
});

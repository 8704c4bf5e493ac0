import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveRules, type CoverageEntry, type EmitResult, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import { emitNftablesRuleset, emitter, version, type NftablesOptions } from "@cassandra-mi-netrules/emit-nftables";
import { expectedAllowance, normaliseAddresses, parseNftJson, type NftDump } from "@cassandra-mi-netrules/testkit/linuxfw";
import { buildHostTopology, buildNvaTopology, dnsQuery, HOST_ADDRESSES, Netns, NVA_ADDRESSES, run, runOk, startDaemon, startTcpServer, tcpProbe, waitForDns } from "@cassandra-mi-netrules/testkit/netns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = join(here, "../../..");
// The same made-up file on the documentation ranges as the iptables tests.
const docTags = loadServiceTags(readFileSync(join(repo, "packages/emit-iptables/test/fixtures/service-tags-doc-ranges.json"), "utf8"), "service-tags-doc-ranges.json");
const SUBNETS = [NVA_ADDRESSES.clientSubnet4, NVA_ADDRESSES.clientSubnet6];

interface Scenario {
  readonly name: string;
  readonly resolved: ResolvedRules;
  readonly options: NftablesOptions;
}

const scenarios: Scenario[] = [
  { name: "nva-dual-stack", resolved: resolveRules({ regions: ["eastus"], serviceTags: docTags }), options: { subnets: SUBNETS } },
  { name: "nva-no-service-tags", resolved: resolveRules({ regions: ["eastus"], subnet: NVA_ADDRESSES.clientSubnet4 }), options: {} },
  {
    name: "nva-regional-peers-no-fqdn",
    resolved: resolveRules({ regions: ["eastus", "westus"], serviceTags: docTags, subnet: NVA_ADDRESSES.clientSubnet4 }),
    options: { regionalTags: true, fqdns: false, peers: ["203.0.113.0/28", "2001:db8:ee::/48"], table: "cmi_regional" },
  },
  { name: "nva-no-regions-backup-off", resolved: resolveRules({ regions: [], serviceTags: docTags, features: { backup: false } }), options: { subnets: SUBNETS } },
  { name: "host-dual-stack", resolved: resolveRules({ regions: ["eastus"], serviceTags: docTags }), options: { mode: "host", subnets: [HOST_ADDRESSES.clusterSubnet4, HOST_ADDRESSES.clusterSubnet6] } },
];

const outputs = new Map<string, EmitResult>(scenarios.map((s) => [s.name, emitNftablesRuleset(s.resolved, s.options)]));
const file = (name: string, path: string): string => {
  const f = outputs.get(name)?.files.find((x) => x.path === path);
  if (!f) throw new Error(`${name} has no ${path}`);
  return f.content;
};

let work = "";
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "cmn-nftables-"));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function writeFile(name: string, content: string): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

describe("emitter contract", () => {
  it("exports a named emitter, the function and the version", () => {
    expect(emitter.name).toBe("nftables");
    expect(emitter.emit).toBe(emitNftablesRuleset);
    expect(version).toBe(JSON.parse(readFileSync(join(here, "../package.json"), "utf8")).version);
  });

  it("has one coverage entry per resolved rule, in rule order, with a reason for all but enforced", () => {
    for (const s of scenarios) {
      const cov = outputs.get(s.name)?.coverage ?? [];
      expect(cov.map((c) => c.ruleId)).toEqual(s.resolved.rules.map((r) => r.id));
      for (const c of cov) {
        expect(c.how.startsWith("nftables: ")).toBe(true);
        if (c.status === "enforced") expect(c.why).toBe("");
        else expect(c.why.length).toBeGreaterThan(20);
      }
    }
    const noTags = new Map((outputs.get("nva-no-service-tags")?.coverage ?? []).map((c) => [c.ruleId, c]));
    expect(noTags.get("tag-azure-monitor")).toMatchObject({ status: "unsupported", why: expect.stringMatching(/service-tags file/) });
    expect(noTags.get("monitor-metrics")?.status).toBe("enforced");
  });

  it("is byte-identical whatever the order of the input rules", () => {
    for (const s of scenarios) {
      expect(emitNftablesRuleset({ ...s.resolved, rules: [...s.resolved.rules].reverse() }, s.options)).toEqual(outputs.get(s.name));
      expect(emitNftablesRuleset({ ...s.resolved, rules: [...s.resolved.rules.slice(5), ...s.resolved.rules.slice(0, 5)] }, s.options)).toEqual(outputs.get(s.name));
    }
  });

  it("errors name the option or field and the bad value", () => {
    const r = scenarios[0]?.resolved as ResolvedRules;
    expect(() => emitNftablesRuleset(r)).toThrow(/options\.subnets: nva mode needs the cluster subnet/);
    expect(() => emitNftablesRuleset(r, { subnets: SUBNETS, table: 'x"; flush ruleset' })).toThrow(/options\.table.*flush ruleset/);
    expect(() => emitNftablesRuleset(r, { subnets: SUBNETS, peers: ["2001:db8::1/32"] })).toThrow(/options\.peers\[0\].*host bits/);
    const hostile = { ...r, rules: r.rules.map((x, i) => (i === 1 ? { ...x, id: 'a" drop comment "b' } : x)) };
    expect(() => emitNftablesRuleset(hostile, { subnets: SUBNETS })).toThrow(/rules\[1\]\.id: must be kebab-case/);
    const badPrefix = { ...r, rules: r.rules.map((x, i) => (i === 25 ? { ...x, prefixes: { ipv4: ["192.0.2.0/24 } accept"], ipv6: [] } } : x)) };
    expect(() => emitNftablesRuleset(badPrefix, { subnets: SUBNETS })).toThrow(/rules\[25\]\.prefixes\.ipv4\[0\]/);
  });
});

describe("golden files", () => {
  for (const s of scenarios) {
    it(s.name, async () => {
      const out = outputs.get(s.name) as EmitResult;
      for (const f of out.files) await expect(f.content).toMatchFileSnapshot(join(here, "__golden__", s.name, f.path));
      await expect(`${JSON.stringify(out.coverage, null, 2)}\n`).toMatchFileSnapshot(join(here, "__golden__", s.name, "coverage.json"));
    });
  }
});

describe("dnsmasq", () => {
  it("dnsmasq --test accepts every nftset= configuration", () => {
    let checked = 0;
    for (const s of scenarios) {
      const f = outputs.get(s.name)?.files.find((x) => x.path === "dnsmasq-nftset.conf");
      if (!f) continue;
      const r = run("dnsmasq", ["--test", `--conf-file=${writeFile(`${s.name}.conf`, f.content)}`]);
      expect({ scenario: s.name, status: r.status, err: r.stderr.trim() }).toEqual({ scenario: s.name, status: 0, err: "dnsmasq: syntax check OK." });
      expect(f.content).toMatch(/^nftset=\/[a-z0-9.-]+\/4#inet#cassandra_mi#fqdn_tcp443_v4(,6#inet#cassandra_mi#fqdn_tcp443_v6)?$/m);
      checked++;
    }
    expect(checked).toBe(3);
  });
});

/* ---------- the kernel ---------- */

function listRuleset(ns: Netns): { text: string; dump: NftDump } {
  return { text: ns.execOk("nft", ["list", "ruleset"]).stdout, dump: parseNftJson(ns.execOk("nft", ["-j", "list", "ruleset"]).stdout) };
}

function compareWithCoverage(s: Scenario, dump: NftDump, coverage: readonly CoverageEntry[]): number {
  const table = s.options.table ?? "cassandra_mi";
  const host = s.options.mode === "host";
  const subnets = s.options.subnets ?? (s.resolved.subnet ? [s.resolved.subnet.cidr] : []);
  const sets = new Map(dump.sets.filter((x) => x.table === table).map((x) => [x.name, x]));
  const rules = dump.rules.filter((r) => r.table === table && r.family === "inet");
  let checks = 0;
  const hooks = host
    ? [["input", "from_cluster", "saddr"] as const, ["output", "to_cluster", "daddr"] as const]
    : [["forward", "egress", "saddr"] as const];
  for (const [base, chain, field] of hooks) {
    expect(dump.chains.find((c) => c.table === table && c.name === base)).toMatchObject({ hook: base, policy: "accept" });
    expect(rules.filter((r) => r.chain === base && r.comment !== "cmi: neighbour discovery").map((r) => [r.addresses, r.verdict])).toEqual(
      subnets.map((x) => [[{ field, family: x.includes(":") ? 6 : 4, value: x }], `jump ${chain}`]),
    );
    const mine = rules.filter((r) => r.chain === chain);
    expect(mine[0]).toMatchObject({ ctstate: ["established", "related"], verdict: "accept" });
    expect(mine.at(-1)).toMatchObject({ addresses: [], dports: [], verdict: "drop" });
    checks += 3;
  }
  const families = [4, 6].filter((f) => subnets.some((x) => (f === 4) === !x.includes(":")));
  for (const c of coverage) {
    const rule = s.resolved.rules.find((r) => r.id === c.ruleId);
    if (!rule) throw new Error(`coverage names unknown rule ${c.ruleId}`);
    const mine = rules.filter((r) => r.comment === c.ruleId);
    if (c.status === "unsupported") {
      expect(mine, c.ruleId).toEqual([]);
      checks++;
      continue;
    }
    expect(mine.every((r) => r.verdict === "accept")).toBe(true);
    for (const r of mine) expect(r.dports).toEqual(rule.ports);
    if (host) {
      expect(mine.map((r) => `${r.chain}/${r.nfproto}`).sort()).toEqual(families.flatMap((f) => [`from_cluster/ipv${f}`, `to_cluster/ipv${f}`]).sort());
      checks++;
      continue;
    }
    for (const f of families) {
      const fam = mine.filter((r) => r.addresses[0]?.family === f);
      const setNames = fam.map((r) => (r.addresses[0]?.value ?? "").replace(/^@/, ""));
      for (const r of fam) expect(r.addresses).toEqual([{ field: "daddr", family: f, value: expect.stringMatching(/^@/) }]);
      const fqdnSets = setNames.filter((n) => n.startsWith("fqdn_"));
      const held = setNames.filter((n) => !n.startsWith("fqdn_")).flatMap((n) => sets.get(n)?.elements ?? ["missing set"]);
      if (rule.kind === "internal") {
        expect(normaliseAddresses(held)).toEqual(normaliseAddresses((s.options.peers ?? []).filter((p) => (f === 4) === !p.includes(":"))));
      } else {
        const want = expectedAllowance(rule, s.options);
        expect(normaliseAddresses(held), `${c.ruleId} IPv${f}`).toEqual(normaliseAddresses(f === 4 ? want.ipv4 : want.ipv6));
        expect(fqdnSets.length, `${c.ruleId} FQDN IPv${f}`).toBe(want.fqdn ? 1 : 0);
      }
      for (const n of setNames) expect(sets.get(n)).toMatchObject({ type: f === 4 ? "ipv4_addr" : "ipv6_addr", flags: ["interval"] });
      checks++;
    }
  }
  return checks;
}

describe("the real kernel, in a network namespace of its own", () => {
  for (const s of scenarios) {
    it(`${s.name}: nft -c passes and changes nothing, the load matches the coverage, a second load changes nothing`, () => {
      const ns = Netns.create("nftables");
      try {
        const path = writeFile(`${s.name}.nft`, file(s.name, "nftables.nft"));
        ns.execOk("nft", ["-c", "-f", path]);
        expect(listRuleset(ns).text).toBe("");
        ns.execOk("nft", ["-f", path]);
        const first = listRuleset(ns);
        expect(compareWithCoverage(s, first.dump, outputs.get(s.name)?.coverage ?? [])).toBeGreaterThan(10);
        ns.execOk("nft", ["-f", path]);
        expect(listRuleset(ns).text).toBe(first.text);
      } finally {
        ns.destroy();
      }
    });
  }

  it("a file that fails leaves the previous table untouched (one transaction)", () => {
    const ns = Netns.create("nftables");
    try {
      const good = file("nva-dual-stack", "nftables.nft");
      ns.execOk("nft", ["-f", writeFile("good.nft", good)]);
      const before = listRuleset(ns).text;
      const broken = good.replace("192.0.2.0/27", "192.0.2.0/26").replace('\t\tdrop comment "cmi: drop the rest"', '\t\tip daddr @no_such_set accept\n\t\tdrop comment "cmi: drop the rest"');
      expect(broken).not.toBe(good);
      const path = writeFile("broken.nft", broken);
      expect(ns.exec("nft", ["-c", "-f", path]).status).not.toBe(0);
      const r = ns.exec("nft", ["-f", path]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/no_such_set/);
      expect(listRuleset(ns).text).toBe(before);
    } finally {
      ns.destroy();
    }
  });

  it("the vendored service-tags file: one interval set per tag and family, a rule count that does not grow with prefixes", () => {
    const real = loadServiceTags(readFileSync(join(repo, "vendor/service-tags/ServiceTags_Public_20251028.json"), "utf8"));
    const s: Scenario = { name: "vendored", resolved: resolveRules({ regions: ["eastus"], serviceTags: real }), options: { subnets: SUBNETS } };
    const out = emitNftablesRuleset(s.resolved, s.options);
    const text = out.files[0]?.content ?? "";
    const ns = Netns.create("nftables");
    try {
      const path = writeFile("vendored.nft", text);
      ns.execOk("nft", ["-c", "-f", path]);
      ns.execOk("nft", ["-f", path]);
      const { dump } = listRuleset(ns);
      const elements = dump.sets.reduce((n, x) => n + x.elements.length, 0);
      expect(elements).toBeGreaterThan(3000);
      expect(dump.rules.length).toBeLessThan(150);
      expect(compareWithCoverage(s, dump, out.coverage)).toBeGreaterThan(40);
    } finally {
      ns.destroy();
    }
  });
});

/* ---------- traffic ---------- */

describe("traffic through the namespaces the test made", () => {
  it("nva: the appliance passes a required tag's address on 443 and drops other ports and other addresses (IPv4 and IPv6)", async () => {
    const storage4 = "192.0.2.10";
    const storage6 = "2001:db8:10::10";
    const outside4 = "203.0.113.10";
    const outside6 = "2001:db8:ff::10";
    const fqdn6 = "2001:db8:ff::20";
    const topo = buildNvaTopology("nftables", [`${storage4}/32`, `${outside4}/32`, `${storage6}/128`, `${outside6}/128`, `${fqdn6}/128`]);
    const server = await startTcpServer(topo.destination, [443, 8443]);
    try {
      expect(tcpProbe(topo.client, storage6, 8443)).toBe("connected");
      expect(tcpProbe(topo.client, outside4, 443)).toBe("connected");
      topo.appliance.execOk("nft", ["-f", writeFile("traffic-nva.nft", file("nva-dual-stack", "nftables.nft"))]);
      const results = {
        tag4on443: tcpProbe(topo.client, storage4, 443),
        tag4on8443: tcpProbe(topo.client, storage4, 8443),
        outside4on443: tcpProbe(topo.client, outside4, 443),
        tag6on443: tcpProbe(topo.client, storage6, 443),
        tag6on8443: tcpProbe(topo.client, storage6, 8443),
        outside6on443: tcpProbe(topo.client, outside6, 443),
        fqdnBeforeDns: tcpProbe(topo.client, fqdn6, 443),
      };
      // What dnsmasq's nftset= does when a listed name resolves to this address.
      topo.appliance.execOk("nft", ["add", "element", "inet", "cassandra_mi", "fqdn_tcp443_v6", `{ ${fqdn6} }`]);
      expect({ ...results, fqdnAfterDns: tcpProbe(topo.client, fqdn6, 443), fqdnOtherPort: tcpProbe(topo.client, fqdn6, 8443) }).toEqual({
        tag4on443: "connected",
        tag4on8443: "timeout",
        outside4on443: "timeout",
        tag6on443: "connected",
        tag6on8443: "timeout",
        outside6on443: "timeout",
        fqdnBeforeDns: "timeout",
        fqdnAfterDns: "connected",
        fqdnOtherPort: "timeout",
      });
    } finally {
      server.stop();
      topo.destroy();
    }
  });

  it("nva + real dnsmasq: answers for listed names (wildcards by their parent) fill the sets and open 443, others do not", async () => {
    const a = NVA_ADDRESSES;
    const listed4 = "203.0.113.20";
    const wildcard4 = "203.0.113.21";
    const unlisted4 = "203.0.113.22";
    const listed6 = "2001:db8:ff::20";
    const topo = buildNvaTopology("nftables", [`${listed4}/32`, `${wildcard4}/32`, `${unlisted4}/32`, `${listed6}/128`]);
    const server = await startTcpServer(topo.destination, [443, 8443]);
    const common = ["-k", "--log-facility=-", "-u", "root", "--no-resolv", "--no-hosts", "--bind-interfaces"];
    // The upstream resolver answers for every name; only the appliance's dnsmasq knows the nftset= lines.
    const upstream = startDaemon(topo.destination, "dnsmasq", [
      ...common,
      `--listen-address=${a.dest4}`,
      `--pid-file=${join(work, "upstream.pid")}`,
      "--conf-file=/dev/null",
      `--address=/login.microsoftonline.com/${listed4}`,
      `--address=/login.microsoftonline.com/${listed6}`,
      `--address=/servicebus.windows.net/${wildcard4}`,
      `--address=/example.org/${unlisted4}`,
    ]);
    let resolver: ReturnType<typeof startDaemon> | undefined;
    try {
      await waitForDns(topo.appliance, a.dest4, "example.org");
      topo.appliance.execOk("nft", ["-f", writeFile("traffic-dns.nft", file("nva-dual-stack", "nftables.nft"))]);
      const conf = writeFile("dnsmasq-nftset.conf", file("nva-dual-stack", "dnsmasq-nftset.conf"));
      resolver = startDaemon(topo.appliance, "dnsmasq", [...common, `--listen-address=${a.applianceClient4}`, `--server=${a.dest4}`, `--pid-file=${join(work, "resolver.pid")}`, `--conf-file=${conf}`]);
      await waitForDns(topo.client, a.applianceClient4, "example.org");
      expect(tcpProbe(topo.client, listed4, 443)).toBe("timeout");
      expect(dnsQuery(topo.client, a.applianceClient4, "login.microsoftonline.com")).toBe(1);
      expect(dnsQuery(topo.client, a.applianceClient4, "login.microsoftonline.com", 28)).toBe(1);
      expect(dnsQuery(topo.client, a.applianceClient4, "logs-eastus.servicebus.windows.net")).toBe(1);
      const elements = (set: string): string[] => parseNftJson(topo.appliance.execOk("nft", ["-j", "list", "set", "inet", "cassandra_mi", set]).stdout).sets[0]?.elements.slice().sort() ?? [];
      expect(normaliseAddresses(elements("fqdn_tcp443_v4"))).toEqual(normaliseAddresses([listed4, wildcard4]));
      expect(normaliseAddresses(elements("fqdn_tcp443_v6"))).toEqual(normaliseAddresses([listed6]));
      expect({
        listed: tcpProbe(topo.client, listed4, 443),
        listedOtherPort: tcpProbe(topo.client, listed4, 8443),
        wildcard: tcpProbe(topo.client, wildcard4, 443),
        listed6: tcpProbe(topo.client, listed6, 443),
        unlisted: tcpProbe(topo.client, unlisted4, 443),
      }).toEqual({ listed: "connected", listedOtherPort: "timeout", wildcard: "connected", listed6: "connected", unlisted: "timeout" });
    } finally {
      resolver?.stop();
      upstream.stop();
      server.stop();
      topo.destroy();
    }
  });

  it("host: the node accepts the managed subnet on the internal ports only, and reaches it on them only", async () => {
    const topo = buildHostTopology("nftables");
    const nodeServer = await startTcpServer(topo.node, [9042, 8080]);
    const managedServer = await startTcpServer(topo.managed, [7001, 8080]);
    try {
      const h = HOST_ADDRESSES;
      expect(tcpProbe(topo.managed, h.node6, 8080)).toBe("connected");
      topo.node.execOk("nft", ["-f", writeFile("traffic-host.nft", file("host-dual-stack", "nftables.nft"))]);
      expect({
        in4cql: tcpProbe(topo.managed, h.node4, 9042),
        in4other: tcpProbe(topo.managed, h.node4, 8080),
        in6cql: tcpProbe(topo.managed, h.node6, 9042),
        in6other: tcpProbe(topo.managed, h.node6, 8080),
        out4gossip: tcpProbe(topo.node, h.managed4, 7001),
        out4other: tcpProbe(topo.node, h.managed4, 8080),
        out6gossip: tcpProbe(topo.node, h.managed6, 7001),
        out6other: tcpProbe(topo.node, h.managed6, 8080),
      }).toEqual({
        in4cql: "connected",
        in4other: "timeout",
        in6cql: "connected",
        in6other: "timeout",
        out4gossip: "connected",
        out4other: "timeout",
        out6gossip: "connected",
        out6other: "timeout",
      });
    } finally {
      nodeServer.stop();
      managedServer.stop();
      topo.destroy();
    }
  });

  it("no namespace of this test file is left behind", () => {
    const left = runOk("ip", ["netns", "list"]).stdout.split("\n").filter((l) => l.startsWith(`cmn-nftables-${process.pid}-`));
    expect(left).toEqual([]);
  });
});

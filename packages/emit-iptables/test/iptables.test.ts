import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveRules, type CoverageEntry, type EmitResult, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import { emitIptablesScript, emitter, version, type IptablesOptions } from "@cassandra-mi-netrules/emit-iptables";
import { expectedAllowance, normaliseAddresses, parseIpsetSave, parseIptablesSave, type IptablesDump, type IpsetSet } from "@cassandra-mi-netrules/testkit/linuxfw";
import { buildHostTopology, buildNvaTopology, dnsQuery, HOST_ADDRESSES, Netns, NVA_ADDRESSES, run, runOk, startDaemon, startTcpServer, tcpProbe, waitForDns } from "@cassandra-mi-netrules/testkit/netns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = join(here, "../../..");
const docTags = loadServiceTags(readFileSync(join(here, "fixtures/service-tags-doc-ranges.json"), "utf8"), "service-tags-doc-ranges.json");
const SUBNETS = [NVA_ADDRESSES.clientSubnet4, NVA_ADDRESSES.clientSubnet6];

interface Scenario {
  readonly name: string;
  readonly resolved: ResolvedRules;
  readonly options: IptablesOptions;
}

const scenarios: Scenario[] = [
  { name: "nva-dual-stack", resolved: resolveRules({ regions: ["eastus"], serviceTags: docTags }), options: { subnets: SUBNETS } },
  { name: "nva-no-service-tags", resolved: resolveRules({ regions: ["eastus"], subnet: NVA_ADDRESSES.clientSubnet4 }), options: {} },
  {
    name: "nva-regional-peers-no-fqdn",
    resolved: resolveRules({ regions: ["eastus", "westus"], serviceTags: docTags, subnet: NVA_ADDRESSES.clientSubnet4 }),
    options: { regionalTags: true, fqdns: false, peers: ["203.0.113.0/28", "2001:db8:ee::/48"] },
  },
  { name: "nva-no-regions-vpn-off-backup-off", resolved: resolveRules({ regions: [], serviceTags: docTags, features: { backup: false } }), options: { subnets: SUBNETS } },
  { name: "host-dual-stack", resolved: resolveRules({ regions: ["eastus"], serviceTags: docTags }), options: { mode: "host", subnets: [HOST_ADDRESSES.clusterSubnet4, HOST_ADDRESSES.clusterSubnet6] } },
];

const outputs = new Map<string, EmitResult>(scenarios.map((s) => [s.name, emitIptablesScript(s.resolved, s.options)]));
const file = (name: string, path: string): string => {
  const f = outputs.get(name)?.files.find((x) => x.path === path);
  if (!f) throw new Error(`${name} has no ${path}`);
  return f.content;
};

let work = "";
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "cmn-iptables-"));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("emitter contract", () => {
  it("exports a named emitter, the function and the version", () => {
    expect(emitter.name).toBe("iptables");
    expect(emitter.emit).toBe(emitIptablesScript);
    expect(version).toBe(JSON.parse(readFileSync(join(here, "../package.json"), "utf8")).version);
  });

  it("has one coverage entry per resolved rule, in rule order", () => {
    for (const s of scenarios) {
      const cov = outputs.get(s.name)?.coverage ?? [];
      expect(cov.map((c) => c.ruleId)).toEqual(s.resolved.rules.map((r) => r.id));
      for (const c of cov) {
        expect(["enforced", "approximated", "unsupported"]).toContain(c.status);
        expect(c.how.length).toBeGreaterThan(0);
        if (c.status === "enforced") expect(c.why).toBe("");
        else expect(c.why.length).toBeGreaterThan(20);
      }
    }
  });

  it("says why tags are unsupported without a service-tags file, and still enforces their FQDN alternative", () => {
    const cov = outputs.get("nva-no-service-tags")?.coverage ?? [];
    const byId = new Map(cov.map((c) => [c.ruleId, c]));
    expect(byId.get("tag-storage")?.status).toBe("unsupported");
    expect(byId.get("tag-storage")?.why).toMatch(/service-tags file/);
    expect(byId.get("storage-control-plane")?.status).toBe("enforced");
    expect(byId.get("storage-control-plane")?.how).toMatch(/not used: no service-tags file/);
    expect(byId.get("microsoft-prefixes")?.status).toBe("enforced");
  });

  it("treats internal ports by mode: unsupported in nva without peers, enforced with peers and in host mode", () => {
    const status = (name: string, id: string): string | undefined => outputs.get(name)?.coverage.find((c) => c.ruleId === id)?.status;
    expect(status("nva-dual-stack", "cql")).toBe("unsupported");
    expect(status("nva-regional-peers-no-fqdn", "cql")).toBe("enforced");
    expect(status("host-dual-stack", "cql")).toBe("enforced");
    expect(status("host-dual-stack", "storage-control-plane")).toBe("unsupported");
  });

  it("is byte-identical whatever the order of the input rules", () => {
    for (const s of scenarios) {
      const shuffled: ResolvedRules = { ...s.resolved, rules: [...s.resolved.rules].reverse() };
      const rotated: ResolvedRules = { ...s.resolved, rules: [...s.resolved.rules.slice(7), ...s.resolved.rules.slice(0, 7)] };
      expect(emitIptablesScript(shuffled, s.options)).toEqual(outputs.get(s.name));
      expect(emitIptablesScript(rotated, s.options)).toEqual(outputs.get(s.name));
    }
  });

  it("errors name the option or field and the bad value", () => {
    const r = scenarios[0]?.resolved as ResolvedRules;
    expect(() => emitIptablesScript(r)).toThrow(/options\.subnets: nva mode needs the cluster subnet/);
    expect(() => emitIptablesScript(r, { mode: "host" })).toThrow(/host mode needs the cluster subnet/);
    expect(() => emitIptablesScript(r, { subnets: ["10.0.0.5/24"] })).toThrow(/options\.subnets\[0\].*host bits/);
    expect(() => emitIptablesScript(r, { subnets: SUBNETS, mode: "router" as "nva" })).toThrow(/options\.mode.*"router"/);
    const hostileId = { ...r, rules: r.rules.map((x, i) => (i === 2 ? { ...x, id: 'x"; rm -rf / #' } : x)) };
    expect(() => emitIptablesScript(hostileId, { subnets: SUBNETS })).toThrow(/rules\[2\]\.id: must be kebab-case.*rm -rf/);
    const hostileFqdn = { ...r, rules: r.rules.map((x, i) => (i === 0 ? { ...x, fqdns: [{ fqdn: "a.b/ipset=/x", pattern: "a", wildcard: false }] } : x)) };
    expect(() => emitIptablesScript(hostileFqdn, { subnets: SUBNETS })).toThrow(/rules\[0\]\.fqdns\[0\]\.fqdn.*a\.b\/ipset=/);
  });

  it("keeps hostile tag names out of set names and comments", () => {
    const r = scenarios[0]?.resolved as ResolvedRules;
    const rule = r.rules[0];
    if (!rule) throw new Error("no rule");
    const evil = "Sto$(reboot)\nrage`x`\"'";
    const tag = { ...rule.serviceTags[0], tag: evil, global: { name: evil, networkFeatures: null, prefixes: { ipv4: ["192.0.2.0/27"], ipv6: [] } }, regional: [] } as (typeof rule.serviceTags)[number];
    const out = emitIptablesScript({ ...r, rules: [{ ...rule, serviceTags: [tag] }] }, { subnets: SUBNETS });
    const script = out.files[0]?.content ?? "";
    expect(script).not.toContain("$(reboot)");
    expect(script).not.toContain("`x`");
    expect(script).toMatch(/cmi4-sto_reboot_rage_[0-9a-f]{8} /);
    const scriptPath = join(work, "hostile.sh");
    writeFileSync(scriptPath, script);
    expect(run("shellcheck", ["-s", "bash", scriptPath]).stdout).toBe("");
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

describe("real validators on every emitted file", () => {
  it("shellcheck finds nothing in any script", () => {
    for (const s of scenarios) {
      const path = join(work, `${s.name}.sh`);
      writeFileSync(path, file(s.name, "iptables.sh"));
      const r = run("shellcheck", ["-s", "bash", "-o", "all", "-e", "SC2250,SC2312", path]);
      expect({ scenario: s.name, out: r.stdout, status: r.status }).toEqual({ scenario: s.name, out: "", status: 0 });
    }
  });

  it("dnsmasq --test accepts every dnsmasq configuration", () => {
    let checked = 0;
    for (const s of scenarios) {
      const f = outputs.get(s.name)?.files.find((x) => x.path === "dnsmasq-ipset.conf");
      if (!f) continue;
      const path = join(work, `${s.name}.conf`);
      writeFileSync(path, f.content);
      const r = run("dnsmasq", ["--test", `--conf-file=${path}`]);
      expect({ scenario: s.name, status: r.status, err: r.stderr.trim() }).toEqual({ scenario: s.name, status: 0, err: "dnsmasq: syntax check OK." });
      checked++;
    }
    expect(checked).toBe(3);
  });
});

/* ---------- the kernel ---------- */

interface KernelState {
  readonly v4: IptablesDump;
  readonly v6: IptablesDump;
  readonly sets: Map<string, IpsetSet>;
  /** Rules and set contents without counters, random initvals or member order. */
  readonly normal: string;
}

function kernelState(ns: Netns): KernelState {
  const v4 = ns.execOk("iptables-save").stdout;
  const v6 = ns.execOk("ip6tables-save").stdout;
  const sets = parseIpsetSave(ns.execOk("ipset", ["save"]).stdout);
  const strip = (t: string): string => t.split("\n").filter((l) => !l.startsWith("#")).join("\n");
  const setText = [...sets.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((s) => `${s.name} ${s.type} ${s.family} ${[...s.members].sort().join(",")}`)
    .join("\n");
  return { v4: parseIptablesSave(v4), v6: parseIptablesSave(v6), sets, normal: `${strip(v4)}\n${strip(v6)}\n${setText}` };
}

/** Compares what the kernel holds with the coverage, rule by rule and family by family. */
function compareWithCoverage(s: Scenario, state: KernelState, coverage: readonly CoverageEntry[]): number {
  let checks = 0;
  const host = s.options.mode === "host";
  const subnets = s.options.subnets ?? (s.resolved.subnet ? [s.resolved.subnet.cidr] : []);
  for (const family of [4, 6] as const) {
    const dump = family === 4 ? state.v4 : state.v6;
    const familySubnets = subnets.filter((x) => (family === 4) === !x.includes(":"));
    const chains = host ? ["CMI-FROM-CLUSTER", "CMI-TO-CLUSTER"] : ["CMI-EGRESS"];
    const hooks = host ? [["INPUT", "CMI-INPUT", "CMI-FROM-CLUSTER", "source"] as const, ["OUTPUT", "CMI-OUTPUT", "CMI-TO-CLUSTER", "destination"] as const] : [["FORWARD", "CMI-FORWARD", "CMI-EGRESS", "source"] as const];
    if (familySubnets.length === 0) {
      expect(dump.rules.filter((r) => r.chain.startsWith("CMI-"))).toEqual([]);
      continue;
    }
    for (const [builtin, hook, chain, field] of hooks) {
      expect(dump.rules.filter((r) => r.chain === builtin && r.target === hook)).toHaveLength(1);
      const dispatch = dump.rules.filter((r) => r.chain === hook && r.comment !== "cmi: neighbour discovery");
      expect(dispatch.map((r) => [r[field], r.target])).toEqual(familySubnets.map((x) => [x, chain]));
    }
    for (const chain of chains) {
      const rules = dump.rules.filter((r) => r.chain === chain);
      expect(rules[0]?.ctstate).toEqual(["ESTABLISHED", "RELATED"]);
      expect(rules.at(-1)).toMatchObject({ target: "DROP", matchSets: [], dports: [] });
      expect(rules.at(-1)?.protocol).toBeUndefined();
      checks += 2;
    }
    for (const c of coverage) {
      const rule = s.resolved.rules.find((r) => r.id === c.ruleId);
      if (!rule) throw new Error(`coverage names unknown rule ${c.ruleId}`);
      const mine = dump.rules.filter((r) => r.comment === c.ruleId);
      if (c.status === "unsupported") {
        expect(mine, `${c.ruleId} IPv${family}`).toEqual([]);
        checks++;
        continue;
      }
      expect(mine.every((r) => r.target === "ACCEPT" && r.protocol === "tcp")).toBe(true);
      if (host || rule.kind === "internal") {
        const expectedChains = host ? chains : ["CMI-EGRESS"];
        expect(mine.map((r) => r.chain).sort()).toEqual([...expectedChains].sort());
        for (const r of mine) expect(r.dports).toEqual(rule.ports);
        if (!host) expect(normaliseAddresses(mine.flatMap((r) => r.matchSets.flatMap((m) => state.sets.get(m.name)?.members ?? [])))).toEqual(normaliseAddresses((s.options.peers ?? []).filter((p) => (family === 4) === !p.includes(":"))));
        checks++;
        continue;
      }
      const want = expectedAllowance(rule, s.options);
      const wantPrefixes = family === 4 ? want.ipv4 : want.ipv6;
      const fqdnRules = mine.filter((r) => state.sets.get(r.matchSets[0]?.name ?? "")?.type === "hash:ip");
      const prefixRules = mine.filter((r) => state.sets.get(r.matchSets[0]?.name ?? "")?.type === "hash:net");
      expect(fqdnRules.length + prefixRules.length).toBe(mine.length);
      for (const r of mine) {
        expect(r.chain).toBe("CMI-EGRESS");
        expect(r.dports).toEqual(rule.ports);
        expect(r.matchSets).toEqual([{ name: r.matchSets[0]?.name, direction: "dst" }]);
        expect(state.sets.get(r.matchSets[0]?.name ?? "")?.family).toBe(family);
      }
      expect(fqdnRules.length, `${c.ruleId} FQDN set IPv${family}`).toBe(want.fqdn ? 1 : 0);
      const held = prefixRules.flatMap((r) => state.sets.get(r.matchSets[0]?.name ?? "")?.members ?? []);
      expect(normaliseAddresses(held), `${c.ruleId} prefixes IPv${family}`).toEqual(normaliseAddresses(wantPrefixes));
      checks++;
    }
  }
  return checks;
}

function writeScript(name: string, content: string): string {
  const path = join(work, `${name}.sh`);
  writeFileSync(path, content);
  return path;
}

describe("the real kernel, in a network namespace of its own", () => {
  for (const s of scenarios) {
    it(`${s.name}: --check changes nothing, the load matches the coverage, a second run changes nothing`, () => {
      const ns = Netns.create("iptables");
      try {
        const path = writeScript(s.name, file(s.name, "iptables.sh"));
        const empty = kernelState(ns).normal;
        const check = ns.exec("bash", [path, "--check"]);
        expect(check.stderr).toBe("");
        expect(check.stdout).toBe("cmi: check passed\n");
        expect(kernelState(ns).normal).toBe(empty);
        ns.execOk("bash", [path]);
        const first = kernelState(ns);
        expect(first.sets.size).toBe([...first.sets.keys()].filter((n) => /^cmi[46]-/.test(n)).length);
        const checks = compareWithCoverage(s, first, outputs.get(s.name)?.coverage ?? []);
        expect(checks).toBeGreaterThan(10);
        ns.execOk("bash", [path]);
        expect(kernelState(ns).normal).toBe(first.normal);
      } finally {
        ns.destroy();
      }
    });
  }

  it("a failing run leaves the previous rules and sets in place", () => {
    const ns = Netns.create("iptables");
    try {
      const good = file("nva-dual-stack", "iptables.sh");
      ns.execOk("bash", [writeScript("good", good)]);
      const before = kernelState(ns).normal;
      // A later version whose IPv6 rules do not load: nothing may change, not even the IPv4 sets.
      const changedSets = good.replace("add cmt4-storage 192.0.2.0/27", "add cmt4-storage 192.0.2.0/26");
      expect(changedSets).not.toBe(good);
      const broken = changedSets.replace(/(rules6\(\) \{\n {2}cat <<'CMI_RULES'\n\*filter\n)/, "$1-A CMI-EGRESS -m no_such_match -j ACCEPT\n");
      expect(broken).not.toBe(changedSets);
      const r = ns.exec("bash", [writeScript("broken", broken)]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/the previous rules are left in place/);
      expect(kernelState(ns).normal).toBe(before);
      // A first run that fails leaves no set behind either.
      const fresh = Netns.create("iptables");
      try {
        const empty = kernelState(fresh).normal;
        expect(fresh.exec("bash", [writeScript("broken2", broken)]).status).not.toBe(0);
        expect(kernelState(fresh).normal).toBe(empty);
      } finally {
        fresh.destroy();
      }
    } finally {
      ns.destroy();
    }
  });

  it("an upgrade swaps set contents and drops sets no rule uses any more", () => {
    const ns = Netns.create("iptables");
    try {
      ns.execOk("bash", [writeScript("v1", file("nva-dual-stack", "iptables.sh"))]);
      expect(kernelState(ns).sets.has("cmi4-apimanagement")).toBe(true);
      ns.execOk("bash", [writeScript("v2", file("nva-regional-peers-no-fqdn", "iptables.sh"))]);
      const after = kernelState(ns);
      compareWithCoverage(scenarios[2] as Scenario, after, outputs.get("nva-regional-peers-no-fqdn")?.coverage ?? []);
      expect([...after.sets.keys()].sort()).toEqual([...parseIpsetSave(ipsetInputOf(file("nva-regional-peers-no-fqdn", "iptables.sh"))).keys()].filter((n) => n.startsWith("cmi")).sort());
    } finally {
      ns.destroy();
    }
  });
});

/** The `ipset restore` input a script carries, for comparisons. */
function ipsetInputOf(script: string): string {
  const m = /ipset_input\(\) \{\n {2}cat <<'CMI_IPSET'\n([\s\S]*?)\nCMI_IPSET\n/.exec(script);
  if (!m?.[1]) throw new Error("no ipset input");
  return m[1];
}

describe("the vendored service-tags file (real prefix counts)", () => {
  it("loads every tag the revision uses as one set per tag and family; the rule count does not grow with prefixes", () => {
    const real = loadServiceTags(readFileSync(join(repo, "vendor/service-tags/ServiceTags_Public_20251028.json"), "utf8"));
    const resolved = resolveRules({ regions: ["eastus"], serviceTags: real });
    const s: Scenario = { name: "vendored", resolved, options: { subnets: SUBNETS } };
    const out = emitIptablesScript(resolved, s.options);
    const script = out.files[0]?.content ?? "";
    const prefixesIn = ipsetInputOf(script).split("\n").filter((l) => l.startsWith("add ")).length;
    expect(prefixesIn).toBeGreaterThan(3000);
    const ns = Netns.create("iptables");
    try {
      const path = writeScript("vendored", script);
      expect(ns.exec("bash", [path, "--check"]).stdout).toBe("cmi: check passed\n");
      ns.execOk("bash", [path]);
      const state = kernelState(ns);
      const members = [...state.sets.values()].reduce((n, x) => n + x.members.length, 0);
      expect(members).toBe(prefixesIn);
      const ruleCount = state.v4.rules.length + state.v6.rules.length;
      expect(ruleCount).toBeLessThan(150);
      expect(compareWithCoverage(s, state, out.coverage)).toBeGreaterThan(40);
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
    const fqdn4 = "203.0.113.20";
    const topo = buildNvaTopology("iptables", [`${storage4}/32`, `${outside4}/32`, `${fqdn4}/32`, `${storage6}/128`, `${outside6}/128`]);
    const server = await startTcpServer(topo.destination, [443, 8443]);
    try {
      // Without rules everything connects, so a later timeout is the rules' doing.
      expect(tcpProbe(topo.client, storage4, 8443)).toBe("connected");
      expect(tcpProbe(topo.client, outside6, 443)).toBe("connected");
      topo.appliance.execOk("bash", [writeScript("traffic-nva", file("nva-dual-stack", "iptables.sh"))]);
      const results = {
        tag4on443: tcpProbe(topo.client, storage4, 443),
        tag4on8443: tcpProbe(topo.client, storage4, 8443),
        outside4on443: tcpProbe(topo.client, outside4, 443),
        tag6on443: tcpProbe(topo.client, storage6, 443),
        tag6on8443: tcpProbe(topo.client, storage6, 8443),
        outside6on443: tcpProbe(topo.client, outside6, 443),
        fqdnBeforeDns: tcpProbe(topo.client, fqdn4, 443),
      };
      // What dnsmasq does when a listed name resolves to this address.
      topo.appliance.execOk("ipset", ["add", "cmi4-fqdn_tcp443", fqdn4]);
      const fqdnAfterDns = tcpProbe(topo.client, fqdn4, 443);
      const fqdnOtherPort = tcpProbe(topo.client, fqdn4, 8443);
      expect({ ...results, fqdnAfterDns, fqdnOtherPort }).toEqual({
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
    const topo = buildNvaTopology("iptables", [`${listed4}/32`, `${wildcard4}/32`, `${unlisted4}/32`, `${listed6}/128`]);
    const server = await startTcpServer(topo.destination, [443, 8443]);
    const common = ["-k", "--log-facility=-", "-u", "root", "--no-resolv", "--no-hosts", "--bind-interfaces"];
    // The upstream resolver answers for every name; only the appliance's dnsmasq knows the ipset= lines.
    const upstream = startDaemon(topo.destination, "dnsmasq", [
      ...common,
      `--listen-address=${a.dest4}`,
      `--pid-file=${join(work, "upstream.pid")}`,
      "--conf-file=/dev/null",
      `--address=/management.azure.com/${listed4}`,
      `--address=/management.azure.com/${listed6}`,
      `--address=/blob.core.windows.net/${wildcard4}`,
      `--address=/example.org/${unlisted4}`,
    ]);
    let resolver: ReturnType<typeof startDaemon> | undefined;
    try {
      await waitForDns(topo.appliance, a.dest4, "example.org");
      topo.appliance.execOk("bash", [writeScript("traffic-dns", file("nva-dual-stack", "iptables.sh"))]);
      const conf = join(work, "dnsmasq-ipset.conf");
      writeFileSync(conf, file("nva-dual-stack", "dnsmasq-ipset.conf"));
      resolver = startDaemon(topo.appliance, "dnsmasq", [...common, `--listen-address=${a.applianceClient4}`, `--server=${a.dest4}`, `--pid-file=${join(work, "resolver.pid")}`, `--conf-file=${conf}`]);
      await waitForDns(topo.client, a.applianceClient4, "example.org");
      expect(tcpProbe(topo.client, listed4, 443)).toBe("timeout");
      expect(dnsQuery(topo.client, a.applianceClient4, "management.azure.com")).toBe(1);
      expect(dnsQuery(topo.client, a.applianceClient4, "management.azure.com", 28)).toBe(1);
      expect(dnsQuery(topo.client, a.applianceClient4, "backup7.blob.core.windows.net")).toBe(1);
      const sets = parseIpsetSave(topo.appliance.execOk("ipset", ["save"]).stdout);
      expect([...(sets.get("cmi4-fqdn_tcp443")?.members ?? [])].sort()).toEqual([listed4, wildcard4]);
      expect(sets.get("cmi6-fqdn_tcp443")?.members).toEqual([listed6]);
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
    const topo = buildHostTopology("iptables");
    const nodeServer = await startTcpServer(topo.node, [9042, 8080]);
    const managedServer = await startTcpServer(topo.managed, [7001, 8080]);
    try {
      const h = HOST_ADDRESSES;
      expect(tcpProbe(topo.managed, h.node4, 8080)).toBe("connected");
      topo.node.execOk("bash", [writeScript("traffic-host", file("host-dual-stack", "iptables.sh"))]);
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
    const left = runOk("ip", ["netns", "list"]).stdout.split("\n").filter((l) => l.startsWith(`cmn-iptables-${process.pid}-`));
    expect(left).toEqual([]);
  });
});

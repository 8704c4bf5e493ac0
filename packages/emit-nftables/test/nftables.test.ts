import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveRules, type EmitResult } from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import { emitNftablesRuleset, emitter, version, type NftablesOptions } from "@cassandra-mi-netrules/emit-nftables";
import { coverageProblems, loadedFromNft, parseNftJson, type NftDump } from "@cassandra-mi-netrules/testkit/linuxfw";
import { emitScenarios, largestCase, linuxScenarios, NVA_SUBNETS, type LinuxScenario } from "@cassandra-mi-netrules/testkit/linuxfw-scenarios";
import { KERNEL_LIMITS } from "@cassandra-mi-netrules/linux";
import {
  allConnected,
  DNSMASQ_TRAFFIC_EXPECTED,
  dnsmasqTraffic,
  HOST_TRAFFIC_EXPECTED,
  hostTraffic,
  NVA_TRAFFIC_EXPECTED,
  nvaTraffic,
  type FirewallUnderTest,
} from "@cassandra-mi-netrules/testkit/linuxfw-traffic";
import { Netns, run, runOk } from "@cassandra-mi-netrules/testkit/netns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = join(here, "../../..");

interface Scenario extends LinuxScenario {
  readonly options: NftablesOptions;
}

// The scenarios of the iptables tests; one loads into a table of another name.
const scenarios: Scenario[] = linuxScenarios().map((s) => (s.name === "nva-regional-peers-no-fqdn" ? { ...s, options: { ...s.options, table: "cmi_regional" } } : s));
const { scenario, output, file } = emitScenarios(scenarios, emitNftablesRuleset);

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
      const cov = output(s.name).coverage;
      expect(cov.map((c) => c.ruleId)).toEqual(s.resolved.rules.map((r) => r.id));
      for (const c of cov) {
        expect(c.how.startsWith("nftables: ")).toBe(true);
        if (c.status === "enforced") expect(c.why).toBe("");
        else expect(c.why.length).toBeGreaterThan(20);
      }
    }
    const noTags = new Map((output("nva-no-service-tags").coverage).map((c) => [c.ruleId, c]));
    expect(noTags.get("tag-azure-monitor")).toMatchObject({ status: "unsupported", why: expect.stringMatching(/service-tags file/) });
    expect(noTags.get("event-hub-logs")).toMatchObject({ status: "approximated", why: expect.stringMatching(/addresses of servicebus\.windows\.net itself/) });
    expect(noTags.get("monitor-metrics")).toMatchObject({ status: "approximated", why: expect.stringMatching(/subdomains of jarvis-west\.dc\.ad\.msft\.net/) });
    expect(file("nva-no-service-tags", "nftables.nft")).not.toMatch(/comment "tag-azure-monitor"/);
  });

  it("is byte-identical whatever the order of the input rules", () => {
    for (const s of scenarios) {
      expect(emitNftablesRuleset({ ...s.resolved, rules: [...s.resolved.rules].reverse() }, s.options)).toEqual(output(s.name));
      expect(emitNftablesRuleset({ ...s.resolved, rules: [...s.resolved.rules.slice(5), ...s.resolved.rules.slice(0, 5)] }, s.options)).toEqual(output(s.name));
    }
  });

  it("errors name the option or field and the bad value", () => {
    const r = scenario("nva-dual-stack").resolved;
    expect(() => emitNftablesRuleset(r)).toThrow(/options\.subnets: nva mode needs the cluster subnet/);
    expect(() => emitNftablesRuleset(r, { subnets: NVA_SUBNETS, table: 'x"; flush ruleset' })).toThrow(/options\.table.*flush ruleset/);
    expect(() => emitNftablesRuleset(r, { subnets: NVA_SUBNETS, peers: ["2001:db8::1/32"] })).toThrow(/options\.peers\[0\].*host bits/);
    const hostile = { ...r, rules: r.rules.map((x, i) => (i === 1 ? { ...x, id: 'a" drop comment "b' } : x)) };
    expect(() => emitNftablesRuleset(hostile, { subnets: NVA_SUBNETS })).toThrow(/rules\[1\]\.id: must be kebab-case/);
    const badPrefix = { ...r, rules: r.rules.map((x, i) => (i === 25 ? { ...x, prefixes: { ipv4: ["192.0.2.0/24 } accept"], ipv6: [] } } : x)) };
    expect(() => emitNftablesRuleset(badPrefix, { subnets: NVA_SUBNETS })).toThrow(/rules\[25\]\.prefixes\.ipv4\[0\]/);
  });
});

describe("options", () => {
  it("refuses an unknown option key, naming it and the known ones (its own `table` among them)", () => {
    const r = scenario("nva-dual-stack").resolved;
    expect(() => emitNftablesRuleset(r, { subnets: NVA_SUBNETS, tabel: "x" } as NftablesOptions)).toThrow(
      'options.tabel: unknown option; known: mode, subnets, peers, fqdns, regionalTags, fqdnTimeout, table (value: "x")',
    );
    expect(emitNftablesRuleset(r, { subnets: NVA_SUBNETS, table: "cmi" }).files[0]?.content).toContain("table inet cmi {");
  });

  it("refuses peers and subnets as wide as every address, naming the option and the value", () => {
    const r = scenario("nva-dual-stack").resolved;
    expect(() => emitNftablesRuleset(r, { subnets: NVA_SUBNETS, peers: ["0.0.0.0/0"] })).toThrow(/^options\.peers\[0\]: is wider than \/8: .*"0\.0\.0\.0\/0"/);
    expect(() => emitNftablesRuleset(r, { subnets: NVA_SUBNETS, peers: ["::/0"] })).toThrow(/^options\.peers\[0\]: is wider than \/32: .*"::\/0"/);
    expect(() => emitNftablesRuleset(r, { subnets: ["::/0"] })).toThrow(/^options\.subnets\[0\]: is wider than \/32/);
  });
});

describe("golden files", () => {
  for (const s of scenarios) {
    it(s.name, async () => {
      const out = output(s.name);
      for (const f of out.files) await expect(f.content).toMatchFileSnapshot(join(here, "__golden__", s.name, f.path));
      await expect(`${JSON.stringify(out.coverage, null, 2)}\n`).toMatchFileSnapshot(join(here, "__golden__", s.name, "coverage.json"));
    });
  }
});

describe("dnsmasq", () => {
  it("dnsmasq --test accepts every nftset= configuration", () => {
    let checked = 0;
    for (const s of scenarios) {
      const f = output(s.name).files.find((x) => x.path === "dnsmasq-nftset.conf");
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

const CHAIN_NAMES = {
  egress: { base: "forward", chain: "egress" },
  "from-cluster": { base: "input", chain: "from_cluster" },
  "to-cluster": { base: "output", chain: "to_cluster" },
} as const;

/**
 * What the kernel holds: `nft list ruleset`, its JSON, and `state`, the JSON objects without handles in
 * sorted order (a reload makes the prefix sets anew after the kept dnsmasq-filled ones, so the listing
 * order and the handles change while the ruleset does not).
 */
function listRuleset(ns: Netns): { text: string; json: string; dump: NftDump; state: string[] } {
  const json = ns.execOk("nft", ["-j", "list", "ruleset"]).stdout;
  const items = (JSON.parse(json) as { nftables: Array<Record<string, unknown>> }).nftables.filter((x) => !("metainfo" in x));
  const state = items.map((x) => JSON.stringify(x, (k, v: unknown) => (k === "handle" ? undefined : v))).sort();
  return { text: ns.execOk("nft", ["list", "ruleset"]).stdout, json, dump: parseNftJson(json), state };
}

function problemsOf(s: Scenario, listed: { json: string; dump: NftDump }, out: EmitResult): { problems: string[]; checks: number } {
  const table = s.options.table ?? "cassandra_mi";
  const dnsmasq = out.files.find((f) => f.path === "dnsmasq-nftset.conf")?.content;
  const result = coverageProblems(loadedFromNft(listed.json, table, CHAIN_NAMES), { resolved: s.resolved, options: s.options, coverage: out.coverage, ...(dnsmasq ? { dnsmasq } : {}) });
  // nftables specifics: one inet table, every set of its family: prefixes in interval sets, dnsmasq's with a timeout.
  const tables = new Set([...listed.dump.chains, ...listed.dump.sets].map((x) => `${x.family} ${x.table}`));
  result.checks++;
  if (JSON.stringify([...tables]) !== JSON.stringify([`inet ${table}`])) result.problems.push(`tables ${[...tables].join(", ")} instead of inet ${table}`);
  for (const set of listed.dump.sets) {
    result.checks++;
    const type = set.name.endsWith("_v6") ? "ipv6_addr" : "ipv4_addr";
    const flags = set.name.startsWith("fqdn_") ? "timeout" : "interval";
    if (set.type !== type || set.flags.join(",") !== flags) result.problems.push(`set ${set.name}: ${set.type} flags ${set.flags.join(",")} instead of ${type} flags ${flags}`);
  }
  return result;
}

describe("the real kernel, in a network namespace of its own", () => {
  for (const s of scenarios) {
    it(`${s.name}: nft -c passes and changes nothing on a clean host, the load matches the coverage, a second load changes nothing`, () => {
      const ns = Netns.create("nftables");
      try {
        const path = writeFile(`${s.name}.nft`, file(s.name, "nftables.nft"));
        expect(listRuleset(ns).text).toBe("");
        ns.execOk("nft", ["-c", "-f", path]);
        expect(listRuleset(ns).text).toBe("");
        ns.execOk("nft", ["-f", path]);
        const first = listRuleset(ns);
        const { problems, checks } = problemsOf(s, first, output(s.name));
        expect(problems).toEqual([]);
        expect(checks).toBeGreaterThan(30);
        ns.execOk("nft", ["-c", "-f", path]);
        ns.execOk("nft", ["-f", path]);
        expect(listRuleset(ns).state).toEqual(first.state);
      } finally {
        ns.destroy();
      }
    });
  }

  it("the comparison with the coverage finds a widened, a missing and a stray rule", () => {
    const s = scenario("nva-dual-stack");
    const ns = Netns.create("nftables");
    try {
      ns.execOk("nft", ["-f", writeFile("tamper.nft", file(s.name, "nftables.nft"))]);
      const handle = /ip6 daddr @storage_v6 tcp dport 443 accept comment "storage-control-plane,storage-store,storage-backup,tag-storage" # handle (\d+)/.exec(ns.execOk("nft", ["-a", "list", "chain", "inet", "cassandra_mi", "egress"]).stdout)?.[1];
      expect(handle).toMatch(/^\d+$/);
      ns.execOk("nft", ["delete", "rule", "inet", "cassandra_mi", "egress", "handle", handle as string]);
      ns.execOk("nft", ["add", "rule", "inet", "cassandra_mi", "egress", "index", "0", "tcp", "dport", "443", "accept", "comment", '"key-vault"']);
      ns.execOk("nft", ["add", "rule", "inet", "cassandra_mi", "egress", "index", "0", "tcp", "dport", "22", "accept"]);
      ns.execOk("nft", ["add", "element", "inet", "cassandra_mi", "azureresourcemanager_v4", "{ 203.0.113.0/24 }"]);
      const { problems } = problemsOf(s, listRuleset(ns), output(s.name));
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^key-vault IPv4: a rule matches no destination set$/),
          expect.stringMatching(/^IPv4 egress: a rule the coverage does not account for: .*"from":22,/),
          expect.stringMatching(/^tag-storage IPv6: allows 0 ranges/),
          expect.stringMatching(/^management-api IPv4: allows \d+ ranges instead of/),
        ]),
      );
    } finally {
      ns.destroy();
    }
  });

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

  it("a reload keeps what dnsmasq put in the FQDN sets, replaces the prefix sets and drops the chains of the other mode; an address expires fqdnTimeout seconds after it was added", async () => {
    const s = scenario("nva-dual-stack");
    const ns = Netns.create("nftables");
    try {
      ns.execOk("nft", ["-f", writeFile("other-mode.nft", file("host-dual-stack", "nftables.nft"))]);
      const text = emitNftablesRuleset(s.resolved, { ...s.options, fqdnTimeout: 3 }).files[0]?.content ?? "";
      expect(text).toMatch(/set fqdn_tcp443_v4 \{\n\t\ttype ipv4_addr\n\t\tflags timeout\n\t\ttimeout 3s\n/);
      const path = writeFile("timeout.nft", text);
      ns.execOk("nft", ["-f", path]);
      ns.execOk("nft", ["add", "element", "inet", "cassandra_mi", "fqdn_tcp443_v4", "{ 203.0.113.20 }"]);
      ns.execOk("nft", ["add", "element", "inet", "cassandra_mi", "storage_v4", "{ 203.0.113.128/25 }"]);
      ns.execOk("nft", ["-f", path]);
      const listed = listRuleset(ns);
      const set = (name: string): readonly string[] => listed.dump.sets.find((x) => x.name === name)?.elements ?? [];
      expect(set("fqdn_tcp443_v4")).toEqual(["203.0.113.20"]);
      expect(set("storage_v4")).toEqual(["192.0.2.0/27"]);
      expect(listed.dump.chains.map((c) => c.name).sort()).toEqual(["egress", "forward"]);
      await new Promise((r) => setTimeout(r, 3500));
      expect(listRuleset(ns).dump.sets.find((x) => x.name === "fqdn_tcp443_v4")?.elements).toEqual([]);
    } finally {
      ns.destroy();
    }
  });

  it("loading over the tables of another mode leaves only this file's chains", () => {
    const ns = Netns.create("nftables");
    try {
      for (const [from, to] of [
        ["host-dual-stack", "nva-dual-stack"],
        ["nva-dual-stack", "host-dual-stack"],
      ] as const) {
        ns.execOk("nft", ["-f", writeFile(`${from}.nft`, file(from, "nftables.nft"))]);
        ns.execOk("nft", ["-f", writeFile(`${to}.nft`, file(to, "nftables.nft"))]);
        const { problems } = problemsOf(scenario(to), listRuleset(ns), output(to));
        expect({ from, to, problems }).toEqual({ from, to, problems: [] });
      }
    } finally {
      ns.destroy();
    }
  });

  it("the vendored service-tags file: one interval set per tag and family, a rule count that does not grow with prefixes", () => {
    const real = loadServiceTags(readFileSync(join(repo, "vendor/service-tags/ServiceTags_Public_20251028.json"), "utf8"));
    const s: Scenario = { name: "vendored", resolved: resolveRules({ regions: ["eastus"], serviceTags: real }), options: { subnets: NVA_SUBNETS } };
    const out = emitNftablesRuleset(s.resolved, s.options);
    const text = out.files[0]?.content ?? "";
    const ns = Netns.create("nftables");
    try {
      const path = writeFile("vendored.nft", text);
      ns.execOk("nft", ["-c", "-f", path]);
      ns.execOk("nft", ["-f", path]);
      const listed = listRuleset(ns);
      expect(listed.dump.sets.reduce((n, x) => n + x.elements.length, 0)).toBeGreaterThan(3000);
      expect(listed.dump.rules.length).toBeLessThan(150);
      const { problems, checks } = problemsOf(s, listed, out);
      expect(problems).toEqual([]);
      expect(checks).toBeGreaterThan(100);
    } finally {
      ns.destroy();
    }
  });
});

describe("kernel limits (KERNEL_LIMITS)", () => {
  it(`loads the largest set the plan writes (${KERNEL_LIMITS.setElements} elements) and merged comments split at ${KERNEL_LIMITS.nftCommentBytes} bytes`, () => {
    const big = largestCase(scenario("nva-dual-stack").resolved);
    const out = emitNftablesRuleset(big.resolved, { subnets: NVA_SUBNETS });
    const text = out.files[0]?.content ?? "";
    // Three 100-character ids on one match: each comment holds one (two would pass 128 bytes).
    for (const id of big.ids.slice(1)) expect(text).toContain(`ip6 daddr @fqdn_tcp443_v6 tcp dport 443 accept comment "${id}"`);
    const ns = Netns.create("nftables");
    try {
      const path = writeFile("largest.nft", text);
      ns.execOk("nft", ["-c", "-f", path], { timeoutMs: 300_000 });
      ns.execOk("nft", ["-f", path], { timeoutMs: 300_000 });
      const listed = listRuleset(ns);
      expect(Math.max(...listed.dump.sets.map((x) => x.elements.length))).toBe(KERNEL_LIMITS.setElements);
      const dnsmasq = out.files.find((f) => f.path === "dnsmasq-nftset.conf")?.content;
      expect(coverageProblems(loadedFromNft(listed.json, "cassandra_mi", CHAIN_NAMES), { resolved: big.resolved, options: { subnets: NVA_SUBNETS }, coverage: out.coverage, ...(dnsmasq ? { dnsmasq } : {}) }).problems).toEqual([]);
    } finally {
      ns.destroy();
    }
  });
});

/* ---------- traffic ---------- */

const nftables: FirewallUnderTest = {
  pkg: "nftables",
  load: (ns, artifact) => void ns.execOk("nft", ["-f", writeFile(`traffic-${ns.name}.nft`, artifact)]),
  addToFqdnSet: (ns, address) => void ns.execOk("nft", ["add", "element", "inet", "cassandra_mi", address.includes(":") ? "fqdn_tcp443_v6" : "fqdn_tcp443_v4", `{ ${address} }`]),
  fqdnSetMembers: (ns) =>
    ["fqdn_tcp443_v4", "fqdn_tcp443_v6"].flatMap((set) => parseNftJson(ns.execOk("nft", ["-j", "list", "set", "inet", "cassandra_mi", set]).stdout).sets[0]?.elements ?? []),
};

describe("traffic through the namespaces the test made", () => {
  it("nva: the appliance passes a required tag's address on 443 and drops other ports and other addresses (IPv4 and IPv6)", async () => {
    const { before, after } = await nvaTraffic(nftables, file("nva-dual-stack", "nftables.nft"));
    expect(before).toEqual(allConnected(before));
    expect(after).toEqual(NVA_TRAFFIC_EXPECTED);
  });

  it("nva + real dnsmasq: answers for listed names (wildcards by their parent) fill the sets through nftset= and open 443, others do not", async () => {
    const conf = writeFile("dnsmasq-nftset.conf", file("nva-dual-stack", "dnsmasq-nftset.conf"));
    const { before, ...rest } = await dnsmasqTraffic(nftables, file("nva-dual-stack", "nftables.nft"), conf, work);
    expect(before).toEqual(allConnected(before));
    expect(rest).toEqual(DNSMASQ_TRAFFIC_EXPECTED);
  });

  it("host: the node accepts the managed subnet on the internal ports only, and reaches it on them only", async () => {
    const { before, after } = await hostTraffic(nftables, file("host-dual-stack", "nftables.nft"));
    expect(before).toEqual(allConnected(before));
    expect(after).toEqual(HOST_TRAFFIC_EXPECTED);
  });

  it("no namespace of this test file is left behind", () => {
    const left = runOk("ip", ["netns", "list"]).stdout.split("\n").filter((l) => l.startsWith(`cmn-nftables-${process.pid}-`));
    expect(left).toEqual([]);
  });
});

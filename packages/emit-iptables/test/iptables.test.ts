import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveRules, type EmitResult, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import { emitIptablesScript, emitter, version, type IptablesOptions } from "@cassandra-mi-netrules/emit-iptables";
import { KERNEL_LIMITS } from "@cassandra-mi-netrules/linux";
import { coverageProblems, dnsmasqSetDomains, loadedFromIptables, parseIpsetSave, type IpsetSet, type LoadedFirewall } from "@cassandra-mi-netrules/testkit/linuxfw";
import { emitScenarios, largestCase, linuxScenarios, NVA_SUBNETS, type LinuxScenario } from "@cassandra-mi-netrules/testkit/linuxfw-scenarios";
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
import { backendPath, IPTABLES_BACKENDS, Netns, run, runOk, type IptablesBackend } from "@cassandra-mi-netrules/testkit/netns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = join(here, "../../..");
const scenarios = linuxScenarios();
const { scenario, output, file } = emitScenarios(scenarios, emitIptablesScript);

let work = "";
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "cmn-iptables-"));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function writeScript(name: string, content: string): string {
  const path = join(work, `${name}.sh`);
  writeFileSync(path, content);
  return path;
}

describe("emitter contract", () => {
  it("exports a named emitter, the function and the version", () => {
    expect(emitter.name).toBe("iptables");
    expect(emitter.emit).toBe(emitIptablesScript);
    expect(version).toBe(JSON.parse(readFileSync(join(here, "../package.json"), "utf8")).version);
  });

  it("has one coverage entry per resolved rule, in rule order", () => {
    for (const s of scenarios) {
      const cov = output(s.name).coverage;
      expect(cov.map((c) => c.ruleId)).toEqual(s.resolved.rules.map((r) => r.id));
      for (const c of cov) {
        expect(["enforced", "approximated", "unsupported"]).toContain(c.status);
        expect(c.how.startsWith("iptables: ")).toBe(true);
        if (c.status === "enforced") expect(c.why).toBe("");
        else expect(c.why.length).toBeGreaterThan(20);
      }
    }
  });

  it("says why tags are unsupported without a service-tags file, and still allows their FQDN alternative", () => {
    const byId = new Map((output("nva-no-service-tags").coverage).map((c) => [c.ruleId, c]));
    expect(byId.get("tag-storage")?.status).toBe("unsupported");
    expect(byId.get("tag-storage")?.why).toMatch(/no service-tags file.*pass a service-tags file/);
    // dnsmasq matches a wildcard by its parent, which it admits too; an exact name admits its subdomains too.
    expect(byId.get("storage-backup")?.status).toBe("approximated");
    expect(byId.get("storage-backup")?.why).toMatch(/admits the addresses of blob\.core\.windows\.net itself/);
    expect(byId.get("storage-control-plane")?.status).toBe("approximated");
    expect(byId.get("storage-control-plane")?.why).toMatch(/admits the addresses of subdomains of snovapeastus\.blob\.core\.windows\.net/);
    expect(byId.get("storage-control-plane")?.how).toMatch(/not used: no service-tags file/);
    expect(byId.get("microsoft-prefixes")?.status).toBe("enforced");
    expect(file("nva-no-service-tags", "iptables.sh")).not.toMatch(/--comment "tag-storage"/);
  });

  it("treats internal ports by mode: unsupported in nva without peers, enforced with peers and in host mode", () => {
    const status = (name: string, id: string): string | undefined => output(name).coverage.find((c) => c.ruleId === id)?.status;
    expect(status("nva-dual-stack", "cql")).toBe("unsupported");
    expect(status("nva-regional-peers-no-fqdn", "cql")).toBe("enforced");
    expect(status("host-dual-stack", "cql")).toBe("enforced");
    expect(status("host-dual-stack", "storage-control-plane")).toBe("unsupported");
  });

  it("is byte-identical whatever the order of the input rules", () => {
    for (const s of scenarios) {
      const shuffled: ResolvedRules = { ...s.resolved, rules: [...s.resolved.rules].reverse() };
      const rotated: ResolvedRules = { ...s.resolved, rules: [...s.resolved.rules.slice(7), ...s.resolved.rules.slice(0, 7)] };
      expect(emitIptablesScript(shuffled, s.options)).toEqual(output(s.name));
      expect(emitIptablesScript(rotated, s.options)).toEqual(output(s.name));
    }
  });

  it("errors name the option or field and the bad value", () => {
    const r = scenario("nva-dual-stack").resolved;
    expect(() => emitIptablesScript(r)).toThrow(/options\.subnets: nva mode needs the cluster subnet/);
    expect(() => emitIptablesScript(r, { mode: "host" })).toThrow(/host mode needs the cluster subnet/);
    expect(() => emitIptablesScript(r, { subnets: ["10.0.0.5/24"] })).toThrow(/options\.subnets\[0\].*host bits/);
    expect(() => emitIptablesScript(r, { subnets: NVA_SUBNETS, mode: "router" as "nva" })).toThrow(/options\.mode.*"router"/);
    const hostileId = { ...r, rules: r.rules.map((x, i) => (i === 2 ? { ...x, id: 'x"; rm -rf / #' } : x)) };
    expect(() => emitIptablesScript(hostileId, { subnets: NVA_SUBNETS })).toThrow(/rules\[2\]\.id: must be kebab-case.*rm -rf/);
    const hostileFqdn = { ...r, rules: r.rules.map((x, i) => (i === 0 ? { ...x, fqdns: [{ fqdn: "a.b/ipset=/x", pattern: "a", wildcard: false }] } : x)) };
    expect(() => emitIptablesScript(hostileFqdn, { subnets: NVA_SUBNETS })).toThrow(/rules\[0\]\.fqdns\[0\]\.fqdn.*a\.b\/ipset=/);
  });

  it("refuses an unknown option key, naming it and the known ones, as the other emitters do", () => {
    const r = scenario("nva-dual-stack").resolved;
    expect(() => emitIptablesScript(r, { subnets: NVA_SUBNETS, tabel: "x" } as IptablesOptions)).toThrow(
      'options.tabel: unknown option; known: mode, subnets, peers, fqdns, regionalTags, fqdnTimeout (value: "x")',
    );
    expect(() => emitIptablesScript(r, { subnets: NVA_SUBNETS, table: "cmi" } as IptablesOptions)).toThrow(/options\.table: unknown option/);
    expect(() => emitIptablesScript(r, { subnets: NVA_SUBNETS, fqdnTimeout: 0 })).toThrow(/options\.fqdnTimeout: must be a whole number of seconds from 1 to 2147483 \(value: 0\)/);
  });

  it("refuses peers and subnets as wide as every address (or wider than /8 and /32), naming the option and the value", () => {
    const r = scenario("nva-dual-stack").resolved;
    const cases: Array<[IptablesOptions, RegExp]> = [
      [{ subnets: NVA_SUBNETS, peers: ["0.0.0.0/0"] }, /^options\.peers\[0\]: is wider than \/8: .* \(value: "0\.0\.0\.0\/0"\)$/],
      [{ subnets: NVA_SUBNETS, peers: ["203.0.113.0/28", "::/0"] }, /^options\.peers\[1\]: is wider than \/32: .*"::\/0"/],
      [{ subnets: NVA_SUBNETS, peers: ["0.0.0.0/1", "128.0.0.0/1"] }, /^options\.peers\[0\]: is wider than \/8/],
      [{ subnets: NVA_SUBNETS, peers: ["10.0.0.0/8", "11.0.0.0/8"] }, /^options\.peers: together cover 10\.0\.0\.0\/7, wider than \/8/],
      [{ subnets: ["0.0.0.0/0"] }, /^options\.subnets\[0\]: is wider than \/8: .*"0\.0\.0\.0\/0"/],
      [{ subnets: ["::/0"], mode: "host" }, /^options\.subnets\[0\]: is wider than \/32/],
    ];
    for (const [options, message] of cases) expect(() => emitIptablesScript(r, options)).toThrow(message);
    expect(() => emitIptablesScript({ ...r, subnet: { cidr: "0.0.0.0/0", family: 4 } })).toThrow(/^resolved\.subnet\[0\]: is wider than \/8/);
    expect(emitIptablesScript(r, { subnets: ["10.0.0.0/8", "2001:db8:c::/64"], peers: ["2001:db8::/32"] }).files[0]?.content).toContain("add cmt6-peers 2001:db8::/32\n");
  });

  it("keeps hostile tag names out of set names and comments", () => {
    const r = scenario("nva-dual-stack").resolved;
    const rule = r.rules[0];
    if (!rule) throw new Error("no rule");
    const evil = "Sto$(reboot)\nrage`x`\"'";
    const tag = { ...rule.serviceTags[0], tag: evil, global: { name: evil, networkFeatures: null, prefixes: { ipv4: ["192.0.2.0/27"], ipv6: [] } }, regional: [] } as (typeof rule.serviceTags)[number];
    const out = emitIptablesScript({ ...r, rules: [{ ...rule, serviceTags: [tag] }] }, { subnets: NVA_SUBNETS });
    const script = out.files[0]?.content ?? "";
    expect(script).not.toContain("$(reboot)");
    expect(script).not.toContain("`x`");
    expect(script).toMatch(/cmi4-sto_reboot_rage_[0-9a-f]{8} /);
    expect(run("shellcheck", ["-s", "bash", writeScript("hostile", script)]).stdout).toBe("");
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

describe("real validators on every emitted file", () => {
  it("shellcheck finds nothing in any script", () => {
    for (const s of scenarios) {
      const r = run("shellcheck", ["-s", "bash", "-o", "all", "-e", "SC2250,SC2312", writeScript(s.name, file(s.name, "iptables.sh"))]);
      expect({ scenario: s.name, out: r.stdout, status: r.status }).toEqual({ scenario: s.name, out: "", status: 0 });
    }
  });

  it("dnsmasq --test accepts every dnsmasq configuration", () => {
    let checked = 0;
    for (const s of scenarios) {
      const f = output(s.name).files.find((x) => x.path === "dnsmasq-ipset.conf");
      if (!f) continue;
      const path = join(work, `${s.name}.conf`);
      writeFileSync(path, f.content);
      const r = run("dnsmasq", ["--test", `--conf-file=${path}`]);
      expect({ scenario: s.name, status: r.status, err: r.stderr.trim() }).toEqual({ scenario: s.name, status: 0, err: "dnsmasq: syntax check OK." });
      expect(f.content).toMatch(/^ipset=\/[a-z0-9.-]+\/cmi4-fqdn_tcp443(,cmi6-fqdn_tcp443)?$/m);
      checked++;
    }
    expect(checked).toBe(3);
  });
});

/* ---------- the kernel ---------- */

const CHAIN_NAMES = {
  egress: { builtin: "FORWARD", dispatcher: "CMI-FORWARD", chain: "CMI-EGRESS" },
  "from-cluster": { builtin: "INPUT", dispatcher: "CMI-INPUT", chain: "CMI-FROM-CLUSTER" },
  "to-cluster": { builtin: "OUTPUT", dispatcher: "CMI-OUTPUT", chain: "CMI-TO-CLUSTER" },
} as const;

interface KernelState {
  readonly loaded: LoadedFirewall;
  readonly sets: Map<string, IpsetSet>;
  /** iptables-save / ip6tables-save / ipset save without comments, counters, random initvals or member order. */
  readonly normal: string;
}

/** A table with only its built-in chains, policy ACCEPT and no rule holds nothing: the same as no table. */
function withoutEmptyTables(save: string): string {
  return save.replace(/^\*[a-z]+\n(?::[A-Z]+ ACCEPT \[\d+:\d+\]\n)*COMMIT\n/gm, "");
}

/** Runs a command in the namespace with the backend's iptables tools first on PATH. */
function under(backend: IptablesBackend, ns: Netns, args: readonly string[]): ReturnType<Netns["exec"]> {
  return ns.exec("env", [backendPath(backend), ...args]);
}
function underOk(backend: IptablesBackend, ns: Netns, args: readonly string[]): ReturnType<Netns["exec"]> {
  return ns.execOk("env", [backendPath(backend), ...args]);
}

function kernelState(ns: Netns, backend: IptablesBackend): KernelState {
  const strip = (t: string): string => withoutEmptyTables(t.split("\n").filter((l) => !l.startsWith("#")).join("\n"));
  const v4 = strip(underOk(backend, ns, ["iptables-save"]).stdout);
  const v6 = strip(underOk(backend, ns, ["ip6tables-save"]).stdout);
  const ipset = ns.execOk("ipset", ["save"]).stdout;
  const sets = parseIpsetSave(ipset);
  const setText = [...sets.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((s) => `${s.name} ${s.type} ${s.family} ${[...s.members].sort().join(",")}`)
    .join("\n");
  return { loaded: loadedFromIptables({ v4, v6, ipset }, CHAIN_NAMES), sets, normal: `${v4}\n${v6}\n${setText}` };
}

function problemsOf(s: LinuxScenario, state: KernelState, out: EmitResult): { problems: string[]; checks: number } {
  const dnsmasq = out.files.find((f) => f.path === "dnsmasq-ipset.conf")?.content;
  const result = coverageProblems(state.loaded, { resolved: s.resolved, options: s.options, coverage: out.coverage, ...(dnsmasq ? { dnsmasq } : {}) });
  // ipset specifics: the family in the name, hash:ip for the sets dnsmasq fills, hash:net for prefixes.
  const fqdnSets = dnsmasqSetDomains(dnsmasq);
  for (const set of state.sets.values()) {
    result.checks++;
    const type = fqdnSets.has(set.name) ? "hash:ip" : "hash:net";
    if (!set.name.startsWith(`cmi${set.family}-`) || set.type !== type) result.problems.push(`set ${set.name}: ${set.type} family ${set.family} instead of ${type}`);
  }
  return result;
}

/** A directory whose ip6tables-restore passes `--test` runs to the backend's and fails every commit. */
function failingIp6Commit(backend: IptablesBackend): string {
  const real = runOk("env", [backendPath(backend), "bash", "-c", "readlink -f \"$(command -v ip6tables-restore)\""]).stdout.trim();
  const suffix = backend === "legacy" ? "legacy" : "nft";
  const dir = join(work, `failing-ip6-commit-${backend}`);
  mkdirSync(dir, { recursive: true });
  const wrapper = join(dir, "ip6tables-restore");
  // The multi-call binary picks the backend from the name it runs as.
  writeFileSync(wrapper, `#!/bin/bash\nfor a in "$@"; do [[ "$a" == --test ]] && exec -a ip6tables-${suffix}-restore ${real} "$@"; done\necho "ip6tables-restore: commit refused by the test" >&2\nexit 1\n`);
  chmodSync(wrapper, 0o755);
  return dir;
}

/** The script with one bad match added at the top of one family's rules. */
function breakRules(script: string, fn: "input4" | "input6"): string {
  const broken = script.replace(new RegExp(`(${fn}\\(\\) \\{\\n {2}cat <<'CMI_RULES'\\n\\*filter\\n)`), "$1-A CMI-EGRESS -m no_such_match -j ACCEPT\n");
  if (broken === script) throw new Error(`no ${fn} heredoc to break`);
  return broken;
}

for (const backend of IPTABLES_BACKENDS) {
describe(`the real kernel, ${backend} backend, in a network namespace of its own`, () => {
  for (const s of scenarios) {
    it(`${s.name}: --check changes nothing, the load matches the coverage, a second run changes nothing`, () => {
      const ns = Netns.create("iptables");
      try {
        const path = writeScript(s.name, file(s.name, "iptables.sh"));
        const empty = kernelState(ns, backend).normal;
        const check = under(backend, ns, ["bash", path, "--check"]);
        expect(check.stderr).toBe("");
        expect(check.stdout).toBe("cmi: check passed\n");
        expect(kernelState(ns, backend).normal).toBe(empty);
        expect(underOk(backend, ns, ["bash", path]).stdout).toBe("cmi: loaded\n");
        const first = kernelState(ns, backend);
        expect([...first.sets.keys()].filter((n) => !/^cmi[46]-/.test(n))).toEqual([]);
        const { problems, checks } = problemsOf(s, first, output(s.name));
        expect(problems).toEqual([]);
        expect(checks).toBeGreaterThan(30);
        underOk(backend, ns, ["bash", path]);
        expect(kernelState(ns, backend).normal).toBe(first.normal);
      } finally {
        ns.destroy();
      }
    });
  }

  it("the comparison with the coverage finds a widened, a missing and a stray rule", () => {
    const s = scenario("nva-dual-stack");
    const ns = Netns.create("iptables");
    try {
      underOk(backend, ns, ["bash", writeScript("tamper", file(s.name, "iptables.sh"))]);
      underOk(backend, ns, ["iptables", "-w", "-I", "CMI-EGRESS", "2", "-p", "tcp", "--dport", "443", "-m", "comment", "--comment", "key-vault", "-j", "ACCEPT"]);
      underOk(backend, ns, ["ip6tables", "-w", "-D", "CMI-EGRESS", "-p", "tcp", "-m", "set", "--match-set", "cmi6-storage", "dst", "-m", "tcp", "--dport", "443", "-m", "comment", "--comment", "storage-control-plane,storage-store,storage-backup,tag-storage", "-j", "ACCEPT"]);
      underOk(backend, ns, ["iptables", "-w", "-I", "CMI-EGRESS", "2", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"]);
      ns.execOk("ipset", ["add", "cmi4-azureresourcemanager", "203.0.113.0/24"]);
      const { problems } = problemsOf(s, kernelState(ns, backend), output(s.name));
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^key-vault IPv4: a rule matches no destination set$/),
          expect.stringMatching(/^IPv4 egress: a rule the coverage does not account for: .*--dport 22/),
          expect.stringMatching(/^tag-storage: enforced in the coverage, but no rule allows it$|^tag-storage IPv6: allows 0 ranges/),
          expect.stringMatching(/^management-api IPv4: allows \d+ ranges instead of/),
        ]),
      );
    } finally {
      ns.destroy();
    }
  });

  it("--check fails on a broken ruleset of either family and changes nothing", () => {
    const ns = Netns.create("iptables");
    try {
      const good = file("nva-dual-stack", "iptables.sh");
      underOk(backend, ns, ["bash", writeScript("good", good)]);
      const before = kernelState(ns, backend).normal;
      for (const fn of ["input4", "input6"] as const) {
        const r = under(backend, ns, ["bash", writeScript(`broken-${fn}`, breakRules(good, fn)), "--check"]);
        expect({ fn, status: r.status, stdout: r.stdout }).toEqual({ fn, status: 2, stdout: "" });
        expect(r.stderr).toMatch(/no_such_match/);
        expect(kernelState(ns, backend).normal).toBe(before);
      }
    } finally {
      ns.destroy();
    }
  });

  it("a run that fails its tests leaves the previous rules and sets in place", () => {
    const ns = Netns.create("iptables");
    const fresh = Netns.create("iptables");
    try {
      const good = file("nva-dual-stack", "iptables.sh");
      underOk(backend, ns, ["bash", writeScript("good", good)]);
      const before = kernelState(ns, backend).normal;
      // A later version whose IPv6 rules do not load: nothing may change, not even the IPv4 sets.
      const changedSets = good.replace("add cmt4-storage 192.0.2.0/27", "add cmt4-storage 192.0.2.0/26");
      expect(changedSets).not.toBe(good);
      const broken = writeScript("broken", breakRules(changedSets, "input6"));
      const r = under(backend, ns, ["bash", broken]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/the previous rules are left in place/);
      expect(kernelState(ns, backend).normal).toBe(before);
      // A first run that fails leaves no set behind either.
      const empty = kernelState(fresh, backend).normal;
      expect(under(backend, fresh, ["bash", broken]).status).not.toBe(0);
      expect(kernelState(fresh, backend).normal).toBe(empty);
    } finally {
      fresh.destroy();
      ns.destroy();
    }
  });

  it("a commit that fails after the tests passed puts back the IPv4 rules and the sets already swapped", () => {
    const ns = Netns.create("iptables");
    const fresh = Netns.create("iptables");
    try {
      const path = `PATH=${failingIp6Commit(backend)}:${backendPath(backend).slice("PATH=".length)}`;
      const v1 = file("nva-dual-stack", "iptables.sh");
      underOk(backend, ns, ["bash", writeScript("v1", v1)]);
      const before = kernelState(ns, backend);
      expect(before.sets.get("cmi4-storage")?.members).toEqual(["192.0.2.0/27"]);
      // An upgrade that changes a set's contents, drops a requirement's rule and adds new sets.
      for (const v2 of [v1.replace("add cmt4-storage 192.0.2.0/27", "add cmt4-storage 192.0.2.0/26"), file("nva-regional-peers-no-fqdn", "iptables.sh")]) {
        expect(v2).not.toBe(v1);
        const r = ns.exec("env", [path, "bash", writeScript("v2", v2)]);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/commit refused by the test[\s\S]*the previous rules are left in place/);
        expect(r.stderr).not.toMatch(/could not put/);
        expect(kernelState(ns, backend).normal).toBe(before.normal);
      }
      // On a first run, nothing is left: no chain, no jump, no set.
      const empty = kernelState(fresh, backend).normal;
      expect(fresh.exec("env", [path, "bash", writeScript("v1-first", v1)]).status).toBe(1);
      expect(kernelState(fresh, backend).normal).toBe(empty);
    } finally {
      fresh.destroy();
      ns.destroy();
    }
  });

  it("an upgrade swaps set contents and drops sets no rule uses any more", () => {
    const ns = Netns.create("iptables");
    try {
      underOk(backend, ns, ["bash", writeScript("v1", file("nva-dual-stack", "iptables.sh"))]);
      expect(kernelState(ns, backend).sets.has("cmi4-apimanagement")).toBe(true);
      underOk(backend, ns, ["bash", writeScript("v2", file("nva-regional-peers-no-fqdn", "iptables.sh"))]);
      const after = kernelState(ns, backend);
      const s = scenario("nva-regional-peers-no-fqdn");
      expect(problemsOf(s, after, output(s.name)).problems).toEqual([]);
      expect([...after.sets.keys()].sort()).toEqual([...parseIpsetSave(ipsetInputOf(file(s.name, "iptables.sh"))).keys()].filter((n) => n.startsWith("cmi")).sort());
      // The IPv4-only plan still empties the IPv6 chains the dual-stack run left.
      expect(underOk(backend, ns, ["ip6tables-save", "-t", "filter"]).stdout.split("\n").filter((l) => l.startsWith("-A CMI-"))).toEqual([]);
    } finally {
      ns.destroy();
    }
  });

  it("an IPv4-only run leaves ip6tables as it found it", () => {
    const ns = Netns.create("iptables");
    try {
      const script = file("nva-regional-peers-no-fqdn", "iptables.sh");
      expect(script).toContain("\nipv6_planned=0\n");
      const v6 = (): string => underOk(backend, ns, ["ip6tables-save"]).stdout.split("\n").filter((l) => !l.startsWith("#")).join("\n");
      underOk(backend, ns, ["ip6tables", "-w", "-A", "INPUT", "-s", "2001:db8::1", "-j", "ACCEPT"]);
      const before = v6();
      expect(underOk(backend, ns, ["bash", writeScript("v4-only", script)]).stdout).toBe("cmi: loaded\n");
      expect(v6()).toBe(before);
    } finally {
      ns.destroy();
    }
  });

  it("keeps what dnsmasq put in the FQDN sets across a run, and lets an address go fqdnTimeout seconds after it was last added", async () => {
    const s = scenario("nva-dual-stack");
    const script = emitIptablesScript(s.resolved, { ...s.options, fqdnTimeout: 4 }).files[0]?.content ?? "";
    expect(script).toContain("create cmi4-fqdn_tcp443 hash:ip family inet hashsize 1024 maxelem 65536 timeout 4\n");
    const ns = Netns.create("iptables");
    try {
      const path = writeScript(`timeout-${backend}`, script);
      underOk(backend, ns, ["bash", path]);
      ns.execOk("ipset", ["add", "cmi4-fqdn_tcp443", "203.0.113.20"]);
      ns.execOk("ipset", ["add", "cmi6-fqdn_tcp443", "2001:db8:ff::20"]);
      underOk(backend, ns, ["bash", path]);
      const members = (): string[] => ["cmi4-fqdn_tcp443", "cmi6-fqdn_tcp443"].flatMap((n) => kernelState(ns, backend).sets.get(n)?.members ?? []);
      expect(members()).toEqual(["203.0.113.20", "2001:db8:ff::20"]);
      // dnsmasq adds an address again on each answer, which restarts its timeout: at 2 s for IPv4 only.
      await new Promise((r) => setTimeout(r, 2000));
      ns.execOk("ipset", ["-exist", "add", "cmi4-fqdn_tcp443", "203.0.113.20"]);
      await new Promise((r) => setTimeout(r, 3000));
      expect(members()).toEqual(["203.0.113.20"]);
      await new Promise((r) => setTimeout(r, 1500));
      expect(members()).toEqual([]);
    } finally {
      ns.destroy();
    }
  });
});
}


/** The `ipset restore` input a script carries, for comparisons. */
function ipsetInputOf(script: string): string {
  const m = /ipset_input\(\) \{\n {2}cat <<'CMI_IPSET'\n([\s\S]*?)\nCMI_IPSET\n/.exec(script);
  if (!m?.[1]) throw new Error("no ipset input");
  return m[1];
}

for (const backend of IPTABLES_BACKENDS) {
describe(`the vendored service-tags file (real prefix counts), ${backend} backend`, () => {
  it("loads every tag the revision uses as one set per tag and family; the rule count does not grow with prefixes", () => {
    const real = loadServiceTags(readFileSync(join(repo, "vendor/service-tags/ServiceTags_Public_20251028.json"), "utf8"));
    const s: LinuxScenario = { name: "vendored", resolved: resolveRules({ regions: ["eastus"], serviceTags: real }), options: { subnets: NVA_SUBNETS } };
    const out = emitIptablesScript(s.resolved, s.options);
    const script = out.files[0]?.content ?? "";
    const prefixesIn = ipsetInputOf(script).split("\n").filter((l) => l.startsWith("add ")).length;
    expect(prefixesIn).toBeGreaterThan(3000);
    const ns = Netns.create("iptables");
    try {
      const path = writeScript("vendored", script);
      expect(under(backend, ns, ["bash", path, "--check"]).stdout).toBe("cmi: check passed\n");
      underOk(backend, ns, ["bash", path]);
      const state = kernelState(ns, backend);
      expect([...state.sets.values()].reduce((n, x) => n + x.members.length, 0)).toBe(prefixesIn);
      expect(state.normal.split("\n").filter((l) => l.startsWith("-A ")).length).toBeLessThan(150);
      const { problems, checks } = problemsOf(s, state, out);
      expect(problems).toEqual([]);
      expect(checks).toBeGreaterThan(100);
      underOk(backend, ns, ["bash", path]);
      expect(kernelState(ns, backend).normal).toBe(state.normal);
    } finally {
      ns.destroy();
    }
  });
});}


describe("kernel limits (KERNEL_LIMITS)", () => {
  it(`loads the largest set the plan writes (${KERNEL_LIMITS.setElements} elements) and merged comments split at ${KERNEL_LIMITS.iptablesCommentBytes} bytes`, () => {
    const big = largestCase(scenario("nva-dual-stack").resolved);
    const script = emitIptablesScript(big.resolved, { subnets: NVA_SUBNETS }).files[0]?.content ?? "";
    // Three 100-character ids on one match: two fit one comment (201 bytes), the third gets a rule of its own.
    expect(script).toContain(`--match-set cmi6-fqdn_tcp443 dst -m tcp --dport 443 -m comment --comment "${big.ids[1]},${big.ids[2]}" -j ACCEPT`);
    expect(script).toContain(`--match-set cmi6-fqdn_tcp443 dst -m tcp --dport 443 -m comment --comment "${big.ids[3]}" -j ACCEPT`);
    const ns = Netns.create("iptables");
    try {
      expect(ns.execOk("bash", [writeScript("largest", script)]).stdout).toBe("cmi: loaded\n");
      const state = kernelState(ns, "nf_tables");
      expect([...state.sets.values()].map((x) => x.members.length).sort((x, y) => y - x)[0]).toBe(KERNEL_LIMITS.setElements);
      const dnsmasq = emitIptablesScript(big.resolved, { subnets: NVA_SUBNETS }).files[1]?.content;
      expect(coverageProblems(state.loaded, { resolved: big.resolved, options: { subnets: NVA_SUBNETS }, coverage: emitIptablesScript(big.resolved, { subnets: NVA_SUBNETS }).coverage, ...(dnsmasq ? { dnsmasq } : {}) }).problems).toEqual([]);
    } finally {
      ns.destroy();
    }
  });
});

/* ---------- traffic ---------- */

/** The emitted script, run under one backend's tools; the sets are ipset's whatever the backend. */
function iptablesUnder(backend: IptablesBackend): FirewallUnderTest {
  return {
    pkg: "iptables",
    load: (ns, artifact) => void underOk(backend, ns, ["bash", writeScript(`traffic-${ns.name}`, artifact)]),
    addToFqdnSet: (ns, address) => void ns.execOk("ipset", ["add", address.includes(":") ? "cmi6-fqdn_tcp443" : "cmi4-fqdn_tcp443", address]),
    fqdnSetMembers: (ns) => {
      const sets = parseIpsetSave(ns.execOk("ipset", ["save"]).stdout);
      return [...(sets.get("cmi4-fqdn_tcp443")?.members ?? []), ...(sets.get("cmi6-fqdn_tcp443")?.members ?? [])];
    },
  };
}

describe("traffic through the namespaces the test made", () => {
  for (const backend of IPTABLES_BACKENDS) {
    it(`nva, ${backend} backend: the appliance passes a required tag's address on 443 and drops other ports and other addresses (IPv4 and IPv6)`, async () => {
      const { before, after } = await nvaTraffic(iptablesUnder(backend), file("nva-dual-stack", "iptables.sh"));
      expect(before).toEqual(allConnected(before));
      expect(after).toEqual(NVA_TRAFFIC_EXPECTED);
    });

    it(`host, ${backend} backend: the node accepts the managed subnet on the internal ports only, and reaches it on them only`, async () => {
      const { before, after } = await hostTraffic(iptablesUnder(backend), file("host-dual-stack", "iptables.sh"));
      expect(before).toEqual(allConnected(before));
      expect(after).toEqual(HOST_TRAFFIC_EXPECTED);
    });
  }

  it("nva + real dnsmasq: answers for listed names (wildcards by their parent) fill the sets and open 443, others do not", async () => {
    const conf = join(work, "dnsmasq-ipset.conf");
    writeFileSync(conf, file("nva-dual-stack", "dnsmasq-ipset.conf"));
    const { before, ...rest } = await dnsmasqTraffic(iptablesUnder("nf_tables"), file("nva-dual-stack", "iptables.sh"), conf, work);
    expect(before).toEqual(allConnected(before));
    expect(rest).toEqual(DNSMASQ_TRAFFIC_EXPECTED);
  });

  it("no namespace of this test file is left behind", () => {
    const left = runOk("ip", ["netns", "list"]).stdout.split("\n").filter((l) => l.startsWith(`cmn-iptables-${process.pid}-`));
    expect(left).toEqual([]);
  });
});

// Benchmark 5: the iptables and nftables emitters side by side with aerleon (PyPI `aerleon`, installed by
// the bench into a venv under its temp directory when python3 cannot import it), on the same policy:
// generation time of one cold process each, then rules in the kernel, load time and per-connection cost in
// the namespaces of benchmark 4 (root needed).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CORE_DIST, CORE_TAGS_DIST, ROOT, SERVICE_TAGS_FILE, median, ms, ratio, run, table, tool } from "./common.mjs";
import { connections, destroyTopology, makeTopology, resetRouter, sh, startServer } from "./kernel.mjs";

export const COMMAND = "sudo node scripts/bench.mjs aerleon";
const AERLEON = "aerleon==1.18.0";
const REGION = "eastus";
const SUBNET = "192.0.2.0/24";
const TEST_PREFIX = "198.51.100.0/24";
const CLI = join(ROOT, "packages/cli/dist/bin.js");
const LINUX_DIST = join(ROOT, "packages/linux/dist/index.js");

/** A python3 that imports aerleon: the system one, or a venv made here with it installed. */
function aerleonPython(dir) {
  if (run("python3", ["-c", "import aerleon"], { allowFail: true }).status === 0) return { python: "python3", installed: "already installed" };
  const venv = join(dir, "venv");
  run("python3", ["-m", "venv", venv]);
  run(join(venv, "bin/pip"), ["install", "--quiet", AERLEON]);
  return { python: join(venv, "bin/python"), installed: `installed into a venv (${AERLEON})` };
}

/**
 * The same policy for aerleon, from the project's plan: one term per IPv4 rule of the plan that matches a
 * prefix set (its set's prefixes as a network, its ports as a service), from the cluster subnet, accept;
 * replies first, drop the rest. The dnsmasq-filled FQDN sets have no aerleon equivalent and are left out
 * (the project's artifacts keep their one extra rule). The last term also takes TEST_PREFIX.
 */
function aerleonPolicy(plan) {
  const rules = plan.rules.filter((r) => r.family === 4 && r.set && plan.sets.find((s) => s.slug === r.set && s.family === 4)?.kind === "prefixes");
  const networks = { CLUSTER: { values: [{ address: SUBNET }] } };
  const services = {};
  const terms = [{ name: "replies", option: "established", action: "accept" }];
  rules.forEach((r, k) => {
    const set = plan.sets.find((s) => s.slug === r.set && s.family === 4);
    const name = `R${k}`;
    networks[name] = { values: [...set.elements, ...(k === rules.length - 1 ? [TEST_PREFIX] : [])].map((address) => ({ address })) };
    services[`S${k}`] = r.ports.map((p) => ({ port: p.from === p.to ? String(p.from) : `${p.from}-${p.to}`, protocol: "tcp" }));
    terms.push({ name: `r${k}`, "source-address": "CLUSTER", "destination-address": name, "destination-port": `S${k}`, protocol: "tcp", action: "accept" });
  });
  return { rules, networks, services, terms };
}

function writeAerleon(dir, policy) {
  for (const d of ["def", "ipset", "nftables", "out"]) mkdirSync(join(dir, d), { recursive: true });
  // JSON is YAML: aerleon reads these as YAML files.
  writeFileSync(join(dir, "def/networks.yaml"), JSON.stringify({ networks: policy.networks }));
  writeFileSync(join(dir, "def/services.yaml"), JSON.stringify({ services: policy.services }));
  writeFileSync(join(dir, "ipset/cmi.yaml"), JSON.stringify({ filters: [{ header: { targets: { ipset: "FORWARD DROP" } }, terms: policy.terms }] }));
  writeFileSync(join(dir, "nftables/cmi.yaml"), JSON.stringify({ filters: [{ header: { targets: { nftables: "inet forward" } }, terms: policy.terms }] }));
}

/** Cold processes, interleaved: the CLI with the service-tags file against aclgen on the extracted policy. */
function generationTimes(dir, python, runs) {
  const aclgen = join(python === "python3" ? "" : join(dir, "venv/bin"), "aclgen");
  const aclgenCmd = python === "python3" ? ["python3", ["-m", "aerleon.aclgen"]] : [aclgen, []];
  const ours = (target) => () => run(process.execPath, [CLI, "emit", target, "--region", REGION, "--subnet", SUBNET, "--service-tags", SERVICE_TAGS_FILE, "--out", join(dir, `ours-${target}`), "--clean"]).ms;
  const theirs = (target) => () =>
    run(aclgenCmd[0], [...aclgenCmd[1], "--policy_file", join(dir, target, "cmi.yaml"), "--base_directory", join(dir, target), "--definitions_directory", join(dir, "def"), "--output_directory", join(dir, "out")]).ms;
  const variants = { oursIptables: ours("iptables"), aerleonIpset: theirs("ipset"), oursNftables: ours("nftables"), aerleonNftables: theirs("nftables") };
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const v of Object.values(variants)) v(); // warm the page cache
  for (let i = 0; i < runs; i++) for (const [k, v] of Object.entries(variants)) times[k].push(v());
  return Object.fromEntries(Object.entries(times).map(([k, t]) => [k, median(t)]));
}

function nftRuleCount(r) {
  const dump = JSON.parse(sh(r, "nft", ["-j", "list", "ruleset"]).stdout);
  return dump.nftables.filter((x) => x.rule).length;
}

export async function benchAerleon({ runs = 7, attempts = 2000, loads = 5 } = {}) {
  if (process.getuid?.() !== 0) throw new Error("the aerleon benchmark needs root (network namespaces, iptables, ipset, nft)");
  for (const t of ["ip", "iptables-restore", "ipset", "nft", "python3"]) if (!tool(t)) throw new Error(`${t} is missing: run \`npm run setup\``);
  for (const f of [CLI, LINUX_DIST]) if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\``);
  const dir = mkdtempSync(join(tmpdir(), "cmn-bench-aerleon-"));
  const ns = makeTopology(`cmn-bench-${process.pid}-a`);
  let server;
  try {
    const { python, installed } = aerleonPython(dir);
    const version = run(python, ["-c", "import importlib.metadata as m; print(m.version('aerleon'))"]).stdout.trim();
    const core = await import(pathToFileURL(CORE_DIST).href);
    const { loadServiceTags } = await import(pathToFileURL(CORE_TAGS_DIST).href);
    const linux = await import(pathToFileURL(LINUX_DIST).href);
    const resolved = core.resolveRules({ regions: [REGION], subnet: SUBNET, serviceTags: loadServiceTags(readFileSync(SERVICE_TAGS_FILE, "utf8")) });
    const { plan } = linux.planLinuxFirewall(resolved, {});
    const policy = aerleonPolicy(plan);
    writeAerleon(dir, policy);
    const gen = generationTimes(dir, python, runs);
    const prefixes = policy.rules.reduce((n, r) => n + (plan.sets.find((s) => s.slug === r.set && s.family === 4)?.elements.length ?? 0), 0);

    // The kernel: each ruleset loaded into the emptied router, then TEST_PREFIX made reachable through its last match.
    server = await startServer(ns.s);
    const oursScript = join(dir, "ours-iptables/iptables.sh");
    const oursNft = join(dir, "ours-nftables/nftables.nft");
    const ips = readFileSync(join(dir, "out/cmi.ips"), "utf8");
    const ipsetPart = ips.split("\n").filter((l) => /^(create|add) /.test(l)).join("\n");
    // aerleon writes its iptables lines as iptables arguments; in restore form its `-P FORWARD DROP` is the chain's declaration.
    const policyLines = ips.split("\n").flatMap((l) => (/^-P (\S+) (\S+)$/.exec(l) ? [l.replace(/^-P (\S+) (\S+)$/, ":$1 $2 [0:0]")] : []));
    const rulesPart = `*filter\n${[...policyLines, ...ips.split("\n").filter((l) => l.startsWith("-A "))].join("\n")}\nCOMMIT\n`;
    writeFileSync(join(dir, "aerleon.ipset"), `${ipsetPart}\n`);
    writeFileSync(join(dir, "aerleon.rules"), rulesPart);
    const lastOurs = plan.rules.filter((r) => r.family === 4 && r.set).at(-1)?.set;
    const rows = [];
    const measure = (label, load, after, count) => {
      const times = [];
      for (let i = 0; i < loads; i++) {
        resetRouter(ns.r);
        times.push(load());
      }
      after();
      rows.push({ label, rules: count(), loadMs: median(times), traffic: connections(ns.c, attempts) });
    };
    const iptCount = () => sh(ns.r, "iptables-save", []).stdout.split("\n").filter((l) => l.startsWith("-A ")).length;
    measure("ours: `iptables.sh` (ipset + iptables-restore, checks and swaps included)", () => sh(ns.r, "bash", [oursScript]).ms, () => sh(ns.r, "ipset", ["add", `cmi4-${lastOurs}`, TEST_PREFIX]), iptCount);
    measure(
      "aerleon `ipset` target (its ipset lines through `ipset restore`, its rules through `iptables-restore`)",
      () => sh(ns.r, "ipset", ["restore", "-file", join(dir, "aerleon.ipset")]).ms + sh(ns.r, "iptables-restore", ["-w", "--noflush", join(dir, "aerleon.rules")]).ms,
      () => {},
      iptCount,
    );
    measure("ours: `nftables.nft` (`nft -f`)", () => sh(ns.r, "nft", ["-f", oursNft]).ms, () => sh(ns.r, "nft", ["add", "element", "inet", "cassandra_mi", `${lastOurs}_v4`, `{ ${TEST_PREFIX} }`]), () => nftRuleCount(ns.r));
    measure("aerleon `nftables` target (`nft -f`)", () => sh(ns.r, "nft", ["-f", join(dir, "out/cmi.nft")]).ms, () => {}, () => nftRuleCount(ns.r));
    // A reload on top of the same table: this file's `flush table` against the `table; delete table` round trip it replaced.
    const text = readFileSync(oursNft, "utf8");
    const roundTrip = text.replace(/^add table inet cassandra_mi\n[\s\S]*?\n\ntable inet cassandra_mi \{/m, "table inet cassandra_mi\ndelete table inet cassandra_mi\n\ntable inet cassandra_mi {");
    if (roundTrip === text) throw new Error("the emitted nftables file has no add/flush preamble to compare");
    writeFileSync(join(dir, "round-trip.nft"), roundTrip);
    const reload = (file) => {
      const times = [];
      for (let i = 0; i < loads; i++) {
        resetRouter(ns.r);
        sh(ns.r, "nft", ["-f", file]);
        times.push(sh(ns.r, "nft", ["-f", file]).ms);
      }
      return median(times);
    };
    const reloads = { flush: reload(oursNft), roundTrip: reload(join(dir, "round-trip.nft")) };
    resetRouter(ns.r);
    const result = { reloads, version, installed, runs, attempts, loads, prefixes, terms: policy.rules.length, gen, rows, namespaces: Object.values(ns) };
    const summary = `aerleon ${version}: generation ours/aerleon iptables ${ratio(gen.oursIptables / gen.aerleonIpset)}x, nftables ${ratio(gen.oursNftables / gen.aerleonNftables)}x; rules ${rows.map((r) => r.rules).join(" / ")}`;
    return { result, markdown: render(result), summary };
  } finally {
    server?.kill();
    destroyTopology(ns);
    rmSync(dir, { recursive: true, force: true });
  }
}

function render(r) {
  const us = (t) => ((t.ms * 1000) / Math.max(1, r.attempts)).toFixed(0);
  const g = r.gen;
  return [
    `aerleon ${r.version} (${r.installed}). The policy: the project's Linux plan for ${r.region ?? REGION} with every prefix of the vendored service-tags file (nva mode, subnet ${SUBNET}, IPv4), written for aerleon as ${r.terms} terms, one per rule of the plan that matches a prefix set (${r.prefixes} prefixes in all): the set's prefixes as a network, the rule's ports as a service, from the subnet, accept; replies accepted first, the rest dropped (aerleon's \`FORWARD DROP\` / \`inet forward\` headers). Equivalence: the same destinations, ports and verdicts per match; the project's artifacts also hold one rule on the dnsmasq-filled FQDN set, which aerleon cannot express, and dispatch on the subnet once instead of per rule. ${TEST_PREFIX} is added to the last match on both sides, so a test connection passes every rule before it is accepted.`,
    "",
    `Generation: one cold process each, interleaved, median of ${r.runs}: \`cassandra-mi-netrules emit <target> --region ${REGION} --subnet ${SUBNET} --service-tags <the vendored file>\` (reads and loads Microsoft's whole file) against \`aclgen --policy_file\` on the extracted policy.`,
    "",
    table(
      ["target", "ours, ms", "aerleon, ms", "ours / aerleon"],
      [
        ["iptables + ipset (aerleon `ipset`)", ms(g.oursIptables), ms(g.aerleonIpset), ratio(g.oursIptables / g.aerleonIpset)],
        ["nftables", ms(g.oursNftables), ms(g.aerleonNftables), ratio(g.oursNftables / g.aerleonNftables)],
      ],
    ),
    "",
    `In the kernel (the namespaces of benchmark 4; load: median of ${r.loads} loads into an emptied router; ${r.attempts} sequential connections, the median of three rounds):`,
    "",
    table(
      ["ruleset", "rules in the kernel", "load ms", "connections accepted", "per connection, us"],
      r.rows.map((x) => [x.label, String(x.rules), ms(x.loadMs), `${x.traffic.ok}/${r.attempts}`, us(x.traffic)]),
    ),
    "",
    `Reloading \`nftables.nft\` over the table it loaded before (median of ${r.loads}): ${ms(r.reloads.flush)} ms with its \`add table\` / \`flush table\` preamble, which keeps the dnsmasq-filled sets, against ${ms(r.reloads.roundTrip)} ms for the same file with the \`table …; delete table …\` round trip it replaced (${ratio(r.reloads.roundTrip / r.reloads.flush)}x).`,
  ].join("\n");
}

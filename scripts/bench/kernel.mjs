// Benchmark 4: the emitted ipset-based ruleset against a one-rule-per-prefix ruleset, in network
// namespaces this bench creates (root needed): rule count, load time, connection attempts through each.
// Traffic: 192.0.2.0/24 (client) -> router -> 198.51.100.0/24 (server) only; loops are bounded.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CORE_DIST, CORE_TAGS_DIST, ROOT, SERVICE_TAGS_FILE, median, ms, ratio, run, table, tool } from "./common.mjs";

export const COMMAND = "sudo node scripts/bench.mjs kernel";
const REGION = "eastus";
const SERVER = "198.51.100.10";
const PORT = 443;
/** The documentation prefix the bench adds as the last allowed destination, so test traffic is accepted after every other rule. */
const TEST_PREFIX = "198.51.100.0/24";

const IPT_DIST = join(ROOT, "packages/emit-iptables/dist/index.js");

export function sh(ns, cmd, args, opts = {}) {
  return run("ip", ["netns", "exec", ns, cmd, ...args], opts);
}

/** Three namespaces: client (192.0.2.10) - router (forwards, holds the rules) - server (198.51.100.10). */
export function makeTopology(base) {
  const ns = { c: `${base}-c`, r: `${base}-r`, s: `${base}-s` };
  for (const n of Object.values(ns)) run("ip", ["netns", "add", n]);
  run("ip", ["link", "add", "c0", "netns", ns.c, "type", "veth", "peer", "name", "r0", "netns", ns.r]);
  run("ip", ["link", "add", "s0", "netns", ns.s, "type", "veth", "peer", "name", "r1", "netns", ns.r]);
  const cmds = [
    [ns.c, "ip addr add 192.0.2.10/24 dev c0"],
    [ns.c, "ip link set c0 up"],
    [ns.c, "ip link set lo up"],
    [ns.c, "ip route add default via 192.0.2.1"],
    [ns.r, "ip addr add 192.0.2.1/24 dev r0"],
    [ns.r, "ip addr add 198.51.100.1/24 dev r1"],
    [ns.r, "ip link set r0 up"],
    [ns.r, "ip link set r1 up"],
    [ns.r, "ip link set lo up"],
    [ns.r, "sysctl -q -w net.ipv4.ip_forward=1"],
    [ns.s, "ip addr add 198.51.100.10/24 dev s0"],
    [ns.s, "ip link set s0 up"],
    [ns.s, "ip link set lo up"],
    [ns.s, "ip route add default via 198.51.100.1"],
  ];
  for (const [n, c] of cmds) {
    const [cmd, ...args] = c.split(" ");
    sh(n, cmd, args);
  }
  return ns;
}

export function destroyTopology(ns) {
  for (const n of Object.values(ns)) run("ip", ["netns", "del", n], { allowFail: true });
}

/** Empties every table and set of the router namespace (ours alone). */
export function resetRouter(r) {
  sh(r, "nft", ["flush", "ruleset"]);
  sh(r, "iptables", ["-w", "-P", "FORWARD", "ACCEPT"]);
  sh(r, "iptables", ["-w", "-F"]);
  sh(r, "iptables", ["-w", "-X"]);
  sh(r, "ip6tables", ["-w", "-F"]);
  sh(r, "ip6tables", ["-w", "-X"]);
  sh(r, "ipset", ["destroy"], { allowFail: true });
}

export function ruleCount(r) {
  const v4 = sh(r, "iptables-save", []).stdout.split("\n").filter((l) => l.startsWith("-A ")).length;
  const v6 = sh(r, "ip6tables-save", []).stdout.split("\n").filter((l) => l.startsWith("-A ")).length;
  return v4 + v6;
}

export function startServer(s) {
  return new Promise((resolve, reject) => {
    const child = spawn("ip", ["netns", "exec", s, "python3", join(ROOT, "scripts/bench/tcp.py"), "server", SERVER, String(PORT), "1000000", "20"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("ready")) resolve(child);
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`tcp server exited ${code} before it was ready`)));
  });
}

/** `count` connection attempts, three times; the round with the median time. */
export function connections(c, count) {
  const rounds = [0, 1, 2].map(() => JSON.parse(sh(c, "python3", [join(ROOT, "scripts/bench/tcp.py"), "client", SERVER, String(PORT), String(count), "2"]).stdout));
  return rounds.sort((a, b) => a.ms - b.ms)[1];
}

/** Heredoc bodies of the emitted script: the ipset input and the iptables-restore input. */
function heredoc(script, tag) {
  const m = new RegExp(`<<'${tag}'\\n([\\s\\S]*?)\\n${tag}\\n`).exec(script);
  return m ? m[1] : undefined;
}

/** The emitted iptables script for the region, with every prefix of the vendored service-tags file. */
async function emitted(ownRuleset) {
  const core = await import(pathToFileURL(CORE_DIST).href);
  const { loadServiceTags } = await import(pathToFileURL(CORE_TAGS_DIST).href);
  const index = loadServiceTags(readFileSync(SERVICE_TAGS_FILE, "utf8"));
  const resolved = core.resolveRules({ regions: [REGION], subnet: "192.0.2.0/24", serviceTags: index });
  const revisionTags = [...new Set(core.currentRevision.requirements.flatMap((r) => r.destinations.flatMap((d) => (d.type === "serviceTag" ? [d.tag] : []))))].sort();
  if (ownRuleset || !existsSync(IPT_DIST)) return { core, index, revisionTags, script: undefined };
  const { emitter } = await import(pathToFileURL(IPT_DIST).href);
  const out = emitter.emit(resolved, {});
  return { core, index, revisionTags, script: out.files.find((f) => f.path.endsWith(".sh"))?.content };
}

/**
 * From the emitted script: the set rules expanded into one `-d prefix` rule per member (the naive
 * ruleset), and the name of the set whose rule comes last (where the test prefix goes).
 */
function naiveFromEmitted(script) {
  const ipset = heredoc(script, "CMI_IPSET") ?? "";
  const rules = heredoc(script, "CMI_RULES");
  if (!rules) throw new Error("the emitted iptables script has no CMI_RULES heredoc; the bench cannot read it");
  const members = new Map();
  const types = new Map();
  for (const line of ipset.split("\n")) {
    const [verb, set, what] = line.trim().split(/\s+/);
    if (verb === "create" && set.startsWith("cmi")) types.set(set, what);
    if (verb === "add") {
      const live = set.replace(/^cmt/, "cmi");
      if (!members.has(live)) members.set(live, []);
      members.get(live).push(what);
    }
  }
  const prefixSets = [...types].filter(([, t]) => t === "hash:net").map(([s]) => s);
  let lastSet;
  for (const line of rules.split("\n")) {
    const m = /--match-set (\S+) dst/.exec(line);
    if (m && prefixSets.includes(m[1])) lastSet = m[1];
  }
  if (!lastSet) throw new Error("no hash:net set rule in the emitted script");
  const list = (s) => [...(members.get(s) ?? []), ...(s === lastSet ? [TEST_PREFIX] : [])];
  const out = [];
  let expanded = 0;
  for (const line of rules.split("\n")) {
    const m = /-m set --match-set (\S+) dst /.exec(line);
    if (m && prefixSets.includes(m[1])) {
      for (const p of list(m[1])) {
        out.push(line.replace(m[0], `-d ${p} `));
        expanded++;
      }
    } else {
      out.push(line);
    }
  }
  // The FQDN sets (filled by dnsmasq, empty here) stay set rules in both rulesets.
  const fqdnSets = [...types].filter(([, t]) => t !== "hash:net").map(([s, t]) => `create ${s} ${t} family inet`);
  return { naiveRules: `${out.join("\n")}\n-I FORWARD 1 -j CMI-FORWARD\nCOMMIT\n`, fqdnSets, lastSet, expanded };
}

/** Set-based and naive rulesets for one tag, built here: one hash:net set per family and one rule each, or a rule per prefix. */
function perTagRulesets(tag, prefixes) {
  const slug = tag.toLowerCase().replace(/[^a-z0-9]/g, "_").slice(0, 24);
  const sets = [];
  const rules = { 4: [], 6: [] };
  const naive = { 4: [], 6: [] };
  for (const [family, list] of [
    [4, prefixes.ipv4],
    [6, prefixes.ipv6],
  ]) {
    if (list.length === 0) continue;
    const name = `b${family}-${slug}`;
    sets.push(`create ${name} hash:net family ${family === 4 ? "inet" : "inet6"} hashsize 1024 maxelem 65536`, ...list.map((p) => `add ${name} ${p}`));
    rules[family].push(`-A BENCH -p tcp -m set --match-set ${name} dst -m tcp --dport 443 -j ACCEPT`);
    for (const p of list) naive[family].push(`-A BENCH -p tcp -d ${p} -m tcp --dport 443 -j ACCEPT`);
  }
  const wrap = (lines) => (lines.length ? `*filter\n:BENCH - [0:0]\n${lines.join("\n")}\nCOMMIT\n` : undefined);
  return { ipset: `${sets.join("\n")}\n`, set4: wrap(rules[4]), set6: wrap(rules[6]), naive4: wrap(naive[4]), naive6: wrap(naive[6]) };
}

export async function benchKernel({ attempts = 1000, loads = 5, ownRuleset = false } = {}) {
  if (process.getuid?.() !== 0) throw new Error("the kernel benchmark needs root (network namespaces, iptables, ipset)");
  for (const t of ["ip", "iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "ipset", "python3"]) {
    if (!tool(t)) throw new Error(`${t} is missing: run \`npm run setup\` (scripts/setup-system.sh)`);
  }
  const { core, index, revisionTags, script } = await emitted(ownRuleset);
  const dir = mkdtempSync(join(tmpdir(), "cmn-bench-kernel-"));
  const ns = makeTopology(`cmn-bench-${process.pid}-1`);
  let server;
  const cleanup = () => {
    server?.kill();
    destroyTopology(ns);
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = () => {
    cleanup();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    server = await startServer(ns.s);
    const file = (name, content) => {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    };
    const loadTimes = (label, load) => {
      const times = [];
      for (let i = 0; i < loads; i++) {
        resetRouter(ns.r);
        times.push(load());
      }
      return { label, median: median(times) };
    };

    // No rules at all, for scale.
    resetRouter(ns.r);
    const baseline = connections(ns.c, attempts);

    let variants;
    let source;
    if (script) {
      source = "emitter";
      const scriptFile = file("iptables.sh", script);
      const { naiveRules, fqdnSets, lastSet, expanded } = naiveFromEmitted(script);
      const naiveFile = file("naive.rules", naiveRules);
      const fqdnFile = file("fqdn.ipset", `${fqdnSets.join("\n")}\n`);
      const ipsetBody = heredoc(script, "CMI_IPSET") ?? "";
      const rulesBody = heredoc(script, "CMI_RULES") ?? "";
      // The script fills cmt* sets and swaps them in; `ipset restore` takes the swaps in the same input.
      const swaps = [...new Set([...ipsetBody.matchAll(/^create (cmt\S+)/gm)].map((m) => m[1]))].map((t) => `swap ${t} ${t.replace(/^cmt/, "cmi")}`);
      const setRaw = file("set.ipset", `${ipsetBody}\n${swaps.join("\n")}\n`);
      const setRules = file("set.rules", `${rulesBody}\n-I FORWARD 1 -j CMI-FORWARD\nCOMMIT\n`);
      const loadScript = () => sh(ns.r, "bash", [scriptFile]).ms;
      const loadSetRaw = () => sh(ns.r, "ipset", ["restore", "-file", setRaw]).ms + sh(ns.r, "iptables-restore", ["-w", "--noflush", setRules]).ms;
      const loadNaive = () => sh(ns.r, "ipset", ["restore", "-file", fqdnFile]).ms + sh(ns.r, "iptables-restore", ["-w", "--noflush", naiveFile]).ms;
      const addTest = () => sh(ns.r, "ipset", ["add", lastSet, TEST_PREFIX]);
      variants = [
        { key: "set", label: "ipset-based, the emitted `iptables.sh` run whole (it validates everything first, then swaps and commits)", load: loadScript, after: addTest },
        { key: "setRaw", label: "ipset-based, its two inputs alone (`ipset restore` + `iptables-restore --noflush`)", load: loadSetRaw, after: addTest },
        { key: "naive", label: `one rule per prefix (${expanded} rules expanded from the emitted sets), \`iptables-restore --noflush\``, load: loadNaive, after: () => {} },
      ];
    } else {
      source = ownRuleset ? "built here (--own-ruleset)" : "built here (emit-iptables is not built)";
      const all = core.mergePrefixes(revisionTags.flatMap((t) => [...(index.get(t)?.prefixes.ipv4 ?? [])]).concat([TEST_PREFIX]));
      const own = perTagRulesets("all", { ipv4: all.ipv4, ipv6: [] });
      const setFile = file("all.ipset", own.ipset);
      const setRules = file("all.rules", own.set4.replace("COMMIT", "-I FORWARD 1 -s 192.0.2.0/24 -j BENCH\n-A BENCH -j DROP\nCOMMIT"));
      const naiveFile = file("all.naive", own.naive4.replace("COMMIT", "-I FORWARD 1 -s 192.0.2.0/24 -j BENCH\n-A BENCH -j DROP\nCOMMIT"));
      variants = [
        { key: "setRaw", label: "ipset-based (one hash:net set, one rule), built by the bench", load: () => sh(ns.r, "ipset", ["restore", "-file", setFile]).ms + sh(ns.r, "iptables-restore", ["-w", "--noflush", setRules]).ms, after: () => {} },
        { key: "naive", label: "one rule per prefix", load: () => sh(ns.r, "iptables-restore", ["-w", "--noflush", naiveFile]).ms, after: () => {} },
      ];
    }

    const rows = [];
    // Loads interleaved (the variant order alternating each round), so drift in machine load hits every variant alike.
    const loadMs = new Map(variants.map((v) => [v.key, []]));
    for (let i = 0; i < loads; i++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[i % 2 === 0 ? k : variants.length - 1 - k];
        resetRouter(ns.r);
        loadMs.get(v.key).push(v.load());
      }
    }
    for (const v of variants) {
      const load = { median: median(loadMs.get(v.key)) };
      resetRouter(ns.r);
      v.load();
      v.after();
      const rulesLoaded = ruleCount(ns.r);
      const traffic = connections(ns.c, attempts);
      rows.push({ key: v.key, label: v.label, rules: rulesLoaded, loadMs: load.median, traffic });
    }
    resetRouter(ns.r);

    // Per tag the current revision uses: prefixes in, after merging, load time of a set-based and a naive ruleset.
    const perTag = [];
    for (const tag of revisionTags) {
      const info = index.get(tag);
      if (!info) continue;
      const r = perTagRulesets(tag, info.prefixes);
      const ipsetFile = file(`${info.name}.ipset`, r.ipset);
      const f = (name, content) => (content ? file(`${info.name}.${name}`, content) : undefined);
      const set4 = f("set4", r.set4);
      const set6 = f("set6", r.set6);
      const naive4 = f("naive4", r.naive4);
      const naive6 = f("naive6", r.naive6);
      const setLoad = loadTimes("set", () => sh(ns.r, "ipset", ["restore", "-file", ipsetFile]).ms + (set4 ? sh(ns.r, "iptables-restore", ["-w", "--noflush", set4]).ms : 0) + (set6 ? sh(ns.r, "ip6tables-restore", ["-w", "--noflush", set6]).ms : 0));
      const naiveLoad = loadTimes("naive", () => (naive4 ? sh(ns.r, "iptables-restore", ["-w", "--noflush", naive4]).ms : 0) + (naive6 ? sh(ns.r, "ip6tables-restore", ["-w", "--noflush", naive6]).ms : 0));
      perTag.push({
        tag: info.name,
        in: info.prefixCountIn,
        out4: info.prefixes.ipv4.length,
        out6: info.prefixes.ipv6.length,
        setRules: (r.set4 ? 1 : 0) + (r.set6 ? 1 : 0),
        setMs: setLoad.median,
        naiveMs: naiveLoad.median,
      });
    }
    resetRouter(ns.r);

    const set = rows.find((x) => x.key === "setRaw");
    const naive = rows.find((x) => x.key === "naive");
    const result = { source, region: REGION, attempts, loads, baseline, rows, perTag, namespaces: Object.values(ns) };
    const summary = `kernel (${source}): ${naive.rules} naive rules vs ${set.rules} with sets; ${attempts} connections ${ms(naive.traffic.ms)} ms vs ${ms(set.traffic.ms)} ms (${ratio(naive.traffic.ms / set.traffic.ms)}x); load ${ms(naive.loadMs)} ms vs ${ms(set.loadMs)} ms`;
    const whole = rows.find((x) => x.key === "set");
    const scriptPart = whole ? `; iptables.sh load ${ms(whole.loadMs)} ms, ${ratio(whole.loadMs / set.loadMs)}x its raw inputs (target <= 2)` : "";
    return { result, markdown: render(result), summary: summary + scriptPart };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    cleanup();
  }
}

function render(r) {
  const us = (t) => ((t.ms * 1000) / Math.max(1, r.attempts)).toFixed(0);
  const rows = r.rows.map((x) => [x.label, String(x.rules), ms(x.loadMs), `${x.traffic.ok}/${r.attempts}`, ms(x.traffic.ms), us(x.traffic)]);
  rows.push(["no rules at all, for scale", "0", "-", `${r.baseline.ok}/${r.attempts}`, ms(r.baseline.ms), us(r.baseline)]);
  const set = r.rows.find((x) => x.key === "setRaw");
  const naive = r.rows.find((x) => x.key === "naive");
  const tagRows = r.perTag.map((t) => [`\`${t.tag}\``, String(t.in), `${t.out4} + ${t.out6}`, `${t.setRules} rule(s), ${ms(t.setMs)} ms`, `${t.out4 + t.out6} rules, ${ms(t.naiveMs)} ms`, ratio(t.naiveMs / t.setMs)]);
  return [
    `Three namespaces made by the bench (\`${r.namespaces.join("`, `")}\`, deleted at the end): a client at 192.0.2.10, a router holding the rules in FORWARD, a server at ${SERVER}:${PORT} (\`scripts/bench/tcp.py\`). Ruleset: ${r.source === "emitter" ? `\`@cassandra-mi-netrules/emit-iptables\` for ${r.region} with every prefix of the vendored service-tags file (nva mode, subnet 192.0.2.0/24); the naive ruleset is the same chain with every set rule expanded into one \`-d prefix\` rule per member.` : `built by the bench (${r.source}).`} The bench adds ${TEST_PREFIX} to the set matched last (and as the last expanded rule), so a test connection is accepted only after the packet has passed every other rule. Load time: median of ${r.loads} loads into an emptied namespace, the variants' loads interleaved. Traffic: ${r.attempts} sequential TCP connections (connect, then close with RST), each one's SYN walking the chain once; three rounds, the median one shown.`,
    "",
    table(["ruleset", "rules", "load ms", "connections accepted", `${r.attempts} connections, ms`, "per connection, us"], rows),
    "",
    `**One rule per prefix against sets:** ${naive.rules} rules against ${set.rules}; loading ${ratio(naive.loadMs / set.loadMs)}x slower; ${r.attempts} connections ${ratio(naive.traffic.ms / set.traffic.ms)}x slower (${((naive.traffic.ms - set.traffic.ms) * 1000 / r.attempts).toFixed(0)} us more per new connection).`,
    "",
    "Per tag the current revision uses (global form; the set-based ruleset is one hash:net set per family and one rule per set, built by the bench; the naive one a rule per merged prefix). Each load starts its tools (`ipset restore`, then `iptables-restore` and `ip6tables-restore`), and below a few hundred prefixes those process start-ups weigh more than the rules:",
    "",
    table(["tag", "prefixes in the file", "after merging (IPv4 + IPv6)", "set-based: rules, load", "naive: rules, load", "naive / set load"], tagRows),
  ].join("\n");
}

/**
 * iptables + ipset and nftables over generated datasets, against the real kernel in network namespaces
 * this test creates. Every case's artifacts are parsed back and checked against their coverage; the
 * kernel work is spent where it can find what the text cannot:
 * - iptables: every case is checked from the script's own restore inputs; the cases of every distinct
 *   shape (mode, families, set sizes, rule counts, multiport and comment splits...) and an even spread of
 *   the rest run for real, one shard per iptables backend (nf_tables, legacy), each case on top of the
 *   previous one of its mode (an upgrade), then `iptables-save` / `ipset save` are parsed back;
 * - nftables: every case through `nft -c -f`, the same selected cases loaded, in transactions of
 *   KERNEL_LIMITS.hooksPerHookPoint / 4 tables (the kernel takes at most 1,024 base chains on one hook),
 *   then `nft -j list ruleset` is parsed back;
 * - dnsmasq --test on every configuration, in batches.
 * Every kernel command runs under a time limit that names its case or batch, so a hang is told from a
 * slow run; the slowest cases are printed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmitResult, ResolvedRules } from "@cassandra-mi-netrules/core";
import { KERNEL_LIMITS, LinuxFirewallError } from "@cassandra-mi-netrules/linux";
import { backendPath, IPTABLES_BACKENDS, Netns, run, runOk } from "@cassandra-mi-netrules/testkit/netns";
import { iptablesGrants, iptablesScriptDumps, nftGrants } from "./adapters-linux.js";
import { numRuns, resolvedRules, seed } from "./arbitraries.js";
import { emitterCase, tryEmit } from "./emitters.js";
import { checkGrants, type Grant } from "./model.js";
import { dnsmasqWidening, kernelCaseSelection, refusesWideSubnet, scriptShape, SHARD_SCRIPT } from "./linux-harness.js";

/** A case whose kernel command runs longer is a hang, not slowness: the slowest normal case takes well under a second. */
const CASE_LIMIT_SECONDS = 60;
/** Tables per nft transaction: each adds one base chain per hook it uses, and a hook takes at most KERNEL_LIMITS.hooksPerHookPoint. */
const NFT_BATCH = Math.floor(KERNEL_LIMITS.hooksPerHookPoint / 4);

const shards: Netns[] = [];
let nftNs: Netns | undefined;
let dir = "";

beforeAll(() => {
  for (const tool of ["iptables", "ip6tables", "iptables-save", "iptables-legacy", "ip6tables-legacy-restore", "ipset", "nft", "dnsmasq", "timeout"]) runOk("bash", ["-c", `command -v ${tool}`]);
  for (const _ of IPTABLES_BACKENDS) shards.push(Netns.create("property"));
  nftNs = Netns.create("property");
  dir = mkdtempSync(join(tmpdir(), "cmn-property-linux-"));
});
afterAll(() => {
  for (const x of [...shards, ...(nftNs ? [nftNs] : [])]) x.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Checks every batch of nft files (`nft -c -f`, one transaction each), then loads each batch of the selected
 * cases and lists what the kernel holds; every command under a time limit.
 */
const NFT_SCRIPT = String.raw`
set -u
root="$1"; checks="$2"; batches="$3"; limit="$4"
nft flush ruleset
for k in $(seq 0 $(( checks - 1 ))); do
  b="$root/nft-check-$k"
  timeout -k 5 "$limit" nft -c -f "$b.nft" >"$b.log" 2>&1; echo "$?" >"$b.rc"
done
for k in $(seq 0 $(( batches - 1 ))); do
  b="$root/nft-$k"
  nft flush ruleset
  start=$(date +%s%N)
  timeout -k 5 "$limit" nft -f "$b.nft" >"$b.load.log" 2>&1; echo "$? $(( ($(date +%s%N) - start) / 1000000 ))" >"$b.load.rc"
  timeout -k 5 "$limit" nft -j list ruleset >"$b.json"
done
nft flush ruleset
`;

const read = (p: string): string => (existsSync(p) ? readFileSync(p, "utf8") : "");
const dnsmasqOf = (r: EmitResult): string | undefined => r.files.find((f) => f.path.startsWith("dnsmasq"))?.content;

interface Case {
  readonly i: number;
  readonly r: ResolvedRules;
  readonly oi: Record<string, unknown>;
  readonly on: Record<string, unknown>;
  readonly a: EmitResult;
  readonly b: EmitResult;
}

/** Problems gathered over every case, by kind, with the first cases that show each. */
class Findings {
  readonly byKind = new Map<string, string[]>();
  note(i: number | string, problems: readonly string[]): void {
    for (const p of problems) {
      const kind = p
        .replace(/ \[(iptables|nftables) options .*$/s, "")
        .replace(/^(iptables|nftables): [a-z0-9-]+ is /, "$1: ID is ")
        .replace(/\d+/g, "N")
        .slice(0, 160);
      const list = this.byKind.get(kind) ?? [];
      if (list.length < 3) list.push(`case ${i}: ${p}`);
      this.byKind.set(kind, list);
    }
  }
  report(): string[] {
    return [...this.byKind.entries()].map(([kind, examples]) => `${kind}\n    ${examples.join("\n    ")}`);
  }
}

/** Requirement ids a dnsmasq-filled set admits more for than they list, while their coverage says enforced. */
function widenedButEnforced(r: ResolvedRules, coverage: EmitResult["coverage"], grants: readonly Grant[]): string[] {
  const enforced = new Set(coverage.filter((c) => c.status === "enforced").map((c) => c.ruleId));
  const out = new Set<string>();
  for (const g of grants) {
    if (g.dest.kind !== "dns-domain") continue;
    for (const id of g.ruleIds.filter((x) => enforced.has(x))) {
      const names = r.rules.find((x) => x.id === id)?.fqdns.map((f) => f.fqdn) ?? [];
      const { subdomainsOf, parents } = dnsmasqWidening(names);
      if (subdomainsOf.includes(g.dest.value) || parents.includes(g.dest.value)) out.add(id);
    }
  }
  return [...out];
}

function writeFiles(at: string, result: EmitResult): void {
  mkdirSync(at, { recursive: true });
  for (const f of result.files) writeFileSync(join(at, f.path), f.content);
}

describe("property: Linux packet filters (iptables, nftables) in network namespaces", () => {
  it("load in the real kernel and parse back into what the coverage claims", { timeout: 3_600_000 }, () => {
    const ipt = emitterCase("iptables");
    const nft = emitterCase("nftables");
    const n = numRuns();
    const t0 = performance.now();
    // Sampled, not shrunk: the kernel work is batched, so a failure names its case index and seed.
    const sampled = fc.sample(resolvedRules().chain((r) => fc.tuple(fc.constant(r), ipt.options(r), nft.options(r))), { numRuns: n, seed: seed() });
    const findings = new Findings();
    const cases: Case[] = [];
    let refused = 0;
    sampled.forEach(([r, oi, on], i) => {
      // Each case gets a table of its own so one nft transaction loads a whole batch.
      const onT = { ...on, table: `p${i}` };
      // The options of each emitter are drawn apart, so either may bring its own subnets.
      const refusals = ([[ipt, oi], [nft, onT]] as const).map(([e, o]) => ({ e, o, wide: refusesWideSubnet(r, o) })).filter((x) => x.wide);
      for (const { e, o, wide } of refusals) {
        let error: unknown;
        try {
          e.emit(r, o);
        } catch (err) {
          error = err;
        }
        if (!(error instanceof LinuxFirewallError) || !error.message.startsWith(`${wide}[0]: is wider than`)) findings.note(i, [`${e.name}: a subnet wider than the widest network was not refused naming ${wide}: ${String(error)}`]);
      }
      if (refusals.length > 0) {
        refused++;
        return;
      }
      const a = tryEmit(ipt, r, oi);
      const b = tryEmit(nft, r, onT);
      if (!a.ok) throw new Error(`case ${i}: iptables refused valid data: ${a.error.message}`);
      if (!b.ok) throw new Error(`case ${i}: nftables refused valid data: ${b.error.message}`);
      cases.push({ i, r, oi, on: onT, a: a.result, b: b.result });
    });

    // iptables from the script text, every case; the kernel for the selected ones.
    for (const c of cases) {
      const script = c.a.files[0]?.content ?? "";
      const g = iptablesGrants(iptablesScriptDumps(script), dnsmasqOf(c.a), c.r, c.oi as { peers?: string[] });
      findings.note(c.i, [...g.problems, ...checkGrants("iptables", c.r, c.a.coverage, g.grants)].map((p) => `(script text) ${p} [iptables options ${JSON.stringify(c.oi)}]`));
    }
    // As many as CI runs at 1,000 cases; a fifth of a deeper run, every shape among them.
    const budget = Math.min(cases.length, Math.max(1000, Math.round(n / 5)));
    const selection = kernelCaseSelection(cases.map((c) => scriptShape(c.a.files[0]?.content ?? "", c.oi)), budget);
    const kernelCases = selection.chosen.map((k) => cases[k] as Case);
    const lists = IPTABLES_BACKENDS.map(() => [] as string[]);
    // Cases of one mode stay together (each runs as an upgrade of the one before), alternating backends.
    [...kernelCases]
      .sort((x, y) => String(x.oi.mode ?? "nva").localeCompare(String(y.oi.mode ?? "nva")) || x.i - y.i)
      .forEach((c, k) => {
        writeFiles(join(dir, `case-${c.i}`), c.a);
        lists[k % lists.length]?.push(`${c.i} ${String(c.oi.mode ?? "nva")}`);
      });
    lists.forEach((l, k) => writeFileSync(join(dir, `shard-${k}.list`), `${l.join("\n")}\n`));

    // nftables: every case through nft -c, the selected ones loaded and listed, in batches; dnsmasq: every configuration, in batches.
    const inBatches = (list: readonly Case[]): Case[][] => Array.from({ length: Math.ceil(list.length / NFT_BATCH) }, (_, k) => list.slice(k * NFT_BATCH, (k + 1) * NFT_BATCH));
    const checks = inBatches(cases);
    const batches = inBatches(kernelCases);
    const nftText = (batch: readonly Case[]): string => batch.map((c) => c.b.files[0]?.content ?? "").join("\n");
    checks.forEach((batch, k) => writeFileSync(join(dir, `nft-check-${k}.nft`), nftText(batch)));
    batches.forEach((batch, k) => writeFileSync(join(dir, `nft-${k}.nft`), nftText(batch)));
    const confs = cases.flatMap((c) => [c.a, c.b].flatMap((res) => res.files.filter((f) => f.path.startsWith("dnsmasq")).map((f) => ({ i: c.i, text: f.content }))));
    const t1 = performance.now();

    writeFileSync(join(dir, "shard.sh"), SHARD_SCRIPT);
    writeFileSync(join(dir, "nft.sh"), NFT_SCRIPT);
    const fanOut = [
      ...shards.map((x, k) => `ip netns exec ${x.name} env ${backendPath(IPTABLES_BACKENDS[k] ?? "nf_tables")} bash ${dir}/shard.sh ${dir} ${dir}/shard-${k}.list ${CASE_LIMIT_SECONDS} &`),
      `ip netns exec ${(nftNs as Netns).name} bash ${dir}/nft.sh ${dir} ${checks.length} ${batches.length} ${CASE_LIMIT_SECONDS * 5} &`,
    ].join("\n");
    // Every command inside has its own limit; this one only guards against the harness itself.
    const out = run("bash", ["-c", `${fanOut}\nwait\necho done`], { timeoutMs: 3_600_000 });
    expect(out.stdout.trim(), out.stderr).toBe("done");
    const t2 = performance.now();

    const times: Array<{ i: number; ms: number }> = [];
    const stats = { iptablesText: cases.length, iptablesKernel: 0, hangs: 0, nftChecked: 0, nftables: 0, dnsmasq: 0 };
    for (const c of kernelCases) {
      const d = join(dir, `case-${c.i}`);
      const [rc = "", ms = "0"] = read(join(d, "ipt.rc")).trim().split(" ");
      times.push({ i: c.i, ms: Number(ms) });
      stats.iptablesKernel++;
      if (rc === "124" || rc === "137") {
        stats.hangs++;
        findings.note(c.i, [`iptables.sh did not finish within ${CASE_LIMIT_SECONDS} s (a hang; the slowest finished case took ${Math.max(0, ...times.map((t) => t.ms))} ms): ${read(join(d, "ipt.log")).slice(0, 200)}`]);
        continue;
      }
      if (rc !== "0") {
        findings.note(c.i, [`iptables script failed: ${read(join(d, "ipt.log")).split("\n").slice(0, 2).join(" ").slice(0, 240)} [iptables options ${JSON.stringify(c.oi)}]`]);
        continue;
      }
      const g = iptablesGrants({ v4: read(join(d, "v4.txt")), v6: read(join(d, "v6.txt")), ipset: read(join(d, "ipset.txt")) }, dnsmasqOf(c.a), c.r, c.oi as { peers?: string[] });
      findings.note(c.i, [...g.problems, ...checkGrants("iptables", c.r, c.a.coverage, g.grants)].map((p) => `${p} [iptables options ${JSON.stringify(c.oi)}]`));
      findings.note(c.i, widenedButEnforced(c.r, c.a.coverage, g.grants).map((id) => `iptables: ${id} is enforced but its dnsmasq domains admit more than its names (widened)`));
    }
    checks.forEach((batch, k) => {
      const b = join(dir, `nft-check-${k}`);
      if (read(`${b}.rc`).trim() === "0") stats.nftChecked += batch.length;
      else findings.note(`check batch ${k} (cases ${batch[0]?.i}-${batch.at(-1)?.i})`, [`nft -c -f refused the batch (rc ${read(`${b}.rc`).trim()}): ${read(`${b}.log`).split("\n").slice(0, 3).join(" ").slice(0, 300)}`]);
    });
    batches.forEach((batch, k) => {
      const b = join(dir, `nft-${k}`);
      const [loadRc = ""] = read(`${b}.load.rc`).trim().split(" ");
      if (loadRc !== "0") {
        findings.note(`load batch ${k} (${batch.length} selected cases from ${batch[0]?.i})`, [`nft -f refused the batch (rc ${loadRc}): ${read(`${b}.load.log`).split("\n").slice(0, 3).join(" ").slice(0, 300)}`]);
        return;
      }
      const dump = JSON.parse(read(`${b}.json`)) as { nftables: Array<Record<string, { table?: string }>> };
      const perTable = new Map<string, Array<Record<string, unknown>>>();
      for (const item of dump.nftables) {
        const t = Object.values(item)[0]?.table;
        if (t) perTable.set(t, [...(perTable.get(t) ?? []), item]);
      }
      for (const c of batch) {
        const g = nftGrants(JSON.stringify({ nftables: perTable.get(`p${c.i}`) ?? [] }), dnsmasqOf(c.b), c.r, c.on as { peers?: string[] });
        findings.note(c.i, [...g.problems, ...checkGrants("nftables", c.r, c.b.coverage, g.grants)].map((p) => `${p} [nftables options ${JSON.stringify(c.on)}]`));
        findings.note(c.i, widenedButEnforced(c.r, c.b.coverage, g.grants).map((id) => `nftables: ${id} is enforced but its dnsmasq domains admit more than its names (widened)`));
        stats.nftables++;
      }
    });
    stats.dnsmasq = dnsmasqChecked(confs, findings);
    const seconds = (x: number, y: number): string => `${((y - x) / 1000).toFixed(1)} s`;
    const slowest = [...times].sort((x, y) => y.ms - x.ms).slice(0, 3);
    console.log(`  time: generate, emit and check the text ${seconds(t0, t1)}, kernel ${seconds(t1, t2)}, parse back and check ${seconds(t2, performance.now())}`);
    console.log(`property: ${n} cases, ${refused} refused for a subnet wider than the widest network (LinuxFirewallError naming it)`);
    console.log(`property: iptables ${stats.iptablesText} cases checked from the script text; ${stats.iptablesKernel} run for real (${selection.shapes} distinct shapes, all run; ${IPTABLES_BACKENDS.join(" and ")} backends), ${stats.hangs} over the ${CASE_LIMIT_SECONDS} s limit; slowest ${slowest.map((s) => `case ${s.i} ${s.ms} ms`).join(", ")}`);
    console.log(`property: nftables ${stats.nftChecked} cases through nft -c -f (${checks.length} transactions of at most ${NFT_BATCH} tables); the ${stats.nftables} selected ones loaded (nft -f, ${batches.length} transactions) and parsed back from nft -j list ruleset`);
    console.log(`property: dnsmasq ${stats.dnsmasq} configurations passed dnsmasq --test`);
    expect(stats.iptablesKernel).toBe(selection.chosen.length);
    expect(stats.iptablesKernel).toBeGreaterThanOrEqual(budget);
    expect(stats.nftChecked).toBe(cases.length);
    expect(stats.nftables).toBe(kernelCases.length);
    expect(cases.length + refused).toBe(n);
    expect(findings.report(), `seed ${seed()}`).toEqual([]);
  });
});

/** dnsmasq --test on the configurations, joined into files of 500; a failing file is checked one by one to name the case. */
function dnsmasqChecked(confs: ReadonlyArray<{ i: number; text: string }>, findings: Findings): number {
  let passed = 0;
  for (let k = 0; k < confs.length; k += 500) {
    const chunk = confs.slice(k, k + 500);
    const path = join(dir, `dnsmasq-${k}.conf`);
    writeFileSync(path, chunk.map((c) => c.text).join("\n"));
    if (run("dnsmasq", ["--test", `--conf-file=${path}`]).status === 0) {
      passed += chunk.length;
      continue;
    }
    for (const c of chunk) {
      writeFileSync(path, c.text);
      const r = run("dnsmasq", ["--test", `--conf-file=${path}`]);
      if (r.status === 0) passed++;
      else findings.note(c.i, [`dnsmasq --test failed: ${r.stderr.slice(0, 300)}`]);
    }
  }
  return passed;
}

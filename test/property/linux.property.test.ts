/**
 * iptables + ipset and nftables over generated datasets, against the real kernel in a network namespace
 * this test creates: each case's iptables script is run for real (it validates with
 * `iptables-restore --test` first), all nftables files (one table per case) go through `nft -c -f`
 * and `nft -f` in one transaction, dnsmasq checks every configuration; then `iptables-save`,
 * `ipset save` and `nft -j list ruleset` are parsed back and must hold exactly what the coverage
 * claims. One `ip netns exec bash` process per shard (four namespaces) runs the cases.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmitResult } from "@cassandra-mi-netrules/core";
import { Netns, run, runOk } from "@cassandra-mi-netrules/testkit/netns";
import { iptablesGrants, nftGrants } from "./adapters-linux.js";
import { numRuns, resolvedRules, seed } from "./arbitraries.js";
import { emitterCase, tryEmit } from "./emitters.js";
import { checkGrants, dnsDomainWidens } from "./model.js";

const SHARDS = 4;
const namespaces: Netns[] = [];
let dir = "";

beforeAll(() => {
  for (const tool of ["iptables", "ip6tables", "iptables-save", "ipset", "nft", "dnsmasq"]) runOk("bash", ["-c", `command -v ${tool}`]);
  for (let k = 0; k < SHARDS; k++) namespaces.push(Netns.create("property"));
  dir = mkdtempSync(join(tmpdir(), "cmn-property-linux-"));
});
afterAll(() => {
  for (const x of namespaces) x.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs every `shards`-th case's iptables script for real (it tests with iptables-restore --test first) and saves what the kernel holds. */
const SHARD_SCRIPT = `
set -u
root="$1"; n="$2"; k="$3"; shards="$4"
for i in $(seq "$k" "$shards" $(( n - 1 ))); do
  d="$root/case-$i"
  nft flush ruleset; ipset destroy 2>/dev/null || true
  bash "$d/ipt/iptables.sh" >"$d/ipt.log" 2>&1; echo "$?" >"$d/ipt.rc"
  iptables-save -t filter >"$d/v4.txt"; ip6tables-save -t filter >"$d/v6.txt"; ipset save >"$d/ipset.txt"
  for f in "$d"/ipt/dnsmasq-*.conf "$d"/nft/dnsmasq-*.conf; do
    [ -f "$f" ] || continue
    dnsmasq --test --conf-file="$f" >"$f.log" 2>&1; echo "$?" >"$f.rc"
  done
done
nft flush ruleset; ipset destroy 2>/dev/null || true
`;
/** Loads every case's nftables file (one table each) in one transaction, after a check. */
const NFT_SCRIPT = `
set -u
root="$1"
nft flush ruleset
nft -c -f "$root/all.nft" >"$root/nft-check.log" 2>&1; echo "$?" >"$root/nft-check.rc"
nft -f "$root/all.nft" >"$root/nft-load.log" 2>&1; echo "$?" >"$root/nft-load.rc"
nft -j list ruleset >"$root/nft.json"
nft flush ruleset
`;

function writeFiles(at: string, result: EmitResult): void {
  mkdirSync(at, { recursive: true });
  for (const f of result.files) writeFileSync(join(at, f.path), f.content);
}
const read = (p: string): string => (existsSync(p) ? readFileSync(p, "utf8") : "");

describe("property: Linux packet filters (iptables, nftables) in a network namespace", () => {
  it("load in the real kernel and parse back into what the coverage claims", { timeout: 3_600_000 }, () => {
    const ipt = emitterCase("iptables");
    const nft = emitterCase("nftables");
    const n = numRuns();
    const t0 = performance.now();
    // Sampled, not shrunk: the kernel work is batched (one process for every case), so a failure names its case index and seed.
    const cases = fc.sample(
      resolvedRules().chain((r) => fc.tuple(fc.constant(r), ipt.options(r), nft.options(r))),
      { numRuns: n, seed: seed() },
    );
    const results = cases.map(([r, oi, on], i) => {
      const a = tryEmit(ipt, r, oi);
      // Each case gets a table of its own so one nft transaction loads them all.
      const onT = { ...on, table: `p${i}` };
      const b = tryEmit(nft, r, onT);
      if (!a.ok) throw new Error(`case ${i}: iptables refused valid data: ${a.error.message}`);
      if (!b.ok) throw new Error(`case ${i}: nftables refused valid data: ${b.error.message}`);
      writeFiles(join(dir, `case-${i}`, "ipt"), a.result);
      writeFiles(join(dir, `case-${i}`, "nft"), b.result);
      return { r, oi, on: onT, a: a.result, b: b.result };
    });
    const t1 = performance.now();
    writeFileSync(join(dir, "all.nft"), results.map((x) => x.b.files.find((f) => f.path.endsWith(".nft"))?.content ?? "").join("\n"));
    // The kernel waits for RCU grace periods on every commit, so shards in their own namespaces run side by side.
    writeFileSync(join(dir, "shard.sh"), SHARD_SCRIPT);
    const fanOut = namespaces.map((x, k) => `ip netns exec ${x.name} bash ${dir}/shard.sh ${dir} ${n} ${k} ${namespaces.length} &`).join("\n");
    const out = run("bash", ["-c", `${fanOut}\nwait\necho done`], { timeoutMs: 3_600_000 });
    expect(out.stdout.trim(), out.stderr).toBe("done");
    (namespaces[0] as Netns).bash(NFT_SCRIPT, [dir], { timeoutMs: 600_000 });
    const t2 = performance.now();

    expect(read(join(dir, "nft-check.rc")).trim(), read(join(dir, "nft-check.log"))).toBe("0");
    expect(read(join(dir, "nft-load.rc")).trim(), read(join(dir, "nft-load.log"))).toBe("0");
    const nftJson = read(join(dir, "nft.json"));
    const dump = JSON.parse(nftJson) as { nftables: Array<Record<string, { table?: string; family?: string }>> };
    const perTable = new Map<string, Array<Record<string, unknown>>>();
    for (const item of dump.nftables) {
      const v = Object.values(item)[0];
      const t = v?.table;
      if (t) perTable.set(t, [...(perTable.get(t) ?? []), item]);
    }

    const stats = { iptables: 0, nftables: 0, dnsmasq: 0 };
    // Problems are gathered over every case and reported by kind, with the first cases that show each.
    const found = new Map<string, string[]>();
    const note = (i: number, problems: readonly string[]): void => {
      for (const p of problems) {
        const kind = p
          .replace(/ \[(iptables|nftables) options .*$/s, "")
          .replace(/^(iptables|nftables): [a-z0-9-]+ is /, "$1: ID is ")
          .replace(/\d+/g, "N")
          .slice(0, 160);
        const list = found.get(kind) ?? [];
        if (list.length < 3) list.push(`case ${i}: ${p}`);
        found.set(kind, list);
      }
    };
    results.forEach(({ r, oi, on, a, b }, i) => {
      const d = join(dir, `case-${i}`);
      const problems: string[] = [];
      const iptOk = read(join(d, "ipt.rc")).trim() === "0";
      if (!iptOk) problems.push(`iptables script failed: ${read(join(d, "ipt.log")).split("\n")[0]?.slice(0, 200)} [iptables options ${JSON.stringify(oi)}]`);
      for (const [sub, res] of [["ipt", a], ["nft", b]] as const) {
        for (const f of res.files.filter((x) => x.path.startsWith("dnsmasq"))) {
          if (read(join(d, sub, `${f.path}.rc`)).trim() !== "0") problems.push(`dnsmasq --test ${f.path} failed: ${read(join(d, sub, `${f.path}.log`)).slice(0, 300)}`);
          stats.dnsmasq++;
        }
      }
      const dnsIpt = a.files.find((f) => f.path.startsWith("dnsmasq"))?.content;
      const gi = iptablesGrants({ v4: read(join(d, "v4.txt")), v6: read(join(d, "v6.txt")), ipset: read(join(d, "ipset.txt")) }, dnsIpt, r, oi as { peers?: string[] });
      // A script that failed loaded nothing; its grants would only repeat that failure.
      if (iptOk) problems.push(...gi.problems, ...checkGrants("iptables", r, a.coverage, gi.grants).map((p) => `${p} [iptables options ${JSON.stringify(oi)}]`));
      stats.iptables++;

      const dnsNft = b.files.find((f) => f.path.startsWith("dnsmasq"))?.content;
      const tableJson = JSON.stringify({ nftables: perTable.get(`p${i}`) ?? [] });
      const gn = nftGrants(tableJson, dnsNft, r, on as { peers?: string[] });
      problems.push(...gn.problems, ...checkGrants("nftables", r, b.coverage, gn.grants).map((p) => `${p} [nftables options ${JSON.stringify(on)}]`));
      stats.nftables++;
      // dnsmasq admits a listed name's subdomains too: an exact name written that way must not be called enforced.
      for (const [target, res, g] of [["iptables", a, gi], ["nftables", b, gn]] as const) {
        for (const id of dnsDomainWidens(r, res.coverage, g.grants)) problems.push(`${target}: ${id} is enforced but an exact FQDN is a dnsmasq domain, which admits its subdomains (widened)`);
      }
      note(i, problems);
    });
    const seconds = (a: number, b: number): string => `${((b - a) / 1000).toFixed(1)} s`;
    console.log(`  time: generate and emit ${seconds(t0, t1)}, kernel ${seconds(t1, t2)}, parse back and check ${seconds(t2, performance.now())}`);
    console.log(`property: iptables ${stats.iptables} cases (script run for real: ipset restore, iptables-restore --test then load; parsed back from iptables-save / ipset save)`);
    console.log(`property: nftables ${stats.nftables} cases (nft -c -f and nft -f of all cases in one transaction; parsed back from nft -j list ruleset)`);
    console.log(`property: dnsmasq ${stats.dnsmasq} configurations passed dnsmasq --test`);
    expect(stats.iptables).toBe(n);
    expect(stats.nftables).toBe(n);
    expect([...found.entries()].map(([kind, examples]) => `${kind}\n    ${examples.join("\n    ")}`), `seed ${seed()}`).toEqual([]);
  });
});

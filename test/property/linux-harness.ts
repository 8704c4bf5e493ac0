/**
 * What the Linux property tests decide without the kernel: which cases the kernel must see (one of every
 * shape, then an even spread), which inputs the emitters must refuse, and what dnsmasq admits beyond a
 * requirement's names, computed here from the names alone (not from the plan under test).
 */
import { parseCidr, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { WIDEST_NETWORK } from "@cassandra-mi-netrules/linux";

/** The option or field the Linux emitters must name when a subnet is wider than WIDEST_NETWORK, or undefined. */
export function refusesWideSubnet(r: ResolvedRules, options: object): "options.subnets" | "resolved.subnet" | undefined {
  const subnets: unknown = (options as { subnets?: unknown }).subnets;
  const wide = (cidr: string): boolean => {
    const p = parseCidr(cidr, false);
    return p.length < WIDEST_NETWORK[p.family];
  };
  if (Array.isArray(subnets)) return subnets.some((s) => typeof s === "string" && wide(s)) ? "options.subnets" : undefined;
  return r.subnet && wide(r.subnet.cidr) ? "resolved.subnet" : undefined;
}

/**
 * dnsmasq's `ipset=/d/` and `nftset=/d/` admit `d` and every name under it. For a requirement's names:
 * the exact names whose subdomains it admits beyond them, and the wildcard parents it admits themselves
 * (a name also listed, or under a wider listed wildcard, is no widening).
 */
export function dnsmasqWidening(names: readonly string[]): { subdomainsOf: string[]; parents: string[] } {
  const wildcards = names.filter((n) => n.startsWith("*.")).map((n) => n.slice(2));
  const exact = names.filter((n) => !n.startsWith("*."));
  const coveredBy = (name: string, orEqual: boolean): boolean => wildcards.some((w) => (orEqual && w === name) || name.endsWith(`.${w}`));
  return {
    subdomainsOf: [...new Set(exact.filter((e) => !coveredBy(e, true)))].sort(),
    parents: [...new Set(wildcards.filter((w) => !exact.includes(w) && !coveredBy(w, false)))].sort(),
  };
}

const bucket = (x: number): number => (x <= 0 ? 0 : Math.ceil(Math.log2(x + 1)));

/** What decides how the kernel takes an iptables script, read from its text: mode, families, rule and set counts and sizes, port and comment splits. */
export function scriptShape(script: string, options: Record<string, unknown>): string {
  const heredoc = (fn: string): string[] => {
    const start = script.indexOf(`${fn}() {\n  cat <<'`);
    if (start < 0) return [];
    const body = script.slice(start).split("\n").slice(2);
    const end = body.findIndex((l) => /^CMI_[A-Z]+$/.test(l));
    return body.slice(0, end);
  };
  const sets = new Map<string, number>();
  let hashIp = 0;
  let halves = 0;
  for (const line of heredoc("ipset_input")) {
    const [verb, name = "", what = ""] = line.split(" ");
    if (verb === "create" && what === "hash:ip") hashIp++;
    if (verb === "add") {
      sets.set(name, (sets.get(name) ?? 0) + 1);
      if (/\/1$/.test(line)) halves++;
    }
  }
  const rules = (fn: string): { n: number; multiport: number; comment: number } => {
    const lines = heredoc(fn).filter((l) => l.startsWith("-A CMI-") && / -j ACCEPT$/.test(l) && !l.includes('"cmi: '));
    const comments = lines.map((l) => /--comment "([^"]*)"/.exec(l)?.[1]?.length ?? 0);
    return { n: lines.length, multiport: lines.filter((l) => l.includes("--dports")).length, comment: Math.max(0, ...comments) };
  };
  const [v4, v6] = [rules("input4"), rules("input6")];
  return JSON.stringify([
    /(nva|host) mode/.exec(script)?.[1],
    [v4.n > 0, v6.n > 0],
    Math.min(4, bucket(v4.n + v6.n)),
    Math.min(3, bucket(sets.size)),
    Math.ceil(bucket(Math.max(0, ...sets.values())) / 3),
    hashIp > 0,
    halves > 0,
    v4.multiport + v6.multiport > 0,
    Math.max(v4.comment, v6.comment) > 100,
    options.fqdns === false,
    options.regionalTags === true,
    Array.isArray(options.peers),
  ]);
}

/** The cases the kernel runs: the first of every distinct shape, then an even spread of the others up to the budget. */
export function kernelCaseSelection(shapes: readonly string[], budget: number): { chosen: number[]; shapes: number } {
  const firsts = new Map<string, number>();
  shapes.forEach((s, k) => {
    if (!firsts.has(s)) firsts.set(s, k);
  });
  const chosen = new Set(firsts.values());
  const rest = shapes.map((_, k) => k).filter((k) => !chosen.has(k));
  const wanted = Math.max(0, budget - chosen.size);
  for (let j = 0; j < wanted && rest.length > 0; j++) chosen.add(rest[Math.floor((j * rest.length) / wanted)] as number);
  return { chosen: [...chosen].sort((x, y) => x - y), shapes: firsts.size };
}

/**
 * Runs the listed cases' iptables scripts, each on the state the previous one of its mode left (the
 * namespace is emptied when the mode changes), under a time limit; records status and milliseconds, then
 * what the kernel holds. Arguments: the root of the case directories, the file of case indices with
 * their mode, the time limit in seconds. A case over the limit records status 124 (or 137 when killed).
 */
export const SHARD_SCRIPT = String.raw`
set -u
root="$1"; list="$2"; limit="$3"; prev=""
reset() { for t in iptables ip6tables; do timeout -k 5 "$limit" $t -w -F; timeout -k 5 "$limit" $t -w -X; done; timeout -k 5 "$limit" ipset destroy 2>/dev/null || true; }
while read -r i mode; do
  d="$root/case-$i"
  [ "$mode" = "$prev" ] || reset
  prev="$mode"
  start=$(date +%s%N)
  timeout -k 5 "$limit" bash "$d/iptables.sh" >"$d/ipt.log" 2>&1; rc=$?
  echo "$rc $(( ($(date +%s%N) - start) / 1000000 ))" >"$d/ipt.rc"
  [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && prev=""
  timeout -k 5 "$limit" iptables-save -t filter >"$d/v4.txt"
  timeout -k 5 "$limit" ip6tables-save -t filter >"$d/v6.txt"
  timeout -k 5 "$limit" ipset save >"$d/ipset.txt"
done <"$list"
reset
`;

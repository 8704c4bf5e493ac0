/**
 * Thin adapters from what the kernel holds (testkit's iptables-save / ipset save / nft -j parsers) and
 * the dnsmasq configuration to the grants of model.ts, plus the structural checks of the Linux targets.
 */
import { cidrContains, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { commentIds, parseIpsetSave, parseIptablesSave, parseNftJson, type IptablesDump } from "@cassandra-mi-netrules/testkit/linuxfw";
import { alternatives, dnsDomainListed, type Grant } from "./model.js";

/** Domains of a dnsmasq `ipset=` / `nftset=` configuration by set name (the set part after the last `#` for nftset). */
export function dnsmasqDomains(conf: string | undefined): Map<string, string[]> {
  const bySet = new Map<string, string[]>();
  for (const line of (conf ?? "").split("\n")) {
    const m = /^(?:ipset|nftset)=\/([^/]+)\/(.+)$/.exec(line);
    if (!m) continue;
    for (const set of (m[2] as string).split(",")) {
      const name = set.split("#").pop() as string;
      bySet.set(name, [...(bySet.get(name) ?? []), m[1] as string]);
    }
  }
  return bySet;
}

interface Options {
  readonly peers?: readonly string[];
}

/** Members of one set as grants for the requirement of the rule line that references it. */
function setGrants(
  ruleId: string,
  internal: boolean,
  set: { name: string; fqdn: boolean; members: readonly string[] },
  ports: Grant["ports"],
  domains: Map<string, string[]>,
  options: Options,
  problems: string[],
  resolved: ResolvedRules,
  sharing: Map<string, string[]>,
): Grant[] {
  if (set.fqdn) {
    if (set.members.length > 0) problems.push(`set ${set.name}: a dnsmasq-filled set holds ${set.members.length} members after loading`);
    const ds = domains.get(set.name) ?? [];
    if (ds.length === 0) problems.push(`set ${set.name}: dnsmasq-filled set with no domain in the dnsmasq configuration`);
    // The set is shared by every requirement with these ports: each domain counts for this rule only if it lists it.
    const rule = resolved.rules.find((r) => r.id === ruleId);
    const alts = rule ? alternatives(rule) : undefined;
    return ds.flatMap((d) => {
      if (alts && dnsDomainListed(alts, d)) return [{ ruleIds: [ruleId], dest: { kind: "dns-domain", value: d }, ports }];
      const listedBy = (sharing.get(set.name) ?? []).filter((id) => {
        const other = resolved.rules.find((r) => r.id === id);
        return other !== undefined && dnsDomainListed(alternatives(other), d);
      });
      // No rule matching through this set lists the domain: a widening, reported against this rule.
      return listedBy.length > 0 ? [] : [{ ruleIds: [ruleId], dest: { kind: "dns-domain" as const, value: d }, ports }];
    });
  }
  const members = set.members.map(kernelCidr);
  if (internal) {
    for (const m of members) if (!(options.peers ?? []).some((p) => cidrContains(p, m))) problems.push(`set ${set.name}: member ${m} of an internal rule is not among options.peers`);
    return [{ ruleIds: [ruleId], dest: { kind: "internal", value: `peers:${set.name}` }, ports }];
  }
  return members.map((m) => ({ ruleIds: [ruleId], dest: { kind: "cidr", value: m }, ports }));
}

export function iptablesGrants(dumps: { v4: string; v6: string; ipset: string }, dnsmasq: string | undefined, resolved: ResolvedRules, options: Options): { grants: Grant[]; problems: string[] } {
  const problems: string[] = [];
  const grants: Grant[] = [];
  const sets = parseIpsetSave(dumps.ipset);
  const domains = dnsmasqDomains(dnsmasq);
  const internal = new Set(resolved.rules.filter((r) => r.kind === "internal").map((r) => r.id));
  const dumpsByFamily = [parseIptablesSave(dumps.v4), parseIptablesSave(dumps.v6)];
  const sharing = new Map<string, string[]>();
  for (const d of dumpsByFamily) for (const r of d.rules) for (const ms of r.matchSets) sharing.set(ms.name, [...(sharing.get(ms.name) ?? []), ...commentIds(r.comment)]);
  for (const [family, dump] of [
    ["v4", dumpsByFamily[0] as IptablesDump],
    ["v6", dumpsByFamily[1] as IptablesDump],
  ] as const) {
    for (const r of dump.rules) {
      const at = `ip${family === "v6" ? "6" : ""}tables ${r.chain}: ${r.raw}`;
      if (r.chain.startsWith("CMI-") && !["CMI-FORWARD", "CMI-INPUT", "CMI-OUTPUT"].includes(r.chain)) {
        if (r.comment === "cmi: replies") {
          if (r.target !== "ACCEPT" || (r.ctstate ?? []).join() !== "ESTABLISHED,RELATED") problems.push(`${at}: replies rule is not ESTABLISHED,RELATED ACCEPT`);
          continue;
        }
        if (r.comment === "cmi: drop the rest") {
          if (r.target !== "DROP") problems.push(`${at}: final rule is not DROP`);
          continue;
        }
        if (r.target !== "ACCEPT" || r.protocol !== "tcp") problems.push(`${at}: not a tcp ACCEPT`);
        const ids = commentIds(r.comment);
        if (ids.length === 0) problems.push(`${at}: a rule that names no requirement`);
        if (r.matchSets.length === 0) {
          for (const id of ids) grants.push({ ruleIds: [id], dest: { kind: "internal", value: `${r.chain}` }, ports: r.dports });
          continue;
        }
        for (const id of ids) for (const ms of r.matchSets) {
          const s = sets.get(ms.name);
          if (!s) {
            problems.push(`${at}: set ${ms.name} does not exist in the kernel`);
            continue;
          }
          if (ms.direction !== "dst") problems.push(`${at}: set matched on ${ms.direction}`);
          grants.push(...setGrants(id, internal.has(id), { name: ms.name, fqdn: s.type === "hash:ip", members: s.members }, r.dports, domains, options, problems, resolved, sharing));
        }
      }
    }
  }
  return { grants, problems };
}

export function nftGrants(json: string, dnsmasq: string | undefined, resolved: ResolvedRules, options: Options): { grants: Grant[]; problems: string[] } {
  const problems: string[] = [];
  const grants: Grant[] = [];
  const dump = parseNftJson(json);
  const domains = dnsmasqDomains(dnsmasq);
  const internal = new Set(resolved.rules.filter((r) => r.kind === "internal").map((r) => r.id));
  const fqdnSets = new Set([...domains.keys()]);
  const sharing = new Map<string, string[]>();
  for (const r of dump.rules) for (const a of r.addresses) if (a.value.startsWith("@")) sharing.set(a.value.slice(1), [...(sharing.get(a.value.slice(1)) ?? []), ...commentIds(r.comment)]);
  for (const r of dump.rules) {
    if (["forward", "input", "output"].includes(r.chain)) continue;
    const at = `nft ${r.chain}: ${r.comment ?? ""}`;
    if (r.comment === "cmi: replies") continue;
    if (r.comment === "cmi: drop the rest") {
      if (r.verdict !== "drop") problems.push(`${at}: final rule is not drop`);
      continue;
    }
    if (r.verdict !== "accept") problems.push(`${at}: verdict ${r.verdict}`);
    const ids = commentIds(r.comment);
    if (ids.length === 0) problems.push(`${at}: a rule that names no requirement`);
    const setRefs = r.addresses.filter((a) => a.field === "daddr" && a.value.startsWith("@"));
    if (setRefs.length === 0) {
      for (const id of ids) grants.push({ ruleIds: [id], dest: { kind: "internal", value: r.chain }, ports: r.dports });
      continue;
    }
    for (const id of ids) for (const a of setRefs) {
      const name = a.value.slice(1);
      const s = dump.sets.find((x) => x.name === name && x.table === r.table);
      if (!s) {
        problems.push(`${at}: set ${name} does not exist in the kernel`);
        continue;
      }
      grants.push(...setGrants(id, internal.has(id), { name, fqdn: fqdnSets.has(name) && s.elements.length === 0, members: s.elements.map(rangeToCidrs).flat() }, r.dports, domains, options, problems, resolved, sharing));
    }
  }
  return { grants, problems };
}

/** nft may print merged intervals as `a-b`; turn one back into the CIDRs that cover it exactly. */
function rangeToCidrs(e: string): string[] {
  if (!e.includes("-") || e.includes("/")) return [e.includes("/") ? e : `${e}/${e.includes(":") ? 128 : 32}`];
  const [a, b] = e.split("-").map((x) => (kernelCidr(x).split("/")[0] as string)) as [string, string];
  const v6 = a.includes(":");
  const toBig = (x: string): bigint => {
    if (!v6) return x.split(".").reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n);
    const [head, tail] = x.split("::") as [string, string | undefined];
    const h = head ? head.split(":") : [];
    const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
    const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
    return groups.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g as string, 16)), 0n);
  };
  const bits = v6 ? 128 : 32;
  const fmt = (n: bigint): string => {
    if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join(".");
    return Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(":");
  };
  const out: string[] = [];
  let cur = toBig(a);
  const end = toBig(b);
  while (cur <= end) {
    let size = 0;
    while (size < bits && (cur & ((1n << BigInt(size + 1)) - 1n)) === 0n && cur + (1n << BigInt(size + 1)) - 1n <= end) size++;
    out.push(`${fmt(cur)}/${bits - size}`);
    cur += 1n << BigInt(size);
  }
  return out;
}

/** The iptables script's own text as the dumps the kernel would give: the restore heredocs and the ipset input. */
export function iptablesScriptDumps(script: string): { v4: string; v6: string; ipset: string } {
  const heredoc = (fn: string, marker: string): string => {
    const start = script.indexOf(`${fn}() {\n  cat <<'${marker}'\n`);
    if (start < 0) return "";
    const body = script.slice(start).split("\n").slice(2);
    return body.slice(0, body.indexOf(marker)).join("\n");
  };
  // The temporary cmt* sets are swapped into the live cmi* names.
  const ipset = heredoc("ipset_input", "CMI_IPSET").replace(/\bcmt([46]-)/g, "cmi$1");
  return { v4: heredoc("input4", "CMI_RULES"), v6: heredoc("input6", "CMI_RULES"), ipset };
}

/** A set member as the kernel tools print it, as a CIDR core parses: a host gets its length, `::a.b.c.d` becomes hex groups. */
export function kernelCidr(member: string): string {
  let m = member.includes("/") ? member : `${member}/${member.includes(":") ? 128 : 32}`;
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)(\/\d+)$/.exec(m);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(2, 6).map(Number) as [number, number, number, number];
    m = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}${dotted[6]}`;
  }
  return m;
}

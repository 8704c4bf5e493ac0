/**
 * nftables emitter: one `nft -f` file that replaces a table of its own in one transaction, with named
 * interval sets per service tag and family, plus a dnsmasq configuration whose `nftset=` lines fill the
 * FQDN sets at resolve time.
 */
import { formatPortRange, type CoverageEntry, type EmitResult, type Emitter, type ResolvedRules } from "@cassandra-mi-netrules/core";
import {
  commentChunks,
  KERNEL_LIMITS,
  LinuxFirewallError,
  linuxStampLines,
  planLinuxFirewall,
  safeCommentText,
  type FirewallChain,
  type FirewallRule,
  type FirewallSet,
  type LinuxFirewallNaming,
  type LinuxFirewallOptions,
  type LinuxFirewallPlan,
  type LinuxFirewallPlanning,
} from "@cassandra-mi-netrules/linux";
import pkg from "../package.json" with { type: "json" };

export const version: string = pkg.version;

function stamp(resolved: ResolvedRules): string[] {
  return linuxStampLines(resolved, "@cassandra-mi-netrules/emit-nftables", version);
}

export interface NftablesOptions extends LinuxFirewallOptions {
  /** Name of the `inet` table the file owns and replaces (default `cassandra_mi`). */
  readonly table?: string;
}

export const RULESET_PATH = "nftables.nft";
export const DNSMASQ_PATH = "dnsmasq-nftset.conf";
export const DEFAULT_TABLE = "cassandra_mi";

const CHAINS: Record<FirewallChain, string> = { egress: "egress", "from-cluster": "from_cluster", "to-cluster": "to_cluster" };
/** Base chain of ours, its hook, and which address the dispatcher matches against the subnet. */
const HOOKS: Record<FirewallChain, { chain: string; hook: string; match: "saddr" | "daddr" }> = {
  egress: { chain: "forward", hook: "forward", match: "saddr" },
  "from-cluster": { chain: "input", hook: "input", match: "saddr" },
  "to-cluster": { chain: "output", hook: "output", match: "daddr" },
};

/** Set name in the table: `storage_v4`. */
export function nftSetName(set: { readonly slug: string; readonly family: 4 | 6 }): string {
  return `${set.slug}_v${set.family}`;
}

export const naming: LinuxFirewallNaming = { target: "nftables", setName: nftSetName, chainName: (c) => CHAINS[c] };

const ip = (family: 4 | 6): string => (family === 4 ? "ip" : "ip6");

function portMatch(r: FirewallRule): string {
  const ports = r.ports.map((p) => formatPortRange(p));
  return ports.length === 1 ? `tcp dport ${ports[0]}` : `tcp dport { ${ports.join(", ")} }`;
}

function setBlock(s: FirewallSet): string[] {
  const what = s.kind === "fqdn" ? `${s.source}, filled by dnsmasq` : `${s.source}, ${s.elements.length} prefix(es) (${s.countIn} before merging)`;
  // dnsmasq adds single addresses, each living `timeout` seconds from when it was added.
  const flags = s.kind === "fqdn" ? ["\t\tflags timeout", `\t\ttimeout ${s.timeout ?? 0}s`] : ["\t\tflags interval", "\t\tauto-merge"];
  const lines = [`\tset ${nftSetName(s)} {`, `\t\ttype ${s.family === 4 ? "ipv4_addr" : "ipv6_addr"}`, ...flags, `\t\tcomment "${safeCommentText(what, 120)}"`];
  if (s.elements.length > 0) lines.push("\t\telements = {", ...s.elements.map((e, i) => `\t\t\t${e}${i < s.elements.length - 1 ? "," : ""}`), "\t\t}");
  lines.push("\t}");
  return lines;
}

/** Every chain name this emitter writes, in either mode. */
const ALL_CHAINS: readonly string[] = (Object.keys(HOOKS) as FirewallChain[]).flatMap((c) => [HOOKS[c].chain, CHAINS[c]]);

/**
 * The start of the transaction: the table is made if missing and loses every rule, the chains of the other
 * mode and the prefix sets (made anew below); the dnsmasq-filled sets, declared again with the same
 * definition, keep what dnsmasq put in them.
 */
function preamble(plan: LinuxFirewallPlan, table: string): string[] {
  const ours = new Set(plan.chains.flatMap((c) => [HOOKS[c].chain, CHAINS[c]]));
  return [
    `add table inet ${table}`,
    `flush table inet ${table}`,
    ...ALL_CHAINS.filter((c) => !ours.has(c)).flatMap((c) => [`add chain inet ${table} ${c}`, `delete chain inet ${table} ${c}`]),
    ...plan.sets
      .filter((s) => s.kind === "prefixes")
      .flatMap((s) => [`add set inet ${table} ${nftSetName(s)} { type ${s.family === 4 ? "ipv4_addr" : "ipv6_addr"}; flags interval; }`, `delete set inet ${table} ${nftSetName(s)}`]),
  ];
}

function ruleset(resolved: ResolvedRules, planning: LinuxFirewallPlanning, coverage: readonly CoverageEntry[], table: string): string {
  const { plan } = planning;
  const fqdn = plan.sets.some((s) => s.kind === "fqdn");
  const out: string[] = [
    "#!/usr/sbin/nft -f",
    `# Azure Managed Instance for Apache Cassandra network rules: nftables, ${plan.mode} mode.`,
    ...stamp(resolved),
    "#",
    `# Load: nft -f ${RULESET_PATH}    Check only: nft -c -f ${RULESET_PATH}`,
    `# The file replaces the rules, chains and prefix sets of table inet ${table} in one transaction: on any`,
    "# error nothing changes. Running it again gives the same ruleset. Sets of an earlier file that this one",
    `# no longer names stay, unused, until the table is deleted (nft delete table inet ${table}).`,
    ...planning.summaryLines(naming, coverage, DNSMASQ_PATH),
    ...(fqdn
      ? [
          `# They keep their addresses across loads; an address expires ${plan.fqdnTimeout} s after dnsmasq first added it (dnsmasq`,
          "# adds it again at its next upstream answer). A file with another fqdnTimeout loads after nft delete table.",
        ]
      : []),
    "",
    ...preamble(plan, table),
    "",
    `table inet ${table} {`,
  ];
  for (const s of plan.sets) out.push(...setBlock(s), "");
  for (const c of plan.chains) {
    const h = HOOKS[c];
    out.push(`\tchain ${h.chain} {`, `\t\ttype filter hook ${h.hook} priority filter; policy accept;`);
    // A host must keep IPv6 neighbour discovery with the cluster nodes, which the final drop would catch.
    if (plan.mode === "host" && plan.families.includes(6)) out.push('\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept comment "cmi: neighbour discovery"');
    for (const f of plan.families) for (const s of f === 4 ? plan.subnets.ipv4 : plan.subnets.ipv6) out.push(`\t\t${ip(f)} ${h.match} ${s} jump ${CHAINS[c]}`);
    out.push("\t}", "");
  }
  plan.chains.forEach((c, i) => {
    out.push(`\tchain ${CHAINS[c]} {`, '\t\tct state established,related accept comment "cmi: replies"');
    for (const r of plan.rules.filter((x) => x.chain === c)) {
      const set = r.set ? `${ip(r.family)} daddr @${nftSetName({ slug: r.set, family: r.family })} ` : `meta nfproto ${r.family === 4 ? "ipv4" : "ipv6"} `;
      for (const comment of commentChunks(r.ruleIds, KERNEL_LIMITS.nftCommentBytes)) out.push(`\t\t${set}${portMatch(r)} accept comment "${comment}"`);
    }
    out.push('\t\tdrop comment "cmi: drop the rest"', "\t}");
    if (i < plan.chains.length - 1) out.push("");
  });
  out.push("}");
  return `${out.join("\n")}\n`;
}

function dnsmasqConfig(resolved: ResolvedRules, planning: LinuxFirewallPlanning, table: string): string {
  return planning.dnsmasqConfig(stamp(resolved), "nftset", (s) => `${s.family}#inet#${table}#${nftSetName(s)}`, [
    `# dnsmasq: put the addresses of these names (and their subdomains) into the sets of table inet ${table} (${RULESET_PATH}).`,
    "# Use it on the resolver the cluster subnet queries (conf-file= or /etc/dnsmasq.d/); load the ruleset first.",
  ]);
}

/**
 * Renders the rules as one `nft -f` file (and a dnsmasq `nftset=` configuration when FQDN alternatives
 * are used). Pure. Throws LinuxFirewallError naming the bad option or field.
 */
export function emitNftablesRuleset(resolved: ResolvedRules, options: NftablesOptions = {}): EmitResult {
  const table = options.table ?? DEFAULT_TABLE;
  if (typeof table !== "string" || !/^[a-z][a-z0-9_]{0,31}$/.test(table)) {
    throw new LinuxFirewallError("options.table", table, "must be a lower-case identifier of [a-z0-9_], at most 32 characters, starting with a letter");
  }
  // `table` is this emitter's own option; the rest are the shared plan's.
  const { table: _table, ...linuxOptions } = options ?? {};
  const planning = planLinuxFirewall(resolved, linuxOptions, ["table"]);
  const cov = planning.coverage(naming);
  const files = [{ path: RULESET_PATH, content: ruleset(resolved, planning, cov, table) }];
  if (planning.plan.dnsmasq.length > 0) files.push({ path: DNSMASQ_PATH, content: dnsmasqConfig(resolved, planning, table) });
  return { files, coverage: cov };
}

export const emitter: Emitter<NftablesOptions> = {
  name: "nftables",
  description: "nft -f ruleset in a table of its own with named interval sets (nva or host mode), replaced in one transaction, plus a dnsmasq nftset= configuration for FQDNs",
  emit: emitNftablesRuleset,
};

export type { LinuxFirewallMode, LinuxFirewallOptions } from "@cassandra-mi-netrules/linux";

/**
 * iptables + ipset emitter: one bash script that loads ipset `hash:net` sets and chains of its own with
 * `ipset restore` and `iptables-restore --noflush` / `ip6tables-restore --noflush`, plus a dnsmasq
 * configuration whose `ipset=` lines fill the FQDN sets at resolve time.
 */
import { coreMajor, formatPortRange, type CoverageEntry, type EmitResult, type Emitter, type ResolvedRules } from "@cassandra-mi-netrules/core";
import {
  commentChunks,
  KERNEL_LIMITS,
  linuxStampLines,
  planLinuxFirewall,
  type FirewallChain,
  type FirewallRule,
  type FirewallSet,
  type LinuxFirewallNaming,
  type LinuxFirewallOptions,
  type LinuxFirewallPlan,
  type LinuxFirewallPlanning,
} from "@cassandra-mi-netrules/linux";
import pkg from "../package.json" with { type: "json" };
import { iptablesOptions } from "./options.js";

export const version: string = pkg.version;

function stamp(resolved: ResolvedRules): string[] {
  return linuxStampLines(resolved, "@cassandra-mi-netrules/emit-iptables", version);
}

/** Options of the iptables emitter: the shared Linux firewall options (mode, subnets, peers, fqdns, regionalTags, fqdnTimeout). */
export type IptablesOptions = LinuxFirewallOptions;

export const SCRIPT_PATH = "iptables.sh";
export const DNSMASQ_PATH = "dnsmasq-ipset.conf";

const CHAINS: Record<FirewallChain, string> = { egress: "CMI-EGRESS", "from-cluster": "CMI-FROM-CLUSTER", "to-cluster": "CMI-TO-CLUSTER" };
/** Built-in chain, hook chain of ours, and which address the dispatcher matches against the subnet. */
const HOOKS: Record<FirewallChain, { builtin: string; hook: string; match: "-s" | "-d" }> = {
  egress: { builtin: "FORWARD", hook: "CMI-FORWARD", match: "-s" },
  "from-cluster": { builtin: "INPUT", hook: "CMI-INPUT", match: "-s" },
  "to-cluster": { builtin: "OUTPUT", hook: "CMI-OUTPUT", match: "-d" },
};

/** Live ipset name: `cmi4-storage`. At most 31 characters (slugs are at most 26). */
export function ipsetName(set: { readonly slug: string; readonly family: 4 | 6 }): string {
  return `cmi${set.family}-${set.slug}`;
}
/** The fresh copy a run fills before swapping it in. */
function tempName(set: { readonly slug: string; readonly family: 4 | 6 }): string {
  return `cmt${set.family}-${set.slug}`;
}

export const naming: LinuxFirewallNaming = { target: "iptables", setName: ipsetName, chainName: (c) => CHAINS[c] };

function portMatches(rule: FirewallRule): string[] {
  // multiport takes at most KERNEL_LIMITS.multiportSlots ports, a range counting for two.
  const out: string[] = [];
  let chunk: string[] = [];
  let slots = 0;
  for (const r of rule.ports) {
    const cost = r.from === r.to ? 1 : 2;
    if (slots + cost > KERNEL_LIMITS.multiportSlots) {
      out.push(chunk.join(","));
      chunk = [];
      slots = 0;
    }
    chunk.push(formatPortRange(r, ":"));
    slots += cost;
  }
  out.push(chunk.join(","));
  return out.map((ports) => (rule.ports.length === 1 ? `-m tcp --dport ${ports}` : `-m multiport --dports ${ports}`));
}

function ruleLines(plan: LinuxFirewallPlan, family: 4 | 6): string[] {
  const lines: string[] = ["*filter"];
  // Declaring a chain flushes it, so a family that lost its subnet is cleared too.
  for (const c of plan.chains) lines.push(`:${HOOKS[c].hook} - [0:0]`, `:${CHAINS[c]} - [0:0]`);
  if (!plan.families.includes(family)) return lines;
  const subnets = family === 4 ? plan.subnets.ipv4 : plan.subnets.ipv6;
  for (const c of plan.chains) {
    // A host must keep IPv6 neighbour discovery with the cluster nodes, which the final drop would catch.
    if (family === 6 && plan.mode === "host") {
      for (const t of ["neighbour-solicitation", "neighbour-advertisement"]) {
        lines.push(`-A ${HOOKS[c].hook} -p ipv6-icmp -m icmp6 --icmpv6-type ${t} -m comment --comment "cmi: neighbour discovery" -j ACCEPT`);
      }
    }
    for (const s of subnets) lines.push(`-A ${HOOKS[c].hook} ${HOOKS[c].match} ${s} -j ${CHAINS[c]}`);
  }
  for (const c of plan.chains) {
    lines.push(`-A ${CHAINS[c]} -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment "cmi: replies" -j ACCEPT`);
    for (const r of plan.rules.filter((x) => x.chain === c && x.family === family)) {
      const set = r.set ? ` -m set --match-set ${ipsetName({ slug: r.set, family })} dst` : "";
      for (const comment of commentChunks(r.ruleIds, KERNEL_LIMITS.iptablesCommentBytes)) {
        for (const ports of portMatches(r)) lines.push(`-A ${CHAINS[c]} -p tcp${set} ${ports} -m comment --comment "${comment}" -j ACCEPT`);
      }
    }
    lines.push(`-A ${CHAINS[c]} -m comment --comment "cmi: drop the rest" -j DROP`);
  }
  return lines;
}

/** ipset `hash:net` takes prefix lengths 1-32 / 1-128 only, so a whole address space is added as two halves. */
function ipsetMembers(prefix: string): string[] {
  if (prefix === "0.0.0.0/0") return ["0.0.0.0/1", "128.0.0.0/1"];
  if (prefix === "::/0") return ["::/1", "8000::/1"];
  return [prefix];
}

function ipsetLines(sets: readonly FirewallSet[]): string[] {
  const lines: string[] = [];
  for (const s of sets) {
    const family = s.family === 4 ? "inet" : "inet6";
    const type = s.kind === "fqdn" ? "hash:ip" : "hash:net";
    const params = `${type} family ${family} hashsize 1024 maxelem ${KERNEL_LIMITS.setElements}`;
    // dnsmasq re-adds an address on every answer, which restarts its timeout; one DNS no longer returns expires.
    lines.push(`create ${ipsetName(s)} ${params}${s.timeout ? ` timeout ${s.timeout}` : ""}`);
    if (s.kind === "prefixes") {
      lines.push(`create ${tempName(s)} ${params}`, `flush ${tempName(s)}`);
      for (const e of s.elements) for (const m of ipsetMembers(e)) lines.push(`add ${tempName(s)} ${m}`);
    }
  }
  return lines;
}

function heredocFunction(name: string, marker: string, body: readonly string[], tail: readonly string[] = []): string[] {
  return [`${name}() {`, `  cat <<'${marker}'`, ...body, marker, ...tail, "}"];
}

const TOOLS: Record<4 | 6, string> = { 4: "iptables", 6: "ip6tables" };

/** The header: what the script does, how to run it, and the shared summary of the plan. */
function header(resolved: ResolvedRules, planning: LinuxFirewallPlanning, coverage: readonly CoverageEntry[]): string[] {
  const { plan } = planning;
  return [
    "#!/usr/bin/env bash",
    `# Azure Managed Instance for Apache Cassandra network rules: iptables + ipset, ${plan.mode} mode.`,
    ...stamp(resolved),
    "#",
    "# Usage: sudo bash iptables.sh [--check]",
    "#   (no argument)  load the sets and chains; running it again leaves the same ruleset.",
    "#   --check        validate everything (ipset restore, iptables-restore --test) in a private network",
    "#                  namespace; nothing on this host changes.",
    "# Works with the nf_tables and the legacy iptables backends (no iptables call runs while a restore",
    "# holds the xtables lock). A failed run leaves the previous rules in place: new set contents are built",
    "# under cmt* names, the IPv6 rules are tested before anything live changes, each restore is atomic (the",
    "# IPv4 one, committed first, changes nothing when it fails), and should a later step fail, what this run",
    "# changed is put back.",
    ...planning.summaryLines(naming, coverage, DNSMASQ_PATH),
    ...(plan.sets.some((s) => s.kind === "fqdn")
      ? [`# They keep their addresses across runs; an address expires ${plan.fqdnTimeout} s after dnsmasq last returned it.`]
      : []),
  ];
}

/** The restore inputs, each in a quoted here-document so bash expands nothing in them. */
function inputs(plan: LinuxFirewallPlan): string[] {
  const out: string[] = [...heredocFunction("ipset_input", "CMI_IPSET", ipsetLines(plan.sets)), ""];
  for (const f of [4, 6] as const) {
    const hooked = plan.families.includes(f) ? plan.chains : [];
    out.push(
      `# The ${TOOLS[f]}-restore input; the argument is the ${TOOLS[f]}-save text of now, for the jumps into the chains.`,
      ...heredocFunction(`input${f}`, "CMI_RULES", ruleLines(plan, f), [...hooked.map((c) => `  jump_unless_present "$1" ${HOOKS[c].builtin} ${HOOKS[c].hook}`), "  echo COMMIT"]),
      "",
    );
  }
  return out;
}

// Bash of its own, written `$\{` where bash has `${` (a template literal would read that as its own).
const SCRIPT_BODY = String.raw`
# Prints the jump from a built-in chain into ours unless the saved rules (first argument) hold it: computed
# from saved text, since an iptables call inside the pipe would wait forever for the lock that the
# legacy iptables-restore holds.
jump_unless_present() {
  case $'\n'"$1"$'\n' in
    *$'\n'"-A $2 -j $3"$'\n'*) ;;
    *) echo "-I $2 1 -j $3" ;;
  esac
}

validate() {
  ipset_input | ipset -exist restore
  saved4=$(iptables-save -t filter)
  saved6=$(ip6tables-save -t filter)
  input4 "$saved4" | iptables-restore -w --test --noflush
  input6 "$saved6" | ip6tables-restore -w --test --noflush
}

if [[ "$mode" = check ]]; then
  # A private network namespace has sets and tables of its own, so the check changes nothing here.
  { echo "set -euo pipefail"; declare -f ipset_input input4 input6 jump_unless_present validate; echo validate; } | unshare --net -- "$BASH" -s
  echo "cmi: check passed"
  exit 0
fi

# The restore input that puts the chains of this script, and the jumps into them, back as they were:
# the first argument is the iptables-save text of one family from before this run, the second of now.
undo_input() {
  local before=$1 now=$2 c j
  echo "*filter"
  for c in "$\{chains[@]}"; do echo ":$c - [0:0]"; done
  for c in "$\{chains[@]}"; do grep -E -- "^-A $c " <<<"$before" || true; done
  while IFS= read -r j; do
    grep -qxF -- "$j" <<<"$before" || echo "-D $\{j#-A }"
  done < <(grep -E -- '^-A (INPUT|FORWARD|OUTPUT) -j CMI-(INPUT|FORWARD|OUTPUT)$' <<<"$now" || true)
  for c in "$\{chains[@]}"; do grep -qE -- "^:$c " <<<"$before" || echo "-X $c"; done
  echo COMMIT
}

# One ipset restore swaps every new set in.
swap_input() {
  local s
  for s in "$\{prefix_sets[@]}"; do echo "swap cmt$\{s#cmi} $s"; done
}

unset listing
swapped=()
committed4=0
finished=0
cleanup() {
  local rc=$? s now4
  [[ "$finished" -eq 0 ]] || return 0
  set +e
  if [[ "$committed4" -eq 1 ]]; then
    now4=$(iptables-save -t filter)
    undo_input "$saved4" "$now4" | iptables-restore -w --noflush
    [[ "$\{PIPESTATUS[1]}" -eq 0 ]] || echo "cmi: could not put the previous IPv4 rules back" >&2
  fi
  for s in "$\{swapped[@]}"; do ipset swap "cmt$\{s#cmi}" "$s"; done
  for s in "$\{prefix_sets[@]}"; do ipset destroy "cmt$\{s#cmi}" 2>/dev/null; done
  # The sets this run created: not in the list taken before the fill (unset when the run stopped before it).
  if [[ -n "$\{listing+set}" ]]; then
    for s in "$\{prefix_sets[@]}" "$\{fqdn_sets[@]}"; do
      case $'\n'"$listing"$'\n' in *$'\n'"$s"$'\n'*) ;; *) ipset destroy "$s" 2>/dev/null ;; esac
    done
  fi
  echo "cmi: failed (exit $rc); the previous rules are left in place" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# One ipset restore lists the sets there were before this run (its first line) and fills the new copies;
# bash assigns what it listed even when a later line fails, so the cleanup knows which sets were there.
listing=$({ echo "list -n"; ipset_input; } | ipset -exist restore)
mapfile -t listed <<<"$listing"
saved4=$(iptables-save -t filter)
saved6=$(ip6tables-save -t filter)
# IPv6 is loaded when the plan has an IPv6 subnet or an earlier run left chains of ours there to clear.
load6=$ipv6_planned
for c in "$\{chains[@]}"; do
  case $'\n'"$saved6" in
    *$'\n'":$c "*) load6=1 ;;
    *) ;;
  esac
done
# A restore is atomic (a failed one changes nothing), so the IPv4 commit needs no test run of its own:
# only the IPv6 input, committed last, is tested before anything live changes.
if [[ "$load6" -eq 1 ]]; then input6 "$saved6" | ip6tables-restore -w --test --noflush; fi
input4 "$saved4" | iptables-restore -w --noflush
committed4=1
swap_input | ipset restore
swapped=("$\{prefix_sets[@]}")
if [[ "$load6" -eq 1 ]]; then input6 "$saved6" | ip6tables-restore -w --noflush; fi
finished=1
# One ipset restore destroys the copies and the sets of earlier runs that this one no longer has; the
# kernel refuses to destroy a set still referenced (by the chains of another script): then one by one.
obsolete=()
for s in "$\{prefix_sets[@]}"; do obsolete+=("cmt$\{s#cmi}"); done
for s in "$\{listed[@]}"; do
  case "$s" in
    cmi4-*|cmi6-*) case " $\{prefix_sets[*]} $\{fqdn_sets[*]} " in *" $s "*) ;; *) obsolete+=("$s") ;; esac ;;
    *) ;;
  esac
done
if [[ "$\{#obsolete[@]}" -gt 0 ]] && ! printf 'destroy %s\n' "$\{obsolete[@]}" | ipset restore 2>/dev/null; then
  for s in "$\{obsolete[@]}"; do ipset destroy "$s" 2>/dev/null || true; done
fi
echo "cmi: loaded"
`.replaceAll("$\\{", "${");

function script(resolved: ResolvedRules, planning: LinuxFirewallPlanning, coverage: readonly CoverageEntry[]): string {
  const { plan } = planning;
  const out: string[] = [
    ...header(resolved, planning, coverage),
    "",
    "set -euo pipefail",
    "",
    "mode=apply",
    'case "${1:-}" in',
    '  "") ;;',
    "  --check) mode=check ;;",
    '  *) echo "usage: $0 [--check]" >&2; exit 2 ;;',
    "esac",
    "",
    "# Sets this script fills (swapped in whole) and sets dnsmasq fills (created once, never flushed).",
    `prefix_sets=(${plan.sets.filter((s) => s.kind === "prefixes").map((s) => ipsetName(s)).join(" ")})`,
    `fqdn_sets=(${plan.sets.filter((s) => s.kind === "fqdn").map((s) => ipsetName(s)).join(" ")})`,
    "# 1 when the plan has an IPv6 subnet (an IPv4-only run leaves ip6tables alone unless chains of ours are there).",
    `ipv6_planned=${plan.families.includes(6) ? 1 : 0}`,
    "# Chains of this script, in both families.",
    `chains=(${plan.chains.flatMap((c) => [HOOKS[c].hook, CHAINS[c]]).join(" ")})`,
    "",
    ...inputs(plan),
  ];
  return `${out.join("\n")}${SCRIPT_BODY.slice(1)}`;
}

function dnsmasqConfig(resolved: ResolvedRules, planning: LinuxFirewallPlanning): string {
  return planning.dnsmasqConfig(stamp(resolved), "ipset", ipsetName, [
    `# dnsmasq: put the addresses of these names (and their subdomains) into the ipsets that ${SCRIPT_PATH} allows.`,
    "# Use it on the resolver the cluster subnet queries (conf-file= or /etc/dnsmasq.d/); load the sets first.",
  ]);
}

/**
 * Renders the rules as an idempotent, atomic iptables + ipset bash script (and a dnsmasq `ipset=`
 * configuration when FQDN alternatives are used). Pure. Throws LinuxFirewallError naming the bad option
 * or field (a missing subnet, a hostile id or FQDN).
 */
export function emitIptablesScript(resolved: ResolvedRules, options: IptablesOptions = {}): EmitResult {
  const planning = planLinuxFirewall(resolved, options);
  const cov = planning.coverage(naming);
  const files = [{ path: SCRIPT_PATH, content: script(resolved, planning, cov) }];
  if (planning.plan.dnsmasq.length > 0) files.push({ path: DNSMASQ_PATH, content: dnsmasqConfig(resolved, planning) });
  return { files, coverage: cov };
}

export const emitter: Emitter<IptablesOptions> = {
  name: "iptables",
  description: "bash script loading ipset sets and iptables/ip6tables chains atomically (nva or host mode), plus a dnsmasq ipset= configuration for FQDNs",
  emit: emitIptablesScript,
  options: iptablesOptions,
  coreMajor,
  package: { name: "@cassandra-mi-netrules/emit-iptables", version },
  files: [SCRIPT_PATH, DNSMASQ_PATH],
};

export type { LinuxFirewallMode, LinuxFirewallOptions } from "@cassandra-mi-netrules/linux";

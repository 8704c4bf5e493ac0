/**
 * Parsers of what the kernel holds back into rules: `iptables-save` / `ip6tables-save`, `ipset save` and
 * `nft -j list ruleset`. Tests compare them with an emitter's coverage; set contents normalise to merged
 * address ranges so `192.0.2.0/27`, two `/28`s and nft's `192.0.2.0-192.0.2.31` compare equal.
 */
import {
  formatPortRange,
  mergePortRanges,
  parseCidr,
  uniqueSorted,
  type CoverageEntry,
  type PortRange,
  type ResolvedRule,
  type ResolvedRules,
} from "@cassandra-mi-netrules/core";
import { type LinuxFirewallOptions } from "@cassandra-mi-netrules/linux";

/* ---------- address ranges ---------- */

export interface AddressRange {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly end: bigint;
}

function addressRange(text: string): AddressRange {
  const dash = text.indexOf("-");
  if (dash > 0 && !text.includes("/")) {
    const a = parseCidr(`${text.slice(0, dash)}/${text.includes(":") ? 128 : 32}`);
    const b = parseCidr(`${text.slice(dash + 1)}/${text.includes(":") ? 128 : 32}`);
    return { family: a.family, start: a.start, end: b.end };
  }
  const c = parseCidr(text.includes("/") ? text : `${text}/${text.includes(":") ? 128 : 32}`, false);
  return { family: c.family, start: c.start, end: c.end };
}

/** Merged, sorted ranges as text (`4:3221225984-3221226015`), for equality checks between sources. */
export function normaliseAddresses(items: Iterable<string>): string[] {
  const ranges = [...items].map(addressRange).sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: AddressRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && last.family === r.family && r.start <= last.end + 1n) out[out.length - 1] = { ...last, end: r.end > last.end ? r.end : last.end };
    else out.push(r);
  }
  return out.map((r) => `${r.family}:${r.start}-${r.end}`);
}

function portRange(text: string, sep: string): PortRange {
  const [a, b] = text.split(sep);
  return { from: Number(a), to: Number(b ?? a) };
}

/* ---------- iptables-save ---------- */

export interface IptablesRule {
  readonly table: string;
  readonly chain: string;
  readonly source?: string;
  readonly destination?: string;
  readonly protocol?: string;
  readonly matchSets: ReadonlyArray<{ readonly name: string; readonly direction: string }>;
  readonly dports: readonly PortRange[];
  readonly ctstate?: readonly string[];
  readonly comment?: string;
  readonly target: string;
  readonly raw: string;
}

export interface IptablesDump {
  /** Chains by table, with the policy (`-` for user chains). */
  readonly chains: ReadonlyMap<string, string>;
  readonly rules: readonly IptablesRule[];
}

/** Splits one rule line into words, honouring "double quoted" words (with \" inside). */
export function tokenizeRuleLine(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] as string));
  return out;
}

/** Parses `iptables-save` / `ip6tables-save` output (all tables). Chains are keyed `table/chain`. */
export function parseIptablesSave(text: string): IptablesDump {
  const chains = new Map<string, string>();
  const rules: IptablesRule[] = [];
  let table = "";
  for (const line of text.split("\n")) {
    if (line.startsWith("*")) table = line.slice(1).trim();
    else if (line.startsWith(":")) {
      const [name, policy] = line.slice(1).split(/\s+/);
      chains.set(`${table}/${name}`, policy ?? "-");
    } else if (line.startsWith("-A ")) {
      const w = tokenizeRuleLine(line);
      const rule: {
        chain: string;
        source?: string;
        destination?: string;
        protocol?: string;
        matchSets: Array<{ name: string; direction: string }>;
        dports: PortRange[];
        ctstate?: string[];
        comment?: string;
        target: string;
      } = { chain: w[1] as string, matchSets: [], dports: [], target: "" };
      for (let i = 2; i < w.length; i++) {
        const t = w[i];
        const next = (): string => w[++i] as string;
        if (t === "-s") rule.source = next();
        else if (t === "-d") rule.destination = next();
        else if (t === "-p") rule.protocol = next();
        else if (t === "--match-set") rule.matchSets.push({ name: next(), direction: next() });
        else if (t === "--dport") rule.dports.push(portRange(next(), ":"));
        else if (t === "--dports") rule.dports.push(...next().split(",").map((p) => portRange(p, ":")));
        else if (t === "--ctstate") rule.ctstate = next().split(",").sort();
        else if (t === "--comment") rule.comment = next();
        else if (t === "-j") rule.target = next();
      }
      rules.push({ table, ...rule, raw: line });
    }
  }
  return { chains, rules };
}

/* ---------- ipset save ---------- */

export interface IpsetSet {
  readonly name: string;
  readonly type: string;
  readonly family: 4 | 6;
  /** Members as written by ipset (`192.0.2.0/27`; a hash:ip member has no length). */
  readonly members: readonly string[];
}

/** Parses `ipset save` output into sets by name. */
export function parseIpsetSave(text: string): Map<string, IpsetSet> {
  const sets = new Map<string, { name: string; type: string; family: 4 | 6; members: string[] }>();
  for (const line of text.split("\n")) {
    const w = tokenizeRuleLine(line);
    if (w[0] === "create") {
      const fi = w.indexOf("family");
      sets.set(w[1] as string, { name: w[1] as string, type: w[2] as string, family: w[fi + 1] === "inet6" ? 6 : 4, members: [] });
    } else if (w[0] === "add") {
      const s = sets.get(w[1] as string);
      if (!s) throw new Error(`ipset save: add to unknown set ${w[1]}`);
      s.members.push(w[2] as string);
    }
  }
  return sets;
}

/* ---------- nft -j list ruleset ---------- */

export interface NftSet {
  readonly family: string;
  readonly table: string;
  readonly name: string;
  readonly type: string;
  readonly flags: readonly string[];
  readonly comment?: string;
  /** Elements as text: `192.0.2.0/27`, `192.0.2.224-192.0.2.247` or an address. */
  readonly elements: readonly string[];
}

export interface NftChain {
  readonly family: string;
  readonly table: string;
  readonly name: string;
  readonly hook?: string;
  readonly policy?: string;
}

export interface NftRule {
  readonly family: string;
  readonly table: string;
  readonly chain: string;
  /** `ip` / `ip6` address matches: `{ field: "saddr", family: 4, value: "198.51.100.0/25" }` or a set `@name`. */
  readonly addresses: ReadonlyArray<{ readonly field: "saddr" | "daddr"; readonly family: 4 | 6; readonly value: string }>;
  readonly nfproto?: string;
  readonly dports: readonly PortRange[];
  readonly ctstate?: readonly string[];
  readonly comment?: string;
  /** `accept`, `drop`, `jump <chain>`... */
  readonly verdict: string;
}

export interface NftDump {
  readonly sets: readonly NftSet[];
  readonly chains: readonly NftChain[];
  readonly rules: readonly NftRule[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObj = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

function elementText(e: Json): string {
  if (typeof e === "string" || typeof e === "number") return String(e);
  if (isObj(e)) {
    if (isObj(e.prefix)) return `${String(e.prefix.addr)}/${String(e.prefix.len)}`;
    if (Array.isArray(e.range)) return `${elementText(e.range[0] as Json)}-${elementText(e.range[1] as Json)}`;
    if (isObj(e.elem)) return elementText(e.elem.val as Json);
  }
  throw new Error(`nft -j: unknown set element ${JSON.stringify(e)}`);
}

function portsOf(right: Json): PortRange[] {
  if (typeof right === "number") return [{ from: right, to: right }];
  if (isObj(right) && Array.isArray(right.range)) return [{ from: Number(right.range[0]), to: Number(right.range[1]) }];
  if (isObj(right) && Array.isArray(right.set)) return right.set.flatMap((x) => portsOf(x));
  throw new Error(`nft -j: unknown port match ${JSON.stringify(right)}`);
}

/** Parses `nft -j list ruleset` into sets, chains and rules (the matches our emitters write). */
export function parseNftJson(text: string): NftDump {
  const doc = JSON.parse(text) as { nftables: JsonObject[] };
  const sets: NftSet[] = [];
  const chains: NftChain[] = [];
  const rules: NftRule[] = [];
  for (const item of doc.nftables) {
    if (isObj(item.set)) {
      const s = item.set;
      const elem = Array.isArray(s.elem) ? s.elem : [];
      sets.push({
        family: String(s.family),
        table: String(s.table),
        name: String(s.name),
        type: String(s.type),
        flags: Array.isArray(s.flags) ? s.flags.map(String) : [],
        ...(typeof s.comment === "string" ? { comment: s.comment } : {}),
        elements: elem.map(elementText),
      });
    } else if (isObj(item.chain)) {
      const c = item.chain;
      chains.push({
        family: String(c.family),
        table: String(c.table),
        name: String(c.name),
        ...(typeof c.hook === "string" ? { hook: c.hook } : {}),
        ...(typeof c.policy === "string" ? { policy: c.policy } : {}),
      });
    } else if (isObj(item.rule)) {
      const r = item.rule;
      const addresses: Array<{ field: "saddr" | "daddr"; family: 4 | 6; value: string }> = [];
      const dports: PortRange[] = [];
      let nfproto: string | undefined;
      let ctstate: string[] | undefined;
      let verdict = "";
      for (const e of Array.isArray(r.expr) ? r.expr : []) {
        if (!isObj(e)) continue;
        if (isObj(e.match)) {
          const left = e.match.left;
          const right = e.match.right as Json;
          if (isObj(left) && isObj(left.payload)) {
            const { protocol, field } = left.payload;
            if ((protocol === "ip" || protocol === "ip6") && (field === "saddr" || field === "daddr")) {
              const value = typeof right === "string" ? right : elementText(right);
              addresses.push({ field, family: protocol === "ip" ? 4 : 6, value });
            } else if ((protocol === "tcp" || protocol === "th") && field === "dport") dports.push(...portsOf(right));
          } else if (isObj(left) && isObj(left.meta) && left.meta.key === "nfproto") nfproto = String(right);
          else if (isObj(left) && isObj(left.ct) && left.ct.key === "state") ctstate = (Array.isArray(right) ? right : [right]).map(String).sort();
        } else if ("accept" in e) verdict = "accept";
        else if ("drop" in e) verdict = "drop";
        else if ("return" in e) verdict = "return";
        else if (isObj(e.jump)) verdict = `jump ${String(e.jump.target)}`;
        else if (isObj(e.goto)) verdict = `goto ${String(e.goto.target)}`;
      }
      rules.push({
        family: String(r.family),
        table: String(r.table),
        chain: String(r.chain),
        addresses,
        ...(nfproto ? { nfproto } : {}),
        dports,
        ...(ctstate ? { ctstate } : {}),
        ...(typeof r.comment === "string" ? { comment: r.comment } : {}),
        verdict,
      });
    }
  }
  return { sets, chains, rules };
}

/* ---------- what a rule should allow ---------- */

export interface ExpectedAllowance {
  /** Prefixes of the tag forms and literal prefixes, per family. */
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
  /** Whether a dnsmasq-filled FQDN set should be allowed too. */
  readonly fqdn: boolean;
}

/**
 * What an `nva` rule should allow, computed from the resolved rule alone (not from the emitter's plan):
 * the global form of each tag (or the regional forms when `regionalTags`, plus the global one when a
 * requested region has no regional form with prefixes),
 * the literal prefixes, and an FQDN set when the rule lists FQDNs and `fqdns` is not false.
 */
export function expectedAllowance(
  rule: ResolvedRule,
  options: { readonly regionalTags?: boolean; readonly fqdns?: boolean } = {},
): ExpectedAllowance {
  const v4: string[] = [...rule.prefixes.ipv4];
  const v6: string[] = [...rule.prefixes.ipv6];
  for (const t of rule.serviceTags) {
    const regional = (options.regionalTags || t.regionalOnly) && t.regional.length > 0;
    const complete = t.regionsWithoutForm.length === 0 && t.regional.every((f) => f.prefixes);
    const forms = regional ? (complete ? t.regional : [...t.regional, t.global]) : [t.global];
    for (const f of forms) {
      v4.push(...(f.prefixes?.ipv4 ?? []));
      v6.push(...(f.prefixes?.ipv6 ?? []));
    }
  }
  return { ipv4: v4, ipv6: v6, fqdn: rule.fqdns.length > 0 && options.fqdns !== false };
}

/* ---------- what the kernel holds, one model for both emitters ---------- */

/** The chains the emitters make: the cluster subnet's forwarded egress (nva), traffic from and to the cluster (host). */
export type ChainRole = "egress" | "from-cluster" | "to-cluster";

export interface LoadedRule {
  readonly comment?: string;
  /** The requirement ids of the comment (a rule serving several requirements lists them joined by `,`). */
  readonly ruleIds: readonly string[];
  /** `accept`, `drop`, `jump x`... (lower case for both tools). */
  readonly verdict: string;
  readonly protocol?: string;
  readonly ports: readonly PortRange[];
  readonly ctstate?: readonly string[];
  /** The destination set the rule matches, with what the kernel holds in it. */
  readonly set?: { readonly name: string; readonly members: readonly string[] };
  /** Address matches besides that one destination set (the emitters write none in these chains). */
  readonly otherAddresses: number;
  readonly raw: string;
}

export interface LoadedChain {
  readonly family: 4 | 6;
  readonly role: ChainRole;
  /** Jumps from the built-in chain into the dispatcher (iptables), or 1 for an nft base chain on its hook with policy accept. */
  readonly hooks: number;
  /** The subnets the dispatcher (or base chain) sends to this chain, and the address it matches them on. */
  readonly dispatch: ReadonlyArray<{ readonly field: "source" | "destination"; readonly subnet: string }>;
  /** The dispatcher's other rules (host mode accepts IPv6 neighbour discovery there). */
  readonly dispatchOther: readonly LoadedRule[];
  readonly rules: readonly LoadedRule[];
}

export interface LoadedFirewall {
  readonly chains: readonly LoadedChain[];
}

export interface IptablesChainNames {
  readonly builtin: string;
  readonly dispatcher: string;
  readonly chain: string;
}

const lower = (s: string): string => s.toLowerCase();

/** The requirement ids a rule comment names: `a,b,c`; none for the emitters' own `cmi: ...` comments. */
export function commentIds(comment: string | undefined): string[] {
  if (comment === undefined || comment.startsWith("cmi:")) return [];
  return comment.split(",");
}

/** The chains of `iptables-save`, `ip6tables-save` and `ipset save` output, by role. */
export function loadedFromIptables(dumps: { readonly v4: string; readonly v6: string; readonly ipset: string }, names: Partial<Record<ChainRole, IptablesChainNames>>): LoadedFirewall {
  const sets = parseIpsetSave(dumps.ipset);
  const chains: LoadedChain[] = [];
  const rule = (r: IptablesRule): LoadedRule => {
    const first = r.matchSets[0];
    return {
      ...(r.comment !== undefined ? { comment: r.comment } : {}),
      ruleIds: commentIds(r.comment),
      verdict: lower(r.target),
      ...(r.protocol !== undefined ? { protocol: r.protocol } : {}),
      ports: r.dports,
      ...(r.ctstate ? { ctstate: r.ctstate.map(lower) } : {}),
      ...(first && first.direction === "dst" ? { set: { name: first.name, members: sets.get(first.name)?.members ?? [] } } : {}),
      otherAddresses: r.matchSets.length - (first && first.direction === "dst" ? 1 : 0) + (r.source ? 1 : 0) + (r.destination ? 1 : 0),
      raw: r.raw,
    };
  };
  for (const [family, text] of [
    [4, dumps.v4],
    [6, dumps.v6],
  ] as const) {
    const dump = parseIptablesSave(text).rules.filter((r) => r.table === "filter");
    for (const [role, n] of Object.entries(names) as Array<[ChainRole, IptablesChainNames]>) {
      const dispatcher = dump.filter((r) => r.chain === n.dispatcher);
      const jumps = dispatcher.filter((r) => r.target === n.chain);
      chains.push({
        family,
        role,
        hooks: dump.filter((r) => r.chain === n.builtin && r.target === n.dispatcher).length,
        dispatch: jumps.map((r) => (r.source ? { field: "source", subnet: r.source } : { field: "destination", subnet: r.destination ?? "(any)" })),
        dispatchOther: dispatcher.filter((r) => r.target !== n.chain).map(rule),
        rules: dump.filter((r) => r.chain === n.chain).map(rule),
      });
    }
  }
  return { chains };
}

export interface NftChainNames {
  /** The base chain, named after its hook (`forward`, `input`, `output`). */
  readonly base: string;
  readonly chain: string;
}

/** The chains of one `inet` table in `nft -j list ruleset` output, by role and family. */
export function loadedFromNft(json: string, table: string, names: Partial<Record<ChainRole, NftChainNames>>): LoadedFirewall {
  const dump = parseNftJson(json);
  const sets = new Map(dump.sets.filter((s) => s.table === table && s.family === "inet").map((s) => [s.name, s]));
  const rules = dump.rules.filter((r) => r.table === table && r.family === "inet");
  // A rule with no address or protocol-family match applies to both families.
  const familyOf = (r: NftRule): 4 | 6 | undefined => r.addresses[0]?.family ?? (r.nfproto === "ipv4" ? 4 : r.nfproto === "ipv6" ? 6 : undefined);
  const rule = (r: NftRule): LoadedRule => {
    const dst = r.addresses.find((a) => a.field === "daddr" && a.value.startsWith("@"));
    return {
      ...(r.comment !== undefined ? { comment: r.comment } : {}),
      ruleIds: commentIds(r.comment),
      verdict: r.verdict,
      ...(r.dports.length > 0 ? { protocol: "tcp" } : {}),
      ports: r.dports,
      ...(r.ctstate ? { ctstate: r.ctstate.map(lower) } : {}),
      ...(dst ? { set: { name: dst.value.slice(1), members: sets.get(dst.value.slice(1))?.elements ?? [] } } : {}),
      otherAddresses: r.addresses.length - (dst ? 1 : 0),
      raw: JSON.stringify(r),
    };
  };
  const chains: LoadedChain[] = [];
  for (const family of [4, 6] as const) {
    const mine = (r: NftRule): boolean => (familyOf(r) ?? family) === family;
    for (const [role, n] of Object.entries(names) as Array<[ChainRole, NftChainNames]>) {
      const base = dump.chains.find((c) => c.table === table && c.family === "inet" && c.name === n.base);
      const inBase = rules.filter((r) => r.chain === n.base && mine(r));
      const jumps = inBase.filter((r) => r.verdict === `jump ${n.chain}`);
      chains.push({
        family,
        role,
        hooks: base?.hook === n.base && base.policy === "accept" ? 1 : 0,
        dispatch: jumps.map((r) => ({ field: r.addresses[0]?.field === "daddr" ? "destination" : "source", subnet: r.addresses[0]?.value ?? "(any)" })),
        dispatchOther: inBase.filter((r) => r.verdict !== `jump ${n.chain}`).map(rule),
        rules: rules.filter((r) => r.chain === n.chain && mine(r)).map(rule),
      });
    }
  }
  return { chains };
}

/** Set name to the domains whose answers dnsmasq puts in it, from an `ipset=` / `nftset=` configuration. */
export function dnsmasqSetDomains(conf: string | undefined): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of (conf ?? "").split("\n")) {
    const m = /^(?:ipset|nftset)=\/(.+)\/([^/]+)$/.exec(line);
    if (!m) continue;
    for (const spec of (m[2] as string).split(",")) {
      const name = spec.split("#").pop() as string;
      const domains = out.get(name) ?? new Set<string>();
      for (const d of (m[1] as string).split("/")) domains.add(d);
      out.set(name, domains);
    }
  }
  return out;
}

export interface CoverageCase {
  readonly resolved: ResolvedRules;
  readonly options: LinuxFirewallOptions;
  readonly coverage: readonly CoverageEntry[];
  /** The emitted dnsmasq configuration: its sets are the dnsmasq-filled ones. */
  readonly dnsmasq?: string;
}

const ROLES: Record<"nva" | "host", ReadonlyArray<readonly [ChainRole, "source" | "destination"]>> = {
  nva: [["egress", "source"]],
  host: [
    ["from-cluster", "source"],
    ["to-cluster", "destination"],
  ],
};

function portsText(ports: readonly PortRange[]): string {
  return mergePortRanges(ports)
    .map((p) => formatPortRange(p))
    .join(",");
}

/**
 * Compares what the kernel holds with the coverage, computing what each rule should allow from the
 * resolved rules alone (`expectedAllowance`), never from the emitter's plan. Every rule of the chains must
 * be the replies rule first, the drop last, and between them only requirements the coverage enforces,
 * each on its ports to exactly its prefixes (or peers), plus one dnsmasq-filled set listing its FQDNs.
 * Returns what is wrong (empty when all holds) and how many things were checked.
 */
export function coverageProblems(loaded: LoadedFirewall, c: CoverageCase): { problems: string[]; checks: number } {
  const problems: string[] = [];
  let checks = 0;
  const check = (ok: boolean, problem: string): void => {
    checks++;
    if (!ok) problems.push(problem);
  };
  const mode = c.options.mode ?? "nva";
  const subnets = c.options.subnets ?? (c.resolved.subnet ? [c.resolved.subnet.cidr] : []);
  const fqdnSets = dnsmasqSetDomains(c.dnsmasq);
  const allowed = new Set(c.coverage.filter((e) => e.status !== "unsupported").map((e) => e.ruleId));
  const seen = new Map<string, number>();
  for (const chain of loaded.chains.filter((x) => !ROLES[mode].some(([role]) => role === x.role))) {
    check(chain.hooks === 0 && chain.dispatch.length === 0 && chain.rules.length === 0, `IPv${chain.family} ${chain.role}: a chain of the other mode is loaded`);
  }
  for (const family of [4, 6] as const) {
    const familySubnets = subnets.filter((s) => (family === 6) === s.includes(":")).sort();
    const middle: Array<{ role: ChainRole; rule: LoadedRule }> = [];
    for (const [role, field] of ROLES[mode]) {
      const at = `IPv${family} ${role}`;
      const chain = loaded.chains.find((x) => x.family === family && x.role === role);
      if (familySubnets.length === 0) {
        check(!chain || chain.dispatch.length === 0, `${at}: traffic is sent to the chain, but the family has no cluster subnet`);
        check(!chain || chain.rules.every((r) => !r.ruleIds.some((id) => allowed.has(id))), `${at}: requirement rules in a family without a cluster subnet`);
        continue;
      }
      if (!chain) {
        problems.push(`${at}: chain missing`);
        continue;
      }
      check(chain.hooks === 1, `${at}: ${chain.hooks} hooks into the chain instead of 1`);
      const dispatch = chain.dispatch.map((d) => `${d.field} ${d.subnet}`).sort();
      check(JSON.stringify(dispatch) === JSON.stringify(familySubnets.map((s) => `${field} ${s}`)), `${at}: dispatch ${dispatch.join(", ")} instead of ${field} ${familySubnets.join(", ")}`);
      for (const r of chain.dispatchOther) {
        check(mode === "host" && r.comment === "cmi: neighbour discovery" && r.verdict === "accept", `${at}: unexpected rule before the dispatch: ${r.raw}`);
      }
      const first = chain.rules[0];
      const last = chain.rules.at(-1);
      check(
        first !== undefined && JSON.stringify(first.ctstate) === JSON.stringify(["established", "related"]) && first.verdict === "accept" && !first.set && first.ports.length === 0 && first.otherAddresses === 0,
        `${at}: the first rule is not the replies rule: ${first?.raw}`,
      );
      check(
        last !== undefined && chain.rules.length >= 2 && last.verdict === "drop" && !last.set && last.ports.length === 0 && !last.protocol && !last.ctstate && last.otherAddresses === 0,
        `${at}: the last rule is not a drop of everything: ${last?.raw}`,
      );
      for (const r of chain.rules.slice(1, -1)) {
        check(r.ruleIds.length > 0 && r.ruleIds.every((id) => allowed.has(id)) && r.verdict === "accept" && r.protocol === "tcp" && r.otherAddresses === 0, `${at}: a rule the coverage does not account for: ${r.raw}`);
        middle.push({ role, rule: r });
      }
    }
    if (familySubnets.length === 0) continue;
    for (const entry of c.coverage) {
      const rule = c.resolved.rules.find((r) => r.id === entry.ruleId);
      if (!rule) {
        problems.push(`coverage names unknown rule ${entry.ruleId}`);
        continue;
      }
      const at = `${entry.ruleId} IPv${family}`;
      const mine = middle.filter((m) => m.rule.ruleIds.includes(entry.ruleId));
      if (entry.status === "unsupported") {
        check(mine.length === 0, `${at}: unsupported in the coverage, but ${mine.length} rules allow it`);
        continue;
      }
      seen.set(entry.ruleId, (seen.get(entry.ruleId) ?? 0) + mine.length);
      const want = portsText(rule.ports);
      // Rules of one set (multiport splits long port lists) together cover the requirement's ports.
      const bySet = new Map<string, LoadedRule[]>();
      for (const m of mine) bySet.set(`${m.role} ${m.rule.set?.name ?? ""}`, [...(bySet.get(`${m.role} ${m.rule.set?.name ?? ""}`) ?? []), m.rule]);
      for (const [key, rs] of bySet) check(portsText(rs.flatMap((r) => r.ports)) === want, `${at} (${key}): ports ${portsText(rs.flatMap((r) => r.ports))} instead of ${want}`);
      if (mode === "host") {
        const roles = mine.map((m) => `${m.role}${m.rule.set ? " with a set" : ""}`).sort();
        check(JSON.stringify(uniqueSorted(roles)) === JSON.stringify(["from-cluster", "to-cluster"]), `${at}: rules in ${roles.join(", ") || "no chain"} instead of from-cluster and to-cluster, without a set`);
        continue;
      }
      check(mine.every((m) => m.rule.set !== undefined), `${at}: a rule matches no destination set`);
      const dns = mine.filter((m) => m.rule.set && fqdnSets.has(m.rule.set.name));
      const prefixes = mine.filter((m) => m.rule.set && !fqdnSets.has(m.rule.set.name)).flatMap((m) => m.rule.set?.members ?? []);
      for (const m of dns) check(m.rule.set?.members.length === 0, `${at}: dnsmasq-filled set ${m.rule.set?.name} holds members after loading`);
      if (rule.kind === "internal") {
        const peers = (c.options.peers ?? []).filter((p) => (family === 6) === p.includes(":"));
        check(dns.length === 0, `${at}: an internal rule matches a dnsmasq-filled set`);
        check(JSON.stringify(normaliseAddresses(prefixes)) === JSON.stringify(normaliseAddresses(peers)), `${at}: allows ${prefixes.join(", ")} instead of the peers ${peers.join(", ")}`);
        continue;
      }
      const expected = expectedAllowance(rule, c.options);
      const expectedPrefixes = family === 4 ? expected.ipv4 : expected.ipv6;
      check(JSON.stringify(normaliseAddresses(prefixes)) === JSON.stringify(normaliseAddresses(expectedPrefixes)), `${at}: allows ${normaliseAddresses(prefixes).length} ranges instead of the ${normaliseAddresses(expectedPrefixes).length} of its tags and prefixes`);
      check(dns.length === (expected.fqdn ? 1 : 0), `${at}: ${dns.length} dnsmasq-filled sets instead of ${expected.fqdn ? 1 : 0}`);
      for (const m of dns) {
        const domains = fqdnSets.get(m.rule.set?.name ?? "") ?? new Set<string>();
        for (const f of rule.fqdns) {
          const domain = f.fqdn.replace(/^\*\./, "");
          check(domains.has(domain), `${at}: dnsmasq does not put the answers for ${domain} into ${m.rule.set?.name}`);
        }
      }
    }
  }
  for (const id of allowed) check((seen.get(id) ?? 0) > 0, `${id}: ${c.coverage.find((e) => e.ruleId === id)?.status} in the coverage, but no rule allows it`);
  return { problems, checks };
}

/**
 * Parsers of what the kernel holds back into rules: `iptables-save` / `ip6tables-save`, `ipset save` and
 * `nft -j list ruleset`. Tests compare them with an emitter's coverage; set contents normalise to merged
 * address ranges so `192.0.2.0/27`, two `/28`s and nft's `192.0.2.0-192.0.2.31` compare equal.
 */
import { parseCidr, type PortRange, type ResolvedRule } from "@cassandra-mi-netrules/core";

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

/**
 * What the Linux packet-filter emitters (iptables + ipset, nftables) share: which alternative of each
 * requirement becomes which set and rule, the set names, the dnsmasq domains and the coverage. Each
 * emitter only renders this plan in its own syntax, so both enforce exactly the same thing.
 */
import {
  artifactStamp,
  formatPortRange,
  shortHash,
  sortBy,
  stampLines,
  uniqueSorted,
  type CoverageEntry,
  type CoverageStatus,
  type PortRange,
  type ResolvedRule,
  type ResolvedRules,
  type ResolvedTagRef,
} from "@cassandra-mi-netrules/core";
import { checkNetworks, checkOptionKeys, checkPorts, checkRuleId, dnsmasqDomain, LinuxFirewallError, mergeChecked, safeCommentText } from "./checks.js";
import { DEFAULT_FQDN_TIMEOUT_SECONDS, KERNEL_LIMITS } from "./limits.js";

export type LinuxFirewallMode = "nva" | "host";

export interface LinuxFirewallOptions {
  /**
   * `nva` (default): FORWARD rules for the cluster subnet's egress through a Linux appliance, allow each
   * requirement then drop the rest. `host`: INPUT/OUTPUT on a self-hosted node, the internal ports to and
   * from the managed cluster's subnet.
   */
  readonly mode?: LinuxFirewallMode;
  /** The cluster subnet(s), at most one per family helps; default: the subnet given to `resolveRules`. */
  readonly subnets?: readonly string[];
  /** `nva` mode: networks the cluster reaches on the internal ports (other datacenters, clients, hybrid nodes). */
  readonly peers?: readonly string[];
  /** Allow FQDN alternatives through dnsmasq-filled sets (default true). */
  readonly fqdns?: boolean;
  /** Use the regional forms of tags (narrower than the page states) where they exist (default false). */
  readonly regionalTags?: boolean;
  /** Seconds an address dnsmasq put in an FQDN set stays there, so addresses DNS no longer returns expire (default 86400). */
  readonly fqdnTimeout?: number;
}

/** The option keys every Linux emitter takes; an emitter adds its own (nftables: `table`). */
export const LINUX_OPTION_KEYS: readonly string[] = ["mode", "subnets", "peers", "fqdns", "regionalTags", "fqdnTimeout"];

export type FirewallChain = "egress" | "from-cluster" | "to-cluster";

export interface FirewallSet {
  /** `[a-z0-9_]`, at most 26 characters, unique in the plan; emitters add family and prefix. */
  readonly slug: string;
  readonly family: 4 | 6;
  /** `prefixes`: filled here; `fqdn`: filled by dnsmasq at resolve time. */
  readonly kind: "prefixes" | "fqdn";
  /** What the set holds, for comments: `service tag Storage`, `FQDNs on tcp/443`. Plain printable text. */
  readonly source: string;
  /** Merged canonical CIDRs (empty for fqdn sets). */
  readonly elements: readonly string[];
  /** Prefix count before merging. */
  readonly countIn: number;
  /** `fqdn` sets: seconds an element stays after it was added. */
  readonly timeout?: number;
}

/** One match (chain, family, set, ports) and every requirement it serves: identical matches are one rule. */
export interface FirewallRule {
  /** In requirement order; at least one. */
  readonly ruleIds: readonly string[];
  readonly family: 4 | 6;
  readonly chain: FirewallChain;
  /** Destination set (slug); absent in the host chains, whose dispatcher already matched the subnet. */
  readonly set?: string;
  readonly ports: readonly PortRange[];
}

export interface DnsmasqDomain {
  /** Domain as dnsmasq matches it (itself and every subdomain). */
  readonly domain: string;
  /** FQDN sets (slug + family) its answers go to. */
  readonly sets: ReadonlyArray<{ readonly slug: string; readonly family: 4 | 6 }>;
  /** Requirement ids it serves. */
  readonly ruleIds: readonly string[];
}

export interface LinuxFirewallPlan {
  readonly mode: LinuxFirewallMode;
  readonly subnets: { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] };
  /** Families that get rules (those with a subnet). */
  readonly families: ReadonlyArray<4 | 6>;
  /** Sorted by family then slug. */
  readonly sets: readonly FirewallSet[];
  /** In requirement order, then family, then set. */
  readonly rules: readonly FirewallRule[];
  readonly dnsmasq: readonly DnsmasqDomain[];
  /** Chains the plan uses, each entered from a hook for the subnets: egress (forward, source), from-cluster (input, source), to-cluster (output, destination). */
  readonly chains: readonly FirewallChain[];
  /** Seconds an address stays in an FQDN set (options.fqdnTimeout). */
  readonly fqdnTimeout: number;
}

/** The plan and what both Linux artifacts render from it the same way. */
export interface LinuxFirewallPlanning {
  readonly plan: LinuxFirewallPlan;
  /** One entry per resolved rule, in rule order, naming the emitter's sets and chains. */
  coverage(naming: LinuxFirewallNaming): CoverageEntry[];
  /** Comment lines of the artifact header: what the mode does, the subnets, the coverage, where the FQDN sets are filled. */
  summaryLines(naming: LinuxFirewallNaming, coverage: readonly CoverageEntry[], dnsmasqPath: string): string[];
  /** The dnsmasq configuration: stamp and usage comments, then per domain its requirement ids and one `ipset=` / `nftset=` line. */
  dnsmasqConfig(
    stamp: readonly string[],
    directive: "ipset" | "nftset",
    setSpec: (set: { readonly slug: string; readonly family: 4 | 6 }) => string,
    usage: readonly string[],
  ): string;
}

/** How an emitter writes names, so coverage can name the real set and chain. */
export interface LinuxFirewallNaming {
  readonly target: string;
  setName(set: { readonly slug: string; readonly family: 4 | 6 }): string;
  chainName(chain: FirewallChain): string;
}

const FAMILIES: ReadonlyArray<4 | 6> = [4, 6];

/** The port set of a rule as a word: `tcp443`, `tcp443_8000-8100`. */
function portsSlug(ports: readonly PortRange[]): string {
  const s = `tcp${ports.map((p) => formatPortRange(p)).join("_")}`;
  return s.length <= 21 ? s : `tcp_${shortHash(s)}`;
}

interface SetDraft {
  key: string;
  name: string;
  kind: "prefixes" | "fqdn";
  source: string;
  byFamily: Record<4 | 6, { elements: readonly string[]; countIn: number }>;
}

interface RuleAlternative {
  what: string;
  setKey: string;
  dnsmasq?: boolean;
}

interface RulePlan {
  rule: ResolvedRule;
  ports: PortRange[];
  status: CoverageStatus;
  chain: FirewallChain[];
  alternatives: RuleAlternative[];
  /** Host chains: no set, rules match the ports only. */
  bare: boolean;
  notes: string[];
  why: string[];
}

/**
 * Chooses the tag forms to enforce: the global tag, or the regional forms when asked; a requested region
 * whose regional form is missing (or has no prefixes in the file) brings the global tag back in.
 */
function chooseForms(
  tag: ResolvedRule["serviceTags"][number],
  regionalTags: boolean,
): { forms: ResolvedTagRef[]; fallback: boolean } {
  const wantRegional = tag.regionalOnly || regionalTags;
  if (!wantRegional || tag.regional.length === 0) return { forms: [tag.global], fallback: tag.regionalOnly };
  const usable = tag.regional.filter((f) => f.prefixes !== undefined);
  if (tag.regionsWithoutForm.length === 0 && usable.length === tag.regional.length) return { forms: usable, fallback: false };
  return { forms: [...usable, tag.global], fallback: tag.regionalOnly };
}

/** What to do when nothing of a requirement is enforceable, from the reasons noted. */
function adviceFor(notes: readonly string[]): string {
  const advice: string[] = [];
  const has = (text: string): boolean => notes.some((n) => n.includes(text));
  if (has("no service-tags file")) advice.push("pass a service-tags file to resolveRules (CLI --service-tags)");
  if (has("not in the service-tags file")) advice.push("use a service-tags file that lists the tag");
  if (has("no region given")) advice.push("pass the datacenter regions to resolveRules");
  if (has("options.fqdns is false")) advice.push("set options.fqdns to true and resolve names through the dnsmasq configuration");
  if (has("of the family of the subnet")) advice.push("add a subnet of the other address family");
  advice.push("or allow the destination by hand");
  return advice.length === 1 ? "allow the destination by hand" : advice.join(", ");
}

interface Settled {
  readonly mode: LinuxFirewallMode;
  readonly subnets: { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] };
  readonly peers: { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] };
  readonly families: ReadonlyArray<4 | 6>;
  readonly useFqdns: boolean;
  readonly regionalTags: boolean;
  readonly fqdnTimeout: number;
}

function settle(resolved: ResolvedRules, options: LinuxFirewallOptions, ownOptionKeys: readonly string[]): Settled {
  if (options === null || typeof options !== "object") throw new LinuxFirewallError("options", options, "must be an object");
  checkOptionKeys(options, [...LINUX_OPTION_KEYS, ...ownOptionKeys]);
  const mode = options.mode ?? "nva";
  if (mode !== "nva" && mode !== "host") throw new LinuxFirewallError("options.mode", mode, 'must be "nva" or "host"');
  for (const key of ["fqdns", "regionalTags"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "boolean") throw new LinuxFirewallError(`options.${key}`, options[key], "must be true or false");
  }
  const fqdnTimeout = options.fqdnTimeout ?? DEFAULT_FQDN_TIMEOUT_SECONDS;
  if (!Number.isInteger(fqdnTimeout) || fqdnTimeout < 1 || fqdnTimeout > KERNEL_LIMITS.maxSetTimeoutSeconds) {
    throw new LinuxFirewallError("options.fqdnTimeout", fqdnTimeout, `must be a whole number of seconds from 1 to ${KERNEL_LIMITS.maxSetTimeoutSeconds}`);
  }
  const subnetList = options.subnets ?? (resolved?.subnet ? [resolved.subnet.cidr] : []);
  const subnets = checkNetworks(subnetList, options.subnets ? "options.subnets" : "resolved.subnet");
  if (subnets.ipv4.length + subnets.ipv6.length === 0) {
    throw new LinuxFirewallError(
      "options.subnets",
      options.subnets ?? null,
      `${mode} mode needs the cluster subnet: pass options.subnets (or subnet to resolveRules, --subnet in the CLI)`,
    );
  }
  const peers = checkNetworks(options.peers ?? [], "options.peers");
  const families = FAMILIES.filter((f) => (f === 4 ? subnets.ipv4 : subnets.ipv6).length > 0);
  return { mode, subnets, peers, families, useFqdns: options.fqdns ?? true, regionalTags: options.regionalTags ?? false, fqdnTimeout };
}

/** A list of one family as a set holds it, or none with a note when it is larger than a set may be. */
function fitting(list: string[], family: 4 | 6, what: string, notes: string[]): string[] {
  if (list.length <= KERNEL_LIMITS.setElements) return list;
  notes.push(`${what} not used for IPv${family}: ${list.length} prefixes, more than the ${KERNEL_LIMITS.setElements} elements a set holds (KERNEL_LIMITS.setElements)`);
  return [];
}

/**
 * What dnsmasq admits beyond a requirement's names, since `ipset=` / `nftset=` match a domain and every
 * name under it: the subdomains of each exact name, and the parent of each wildcard itself; a name the
 * requirement also lists (or covers with a wider wildcard) is no widening.
 */
function dnsmasqWidening(fqdns: readonly string[]): { subdomainsOf: string[]; parents: string[] } {
  const wildcards = fqdns.filter((f) => f.startsWith("*.")).map((f) => f.slice(2));
  const exact = new Set(fqdns.filter((f) => !f.startsWith("*.")));
  const under = (name: string, parent: string): boolean => name.endsWith(`.${parent}`);
  return {
    subdomainsOf: uniqueSorted([...exact].filter((e) => !wildcards.some((w) => w === e || under(e, w)))),
    parents: uniqueSorted(wildcards.filter((w) => !exact.has(w) && !wildcards.some((o) => under(w, o)))),
  };
}

/** Why a requirement enforced through dnsmasq-filled sets is approximated, if it is. */
function widenedWhy(names: readonly string[]): string[] {
  const { subdomainsOf, parents } = dnsmasqWidening(names);
  const why: string[] = [];
  if (subdomainsOf.length > 0) {
    why.push(`dnsmasq ipset= and nftset= lines match a name and every name under it, so the set also admits the addresses of subdomains of ${subdomainsOf.join(", ")}`);
  }
  if (parents.length > 0) {
    why.push(`dnsmasq matches a wildcard by its parent domain, which it admits too, so the set also admits the addresses of ${parents.join(", ")} itself, not only of the names under it`);
  }
  return why;
}

/** Identical matches (chain, family, set, ports) become one rule serving every requirement that asks for it, in first-asked order. */
function mergeRules(rules: ReadonlyArray<Omit<FirewallRule, "ruleIds"> & { ruleId: string }>): FirewallRule[] {
  const byMatch = new Map<string, { rule: Omit<FirewallRule, "ruleIds">; ruleIds: string[] }>();
  for (const { ruleId, ...rule } of rules) {
    const key = `${rule.chain}|${rule.family}|${rule.set ?? ""}|${rule.ports.map((p) => formatPortRange(p)).join(",")}`;
    const entry = byMatch.get(key) ?? { rule, ruleIds: [] };
    if (!entry.ruleIds.includes(ruleId)) entry.ruleIds.push(ruleId);
    byMatch.set(key, entry);
  }
  return [...byMatch.values()].map((e) => ({ ...e.rule, ruleIds: e.ruleIds }));
}

/** Slugs: readable where the name maps losslessly to [a-z0-9_] in 26 characters, else shortened with a hash. */
function slugsOf(drafts: Iterable<SetDraft>): Map<string, string> {
  const taken = new Set<string>();
  const slugOf = new Map<string, string>();
  for (const d of sortBy([...drafts], (x) => x.key)) {
    let slug = d.name.toLowerCase().replace(/[^a-z0-9]+/g, "_");
    const lossless = /^[A-Za-z0-9][A-Za-z0-9._]*$/.test(d.name) || /^req_[a-z0-9-]+$/.test(d.name);
    if (!lossless || slug.length > 26 || taken.has(slug) || !/^[a-z]/.test(slug)) slug = `${slug.replace(/^[^a-z]+/, "").slice(0, 15) || "s"}_${shortHash(d.key)}`;
    while (taken.has(slug)) slug = `${slug.slice(0, 17)}${shortHash(slug)}`;
    taken.add(slug);
    slugOf.set(d.key, slug);
  }
  return slugOf;
}

/**
 * The dnsmasq line of each listed domain. dnsmasq sends an answer to the sets of the most specific listed
 * domain only, so each inherits the sets of its listed parents (looked up label by label).
 */
function dnsmasqLines(
  domains: ReadonlyMap<string, { sets: Set<string>; ruleIds: Set<string> }>,
  families: ReadonlyArray<4 | 6>,
  slugOf: ReadonlyMap<string, string>,
): DnsmasqDomain[] {
  const inherited = (domain: string): string[] => {
    const out: string[] = [];
    for (let d: string | undefined = domain; d !== undefined; d = d.includes(".") ? d.slice(d.indexOf(".") + 1) : undefined) {
      for (const key of domains.get(d)?.sets ?? []) out.push(slugOf.get(key) as string);
    }
    return uniqueSorted(out);
  };
  return sortBy([...domains.entries()], ([d]) => d).map(([domain, e]) => {
    const slugs = inherited(domain);
    return { domain, sets: families.flatMap((family) => slugs.map((slug) => ({ slug, family }))), ruleIds: uniqueSorted(e.ruleIds) };
  });
}

/**
 * Plans the Linux packet filter for the resolved rules. Pure; throws LinuxFirewallError naming the
 * option or field and the bad value (an unknown option, a missing or too wide subnet, a hostile id or
 * FQDN, a bad prefix). `ownOptionKeys` are the option keys the calling emitter adds to LINUX_OPTION_KEYS.
 */
export function planLinuxFirewall(resolved: ResolvedRules, options: LinuxFirewallOptions = {}, ownOptionKeys: readonly string[] = []): LinuxFirewallPlanning {
  const { mode, subnets, peers, families, useFqdns, regionalTags, fqdnTimeout } = settle(resolved, options, ownOptionKeys);
  const fromFile = resolved.serviceTags?.source === "file";

  const drafts = new Map<string, SetDraft>();
  const draft = (key: string, name: string, kind: SetDraft["kind"], source: string): SetDraft => {
    let d = drafts.get(key);
    if (!d) {
      d = { key, name, kind, source, byFamily: { 4: { elements: [], countIn: 0 }, 6: { elements: [], countIn: 0 } } };
      drafts.set(key, d);
    }
    return d;
  };
  const domains = new Map<string, { sets: Set<string>; ruleIds: Set<string> }>();
  const plans: RulePlan[] = [];

  if (!Array.isArray(resolved?.rules)) throw new LinuxFirewallError("resolved.rules", resolved?.rules, "must be an array of resolved rules");
  const seen = new Set<string>();
  // Input order never matters: rules are taken in page order, then id.
  const ordered = sortBy(
    resolved.rules.map((rule: ResolvedRule, i: number) => ({ rule, i })),
    (x) => (typeof x.rule?.order === "number" ? x.rule.order : 0),
    (x) => String(x.rule?.id),
  );
  for (const { rule, i } of ordered) {
    const id = checkRuleId(rule?.id, `rules[${i}].id`);
    if (seen.has(id)) throw new LinuxFirewallError(`rules[${i}].id`, id, "is listed twice");
    seen.add(id);
    const ports = checkPorts(rule.ports, `rules[${i}].ports`);
    const p: RulePlan = { rule, ports, status: "enforced", chain: [], alternatives: [], bare: false, notes: [], why: [] };
    plans.push(p);

    if (rule.kind === "internal") {
      if (mode === "host") {
        p.chain = ["from-cluster", "to-cluster"];
        p.bare = true;
        p.notes.push("accepted from the cluster subnet and to it");
      } else if (families.some((f) => (f === 4 ? peers.ipv4 : peers.ipv6).length > 0)) {
        p.chain = ["egress"];
        const d = draft("peers", "peers", "prefixes", "options.peers");
        for (const f of FAMILIES) {
          const list = f === 4 ? peers.ipv4 : peers.ipv6;
          d.byFamily[f] = { elements: list, countIn: list.length };
        }
        p.alternatives.push({ what: "the peers of options.peers", setKey: "peers" });
      } else if (peers.ipv4.length + peers.ipv6.length > 0) {
        p.status = "unsupported";
        p.why.push("options.peers has no prefix of the address family of the cluster subnet, so no rule can match this traffic; add peers of that family");
      } else {
        p.status = "unsupported";
        p.why.push(
          "internal traffic stays in the virtual network and reaches an appliance only when routed through it; pass options.peers (the other datacenters, clients and hybrid nodes) to allow it, or use host mode on the self-hosted nodes",
        );
      }
      continue;
    }
    if (mode === "host") {
      p.status = "unsupported";
      p.why.push("host mode covers the internal ports of a self-hosted node; enforce the outbound requirements of the managed nodes where the egress of their subnet is filtered (nva mode, NSG or Azure Firewall)");
      continue;
    }
    p.chain = ["egress"];
    let fallback = false;
    rule.serviceTags.forEach((tag, j) => {
      const { forms, fallback: fb } = chooseForms(tag, regionalTags);
      if (fromFile && forms.includes(tag.global) && tag.regional.length > 0 && (tag.regionalOnly || regionalTags)) {
        const missing = [...tag.regional.filter((f) => !f.prefixes).map((f) => f.name), ...tag.regionsWithoutForm.map((r) => `${tag.tag} in ${r}`)];
        p.notes.push(`no prefixes for ${missing.map((m) => safeCommentText(m)).join(", ")} in the service-tags file, so the global tag stands in`);
      }
      for (const form of forms) {
        const field = `rules[${i}].serviceTags[${j}]`;
        if (typeof form?.name !== "string" || form.name.length === 0) throw new LinuxFirewallError(`${field}.name`, form?.name, "must be a tag name");
        const what = `service tag ${safeCommentText(form.name)}`;
        if (!form.prefixes) {
          p.notes.push(`${what} not used: ${fromFile ? "not in the service-tags file" : "no service-tags file"}`);
          continue;
        }
        const v4 = fitting(mergeChecked(form.prefixes.ipv4, `${field}.prefixes.ipv4`, 4), 4, what, p.notes);
        const v6 = fitting(mergeChecked(form.prefixes.ipv6, `${field}.prefixes.ipv6`, 6), 6, what, p.notes);
        if (families.every((f) => (f === 4 ? v4 : v6).length === 0)) {
          p.notes.push(`${what} not used: no prefixes of the family of the subnet`);
          continue;
        }
        const d = draft(`tag:${form.name}`, form.name, "prefixes", what);
        d.byFamily[4] = { elements: v4, countIn: form.prefixes.ipv4.length };
        d.byFamily[6] = { elements: v6, countIn: form.prefixes.ipv6.length };
        p.alternatives.push({ what, setKey: d.key });
        if (fb && form === tag.global) fallback = true;
      }
    });
    const literal = {
      ipv4: fitting(mergeChecked(rule.prefixes.ipv4, `rules[${i}].prefixes.ipv4`, 4), 4, "listed prefixes", p.notes),
      ipv6: fitting(mergeChecked(rule.prefixes.ipv6, `rules[${i}].prefixes.ipv6`, 6), 6, "listed prefixes", p.notes),
    };
    if (families.some((f) => (f === 4 ? literal.ipv4 : literal.ipv6).length > 0)) {
      const d = draft(`req:${id}`, `req_${id}`, "prefixes", `prefixes of ${id}`);
      d.byFamily[4] = { elements: literal.ipv4, countIn: rule.prefixes.ipv4.length };
      d.byFamily[6] = { elements: literal.ipv6, countIn: rule.prefixes.ipv6.length };
      p.alternatives.push({ what: "the listed prefixes", setKey: d.key });
    } else if (literal.ipv4.length + literal.ipv6.length > 0) {
      p.notes.push("listed prefixes not used: none of the family of the subnet");
    }
    if (rule.fqdns.length > 0) {
      if (!useFqdns) p.notes.push("FQDN alternatives off (options.fqdns is false)");
      else {
        const key = `fqdn:${portsSlug(ports)}`;
        draft(key, `fqdn_${portsSlug(ports)}`, "fqdn", `FQDNs on ${ports.map((r) => `tcp/${formatPortRange(r)}`).join(", ")}`);
        const names: string[] = [];
        rule.fqdns.forEach((f, k) => {
          const domain = dnsmasqDomain(f?.fqdn, `rules[${i}].fqdns[${k}].fqdn`);
          const entry = domains.get(domain) ?? { sets: new Set<string>(), ruleIds: new Set<string>() };
          entry.sets.add(key);
          entry.ruleIds.add(id);
          domains.set(domain, entry);
          names.push(f.fqdn.startsWith("*.") ? `${domain} and its subdomains` : domain);
        });
        p.alternatives.push({ what: `FQDN ${uniqueSorted(names).join(", ")}`, setKey: key, dnsmasq: true });
      }
    }
    if (rule.unresolvedFqdns.length > 0) p.notes.push(`FQDN ${rule.unresolvedFqdns.map((x) => safeCommentText(x)).join(", ")} not used: no region given`);
    if (p.alternatives.length === 0) {
      p.status = "unsupported";
      p.chain = [];
      p.why.push(`no alternative this target can enforce (${p.notes.join("; ") || "none listed"}); ${adviceFor(p.notes)}`);
      p.notes = [];
    } else {
      if (fallback) p.why.push("the row asks for the regional form of a tag; where a requested region has none, the broader global tag stands in");
      if (useFqdns) p.why.push(...widenedWhy(rule.fqdns.map((f) => f.fqdn)));
      if (p.why.length > 0) p.status = "approximated";
    }
  }

  const slugOf = slugsOf(drafts.values());
  const usedKeys = new Set(plans.flatMap((p) => p.alternatives.map((a) => a.setKey)));
  const sets: FirewallSet[] = [];
  for (const d of drafts.values()) {
    if (!usedKeys.has(d.key)) continue;
    for (const f of families) {
      const fam = d.byFamily[f];
      if (d.kind === "prefixes" && fam.elements.length === 0) continue;
      const timeout = d.kind === "fqdn" ? { timeout: fqdnTimeout } : {};
      sets.push({ slug: slugOf.get(d.key) as string, family: f, kind: d.kind, source: d.source, elements: fam.elements, countIn: fam.countIn, ...timeout });
    }
  }
  const setExists = new Set(sets.map((s) => `${s.slug}/${s.family}`));
  const perRequirement: Array<Omit<FirewallRule, "ruleIds"> & { ruleId: string }> = [];
  for (const p of plans) {
    for (const chain of p.chain) {
      for (const family of families) {
        if (p.bare) {
          perRequirement.push({ ruleId: p.rule.id, family, chain, ports: p.ports });
          continue;
        }
        const slugs = uniqueSorted(p.alternatives.map((a) => slugOf.get(a.setKey) as string));
        for (const slug of slugs) if (setExists.has(`${slug}/${family}`)) perRequirement.push({ ruleId: p.rule.id, family, chain, set: slug, ports: p.ports });
      }
    }
  }
  const plan: LinuxFirewallPlan = {
    mode,
    subnets: { ipv4: subnets.ipv4, ipv6: subnets.ipv6 },
    families,
    sets: sortBy(sets, (s) => s.family, (s) => s.slug),
    rules: mergeRules(perRequirement),
    dnsmasq: dnsmasqLines(domains, families, slugOf),
    chains: mode === "nva" ? ["egress"] : ["from-cluster", "to-cluster"],
    fqdnTimeout,
  };
  return renderers(plan, plans, slugOf, setExists);
}

/** Coverage, header lines and the dnsmasq configuration: what both artifacts render from the plan the same way. */
function renderers(plan: LinuxFirewallPlan, plans: readonly RulePlan[], slugOf: ReadonlyMap<string, string>, setExists: ReadonlySet<string>): LinuxFirewallPlanning {
  const families = plan.families;
  const coverage = (naming: LinuxFirewallNaming): CoverageEntry[] =>
    sortBy(plans, (p) => p.rule.order, (p) => p.rule.id).map((p) => {
      if (p.status === "unsupported") return { ruleId: p.rule.id, status: p.status, how: `${naming.target}: not allowed by these rules`, why: p.why.join("; ") };
      const ruleFamilies = p.bare ? families : families.filter((f) => p.alternatives.some((a) => setExists.has(`${slugOf.get(a.setKey) as string}/${f}`)));
      const fam = ruleFamilies.map((f) => `IPv${f}`).join(" and ");
      const ports = p.ports.map((r) => `tcp/${formatPortRange(r)}`).join(", ");
      const chains = p.chain.map((c) => naming.chainName(c)).join(" and ");
      if (p.bare) return { ruleId: p.rule.id, status: p.status, how: `${naming.target}: ${ports} ${p.notes[0]} in ${chains} (${fam})`, why: p.why.join("; ") };
      const via = p.alternatives
        .map((a) => {
          const slug = slugOf.get(a.setKey) as string;
          const names = families.filter((f) => setExists.has(`${slug}/${f}`)).map((f) => naming.setName({ slug, family: f }));
          return `${a.what} (${a.dnsmasq ? "dnsmasq-filled " : ""}set ${names.join(", ")})`;
        })
        .join(" or ");
      const how = `${naming.target}: ${ports} accepted in ${chains} (${fam}) to ${via}${p.notes.length > 0 ? `; ${p.notes.join("; ")}` : ""}`;
      return { ruleId: p.rule.id, status: p.status, how, why: p.why.join("; ") };
    });
  const summaryLines = (naming: LinuxFirewallNaming, entries: readonly CoverageEntry[], dnsmasqPath: string): string[] => [
    plan.mode === "nva"
      ? `# nva: traffic forwarded from the cluster subnet goes through chain ${naming.chainName("egress")}; allowed requirements are accepted, the rest dropped.`
      : `# host: traffic from and to the managed cluster subnet goes through chains ${naming.chainName("from-cluster")} / ${naming.chainName("to-cluster")}; the internal ports are accepted, the rest dropped.`,
    `# Subnets: ${[...plan.subnets.ipv4, ...plan.subnets.ipv6].join(", ")}`,
    "#",
    "# Coverage:",
    ...entries.map((c) => `#   ${c.ruleId}: ${c.status}${c.why ? ` (${safeCommentText(c.why, 160)})` : ""}`),
    ...(plan.sets.some((s) => s.kind === "fqdn") ? ["#", `# FQDN sets are filled by dnsmasq (${dnsmasqPath}); the cluster subnet must resolve names through it.`] : []),
  ];
  const dnsmasqConfig = (stamp: readonly string[], directive: "ipset" | "nftset", setSpec: (set: { readonly slug: string; readonly family: 4 | 6 }) => string, usage: readonly string[]): string => {
    const lines = [...stamp, ...usage];
    for (const d of plan.dnsmasq) lines.push(`# ${d.ruleIds.join(", ")}`, `${directive}=/${d.domain}/${d.sets.map(setSpec).join(",")}`);
    return `${lines.join("\n")}\n`;
  };
  return { plan, coverage, summaryLines, dnsmasqConfig };
}

/** The artifact header as `# ` comment lines; every value is reduced to safe printable text first. */
export function linuxStampLines(resolved: ResolvedRules, generator: string, generatorVersion: string): string[] {
  return stampLines(artifactStamp(resolved, generator, generatorVersion), "").map((l) => `# ${safeCommentText(l, 400)}`);
}

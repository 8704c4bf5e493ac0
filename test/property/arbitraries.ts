/**
 * fast-check generators of valid `ResolvedRules`: every invariant of `packages/core/src/schema.ts` and
 * of the resolver holds (kebab-case ids, lower-case FQDN patterns with `*` only left-most, canonical
 * CIDRs split by family, merged port ranges, real regions and real service tags), while every free-text
 * field carries hostile strings: ARM expressions, quotes, backslashes, `$()`, backticks, newlines, `|`,
 * `<script>`, Markdown and Handlebars syntax, non-ASCII, control characters and very long values.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import {
  compareStrings,
  dataHash as realDataHash,
  mergePortRanges,
  parseCidr,
  regions as knownRegions,
  serviceTagCatalog,
  sortBy,
  splitByFamily,
  SUBNET_PREFIX_LENGTHS,
  uniqueSorted,
  version as coreVersion,
  type Condition,
  type Inference,
  type LocalizedText,
  type PortRange,
  type PrefixSet,
  type Provenance,
  type ResolvedFqdn,
  type ResolvedRule,
  type ResolvedRules,
  type ResolvedServiceTag,
  type ResolvedTagRef,
  type ServiceTagIndex,
  type SourceTable,
} from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import { WIDEST_NETWORK } from "@cassandra-mi-netrules/linux";

/** How many cases each property runs: `FC_NUM_RUNS` (the nightly script sets 10000), default 1000. */
export function numRuns(fallback = 1000): number {
  const raw = process.env.FC_NUM_RUNS;
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`FC_NUM_RUNS must be a positive integer (value: ${JSON.stringify(raw)})`);
  return n;
}

/** A fixed seed unless `FC_SEED` is set, so CI failures replay; fast-check prints the seed on failure. */
export function seed(): number {
  const raw = process.env.FC_SEED;
  return raw === undefined || raw === "" ? 0x5eed_c0de : Number(raw);
}

/* ---------- hostile strings ---------- */

/** Strings that mean something to one of the interpreters the artifacts reach. */
export const HOSTILE_STRINGS: readonly string[] = [
  "[concat('a', 'b')]",
  "[parameters('x')]",
  "[[already escaped]",
  "[",
  "]",
  "[]",
  "'; DROP TABLE rules; --",
  '"double" and \'single\' quotes',
  "back\\slash \\n \\\\ \\u0041",
  "$(reboot)",
  "${HOME} $HOME $$ $1",
  "`id` `rm -rf /`",
  "line one\nline two",
  "crlf\r\nsecond",
  "trailing newline\n",
  "tab\tseparated",
  "a | b | c",
  "|---|---|",
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "<!-- comment --> -->",
  "&amp; &lt; &#x27;",
  "**bold** _em_ `code` [link](javascript:alert(1)) ![img](x)",
  "# heading",
  "> quote",
  "- list item",
  "1. ordered",
  "```\nfence\n```",
  "{{handlebars}} {{{triple}}} {{> partial}}",
  '{"json": true, "n": [1, 2]}',
  'package evil\nimport rego.v1\nallow := true',
  "\" } ; flush ruleset ; add rule ip filter output accept #",
  "-A OUTPUT -j ACCEPT",
  "COMMIT",
  "*filter",
  "; comment; # hash",
  "ipset=/evil.example/set",
  "server=/#/203.0.113.1",
  "%s %d %n %%",
  "Élève à l'œuvre : « guillemets » — tiret",
  "中文字符 日本語 한국어",
  "emoji 🎉🔥 and ZWJ 👩‍💻",
  "right\u202eto-left override",
  "zero\u200bwidth",
  "nbsp\u00a0space",
  "line\u2028separator\u2029para",
  "escape \u001b[31mred\u001b[0m",
  "bell\u0007",
  "DEL\u007f",
  "surrogate-safe 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "*",
  "\\",
  "'",
  '"',
  "`",
  "x".repeat(300),
  `${"long ".repeat(200)}end`,
];

const hostileAtom = fc.constantFrom(...HOSTILE_STRINGS);

/** Free text: hostile atoms, joined with arbitrary Unicode and ordinary words. */
export const hostileText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: hostileAtom },
      { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }) },
      { weight: 2, arbitrary: fc.constantFrom("ok", "Storage", "port 443", "TCP", "eastus") },
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => parts.join(" "));

/** Text that survives `trim().min(1)` (the schema's rule for purposes, inferences and notes). */
export const hostileNonBlank: fc.Arbitrary<string> = hostileText.filter((s) => s.trim().length > 0);

export const hostileLocalized: fc.Arbitrary<LocalizedText> = fc.record({ en: hostileNonBlank, fr: hostileNonBlank });

/* ---------- identifiers and names ---------- */

const alnum = "abcdefghijklmnopqrstuvwxyz0123456789".split("");
const letters = "abcdefghijklmnopqrstuvwxyz".split("");

/** Kebab-case requirement id, at most 63 characters (RequirementIdSchema). */
export const requirementId: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...letters),
    fc.string({ unit: fc.constantFrom(...alnum), maxLength: 12 }),
    fc.array(fc.string({ unit: fc.constantFrom(...alnum), minLength: 1, maxLength: 12 }), { maxLength: 5 }),
  )
  .map(([a, b, rest]) => [a + b, ...rest].join("-").slice(0, 63).replace(/-+$/, ""))
  .filter((s) => /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(s));

/** Ids at both ends of the length limit, to reach name-length limits of the targets. */
export const edgeRequirementId: fc.Arbitrary<string> = fc.oneof(
  requirementId,
  fc.constant("a"),
  fc.constant(`a${"-b1".repeat(20)}`.slice(0, 63)),
  fc.constant("x".repeat(63)),
);

const revisionId: fc.Arbitrary<string> = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

/** One DNS label of `len` characters: [a-z0-9], hyphens inside. */
function label(min: number, max: number): fc.Arbitrary<string> {
  return fc
    .string({ unit: fc.constantFrom(...alnum, ...alnum, "-"), minLength: min, maxLength: max })
    .map((s) => s.replace(/^-+|-+$/g, ""))
    .filter((s) => s.length >= min && s.length > 0);
}

const tld = fc.string({ unit: fc.constantFrom(...letters), minLength: 2, maxLength: 8 });

export interface FqdnPattern {
  readonly pattern: string;
  readonly wildcard: boolean;
}

/**
 * An FQDN pattern as FqdnPatternSchema accepts it: lower case, `*` only as the whole left-most label,
 * `{region}` the only placeholder (never in a wildcard pattern's first label). Labels holding
 * `{region}` stay short enough that the filled name is still a valid host name.
 */
export const fqdnPattern: fc.Arbitrary<FqdnPattern> = fc
  .record({
    wildcard: fc.boolean(),
    regionLabel: fc.option(fc.tuple(label(0, 12), label(0, 12)), { nil: undefined }),
    middle: fc.array(fc.oneof({ weight: 4, arbitrary: label(1, 20) }, { weight: 1, arbitrary: label(60, 63) }), { minLength: 1, maxLength: 4 }),
    tld,
  })
  .map(({ wildcard, regionLabel, middle, tld: t }) => {
    const labels = [...middle];
    if (regionLabel) labels.splice(0, 0, `${regionLabel[0]}{region}${regionLabel[1]}`);
    const base = [...labels, t].join(".");
    const pattern = wildcard ? `*.${base}` : base;
    return { pattern, wildcard };
  })
  .filter(({ pattern }) => pattern.replaceAll("{region}", "australiacentral2").length <= 253);

/* ---------- addresses and ports ---------- */

const narrowEnough = (cidr: string): boolean => {
  const p = parseCidr(cidr, false);
  return p.length >= WIDEST_NETWORK[p.family];
};

const ipv4Prefix: fc.Arbitrary<string> = fc
  .tuple(fc.ipV4(), fc.oneof(fc.constantFrom(0, 1, 8, 24, 31, 32), fc.integer({ min: 0, max: 32 })))
  .map(([a, len]) => parseCidr(`${a}/${len}`, false).text);
const ipv6Prefix: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }),
    fc.oneof(fc.constantFrom(0, 1, 32, 48, 64, 127, 128), fc.integer({ min: 0, max: 128 })),
  )
  .map(([groups, len]) => parseCidr(`${groups.map((g) => g.toString(16)).join(":")}/${len}`, false).text)
  .filter((c) => {
    try {
      return parseCidr(c).text === c;
    } catch {
      return false;
    }
  });
/** A cluster subnet as the resolver takes it: IPv4 /2 to /29 (both ends weighted up), IPv6 /64. */
const subnetPrefix: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.ipV4(), fc.oneof(fc.constantFrom(SUBNET_PREFIX_LENGTHS[4].widest, SUBNET_PREFIX_LENGTHS[4].narrowest), fc.integer({ min: SUBNET_PREFIX_LENGTHS[4].widest, max: SUBNET_PREFIX_LENGTHS[4].narrowest })))
    .map(([a, len]) => parseCidr(`${a}/${len}`, false).text),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 }).map((g) => parseCidr(`${g.map((x) => x.toString(16)).join(":")}::/64`).text),
);
/** Documentation and the dataset's own ranges, mixed with arbitrary ones (0.0.0.0/0 included). */
export const cidr: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "13.104.0.0/14", "40.64.0.0/10", "104.40.0.0/13", "203.0.113.7/32", "2001:db8::1/128") },
  { weight: 3, arbitrary: ipv4Prefix },
  { weight: 2, arbitrary: ipv6Prefix },
);

const port = fc.oneof(fc.constantFrom(1, 22, 443, 7001, 9042, 65535), fc.integer({ min: 1, max: 65535 }));
export const portRange: fc.Arbitrary<PortRange> = fc.oneof(
  { weight: 3, arbitrary: port.map((p) => ({ from: p, to: p })) },
  { weight: 2, arbitrary: fc.tuple(port, port).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) })) },
  { weight: 1, arbitrary: fc.constantFrom({ from: 1, to: 65535 }, { from: 1, to: 1 }, { from: 65535, to: 65535 }, { from: 8000, to: 8100 }) },
);
/** HTTPS as the page writes it: 443, a few other single ports, now and then an edge (1, 64000, 65535). */
export const httpsPorts: fc.Arbitrary<PortRange[]> = fc
  .array(fc.oneof(
      { weight: 30, arbitrary: fc.constant(443) },
      { weight: 10, arbitrary: fc.integer({ min: 1, max: 64000 }) },
      { weight: 4, arbitrary: fc.constantFrom(1, 8443, 64000) },
      { weight: 1, arbitrary: fc.constant(65535) },
    ), { minLength: 1, maxLength: 3 })
  .map((ps) => mergePortRanges(ps.map((p) => ({ from: p, to: p }))));
/** Sorted, merged ranges, as the resolver hands them out. */
export const ports: fc.Arbitrary<PortRange[]> = fc.array(portRange, { minLength: 1, maxLength: 4 }).map(mergePortRanges);

/* ---------- regions and service tags ---------- */

const regionNames = knownRegions.map((r) => r.name);
/** Sorted unique ARM locations: none (placeholders stay unfilled), one, a few, or many. */
export const regionList: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant([]) },
  { weight: 4, arbitrary: fc.subarray(regionNames, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.subarray(regionNames, { minLength: 10, maxLength: regionNames.length }) },
).map((rs) => uniqueSorted(rs));

const catalogTags = Object.keys(serviceTagCatalog.tags).sort(compareStrings);
/** The tags the dataset uses, weighted up, among every tag of the vendored catalogue. */
const datasetTags = ["Storage", "AzureKeyVault", "EventHub", "AzureMonitor", "AzureActiveDirectory", "AzureResourceManager", "AzureFrontDoor.FirstParty", "GuestAndHybridManagement", "ApiManagement"].filter(
  (t) => t in serviceTagCatalog.tags,
);

let tagIndex: ServiceTagIndex | undefined;
/** The real service-tags file from `vendor/`, loaded once (prefixes per tag, merged per family). */
export function vendoredServiceTags(): ServiceTagIndex {
  tagIndex ??= loadServiceTags(readFileSync(new URL("../../vendor/service-tags/ServiceTags_Public_20251028.json", import.meta.url), "utf8"), "ServiceTags_Public_20251028.json");
  return tagIndex;
}

/** Mirrors the resolver's `tagRef`/`resolveTag`: forms from the catalogue, prefixes from the file when used. */
function resolveTag(tag: string, regionalOnly: boolean, regions: readonly string[], withPrefixes: boolean): ResolvedServiceTag {
  const entry = serviceTagCatalog.tags[tag];
  const index = withPrefixes ? vendoredServiceTags() : undefined;
  const ref = (name: string, region: string | undefined, nf: readonly string[] | null): ResolvedTagRef => {
    const info = index?.get(name);
    return { name: info?.name ?? name, ...(region ? { region } : {}), networkFeatures: info ? info.networkFeatures : nf, ...(info ? { prefixes: info.prefixes } : {}) };
  };
  const regional: ResolvedTagRef[] = [];
  const regionsWithoutForm: string[] = [];
  for (const region of regions) {
    const form = entry?.regional[region];
    if (form) regional.push(ref(form.name, region, form.networkFeatures));
    else regionsWithoutForm.push(region);
  }
  return { tag, global: ref(tag, undefined, entry?.networkFeatures ?? null), regional, regionsWithoutForm, regionalOnly };
}

/* ---------- rules ---------- */

interface RuleDraft {
  id: string;
  kind: "outbound" | "internal";
  protocol: "HTTPS" | "TCP";
  ports: PortRange[];
  purpose: LocalizedText;
  conditions: Array<{ when: "enabled" | "disabled"; feature: "backup" | "vpn"; en: string; fr: string }>;
  inferred: Inference[];
  provenance: Omit<Provenance, "since" | "revisions"> & { revisions: string[] };
  fqdnPatterns: FqdnPattern[];
  tags: Array<{ tag: string; regionalOnly: boolean }>;
  prefixes: string[];
}

const sourceTable: fc.Arbitrary<SourceTable> = fc.constantFrom("azure-global", "service-tags", "prefixes", "internal-ports");

const provenance = fc
  .record({
    revisions: fc.uniqueArray(revisionId, { minLength: 1, maxLength: 4 }),
    table: sourceTable,
    asWritten: fc.dictionary(revisionId, fc.oneof(hostileText, fc.constant("")), { maxKeys: 3 }),
    notes: fc.array(hostileLocalized, { maxLength: 2 }),
  })
  .map((p) => ({ ...p, revisions: [...p.revisions].sort(compareStrings) }));

const inference: fc.Arbitrary<Inference> = fc.record({ about: fc.oneof(fc.constantFrom("fqdn.region", "protocol", "ports", "serviceTag", "purpose"), hostileText), en: hostileNonBlank, fr: hostileNonBlank });

const tagChoice = fc.record({
  tag: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...datasetTags) }, { weight: 1, arbitrary: fc.constantFrom(...catalogTags) }),
  regionalOnly: fc.boolean(),
});

const ruleDraft = (id: string): fc.Arbitrary<RuleDraft> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .record({
          protocolPorts: fc.oneof(
            { weight: 30, arbitrary: fc.tuple(fc.constant<"HTTPS">("HTTPS"), httpsPorts) },
            { weight: 1, arbitrary: fc.tuple(fc.constant<"HTTPS">("HTTPS"), ports) },
            { weight: 15, arbitrary: fc.tuple(fc.constant<"TCP">("TCP"), ports) },
          ),
          purpose: hostileLocalized,
          conditions: fc.array(fc.record({ when: fc.constantFrom<"enabled" | "disabled">("enabled", "disabled"), feature: fc.constantFrom<"backup" | "vpn">("backup", "vpn"), en: hostileNonBlank, fr: hostileNonBlank }), { maxLength: 1 }),
          inferred: fc.array(inference, { maxLength: 2 }),
          provenance,
          fqdnPatterns: fc.uniqueArray(fqdnPattern, { maxLength: 3, selector: (f) => f.pattern }),
          tags: fc.uniqueArray(tagChoice, { maxLength: 2, selector: (t) => t.tag }),
          prefixes: fc.uniqueArray(cidr, { maxLength: 4, selector: (c) => parseCidr(c, false).text }),
        })
        .filter((r) => r.fqdnPatterns.length + r.tags.length + r.prefixes.length > 0)
        .map(({ protocolPorts: [protocol, p], ...r }) => ({ ...r, protocol, ports: p, id, kind: "outbound" as const })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ ports, purpose: hostileLocalized, inferred: fc.array(inference, { maxLength: 2 }), provenance })
        .map((r) => ({ ...r, id, kind: "internal" as const, protocol: "TCP" as const, conditions: [], fqdnPatterns: [], tags: [], prefixes: [] })),
    },
  );

function fillFqdns(p: FqdnPattern, regions: readonly string[]): ResolvedFqdn[] {
  if (!p.pattern.includes("{region}")) return [{ fqdn: p.pattern, pattern: p.pattern, wildcard: p.wildcard }];
  return regions.map((region) => ({ fqdn: p.pattern.replaceAll("{region}", region), pattern: p.pattern, region, wildcard: p.wildcard }));
}

function toRule(d: RuleDraft, order: number, regions: readonly string[], features: Record<string, boolean>, withPrefixes: boolean): ResolvedRule {
  const conditions: Condition[] = d.conditions.map((c) => ({ feature: c.feature, when: features[c.feature] ? "enabled" : "disabled", en: c.en, fr: c.fr }));
  const prefixes: PrefixSet = splitByFamily(d.prefixes);
  return {
    id: d.id,
    kind: d.kind,
    protocol: d.protocol,
    transport: "TCP",
    ports: d.ports,
    purpose: d.purpose,
    conditions,
    inferred: d.inferred,
    provenance: { ...d.provenance, since: d.provenance.revisions[0] as string },
    order,
    fqdns: d.fqdnPatterns.flatMap((p) => fillFqdns(p, regions)),
    unresolvedFqdns: regions.length === 0 ? d.fqdnPatterns.filter((p) => p.pattern.includes("{region}")).map((p) => p.pattern) : [],
    serviceTags: d.tags.map((t) => resolveTag(t.tag, t.regionalOnly, regions, withPrefixes)),
    prefixes,
  };
}

export interface ResolvedRulesConstraints {
  /** Most rules in one case (default 12). */
  readonly maxRules?: number;
  /** Attach the real prefixes of the vendored service-tags file to tags in some cases (default true). */
  readonly tagPrefixes?: boolean;
}

/** Valid `ResolvedRules` with hostile free text and edge values. */
export function resolvedRules(constraints: ResolvedRulesConstraints = {}): fc.Arbitrary<ResolvedRules> {
  const maxRules = constraints.maxRules ?? 12;
  return fc
    .record({
      ids: fc.uniqueArray(edgeRequirementId, { minLength: 1, maxLength: maxRules }),
      regions: regionList,
      // A cluster subnet is never wider than WIDEST_NETWORK (/8, /32): the Linux emitters refuse one that is.
      subnet: fc.option(fc.oneof(fc.constantFrom("10.9.0.0/24", "192.0.2.0/24", "2001:db8:1::/64"), subnetPrefix).filter(narrowEnough), { nil: undefined }),
      features: fc.record({ backup: fc.boolean(), vpn: fc.boolean() }),
      withPrefixes: constraints.tagPrefixes === false ? fc.constant(false) : fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
      revision: fc.record({
        id: revisionId,
        label: hostileNonBlank,
        date: revisionId,
        status: fc.constantFrom<"preview" | "ga">("preview", "ga"),
        source: fc.record({
          kind: fc.constantFrom<"handoff" | "commit">("handoff", "commit"),
          repository: hostileNonBlank,
          path: hostileNonBlank,
          commit: fc.string({ unit: fc.constantFrom(..."0123456789abcdef".split("")), minLength: 40, maxLength: 40 }),
          evidence: hostileNonBlank,
        }),
        summary: hostileLocalized,
      }),
      dataHash: fc.oneof(fc.constant(realDataHash), fc.string({ unit: fc.constantFrom(..."0123456789abcdef".split("")), minLength: 64, maxLength: 64 })),
      excluded: fc.array(fc.record({ id: requirementId, reason: hostileLocalized }), { maxLength: 2 }),
      orders: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: maxRules, maxLength: maxRules }),
    })
    .chain((base) =>
      fc.tuple(...base.ids.map((id) => ruleDraft(id))).map((drafts) => {
        const rules = drafts.map((d, i) => toRule(d, base.orders[i] ?? i, base.regions, base.features, base.withPrefixes));
        const ruleIds = new Set(base.ids);
        const excluded = sortBy(
          base.excluded.filter((e, i, all) => !ruleIds.has(e.id) && all.findIndex((x) => x.id === e.id) === i),
          (e) => e.id,
        );
        const subnet = base.subnet ? parseCidr(base.subnet, false) : undefined;
        const resolved: ResolvedRules = {
          revision: base.revision,
          coreVersion,
          dataHash: base.dataHash,
          regions: base.regions,
          ...(subnet ? { subnet: { cidr: subnet.text, family: subnet.family } } : {}),
          features: base.features,
          serviceTags: base.withPrefixes ? { source: "file", cloud: "Public", changeNumber: vendoredServiceTags().changeNumber } : { source: "catalog", changeNumber: serviceTagCatalog.changeNumber },
          rules: sortBy(rules, (r) => r.order, (r) => r.id),
          excluded,
        };
        return resolved;
      }),
    );
}

/** The same rules in another order (emitters must not depend on the input order). */
export function shuffledRules(resolved: ResolvedRules, permutation: readonly number[]): ResolvedRules {
  const rules = [...resolved.rules];
  const out: ResolvedRule[] = [];
  for (const k of permutation) out.push(...rules.splice(k % rules.length, 1));
  out.push(...rules);
  return { ...resolved, rules: out };
}

/** Arbitrary permutation indices for `shuffledRules`. */
export const permutation: fc.Arbitrary<number[]> = fc.array(fc.nat({ max: 1000 }), { minLength: 0, maxLength: 40 });

/**
 * Differences between two revisions of the dataset, in rules a network engineer acts on: each added or
 * removed requirement with what it means on the wire, the requirements whose rule changed, and apart from
 * them the rows the page only rewrote (wording, translation, provenance), which change nothing on the wire.
 */
import { getRevision } from "./dataset.js";
import { formatPortRange } from "./emit/ports.js";
import { compareStrings, sortBy } from "./order.js";
import type { Locale, Protocol, Requirement, RequirementKind, Revision } from "./types.js";

/** One alternative destination as a rule names it. */
export interface WireDestination {
  readonly type: "fqdn" | "serviceTag" | "prefixes";
  /** The FQDN pattern (`{region}` for the datacenter region), the tag (`Storage.{region}` for a regional-only row), or the prefixes joined by `, `. */
  readonly value: string;
  /** A service tag with regional forms (`Storage.EastUS`) a target may use instead. */
  readonly regionalForms?: boolean;
}

/** What a requirement means on the wire: direction, destinations (any one), protocol and ports, conditions. */
export interface WireRule {
  readonly id: string;
  /** `outbound`: from the cluster's subnet to Azure; `internal`: between the nodes, in the virtual network and its peers. */
  readonly direction: RequirementKind;
  readonly destinations: readonly WireDestination[];
  /** As the page states it (HTTPS runs on TCP). */
  readonly protocol: Protocol;
  readonly transport: "TCP";
  /** Ports and ranges, `443` or `8000-8100`, comma-separated. */
  readonly ports: string;
  readonly conditions: ReadonlyArray<{ readonly feature: string; readonly when: "enabled" | "disabled" }>;
  /** What of this the page does not state and the data infers (`protocol`, `ports`, `fqdn.region`, `serviceTag`, `conditions`). */
  readonly inferred: readonly string[];
}

/** Inferences that bear on what a rule opens (the others are about its purpose). */
const WIRE_INFERENCES = new Set(["protocol", "ports", "fqdn.region", "serviceTag", "conditions"]);

/** The fields of a rule that decide what is enforced (the data semver policy's "what is enforced"). */
export type RuleField = "destinations" | "protocol" | "ports" | "conditions";

/**
 * A rule changed between the revisions: a requirement of the older one and one of the newer one that open
 * the same first destination in the same direction and table, but differ in a field that is enforced.
 */
export interface RequirementChange {
  /** The newer revision's requirement. */
  readonly id: string;
  /** The older revision's requirement (a changed rule is a new requirement id: ids are never reused). */
  readonly previousId: string;
  readonly fields: readonly RuleField[];
  readonly before: WireRule;
  readonly after: WireRule;
}

/**
 * A row the page rewrote without changing the rule: `provenance.asWritten` reads differently in the two
 * revisions once code spans, backslash escapes and the spelling of the "Or ServiceTag -" connector are set
 * aside (a translation, a renamed service, punctuation). Not a rule change. A copy known for one revision
 * only says nothing.
 */
export interface WordingChange {
  readonly id: string;
  readonly field: "provenance.asWritten";
  readonly before: string;
  readonly after: string;
}

export interface RevisionDiff {
  readonly from: string;
  readonly to: string;
  /** Ids of the requirements only the newer revision has (a changed rule's new id excepted), sorted. */
  readonly added: readonly string[];
  /** Ids of the requirements only the older revision has (a changed rule's old id excepted), sorted. */
  readonly removed: readonly string[];
  /** Rules that changed, by new id. */
  readonly changed: readonly RequirementChange[];
  /** Rows rewritten without a rule change, by id: listed apart, never counted as changes. */
  readonly wording: readonly WordingChange[];
  /** The added and removed requirements on the wire, in page order. */
  readonly rules: { readonly added: readonly WireRule[]; readonly removed: readonly WireRule[] };
}

/**
 * The connector before a row's alternative, in English ("Or ServiceTag -") and French ("ou Étiquette de service :").
 * `\u00e9` (é) and `\u2013` (en dash) are escaped so the bundle stays ASCII: esbuild leaves a regular expression as written.
 */
const ALTERNATIVE_CONNECTOR = /\s(?:or|ou)\s+(?:service\s*tag|\u00e9tiquette\s+de\s+service)\s*[-\u2013:]\s*/giu;

/** A row as a reader sees it: no code marks or escapes, one connector spelling, spaces collapsed. */
function asRead(written: string): string {
  return written
    .normalize("NFC")
    .replace(/[`\\]/gu, "")
    .replace(ALTERNATIVE_CONNECTOR, " or ")
    .replace(/\s+/gu, " ")
    .trim();
}

/** The requirement on the wire. */
export function wireRule(req: Requirement): WireRule {
  const destinations = req.destinations.map((d): WireDestination => {
    if (d.type === "fqdn") return { type: "fqdn", value: d.fqdn };
    if (d.type === "serviceTag") return { type: "serviceTag", value: d.regionalOnly ? `${d.tag}.{region}` : d.tag, ...(d.regional && !d.regionalOnly ? { regionalForms: true } : {}) };
    return { type: "prefixes", value: d.prefixes.join(", ") };
  });
  return {
    id: req.id,
    direction: req.kind,
    destinations,
    protocol: req.protocol,
    transport: "TCP",
    ports: req.ports.map((p) => formatPortRange(p)).join(","),
    conditions: req.conditions.map((c) => ({ feature: c.feature, when: c.when })),
    inferred: [...new Set(req.inferred.map((i) => i.about).filter((about) => WIRE_INFERENCES.has(about)))].sort(compareStrings),
  };
}

const WORDS = {
  en: {
    outbound: "outbound from the cluster subnet to",
    internal: "internal, within the virtual network (between the nodes, peered networks, ExpressRoute)",
    or: "or",
    tag: "service tag",
    regional: "(regional forms exist)",
    regionalOnly: "one per datacenter region",
    prefixes: "prefixes",
    when: (feature: string, state: string) => `only when feature ${feature} is ${state}`,
    inferred: "inferred:",
  },
  fr: {
    outbound: "sortant du sous-réseau du cluster vers",
    internal: "interne, dans le réseau virtuel (entre les nœuds, réseaux appairés, ExpressRoute)",
    or: "ou",
    tag: "l'étiquette de service",
    regional: "(formes régionales disponibles)",
    regionalOnly: "une par région de centre de données",
    prefixes: "les préfixes",
    when: (feature: string, state: string) => `seulement quand la fonctionnalité ${feature} est ${state === "enabled" ? "activée" : "désactivée"}`,
    inferred: "déduit :",
  },
} as const;

function destinationText(d: WireDestination, locale: Locale): string {
  const w = WORDS[locale];
  if (d.type === "fqdn") return d.value;
  if (d.type === "prefixes") return `${w.prefixes} ${d.value}`;
  if (d.value.endsWith(".{region}")) return `${w.tag} ${d.value} (${w.regionalOnly})`;
  return `${w.tag} ${d.value}${d.regionalForms ? ` ${w.regional}` : ""}`;
}

/**
 * One line saying what a rule opens: direction and destinations, transport and ports (the page's
 * protocol in parentheses when it is not the transport), its conditions, and what of it is inferred.
 * English or French.
 */
export function describeWireRule(rule: WireRule, locale: Locale = "en"): string {
  const w = WORDS[locale];
  const where = rule.direction === "internal" ? w.internal : `${w.outbound} ${rule.destinations.map((d) => destinationText(d, locale)).join(` ${w.or} `)}`;
  const proto = rule.protocol === rule.transport ? "" : ` (${rule.protocol})`;
  const conditions = rule.conditions.map((c) => `; ${w.when(c.feature, c.when)}`).join("");
  const inferred = rule.inferred.length > 0 ? ` [${w.inferred} ${rule.inferred.join(", ")}]` : "";
  return `${where}, ${rule.transport} ${rule.ports}${proto}${conditions}${inferred}`;
}

/** The identity a rule keeps when it changes: direction, table and first destination (internal ports have none to keep). */
function ruleIdentity(req: Requirement): string | undefined {
  const first = wireRule(req).destinations[0];
  return req.kind === "internal" || !first ? undefined : `${req.kind}\u0000${req.provenance.table}\u0000${first.type}\u0000${first.value}`;
}

function changedFields(a: WireRule, b: WireRule): RuleField[] {
  const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
  const fields: RuleField[] = [];
  if (!same(a.destinations, b.destinations)) fields.push("destinations");
  if (a.protocol !== b.protocol) fields.push("protocol");
  if (a.ports !== b.ports) fields.push("ports");
  if (!same(a.conditions, b.conditions)) fields.push("conditions");
  return fields;
}

/** Removed and added requirements that keep their identity pair as one changed rule. */
function pairChanges(removed: readonly Requirement[], added: readonly Requirement[]): RequirementChange[] {
  const byIdentity = new Map<string, Requirement>();
  for (const r of removed) {
    const key = ruleIdentity(r);
    if (key !== undefined && !byIdentity.has(key)) byIdentity.set(key, r);
  }
  const out: RequirementChange[] = [];
  for (const a of added) {
    const key = ruleIdentity(a);
    const before = key === undefined ? undefined : byIdentity.get(key);
    if (!before || key === undefined) continue;
    byIdentity.delete(key);
    const fields = changedFields(wireRule(before), wireRule(a));
    if (fields.length > 0) out.push({ id: a.id, previousId: before.id, fields, before: wireRule(before), after: wireRule(a) });
  }
  return out.sort((x, y) => compareStrings(x.id, y.id));
}

function wordingChanges(a: Pick<Revision, "id" | "requirements">, b: Pick<Revision, "id" | "requirementIds">): WordingChange[] {
  const inB = new Set(b.requirementIds);
  const out: WordingChange[] = [];
  for (const req of a.requirements) {
    if (!inB.has(req.id)) continue;
    const before = req.provenance.asWritten[a.id];
    const after = req.provenance.asWritten[b.id];
    if (before !== undefined && after !== undefined && asRead(before) !== asRead(after)) out.push({ id: req.id, field: "provenance.asWritten", before, after });
  }
  return out.sort((x, y) => compareStrings(x.id, y.id));
}

/**
 * What changed between two revisions. A requirement is one object in every revision that lists it, so a
 * rule that changes (destination, protocol, port or condition) is a new requirement: it is reported as
 * changed when it keeps the old one's first destination, direction and table, else as added and removed.
 * Rows only rewritten are `wording`, not changes.
 */
export function diffRevisions(fromId: string, toId: string): RevisionDiff {
  return diffRevisionData(getRevision(fromId), getRevision(toId));
}

/** `diffRevisions` of two revisions given as data (a revision of an overlay, or one built for a test). */
export function diffRevisionData(a: Pick<Revision, "id" | "requirementIds" | "requirements">, b: Pick<Revision, "id" | "requirementIds" | "requirements">): RevisionDiff {
  const inA = new Set(a.requirementIds);
  const inB = new Set(b.requirementIds);
  const onlyB = b.requirements.filter((r) => !inA.has(r.id));
  const onlyA = a.requirements.filter((r) => !inB.has(r.id));
  const changed = pairChanges(onlyA, onlyB);
  const newIds = new Set(changed.map((c) => c.id));
  const oldIds = new Set(changed.map((c) => c.previousId));
  const added = onlyB.filter((r) => !newIds.has(r.id));
  const removed = onlyA.filter((r) => !oldIds.has(r.id));
  const ids = (list: readonly Requirement[]): string[] => list.map((r) => r.id).sort(compareStrings);
  const rules = (list: readonly Requirement[]): WireRule[] => sortBy(list, (r) => r.order).map(wireRule);
  return {
    from: a.id,
    to: b.id,
    added: ids(added),
    removed: ids(removed),
    changed,
    wording: wordingChanges(a, b),
    rules: { added: rules(added), removed: rules(removed) },
  };
}

/** The data the templates see: plain strings, numbers, booleans and arrays, already sorted. */
import {
  artifactStamp,
  compareStrings,
  describeWireRule,
  diffRevisions,
  features as datasetFeatures,
  formatPortRange,
  getRequirement,
  getRevision,
  mergePortRanges,
  revisions as datasetRevisions,
  sortBy,
  uniqueSorted,
  type CoverageEntry,
  type CoverageStatus,
  type Locale,
  type LocalizedText,
  type ResolvedRule,
  type ResolvedRules,
  type WireRule,
} from "@cassandra-mi-netrules/core";
import { buildDiagram, type DiagramView } from "./diagram.js";

export interface RuleView {
  readonly id: string;
  readonly fqdns: readonly string[];
  readonly tags: readonly string[];
  readonly regionalTags: readonly string[];
  readonly regionalPerRegion: boolean;
  readonly regionalOnly: boolean;
  readonly regionsWithoutForm: readonly string[];
  readonly prefixes: readonly string[];
  readonly protocol: string;
  readonly ports: readonly string[];
  readonly purpose: string;
  readonly conditions: readonly string[];
  readonly inferred: readonly string[];
}

export interface LimitView {
  readonly ruleId: string;
  readonly approximated: boolean;
  /** The rule is internal traffic (between the nodes). */
  readonly internal: boolean;
  /** The rule's alternatives (FQDNs, service tags, prefixes), for pages that do not show the emitter's English text. */
  readonly alternatives: readonly string[];
  readonly how: string;
  readonly why: string;
}

export interface TargetView {
  readonly name: string;
  /** False: the target could not be generated with these inputs (see `needsSubnet` and `message`). */
  readonly rendered: boolean;
  readonly needsSubnet: boolean;
  readonly message: string;
  readonly enforced: number;
  readonly approximated: number;
  readonly unsupported: number;
  readonly limits: readonly LimitView[];
  readonly missing: readonly string[];
  readonly extra: readonly string[];
}

/** A target that could not be generated with the inputs of the page (`MarkdownOptions.notRendered`). */
export interface NotRenderedTarget {
  /** The input it lacks, explained on the page in its locale: `subnet` (the cluster subnet). */
  readonly needs?: "subnet";
  /** The emitter's own error, in English: shown on English pages when `needs` is not given. */
  readonly message: string;
}

/** An added or removed requirement: what it opens on the wire, in the page's language, and its purpose. */
export interface ChangelogRuleView {
  readonly id: string;
  readonly wire: string;
  readonly purpose: string;
}

export interface ChangelogStepView {
  readonly from: { readonly id: string; readonly label: string };
  readonly to: { readonly id: string; readonly label: string; readonly ga: boolean; readonly summary: string };
  /** Rule changes, in page order: what to open, what to close. */
  readonly added: readonly ChangelogRuleView[];
  readonly removed: readonly ChangelogRuleView[];
  /** Rules kept by destination whose protocol, ports, alternatives or conditions changed (a new requirement id). */
  readonly changed: ReadonlyArray<{ readonly id: string; readonly previousId: string; readonly fields: readonly string[]; readonly before: string; readonly after: string }>;
  /** Rows the page rewrote without a rule change (translation, names, punctuation): listed apart, not counted. */
  readonly wording: ReadonlyArray<{ readonly id: string; readonly before: string; readonly after: string }>;
  readonly counts: { readonly added: number; readonly removed: number; readonly changed: number; readonly wording: number };
  /** No rule was added, removed or changed (wording may still have changed). */
  readonly unchanged: boolean;
}

export interface DocsView {
  readonly locale: Locale;
  readonly stamp: {
    readonly generator: string;
    readonly generatorVersion: string;
    readonly coreVersion: string;
    readonly revision: string;
    readonly dataHash: string;
    readonly regions: readonly string[];
    readonly serviceTags: string;
    readonly serviceTagsFile: boolean;
    readonly changeNumber: number;
  };
  readonly revision: {
    readonly id: string;
    readonly label: string;
    readonly date: string;
    /** The date differs from the id (ids are dates; shown only when the two disagree). */
    readonly dateDiffers: boolean;
    readonly ga: boolean;
    readonly summary: string;
    readonly repository: string;
    readonly path: string;
    readonly commit: string;
    readonly evidence: string;
  };
  readonly hasRegions: boolean;
  readonly regions: ReadonlyArray<{ readonly name: string; readonly displayName: string }>;
  readonly subnet: string | null;
  readonly pages: { readonly targets: boolean; readonly changelog: boolean };
  /** The emitters' coverage texts are English: other locales show the page's own explanations instead. */
  readonly emitterText: boolean;
  readonly outbound: readonly RuleView[];
  readonly serviceTags: readonly RuleView[];
  readonly prefixes: readonly RuleView[];
  readonly internal: readonly RuleView[];
  readonly features: ReadonlyArray<{
    readonly id: string;
    readonly enabled: boolean;
    readonly defaultEnabled: boolean;
    readonly description: string;
    readonly waivesOutbound: boolean;
    readonly dependents: ReadonlyArray<{ readonly id: string; readonly condition: string }>;
  }>;
  readonly excluded: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
  readonly inferred: ReadonlyArray<{ readonly ruleId: string; readonly about: string; readonly text: string }>;
  readonly notes: ReadonlyArray<{ readonly ruleId: string; readonly text: string }>;
  readonly targets: readonly TargetView[];
  readonly changelog: readonly ChangelogStepView[];
  /** Where the cluster's traffic goes: the destination groups of the traffic diagram. */
  readonly diagram: DiagramView;
}

export interface ViewOptions {
  readonly locale: Locale;
  readonly generator: string;
  readonly generatorVersion: string;
  readonly coverage?: Readonly<Record<string, readonly CoverageEntry[]>>;
  readonly notRendered?: Readonly<Record<string, NotRenderedTarget>>;
  readonly changelog?: boolean | { readonly from: string };
  /** Display names of regions by ARM location name. */
  readonly regionNames: (name: string) => string;
}

const STATUSES: readonly CoverageStatus[] = ["enforced", "approximated", "unsupported"];

/** The text of `field` in `locale`; an empty or missing text is an error that names the field. */
function text(value: LocalizedText | Readonly<Record<string, string>> | undefined, locale: Locale, field: string): string {
  const s = (value as Record<string, unknown> | undefined)?.[locale];
  if (typeof s !== "string" || s.trim() === "") {
    throw new Error(`${field}.${locale} is missing or empty (value: ${JSON.stringify(s ?? null)})`);
  }
  return s;
}

/** uniqueSorted, without its Set and sort for the empty and one-item lists most rules have. */
function names(list: readonly string[]): string[] {
  return list.length < 2 ? list.slice() : uniqueSorted(list);
}

function ruleView(rule: ResolvedRule, resolved: ResolvedRules, locale: Locale, field: string, regionalTags: ReadonlySet<string>): RuleView {
  const hasRegions = resolved.regions.length > 0;
  const tags = rule.serviceTags;
  return {
    id: rule.id,
    fqdns: names(rule.unresolvedFqdns.length === 0 ? rule.fqdns.map((f) => f.fqdn) : rule.fqdns.map((f) => f.fqdn).concat(rule.unresolvedFqdns)),
    tags: names(tags.map((t) => t.global.name)),
    regionalTags: names(tags.length === 0 ? [] : tags.flatMap((t) => t.regional.map((r) => r.name))),
    regionalPerRegion: !hasRegions && tags.some((t) => t.regionalOnly || t.regional.length > 0 || regionalTags.has(t.tag)),
    regionalOnly: tags.some((t) => t.regionalOnly),
    regionsWithoutForm: names(tags.length === 0 ? [] : tags.flatMap((t) => t.regionsWithoutForm)),
    prefixes: rule.prefixes.ipv4.concat(rule.prefixes.ipv6),
    protocol: rule.protocol,
    ports: (rule.ports.length < 2 ? rule.ports : mergePortRanges(rule.ports)).map((r) => formatPortRange(r)),
    purpose: text(rule.purpose, locale, `${field}.purpose`),
    conditions: rule.conditions.map((c, i) => text(c, locale, `${field}.conditions[${i}]`)),
    inferred: names(rule.inferred.map((i) => i.about)),
  };
}

function targetView(name: string, entries: readonly CoverageEntry[], rules: readonly ResolvedRule[]): TargetView {
  if (name.trim() === "") throw new Error(`coverage target name must not be empty (value: "${name}")`);
  if (!Array.isArray(entries)) throw new Error(`coverage["${name}"] must be an array of coverage entries (value: ${JSON.stringify(entries)})`);
  entries.forEach((e, i) => {
    if (typeof e.ruleId !== "string" || e.ruleId === "") throw new Error(`coverage["${name}"][${i}].ruleId must be a non-empty string (value: ${JSON.stringify(e.ruleId)})`);
    if (!STATUSES.includes(e.status)) throw new Error(`coverage["${name}"][${i}].status must be one of ${STATUSES.join(", ")} (value: ${JSON.stringify(e.status)})`);
    if (typeof e.how !== "string") throw new Error(`coverage["${name}"][${i}].how must be a string (value: ${JSON.stringify(e.how)})`);
    if (typeof e.why !== "string") throw new Error(`coverage["${name}"][${i}].why must be a string (value: ${JSON.stringify(e.why)})`);
  });
  const order = new Map(rules.map((r) => [r.id, r.order]));
  const byId = new Map(rules.map((r) => [r.id, r]));
  const known = new Set(rules.map((r) => r.id));
  const covered = new Set(entries.map((e) => e.ruleId));
  const limits = sortBy(
    entries.filter((e) => e.status !== "enforced"),
    (e) => order.get(e.ruleId) ?? Number.MAX_SAFE_INTEGER,
    (e) => e.ruleId,
    (e) => e.status,
    (e) => e.how,
    (e) => e.why,
  );
  return {
    name,
    rendered: true,
    needsSubnet: false,
    message: "",
    enforced: entries.filter((e) => e.status === "enforced").length,
    approximated: entries.filter((e) => e.status === "approximated").length,
    unsupported: entries.filter((e) => e.status === "unsupported").length,
    limits: limits.map((e) => {
      const rule = byId.get(e.ruleId);
      return {
        ruleId: e.ruleId,
        approximated: e.status === "approximated",
        internal: rule?.kind === "internal",
        alternatives: rule ? alternativesOf(rule) : [],
        how: e.how,
        why: e.why,
      };
    }),
    missing: sortBy(
      rules.filter((r) => !covered.has(r.id)),
      (r) => r.order,
      (r) => r.id,
    ).map((r) => r.id),
    extra: uniqueSorted(entries.map((e) => e.ruleId).filter((id) => !known.has(id))),
  };
}

/** What a rule may allow: its FQDNs, its service tags (global names) and its prefixes. */
function alternativesOf(rule: ResolvedRule): string[] {
  return [...rule.fqdns.map((f) => f.fqdn), ...rule.unresolvedFqdns, ...rule.serviceTags.map((t) => t.global.name), ...rule.prefixes.ipv4, ...rule.prefixes.ipv6];
}

function notRenderedView(name: string, target: NotRenderedTarget, coverage: Readonly<Record<string, unknown>>): TargetView {
  if (name.trim() === "") throw new Error(`notRendered target name must not be empty (value: "${name}")`);
  if (Object.prototype.hasOwnProperty.call(coverage, name)) throw new Error(`notRendered["${name}"]: the target also has a coverage; give one or the other`);
  if (target === null || typeof target !== "object") throw new Error(`notRendered["${name}"] must be { needs?, message } (value: ${JSON.stringify(target)})`);
  if (target.needs !== undefined && target.needs !== "subnet") throw new Error(`notRendered["${name}"].needs must be "subnet" or absent (value: ${JSON.stringify(target.needs)})`);
  if (typeof target.message !== "string") throw new Error(`notRendered["${name}"].message must be a string (value: ${JSON.stringify(target.message)})`);
  return { name, rendered: false, needsSubnet: target.needs === "subnet", message: target.message, enforced: 0, approximated: 0, unsupported: 0, limits: [], missing: [], extra: [] };
}

// A changelog depends only on the (frozen) dataset, the two revisions and the locale: computed once each.
const changelogCache = new Map<string, readonly ChangelogStepView[]>();

function changelogSteps(option: boolean | { readonly from: string } | undefined, to: string, locale: Locale): readonly ChangelogStepView[] {
  if (!option) return [];
  const ids = datasetRevisions.map((r) => r.id);
  let pairs: Array<[string, string]>;
  if (option === true) {
    const end = ids.indexOf(to);
    pairs = ids.slice(0, Math.max(0, end)).map((id, i) => [id, ids[i + 1] as string]);
  } else {
    if (typeof option.from !== "string" || !ids.includes(option.from)) {
      throw new Error(`changelog.from must be a revision id (${ids.join(", ")}) (value: ${JSON.stringify(option.from)})`);
    }
    pairs = option.from === to ? [] : [[option.from, to]];
  }
  const key = `${locale} ${pairs.map((p) => p.join(">")).join(" ")}`;
  let steps = changelogCache.get(key);
  if (!steps) {
    steps = changelogPairs(pairs, locale);
    changelogCache.set(key, steps);
  }
  return steps;
}

function changelogPairs(pairs: ReadonlyArray<readonly [string, string]>, locale: Locale): ChangelogStepView[] {
  return pairs.map(([fromId, toId]) => {
    const diff = diffRevisions(fromId, toId);
    const target = getRevision(toId);
    const ruleView = (rule: WireRule): ChangelogRuleView => ({
      id: rule.id,
      wire: describeWireRule(rule, locale),
      purpose: text(getRequirement(rule.id).purpose, locale, `requirements["${rule.id}"].purpose`),
    });
    const counts = { added: diff.added.length, removed: diff.removed.length, changed: diff.changed.length, wording: diff.wording.length };
    return {
      from: { id: diff.from, label: getRevision(fromId).label },
      to: { id: target.id, label: target.label, ga: target.status === "ga", summary: text(target.summary, locale, `revisions["${target.id}"].summary`) },
      added: diff.rules.added.map(ruleView),
      removed: diff.rules.removed.map(ruleView),
      changed: diff.changed.map((c) => ({ id: c.id, previousId: c.previousId, fields: [...c.fields], before: describeWireRule(c.before, locale), after: describeWireRule(c.after, locale) })),
      wording: diff.wording.map((w) => ({ id: w.id, before: w.before, after: w.after })),
      counts,
      unchanged: counts.added + counts.removed + counts.changed === 0,
    };
  });
}

/** `regionalTags`: tags with regional forms; without regions the resolver lists none, so the page says they exist. */
export function buildView(resolved: ResolvedRules, options: ViewOptions, regionalTags: ReadonlySet<string>): DocsView {
  const { locale } = options;
  const rules = sortBy(
    resolved.rules,
    (r) => r.order,
    (r) => r.id,
  );
  const views = rules.map((r) => ({ rule: r, view: ruleView(r, resolved, locale, `rules["${r.id}"]`, regionalTags) }));
  const pick = (pred: (r: ResolvedRule) => boolean): RuleView[] => views.filter((v) => pred(v.rule)).map((v) => v.view);
  const stamp = artifactStamp(resolved, options.generator, options.generatorVersion);
  const rev = resolved.revision;

  const featureIds = uniqueSorted([...datasetFeatures.map((f) => f.id), ...Object.keys(resolved.features)]);
  const features = featureIds.map((id) => {
    const def = datasetFeatures.find((f) => f.id === id);
    return {
      id,
      enabled: resolved.features[id] ?? def?.default ?? false,
      defaultEnabled: def?.default ?? false,
      description: def ? text(def.description, locale, `features["${id}"].description`) : "",
      waivesOutbound: def?.waivesKinds.includes("outbound") ?? false,
      dependents: rules.flatMap((r) =>
        r.conditions.flatMap((c, i) => (c.feature === id ? [{ id: r.id, condition: text(c, locale, `rules["${r.id}"].conditions[${i}]`) }] : [])),
      ),
    };
  });

  const coverage = options.coverage ?? {};
  const notRendered = options.notRendered ?? {};
  // Checked here, before the diagram reads the same entries.
  const targets = sortBy(
    [
      ...Object.keys(coverage).map((name) => targetView(name, coverage[name] as readonly CoverageEntry[], rules)),
      ...Object.keys(notRendered).map((name) => notRenderedView(name, notRendered[name] as NotRenderedTarget, coverage)),
    ],
    (t) => t.name,
  );
  return {
    locale,
    stamp: {
      generator: stamp.generator,
      generatorVersion: stamp.generatorVersion,
      coreVersion: stamp.coreVersion,
      revision: stamp.revision,
      dataHash: stamp.dataHash,
      regions: uniqueSorted(stamp.regions),
      serviceTags: stamp.serviceTags,
      serviceTagsFile: resolved.serviceTags.source === "file",
      changeNumber: resolved.serviceTags.changeNumber,
    },
    revision: {
      id: rev.id,
      label: rev.label,
      date: rev.date,
      dateDiffers: rev.date !== rev.id,
      ga: rev.status === "ga",
      summary: text(rev.summary, locale, "revision.summary"),
      repository: rev.source.repository,
      path: rev.source.path,
      commit: rev.source.commit,
      evidence: rev.source.evidence,
    },
    hasRegions: resolved.regions.length > 0,
    regions: uniqueSorted(resolved.regions).map((name) => ({ name, displayName: options.regionNames(name) })),
    subnet: resolved.subnet?.cidr ?? null,
    pages: { targets: options.coverage !== undefined || options.notRendered !== undefined, changelog: Boolean(options.changelog) },
    emitterText: locale === "en",
    // Every rule lands in exactly one table: outbound rows from any other table go to the first one.
    outbound: pick((r) => r.kind === "outbound" && r.provenance.table !== "service-tags" && r.provenance.table !== "prefixes"),
    serviceTags: pick((r) => r.kind === "outbound" && r.provenance.table === "service-tags"),
    prefixes: pick((r) => r.kind === "outbound" && r.provenance.table === "prefixes"),
    internal: pick((r) => r.kind === "internal"),
    features,
    excluded: sortBy(resolved.excluded, (e) => e.id).map((e) => ({ id: e.id, reason: text(e.reason, locale, `excluded["${e.id}"].reason`) })),
    inferred: rules.flatMap((r) =>
      sortBy(
        r.inferred.map((inf, i) => ({ ruleId: r.id, about: inf.about, text: text(inf, locale, `rules["${r.id}"].inferred[${i}]`) })),
        (x) => x.about,
        (x) => x.text,
      ),
    ),
    notes: rules.flatMap((r) => r.provenance.notes.map((n, i) => ({ ruleId: r.id, text: text(n, locale, `rules["${r.id}"].provenance.notes[${i}]`) }))),
    targets,
    changelog: changelogSteps(options.changelog, rev.id, locale),
    diagram: buildDiagram(rules, options.coverage),
  };
}

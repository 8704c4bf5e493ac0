/**
 * `@cassandra-mi-netrules/core/source`: reads a copy of the official page (English, or a translation whose
 * names the locale catalogue knows) and compares its rule tables and its prose with a revision of the
 * dataset. A subpath of its own because it loads markdown-it, which the main entry never imports.
 */
import { allRequirements, serviceTagCatalog } from "./dataset.js";
// Re-exported so that `instanceof` works against this bundle's copy (the built subpath bundles its own dataset).
export { UnknownNameError } from "./dataset.js";
import { SOURCE_LOCALES } from "./generated/source-locales.js";
import { SOURCE_PROSE } from "./generated/source-prose.js";
import { uniqueSorted } from "./order.js";
import { serviceLabelIndex, vocabularyFor, type LocaleCatalogue } from "./source/catalogue.js";
import { compareWithSourceUsing, type SourceComparison } from "./source/compare.js";
import { parseSourcePage as parseWith, type ParsedSourcePage } from "./source/parse.js";
import type { RecordedProse } from "./source/prose.js";

export { compareRows, type CompareOptions, type SourceComparison, type SourceDiff, type SourceDiffField } from "./source/compare.js";
export { catalogueFile, detectLocale, vocabularyFor, type CatalogueEntry, type CatalogueSource, type ColumnRole, type ConnectorRole, type LocaleCatalogue, type PageVocabulary } from "./source/catalogue.js";
export { canonicalTag, normalizeLabel, regionPlaceholder, type CanonicalTag } from "./source/labels.js";
export { parsePortCell, SourcePageError, type LocaleOrigin, type ParsedSourcePage, type ParseOptions, type SourceRow, type UnknownName, type UnreadableLine } from "./source/parse.js";
export { collectSections, compareProse, normaliseProse, sentenceDiff, sentences, sequenceDiff, slug, type ProseChange, type ProseChangeKind, type ProseComparison, type ProseSection, type RecordedProse, type RecordedSection } from "./source/prose.js";
export { formatSourceComparison } from "./source/report.js";

/** Every tag name the dataset knows: the vendored catalogue and the tags the requirements use. */
export const knownTags: readonly string[] = Object.freeze(
  uniqueSorted([
    ...Object.keys(serviceTagCatalog.tags),
    ...allRequirements.flatMap((r) => r.destinations.flatMap((d) => (d.type === "serviceTag" ? [d.tag] : []))),
  ]),
);

/** The names each locale's page uses for columns, connectors, tags and services, with their sources. */
export const sourceLocales: readonly LocaleCatalogue[] = SOURCE_LOCALES;
/** The prose of the page each revision records, per locale, with the requirements each section states. */
export const recordedProse: readonly RecordedProse[] = SOURCE_PROSE;

/** Every service name of every locale (normalised) with the tag it stands for. */
export const SERVICE_LABELS: Readonly<Record<string, string>> = Object.freeze(serviceLabelIndex(SOURCE_LOCALES));

const anyLocale = vocabularyFor(SOURCE_LOCALES, undefined);

/** The tag a service name of any locale stands for ("Azure Storage", "Stockage Azure"), after its lead-in. */
export function tagForLabel(label: string): string | undefined {
  return anyLocale.tagForService(label);
}

/** The label without its lead-in ("ServiceTag -", "Étiquette de service :"). */
export function stripLeadIn(text: string): string {
  return anyLocale.stripLeadIn(text);
}

export interface SourcePageOptions {
  /** The page's locale (ISO 639-1), instead of the one its front matter or its text gives. */
  readonly locale?: string;
}

/**
 * The rule rows of the page (Azure Global table, service-tag table, address prefixes, internal ports),
 * each with its 1-based line, the lines it could not read, the page's locale and its prose sections.
 * Throws `SourcePageError` when the text holds no rule table at all.
 */
export function parseSourcePage(markdown: string, options: SourcePageOptions = {}): ParsedSourcePage {
  return parseWith(markdown, { knownTags, catalogues: SOURCE_LOCALES, ...options });
}

/**
 * Compares the page with a revision (default: the current one): rows the revision lacks, rows the page
 * lacks, rows that differ (endpoint or tag spelling, protocol, port, alternative), each with the page's
 * line, the unreadable lines (a name the catalogue lacks carries the entry to add), and the prose
 * sections added, removed or changed. `matches` is true only when none of these is found.
 */
export function compareWithSource(markdown: string, revisionId?: string, options: SourcePageOptions = {}): SourceComparison {
  return compareWithSourceUsing(markdown, revisionId, { knownTags, catalogues: SOURCE_LOCALES, prose: SOURCE_PROSE, ...options });
}

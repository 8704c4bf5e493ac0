/**
 * `@cassandra-mi-netrules/core/source`: reads a copy of the official page (English or French Markdown)
 * and compares it with a revision of the dataset. A subpath of its own because it loads markdown-it,
 * which the main entry never imports.
 */
import { allRequirements, serviceTagCatalog } from "./dataset.js";
// Re-exported so that `instanceof` works against this bundle's copy (the built subpath bundles its own dataset).
export { UnknownNameError } from "./dataset.js";
import { uniqueSorted } from "./order.js";
import { compareWithSourceUsing, type SourceComparison } from "./source/compare.js";
import { parseSourcePage as parseWith, type ParsedSourcePage } from "./source/parse.js";

export { compareRows, formatSourceComparison, type SourceComparison, type SourceDiff, type SourceDiffField } from "./source/compare.js";
export { canonicalTag, normalizeLabel, regionPlaceholder, SERVICE_LABELS, stripLeadIn, tagForLabel, type CanonicalTag } from "./source/labels.js";
export { parsePortCell, SourcePageError, type ParsedSourcePage, type ParseOptions, type SourceRow, type UnreadableLine } from "./source/parse.js";

/** Every tag name the dataset knows: the vendored catalogue and the tags the requirements use. */
export const knownTags: readonly string[] = Object.freeze(
  uniqueSorted([
    ...Object.keys(serviceTagCatalog.tags),
    ...allRequirements.flatMap((r) => r.destinations.flatMap((d) => (d.type === "serviceTag" ? [d.tag] : []))),
  ]),
);

/**
 * The rule rows of the page (Azure Global table, service-tag table, address prefixes, internal ports),
 * each with its 1-based line, and the lines it could not read. Throws `SourcePageError` when the text
 * holds no rule table at all.
 */
export function parseSourcePage(markdown: string): ParsedSourcePage {
  return parseWith(markdown, { knownTags });
}

/**
 * Compares the page with a revision (default: the current one): rows the revision lacks, rows the page
 * lacks, rows that differ (endpoint or tag spelling, protocol, port, alternative), each with the page's
 * line, and the unreadable lines. `matches` is true only when all four are empty.
 */
export function compareWithSource(markdown: string, revisionId?: string): SourceComparison {
  return compareWithSourceUsing(markdown, revisionId, { knownTags });
}

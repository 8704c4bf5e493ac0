/**
 * The names a translated page uses for the rule tables' columns, connectors, service tags and services,
 * per locale. Data-free: the catalogue itself is data (data/source/locales/*.yaml), passed in by the caller.
 */
import type { LocalizedText } from "../types.js";
import { normalizeLabel } from "./labels.js";

export type ColumnRole = "endpoint" | "tag" | "protocol" | "port" | "use";
export type ConnectorRole = "or" | "service-tag";

/** Where a written name was seen: a file of a public repository at a commit, or a published page. */
export interface CatalogueSource {
  readonly repository?: string;
  readonly path?: string;
  readonly commit?: string;
  readonly url?: string;
  /** A file of this repository (vendor/...). */
  readonly file?: string;
  readonly what: string;
}

/** One written name: the ids of the sources that show it, or an inference when none does. */
export interface CatalogueEntry {
  readonly written: string;
  readonly sources: readonly string[];
  readonly inferred?: LocalizedText;
}

export interface LocaleCatalogue {
  /** ISO 639-1 code, as `ms.contentlocale` starts (`fr` for `fr-FR`). */
  readonly locale: string;
  /** The language's English name. */
  readonly name: string;
  readonly sources: Readonly<Record<string, CatalogueSource>>;
  /** Why a service name stands for a tag, when that is our mapping rather than the page's. */
  readonly mappingNote?: LocalizedText;
  readonly columns: ReadonlyArray<CatalogueEntry & { readonly role: ColumnRole }>;
  readonly connectors: ReadonlyArray<CatalogueEntry & { readonly role: ConnectorRole }>;
  /** Translated names of service tags, as the tag column writes them ("Stockage" for Storage). */
  readonly tags: ReadonlyArray<CatalogueEntry & { readonly tag: string }>;
  /** Names of services an FQDN row gives as its alternative ("Azure Storage"), with the tag they stand for. */
  readonly services: ReadonlyArray<CatalogueEntry & { readonly tag: string }>;
}

/** The repository file a catalogue locale is compiled from, for messages that say which entry to add. */
export function catalogueFile(locale: string): string {
  return `packages/core/data/source/locales/${locale}.yaml`;
}

/** What one page's tables may say: the page's locale and English (pages keep English names beside translated ones). */
export interface PageVocabulary {
  readonly locale: string;
  /** Whether the catalogue has the page's locale (English always counts). */
  readonly known: boolean;
  columnRole(header: string): ColumnRole | undefined;
  /** The tag a translated tag name stands for. */
  tagForName(name: string): string | undefined;
  /** The tag a service name stands for, after its "ServiceTag -" lead-in is removed. */
  tagForService(label: string): string | undefined;
  /** The label without its lead-in ("ServiceTag -", "Étiquette de service :"). */
  stripLeadIn(text: string): string;
  /** Splits a destination cell at the "Or" / "ou" / "oder" before its alternative. */
  readonly alternativeSplit: RegExp;
  /** Every translated tag name and service name, for did-you-mean. */
  readonly names: readonly string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");
}

/** A written word as a pattern: letter case ignored, any run of spaces for a space. */
function wordPattern(written: string): string {
  return escapeRegExp(written.normalize("NFC").trim()).replace(/\s+/gu, "\\s+");
}

function indexBy<T extends CatalogueEntry>(entries: Iterable<T>, value: (e: T) => string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    const key = normalizeLabel(e.written);
    if (!out.has(key)) out.set(key, value(e));
  }
  return out;
}

/**
 * The vocabulary of a page in `locale`: that locale's catalogue (when there is one) and English; with
 * `locale` undefined, every locale's (for lookups that do not know the page).
 */
export function vocabularyFor(catalogues: readonly LocaleCatalogue[], locale: string | undefined): PageVocabulary {
  const chosen = locale === undefined ? catalogues : catalogues.filter((c) => c.locale === locale || c.locale === "en");
  const columns = indexBy(
    chosen.flatMap((c) => c.columns),
    (e) => e.role,
  );
  const tags = indexBy(
    chosen.flatMap((c) => c.tags),
    (e) => e.tag,
  );
  const services = indexBy(
    chosen.flatMap((c) => c.services),
    (e) => e.tag,
  );
  const words = (role: ConnectorRole): string[] => chosen.flatMap((c) => c.connectors.filter((k) => k.role === role).map((k) => wordPattern(k.written)));
  const orWords = words("or");
  const leadIns = words("service-tag");
  const leadIn = leadIns.length > 0 ? new RegExp(`^(?:${leadIns.join("|")})\\s*[-–—:]\\s*`, "iu") : undefined;
  const strip = (text: string): string => {
    const t = text.normalize("NFC").trim();
    return (leadIn ? t.replace(leadIn, "") : t).trim();
  };
  return {
    locale: locale ?? "*",
    known: locale === undefined || locale === "en" || catalogues.some((c) => c.locale === locale),
    columnRole: (header) => columns.get(normalizeLabel(header)) as ColumnRole | undefined,
    tagForName: (name) => tags.get(normalizeLabel(name)),
    tagForService: (label) => services.get(normalizeLabel(strip(label))),
    stripLeadIn: strip,
    // No connector word at all: a pattern that never matches, so the cell stays whole.
    alternativeSplit: new RegExp(orWords.length > 0 ? `\\s+(?:${orWords.join("|")})\\s+` : "(?!)", "iu"),
    names: chosen.flatMap((c) => [...c.tags, ...c.services].map((e) => e.written)),
  };
}

/**
 * The locale whose column labels and connector words the text uses most, counted in the given table
 * headers and destination cells; English when none scores (or on a tie with English).
 */
export function detectLocale(catalogues: readonly LocaleCatalogue[], headers: readonly string[], cells: readonly string[]): string {
  let best = "en";
  let bestScore = 0;
  const normalizedHeaders = headers.map((h) => normalizeLabel(h));
  for (const c of catalogues) {
    if (c.locale === "en") continue;
    let score = 0;
    for (const col of c.columns) if (normalizedHeaders.includes(normalizeLabel(col.written))) score += 2;
    for (const k of c.connectors) {
      const re = new RegExp(`(?:^|\\s)${wordPattern(k.written)}(?:\\s|$)`, "iu");
      if (cells.some((cell) => re.test(cell))) score += 1;
    }
    if (score > bestScore || (score === bestScore && score > 0 && c.locale < best)) {
      best = c.locale;
      bestScore = score;
    }
  }
  return best;
}

/** The catalogue's service labels of every locale, normalised, each with its tag (the first locale listing it wins). */
export function serviceLabelIndex(catalogues: readonly LocaleCatalogue[]): Record<string, string> {
  return Object.fromEntries(
    indexBy(
      catalogues.flatMap((c) => c.services),
      (e) => e.tag,
    ),
  );
}

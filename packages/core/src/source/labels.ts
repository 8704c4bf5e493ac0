/**
 * Spelling helpers for the names the official page writes: label folding, tag case, the `<region>`
 * placeholder. Data-free; the names themselves are in the locale catalogue (catalogue.ts).
 */

/** Lower case, single spaces, no trailing period, spaces around `/` removed; for label lookups. */
export function normalizeLabel(label: string): string {
  return label
    .normalize("NFC")
    .replace(/\s+/gu, " ")
    .replace(/\s*\/\s*/gu, "/")
    .trim()
    .replace(/\.$/u, "")
    .trim()
    .toLowerCase();
}

export interface CanonicalTag {
  /** The canonical spelling. */
  readonly tag: string;
  /** The text differs from the canonical spelling (letter case only: a known-tag case slip). */
  readonly respelled: boolean;
}

/**
 * The canonical spelling of a tag name among `knownTags`, compared without letter case, so the page's
 * `AzureFrontDoor.Firstparty` gives `AzureFrontDoor.FirstParty` (respelled). Undefined when unknown.
 */
export function canonicalTag(written: string, knownTags: Iterable<string>): CanonicalTag | undefined {
  const wanted = written.trim().toLowerCase();
  let found: string | undefined;
  for (const t of knownTags) {
    if (t === written.trim()) return { tag: t, respelled: false };
    if (found === undefined && t.toLowerCase() === wanted) found = t;
  }
  return found === undefined ? undefined : { tag: found, respelled: true };
}

/** `<region>`, `\<region\>`, `<Region>` (already unescaped by Markdown) to the dataset's `{region}`. */
export function regionPlaceholder(text: string): string {
  return text.replace(/<\s*region\s*>/giu, "{region}");
}

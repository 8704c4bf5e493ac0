/**
 * How the official page names services and tags, mapped to canonical service-tag names. Data-free:
 * the dataset records the same mapping as `inferred` notes and `provenance.asWritten`.
 */

/** Service labels the page's FQDN rows name as the alternative ("… Or ServiceTag - Azure Storage"). */
export const SERVICE_LABELS: Readonly<Record<string, string>> = Object.freeze({
  "azure storage": "Storage",
  "stockage azure": "Storage",
  "azure keyvault": "AzureKeyVault",
  "azure key vault": "AzureKeyVault",
  "azure eventhub": "EventHub",
  "azure event hub": "EventHub",
  "azure event hubs": "EventHub",
  "azure monitor": "AzureMonitor",
  "azure ad": "AzureActiveDirectory",
  "azure active directory": "AzureActiveDirectory",
  "microsoft entra id": "AzureActiveDirectory",
  "azure virtual machine scale sets/azure management api": "AzureResourceManager",
  "azure resource manager": "AzureResourceManager",
});

/** Lead-ins before the label in an alternative: "ServiceTag - X", "Service tag: X", "Étiquette de service : X". */
const LEAD_IN = /^(?:service\s*tag|étiquette\s+de\s+service)\s*[-–—:]\s*/iu;

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

/** The label without its "ServiceTag -" / "Étiquette de service :" lead-in. */
export function stripLeadIn(text: string): string {
  return text.normalize("NFC").trim().replace(LEAD_IN, "").trim();
}

/** The canonical tag a service label names, or undefined when the label is not one the page has used. */
export function tagForLabel(label: string): string | undefined {
  return SERVICE_LABELS[normalizeLabel(stripLeadIn(label))];
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

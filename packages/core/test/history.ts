/**
 * The rule rows of each rule-changing state of the page, read from the project's reference
 * `vendor/pages/source-history.md` with markdown-it, so that the dataset tests compare the data with the
 * reference and not with a second copy of the data. Uses nothing of the package.
 */
import { readFileSync } from "node:fs";
import MarkdownIt from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";

const vendorDir = new URL("../../../vendor/", import.meta.url);
export const HISTORY_TEXT = readFileSync(new URL("pages/source-history.md", vendorDir), "utf8");
const TAGS_FILE = JSON.parse(readFileSync(new URL("service-tags/ServiceTags_Public_20251028.json", vendorDir), "utf8")) as {
  values: Array<{ name: string }>;
};
/** Every tag name of the vendored service-tags file. */
export const FILE_TAG_NAMES: readonly string[] = TAGS_FILE.values.map((v) => v.name);

export interface HistoryFqdnRow {
  /** Lower-case host, `{region}` for the placeholder, without `:443`. */
  readonly fqdn: string;
  /** Canonical tag of the service the row names as an alternative, by the history's own label table (section 9). */
  readonly tag: string | null;
  readonly protocol: string;
  readonly port: number;
}

export interface HistoryTagRow {
  /** As the history writes it, `(sic)` removed; `{region}` for the placeholder. */
  readonly written: string;
  /** The canonical name in the vendored service-tags file (letter case aside); `Tag.{region}` kept as is. */
  readonly canonical: string;
  readonly protocol: string;
  readonly port: number;
}

export interface HistoryState {
  readonly fqdn: readonly HistoryFqdnRow[];
  readonly tags: readonly HistoryTagRow[];
  readonly prefixes: readonly string[];
  readonly internal: readonly number[];
}

interface Section {
  readonly heading: string;
  /** Each table as rows of cell sources (the header row first). */
  readonly tables: string[][][];
  /** The source of every paragraph (list items included), in order. */
  readonly paragraphs: string[];
  /** The code spans of every paragraph, in order. */
  readonly codeSpans: string[][];
}

function sections(): Section[] {
  const tokens = new MarkdownIt({ html: true }).parse(HISTORY_TEXT, {});
  const out: Section[] = [];
  let current: Section | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.type === "heading_open") {
      current = { heading: tokens[i + 1]?.content ?? "", tables: [], paragraphs: [], codeSpans: [] };
      out.push(current);
      i++;
    } else if (t.type === "table_open" && current) {
      const rows: string[][] = [];
      for (i++; tokens[i]?.type !== "table_close"; i++) {
        const u = tokens[i] as Token;
        if (u.type === "tr_open") rows.push([]);
        if (u.type === "inline") rows[rows.length - 1]?.push(u.content.trim());
      }
      current.tables.push(rows);
    } else if (t.type === "inline" && current) {
      current.paragraphs.push(t.content);
      current.codeSpans.push((t.children ?? []).filter((c) => c.type === "code_inline").map((c) => c.content));
    }
  }
  return out;
}

const SECTIONS = sections();

function section(prefix: string): Section {
  const found = SECTIONS.filter((s) => s.heading.startsWith(prefix));
  if (found.length !== 1) throw new Error(`source-history.md: expected one section "${prefix}…", found ${found.length}`);
  return found[0] as Section;
}

function table(s: Section, firstHeader: string): string[][] {
  const found = s.tables.filter((t) => t[0]?.[0] === firstHeader);
  if (found.length !== 1) throw new Error(`source-history.md "${s.heading}": expected one table headed "${firstHeader}", found ${found.length}`);
  return (found[0] as string[][]).slice(1);
}

function paragraph(s: Section, needle: string): { text: string; codeSpans: string[] } {
  const k = s.paragraphs.findIndex((p) => p.includes(needle));
  if (k < 0) throw new Error(`source-history.md "${s.heading}": no paragraph with "${needle}"`);
  return { text: s.paragraphs[k] as string, codeSpans: s.codeSpans[k] as string[] };
}

/** Markdown marks of the history's cells removed: code marks, escapes, `*(sic)*`; `<region>` as `{region}`. */
function plain(cell: string): string {
  return cell
    .replace(/\*\(sic\)\*/gu, "")
    .replace(/[`\\]/gu, "")
    .replace(/<region>/giu, "{region}")
    .trim();
}

/** Section 9's "Label in the doc | Tag" table: labels separated by " / " in one cell. */
function labelTable(): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const [labels = "", tag = ""] of table(section("9. Other facts"), "Label in the doc")) {
    for (const label of labels.split(" / ")) map.set(label.trim().toLowerCase(), plain(tag));
  }
  return map;
}
const LABELS = labelTable();

/** Section 9's mapping of the labels the page writes ("Azure Key Vault") to tags, label as written. */
export function historyLabels(): Array<[label: string, tag: string]> {
  return table(section("9. Other facts"), "Label in the doc").flatMap(([labels = "", tag = ""]) =>
    labels.split(" / ").map((label): [string, string] => [label.trim(), plain(tag)]),
  );
}

function tagOfLabel(label: string): string | null {
  const cleaned = label.replace(/\(.*?\)/gu, "").replace(/"/gu, "").trim();
  if (cleaned === "none") return null;
  const tag = LABELS.get(cleaned.toLowerCase());
  if (tag === undefined) throw new Error(`source-history.md: label "${label}" is not in the label table of section 9`);
  return tag;
}

/** `host[:443] Or ServiceTag - Label` to the host and the tag of the label. */
function fqdnCell(cell: string): { fqdn: string; tag: string | null } {
  const [host = "", label] = plain(cell).split(/\s+Or\s+/u);
  return {
    fqdn: host.replace(/:443$/u, "").toLowerCase(),
    tag: label === undefined ? null : tagOfLabel(label.replace(/^ServiceTag\s*-\s*/u, "")),
  };
}

function fqdnRow(cells: readonly string[]): HistoryFqdnRow {
  const [dest = "", protocol = "", port = ""] = cells;
  return { ...fqdnCell(dest), protocol: plain(protocol), port: Number(plain(port)) };
}

function canonicalTag(written: string): string {
  if (written.endsWith(".{region}")) return written;
  const hit = FILE_TAG_NAMES.find((n) => n.toLowerCase() === written.toLowerCase());
  if (hit === undefined) throw new Error(`source-history.md: tag "${written}" is not in the vendored service-tags file`);
  return hit;
}

function tagRow(cells: readonly string[]): HistoryTagRow {
  const [tag = "", protocol = "", port = ""] = cells;
  const written = plain(tag);
  return { written, canonical: canonicalTag(written), protocol: plain(protocol), port: Number(plain(port)) };
}

function cidrs(text: string): string[] {
  return [...text.matchAll(/\b\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}\b/gu)].map((m) => m[0]);
}

function ports(text: string): number[] {
  return [...text.matchAll(/\b\d{4}\b/gu)].map((m) => Number(m[0]));
}

/**
 * The four rule-changing states as source-history.md describes them: V1 in full; V2 = V1 with the store
 * row "inserted after the snovap row" and the tag table; V3 = V2 with the V3a rows "appended" and the V3b
 * spelling fix; GA = the "machine-usable reference" of V6, whose rules are "exactly as in V4".
 */
export function historyStates(): Record<"2021-05-21" | "2021-08-14" | "2021-09-13" | "2021-11-02", HistoryState> {
  const v1 = section("V1 ");
  const v1Fqdn = table(v1, "Destination").map(fqdnRow);
  const internal = table(v1, "Port").map(([port = ""]) => Number(plain(port)));

  const v2 = section("V2 ");
  const inserted = paragraph(v2, "A new row was inserted after the snovap row");
  const storeRow = fqdnRow((inserted.codeSpans[0] ?? "").split("|").map((c) => c.trim()));
  const snovap = v1Fqdn.findIndex((r) => r.fqdn.startsWith("snovap"));
  const v2Fqdn = [...v1Fqdn.slice(0, snovap + 1), storeRow, ...v1Fqdn.slice(snovap + 1)];
  const v2Tags = table(v2, "Destination Service Tag").map(tagRow);

  const v3a = section("V3a ");
  const v3Fqdn = [...v2Fqdn, ...table(v3a, "Destination").map(fqdnRow)];
  const fix = paragraph(section("V3b "), "→").codeSpans;
  const [from = "", to = ""] = fix;
  const v3Tags = v2Tags.map((t) => (t.written === from ? tagRow([to, t.protocol, String(t.port)]) : t));

  const v6 = section("V6 ");
  const all = /all (\w+)\/(\d+)/u.exec(paragraph(v6, "Azure Global (16 rows").text);
  const gaFqdn = table(v6, "Destination").map(([dest = "", alternative = ""]) => ({
    fqdn: fqdnCell(dest).fqdn,
    tag: tagOfLabel(plain(alternative)),
    protocol: all?.[1] ?? "",
    port: Number(all?.[2]),
  }));
  const gaTags = table(v6, "Tag").map(tagRow);
  const gaPrefixes = cidrs(paragraph(v6, "Prefixes (3)").text);
  const gaInternal = ports(paragraph(v6, "Internal ports:").text);

  return {
    "2021-05-21": { fqdn: v1Fqdn, tags: [], prefixes: [], internal },
    "2021-08-14": { fqdn: v2Fqdn, tags: v2Tags, prefixes: [], internal },
    "2021-09-13": { fqdn: v3Fqdn, tags: v3Tags, prefixes: [], internal },
    "2021-11-02": { fqdn: gaFqdn, tags: gaTags, prefixes: gaPrefixes, internal: gaInternal },
  };
}

/** V4's "final order" of the GA tag table, in prose, to cross-check the V6 table it is said to equal. */
export function gaTagOrderInProse(): string[] {
  const text = paragraph(section("V4 "), "final order:").text;
  return (text.split("final order:")[1] ?? "")
    .split(",")
    .map((t) => plain(t))
    .filter((t) => t !== "");
}

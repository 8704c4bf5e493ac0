/**
 * The prose of the page: every section's text outside the rule tables, normalised so that Markdown
 * formatting alone is no change, with a fingerprint; and its comparison with the text a revision records.
 * Data-free: the recorded text (data/source/prose/*.yaml) is passed in by the caller.
 */
import type Token from "markdown-it/lib/token.mjs";
import { shortHash } from "../emit/text.js";
import { sortBy } from "../order.js";
import type { LocalizedText } from "../types.js";
import type { CatalogueSource } from "./catalogue.js";

/** One section of a page: a heading and the text under it up to the next heading, tables left out. */
export interface ProseSection {
  /** The heading's anchor (`<a name="dns-access">` in translated copies) or its slug: `dns-access`. */
  readonly id: string;
  /** The heading's text; "" for the text before the first heading. */
  readonly heading: string;
  /** 1-based line of the heading (of the first text line for the part before any heading). */
  readonly line: number;
  /** Blocks (paragraphs, list items, notes) one per line, whitespace collapsed, Markdown marks and address prefixes removed. */
  readonly text: string;
  /** `shortHash` of `text`. */
  readonly fingerprint: string;
}

/** A section as a revision records it, with what it states about the rules. */
export interface RecordedSection {
  readonly id: string;
  readonly heading: string;
  readonly text: string;
  readonly fingerprint: string;
  /** Requirements whose meaning the section states or conditions: what a reviewer re-checks when it changes. */
  readonly requirements: readonly string[];
  /** Features the section states a rule for (the VPN note waives the outbound rules). */
  readonly features: readonly string[];
  readonly note?: LocalizedText;
}

/** The prose of one revision in one locale, from one copy of the page. */
export interface RecordedProse {
  readonly revision: string;
  readonly locale: string;
  readonly source: CatalogueSource;
  readonly sections: readonly RecordedSection[];
}

export type ProseChangeKind = "added" | "removed" | "changed";

export interface ProseChange {
  readonly kind: ProseChangeKind;
  readonly id: string;
  /** The heading as the page writes it (as recorded, for a removed section). */
  readonly heading: string;
  /** The page's line of the section; for a removed one, the line of the page section that follows it, or null. */
  readonly line: number | null;
  /** Sentences of the recorded section the page no longer has (its heading first, when the heading changed). */
  readonly removedSentences: readonly string[];
  /** Sentences of the page's section the recorded one does not have (its heading first, when it changed). */
  readonly addedSentences: readonly string[];
  /** The recorded section's links: requirements and features to re-check. Empty for an added section. */
  readonly requirements: readonly string[];
  readonly features: readonly string[];
}

export interface ProseComparison {
  /** False when the data records no text of this revision in the page's locale: the tables alone decide. */
  readonly compared: boolean;
  readonly locale: string;
  /** Why the prose was not compared. */
  readonly reason?: string;
  /** Where the recorded text comes from. */
  readonly source?: CatalogueSource;
  readonly pageSections: number;
  readonly recordedSections: number;
  readonly changes: readonly ProseChange[];
}

/** An IPv4 or IPv6 prefix in running text: the page's address prefixes, read as rules and left out of the prose. */
export const CIDR_IN_TEXT = /(?<![\w.:/])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})\/\d{1,3}(?![\w.])/giu;
const ANCHOR = /<a\s+name\s*=\s*["']([^"']+)["']\s*>\s*<\/a>/iu;
/** The marker of a DocFX alert (`> [!NOTE]`): formatting, like the blockquote around it. */
const ALERT = /^\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*/iu;

/** Lower-case, hyphenated heading: the anchor Microsoft's pages give a heading (`DNS access` → `dns-access`). */
export function slug(heading: string): string {
  return heading
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .trim()
    .replace(/\s+/gu, "-");
}

/** One block's text as a reader sees it: link text kept, code marks, emphasis, HTML and address prefixes dropped. */
function inlineText(inline: Token): string {
  let out = "";
  for (const child of inline.children ?? []) {
    if (child.type === "text" || child.type === "code_inline") out += child.content;
    else if (child.type === "softbreak" || child.type === "hardbreak") out += " ";
    else if (child.type === "image") out += child.content;
    else if (child.type === "html_inline" && /^<\s*\/?\s*br\b/iu.test(child.content)) out += " ";
  }
  return normaliseProse(out).replace(ALERT, "");
}

/** A list of address prefixes in running text: prefixes separated by commas, semicolons, "and", "et", "und" or spaces. */
const CIDR_LIST = new RegExp(`${CIDR_IN_TEXT.source}(?:\\s*(?:[,;]|\\b(?:and|et|und)\\b)?\\s*${CIDR_IN_TEXT.source})*`, "giu");

/** NFC, lists of address prefixes removed (the tables compare them), whitespace collapsed. */
export function normaliseProse(text: string): string {
  return text
    .normalize("NFC")
    .replace(CIDR_LIST, " ")
    .replace(/\s+/gu, " ")
    .trim();
}

/** The sentences of a section text: one block per line, each split after `.`, `!` or `?` followed by a space. */
export function sentences(text: string): string[] {
  return text
    .split("\n")
    .flatMap((block) => block.split(/(?<=[.!?])\s+/u))
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function section(id: string, heading: string, line: number, blocks: readonly string[]): ProseSection {
  const text = blocks.join("\n");
  return { id, heading, line, text, fingerprint: shortHash(text) };
}

/**
 * The sections of a parsed page: headings of any level start one; tables, and paragraphs made only of
 * table rows, are left out (the rule comparison reads them). `lines` are the page's lines, 1-based by index + 1.
 */
export function collectSections(tokens: readonly Token[], lines: readonly string[]): ProseSection[] {
  const out: ProseSection[] = [];
  let current: { id: string; heading: string; line: number; blocks: string[] } | undefined;
  const flush = (): void => {
    if (current && (current.heading !== "" || current.blocks.length > 0)) out.push(section(current.id, current.heading, current.line, current.blocks));
  };
  let inTable = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.type === "table_open") inTable = true;
    if (t.type === "table_close") inTable = false;
    if (inTable) continue;
    if (t.type === "heading_open") {
      flush();
      const inline = tokens[i + 1];
      const raw = (inline?.children ?? []).map((c) => (c.type === "html_inline" ? c.content : c.type === "text" || c.type === "code_inline" ? c.content : "")).join("");
      const anchor = ANCHOR.exec(raw)?.[1];
      const heading = normaliseProse(raw.replace(/<[^>]*>/gu, ""));
      current = { id: anchor ?? slug(heading), heading, line: (t.map?.[0] ?? 0) + 1, blocks: [] };
      i += 2;
      continue;
    }
    if (t.type === "fence" || t.type === "code_block") {
      const text = normaliseProse(t.content);
      if (text !== "") (current ??= { id: "preamble", heading: "", line: (t.map?.[0] ?? 0) + 1, blocks: [] }).blocks.push(text);
      continue;
    }
    if (t.type !== "inline") continue;
    const first = t.map?.[0] ?? 0;
    const source = lines.slice(first, t.map?.[1] ?? first + 1);
    // Table rows outside a table (a cut table) are the rule comparison's to report.
    if (source.length > 0 && source.every((l) => l.trim().startsWith("|"))) continue;
    const text = inlineText(t);
    if (text === "") continue;
    (current ??= { id: "preamble", heading: "", line: first + 1, blocks: [] }).blocks.push(text);
  }
  flush();
  return out;
}

/** Indices of `a` missing from `b` and of `b` missing from `a`, in order, by a longest-common-subsequence diff. */
export function sequenceDiff<T>(a: readonly T[], b: readonly T[]): { removed: number[]; added: number[] } {
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] = a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const removed: number[] = [];
  const added: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) {
      added.push(j++);
    } else {
      removed.push(i++);
    }
  }
  return { removed, added };
}

/** Sentences of `a` missing from `b` and of `b` missing from `a`. */
export function sentenceDiff(a: readonly string[], b: readonly string[]): { removed: string[]; added: string[] } {
  const d = sequenceDiff(a, b);
  return { removed: d.removed.map((i) => a[i] as string), added: d.added.map((j) => b[j] as string) };
}

/** The share of sentences two texts have in common (of the longer one's). */
function overlap(a: string, b: string): number {
  const x = sentences(a);
  const y = new Set(sentences(b));
  const common = x.filter((s) => y.has(s)).length;
  return common / Math.max(x.length, y.size, 1);
}

/**
 * The page's sections paired with the recorded ones: by id (anchor or slug), then by heading, then (a
 * renamed heading) by text when more than half of the sentences are the same.
 */
function pairSections(page: readonly ProseSection[], recorded: readonly RecordedSection[]): Map<ProseSection, RecordedSection> {
  const pairs = new Map<ProseSection, RecordedSection>();
  const free = new Set(recorded);
  const matchers = [
    (p: ProseSection, r: RecordedSection) => p.id === r.id,
    (p: ProseSection, r: RecordedSection) => p.heading === r.heading,
    (p: ProseSection, r: RecordedSection) => overlap(p.text, r.text) > 0.5,
  ];
  for (const match of matchers) {
    for (const p of page) {
      if (pairs.has(p)) continue;
      const r = [...free].find((x) => match(p, x));
      if (r) {
        pairs.set(p, r);
        free.delete(r);
      }
    }
  }
  return pairs;
}

/**
 * Compares the page's sections with the recorded prose of the revision in the page's locale: sections
 * added, removed or changed, with the changed sentences and the recorded links. `recorded` undefined:
 * not compared, with the reason.
 */
export function compareProse(page: readonly ProseSection[], recorded: RecordedProse | undefined, locale: string, revision: string): ProseComparison {
  if (!recorded) {
    return {
      compared: false,
      locale,
      reason: `the data records no text of revision ${revision} in locale ${locale}`,
      pageSections: page.length,
      recordedSections: 0,
      changes: [],
    };
  }
  const pairs = pairSections(page, recorded.sections);
  const paired = new Set(pairs.values());
  const changes: Array<ProseChange & { order: number }> = [];
  page.forEach((p, order) => {
    const r = pairs.get(p);
    if (r && r.text === p.text && r.heading === p.heading) return;
    // The heading counts as the section's first sentence: a renamed heading is a change to review.
    const diff = r ? sentenceDiff([r.heading, ...sentences(r.text)], [p.heading, ...sentences(p.text)]) : { removed: [], added: sentences(p.text) };
    changes.push({
      order,
      kind: r ? "changed" : "added",
      id: p.id,
      heading: p.heading,
      line: p.line,
      removedSentences: diff.removed,
      addedSentences: diff.added,
      requirements: r?.requirements ?? [],
      features: r?.features ?? [],
    });
  });
  recorded.sections.forEach((r, index) => {
    if (paired.has(r)) return;
    // Where it stood: before the page section paired with the next recorded section that the page has.
    const next = recorded.sections.slice(index + 1).find((x) => paired.has(x));
    const nextPage = next ? [...pairs.entries()].find(([, x]) => x === next)?.[0] : undefined;
    changes.push({
      order: index,
      kind: "removed",
      id: r.id,
      heading: r.heading,
      line: nextPage?.line ?? null,
      removedSentences: sentences(r.text),
      addedSentences: [],
      requirements: r.requirements,
      features: r.features,
    });
  });
  // By line; a removed section before the page section that took its place.
  const sorted = sortBy(
    changes,
    (c) => c.line ?? Number.MAX_SAFE_INTEGER,
    (c) => (c.kind === "removed" ? 0 : 1),
    (c) => c.order,
  ).map(({ order: _order, ...change }) => change);
  return { compared: true, locale, source: recorded.source, pageSections: page.length, recordedSections: recorded.sections.length, changes: sorted };
}

/** Reads emitted Markdown back with markdown-it (CommonMark + GFM tables): tables, cells, token types. */
import MarkdownIt from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";

const md = new MarkdownIt("default", { html: true, linkify: false, typographer: false });

export interface Cell {
  /** Text of the cell: text and code contents concatenated, other inline tokens as `<type>` markers. */
  readonly text: string;
  /** Contents of the code spans of the cell, in order. */
  readonly codes: readonly string[];
  /** Inline token types of the cell other than text and code_inline. */
  readonly others: readonly string[];
}

export type Table = Cell[][];

export function parse(markdown: string): Token[] {
  return md.parse(markdown, {});
}

function cellOf(inline: Token | undefined): Cell {
  const children = inline?.children ?? [];
  let text = "";
  const codes: string[] = [];
  const others: string[] = [];
  for (const c of children) {
    if (c.type === "text") text += c.content;
    else if (c.type === "code_inline") {
      text += c.content;
      codes.push(c.content);
    } else {
      text += `<${c.type}>`;
      others.push(c.type);
    }
  }
  return { text, codes, others };
}

/** Every table of the document: rows (header first) of cells. */
export function tables(markdown: string): Table[] {
  const tokens = parse(markdown);
  const out: Table[] = [];
  let table: Table | null = null;
  let row: Cell[] | null = null;
  tokens.forEach((t, i) => {
    if (t.type === "table_open") table = [];
    else if (t.type === "table_close") {
      if (table) out.push(table);
      table = null;
    } else if (t.type === "tr_open") row = [];
    else if (t.type === "tr_close") {
      if (table && row) (table as Table).push(row);
      row = null;
    } else if ((t.type === "td_open" || t.type === "th_open") && row) {
      const next = tokens[i + 1];
      (row as Cell[]).push(next?.type === "inline" ? cellOf(next) : { text: "", codes: [], others: [] });
    }
  });
  return out;
}

/** Every token type in the document, inline children included. */
export function tokenTypes(markdown: string): Set<string> {
  const types = new Set<string>();
  const walk = (ts: readonly Token[]): void => {
    for (const t of ts) {
      types.add(t.type);
      if (t.children) walk(t.children);
    }
  };
  walk(parse(markdown));
  return types;
}

/** The single inline token of a one-block document (paragraph or list item). */
export function onlyInline(markdown: string): Cell & { blocks: string[] } {
  const tokens = parse(markdown);
  const inlines = tokens.filter((t) => t.type === "inline");
  const blocks = tokens.filter((t) => t.type !== "inline" && t.nesting !== -1).map((t) => t.type);
  return { ...cellOf(inlines.length === 1 ? inlines[0] : undefined), blocks };
}

/**
 * The text a Mermaid label escaped with the `mermaid` context shows for `value`: normalised, a lone
 * surrogate as U+FFFD, and Mermaid's placeholder pairs ("ﬂ°", "¶ß") kept apart by a word joiner.
 */
export function mermaidShown(value: string): string {
  return value
    .replace(/[\s\u0000-\u001f\u007f-\u009f\u200b\ufeff]+/g, " ")
    .trim()
    .replace(/[\ud800-\udfff]/gu, "\ufffd")
    .replace(/\ufb02\u00b0/g, "\ufb02\u2060\u00b0")
    .replace(/\u00b6\u00df/g, "\u00b6\u2060\u00df");
}

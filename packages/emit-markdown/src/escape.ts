/**
 * The one Markdown escaping function: every piece of data that reaches a page goes through it, via the
 * `md` template helper. Contexts:
 * - `text`: inline prose (paragraphs, list items, headings);
 * - `cell`: a GFM table cell (text, plus nothing may end the row);
 * - `code`: a code span in prose;
 * - `cellcode`: a code span inside a table cell;
 * - `mermaid`: text inside a quoted label (`node["..."]`) of a ```mermaid block.
 */
export type MarkdownContext = "text" | "cell" | "code" | "cellcode" | "mermaid";

export const MARKDOWN_CONTEXTS: readonly MarkdownContext[] = ["text", "cell", "code", "cellcode", "mermaid"];

/** A value that can be written into a page. */
export type MarkdownValue = string | number;

// Whitespace (\s) and control characters; and, for the fast path, anything normalizeInline would change.
// eslint-disable-next-line no-control-regex
const INLINE_BREAKS = /[\s\u0000-\u001f\u007f-\u009f\u200b\ufeff]+/g;
// eslint-disable-next-line no-control-regex
const NEEDS_NORMALIZING = /[\u0000-\u001f\u007f-\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]| {2}|^ | $/;

/**
 * Collapses every run of whitespace and control characters (newlines, tabs, NUL, U+2028...) into one
 * space and trims: a value always stays on one line, so it can neither end a table row nor start a block.
 */
export function normalizeInline(value: string): string {
  return NEEDS_NORMALIZING.test(value) ? value.replace(INLINE_BREAKS, " ").trim() : value;
}

// ASCII punctuation that opens inline constructs anywhere: escapes, code, emphasis, links, HTML and
// autolinks, entities, strikethrough, and the table cell separator.
const INLINE_SPECIALS = /[\\`*_[\]<>&|~]/g;
// Matches whenever one of the replacements of escapeText would change the string (a superset of them).
const NEEDS_ESCAPING = /[\\`*_[\]<>&|~@]|^[#=+-]|^\d{1,9}[.)]|www\.|:\/\//i;

/** Escapes a string for inline Markdown text (or a table cell: pipes are escaped in both). */
function escapeText(s: string): string {
  if (!NEEDS_ESCAPING.test(s)) return s;
  let out = s.replace(INLINE_SPECIALS, (c) => `\\${c}`);
  // Block starts only matter at the beginning of a line; a value may land right after a list marker.
  out = out
    .replace(/^([#=])/, "\\$1")
    .replace(/^([+-])(?=[ +-]|$)/, "\\$1")
    .replace(/^(\d{1,9})([.)])(?= |$)/, "$1\\$2");
  // "www." and "scheme:" would become GFM autolink literals (and bare URLs for markdownlint).
  out = out.replace(/\b(www)\./gi, "$1\\.").replace(/\b([a-z][a-z0-9+.-]*):(?=\/\/)/gi, "$1\\:");
  out = out.replace(/@/g, "\\@");
  return out;
}

/** A code span that holds `s` verbatim, whatever backticks it contains. */
function codeSpan(s: string, inCell: boolean): string {
  if (s === "") return "";
  let fence = "`";
  if (s.includes("`")) {
    const longestRun = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
    fence = "`".repeat(longestRun + 1);
  }
  const pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
  // In a table row, GFM splits cells before parsing code spans: a pipe must be escaped even there.
  const body = inCell && s.includes("|") ? s.replace(/\|/g, "\\|") : s;
  return `${fence}${pad}${body}${pad}${fence}`;
}

// Characters a Mermaid label shows as they are. Everything else becomes an entity code `#<decimal>;`,
// which Mermaid decodes into text: `"` (ends the label), `#` and `;` (entity codes), `%` and `{}`
// (directives), `<>&` (HTML labels), backticks (Markdown labels), `:` (its `style`/`classDef` rewrites).
const MERMAID_SAFE_CHAR = /[\p{L}\p{N} .,/()*'+\-_?!@]/u;
const MERMAID_SAFE = /^[\p{L}\p{N} .,/()*'+\-_?!@]*$/u;
const LONE_SURROGATE = /[\ud800-\udfff]/;
const REPLACEMENT_CHARACTER = 0xfffd;

// Mermaid stands in for entity codes with "ﬂ°" and "¶ß" and turns those pairs back after drawing the
// text, so a value holding them would change: a word joiner (U+2060, invisible) keeps each pair apart.
const MERMAID_PLACEHOLDERS = /(\ufb02)(\u00b0)|(\u00b6)(\u00df)/g;

/** A quoted Mermaid label that shows `s` as text: unsafe characters as `#<code point>;`, a lone surrogate as U+FFFD. */
function mermaidLabel(value: string): string {
  if (MERMAID_SAFE.test(value)) return value;
  const s = value.replace(MERMAID_PLACEHOLDERS, (_m, a?: string, b?: string, c?: string, d?: string) => `${a ?? c}\u2060${b ?? d}`);
  let out = "";
  for (const ch of s) {
    if (MERMAID_SAFE_CHAR.test(ch)) out += ch;
    else out += `#${LONE_SURROGATE.test(ch) && ch.length === 1 ? REPLACEMENT_CHARACTER : ch.codePointAt(0)};`;
  }
  return out;
}

// The pages of every region repeat the same ids, purposes and inferences: each context remembers its
// results (bounded, so hostile or generated data cannot grow it without limit).
const CACHE_LIMIT = 4096;
const cache: Record<MarkdownContext, Map<string, string>> = { text: new Map(), cell: new Map(), code: new Map(), cellcode: new Map(), mermaid: new Map() };

function escapeString(s: string, context: MarkdownContext): string {
  const memo = cache[context];
  let out = memo.get(s);
  if (out === undefined) {
    const inline = normalizeInline(s);
    if (context === "mermaid") out = mermaidLabel(inline);
    else out = context === "code" || context === "cellcode" ? codeSpan(inline, context === "cellcode") : escapeText(inline);
    if (memo.size >= CACHE_LIMIT) memo.clear();
    memo.set(s, out);
  }
  return out;
}

/** Escapes one value for the given context. Throws on anything that is not a string or a finite number. */
export function escapeMarkdown(value: MarkdownValue, context: MarkdownContext = "text"): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`markdown value must be a finite number (value: ${value})`);
    value = String(value);
  }
  if (typeof value !== "string") throw new TypeError(`markdown value must be a string or a number (value: ${String(value)})`);
  if (!MARKDOWN_CONTEXTS.includes(context)) throw new TypeError(`unknown markdown context (value: "${String(context)}")`);
  return escapeString(value, context);
}

/** Escapes each value and joins them with `, `; the form lists of names take in a cell or a sentence. */
export function escapeMarkdownList(values: readonly MarkdownValue[], context: MarkdownContext = "text"): string {
  let out = "";
  for (const v of values) {
    const s = escapeMarkdown(v, context);
    if (s !== "") out = out === "" ? s : `${out}, ${s}`;
  }
  return out;
}

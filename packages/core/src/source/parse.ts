/**
 * Parser for the official page "Required outbound network rules" as Microsoft publishes it (English and
 * French Markdown). Table structure comes from markdown-it; regular expressions only ever look at the
 * text of one cell or one inline run.
 */
import MarkdownIt from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";
import { CidrError, parseCidr } from "../cidr.js";
import { formatPortRange, mergePortRanges } from "../emit/ports.js";
import type { Locale, PortRange, SourceTable } from "../types.js";
import { canonicalTag, normalizeLabel, regionPlaceholder, stripLeadIn, tagForLabel } from "./labels.js";

/** One rule row found on the page. Line numbers are 1-based lines of the Markdown given. */
export interface SourceRow {
  readonly line: number;
  readonly table: SourceTable;
  /** Azure Global table: lower-case host name, `{region}` for the placeholder, without a `:443` suffix. */
  readonly endpoint?: string;
  /** Service-tag table: canonical tag name (as written when unknown); `Storage.{region}` for the regional row. */
  readonly tag?: string;
  /** The tag as the page spells it, when that differs from `tag` in letter case (`AzureFrontDoor.Firstparty`). */
  readonly writtenTag?: string;
  /** Whether `tag` is a tag this package knows (the dataset's tags); false for an unknown or misspelled one. */
  readonly tagKnown?: boolean;
  /** Address prefix (canonical CIDR text) from the prefix list or note. */
  readonly prefix?: string;
  /** Internal-ports table: the port, when the row gives one port. */
  readonly port?: number;
  /** Protocol as the page writes it, upper case; absent where the page gives none (prefixes, internal ports). */
  readonly protocol?: string;
  /** Ports from the Port column (or the internal port); empty where the page gives none (prefixes). */
  readonly ports: readonly PortRange[];
  /** Canonical tag of the service the row names as an alternative ("… Or ServiceTag - Azure Storage"). */
  readonly alternative?: string;
  /** The alternative's label as written ("Azure Storage"), also when no tag is known for it. */
  readonly alternativeLabel?: string;
  /** The destination cell (port cell for internal ports, the prefix text for prefixes) as Markdown source. */
  readonly asWritten: string;
}

export interface UnreadableLine {
  readonly line: number;
  /** The source line, verbatim. */
  readonly text: string;
  readonly reason: string;
  /** The table the line belongs to, when known. */
  readonly table?: SourceTable;
}

export interface ParsedSourcePage {
  readonly rows: readonly SourceRow[];
  readonly unreadable: readonly UnreadableLine[];
  readonly locale: Locale;
}

/** The input cannot be read as the page at all (not text, or no rule table in it). */
export class SourcePageError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = "SourcePageError";
  }
}

export interface ParseOptions {
  /** Tag names taken as known; their spelling is canonicalised without letter case. */
  readonly knownTags?: Iterable<string>;
}

const md = new MarkdownIt({ html: true, linkify: false, typographer: false });

type TableKind = SourceTable | "unknown";

interface Columns {
  readonly kind: TableKind;
  readonly dest: number;
  readonly proto: number;
  readonly port: number;
}

interface TableInfo {
  readonly columns: Columns;
  readonly headerLine: number;
  readonly lastLine: number;
  /** Markdown source of the header and delimiter rows, to read rows cut off from the table. */
  readonly headSource: string;
}

interface Context {
  readonly lines: readonly string[];
  readonly known: readonly string[];
  readonly rows: SourceRow[];
  readonly unreadable: UnreadableLine[];
}

const BREAK_TAG = /^<\s*\/?\s*br\s*\/?\s*>$/iu;

/** A cell's text as segments split at `<br>` / `</br>` and line breaks; code spans and escapes resolved. */
function cellSegments(inline: Token | undefined): string[] {
  const segments: string[] = [""];
  for (const child of inline?.children ?? []) {
    const last = segments.length - 1;
    switch (child.type) {
      case "softbreak":
      case "hardbreak":
        segments.push("");
        break;
      case "html_inline":
        if (BREAK_TAG.test(child.content.trim())) segments.push("");
        else segments[last] += child.content;
        break;
      case "link_open":
      case "link_close":
        break;
      case "image":
        segments[last] += child.content;
        break;
      case "em_open":
      case "em_close":
      case "strong_open":
      case "strong_close":
      case "s_open":
      case "s_close":
        segments[last] += child.markup;
        break;
      default:
        segments[last] += child.content;
    }
  }
  return segments.map((s) => s.replace(/\s+/gu, " ").trim());
}

function cellText(inline: Token | undefined): string {
  return cellSegments(inline)
    .filter((s) => s !== "")
    .join(" ");
}

function classify(headers: readonly string[]): Columns {
  const norm = headers.map((h) => normalizeLabel(h));
  const find = (re: RegExp): number => norm.findIndex((h) => re.test(h));
  const dest = find(/destination|endpoint|point de terminaison|étiquette|service tag/u);
  const proto = find(/^proto/u);
  const port = find(/^ports?$/u);
  let kind: TableKind = "unknown";
  if (dest >= 0 && proto >= 0 && port >= 0) {
    kind = /tag|étiquette/u.test(norm[dest] ?? "") ? "service-tags" : "azure-global";
  } else if (port >= 0 && dest < 0 && proto < 0) {
    kind = "internal-ports";
  }
  return { kind, dest, proto, port };
}

/** `443`, `443, 80`, `8000-8100`; an error message naming the value otherwise. */
export function parsePortCell(text: string): PortRange[] | string {
  const trimmed = text.trim();
  if (trimmed === "") return "the Port cell is empty";
  const out: PortRange[] = [];
  for (const piece of trimmed.split(/\s*(?:,|;|\/|\bet\b|\band\b)\s*/iu)) {
    const m = /^(\d{1,5})(?:\s*[-–]\s*(\d{1,5}))?$/u.exec(piece);
    if (!m) return `the Port cell "${trimmed}" is not a port, a list of ports or a range`;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > 65535 || from > to) return `the Port cell "${trimmed}" holds a port outside 1-65535 or a reversed range`;
    out.push({ from, to });
  }
  return mergePortRanges(out);
}

const HOST = /^(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/u;
const TAG = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*$/u;
const ALTERNATIVE_SPLIT = /\s+(?:or|ou)\s+/iu;

function rowCells(tokens: readonly Token[], start: number): { cells: Token[]; end: number } {
  const cells: Token[] = [];
  let i = start + 1;
  for (; i < tokens.length && tokens[i]?.type !== "tr_close"; i++) {
    const t = tokens[i];
    if (t?.type === "inline") cells.push(t);
  }
  return { cells, end: i };
}

function readProtocol(cell: Token | undefined): { value: string } | { error: string } {
  const text = cellText(cell);
  if (text === "") return { error: "the Protocol cell is empty" };
  const upper = text.toUpperCase();
  return /^[A-Z][A-Z0-9]*$/u.test(upper) ? { value: upper } : { error: `the Protocol cell "${text}" is not a protocol name` };
}

function addRow(ctx: Context, table: SourceTable, line: number, cells: readonly Token[], columns: Columns): void {
  const fail = (reason: string): void => {
    ctx.unreadable.push({ line, text: ctx.lines[line - 1] ?? "", reason, table });
  };
  if (table === "internal-ports") {
    const cell = cells[columns.port];
    const ports = parsePortCell(cellText(cell));
    if (typeof ports === "string") return fail(ports);
    const single = ports.length === 1 && ports[0]?.from === ports[0]?.to ? ports[0]?.from : undefined;
    ctx.rows.push({ line, table, ...(single === undefined ? {} : { port: single }), ports, asWritten: cell?.content.trim() ?? "" });
    return;
  }
  const proto = readProtocol(cells[columns.proto]);
  if ("error" in proto) return fail(proto.error);
  const protocol = proto.value;
  const ports = parsePortCell(cellText(cells[columns.port]));
  if (typeof ports === "string") return fail(ports);
  const destCell = cells[columns.dest];
  const asWritten = destCell?.content.trim() ?? "";
  const segments = cellSegments(destCell).filter((s) => s !== "");
  if (segments.length === 0) return fail("the destination cell is empty");

  if (table === "service-tags") {
    const text = regionPlaceholder(segments.join(" "));
    const regional = /\.\{region\}$/u.exec(text);
    const base = regional ? text.slice(0, regional.index) : text;
    const labelled = regional ? undefined : tagForLabel(base);
    if (labelled !== undefined) {
      // A service label ("Azure Storage") in the tag column names its tag; a label is not a misspelling.
      ctx.rows.push({ line, table, tag: labelled, tagKnown: true, protocol, ports, asWritten });
      return;
    }
    if (!TAG.test(base)) return fail(`the destination cell "${segments.join(" ")}" is neither a service tag name nor a known service label`);
    const canon = canonicalTag(base, ctx.known);
    const tag = (canon?.tag ?? base) + (regional ? ".{region}" : "");
    ctx.rows.push({
      line,
      table,
      tag,
      ...(canon?.respelled ? { writtenTag: base } : {}),
      tagKnown: canon !== undefined,
      protocol,
      ports,
      asWritten,
    });
    return;
  }

  // Azure Global: "host[:port]" then optionally "Or" / "ou" and the service named as an alternative.
  const parts = segments.join("\n").split(ALTERNATIVE_SPLIT).map((p) => p.replace(/\s+/gu, " ").trim());
  if (parts.length > 2) return fail(`the destination cell names ${parts.length - 1} alternatives; the page has only ever named one`);
  const [hostPart = "", altPart] = parts;
  if (/\s/u.test(hostPart)) return fail(`the destination "${hostPart}" is not one host name (an "Or" / "ou" separator may be missing)`);
  const suffix = /:(\d{1,5})$/u.exec(hostPart);
  const host = regionPlaceholder(suffix ? hostPart.slice(0, suffix.index) : hostPart).toLowerCase();
  if (!HOST.test(host.replace(/\{region\}/gu, "region"))) return fail(`the destination "${hostPart}" is not a host name`);
  if (suffix) {
    const port = Number(suffix[1]);
    if (!ports.some((r) => r.from <= port && port <= r.to)) {
      return fail(`the destination says :${port} but the Port column says ${ports.map((r) => formatPortRange(r)).join(", ")}`);
    }
  }
  let alternative: string | undefined;
  let alternativeLabel: string | undefined;
  if (altPart !== undefined) {
    alternativeLabel = stripLeadIn(altPart);
    if (alternativeLabel === "") return fail('nothing follows "Or" / "ou" in the destination cell');
    alternative = tagForLabel(alternativeLabel) ?? (TAG.test(alternativeLabel) ? canonicalTag(alternativeLabel, ctx.known)?.tag : undefined);
  }
  ctx.rows.push({
    line,
    table,
    endpoint: host,
    protocol,
    ports,
    ...(alternative === undefined ? {} : { alternative }),
    ...(alternativeLabel === undefined ? {} : { alternativeLabel }),
    asWritten,
  });
}

/** Reads the body rows of a table whose tokens start at `start` (table_open); returns the index after it. */
function readTable(ctx: Context, tokens: readonly Token[], start: number, lineOffset: number, known?: Columns): { end: number; info?: TableInfo } {
  const open = tokens[start];
  const headers: Token[] = [];
  let i = start + 1;
  for (; i < tokens.length && tokens[i]?.type !== "thead_close"; i++) {
    const t = tokens[i];
    if (t?.type === "inline") headers.push(t);
  }
  const columns = known ?? classify(headers.map((h) => cellText(h)));
  const headerLine = (open?.map?.[0] ?? 0) + 1 + lineOffset;
  const lastLine = (open?.map?.[1] ?? 0) + lineOffset;
  const body: Array<{ line: number; cells: Token[] }> = [];
  for (; i < tokens.length && tokens[i]?.type !== "table_close"; i++) {
    const t = tokens[i];
    if (t?.type === "tr_open" && t.map) {
      const { cells, end } = rowCells(tokens, i);
      body.push({ line: t.map[0] + 1 + lineOffset, cells });
      i = end;
    }
  }
  if (columns.kind === "unknown") {
    ctx.unreadable.push({
      line: headerLine,
      text: ctx.lines[headerLine - 1] ?? "",
      reason: `a table that is not one of the page's rule tables (header "${headers.map((h) => cellText(h)).join(" | ")}"); its ${body.length} rows were not read`,
    });
    return { end: i };
  }
  for (const row of body) addRow(ctx, columns.kind, row.line, row.cells, columns);
  const headSource = ctx.lines.slice(headerLine - 1, headerLine + 1).join("\n");
  return { end: i, info: { columns, headerLine, lastLine, headSource } };
}

const CIDR_IN_TEXT = /(?<![\w.:/])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})\/\d{1,3}(?![\w.])/giu;

/** Address prefixes in running text (the bullet list or the NOTE of the page), one row each. */
function scanPrefixes(ctx: Context, inline: Token): void {
  let line = (inline.map?.[0] ?? 0) + 1;
  for (const child of inline.children ?? []) {
    if (child.type === "softbreak" || child.type === "hardbreak") {
      line++;
      continue;
    }
    if (child.type !== "text" && child.type !== "code_inline") continue;
    for (const m of child.content.matchAll(CIDR_IN_TEXT)) {
      try {
        const parsed = parseCidr(m[0]);
        ctx.rows.push({ line, table: "prefixes", prefix: parsed.text, ports: [], asWritten: m[0] });
      } catch (e) {
        const reason = e instanceof CidrError ? e.message : String(e);
        ctx.unreadable.push({ line, text: ctx.lines[line - 1] ?? "", reason, table: "prefixes" });
      }
    }
  }
}

/**
 * A paragraph holding `| … |` lines. Right after a table with only blank lines between, the table was cut
 * in half: the cut is reported and the rows are read under that table's header. Otherwise each such line
 * is reported unread. Returns whether the paragraph was taken as a cut table's rows.
 */
function readOrphanRows(ctx: Context, inline: Token, previous: TableInfo | undefined): boolean {
  const first = (inline.map?.[0] ?? 0) + 1;
  const sourceLines = ctx.lines.slice(first - 1, inline.map?.[1] ?? first);
  const pipeLines = sourceLines.map((l) => l.trim().startsWith("|"));
  if (!pipeLines.includes(true)) return false;
  const gapIsBlank = previous !== undefined && ctx.lines.slice(previous.lastLine, first - 1).every((l) => l.trim() === "");
  if (previous && gapIsBlank && pipeLines.every(Boolean)) {
    const table = previous.columns.kind === "unknown" ? {} : { table: previous.columns.kind };
    ctx.unreadable.push({
      line: first,
      text: ctx.lines[first - 1] ?? "",
      reason: `the table of line ${previous.headerLine} is cut in half: it ends at line ${previous.lastLine} and this line starts a paragraph of table rows (read with that table's header)`,
      ...table,
    });
    // Re-parse the cut-off rows under the table's own header and delimiter rows, with the same parser.
    const tokens = md.parse(`${previous.headSource}\n${sourceLines.join("\n")}\n`, {});
    const open = tokens.findIndex((t) => t.type === "table_open");
    if (open >= 0) readTable(ctx, tokens, open, first - 3, previous.columns);
    return true;
  }
  pipeLines.forEach((isPipe, k) => {
    if (!isPipe) return;
    ctx.unreadable.push({
      line: first + k,
      text: ctx.lines[first + k - 1] ?? "",
      reason: previous
        ? `a table row outside any table (the table of line ${previous.headerLine} ends at line ${previous.lastLine}); not read`
        : "a table row outside any table (no header and delimiter row above it); not read",
    });
  });
  return false;
}

function frontMatter(lines: string[]): { locale?: Locale } {
  if (lines[0]?.trim() !== "---") return {};
  const end = lines.findIndex((l, k) => k > 0 && (l.trim() === "---" || l.trim() === "..."));
  if (end < 0) return {};
  let locale: Locale | undefined;
  for (let k = 0; k <= end; k++) {
    const m = /^\s*ms\.(?:contentlocale|locale)\s*:\s*["']?([a-z]{2})/iu.exec(lines[k] ?? "");
    if (m?.[1]) locale = m[1].toLowerCase() === "fr" ? "fr" : "en";
    lines[k] = "";
  }
  return locale ? { locale } : {};
}

function guessLocale(headers: string): Locale {
  return /utilisation|point de terminaison|étiquette|protocole/iu.test(headers) ? "fr" : "en";
}

/**
 * Reads the rule tables of the page: the Azure Global table (FQDN with its alternative), the service-tag
 * table, the address prefixes (bullet list or NOTE) and the internal ports. Lines it cannot read are
 * returned in `unreadable`, never skipped. Throws `SourcePageError` when the text holds no rule table.
 */
export function parseSourcePage(markdown: string, options: ParseOptions = {}): ParsedSourcePage {
  if (typeof markdown !== "string") throw new SourcePageError(1, `expected the page's Markdown text, got ${typeof markdown}`);
  const nul = markdown.indexOf("\u0000");
  if (nul >= 0) throw new SourcePageError(markdown.slice(0, nul).split("\n").length, "the file holds a NUL byte: it is not a Markdown page");
  const original = markdown.replace(/\r\n?/gu, "\n").split("\n");
  const blanked = [...original];
  const meta = frontMatter(blanked);
  const ctx: Context = { lines: original, known: [...(options.knownTags ?? [])], rows: [], unreadable: [] };
  const tokens = md.parse(blanked.join("\n"), {});
  let previous: TableInfo | undefined;
  let ruleTables = 0;
  let headerText = "";
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    if (t.type === "table_open") {
      const { end, info } = readTable(ctx, tokens, i, 0);
      headerText += ` ${ctx.lines[(t.map?.[0] ?? 0)] ?? ""}`;
      if (info) ruleTables++;
      previous = info ?? previous;
      i = end;
      continue;
    }
    if (t.type === "html_block" && /<table\b/iu.test(t.content)) {
      const line = (t.map?.[0] ?? 0) + 1;
      ctx.unreadable.push({ line, text: ctx.lines[line - 1] ?? "", reason: "an HTML table: only Markdown tables are read" });
      continue;
    }
    if (t.type === "heading_open" || t.type === "bullet_list_open" || t.type === "ordered_list_open" || t.type === "blockquote_open") {
      previous = undefined;
    }
    if (t.type === "inline") {
      if (tokens[i - 1]?.type === "paragraph_open") {
        const cut = readOrphanRows(ctx, t, previous);
        if (cut) continue;
        previous = undefined;
      }
      scanPrefixes(ctx, t);
    }
  }
  if (ruleTables === 0) {
    throw new SourcePageError(
      1,
      'no rule table found: expected a table headed "Destination endpoint | Protocol | Port | Use", "Destination service tag | …", "Port | Use" or their French forms',
    );
  }
  const locale = meta.locale ?? guessLocale(headerText);
  const rows = [...ctx.rows].sort((a, b) => a.line - b.line);
  const unreadable = [...ctx.unreadable].sort((a, b) => a.line - b.line);
  return { rows, unreadable, locale };
}

/**
 * Parser for the official page "Required outbound network rules" as Microsoft publishes it, in English or
 * in a translation whose names the locale catalogue knows. Table structure comes from markdown-it;
 * regular expressions only ever look at the text of one cell or one inline run.
 */
import MarkdownIt from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";
import { CidrError, parseCidr } from "../cidr.js";
import { formatPortRange, mergePortRanges } from "../emit/ports.js";
import { nearest } from "../suggest.js";
import type { PortRange, SourceTable } from "../types.js";
import { detectLocale, vocabularyFor, type ColumnRole, type ConnectorRole, type LocaleCatalogue, type PageVocabulary } from "./catalogue.js";
import { canonicalTag, regionPlaceholder } from "./labels.js";
import { CIDR_IN_TEXT, collectSections, type ProseSection } from "./prose.js";

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
  /** The translated name the tag column writes for `tag` ("Stockage"), found in the locale catalogue. */
  readonly translatedName?: string;
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
  /** The alternative's label is a name the catalogue lacks: reported unreadable, not as a different alternative. */
  readonly alternativeUnknown?: boolean;
  /** The destination cell (port cell for internal ports, the prefix text for prefixes) as Markdown source. */
  readonly asWritten: string;
}

/** A name on the page that the locale catalogue lacks: a column label, a tag's or a service's name. */
export interface UnknownName {
  readonly kind: "column" | "connector" | "tag" | "service";
  readonly written: string;
  /** The catalogue locale the entry belongs to (the page's). */
  readonly locale: string;
  /** For a column: the role its cells show (the table was read by its content); for a connector, `or`. */
  readonly role?: ColumnRole | ConnectorRole;
}

export interface UnreadableLine {
  readonly line: number;
  /** The source line, verbatim. */
  readonly text: string;
  readonly reason: string;
  /** The table the line belongs to, when known. */
  readonly table?: SourceTable;
  /** Set when the line is unreadable because of a name the catalogue lacks. */
  readonly unknownName?: UnknownName;
  /** For an unknown name: the catalogue entry to add (set by the comparison, which knows what the row stands for). */
  readonly catalogueEntry?: string;
  /** For an unknown name: the requirement the row stands for in the revision compared with. */
  readonly requirementId?: string;
}

/** How the page's locale was found: its front matter (`ms.contentlocale`), its text, or the caller. */
export type LocaleOrigin = "front-matter" | "text" | "option";

export interface ParsedSourcePage {
  readonly rows: readonly SourceRow[];
  readonly unreadable: readonly UnreadableLine[];
  /** ISO 639-1 code of the page's language (`en`, `fr`, `de`...). */
  readonly locale: string;
  readonly localeFrom: LocaleOrigin;
  /** Whether the locale catalogue has that locale (English always). */
  readonly localeKnown: boolean;
  /** Every section's prose outside the rule tables, in page order. */
  readonly sections: readonly ProseSection[];
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
  /** The names translated pages use, per locale (English included); without it only tag names are read. */
  readonly catalogues?: readonly LocaleCatalogue[];
  /** The page's locale, instead of the one its front matter or its text gives. */
  readonly locale?: string;
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
  readonly vocabulary: PageVocabulary;
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

const PROTOCOL_CELL = /^[A-Za-z][A-Za-z0-9]*$/u;
/** A host name as the Azure Global table writes it: lower case, dots, maybe `<region>`, `*.` or `:443`. */
const HOST_CELL = /^(?:\*\.)?[a-z0-9<>{}-]+(?:\.[a-z0-9<>{}-]+)+(?::\d+)?$/u;

/** The rule table a table is, from its column labels; the roles found and the labels the vocabulary lacks. */
function classifyByLabels(headers: readonly string[], vocabulary: PageVocabulary): { columns: Columns; unknown: number[] } {
  const roles = headers.map((h) => vocabulary.columnRole(h));
  const find = (role: ColumnRole): number => roles.indexOf(role);
  const endpoint = find("endpoint");
  const tag = find("tag");
  const dest = endpoint >= 0 ? endpoint : tag;
  const proto = find("protocol");
  const port = find("port");
  const unknown = roles.flatMap((r, i) => (r === undefined ? [i] : []));
  let kind: TableKind = "unknown";
  if (dest >= 0 && proto >= 0 && port >= 0) kind = endpoint >= 0 ? "azure-global" : "service-tags";
  else if (port >= 0 && dest < 0 && proto < 0) kind = "internal-ports";
  return { columns: { kind, dest, proto, port }, unknown };
}

/**
 * The rule table a table is by its cells, for column labels the vocabulary lacks: a column of protocol
 * names and a column of ports make an outbound table (host names in the first other column: the Azure
 * Global table, else the service-tag table); a first column of ports and one other, the internal ports.
 */
function classifyByCells(body: ReadonlyArray<readonly string[]>, width: number): Columns {
  const unknown: Columns = { kind: "unknown", dest: -1, proto: -1, port: -1 };
  if (body.length === 0) return unknown;
  const every = (col: number, test: (text: string) => boolean): boolean => body.every((cells) => test(cells[col] ?? ""));
  const isPorts = (t: string): boolean => typeof parsePortCell(t) !== "string";
  const columns = Array.from({ length: width }, (_, i) => i);
  if (width === 2 && every(0, isPorts)) return { kind: "internal-ports", dest: -1, proto: -1, port: 0 };
  const proto = columns.find((i) => every(i, (t) => PROTOCOL_CELL.test(t) && !isPorts(t)));
  const port = columns.find((i) => i !== proto && every(i, isPorts));
  const dest = columns.find((i) => i !== proto && i !== port);
  if (proto === undefined || port === undefined || dest === undefined) return unknown;
  const hostLike = every(dest, (t) => HOST_CELL.test(t.replace(/[`\\]/gu, "").split(/\s/u)[0] ?? ""));
  return { kind: hostLike ? "azure-global" : "service-tags", dest, proto, port };
}

/** The role a column has in a table read by its cells. */
function roleOf(columns: Columns, index: number): ColumnRole {
  if (index === columns.dest) return columns.kind === "azure-global" ? "endpoint" : "tag";
  if (index === columns.proto) return "protocol";
  if (index === columns.port) return "port";
  return "use";
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

interface RowInput {
  readonly line: number;
  readonly protocol: string;
  readonly ports: PortRange[];
  readonly asWritten: string;
  /** The destination cell's text segments (split at line breaks), without empty ones. */
  readonly segments: readonly string[];
  readonly fail: (reason: string, unknownName?: UnknownName) => void;
}

/** Why a name of the page is unreadable: the catalogue (of the page's locale and English) lacks it. */
function unknownNameReason(ctx: Context, kind: UnknownName["kind"], written: string): string {
  const { locale, known } = ctx.vocabulary;
  const what = { column: "column label", connector: "connector", tag: "service-tag column's name", service: "service name" }[kind];
  const catalogue = !known ? `the catalogue has no locale "${locale}"` : locale === "en" ? "the en catalogue lacks it" : `the ${locale} and en catalogues lack it`;
  return `the ${what} "${written}" is ${kind === "tag" ? "not a service tag name and " : ""}not a name the page is known to use: ${catalogue}`;
}

function addTagRow(ctx: Context, row: RowInput): void {
  const { line, protocol, ports, asWritten, segments } = row;
  const text = regionPlaceholder(segments.join(" "));
  const regional = /\.\{region\}$/u.exec(text);
  const base = regional ? text.slice(0, regional.index) : text;
  const named = regional ? undefined : (ctx.vocabulary.tagForService(base) ?? ctx.vocabulary.tagForName(base));
  if (named !== undefined) {
    // A service label ("Azure Storage") or a translated name ("Stockage") in the tag column names its tag.
    const translated = ctx.vocabulary.tagForName(base) === named ? { translatedName: base } : {};
    ctx.rows.push({ line, table: "service-tags", tag: named, ...translated, tagKnown: true, protocol, ports, asWritten });
    return;
  }
  const canon = TAG.test(base) ? canonicalTag(base, ctx.known) : undefined;
  // On a translated page a name that is not a tag is first a translation the catalogue lacks, not a new tag.
  if (!canon && (!TAG.test(base) || ctx.vocabulary.locale !== "en")) {
    const near = nearest(base, ctx.known);
    const reason = unknownNameReason(ctx, "tag", segments.join(" ")) + (near ? ` (the nearest tag is ${near})` : "");
    return row.fail(reason, { kind: "tag", written: base, locale: ctx.vocabulary.locale });
  }
  ctx.rows.push({
    line,
    table: "service-tags",
    tag: (canon?.tag ?? base) + (regional ? ".{region}" : ""),
    ...(canon?.respelled ? { writtenTag: base } : {}),
    tagKnown: canon !== undefined,
    protocol,
    ports,
    asWritten,
  });
}

/** "host WORD alternative" where WORD is one word the vocabulary does not know as "Or": an unknown connector. */
function unknownConnector(text: string): { host: string; word: string; alternative: string } | undefined {
  const m = /^(\S+)\s+(\p{L}+)\s+(\S.*)$/u.exec(text);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  const host = regionPlaceholder(m[1].replace(/:\d{1,5}$/u, "")).toLowerCase();
  return HOST.test(host.replace(/\{region\}/gu, "region")) ? { host: m[1], word: m[2], alternative: m[3] } : undefined;
}

/** The tag an alternative names: a service name of the catalogue, or a tag name written as such. */
function alternativeTag(ctx: Context, label: string): string | undefined {
  return ctx.vocabulary.tagForService(label) ?? (TAG.test(label) ? canonicalTag(label, ctx.known)?.tag : undefined);
}

/** Azure Global: "host[:port]" then optionally "Or" / "ou" / "oder" and the service named as an alternative. */
function addGlobalRow(ctx: Context, row: RowInput): void {
  const { line, protocol, ports, asWritten, segments, fail } = row;
  let parts = segments
    .join("\n")
    .split(ctx.vocabulary.alternativeSplit)
    .map((p) => p.replace(/\s+/gu, " ").trim());
  if (parts.length > 2) return fail(`the destination cell names ${parts.length - 1} alternatives; the page has only ever named one`);
  const connector = parts.length === 1 ? unknownConnector(parts[0] ?? "") : undefined;
  if (connector) parts = [connector.host, connector.alternative];
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
  const alternativeLabel = altPart === undefined ? undefined : ctx.vocabulary.stripLeadIn(altPart);
  if (alternativeLabel === "") return fail('nothing follows "Or" / "ou" in the destination cell');
  const alternative = alternativeLabel === undefined ? undefined : alternativeTag(ctx, alternativeLabel);
  const unknown = alternativeLabel !== undefined && alternative === undefined;
  ctx.rows.push({
    line,
    table: "azure-global",
    endpoint: host,
    protocol,
    ports,
    ...(alternative === undefined ? {} : { alternative }),
    ...(alternativeLabel === undefined ? {} : { alternativeLabel }),
    ...(unknown ? { alternativeUnknown: true } : {}),
    asWritten,
  });
  // The row is read; its connector or its alternative's name is what the catalogue lacks.
  if (connector) fail(unknownNameReason(ctx, "connector", connector.word), { kind: "connector", written: connector.word, locale: ctx.vocabulary.locale, role: "or" });
  if (unknown) fail(unknownNameReason(ctx, "service", alternativeLabel), { kind: "service", written: alternativeLabel, locale: ctx.vocabulary.locale });
}

function addRow(ctx: Context, table: SourceTable, line: number, cells: readonly Token[], columns: Columns): void {
  const fail = (reason: string, unknownName?: UnknownName): void => {
    ctx.unreadable.push({ line, text: ctx.lines[line - 1] ?? "", reason, table, ...(unknownName ? { unknownName } : {}) });
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
  const ports = parsePortCell(cellText(cells[columns.port]));
  if (typeof ports === "string") return fail(ports);
  const destCell = cells[columns.dest];
  const segments = cellSegments(destCell).filter((s) => s !== "");
  if (segments.length === 0) return fail("the destination cell is empty");
  const row: RowInput = { line, protocol: proto.value, ports, asWritten: destCell?.content.trim() ?? "", segments, fail };
  if (table === "service-tags") addTagRow(ctx, row);
  else addGlobalRow(ctx, row);
}

/**
 * The columns of a table: by its labels, else by its cells. Each label the vocabulary lacks in a rule
 * table is reported on the header line with the role its cells show.
 */
function tableColumns(ctx: Context, headers: readonly string[], body: ReadonlyArray<{ cells: Token[] }>, headerLine: number): Columns {
  const byLabels = classifyByLabels(headers, ctx.vocabulary);
  if (byLabels.unknown.length === 0) return byLabels.columns;
  // With labels missing, the cells say more than the labels left (a lone "Port" is not the internal-ports table).
  const byCells = classifyByCells(
    body.map((r) => r.cells.map((c) => cellText(c))),
    headers.length,
  );
  const columns = byCells.kind === "unknown" ? byLabels.columns : byCells;
  if (columns.kind === "unknown") return columns;
  for (const index of byLabels.unknown) {
    const written = headers[index] ?? "";
    const role = roleOf(columns, index);
    ctx.unreadable.push({
      line: headerLine,
      text: ctx.lines[headerLine - 1] ?? "",
      reason: `${unknownNameReason(ctx, "column", written)}; its cells read as the ${role} column`,
      table: columns.kind,
      unknownName: { kind: "column", written, locale: ctx.vocabulary.locale, role },
    });
  }
  return columns;
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
  const headerTexts = headers.map((h) => cellText(h));
  const columns = known ?? tableColumns(ctx, headerTexts, body, headerLine);
  if (columns.kind === "unknown") {
    ctx.unreadable.push({
      line: headerLine,
      text: ctx.lines[headerLine - 1] ?? "",
      reason: `a table that is not one of the page's rule tables (header "${headerTexts.join(" | ")}"); its ${body.length} rows were not read`,
    });
    return { end: i };
  }
  for (const row of body) addRow(ctx, columns.kind, row.line, row.cells, columns);
  const headSource = ctx.lines.slice(headerLine - 1, headerLine + 1).join("\n");
  return { end: i, info: { columns, headerLine, lastLine, headSource } };
}

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

/** The `ms.contentlocale` (or `ms.locale`) of the front matter, as its ISO 639-1 part; blanks the front matter. */
function frontMatter(lines: string[]): { locale?: string } {
  if (lines[0]?.trim() !== "---") return {};
  const end = lines.findIndex((l, k) => k > 0 && (l.trim() === "---" || l.trim() === "..."));
  if (end < 0) return {};
  let locale: string | undefined;
  for (let k = 0; k <= end; k++) {
    const m = /^\s*ms\.(?:contentlocale|locale)\s*:\s*["']?([a-z]{2})\b/iu.exec(lines[k] ?? "");
    if (m?.[1]) locale = m[1].toLowerCase();
    lines[k] = "";
  }
  return locale ? { locale } : {};
}

/** Every table's header labels and body cells, for telling the page's language. */
function tableTexts(tokens: readonly Token[]): { headers: string[]; cells: string[] } {
  const headers: string[] = [];
  const cells: string[] = [];
  let inHead = false;
  let inTable = false;
  for (const t of tokens) {
    if (t.type === "table_open" || t.type === "table_close") inTable = t.type === "table_open";
    if (t.type === "thead_open" || t.type === "thead_close") inHead = t.type === "thead_open";
    if (t.type === "inline" && inTable) (inHead ? headers : cells).push(cellSegments(t).join(" "));
  }
  return { headers, cells };
}

/** The page's locale: the caller's, the front matter's, or the one its table labels and connectors use. */
function pageLocale(options: ParseOptions, meta: { locale?: string }, tokens: readonly Token[]): { locale: string; from: LocaleOrigin } {
  if (options.locale !== undefined) return { locale: options.locale, from: "option" };
  if (meta.locale !== undefined) return { locale: meta.locale, from: "front-matter" };
  const { headers, cells } = tableTexts(tokens);
  return { locale: detectLocale(options.catalogues ?? [], headers, cells), from: "text" };
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
  const tokens = md.parse(blanked.join("\n"), {});
  const { locale, from } = pageLocale(options, meta, tokens);
  const vocabulary = vocabularyFor(options.catalogues ?? [], locale);
  const ctx: Context = { lines: original, known: [...(options.knownTags ?? [])], vocabulary, rows: [], unreadable: [] };
  let previous: TableInfo | undefined;
  let ruleTables = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    if (t.type === "table_open") {
      const { end, info } = readTable(ctx, tokens, i, 0);
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
      'no rule table found: expected a table headed "Destination endpoint | Protocol | Port | Use", "Destination service tag | …", "Port | Use" or their translations',
    );
  }
  const rows = [...ctx.rows].sort((a, b) => a.line - b.line);
  const unreadable = [...ctx.unreadable].sort((a, b) => a.line - b.line);
  return { rows, unreadable, locale, localeFrom: from, localeKnown: vocabulary.known, sections: collectSections(tokens, original) };
}

/** Compares a copy of the official page (its rule rows and its prose) with one revision of the dataset. */
import { parseCidr } from "../cidr.js";
import { currentRevision, getRevision } from "../dataset.js";
import { formatPortRange, mergePortRanges } from "../emit/ports.js";
import { sortBy } from "../order.js";
import { nearest } from "../suggest.js";
import type { PortRange, Requirement, Revision, SourceTable } from "../types.js";
import { catalogueFile } from "./catalogue.js";
import { regionPlaceholder } from "./labels.js";
import { parseSourcePage, type LocaleOrigin, type ParsedSourcePage, type ParseOptions, type SourceRow, type UnreadableLine } from "./parse.js";
import { compareProse, type ProseComparison, type RecordedProse } from "./prose.js";

/** What differs in a row both sides have: its identity (a near spelling), protocol, ports, alternative, tag spelling. */
export type SourceDiffField = "endpoint" | "tag" | "prefix" | "port" | "protocol" | "ports" | "alternative" | "spelling";

export interface SourceDiff {
  /**
   * 1-based line of the page: the row's line; for a row missing from the page, the line where it would
   * stand (the next row of its table present on the page, or the unreadable line that holds it), or null
   * when its whole table is absent from the page.
   */
  readonly line: number | null;
  readonly table: SourceTable;
  /** The row's identity: endpoint, tag, prefix or port(s). */
  readonly key: string;
  /** The dataset requirement, when the row has one in the revision. */
  readonly requirementId?: string;
  /** For `differing`: which field differs. */
  readonly field?: SourceDiffField;
  /** The page's value of the field (or the row as written). */
  readonly page?: string;
  /** The revision's value of the field. */
  readonly revision?: string;
  /** One human-readable sentence. */
  readonly message: string;
}

export interface SourceComparison {
  /** The revision compared with. */
  readonly revision: string;
  /** The page's locale (ISO 639-1) and how it was found. */
  readonly locale: string;
  readonly localeFrom: LocaleOrigin;
  /** No rule difference, no unreadable line, and no prose change where the prose was compared. */
  readonly matches: boolean;
  /** No rule difference and no unreadable line: the tables alone match. */
  readonly rulesMatch: boolean;
  /** Rows read from the page / rows the revision has (a prefix list counts one per prefix). */
  readonly pageRows: number;
  readonly revisionRows: number;
  /** Rows the page has and the revision lacks. */
  readonly missingFromRevision: readonly SourceDiff[];
  /** Rows the revision has and the page lacks. */
  readonly missingFromPage: readonly SourceDiff[];
  /** Rows both have that differ in a field. */
  readonly differing: readonly SourceDiff[];
  /** Lines of the page that could not be read (a name the catalogue lacks carries the entry to add). */
  readonly unreadable: readonly UnreadableLine[];
  /** The sections outside the rule tables, compared with the text the revision records in the page's locale. */
  readonly prose: ProseComparison;
}

export interface CompareOptions extends ParseOptions {
  /** The prose the data records, per revision and locale. */
  readonly prose?: readonly RecordedProse[];
}

interface Expected {
  readonly table: SourceTable;
  readonly key: string;
  readonly requirement: Requirement;
  readonly protocol: string;
  readonly ports: readonly PortRange[];
  /** For the Azure Global table: the tag the row names as an alternative, or undefined for none. */
  readonly alternative: string | undefined;
  /** Service-tag spellings the revision's page is known to have (from `provenance.asWritten`). */
  readonly writtenTags: readonly string[];
  readonly index: number;
}

const KEY_FIELD: Record<SourceTable, SourceDiffField> = {
  "azure-global": "endpoint",
  "service-tags": "tag",
  prefixes: "prefix",
  "internal-ports": "port",
};

/** The name a report gives each table of the page. */
export const TABLE_NAME: Record<SourceTable, string> = {
  "azure-global": "Azure Global table",
  "service-tags": "service-tag table",
  prefixes: "address prefixes",
  "internal-ports": "internal ports table",
};

function portsText(ports: readonly PortRange[]): string {
  return mergePortRanges(ports)
    .map((r) => formatPortRange(r))
    .join(",");
}

function tagKey(tag: string, regionalOnly: boolean | undefined): string {
  return regionalOnly ? `${tag}.{region}` : tag;
}

/** A tag as a revision's page wrote it, without code marks, escapes or the regional suffix. */
function writtenTagOf(asWritten: string): string {
  return regionPlaceholder(asWritten.replace(/[`\\]/gu, "").trim()).replace(/\.\{region\}$/u, "");
}

function expectedRows(revision: Revision): Expected[] {
  const out: Expected[] = [];
  for (const req of revision.requirements) {
    const table = req.provenance.table;
    const written = req.provenance.asWritten[revision.id];
    const base = { table, requirement: req, protocol: req.protocol, ports: req.ports, writtenTags: written === undefined ? [] : [writtenTagOf(written)] };
    const tags = req.destinations.flatMap((d) => (d.type === "serviceTag" ? [tagKey(d.tag, d.regionalOnly)] : []));
    if (table === "azure-global") {
      for (const d of req.destinations) {
        if (d.type === "fqdn") out.push({ ...base, key: d.fqdn.toLowerCase(), alternative: tags[0], index: out.length });
      }
    } else if (table === "service-tags") {
      for (const t of tags) out.push({ ...base, key: t, alternative: undefined, index: out.length });
    } else if (table === "prefixes") {
      for (const d of req.destinations) {
        if (d.type !== "prefixes") continue;
        for (const p of d.prefixes) out.push({ ...base, key: parseCidr(p).text, alternative: undefined, index: out.length });
      }
    } else {
      out.push({ ...base, key: portsText(req.ports), alternative: undefined, index: out.length });
    }
  }
  return out;
}

function rowKey(row: SourceRow): string {
  switch (row.table) {
    case "azure-global":
      return row.endpoint ?? "";
    case "service-tags":
      return row.tag ?? "";
    case "prefixes":
      return row.prefix ?? "";
    default:
      return portsText(row.ports);
  }
}

export function show(value: string | undefined): string {
  return value === undefined ? "none" : JSON.stringify(value);
}

/** The fields of a page row that differ from the revision's row. */
function fieldDiffs(row: SourceRow, exp: Expected, revisionId: string): SourceDiff[] {
  const out: SourceDiff[] = [];
  const key = exp.key;
  const base = { line: row.line, table: row.table, key, requirementId: exp.requirement.id };
  const pageKey = rowKey(row);
  if (pageKey !== key) {
    const field = KEY_FIELD[row.table];
    out.push({ ...base, field, page: pageKey, revision: key, message: `${field} ${show(pageKey)} where revision ${revisionId} has ${show(key)}` });
  }
  if (row.protocol !== undefined && row.protocol !== exp.protocol) {
    out.push({ ...base, field: "protocol", page: row.protocol, revision: exp.protocol, message: `protocol ${row.protocol} where revision ${revisionId} has ${exp.protocol}` });
  }
  if (row.table !== "prefixes" && row.table !== "internal-ports") {
    const p = portsText(row.ports);
    const r = portsText(exp.ports);
    if (p !== r) out.push({ ...base, field: "ports", page: p, revision: r, message: `port ${p} where revision ${revisionId} has ${r}` });
  }
  // An alternative named in words the catalogue lacks is an unreadable line with the entry to add, not a difference.
  if (row.table === "azure-global" && row.alternative !== exp.alternative && !row.alternativeUnknown) {
    const page = row.alternative ?? (row.alternativeLabel === undefined ? undefined : `"${row.alternativeLabel}" (no known tag)`);
    out.push({
      ...base,
      field: "alternative",
      ...(page === undefined ? {} : { page }),
      ...(exp.alternative === undefined ? {} : { revision: exp.alternative }),
      message: `alternative ${row.alternative ?? (row.alternativeLabel === undefined ? "none" : `"${row.alternativeLabel}", which names no known tag,`)} where revision ${revisionId} has ${exp.alternative ?? "none"}`,
    });
  }
  if (row.table === "service-tags" && pageKey === key && row.writtenTag !== undefined && !exp.writtenTags.includes(row.writtenTag)) {
    out.push({
      ...base,
      field: "spelling",
      page: row.writtenTag,
      revision: key.replace(/\.\{region\}$/u, ""),
      message: `tag spelled ${show(row.writtenTag)}: not the canonical ${show(key)} nor a spelling revision ${revisionId}'s page is known to have`,
    });
  }
  return out;
}

/** Words of an unreadable line, with code marks and escapes removed and `<region>` as `{region}`. */
function words(text: string): string[] {
  return regionPlaceholder(text.replace(/[`\\]/gu, ""))
    .split(/[\s|:,]+/u)
    .filter((w) => w !== "");
}

function sortDiffs(diffs: readonly SourceDiff[]): SourceDiff[] {
  return sortBy(
    diffs,
    (d) => d.line ?? Number.MAX_SAFE_INTEGER,
    (d) => d.table,
    (d) => d.key,
    (d) => d.field ?? "",
  );
}

interface Pairing {
  readonly pairs: Array<{ row: SourceRow; exp: Expected }>;
  readonly missing: Expected[];
  readonly missingFromRevision: SourceDiff[];
}

/** Rows pair by table and identity; a leftover page row pairs with a near leftover revision row of its table. */
function pairRows(rows: readonly SourceRow[], expected: readonly Expected[], revisionId: string): Pairing {
  const pending = new Map<string, Expected[]>();
  for (const e of expected) {
    const k = `${e.table}\u0000${e.key}`;
    pending.set(k, [...(pending.get(k) ?? []), e]);
  }
  const pairs: Array<{ row: SourceRow; exp: Expected }> = [];
  const extra: SourceRow[] = [];
  for (const row of rows) {
    const exp = pending.get(`${row.table}\u0000${rowKey(row)}`)?.shift();
    if (exp) pairs.push({ row, exp });
    else extra.push(row);
  }
  let missing = [...pending.values()].flat();
  const missingFromRevision: SourceDiff[] = [];
  for (const row of extra) {
    const key = rowKey(row);
    const candidates = missing.filter((e) => e.table === row.table);
    const near = nearest(key, candidates.map((e) => e.key));
    const exp = near === undefined ? undefined : candidates.find((e) => e.key === near);
    if (exp) {
      pairs.push({ row, exp });
      missing = missing.filter((e) => e !== exp);
      continue;
    }
    missingFromRevision.push({ line: row.line, table: row.table, key, page: row.asWritten, message: `${TABLE_NAME[row.table]} row ${show(key)} is not in revision ${revisionId}` });
  }
  return { pairs, missing, missingFromRevision };
}

/** The page lines between which a revision row would stand: after its table's previous paired row, before the next. */
function bracket(exp: Expected, expected: readonly Expected[], pairedLine: ReadonlyMap<Expected, number>): { after: number; before: number } {
  const next = expected.find((e) => e.table === exp.table && e.index > exp.index && pairedLine.has(e));
  const prev = [...expected].reverse().find((e) => e.table === exp.table && e.index < exp.index && pairedLine.has(e));
  return { after: prev ? (pairedLine.get(prev) ?? 0) : 0, before: next ? (pairedLine.get(next) ?? Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER };
}

/** The YAML entry that teaches the catalogue a name, and where it goes. */
function catalogueEntry(u: UnreadableLine, tag: string | undefined): string | undefined {
  const name = u.unknownName;
  if (!name) return undefined;
  const written = JSON.stringify(name.written);
  const entry =
    name.kind === "column" || name.kind === "connector"
      ? `${name.kind}s: - { role: ${name.role ?? "use"}, written: ${written}, sources: [...] }`
      : `${name.kind === "tag" ? "tags" : "services"}: - { written: ${written}, tag: ${tag ?? "<the tag it names>"}, sources: [...] }`;
  return `add to ${catalogueFile(name.locale)} under ${entry}`;
}

/**
 * Unknown names: a tag-column name stands for the revision row missing where it stands (that row is then
 * not reported missing); a service name for the alternative of its row. Each gets the catalogue entry to add.
 */
function resolveUnknownNames(
  unreadable: readonly UnreadableLine[],
  missing: Expected[],
  expected: readonly Expected[],
  pairs: ReadonlyArray<{ row: SourceRow; exp: Expected }>,
): { unreadable: UnreadableLine[]; missing: Expected[] } {
  const pairedLine = new Map<Expected, number>(pairs.map(({ row, exp }) => [exp, row.line]));
  let left = missing;
  const out = unreadable.map((u) => {
    if (u.unknownName?.kind === "tag") {
      const exp = sortBy(left, (e) => e.index).find((e) => {
        if (e.table !== "service-tags") return false;
        const { after, before } = bracket(e, expected, pairedLine);
        return after < u.line && u.line < before;
      });
      if (exp) left = left.filter((e) => e !== exp);
      const tag = exp?.key.replace(/\.\{region\}$/u, "");
      return { ...u, ...(exp ? { requirementId: exp.requirement.id } : {}), catalogueEntry: catalogueEntry(u, tag) as string };
    }
    if (u.unknownName?.kind === "service") {
      const exp = pairs.find((p) => p.row.line === u.line)?.exp;
      return { ...u, ...(exp ? { requirementId: exp.requirement.id } : {}), catalogueEntry: catalogueEntry(u, exp?.alternative) as string };
    }
    if (u.unknownName) return { ...u, catalogueEntry: catalogueEntry(u, undefined) as string };
    return u;
  });
  return { unreadable: out, missing: left };
}

/** Where each missing revision row would stand: an unreadable line holding it, else before the next row of its table. */
function missingRows(missing: readonly Expected[], expected: readonly Expected[], parsed: ParsedPage, pairs: Pairing["pairs"]): SourceDiff[] {
  const pairedLine = new Map<Expected, number>(pairs.map(({ row, exp }) => [exp, row.line]));
  const tableLines = new Map<SourceTable, number[]>();
  for (const row of parsed.rows) tableLines.set(row.table, [...(tableLines.get(row.table) ?? []), row.line]);
  return sortBy(missing, (e) => e.index).map((exp) => {
    const holds = (text: string): boolean => {
      const w = words(text).map((x) => x.toLowerCase());
      // A tag or a port identifies a row only as its first cell; a host name or prefix anywhere in it.
      const where = exp.table === "service-tags" || exp.table === "internal-ports" ? w.slice(0, 1) : w;
      return where.includes(exp.key.toLowerCase());
    };
    const holder = parsed.unreadable.find((u) => (u.table === undefined || u.table === exp.table) && holds(u.text));
    let line: number | null = holder?.line ?? null;
    let where = holder ? "unreadable line" : "";
    if (line === null) {
      const { after, before } = bracket(exp, expected, pairedLine);
      const lines = tableLines.get(exp.table);
      if (before !== Number.MAX_SAFE_INTEGER) line = before;
      else if (after > 0) line = after + 1;
      else if (lines?.length) line = Math.max(...lines) + 1;
      where = line === null ? `the page has no ${TABLE_NAME[exp.table]}` : "expected here";
    }
    const ports = exp.table === "azure-global" || exp.table === "service-tags" ? ` ${exp.protocol} ${portsText(exp.ports)}` : "";
    return {
      line,
      table: exp.table,
      key: exp.key,
      requirementId: exp.requirement.id,
      revision: exp.key,
      message: `${TABLE_NAME[exp.table]} row ${show(exp.key)}${ports} (requirement ${exp.requirement.id}) is not on the page (${where})`,
    };
  });
}

type ParsedPage = Pick<ParsedSourcePage, "rows" | "unreadable" | "locale" | "localeFrom"> & Partial<Pick<ParsedSourcePage, "sections">>;

/**
 * Compares a parsed copy of the official page with a revision of the dataset (default: the current one).
 * Rows pair by table and identity (endpoint, tag, prefix, port); a page row and a revision row left
 * unpaired in the same table whose identities are near (edit distance) pair as one difference of
 * spelling. A name the catalogue lacks is an unreadable line with the entry to add, never a difference.
 * The prose is compared with the text the revision records in the page's locale, when the data has one.
 * Throws `UnknownNameError` for an unknown revision.
 */
export function compareRows(parsed: ParsedPage, revisionId?: string, prose: readonly RecordedProse[] = []): SourceComparison {
  const revision = revisionId === undefined ? currentRevision : getRevision(revisionId);
  const expected = expectedRows(revision);
  const { pairs, missing: unpaired, missingFromRevision } = pairRows(parsed.rows, expected, revision.id);
  const resolved = resolveUnknownNames(parsed.unreadable, unpaired, expected, pairs);
  const differing = pairs.flatMap(({ row, exp }) => fieldDiffs(row, exp, revision.id));
  const missingFromPage = missingRows(resolved.missing, expected, { ...parsed, unreadable: resolved.unreadable }, pairs);
  const unreadable = sortBy(resolved.unreadable, (u) => u.line, (u) => u.reason);
  const recorded = prose.find((p) => p.revision === revision.id && p.locale === parsed.locale);
  const proseResult = compareProse(parsed.sections ?? [], recorded, parsed.locale, revision.id);
  const rulesMatch = missingFromRevision.length + missingFromPage.length + differing.length + unreadable.length === 0;
  return {
    revision: revision.id,
    locale: parsed.locale,
    localeFrom: parsed.localeFrom,
    matches: rulesMatch && proseResult.changes.length === 0,
    rulesMatch,
    pageRows: parsed.rows.length,
    revisionRows: expected.length,
    missingFromRevision: sortDiffs(missingFromRevision),
    missingFromPage: sortBy(missingFromPage, (d) => d.line ?? Number.MAX_SAFE_INTEGER),
    differing: sortDiffs(differing),
    unreadable,
    prose: proseResult,
  };
}

/** Parses the page and compares it with the revision (default: the current one). */
export function compareWithSourceUsing(markdown: string, revisionId: string | undefined, options: CompareOptions): SourceComparison {
  return compareRows(parseSourcePage(markdown, options), revisionId, options.prose);
}

/** Compares the rows of a copy of the official page with one revision of the dataset. */
import { parseCidr } from "../cidr.js";
import { currentRevision, getRevision } from "../dataset.js";
import { formatPortRange, mergePortRanges } from "../emit/ports.js";
import { sortBy } from "../order.js";
import { nearest } from "../suggest.js";
import type { Locale, PortRange, Requirement, Revision, SourceTable } from "../types.js";
import { regionPlaceholder } from "./labels.js";
import { parseSourcePage, type ParseOptions, type SourceRow, type UnreadableLine } from "./parse.js";

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
  readonly locale: Locale;
  /** No difference and no unreadable line. */
  readonly matches: boolean;
  /** Rows read from the page / rows the revision has (a prefix list counts one per prefix). */
  readonly pageRows: number;
  readonly revisionRows: number;
  /** Rows the page has and the revision lacks. */
  readonly missingFromRevision: readonly SourceDiff[];
  /** Rows the revision has and the page lacks. */
  readonly missingFromPage: readonly SourceDiff[];
  /** Rows both have that differ in a field. */
  readonly differing: readonly SourceDiff[];
  /** Lines of the page that could not be read. */
  readonly unreadable: readonly UnreadableLine[];
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

const TABLE_NAME: Record<SourceTable, string> = {
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

function show(value: string | undefined): string {
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
  if (row.table === "azure-global" && row.alternative !== exp.alternative) {
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

/**
 * Compares a copy of the official page with a revision of the dataset (default: the current one). Rows
 * pair by table and identity (endpoint, tag, prefix, port); a page row and a revision row left unpaired
 * in the same table whose identities are near (edit distance) pair as one difference of spelling.
 * Throws `SourcePageError` when the page holds no rule table and `UnknownNameError` for an unknown revision.
 */
export function compareRows(
  parsed: { rows: readonly SourceRow[]; unreadable: readonly UnreadableLine[]; locale: Locale },
  revisionId?: string,
): SourceComparison {
  const revision = revisionId === undefined ? currentRevision : getRevision(revisionId);
  const expected = expectedRows(revision);
  const pending = new Map<string, Expected[]>();
  for (const e of expected) {
    const k = `${e.table}\u0000${e.key}`;
    pending.set(k, [...(pending.get(k) ?? []), e]);
  }
  const pairs: Array<{ row: SourceRow; exp: Expected }> = [];
  const extra: SourceRow[] = [];
  for (const row of parsed.rows) {
    const queue = pending.get(`${row.table}\u0000${rowKey(row)}`);
    const exp = queue?.shift();
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
    missingFromRevision.push({
      line: row.line,
      table: row.table,
      key,
      page: row.asWritten,
      message: `${TABLE_NAME[row.table]} row ${show(key)} is not in revision ${revision.id}`,
    });
  }

  const differing = pairs.flatMap(({ row, exp }) => fieldDiffs(row, exp, revision.id));

  // Where a missing row would stand: an unreadable line holding it, else before the next row of its table.
  const pairedLine = new Map<Expected, number>(pairs.map(({ row, exp }) => [exp, row.line]));
  const tableLines = new Map<SourceTable, number[]>();
  for (const row of parsed.rows) tableLines.set(row.table, [...(tableLines.get(row.table) ?? []), row.line]);
  const missingFromPage: SourceDiff[] = sortBy(missing, (e) => e.index).map((exp) => {
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
      const next = expected.find((e) => e.table === exp.table && e.index > exp.index && pairedLine.has(e));
      const prev = [...expected].reverse().find((e) => e.table === exp.table && e.index < exp.index && pairedLine.has(e));
      const lines = tableLines.get(exp.table);
      if (next) line = pairedLine.get(next) ?? null;
      else if (prev) line = (pairedLine.get(prev) ?? 0) + 1;
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

  const unreadable = sortBy(parsed.unreadable, (u) => u.line, (u) => u.reason);
  const result = {
    revision: revision.id,
    locale: parsed.locale,
    pageRows: parsed.rows.length,
    revisionRows: expected.length,
    missingFromRevision: sortDiffs(missingFromRevision),
    missingFromPage: sortBy(missingFromPage, (d) => d.line ?? Number.MAX_SAFE_INTEGER),
    differing: sortDiffs(differing),
    unreadable,
  };
  const matches = result.missingFromRevision.length + result.missingFromPage.length + result.differing.length + unreadable.length === 0;
  return { ...result, matches };
}

/** Parses the page and compares it with the revision (default: the current one). */
export function compareWithSourceUsing(markdown: string, revisionId: string | undefined, options: ParseOptions): SourceComparison {
  return compareRows(parseSourcePage(markdown, options), revisionId);
}

function oneLine(text: string): string {
  // Control characters from the page would move the terminal cursor; show them escaped.
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A human-readable report: a summary line, then one line per difference or unreadable line, by line. */
export function formatSourceComparison(result: SourceComparison): string {
  const entries: Array<{ line: number | null; order: number; text: string }> = [];
  const at = (line: number | null): string => (line === null ? "(no line)" : `line ${line}`);
  for (const d of result.missingFromRevision) entries.push({ line: d.line, order: 0, text: `${at(d.line)}: not in revision: ${d.message}` });
  for (const d of result.missingFromPage) entries.push({ line: d.line, order: 1, text: `${at(d.line)}: missing from page: ${d.message}` });
  for (const d of result.differing) entries.push({ line: d.line, order: 2, text: `${at(d.line)}: differs: ${TABLE_NAME[d.table]} row ${show(d.key)}: ${d.message}` });
  for (const u of result.unreadable) entries.push({ line: u.line, order: 3, text: `${at(u.line)}: unreadable: ${u.reason}: ${JSON.stringify(u.text.trim())}` });
  const sorted = sortBy(entries, (e) => e.line ?? Number.MAX_SAFE_INTEGER, (e) => e.order);
  const counts = [
    `${result.missingFromRevision.length} not in revision`,
    `${result.missingFromPage.length} missing from page`,
    `${result.differing.length} differing`,
    `${result.unreadable.length} unreadable`,
  ].join(", ");
  const head = result.matches
    ? `The page (${result.locale}, ${result.pageRows} rows) matches revision ${result.revision} (${result.revisionRows} rows).`
    : `The page (${result.locale}, ${result.pageRows} rows) differs from revision ${result.revision} (${result.revisionRows} rows): ${counts}.`;
  return `${[head, ...sorted.map((e) => oneLine(e.text))].join("\n")}\n`;
}

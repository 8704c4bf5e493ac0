/** The coverage table `emit` prints on stderr: one order for every target, counts per target, fitted to a terminal. */
import type { CoverageEntry, CoverageStatus } from "@cassandra-mi-netrules/core";
import { clean } from "./format.js";

export interface CoverageRow {
  readonly target: string;
  readonly entry: CoverageEntry;
}

const STATUSES: readonly CoverageStatus[] = ["enforced", "approximated", "unsupported"];

/** The "how / why" cell of a coverage table. */
export function howWhy(entry: CoverageEntry): string {
  return entry.why ? `${entry.how} — ${entry.why}` : entry.how;
}

/** Rows by target (in the order given), then by the requirement's place in the revision, whatever order each emitter reported. */
export function orderRows(rows: readonly CoverageRow[], targets: readonly string[], ruleOrder: readonly string[]): CoverageRow[] {
  const t = new Map(targets.map((name, i) => [name, i]));
  const r = new Map(ruleOrder.map((id, i) => [id, i]));
  const rank = (m: Map<string, number>, k: string) => m.get(k) ?? Number.MAX_SAFE_INTEGER;
  return [...rows].sort((a, b) => rank(t, a.target) - rank(t, b.target) || rank(r, a.entry.ruleId) - rank(r, b.entry.ruleId) || (a.entry.ruleId < b.entry.ruleId ? -1 : a.entry.ruleId > b.entry.ruleId ? 1 : 0));
}

/** `nsg: 31 rules: 21 enforced, 4 approximated, 6 unsupported`, one line per target. */
export function coverageSummary(rows: readonly CoverageRow[], targets: readonly string[]): string[] {
  return targets.map((target) => {
    const mine = rows.filter((r) => r.target === target);
    const counts = STATUSES.map((s) => `${mine.filter((r) => r.entry.status === s).length} ${s}`);
    return `${target}: ${mine.length} rule${mine.length === 1 ? "" : "s"}: ${counts.join(", ")}`;
  });
}

/** Breaks `text` into lines of at most `width` characters, at spaces where it can. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(" ", width);
    const at = cut > width / 3 ? cut : width;
    lines.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  lines.push(rest);
  return lines;
}

/**
 * The table with a header rule. On a terminal (`columns` given) the last column wraps under itself so no
 * line is wider than the terminal; elsewhere (a file, a pipe) every row stays on one line.
 */
export function coverageTable(rows: readonly CoverageRow[], columns?: number): string {
  const headers = ["target", "rule", "status", "how / why"];
  const cells = rows.map(({ target, entry }) => [target, entry.ruleId, entry.status, howWhy(entry)].map((c) => clean(c)));
  const widths = headers.slice(0, 3).map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const indent = widths.reduce((a, w) => a + w + 2, 0);
  const room = columns === undefined ? Number.POSITIVE_INFINITY : Math.max(20, columns - indent);
  const lead = (r: readonly string[]) => r.slice(0, 3).map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  const out = [`${lead(headers)}  ${headers[3]}`, [...widths, Math.min(room, Math.max(headers[3]?.length ?? 0, ...cells.map((r) => (r[3] ?? "").length)))].map((w) => "-".repeat(w)).join("  ")];
  for (const r of cells) {
    const [first = "", ...more] = Number.isFinite(room) ? wrap(r[3] ?? "", room) : [r[3] ?? ""];
    out.push(`${lead(r)}  ${first}`.trimEnd());
    for (const m of more) out.push(`${" ".repeat(indent)}${m}`);
  }
  return `${out.join("\n")}\n`;
}

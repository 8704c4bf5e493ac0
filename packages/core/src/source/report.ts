/** The human-readable report of a source comparison: what was found, then one entry per line of the page. */
import { sortBy } from "../order.js";
import { show, TABLE_NAME, type SourceComparison } from "./compare.js";
import type { ProseChange, ProseComparison } from "./prose.js";

function oneLine(text: string): string {
  // Control characters from the page would move the terminal cursor; show them escaped.
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const LOCALE_FROM = { "front-matter": "from its front matter", text: "from its text", option: "as given" } as const;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function proseSummary(prose: ProseComparison): string {
  if (!prose.compared) return `not compared (${prose.reason}); the tables decide`;
  if (prose.changes.length === 0) return `${plural(prose.pageSections, "section")}, no change`;
  const count = (kind: ProseChange["kind"]): number => prose.changes.filter((c) => c.kind === kind).length;
  return `${count("added")} added, ${count("removed")} removed, ${count("changed")} changed: review`;
}

/** What the comparison found, for the first line: a rule change, unreadable lines, changed prose. */
function findings(result: SourceComparison): string[] {
  const found: string[] = [];
  if (result.missingFromRevision.length + result.missingFromPage.length + result.differing.length > 0) found.push("a rule change");
  if (result.unreadable.length > 0) found.push(plural(result.unreadable.length, "unreadable line"));
  if (result.prose.changes.length > 0) found.push("prose changed: review");
  return found;
}

/** One prose change: the section, what to re-check, then its sentences (`-` recorded, `+` on the page). */
function proseEntry(change: ProseChange): string[] {
  const links = [
    ...(change.requirements.length > 0 ? [`${change.requirements.length === 1 ? "requirement" : "requirements"} ${change.requirements.join(", ")}`] : []),
    ...(change.features.length > 0 ? [`${change.features.length === 1 ? "feature" : "features"} ${change.features.join(", ")}`] : []),
  ];
  const head = `prose changed: review: section ${show(change.heading)} (${change.id}) ${change.kind}${links.length > 0 ? `; re-check ${links.join("; ")}` : ""}`;
  return [head, ...change.removedSentences.map((s) => `    - ${s}`), ...change.addedSentences.map((s) => `    + ${s}`)];
}

/** A human-readable report: what was found, the counts, then one entry per difference, unreadable line or prose change, by line. */
export function formatSourceComparison(result: SourceComparison): string {
  const entries: Array<{ line: number | null; order: number; text: string[] }> = [];
  const at = (line: number | null): string => (line === null ? "(no line)" : `line ${line}`);
  const add = (line: number | null, order: number, text: string | string[]): void => {
    const lines = Array.isArray(text) ? text : [text];
    entries.push({ line, order, text: [`${at(line)}: ${lines[0] ?? ""}`, ...lines.slice(1)] });
  };
  for (const d of result.missingFromRevision) add(d.line, 0, `not in revision: ${d.message}`);
  for (const d of result.missingFromPage) add(d.line, 1, `missing from page: ${d.message}`);
  for (const d of result.differing) add(d.line, 2, `differs: ${TABLE_NAME[d.table]} row ${show(d.key)}: ${d.message}`);
  for (const u of result.unreadable) {
    const entry = u.catalogueEntry ? `; ${u.requirementId ? `it stands for requirement ${u.requirementId}: ` : ""}${u.catalogueEntry}` : "";
    add(u.line, 3, `unreadable: ${u.reason}${entry}: ${JSON.stringify(u.text.trim())}`);
  }
  for (const c of result.prose.changes) add(c.line, 4, proseEntry(c));
  const sorted = sortBy(entries, (e) => e.line ?? Number.MAX_SAFE_INTEGER, (e) => e.order);
  const page = `The page (${result.locale}, ${result.pageRows} rows)`;
  const head = result.matches
    ? `${page} matches revision ${result.revision} (${result.revisionRows} rows).`
    : `${page} differs from revision ${result.revision} (${result.revisionRows} rows): ${findings(result).join(" and ")}.`;
  const rules = [
    `${result.missingFromRevision.length} not in revision`,
    `${result.missingFromPage.length} missing from page`,
    `${result.differing.length} differing`,
    `${result.unreadable.length} unreadable`,
  ].join(", ");
  const counts = `Locale ${result.locale} (${LOCALE_FROM[result.localeFrom]}). Rules: ${rules}. Prose: ${proseSummary(result.prose)}.`;
  return `${[head, counts, ...sorted.flatMap((e) => e.text)].map(oneLine).join("\n")}\n`;
}

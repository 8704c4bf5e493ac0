/** `diff --target`: what changes in one target's artifacts between two revisions, as rules where the file is an ARM template. */
import { compareStrings, formatPortRange, type CoverageEntry, type EmittedFile } from "@cassandra-mi-netrules/core";
import { readConfiguration, type FwRule, type NsgRule } from "./audit/index.js";

export interface RuleChange {
  /** The rule's name (`collection/rule` in a firewall policy). */
  readonly rule: string;
  readonly before: string;
  readonly after: string;
}

export interface FileDiff {
  readonly path: string;
  /** `rules` for an ARM template (its NSG and firewall policy rules), `lines` for any other file. */
  readonly unit: "rules" | "lines";
  readonly removed: string[];
  readonly added: string[];
  /** Rules kept under the same name whose fields change (always empty for lines). */
  readonly changed: RuleChange[];
}

export interface CoverageChange {
  readonly ruleId: string;
  readonly before: CoverageEntry | null;
  readonly after: CoverageEntry | null;
}

export interface TargetDiff {
  readonly target: string;
  readonly files: FileDiff[];
  readonly coverage: CoverageChange[];
}

function ports(spans: readonly { from: number; to: number }[]): string {
  return spans.map((p) => (p.from === 0 && p.to === 65535 ? "*" : formatPortRange(p))).join(",") || "(none)";
}

const joined = (values: readonly string[]) => values.join(",") || "(none)";

function nsgLine(r: NsgRule): string {
  return `${r.direction} ${r.access} ${r.protocol} from ${joined(r.src)} to ${joined(r.dst)} port ${ports(r.ports)}, priority ${r.priority}`;
}

function fwLine(r: FwRule): string {
  const at = `collection priority ${r.c}, group priority ${r.g}`;
  if (r.kind === "app") return `application rule, ${r.action}, from ${joined(r.src)} to ${joined(r.fqdns)} over ${joined(r.protocols.map((p) => `${p.type}:${p.port}`))}, ${at}`;
  return `network rule, ${r.action}, ${joined(r.ipProtocols)} from ${joined(r.src)} to ${joined([...r.dst, ...r.fqdns])} port ${ports(r.ports)}, ${at}`;
}

/** The NSG and firewall policy rules of an ARM template, by name; undefined when the text is not an ARM template. */
function armRules(text: string): Map<string, string> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== "object" || doc === null || !Array.isArray((doc as { resources?: unknown }).resources)) return undefined;
  const config = readConfiguration(doc, "arm");
  const rules = new Map<string, string>();
  const severalNsgs = new Set(config.nsgRules.map((r) => r.nsg)).size > 1;
  for (const r of config.nsgRules) rules.set(severalNsgs ? `${r.nsg}/${r.name}` : r.name, nsgLine(r));
  for (const r of config.fwRules) rules.set(`${r.collection}/${r.name}`, fwLine(r));
  return rules;
}

function ruleDiff(path: string, a: Map<string, string>, b: Map<string, string>): FileDiff {
  const names = [...new Set([...a.keys(), ...b.keys()])].sort(compareStrings);
  const line = (name: string, text: string) => `${name}: ${text}`;
  return {
    path,
    unit: "rules",
    removed: names.filter((n) => !b.has(n)).map((n) => line(n, a.get(n) ?? "")),
    added: names.filter((n) => !a.has(n)).map((n) => line(n, b.get(n) ?? "")),
    changed: names.filter((n) => a.has(n) && b.has(n) && a.get(n) !== b.get(n)).map((n) => ({ rule: n, before: a.get(n) ?? "", after: b.get(n) ?? "" })),
  };
}

/** Multiset line difference, in file order; a line that differs only by the revision id is the artifact's stamp, not a change. */
function lineDiff(path: string, a: string, b: string, revA: string, revB: string): FileDiff {
  const norm = (l: string) => l.split(revA).join("{revision}").split(revB).join("{revision}");
  const counts = (lines: string[]) => {
    const m = new Map<string, number>();
    for (const l of lines) m.set(norm(l), (m.get(norm(l)) ?? 0) + 1);
    return m;
  };
  const la = a.split("\n");
  const lb = b.split("\n");
  const notIn = (lines: string[], other: Map<string, number>) => {
    const left = new Map(other);
    return lines.filter((l) => {
      const n = left.get(norm(l)) ?? 0;
      if (n > 0) left.set(norm(l), n - 1);
      return n === 0 && l.trim() !== "";
    });
  };
  return { path, unit: "lines", removed: notIn(la, counts(lb)), added: notIn(lb, counts(la)), changed: [] };
}

/** Compares what one target emits for revision A and for revision B. */
export function diffTarget(
  target: string,
  a: { files: readonly EmittedFile[]; coverage: readonly CoverageEntry[] },
  b: { files: readonly EmittedFile[]; coverage: readonly CoverageEntry[] },
  revA: string,
  revB: string,
): TargetDiff {
  const paths = [...new Set([...a.files, ...b.files].map((f) => f.path))].sort(compareStrings);
  const files = paths
    .map((path) => {
      const fa = a.files.find((f) => f.path === path)?.content ?? "";
      const fb = b.files.find((f) => f.path === path)?.content ?? "";
      const ra = armRules(fa);
      const rb = armRules(fb);
      return (ra || fa === "") && (rb || fb === "") && (ra || rb) ? ruleDiff(path, ra ?? new Map(), rb ?? new Map()) : lineDiff(path, fa, fb, revA, revB);
    })
    .filter((f) => f.added.length + f.removed.length + f.changed.length > 0);
  const ids = [...new Set([...a.coverage, ...b.coverage].map((c) => c.ruleId))].sort(compareStrings);
  const coverage = ids
    .map((ruleId) => ({ ruleId, before: a.coverage.find((c) => c.ruleId === ruleId) ?? null, after: b.coverage.find((c) => c.ruleId === ruleId) ?? null }))
    .filter((c) => JSON.stringify(c.before) !== JSON.stringify(c.after));
  return { target, files, coverage };
}

/** The text form: coverage changes, then per file the rules (or lines) to remove, add and change. */
export function formatTargetDiff(d: TargetDiff): string[] {
  const out: string[] = ["", `${d.target}: coverage changes (${d.coverage.length})`];
  const entry = (c: CoverageEntry) => `${c.status}: ${c.how}${c.why ? ` (${c.why})` : ""}`;
  for (const c of d.coverage) {
    if (!c.before) out.push(`+ ${c.ruleId}: ${c.after ? entry(c.after) : ""}`);
    else if (!c.after) out.push(`- ${c.ruleId}: ${entry(c.before)}`);
    else out.push(`~ ${c.ruleId}:`, `    was ${entry(c.before)}`, `    now ${entry(c.after)}`);
  }
  for (const f of d.files) {
    const counts = `${f.removed.length} to remove, ${f.added.length} to add${f.unit === "rules" ? `, ${f.changed.length} to change` : ""} (${f.unit})`;
    out.push("", `${d.target}: ${f.path}: ${counts}`);
    for (const l of f.removed) out.push(`- ${l}`);
    for (const l of f.added) out.push(`+ ${l}`);
    for (const c of f.changed) out.push(`~ ${c.rule}:`, `    was ${c.before}`, `    now ${c.after}`);
  }
  return out;
}

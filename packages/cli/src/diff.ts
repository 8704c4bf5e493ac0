/** `diff --target`: what changes in one target's artifacts between two revisions, as rules (read by the azure package's ARM reader) where the file is an ARM template. */
import {
  ArmReadError,
  isUnknown,
  readArmTemplate,
  type AzureNetwork,
  type FirewallPolicyRule,
  type FirewallPolicyRuleCollection,
  type FirewallPolicyRuleCollectionGroup,
  type Maybe,
  type Parameter,
  type Route,
  type SecurityRule,
} from "@cassandra-mi-netrules/azure";
import { compareStrings, type CoverageEntry, type EmittedFile } from "@cassandra-mi-netrules/core";

export interface RuleChange {
  /** The rule's name (`collection/rule` in a firewall policy). */
  readonly rule: string;
  readonly before: string;
  readonly after: string;
}

export interface FileDiff {
  readonly path: string;
  /** `rules` for an ARM template (its NSG, route table and firewall policy rules), `lines` for any other file. */
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

const joined = (values: readonly string[]) => values.join(",") || "(none)";

/** A value read from a template, as the diff shows it. */
function shown(value: Maybe<string | number | Parameter> | undefined): string {
  if (value === undefined) return "";
  if (isUnknown(value)) return `(unknown: ${value.reason})`;
  return typeof value === "object" ? `(parameter ${value.name})` : String(value);
}

const all = (one: Maybe<string | Parameter> | undefined, many: readonly Maybe<string | Parameter>[] | undefined): string[] =>
  [...(one === undefined ? [] : [one]), ...(many ?? [])].map(shown);

/** `*` for every port, else the ranges as written (`0-65535` is every port too). */
function ports(values: readonly string[]): string {
  return values.map((v) => (v === "0-65535" ? "*" : v)).join(",") || "(none)";
}

function nsgLine(r: SecurityRule): string {
  const p = r.properties;
  const dst = ports(all(p.destinationPortRange, p.destinationPortRanges));
  return `${shown(p.direction)} ${shown(p.access)} ${shown(p.protocol)} from ${joined(all(p.sourceAddressPrefix, p.sourceAddressPrefixes))} to ${joined(all(p.destinationAddressPrefix, p.destinationAddressPrefixes))} port ${dst}, priority ${shown(p.priority)}`;
}

function fwLine(r: FirewallPolicyRule, collection: FirewallPolicyRuleCollection, group: FirewallPolicyRuleCollectionGroup): string {
  const at = `collection priority ${shown(collection.priority)}, group priority ${shown(group.properties.priority)}`;
  const action = shown(collection.action.type);
  const src = joined((r.sourceAddresses ?? []).map(shown));
  if (r.ruleType === "ApplicationRule") {
    const over = (r.protocols ?? []).map((p) => (isUnknown(p) ? shown(p) : `${shown(p.protocolType)}:${shown(p.port)}`));
    return `application rule, ${action}, from ${src} to ${joined((r.targetFqdns ?? []).map(shown))} over ${joined(over)}, ${at}`;
  }
  const fqdns = r.ruleType === "NetworkRule" ? (r.destinationFqdns ?? []) : [];
  const kind = r.ruleType === "NetworkRule" ? "network rule" : "NAT rule";
  return `${kind}, ${action}, ${joined((r.ipProtocols ?? []).map(shown))} from ${src} to ${joined([...(r.destinationAddresses ?? []), ...fqdns].map(shown))} port ${ports((r.destinationPorts ?? []).map(shown))}, ${at}`;
}

function routeLine(r: Route): string {
  const hop = r.properties.nextHopIpAddress === undefined ? "" : ` ${shown(r.properties.nextHopIpAddress)}`;
  return `route to ${shown(r.properties.addressPrefix)}, next hop ${shown(r.properties.nextHopType)}${hop}`;
}

/** The entries of each parent by name: `parent/name` when there is more than one parent. */
function keyed<T extends { name: Maybe<string> }>(rules: Map<string, string>, parents: ReadonlyArray<{ name: Maybe<string>; entries: readonly Maybe<T>[] }>, line: (entry: T) => string): void {
  const several = parents.length > 1;
  for (const p of parents)
    p.entries.forEach((e, i) => {
      const name = isUnknown(e) ? `(unknown ${i + 1})` : shown(e.name);
      rules.set(several ? `${shown(p.name)}/${name}` : name, isUnknown(e) ? shown(e) : line(e));
    });
}

/** The NSG, route table and firewall policy rules of an ARM template (read by the azure package's reader), by name; undefined when the text is not an ARM template. */
function armRules(text: string): Map<string, string> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== "object" || doc === null || !Array.isArray((doc as { resources?: unknown }).resources)) return undefined;
  let network: AzureNetwork;
  try {
    network = readArmTemplate(doc);
  } catch (e) {
    if (e instanceof ArmReadError) return undefined;
    throw e;
  }
  const rules = new Map<string, string>();
  keyed(rules, network.networkSecurityGroups.map((n) => ({ name: n.name, entries: n.properties.securityRules })), nsgLine);
  keyed(rules, network.routeTables.map((t) => ({ name: t.name, entries: t.properties.routes })), routeLine);
  for (const g of network.firewallPolicyRuleCollectionGroups) {
    for (const c of g.properties.ruleCollections) {
      if (isUnknown(c)) continue;
      for (const r of c.rules) if (!isUnknown(r)) rules.set(`${shown(c.name)}/${shown(r.name)}`, fwLine(r, c, g));
    }
  }
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

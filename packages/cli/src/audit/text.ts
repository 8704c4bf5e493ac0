/** The audit report as the terminal shows it: one table per audited subject, findings, notes and the counts. */
import type { AuditOutline, SubjectReport } from "@cassandra-mi-netrules/azure";
import { clean, table } from "../format.js";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function layersLine(s: SubjectReport): string {
  const parts = [s.layers.nsg ? `NSG ${s.layers.nsg}` : "no NSG", s.layers.routeTable ? `route table ${s.layers.routeTable}` : undefined, s.layers.firewall ? `firewall ${s.layers.firewall}` : undefined].filter(Boolean);
  return `${s.kind} ${s.subject}: ${parts.join(", ")}`;
}

/** The counts line, over every subject: the same numbers as `summary` in the JSON. */
export function summaryLine(report: AuditOutline): string {
  const s = report.summary;
  const total = s.open + s.partlyOpen + s.blocked + s.unknown + s.notAuditable;
  return `${plural(total, "requirement verdict")}: ${s.open} open, ${s.partlyOpen} partly open, ${s.blocked} blocked, ${s.unknown} unknown, ${s.notAuditable} not auditable; ${plural(s.warnings, "warning")} (over-broad allows)`;
}

/** The table's first lines: what was audited, against what. */
export function tableHead(report: AuditOutline, inputs: readonly string[], tagFile: string | undefined): string {
  const tags = report.serviceTags.source === "file" ? `service tags from ${tagFile ?? "the given file"} (changeNumber ${report.serviceTags.changeNumber})` : `service tags compared through the bundled tag table (changeNumber ${report.serviceTags.changeNumber}); --service-tags FILE for exact addresses`;
  const scope = [report.regions.length > 0 ? `regions ${report.regions.join(", ")}` : "no region", report.subnet ? `subnet ${report.subnet}` : "no subnet given", ...(report.peers.length > 0 ? [`peers ${report.peers.join(", ")}`] : [])].join("; ");
  return `audit of ${inputs.map(clean).join(", ")} (${report.format ?? "model"}) against revision ${report.revision} (${scope}); ${tags}\n\n`;
}

/** One subject's lines: its layers, its table, its findings and notes, a blank line. */
export function subjectTable(s: SubjectReport): string {
  const out: string[] = [clean(layersLine(s)), table(["rule", "status", "detail"], s.requirements.map((r) => [r.ruleId, r.status, r.detail])).trimEnd()];
  for (const f of s.findings) out.push(`warn: ${clean(f.message)}${f.ruleIds.length > 0 ? ` [${f.ruleIds.join(", ")}]` : ""}`);
  for (const n of s.notes) out.push(`note: ${clean(n)}`);
  return `${out.join("\n")}\n\n`;
}

/** The table's last lines: the counts over every subject and the status. */
export function tableFoot(report: AuditOutline): string {
  return `${summaryLine(report)}\nstatus: ${report.status}\n`;
}

export function nothingToAudit(report: AuditOutline, inputs: readonly string[]): string {
  const found = report.found.length > 0 ? report.found.join(", ") : "no resource";
  return `cassandra-mi-netrules: nothing to audit in ${inputs.map(clean).join(", ")} (read as ${report.format ?? "model"}): it holds ${clean(found)}; expected a network security group, route table, firewall (policy or rule collection group) or subnet\n`;
}

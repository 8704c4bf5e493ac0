/** The audit report as the terminal shows it: one table per audited subject, findings, notes and the counts. */
import type { AuditReport, SubjectReport } from "@cassandra-mi-netrules/azure";
import { clean, table } from "../format.js";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function layersLine(s: SubjectReport): string {
  const parts = [s.layers.nsg ? `NSG ${s.layers.nsg}` : "no NSG", s.layers.routeTable ? `route table ${s.layers.routeTable}` : undefined, s.layers.firewall ? `firewall ${s.layers.firewall}` : undefined].filter(Boolean);
  return `${s.kind} ${s.subject}: ${parts.join(", ")}`;
}

/** The counts line, over every subject: the same numbers as `summary` in the JSON. */
export function summaryLine(report: AuditReport): string {
  const s = report.summary;
  const total = s.open + s.partlyOpen + s.blocked + s.unknown + s.notAuditable;
  return `${plural(total, "requirement verdict")}: ${s.open} open, ${s.partlyOpen} partly open, ${s.blocked} blocked, ${s.unknown} unknown, ${s.notAuditable} not auditable; ${plural(s.warnings, "warning")} (over-broad allows)`;
}

export function tableReport(report: AuditReport, inputs: readonly string[], tagFile: string | undefined): string {
  const tags = report.serviceTags.source === "file" ? `service tags from ${tagFile ?? "the given file"} (changeNumber ${report.serviceTags.changeNumber})` : `service tags compared through the bundled tag table (changeNumber ${report.serviceTags.changeNumber}); --service-tags FILE for exact addresses`;
  const scope = [report.regions.length > 0 ? `regions ${report.regions.join(", ")}` : "no region", report.subnet ? `subnet ${report.subnet}` : "no subnet given", ...(report.peers.length > 0 ? [`peers ${report.peers.join(", ")}`] : [])].join("; ");
  const out: string[] = [`audit of ${inputs.map(clean).join(", ")} (${report.format ?? "model"}) against revision ${report.revision} (${scope}); ${tags}`, ""];
  for (const s of report.subjects) {
    out.push(clean(layersLine(s)));
    out.push(table(["rule", "status", "detail"], s.requirements.map((r) => [r.ruleId, r.status, r.detail])).trimEnd());
    for (const f of s.findings) out.push(`warn: ${clean(f.message)}${f.ruleIds.length > 0 ? ` [${f.ruleIds.join(", ")}]` : ""}`);
    for (const n of s.notes) out.push(`note: ${clean(n)}`);
    out.push("");
  }
  out.push(summaryLine(report));
  out.push(`status: ${report.status}`);
  return `${out.join("\n")}\n`;
}

export function nothingToAudit(report: AuditReport, inputs: readonly string[]): string {
  const found = report.found.length > 0 ? report.found.join(", ") : "no resource";
  return `cassandra-mi-netrules: nothing to audit in ${inputs.map(clean).join(", ")} (read as ${report.format ?? "model"}): it holds ${clean(found)}; expected a network security group, route table, firewall (policy or rule collection group) or subnet\n`;
}

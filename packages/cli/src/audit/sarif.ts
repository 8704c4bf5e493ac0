/**
 * The audit report as SARIF 2.1.0 (for code scanning): one rule per requirement and one for over-broad
 * allows; one result per requirement of each audited subject (`pass`, `fail` or `notApplicable`) and one
 * per finding, each located in the input files and, logically, in the subject or rule that decided. What
 * fails the audit (and only that) is an `error`.
 */
import { failsAudit, type AuditOutline, type FailOn, type Finding, type RequirementVerdict, type SubjectReport, type Verdict } from "@cassandra-mi-netrules/azure";
import type { ResolvedRules } from "@cassandra-mi-netrules/core";
import pkg from "../../package.json" with { type: "json" };

const OVER_BROAD = "over-broad-allow";

/** A requirement's result: failed (an error) when its verdict fails the audit, the exit code's rule; else passed or not applicable. */
function requirementResult(status: Verdict, failOn: FailOn): { readonly kind: string; readonly level: string } {
  if (failsAudit(status, failOn)) return { kind: "fail", level: "error" };
  return { kind: status === "not-auditable" ? "notApplicable" : "pass", level: "none" };
}

/** An over-broad allow's level: an error when it fails the audit (`--fail-on warn`), else a warning. */
function findingLevel(level: Finding["level"], failOn: FailOn): string {
  return failsAudit(level, failOn) ? "error" : "warning";
}

/** A relative URI reference for an input path (`-` is standard input). */
export function inputUri(name: string): string {
  return name === "(stdin)" ? "stdin" : name.split(/[\\/]/).map(encodeURIComponent).join("/");
}

function message(r: RequirementVerdict, subject: string): string {
  return `${r.ruleId} (${subject}): ${r.detail}`;
}

/** Where every result lies: the input files. */
export function sarifLocations(inputs: readonly string[]): SarifLocation[] {
  return inputs.map((i) => ({ physicalLocation: { artifactLocation: { uri: inputUri(i) } } }));
}

interface SarifLocation {
  readonly physicalLocation: { readonly artifactLocation: { readonly uri: string } };
}

/** One subject's results: one per requirement and one per finding. */
export function sarifResults(s: SubjectReport, locations: readonly SarifLocation[], failOn: FailOn): unknown[] {
  return [
    ...s.requirements.map((r) => ({
      ruleId: r.ruleId,
      ...requirementResult(r.status, failOn),
      message: { text: message(r, s.subject) },
      locations: locations.map((l) => ({ ...l, logicalLocations: [{ fullyQualifiedName: s.subject, kind: "resource" }] })),
      properties: { status: r.status, subject: s.subject },
    })),
    ...s.findings.map((f) => ({
      ruleId: OVER_BROAD,
      kind: "fail",
      level: findingLevel(f.level, failOn),
      message: { text: f.message },
      locations: locations.map((l) => ({ ...l, logicalLocations: [{ fullyQualifiedName: `${f.step.resource}/${f.step.rule}`, kind: "resource" }] })),
      properties: { requirements: f.ruleIds, subject: s.subject },
    })),
  ];
}

/** The SARIF log around its results (every subject's `sarifResults`, in order; or what stands for them). */
export function sarifLog(report: AuditOutline, resolved: ResolvedRules, inputs: readonly string[], failOn: FailOn, results: unknown): unknown {
  const rules = [
    ...resolved.rules.map((r) => ({
      id: r.id,
      name: r.id,
      shortDescription: { text: r.purpose.en },
      fullDescription: { text: `${r.kind} ${r.protocol} ${r.ports.map((p) => (p.from === p.to ? String(p.from) : `${p.from}-${p.to}`)).join(",")}: ${r.purpose.en}` },
      defaultConfiguration: { level: "error" },
    })),
    { id: OVER_BROAD, name: OVER_BROAD, shortDescription: { text: "An allow opens more than the requirements need" }, defaultConfiguration: { level: findingLevel("warn", failOn) } },
  ];
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "cassandra-mi-netrules", version: pkg.version, rules } },
        artifacts: inputs.map((i) => ({ location: { uri: inputUri(i) } })),
        results,
        properties: { status: report.status, revision: report.revision, summary: report.summary },
      },
    ],
  };
}

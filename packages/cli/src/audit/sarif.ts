/**
 * The audit report as SARIF 2.1.0 (for code scanning): one rule per requirement and one for over-broad
 * allows; one result per requirement of each audited subject (`pass`, `fail`, `review` or
 * `notApplicable`) and one per finding, each located in the input files and, logically, in the subject
 * or rule that decided.
 */
import type { AuditOutline, RequirementVerdict, SubjectReport, Verdict } from "@cassandra-mi-netrules/azure";
import type { ResolvedRules } from "@cassandra-mi-netrules/core";
import pkg from "../../package.json" with { type: "json" };

const OVER_BROAD = "over-broad-allow";

const KIND: Readonly<Record<Verdict, { kind: string; level: string }>> = {
  open: { kind: "pass", level: "none" },
  "partly-open": { kind: "fail", level: "error" },
  blocked: { kind: "fail", level: "error" },
  unknown: { kind: "review", level: "warning" },
  "not-auditable": { kind: "notApplicable", level: "none" },
};

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
export function sarifResults(s: SubjectReport, locations: readonly SarifLocation[]): unknown[] {
  return [
    ...s.requirements.map((r) => ({
      ruleId: r.ruleId,
      kind: KIND[r.status].kind,
      level: KIND[r.status].level,
      message: { text: message(r, s.subject) },
      locations: locations.map((l) => ({ ...l, logicalLocations: [{ fullyQualifiedName: s.subject, kind: "resource" }] })),
      properties: { status: r.status, subject: s.subject },
    })),
    ...s.findings.map((f) => ({
      ruleId: OVER_BROAD,
      kind: "fail",
      level: "warning",
      message: { text: f.message },
      locations: locations.map((l) => ({ ...l, logicalLocations: [{ fullyQualifiedName: `${f.step.resource}/${f.step.rule}`, kind: "resource" }] })),
      properties: { requirements: f.ruleIds, subject: s.subject },
    })),
  ];
}

/** The SARIF log around its results (every subject's `sarifResults`, in order; or what stands for them). */
export function sarifLog(report: AuditOutline, resolved: ResolvedRules, inputs: readonly string[], results: unknown): unknown {
  const rules = [
    ...resolved.rules.map((r) => ({
      id: r.id,
      name: r.id,
      shortDescription: { text: r.purpose.en },
      fullDescription: { text: `${r.kind} ${r.protocol} ${r.ports.map((p) => (p.from === p.to ? String(p.from) : `${p.from}-${p.to}`)).join(",")}: ${r.purpose.en}` },
      defaultConfiguration: { level: "error" },
    })),
    { id: OVER_BROAD, name: OVER_BROAD, shortDescription: { text: "An allow opens more than the requirements need" }, defaultConfiguration: { level: "warning" } },
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

/**
 * `cli audit` without OPA: the TypeScript twin of the emitted Rego policy. Same document, same
 * verdicts, same messages; emit-opa's differential test runs both on every fixture.
 */
import { compareStrings, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { requirementsDocument, type RequirementsDocument } from "@cassandra-mi-netrules/emit-opa";
import { Evaluator, type AuditResult, type AuditStatus } from "./evaluate.js";
import { parseConfiguration, type InputFormat, type Layer } from "./parse.js";

export type { AuditResult, AuditStatus } from "./evaluate.js";
export { detectFormat, readConfiguration, type Configuration, type FwRule, type InputFormat, type Layer, type NsgRule } from "./parse.js";

export interface AuditOptions {
  /** Input shape; detected from the input when omitted. */
  readonly format?: InputFormat;
  readonly resolved: ResolvedRules;
}

export interface AuditReport {
  readonly format: InputFormat;
  /** What the input holds: network security groups, firewall policy rule collection groups (sorted). */
  readonly layers: Layer[];
  /** One entry per requirement, sorted by ruleId. */
  readonly results: AuditResult[];
  /** `<ruleId>: <detail>` for every audited requirement that is not covered, sorted. */
  readonly deny: string[];
}

const FORMATS: readonly string[] = ["arm", "az", "tfplan"];

/** Audits an ARM template, az JSON or Terraform plan JSON against the resolved rules. */
export function auditConfiguration(input: unknown, options: AuditOptions): AuditReport {
  return auditWithDocument(input, requirementsDocument(options.resolved), options.format);
}

/** The same audit against a requirements document (the bundle's `data.json`) rather than resolved rules. */
export function auditWithDocument(input: unknown, doc: RequirementsDocument, format?: InputFormat): AuditReport {
  if (format !== undefined && !FORMATS.includes(format)) {
    throw new Error(`format: expected one of arm, az, tfplan, got ${JSON.stringify(format)}`);
  }
  const config = parseConfiguration(input, format);
  const evaluator = new Evaluator(doc, config);
  const results = Object.keys(doc.requirements)
    .sort(compareStrings)
    .map((id) => evaluator.result(id));
  const deny = results
    .filter((r) => r.audited && r.status !== "covered")
    .map((r) => `${r.ruleId}: ${r.detail}`)
    .sort(compareStrings);
  return { format: config.format, layers: [...config.layers].sort(compareStrings), results, deny };
}

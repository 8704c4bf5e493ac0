/**
 * What fails an audit, written once: the report's status, the CLI's exit code and the failed items of each
 * output format (JUnit test cases, SARIF levels) all ask these.
 */
import { VERDICTS, type AuditSummary, type EvaluateOptions, type Finding, type Verdict } from "./report.js";

/** `gap`: a requirement not open fails; `warn`: an over-broad allow fails too. */
export type FailOn = NonNullable<EvaluateOptions["failOn"]>;

/**
 * Whether one item of a report fails the audit: a requirement's verdict when it is a gap (partly open, blocked
 * or unknown), a finding (its level, `warn`) with `failOn: "warn"`.
 */
export function failsAudit(item: Verdict | Finding["level"], failOn: FailOn): boolean {
  switch (item) {
    case "partly-open":
    case "blocked":
    case "unknown":
      return true;
    case "warn":
      return failOn === "warn";
    case "open":
    case "not-auditable":
      return false;
  }
}

const COUNT_OF: Readonly<Record<Verdict, Exclude<keyof AuditSummary, "warnings">>> = { open: "open", "partly-open": "partlyOpen", blocked: "blocked", unknown: "unknown", "not-auditable": "notAuditable" };

/** Whether counted items fail the audit: a verdict or a warning counted in `summary` that `failsAudit`. */
export function summaryFails(summary: AuditSummary, failOn: FailOn): boolean {
  return VERDICTS.some((v) => summary[COUNT_OF[v]] > 0 && failsAudit(v, failOn)) || (summary.warnings > 0 && failsAudit("warn", failOn));
}

/**
 * The audit report as JUnit XML (for CI dashboards): a test suite per audited subject, a test case per
 * requirement (failed unless open, skipped when not auditable) and per over-broad allow (failed with
 * `--fail-on warn`, passed with its message otherwise).
 */
import { failsAudit, type AuditOutline, type FailOn, type SubjectReport } from "@cassandra-mi-netrules/azure";

/** Text as XML character data or attribute value: markup escaped, characters XML 1.0 forbids replaced. */
export function xmlText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

interface Case {
  readonly name: string;
  readonly failure?: { readonly type: string; readonly message: string };
  readonly skipped?: string;
  readonly out?: string;
}

function testcase(classname: string, c: Case): string {
  const open = `    <testcase classname="${xmlText(classname)}" name="${xmlText(c.name)}"`;
  if (c.failure) return `${open}>\n      <failure type="${xmlText(c.failure.type)}" message="${xmlText(c.failure.message)}">${xmlText(c.failure.message)}</failure>\n    </testcase>`;
  if (c.skipped !== undefined) return `${open}>\n      <skipped message="${xmlText(c.skipped)}"/>\n    </testcase>`;
  if (c.out !== undefined) return `${open}>\n      <system-out>${xmlText(c.out)}</system-out>\n    </testcase>`;
  return `${open}/>`;
}

/** One subject's test suite, its last line ended: a case fails when its requirement's verdict or its finding `failsAudit` (the exit code's rule). */
export function junitSuite(s: SubjectReport, failOn: FailOn): { readonly text: string; readonly tests: number; readonly failures: number; readonly skipped: number } {
  const cases: Case[] = [
    ...s.requirements.map((r): Case => {
      if (failsAudit(r.status, failOn)) return { name: r.ruleId, failure: { type: r.status, message: r.detail } };
      if (r.status === "not-auditable") return { name: r.ruleId, skipped: r.detail };
      return { name: r.ruleId, out: r.detail };
    }),
    ...s.findings.map((f): Case => {
      const name = `over-broad: ${f.step.resource}/${f.step.rule}`;
      return failsAudit(f.level, failOn) ? { name, failure: { type: f.level, message: f.message } } : { name, out: `${f.level}: ${f.message}` };
    }),
  ];
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const name = `${s.kind} ${s.subject}`;
  const text = [`  <testsuite name="${xmlText(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">`, ...cases.map((c) => testcase(name, c)), "  </testsuite>", ""].join("\n");
  return { text, tests: cases.length, failures, skipped };
}

/** The XML declaration and the opening of the test suites, with the counts over every suite. */
export function junitHead(report: AuditOutline, inputs: readonly string[], totals: { readonly tests: number; readonly failures: number; readonly skipped: number }): string {
  const title = `cassandra-mi-netrules audit of ${inputs.join(", ")} (revision ${report.revision}): ${report.status}`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlText(title)}" tests="${totals.tests}" failures="${totals.failures}" errors="0" skipped="${totals.skipped}">\n`;
}

export const JUNIT_FOOT = "</testsuites>\n";

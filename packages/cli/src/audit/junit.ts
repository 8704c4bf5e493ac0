/**
 * The audit report as JUnit XML (for CI dashboards): a test suite per audited subject, a test case per
 * requirement (failed unless open, skipped when not auditable) and per over-broad allow (failed with
 * `--fail-on warn`, passed with its message otherwise).
 */
import type { AuditOutline, SubjectReport } from "@cassandra-mi-netrules/azure";

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

/** One subject's test suite, its last line ended; `failOnWarn`: the over-broad allows fail (`--fail-on warn` with no gap). */
export function junitSuite(s: SubjectReport, failOnWarn: boolean): { readonly text: string; readonly tests: number; readonly failures: number; readonly skipped: number } {
  const cases: Case[] = [
    ...s.requirements.map((r): Case => {
      if (r.status === "open") return { name: r.ruleId, out: r.detail };
      if (r.status === "not-auditable") return { name: r.ruleId, skipped: r.detail };
      return { name: r.ruleId, failure: { type: r.status, message: r.detail } };
    }),
    ...s.findings.map((f): Case => (failOnWarn ? { name: `over-broad: ${f.step.resource}/${f.step.rule}`, failure: { type: "warn", message: f.message } } : { name: `over-broad: ${f.step.resource}/${f.step.rule}`, out: `warn: ${f.message}` })),
  ];
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const name = `${s.kind} ${s.subject}`;
  const text = [`  <testsuite name="${xmlText(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">`, ...cases.map((c) => testcase(name, c)), "  </testsuite>", ""].join("\n");
  return { text, tests: cases.length, failures, skipped };
}

/** Whether the over-broad allows are failures: the audit failed on them alone. */
export function failsOnWarn(report: AuditOutline): boolean {
  return report.status === "fail" && report.summary.partlyOpen + report.summary.blocked + report.summary.unknown === 0;
}

/** The XML declaration and the opening of the test suites, with the counts over every suite. */
export function junitHead(report: AuditOutline, inputs: readonly string[], totals: { readonly tests: number; readonly failures: number; readonly skipped: number }): string {
  const title = `cassandra-mi-netrules audit of ${inputs.join(", ")} (revision ${report.revision}): ${report.status}`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlText(title)}" tests="${totals.tests}" failures="${totals.failures}" errors="0" skipped="${totals.skipped}">\n`;
}

export const JUNIT_FOOT = "</testsuites>\n";

/**
 * The audit report as JUnit XML (for CI dashboards): a test suite per audited subject, a test case per
 * requirement (failed unless open, skipped when not auditable) and per over-broad allow (failed with
 * `--fail-on warn`, passed with its message otherwise).
 */
import type { AuditReport } from "@cassandra-mi-netrules/azure";

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

export function junitReport(report: AuditReport, inputs: readonly string[]): string {
  const failOnWarn = report.status === "fail" && report.summary.partlyOpen + report.summary.blocked + report.summary.unknown === 0;
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  const suites = report.subjects.map((s) => {
    const cases: Case[] = [
      ...s.requirements.map((r): Case => {
        if (r.status === "open") return { name: r.ruleId, out: r.detail };
        if (r.status === "not-auditable") return { name: r.ruleId, skipped: r.detail };
        return { name: r.ruleId, failure: { type: r.status, message: r.detail } };
      }),
      ...s.findings.map((f): Case => (failOnWarn ? { name: `over-broad: ${f.step.resource}/${f.step.rule}`, failure: { type: "warn", message: f.message } } : { name: `over-broad: ${f.step.resource}/${f.step.rule}`, out: `warn: ${f.message}` })),
    ];
    const f = cases.filter((c) => c.failure).length;
    const k = cases.filter((c) => c.skipped !== undefined).length;
    tests += cases.length;
    failures += f;
    skipped += k;
    const name = `${s.kind} ${s.subject}`;
    return [`  <testsuite name="${xmlText(name)}" tests="${cases.length}" failures="${f}" errors="0" skipped="${k}">`, ...cases.map((c) => testcase(name, c)), "  </testsuite>"].join("\n");
  });
  const title = `cassandra-mi-netrules audit of ${inputs.join(", ")} (revision ${report.revision}): ${report.status}`;
  return [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="${xmlText(title)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">`, ...suites, "</testsuites>", ""].join("\n");
}

/**
 * Every output of `cli audit` fails what the exit code fails (the azure package's `failsAudit`): a JUnit case
 * fails and a SARIF result is an `error` exactly when its item fails the audit, with or without `--fail-on warn`,
 * whatever the other subjects hold.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { failsAudit, type AuditReport, type FailOn } from "@cassandra-mi-netrules/azure";
import { run, type CliIO } from "@cassandra-mi-netrules/cli";
import { PYTHON } from "@cassandra-mi-netrules/testkit/netns";

const ROOT = resolve(import.meta.dirname, "../../..");
const FIX = "packages/azure/test/fixtures/audit";
// One subject with gaps (a Deny of AzureCloud), one with over-broad allows and no gap.
const FILES = [`${FIX}/nsg-deny-azurecloud.json`, `${FIX}/nsg-allow-all.json`];
const ARGS = ["audit", ...FILES, "--region", "eastus", "--subnet", "10.10.2.0/24", "--service-tags", "vendor/service-tags/ServiceTags_Public_20251028.json"];
const WIDE_OPEN = "nsg nsg-wide-open";

async function audit(failOn: FailOn, output: "json" | "junit" | "sarif"): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: () => undefined, readStdin: () => "", cwd: ROOT };
  const code = await run([...ARGS, "--fail-on", failOn, "--output", output], io);
  return { code, stdout };
}

interface Suite {
  readonly name: string;
  readonly failures: number;
  readonly cases: readonly { readonly name: string; readonly outcome: "failure" | "skipped" | "passed" }[];
}

/** The test suites as a real XML parser reads them. */
function junitSuites(xml: string): Suite[] {
  const script = [
    "import sys, json, xml.etree.ElementTree as ET",
    "root = ET.fromstring(sys.stdin.read())",
    "def outcome(c): return 'failure' if c.find('failure') is not None else 'skipped' if c.find('skipped') is not None else 'passed'",
    "print(json.dumps([{'name': s.get('name'), 'failures': int(s.get('failures')), 'cases': [{'name': c.get('name'), 'outcome': outcome(c)} for c in s.iter('testcase')]} for s in root.iter('testsuite')]))",
  ].join("\n");
  const parsed = spawnSync(PYTHON, ["-c", script], { input: xml, encoding: "utf8" });
  if (parsed.status !== 0) throw new Error(parsed.stderr);
  return JSON.parse(parsed.stdout) as Suite[];
}

describe("cli audit: what fails the exit code fails in JUnit and SARIF", () => {
  const report = async (failOn: FailOn) => JSON.parse((await audit(failOn, "json")).stdout) as AuditReport;

  it("a subject with only over-broad allows fails its JUnit cases under --fail-on warn, beside a subject with gaps, and passes them without", async () => {
    for (const failOn of ["gap", "warn"] as const) {
      const { code, stdout } = await audit(failOn, "junit");
      expect(code, failOn).toBe(1);
      const suites = junitSuites(stdout);
      const wide = suites.find((s) => s.name === WIDE_OPEN);
      const overBroad = wide?.cases.filter((c) => c.name.startsWith("over-broad:")) ?? [];
      expect(overBroad, failOn).toHaveLength(2);
      expect(overBroad.map((c) => c.outcome), failOn).toEqual(failOn === "warn" ? ["failure", "failure"] : ["passed", "passed"]);
      expect(wide?.failures, failOn).toBe(failOn === "warn" ? 2 : 0);
      // Every case, of every subject, fails exactly when its item fails the audit.
      const json = await report(failOn);
      for (const s of json.subjects) {
        const suite = suites.find((x) => x.name === `${s.kind} ${s.subject}`);
        const want = [...s.requirements.map((r) => failsAudit(r.status, failOn)), ...s.findings.map((f) => failsAudit(f.level, failOn))];
        expect(suite?.cases.map((c) => c.outcome === "failure"), `${failOn} ${s.subject}`).toEqual(want);
      }
      expect(json.subjects.some((s) => s.requirements.some((r) => failsAudit(r.status, failOn))), "the other subject has a gap").toBe(true);
    }
  });

  it("SARIF: a result is an error exactly when its item fails the audit (no review result left with a level)", async () => {
    for (const failOn of ["gap", "warn"] as const) {
      const { stdout } = await audit(failOn, "sarif");
      const log = JSON.parse(stdout) as { runs: { results: { ruleId: string; kind: string; level: string; properties: { status?: string } }[]; tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } } }[] };
      const results = log.runs[0]?.results ?? [];
      const json = await report(failOn);
      const want = json.subjects.flatMap((s) => [...s.requirements.map((r) => failsAudit(r.status, failOn)), ...s.findings.map((f) => failsAudit(f.level, failOn))]);
      expect(results.map((r) => r.level === "error"), failOn).toEqual(want);
      expect(want.filter(Boolean).length, failOn).toBeGreaterThan(0);
      // SARIF 2.1.0, 3.27.10: a result whose kind is not "fail" has level "none".
      for (const r of results) expect(r.kind === "fail" || r.level === "none", `${failOn} ${r.ruleId} ${r.kind} ${r.level}`).toBe(true);
      const overBroad = results.filter((r) => r.ruleId === "over-broad-allow");
      expect(overBroad.map((r) => r.level), failOn).toEqual(failOn === "warn" ? ["error", "error"] : ["warning", "warning"]);
      expect(log.runs[0]?.tool.driver.rules.find((r) => r.id === "over-broad-allow")?.defaultConfiguration.level, failOn).toBe(failOn === "warn" ? "error" : "warning");
      expect(results.some((r) => r.properties.status === "unknown" && r.level === "error"), `${failOn}: an unknown verdict is an error`).toBe(true);
    }
  });
});

/**
 * What fails an audit is written once (`failsAudit`, `summaryFails`): the report's status follows it, item by
 * item, on every fixture and with either `failOn`.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { audit, failsAudit, summaryFails, VERDICTS, type AuditSummary, type Verdict } from "../src/index.js";
import { eastus, fixture, FIXTURES, serviceTags } from "./evaluate-helpers.js";

const NONE: AuditSummary = { open: 0, partlyOpen: 0, blocked: 0, unknown: 0, notAuditable: 0, warnings: 0 };
const COUNT: Record<Verdict, keyof AuditSummary> = { open: "open", "partly-open": "partlyOpen", blocked: "blocked", unknown: "unknown", "not-auditable": "notAuditable" };

describe("failsAudit and summaryFails", () => {
  it("a gap (partly open, blocked, unknown) fails with either failOn; a warning only with failOn warn; open and not auditable never", () => {
    const gaps = VERDICTS.filter((v) => failsAudit(v, "gap"));
    expect(gaps).toEqual(["partly-open", "blocked", "unknown"]);
    expect(VERDICTS.filter((v) => failsAudit(v, "warn"))).toEqual(gaps);
    expect(failsAudit("warn", "gap")).toBe(false);
    expect(failsAudit("warn", "warn")).toBe(true);
  });

  it("a summary fails when one item it counts fails: each verdict and the warnings, alone", () => {
    for (const failOn of ["gap", "warn"] as const) {
      expect(summaryFails(NONE, failOn), failOn).toBe(false);
      for (const v of VERDICTS) expect(summaryFails({ ...NONE, [COUNT[v]]: 1 }, failOn), `${v} ${failOn}`).toBe(failsAudit(v, failOn));
      expect(summaryFails({ ...NONE, open: 3, warnings: 2 }, failOn), `warnings ${failOn}`).toBe(failOn === "warn");
    }
  });

  it("the report's status is fail exactly when an item of a subject failsAudit, on every fixture, with either failOn", () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(6);
    const seen = new Set<string>();
    for (const file of files) {
      for (const failOn of ["gap", "warn"] as const) {
        const report = audit(fixture(file), { resolved: eastus, serviceTags: serviceTags(), failOn });
        if (report.status === "nothing-to-audit") continue;
        const itemFails = report.subjects.some((s) => s.requirements.some((r) => failsAudit(r.status, failOn)) || s.findings.some((f) => failsAudit(f.level, failOn)));
        expect(report.status, `${file} ${failOn}`).toBe(itemFails ? "fail" : "pass");
        seen.add(`${failOn} ${report.status}`);
      }
    }
    // Both outcomes, and a fixture that only failOn warn fails.
    expect([...seen]).toEqual(expect.arrayContaining(["gap fail", "gap pass", "warn fail"]));
    expect(audit(fixture("nsg-allow-all.json"), { resolved: eastus, serviceTags: serviceTags(), failOn: "gap" }).status).toBe("pass");
    expect(audit(fixture("nsg-allow-all.json"), { resolved: eastus, serviceTags: serviceTags(), failOn: "warn" }).status).toBe("fail");
  });
});

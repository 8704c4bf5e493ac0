/**
 * The corpus audited: every case of `corpus/<configuration>/expected.json` through the evaluator's
 * `audit()`, its verdict per requirement compared with the hand-worked one (see FLOWS.md and each
 * ANALYSIS.md). Needs the evaluator (`src/evaluate/`), which lands beside the readers.
 */
import { readFileSync } from "node:fs";
import { resolveRules, type ResolvedRules, type ServiceTagIndex } from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import type { InputDocument } from "@cassandra-mi-netrules/azure";
import { describe, expect, it } from "vitest";
import { caseInput, corpusCases, SERVICE_TAGS_FILE, type CorpusCase, type Verdict } from "./corpus.js";

/** What this test uses of the evaluator's report (its `AuditReport`). */
interface AuditReportSubset {
  readonly status: "pass" | "fail" | "nothing-to-audit";
  readonly found: readonly string[];
  readonly subjects: ReadonlyArray<{ readonly subject: string; readonly requirements: ReadonlyArray<{ readonly ruleId: string; readonly status: Verdict }> }>;
}
type Audit = (input: readonly InputDocument[], options: { resolved: ResolvedRules; parameters?: InputDocument; serviceTags?: ServiceTagIndex }) => AuditReportSubset;

// The evaluator lands in src/evaluate/ from its own branch; until both are merged this import fails and so
// does this file (by design). Imported by a computed name so that the readers' branch type-checks alone;
// once merged, `import { audit } from "../src/evaluate/index.js"` is the same test with the full types.
const EVALUATOR = new URL("../src/evaluate/index.ts", import.meta.url).href;
const { audit } = (await import(/* @vite-ignore */ EVALUATOR)) as { audit: Audit };

const serviceTags = loadServiceTags(readFileSync(SERVICE_TAGS_FILE, "utf8"), "ServiceTags_Public_20251028.json");

function run(c: CorpusCase) {
  const { documents, parameters } = caseInput(c);
  const resolved = resolveRules({ revision: "2021-11-02", regions: [c.region], subnet: c.subnet });
  return audit(documents, { resolved, ...(parameters ? { parameters } : {}), ...(c.serviceTags ? { serviceTags } : {}) });
}

describe("the corpus audited: verdicts match the hand analyses", () => {
  it.each(corpusCases().map((c) => [`${c.configuration}: ${c.name}`, c] as const))("%s", (_, c) => {
    const report = run(c);
    if (c.outcome === "nothing-to-audit") {
      expect(report.status).toBe("nothing-to-audit");
      expect(report.found).toEqual(c.found);
      return;
    }
    expect(report.status).not.toBe("nothing-to-audit");
    const subject = report.subjects.length === 1 ? report.subjects[0] : report.subjects.find((s) => s.subject.includes(c.subnet));
    expect(subject, `the subject of subnet ${c.subnet} among ${report.subjects.map((s) => s.subject).join(", ")}`).toBeDefined();
    const verdicts = Object.fromEntries((subject?.requirements ?? []).map((r) => [r.ruleId, r.status]));
    expect(verdicts).toEqual(c.verdicts);
  });
});

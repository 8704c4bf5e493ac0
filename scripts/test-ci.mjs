// Runs vitest (every suite, or the arguments' selection) and prints the plain "N passed, N failed" line CI
// reads. A skipped or todo test fails the run: in CI nothing is skipped.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** The line CI reads, and whether the run passed, from vitest's JSON report. */
export function verdict(report) {
  const passed = report.numPassedTests ?? 0;
  const failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped (not allowed in CI)` : ""}`;
  return { line, ok: failed === 0 && skipped === 0 && passed > 0 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const report = ".vitest-report.json";
  rmSync(report, { force: true });
  const run = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, CI: process.env.CI ?? "true" },
  });
  let result;
  try {
    result = verdict(JSON.parse(readFileSync(report, "utf8")));
  } catch {
    result = { line: "0 passed, 1 failed", ok: false };
  }
  console.log(result.line);
  process.exit(run.status === 0 && result.ok ? 0 : 1);
}

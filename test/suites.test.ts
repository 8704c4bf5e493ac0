/** The test suites: every test file in exactly one, `npm test` the unit suite, each other suite a script of its own, CI all of them with nothing skipped. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { matchesPath } from "@cassandra-mi-netrules/core/contract";
import { describe, expect, it } from "vitest";
import { SUITES } from "../vitest.config.js";
// @ts-expect-error a plain ES module of the repository's scripts
import { verdict } from "../scripts/test-ci.mjs";
import { ROOT } from "./helpers.js";

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : testFiles(p);
    return e.name.endsWith(".test.ts") ? [relative(ROOT, p)] : [];
  });
}

const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

describe("test suites", () => {
  it("every test file is in exactly one suite (unit is what no other suite takes)", () => {
    const files = [join(ROOT, "packages"), join(ROOT, "test"), join(ROOT, "examples")].flatMap(testFiles).sort();
    expect(files.length).toBeGreaterThan(60);
    const owners = files.map((f) => ({ f, suites: Object.entries(SUITES).filter(([, globs]) => globs.some((g) => matchesPath(g, f))).map(([s]) => s) }));
    expect(owners.filter((o) => o.suites.length > 1)).toEqual([]);
    for (const s of Object.keys(SUITES)) expect(owners.some((o) => o.suites.includes(s)), `suite ${s} has no file`).toBe(true);
    expect(owners.some((o) => o.f === "test/contract.test.ts" && o.suites.length === 0)).toBe(true);
  });

  it("npm test runs the unit suite; each other suite has its script; CI runs every suite", () => {
    expect(scripts.test).toBe("vitest run --project unit");
    for (const s of Object.keys(SUITES)) expect(scripts[`test:${s}`], s).toBe(`node scripts/test-ci.mjs --project ${s}`);
    expect(scripts["test:ci"]).toBe("node scripts/test-ci.mjs");
    expect(scripts.ci).toContain("npm run test:ci");
  });

  it("a skipped test fails CI", () => {
    expect(verdict({ numPassedTests: 10, numFailedTests: 0 }).ok).toBe(true);
    expect(verdict({ numPassedTests: 10, numFailedTests: 0, numPendingTests: 1 })).toEqual({ line: "10 passed, 0 failed, 1 skipped (not allowed in CI)", ok: false });
    expect(verdict({ numPassedTests: 10, numFailedTests: 1 }).ok).toBe(false);
    expect(verdict({ numPassedTests: 0, numFailedTests: 0 }).ok).toBe(false);
  });
});

/**
 * Determinism: for every emitter, the same input gives byte-identical files and coverage across runs,
 * with the input rules shuffled, after a JSON round trip of the input, and in a fresh process with
 * another time zone and locale.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, type EmitResult, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { numRuns, permutation, resolvedRules, seed, shuffledRules } from "./arbitraries.js";
import { EMITTERS, tryEmit, type EmitterCase } from "./emitters.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

function digest(r: { ok: true; result: EmitResult } | { ok: false; error: Error }): string {
  const body = r.ok ? canonicalJson({ files: r.result.files, coverage: r.result.coverage }) : `error: ${r.error.name}: ${r.error.message}`;
  return createHash("sha256").update(body).digest("hex");
}

describe.each(EMITTERS.map((e) => [e.name, e] as const))("determinism: %s", (name, e: EmitterCase) => {
  it("same bytes across runs, shuffled rules and a JSON round trip", { timeout: 3_600_000 }, () => {
    let cases = 0;
    let limited = 0;
    fc.assert(
      fc.property(
        resolvedRules().chain((r) => fc.tuple(fc.constant(r), e.options(r), permutation)),
        ([r, o, perm]) => {
          cases++;
          const first = tryEmit(e, r, o);
          if (!first.ok) limited++;
          const d = digest(first);
          expect(digest(tryEmit(e, r, o))).toBe(d);
          expect(digest(tryEmit(e, shuffledRules(r, perm), o))).toBe(d);
          expect(digest(tryEmit(e, JSON.parse(JSON.stringify(r)) as ResolvedRules, JSON.parse(JSON.stringify(o)) as unknown))).toBe(d);
          if (first.ok) {
            // Nothing in the output may depend on the clock.
            for (const f of first.result.files) expect(f.content).not.toMatch(/\b20[2-9]\d-\d\d-\d\dT\d\d:\d\d/);
          }
        },
      ),
      { numRuns: Math.max(100, Math.floor(numRuns() / 10)), seed: seed() },
    );
    console.log(`property: determinism ${name} ${cases} cases (${limited} stopped by a target limit)`);
  });
});

describe("determinism across processes", () => {
  it("a fresh tsx process (other TZ and locale) emits the same bytes for every emitter", () => {
    const cases = fc.sample(
      resolvedRules({ tagPrefixes: false }).chain((r) => fc.tuple(fc.constant(r), fc.tuple(...EMITTERS.map((e) => e.options(r))))),
      { numRuns: 25, seed: seed() },
    );
    const expected = cases.map(([r, opts]) => EMITTERS.map((e, i) => digest(tryEmit(e, r, opts[i]))));
    const dir = mkdtempSync(join(tmpdir(), "cmn-determinism-"));
    try {
      const input = join(dir, "cases.json");
      writeFileSync(input, JSON.stringify(cases));
      const child = spawnSync("npx", ["tsx", "--tsconfig", join(root, "test/property/tsconfig.json"), join(root, "test/property/emit-child.ts"), input], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, TZ: "Pacific/Kiritimati", LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8" },
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(child.status, child.stderr).toBe(0);
      const got = JSON.parse(child.stdout) as string[][];
      expect(got).toEqual(expected);
      console.log(`property: determinism cross-process ${cases.length} cases x ${EMITTERS.length} emitters`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

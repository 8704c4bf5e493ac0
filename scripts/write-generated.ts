/**
 * Writes a generated source file that is committed (bundled Rego, compiled templates): only when its text
 * changed, atomically, and never in CI, where a stale committed file must fail the build rather than be
 * regenerated before the test that checks it. Used by the packages' build scripts (run with tsx).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

/** `hint` says how to regenerate, e.g. `npm run build -w @cassandra-mi-netrules/emit-opa`. */
export function writeGenerated(file: string, text: string, hint: string): void {
  // Rewriting an unchanged file would race with tests that read it while the package builds.
  if (existsSync(file) && readFileSync(file, "utf8") === text) {
    console.log(`${file} is up to date`);
    return;
  }
  if (process.env.CI) {
    console.error(`${file} is out of date: run ${hint} and commit it`);
    process.exit(1);
  }
  writeFileSync(`${file}.tmp-${process.pid}`, text);
  renameSync(`${file}.tmp-${process.pid}`, file);
  console.log(`wrote ${file}`);
}

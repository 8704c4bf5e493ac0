/** Writing a generated source file: replaced whole (by rename) when its text differs; with `--check` (or CI set), nothing is written and a stale file exits 1. */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { relative } from "node:path";

export function writeGenerated(out: string, content: string, repoRoot: string): void {
  const checkOnly = process.argv.includes("--check") || Boolean(process.env.CI);
  const current = existsSync(out) ? readFileSync(out, "utf8") : undefined;
  if (current === content) return;
  const name = relative(repoRoot, out);
  if (checkOnly) {
    console.error(`out of date (run npm run generate -w @cassandra-mi-netrules/azure): ${name}`);
    process.exit(1);
  }
  writeFileSync(`${out}.tmp-${process.pid}`, content);
  renameSync(`${out}.tmp-${process.pid}`, out);
  console.log(`wrote ${name}`);
}

/**
 * Compiles data/*.yaml into src/generated/*.ts (frozen at import, no YAML or zod at run time) and
 * writes the JSON Schema of the YAML files to ../../schemas/. Exits 1 naming file, YAML path and value
 * on any problem. `--check` (and any run with CI set) writes nothing and exits 1 when a generated file is
 * out of date.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedFiles } from "../src/build/generate.js";
import { DatasetError } from "../src/build/compile.js";

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(pkgDir, "../..");
// In CI a stale committed file must fail the build, not be silently regenerated before the drift test.
const checkOnly = process.argv.includes("--check") || Boolean(process.env.CI);

try {
  const files = generatedFiles({ pkgDir, repoRoot });
  const stale: string[] = [];
  for (const f of files) {
    const current = existsSync(f.path) ? readFileSync(f.path, "utf8") : undefined;
    if (current === f.content) continue;
    if (checkOnly) {
      stale.push(relative(repoRoot, f.path));
      continue;
    }
    mkdirSync(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.tmp-${process.pid}`;
    writeFileSync(tmp, f.content);
    renameSync(tmp, f.path);
    console.log(`wrote ${relative(repoRoot, f.path)}`);
  }
  if (stale.length > 0) {
    console.error(`out of date (run npm run generate -w @cassandra-mi-netrules/core): ${stale.join(", ")}`);
    process.exit(1);
  }
} catch (e) {
  if (e instanceof DatasetError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

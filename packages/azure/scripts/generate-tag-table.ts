/**
 * Writes src/generated/tag-table.ts from vendor/service-tags/ (the file the core catalogue is built
 * from). `--check` (and any run with CI set) writes nothing and exits 1 when the file is out of date.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildTagTable, renderTagTable, type ServiceTagsFileLike } from "./tag-table.js";

export const SERVICE_TAGS_FILE = "ServiceTags_Public_20251028.json";

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(pkgDir, "../..");
const out = join(pkgDir, "src/generated/tag-table.ts");
const checkOnly = process.argv.includes("--check") || Boolean(process.env.CI);

const file = JSON.parse(readFileSync(join(repoRoot, "vendor/service-tags", SERVICE_TAGS_FILE), "utf8")) as ServiceTagsFileLike;
const content = renderTagTable(buildTagTable(file, SERVICE_TAGS_FILE));
const current = existsSync(out) ? readFileSync(out, "utf8") : undefined;
if (current !== content) {
  if (checkOnly) {
    console.error("out of date (run npm run generate -w @cassandra-mi-netrules/azure): packages/azure/src/generated/tag-table.ts");
    process.exit(1);
  }
  writeFileSync(`${out}.tmp-${process.pid}`, content);
  renameSync(`${out}.tmp-${process.pid}`, out);
  console.log("wrote packages/azure/src/generated/tag-table.ts");
}

/**
 * Writes src/generated/tag-table.ts from vendor/service-tags/ (the file the core catalogue is built
 * from). `--check` (and any run with CI set) writes nothing and exits 1 when the file is out of date.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildTagTable, renderTagTable, type ServiceTagsFileLike } from "./tag-table.js";
import { writeGenerated } from "./write-generated.js";

export const SERVICE_TAGS_FILE = "ServiceTags_Public_20251028.json";

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(pkgDir, "../..");

const file = JSON.parse(readFileSync(join(repoRoot, "vendor/service-tags", SERVICE_TAGS_FILE), "utf8")) as ServiceTagsFileLike;
writeGenerated(join(pkgDir, "src/generated/tag-table.ts"), renderTagTable(buildTagTable(file, SERVICE_TAGS_FILE)), repoRoot);

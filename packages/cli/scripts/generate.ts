/** Writes the generated parts of the READMEs and schemas/config.schema.json (run by `npm run generate`). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { registry } from "../src/registry.js";
import { generatedFiles, ROOT } from "./docs.js";

for (const f of generatedFiles(registry)) {
  writeFileSync(join(ROOT, f.path), f.content);
  console.log(`generate: wrote ${f.path}`);
}

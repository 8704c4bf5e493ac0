// Generates the site's pages at build time: one folder per locale, for every region the site documents
// and for "no region" (placeholders kept and explained), plus the changelog between revisions.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { emitMarkdownDocs, locales } from "@cassandra-mi-netrules/emit-markdown";

const out = join(dirname(fileURLToPath(import.meta.url)), "..", "docs");
const sites = [
  { dir: "", regions: [] },
  { dir: "eastus", regions: ["eastus"] },
];

rmSync(out, { recursive: true, force: true });
let count = 0;
for (const locale of locales) {
  for (const site of sites) {
    const resolved = resolveRules({ regions: site.regions });
    const dir = site.dir ? `${locale}/${site.dir}` : locale;
    const { files } = emitMarkdownDocs(resolved, { locale, changelog: true, dir });
    for (const file of files) {
      const path = join(out, file.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
      count++;
    }
  }
}
console.log(`docs-site: wrote ${count} pages under ${out}`);

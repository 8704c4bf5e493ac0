// Generates the site's pages at build time: one folder per locale, for every region the site documents
// and for "no region" (placeholders kept and explained), plus the changelog between revisions. The
// site's own templates (templates/, laid out like the package's) replace the bundled ones they name.
// Every page is rendered before anything is written, and docs/ is replaced in one rename.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { emitMarkdownDocs, locales, templateOverridesFromFiles } from "@cassandra-mi-netrules/emit-markdown";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "docs");
const sites = [
  { dir: "", regions: [] },
  { dir: "eastus", regions: ["eastus"] },
];

/** The template files of a directory, by POSIX path relative to it (`pages/index.md.hbs`). */
export function readTemplateDir(dir) {
  const files = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path).split(sep).join("/")] = readFileSync(path, "utf8");
  }
  return files;
}

export function renderSite() {
  const templates = templateOverridesFromFiles(readTemplateDir(join(root, "templates")));
  const pages = [];
  for (const locale of locales) {
    for (const site of sites) {
      const resolved = resolveRules({ regions: site.regions });
      const dir = site.dir ? `${locale}/${site.dir}` : locale;
      pages.push(...emitMarkdownDocs(resolved, { locale, changelog: true, dir, templates }).files);
    }
  }
  return pages;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pages = renderSite();
  const staging = `${out}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const page of pages) {
      const path = join(staging, page.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, page.content);
    }
    rmSync(out, { recursive: true, force: true });
    renameSync(staging, out);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  console.log(`docs-site: wrote ${pages.length} pages under ${out}`);
}

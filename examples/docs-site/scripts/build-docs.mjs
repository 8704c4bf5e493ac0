// Renders the site's Markdown pages at build time from the published packages: English at the site's
// root and French under fr/, each for "no region" (placeholders kept and explained, with the changelog
// between revisions) and for every region of site.config.json. The site's own templates (templates/,
// laid out like the package's) replace the bundled ones they name. Every page is rendered before
// anything is written, and content/ is replaced in one rename; VitePress then builds the site from it.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { getRegion, resolveRules } from "@cassandra-mi-netrules/core";
import { emitMarkdownDocs, locales, templateOverridesFromFiles } from "@cassandra-mi-netrules/emit-markdown";

export const siteRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the pages are written: the VitePress source directory (not committed). */
export const contentDir = join(siteRoot, "content");

/** site.config.json: `regions` (ARM location names, one set of pages each) and `templates` (a directory, or null). */
export function readSiteConfig(file = join(siteRoot, "site.config.json")) {
  const config = JSON.parse(readFileSync(file, "utf8"));
  if (!Array.isArray(config.regions) || !config.regions.every((r) => typeof r === "string")) {
    throw new Error(`${file}: regions must be a list of ARM location names (value: ${JSON.stringify(config.regions)})`);
  }
  if (config.templates !== null && typeof config.templates !== "string") {
    throw new Error(`${file}: templates must be a directory or null (value: ${JSON.stringify(config.templates)})`);
  }
  // Region names are checked here (with a suggestion for a typo) rather than halfway through the build.
  for (const region of config.regions) getRegion(region);
  return { title: String(config.title ?? "Network rules"), regions: [...new Set(config.regions)], templates: config.templates };
}

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

/** The locale's folder in the site: English is the root locale. */
export function localeDir(locale) {
  return locale === "en" ? "" : locale;
}

/** The sets of pages the site holds, per locale: no region (with the changelog), then each region. */
export function pageSets(config = readSiteConfig()) {
  return locales.flatMap((locale) => [
    { locale, region: null, dir: localeDir(locale) },
    ...config.regions.map((region) => ({ locale, region, dir: [localeDir(locale), region].filter(Boolean).join("/") })),
  ]);
}

/** Every page of the site, rendered with the site's templates; nothing written. */
export function renderSite(config = readSiteConfig()) {
  const templates = config.templates ? templateOverridesFromFiles(readTemplateDir(join(siteRoot, config.templates))) : undefined;
  return pageSets(config).flatMap((set) => {
    const resolved = resolveRules({ regions: set.region ? [set.region] : [] });
    const options = { locale: set.locale, dir: set.dir, changelog: set.region === null, ...(templates ? { templates } : {}) };
    return emitMarkdownDocs(resolved, options).files;
  });
}

// VitePress replaces `<!-- @include: path -->` with the file at that path before it reads the Markdown,
// even inside a code span, where the emitter writes data as it is.
const INCLUDE = /<!--\s*@include:/;

/** Refuses a page VitePress would read as more than Markdown: an include directive, naming page and line. */
export function checkPage(page) {
  const lines = page.content.split("\n");
  const at = lines.findIndex((line) => INCLUDE.test(line));
  if (at !== -1) throw new Error(`${page.path}:${at + 1}: holds a VitePress include directive (value: ${JSON.stringify(lines[at].slice(0, 120))})`);
}

/** Writes `pages` under `out`, replacing it in one rename (a failure leaves the previous pages). */
export function writePages(pages, out = contentDir) {
  pages.forEach(checkPage);
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
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `--out DIR` writes the pages elsewhere (the tests do); by default into content/ for VitePress.
  const at = process.argv.indexOf("--out");
  const out = at === -1 ? contentDir : process.argv[at + 1];
  if (!out) throw new Error("--out needs a directory");
  const pages = renderSite();
  writePages(pages, out);
  console.log(`docs-site: wrote ${pages.length} pages under ${relative(process.cwd(), out) || "."}`);
}

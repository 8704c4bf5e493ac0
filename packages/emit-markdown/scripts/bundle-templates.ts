/**
 * Bundles the top-level `templates/markdown/` (handlebars pages and partials, one YAML catalogue per
 * locale) into `src/generated/templates.ts` (sources and catalogues, for overrides) and
 * `src/generated/renderers.ts` (the same templates compiled to functions), so the package reads no file
 * and parses no template at run time.
 * Checks on the way: every template obeys the template policy, every `t` key exists in every catalogue,
 * every catalogue has exactly the keys English has, every included partial exists, every message used
 * inside a ```mermaid block is Mermaid-safe in every locale.
 * Usage: `tsx scripts/bundle-templates.ts` (the package's build runs it before tsup).
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { load } from "js-yaml";
import { compareStrings } from "../../core/src/order.js";
import { checkMermaidMessages, checkTemplate } from "../src/template-policy.js";
import { compileRenderers } from "./compile-templates.js";
import { writeGenerated } from "../../../scripts/write-generated.js";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../../..");
export const templatesDir = join(repoRoot, "templates/markdown");
export const generatedFile = join(here, "../src/generated/templates.ts");
export const renderersFile = join(here, "../src/generated/renderers.ts");

const EXT = ".md.hbs";

function readTemplates(dir: string, inlineSuffix?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of readdirSync(dir).sort(compareStrings)) {
    if (!file.endsWith(EXT)) throw new Error(`${join(dir, file)}: template files must end in ${EXT}`);
    const name = basename(file, EXT);
    let text = readFileSync(join(dir, file), "utf8").replace(/\r\n/g, "\n");
    // Inline partials (`*-cell`) sit inside a table row: their final newline would end the row.
    if (inlineSuffix && name.endsWith(inlineSuffix)) text = text.replace(/\n$/, "");
    out[name] = text;
  }
  return out;
}

/** Nested YAML mapping → `a.b.c` keys; every leaf must be a non-empty string. */
export function flattenCatalogue(value: unknown, where: string, prefix = ""): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`${where}: ${prefix || "the document"} must be a mapping (value: ${JSON.stringify(value)})`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") {
      if (v.trim() === "") throw new Error(`${where}: key "${key}" is empty`);
      out[key] = v;
    } else Object.assign(out, flattenCatalogue(v, where, key));
  }
  return out;
}

export function readCatalogues(dir: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const file of readdirSync(dir).sort(compareStrings)) {
    if (!file.endsWith(".yaml")) continue;
    const where = join(dir, file);
    out[basename(file, ".yaml")] = flattenCatalogue(load(readFileSync(where, "utf8")), where);
  }
  return out;
}

/** Keys English has that `locale` lacks, and keys `locale` has that English does not. */
export function catalogueDrift(catalogues: Record<string, Record<string, string>>, locale: string): { missing: string[]; extra: string[] } {
  const en = catalogues["en"] ?? {};
  const other = catalogues[locale] ?? {};
  return {
    missing: Object.keys(en).filter((k) => !(k in other)).sort(compareStrings),
    extra: Object.keys(other).filter((k) => !(k in en)).sort(compareStrings),
  };
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareStrings(a, b)));
}

interface Bundle {
  readonly pages: Record<string, string>;
  readonly partials: Record<string, string>;
  readonly catalogues: Record<string, Record<string, string>>;
}

/** Reads and checks the templates and catalogues in `dir`. Throws on any inconsistency. */
function readBundle(dir: string): Bundle {
  const pages = readTemplates(join(dir, "pages"));
  const partials = readTemplates(join(dir, "partials"), "-cell");
  const catalogues = readCatalogues(join(dir, "i18n"));
  if (!catalogues["en"]) throw new Error(`${join(dir, "i18n")}: en.yaml is missing`);
  for (const locale of Object.keys(catalogues)) {
    const { missing, extra } = catalogueDrift(catalogues, locale);
    if (missing.length > 0) throw new Error(`i18n/${locale}.yaml lacks keys English has: ${missing.join(", ")}`);
    if (extra.length > 0) throw new Error(`i18n/${locale}.yaml has keys English lacks: ${extra.join(", ")}`);
  }
  const all = { ...Object.fromEntries(Object.entries(pages).map(([n, s]) => [`pages/${n}`, s])), ...Object.fromEntries(Object.entries(partials).map(([n, s]) => [`partials/${n}`, s])) };
  for (const [name, source] of Object.entries(all)) {
    const facts = checkTemplate(name, source);
    for (const key of facts.keys) if (!(key in catalogues["en"])) throw new Error(`template "${name}" uses key "${key}", which i18n/en.yaml lacks`);
    for (const p of facts.partials) if (!(p in partials)) throw new Error(`template "${name}" includes partial "${p}", which does not exist`);
    checkMermaidMessages(name, facts.mermaidKeys, catalogues);
  }
  return { pages, partials, catalogues };
}

/** The text of `src/generated/templates.ts` for the templates in `dir`. Throws on any inconsistency. */
export function bundleTemplates(dir: string = templatesDir): string {
  const { pages, partials, catalogues } = readBundle(dir);
  const json = (v: unknown): string => JSON.stringify(v, null, 2);
  return [
    "// Generated by packages/emit-markdown/scripts/bundle-templates.ts from templates/markdown/. Do not edit;",
    "// run `npm run build -w @cassandra-mi-netrules/emit-markdown` (a test fails when this file is stale).",
    "",
    `export const defaultPages = ${json(sortedRecord(pages))} as const;`,
    "",
    `export const defaultPartials = ${json(sortedRecord(partials))} as const;`,
    "",
    `export const catalogues = ${json(sortedRecord(Object.fromEntries(Object.entries(catalogues).map(([l, c]) => [l, sortedRecord(c)]))))} as const;`,
    "",
  ].join("\n");
}

/** The text of `src/generated/renderers.ts`: the templates in `dir` compiled to functions. */
export function bundleRenderers(dir: string = templatesDir): string {
  const { pages, partials } = readBundle(dir);
  return compileRenderers(pages, partials);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [file, text] of [
    [generatedFile, bundleTemplates()],
    [renderersFile, bundleRenderers()],
  ] as const) writeGenerated(file, text, "npm run build -w @cassandra-mi-netrules/emit-markdown");
}

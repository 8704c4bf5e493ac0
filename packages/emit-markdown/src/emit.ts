/** Renders the documentation pages: handlebars over the view model, data escaped by one helper. */
import Handlebars from "handlebars";
import {
  compareStrings,
  getRegion,
  serviceTagCatalog,
  sortBy,
  type CoverageEntry,
  type EmitResult,
  type EmittedFile,
  type Emitter,
  type Locale,
  type ResolvedRules,
} from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };
import { escapeMarkdown, escapeMarkdownList, MARKDOWN_CONTEXTS, type MarkdownContext, type MarkdownValue } from "./escape.js";
import { catalogues, defaultPages, defaultPartials } from "./generated/templates.js";
import { checkTemplate } from "./template-policy.js";
import { pageNames, partialNames, type MarkdownTemplateOverrides, type PageName, type PartialName } from "./templates.js";
import { buildView } from "./view.js";

export const version: string = pkg.version;

export const GENERATOR = "@cassandra-mi-netrules/emit-markdown";

export const locales: readonly Locale[] = ["en", "fr"];

export interface MarkdownOptions {
  /** Language of the pages; default `en`. Revision, regions, subnet and features come from `resolveRules`. */
  readonly locale?: Locale;
  /**
   * Adds `changelog.md`: `true` for every step from the first revision to the resolved one,
   * `{ from }` for one step from that revision to the resolved one.
   */
  readonly changelog?: boolean | { readonly from: string };
  /** Coverage reported by other emitters, by target name; adds `targets.md` (what each target cannot do). */
  readonly coverage?: Readonly<Record<string, readonly CoverageEntry[]>>;
  /** Templates or partials that replace the bundled ones (see `templateOverridesFromFiles`). */
  readonly templates?: MarkdownTemplateOverrides;
  /** Directory the files are written under, POSIX, no trailing slash; default: the locale (`en`). `""`: none. */
  readonly dir?: string;
}

const COMPILE = { noEscape: true, strict: true } as const;

const TABLE_NAMES: Readonly<Record<string, string>> = {
  "azure-global": "outbound requirements",
  "service-tags": "service tags",
  prefixes: "address prefixes",
  "internal-ports": "internal ports",
};

function regionalTagNames(): ReadonlySet<string> {
  return new Set(
    Object.values(serviceTagCatalog.tags)
      .filter((t) => Object.keys(t.regional).length > 0)
      .map((t) => t.name),
  );
}

function regionDisplayName(name: string): string {
  try {
    return getRegion(name).displayName;
  } catch {
    return name;
  }
}

/** The `md` helper: the only helper that writes data. `{{md value ["text"|"cell"|"code"|"cellcode"]}}`. */
function mdHelper(...args: unknown[]): string {
  args.pop(); // handlebars' options object; md uses none
  const [value, context = "text"] = args as [unknown, unknown];
  if (typeof context !== "string" || !(MARKDOWN_CONTEXTS as readonly string[]).includes(context)) {
    throw new Error(`md: unknown context (value: ${JSON.stringify(context)}; contexts: ${MARKDOWN_CONTEXTS.join(", ")})`);
  }
  const ctx = context as MarkdownContext;
  const ok = (v: unknown): v is MarkdownValue => typeof v === "string" || typeof v === "number";
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (!ok(v)) throw new Error(`md: list item ${i} must be a string or a number (value: ${JSON.stringify(v)})`);
    });
    return escapeMarkdownList(value as MarkdownValue[], ctx);
  }
  if (!ok(value)) throw new Error(`md: value must be a string, a number or a list of them (value: ${JSON.stringify(value ?? null)})`);
  return escapeMarkdown(value, ctx);
}

function checkOverrides(overrides: MarkdownTemplateOverrides | undefined): { pages: Partial<Record<PageName, string>>; partials: Partial<Record<PartialName, string>> } {
  const pages: Partial<Record<PageName, string>> = {};
  const partials: Partial<Record<PartialName, string>> = {};
  for (const [name, source] of Object.entries(overrides?.pages ?? {})) {
    if (!(pageNames as readonly string[]).includes(name)) throw new Error(`templates.pages: unknown page (value: "${name}"; pages: ${pageNames.join(", ")})`);
    if (typeof source !== "string") throw new Error(`templates.pages["${name}"] must be a string`);
    checkTemplate(`pages/${name}`, source);
    pages[name as PageName] = source;
  }
  for (const [name, source] of Object.entries(overrides?.partials ?? {})) {
    if (!(partialNames as readonly string[]).includes(name)) throw new Error(`templates.partials: unknown partial (value: "${name}"; partials: ${partialNames.join(", ")})`);
    if (typeof source !== "string") throw new Error(`templates.partials["${name}"] must be a string`);
    const facts = checkTemplate(`partials/${name}`, source);
    for (const p of facts.partials) if (!(partialNames as readonly string[]).includes(p)) throw new Error(`templates.partials["${name}"] includes an unknown partial (value: "${p}")`);
    partials[name as PartialName] = source;
  }
  return { pages, partials };
}

interface CompiledTemplates {
  page(name: PageName): HandlebarsTemplateDelegate;
}

// Compiling the templates dominates a render, so the default set is compiled once per locale and process.
const defaultTemplates = new Map<string, CompiledTemplates>();

function compiledTemplates(locale: string, catalogue: Readonly<Record<string, string>>, overrides: ReturnType<typeof checkOverrides>): CompiledTemplates {
  const isDefault = Object.keys(overrides.pages).length === 0 && Object.keys(overrides.partials).length === 0;
  const cached = isDefault ? defaultTemplates.get(locale) : undefined;
  if (cached) return cached;
  const env = Handlebars.create();
  env.registerHelper("md", mdHelper);
  env.registerHelper("t", (key: unknown) => {
    const message = typeof key === "string" ? catalogue[key] : undefined;
    if (message === undefined) throw new Error(`t: catalogue ${locale} has no key (value: ${JSON.stringify(key)})`);
    return message;
  });
  for (const name of partialNames) env.registerPartial(name, env.compile(overrides.partials[name] ?? defaultPartials[name], COMPILE));
  const pages = new Map<PageName, HandlebarsTemplateDelegate>();
  const compiled: CompiledTemplates = {
    page(name) {
      let t = pages.get(name);
      if (!t) {
        t = env.compile(overrides.pages[name] ?? defaultPages[name], COMPILE);
        pages.set(name, t);
      }
      return t;
    },
  };
  if (isDefault) defaultTemplates.set(locale, compiled);
  return compiled;
}

/** Renders the documentation for one locale. Pure: no file, clock or environment is read. */
export function emitMarkdownDocs(resolved: ResolvedRules, options: MarkdownOptions = {}): EmitResult {
  const locale = options.locale ?? "en";
  if (!locales.includes(locale)) throw new Error(`locale must be one of ${locales.join(", ")} (value: ${JSON.stringify(locale)})`);
  const dir = options.dir ?? locale;
  if (typeof dir !== "string" || (dir !== "" && !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(dir)) || dir.split("/").includes("..")) {
    throw new Error(`dir must be a relative POSIX path without "..", or "" (value: ${JSON.stringify(dir)})`);
  }
  const prefix = dir === "" ? "" : `${dir}/`;
  const catalogue: Readonly<Record<string, string>> = catalogues[locale];
  const overrides = checkOverrides(options.templates);

  const view = buildView(resolved, { locale, generator: GENERATOR, generatorVersion: version, coverage: options.coverage, changelog: options.changelog, regionNames: regionDisplayName }, regionalTagNames());

  const templates = compiledTemplates(locale, catalogue, overrides);
  const render = (page: PageName): string => {
    let out: string;
    try {
      out = templates.page(page)(view);
    } catch (e) {
      throw new Error(`rendering page "${page}" (${locale}): ${(e as Error).message}`, { cause: e });
    }
    return out.endsWith("\n") ? out : `${out}\n`;
  };

  const wanted: PageName[] = ["index", "network-rules"];
  if (view.pages.targets) wanted.push("targets");
  if (view.pages.changelog) wanted.push("changelog");
  const files: EmittedFile[] = wanted.map((page) => ({ path: `${prefix}${page}.md`, content: render(page) })).sort((a, b) => compareStrings(a.path, b.path));

  const coverage: CoverageEntry[] = sortBy(
    resolved.rules,
    (r) => r.order,
    (r) => r.id,
  ).map((r) => ({
    ruleId: r.id,
    status: "enforced",
    how: `documented in ${prefix}network-rules.md (${r.kind === "internal" ? "internal ports" : (TABLE_NAMES[r.provenance.table] ?? "outbound requirements")} table)`,
    why: "",
  }));
  return { files, coverage };
}

export const emitter: Emitter<MarkdownOptions> = {
  name: "markdown",
  description: "Markdown documentation of the rules in English or French: requirements, service tags, prefixes, internal ports, conditions, inferences, target limits and changelog.",
  emit: (resolved, options) => emitMarkdownDocs(resolved, options),
};

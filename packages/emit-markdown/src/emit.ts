/** Renders the documentation pages: the bundled templates compiled at build time (Handlebars for overrides) over the view model, data escaped by one helper. */
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
  coreMajor,
} from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };
import { markdownOptions } from "./options.js";
import { escapeMarkdown, escapeMarkdownList, MARKDOWN_CONTEXTS, type MarkdownContext, type MarkdownValue } from "./escape.js";
import { compiledPages } from "./generated/renderers.js";
import { catalogues, defaultPages, defaultPartials } from "./generated/templates.js";
import { handlebars } from "./handlebars.js";
import type { RenderHelpers } from "./render-runtime.js";
import { checkMermaidMessages, checkTemplate } from "./template-policy.js";
import { pageNames, partialNames, type MarkdownTemplateOverrides, type PageName, type PartialName } from "./templates.js";
import { buildView, type DocsView, type NotRenderedTarget } from "./view.js";

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
  /** Targets that could not be generated with these inputs, by name: `targets.md` lists them with the reason. */
  readonly notRendered?: Readonly<Record<string, NotRenderedTarget>>;
  /** Templates or partials that replace the bundled ones (see `templateOverridesFromFiles`). */
  readonly templates?: MarkdownTemplateOverrides;
  /** Directory the files are written under, POSIX, no trailing slash; default: the locale (`en`). `""`: none. */
  readonly dir?: string;
}

const TABLE_NAMES: Readonly<Record<string, string>> = {
  "azure-global": "outbound requirements",
  "service-tags": "service tags",
  prefixes: "address prefixes",
  "internal-ports": "internal ports",
};

let regionalTags: ReadonlySet<string> | undefined;

/** Tags of the (frozen) catalogue that have regional forms. */
function regionalTagNames(): ReadonlySet<string> {
  regionalTags ??= new Set(
    Object.values(serviceTagCatalog.tags)
      .filter((t) => Object.keys(t.regional).length > 0)
      .map((t) => t.name),
  );
  return regionalTags;
}

function regionDisplayName(name: string): string {
  try {
    return getRegion(name).displayName;
  } catch {
    return name;
  }
}

/** The `md` helper: the only helper that writes data. `{{md value ["text"|"cell"|"code"|"cellcode"]}}`. */
function md(value: unknown, context: unknown): string {
  if (typeof context !== "string" || !(MARKDOWN_CONTEXTS as readonly string[]).includes(context)) {
    throw new Error(`md: unknown context (value: ${JSON.stringify(context)}; contexts: ${MARKDOWN_CONTEXTS.join(", ")})`);
  }
  const ctx = context as MarkdownContext;
  if (typeof value === "string" || typeof value === "number") return escapeMarkdown(value, ctx);
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (typeof v !== "string" && typeof v !== "number") throw new Error(`md: list item ${i} must be a string or a number (value: ${JSON.stringify(v)})`);
    });
    return escapeMarkdownList(value as MarkdownValue[], ctx);
  }
  throw new Error(`md: value must be a string, a number or a list of them (value: ${JSON.stringify(value ?? null)})`);
}

/** The same helper as Handlebars calls it: the last argument is its options object. */
function mdHelper(...args: unknown[]): string {
  args.pop();
  return md(args[0], args.length > 1 ? args[1] : "text");
}

const helpersByLocale = new Map<Locale, RenderHelpers>();

function helpersFor(locale: Locale): RenderHelpers {
  let helpers = helpersByLocale.get(locale);
  if (!helpers) {
    const catalogue: Readonly<Record<string, string>> = catalogues[locale];
    helpers = {
      md,
      t(key: unknown) {
        const message = typeof key === "string" && Object.prototype.hasOwnProperty.call(catalogue, key) ? catalogue[key] : undefined;
        if (message === undefined) throw new Error(`t: catalogue ${locale} has no key (value: ${JSON.stringify(key)})`);
        return message;
      },
    };
    helpersByLocale.set(locale, helpers);
  }
  return helpers;
}

interface CheckedOverrides {
  readonly pages: Partial<Record<PageName, string>>;
  readonly partials: Partial<Record<PartialName, string>>;
}

function checkOverrideShape(overrides: MarkdownTemplateOverrides | undefined): CheckedOverrides {
  if (overrides === undefined) return { pages: {}, partials: {} };
  if (overrides === null || typeof overrides !== "object") throw new Error(`templates must be an object with pages and partials (value: ${JSON.stringify(overrides)})`);
  const pages: Partial<Record<PageName, string>> = {};
  const partials: Partial<Record<PartialName, string>> = {};
  for (const [name, source] of Object.entries(overrides.pages ?? {})) {
    if (!(pageNames as readonly string[]).includes(name)) throw new Error(`templates.pages: unknown page (value: "${name}"; pages: ${pageNames.join(", ")})`);
    if (typeof source !== "string") throw new Error(`templates.pages["${name}"] must be a string`);
    pages[name as PageName] = source;
  }
  for (const [name, source] of Object.entries(overrides.partials ?? {})) {
    if (!(partialNames as readonly string[]).includes(name)) throw new Error(`templates.partials: unknown partial (value: "${name}"; partials: ${partialNames.join(", ")})`);
    if (typeof source !== "string") throw new Error(`templates.partials["${name}"] must be a string`);
    partials[name as PartialName] = source;
  }
  return { pages, partials };
}

/** Every override obeys the template policy and includes only known partials. */
function checkOverridePolicy(overrides: CheckedOverrides): void {
  for (const [name, source] of Object.entries(overrides.pages)) {
    const facts = checkTemplate(`pages/${name}`, source as string);
    checkMermaidMessages(`pages/${name}`, facts.mermaidKeys, catalogues);
  }
  for (const [name, source] of Object.entries(overrides.partials)) {
    const facts = checkTemplate(`partials/${name}`, source as string);
    for (const p of facts.partials) if (!(partialNames as readonly string[]).includes(p)) throw new Error(`templates.partials["${name}"] includes an unknown partial (value: "${p}")`);
    checkMermaidMessages(`partials/${name}`, facts.mermaidKeys, catalogues);
  }
}

type PageRenderer = (view: DocsView) => string;

const COMPILE = { noEscape: true, strict: true } as const;

/** The bundled templates, compiled at build time. */
function bundledRenderer(locale: Locale): (page: PageName) => PageRenderer {
  const helpers = helpersFor(locale);
  return (page) => (view) => compiledPages[page](view, { root: view }, helpers);
}

// Overrides are checked and compiled by Handlebars once per set of templates (the same directory is
// usually rendered for many regions); the few most recent sets are kept.
const OVERRIDE_CACHE_LIMIT = 8;
const overrideRenderers = new Map<string, (page: PageName) => PageRenderer>();

function overrideRenderer(locale: Locale, overrides: CheckedOverrides): (page: PageName) => PageRenderer {
  const key = JSON.stringify([locale, Object.entries(overrides.pages).sort(), Object.entries(overrides.partials).sort()]);
  const cached = overrideRenderers.get(key);
  if (cached) {
    overrideRenderers.delete(key);
    overrideRenderers.set(key, cached);
    return cached;
  }
  checkOverridePolicy(overrides);
  const env = handlebars().create();
  const helpers = helpersFor(locale);
  env.registerHelper("md", mdHelper);
  env.registerHelper("t", (key: unknown) => helpers.t(key as string));
  for (const name of partialNames) env.registerPartial(name, env.compile(overrides.partials[name] ?? defaultPartials[name], COMPILE));
  const pages = new Map<PageName, HandlebarsTemplateDelegate>();
  const renderer = (page: PageName): PageRenderer => {
    let template = pages.get(page);
    if (!template) {
      template = env.compile(overrides.pages[page] ?? defaultPages[page], COMPILE);
      pages.set(page, template);
    }
    return template;
  };
  if (overrideRenderers.size >= OVERRIDE_CACHE_LIMIT) overrideRenderers.delete(overrideRenderers.keys().next().value as string);
  overrideRenderers.set(key, renderer);
  return renderer;
}

/** Renders the documentation for one locale. Pure: no file, clock or environment is read. */
export function emitMarkdownDocs(resolved: ResolvedRules, options: MarkdownOptions = {}): EmitResult {
  const settled = markdownOptions.settle(options);
  const locale = settled.locale;
  const dir = settled.dir ?? locale;
  const changelog = settled.changelog;
  const prefix = dir === "" ? "" : `${dir}/`;
  const overrides = checkOverrideShape(options.templates);
  const hasOverrides = Object.keys(overrides.pages).length > 0 || Object.keys(overrides.partials).length > 0;
  const renderer = hasOverrides ? overrideRenderer(locale, overrides) : bundledRenderer(locale);

  const view = buildView(
    resolved,
    { locale, generator: GENERATOR, generatorVersion: version, coverage: options.coverage, notRendered: options.notRendered, changelog, regionNames: regionDisplayName },
    regionalTagNames(),
  );

  const render = (page: PageName): string => {
    let out: string;
    try {
      out = renderer(page)(view);
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
  options: markdownOptions,
  coreMajor,
  package: { name: GENERATOR, version },
  files: ["**/*.md"],
};

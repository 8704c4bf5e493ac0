/** The bundled templates and how a user overrides them. */
import { compareStrings } from "@cassandra-mi-netrules/core";
import { catalogues, defaultPages, defaultPartials } from "./generated/templates.js";

export type PageName = keyof typeof defaultPages;
export type PartialName = keyof typeof defaultPartials;
export type CatalogueLocale = keyof typeof catalogues;

export const pageNames: readonly PageName[] = (Object.keys(defaultPages) as PageName[]).sort(compareStrings);
export const partialNames: readonly PartialName[] = (Object.keys(defaultPartials) as PartialName[]).sort(compareStrings);

/**
 * Template strings that replace bundled ones, by name (`network-rules`, `stamp`, ...). A partial whose
 * name ends in `-cell` is inline (it sits inside a table row), so it must not end with a newline.
 */
export interface MarkdownTemplateOverrides {
  readonly pages?: Readonly<Partial<Record<PageName, string>>>;
  readonly partials?: Readonly<Partial<Record<PartialName, string>>>;
}

/** The extension of template files, in `templates/markdown/` and in an override directory. */
export const TEMPLATE_EXTENSION = ".md.hbs";

/**
 * Builds overrides from the files of a directory laid out like `templates/markdown/`:
 * `pages/<page>.md.hbs` and `partials/<partial>.md.hbs`, keyed by POSIX path relative to the directory.
 * The caller reads the files (this package reads none); unknown names are rejected with their path.
 */
export function templateOverridesFromFiles(files: Readonly<Record<string, string>>): MarkdownTemplateOverrides {
  const pages: Partial<Record<PageName, string>> = {};
  const partials: Partial<Record<PartialName, string>> = {};
  for (const path of Object.keys(files).sort(compareStrings)) {
    const content = files[path] as string;
    const m = /^(pages|partials)\/([a-z0-9-]+)\.md\.hbs$/.exec(path.replace(/^\.\//, ""));
    if (!m) throw new Error(`template override path must be pages/<name>${TEMPLATE_EXTENSION} or partials/<name>${TEMPLATE_EXTENSION} (value: "${path}")`);
    const [, kind, name] = m as unknown as [string, "pages" | "partials", string];
    if (kind === "pages") {
      if (!(pageNames as readonly string[]).includes(name)) throw new Error(`unknown page template (value: "${path}"; pages: ${pageNames.join(", ")})`);
      pages[name as PageName] = content;
    } else {
      if (!(partialNames as readonly string[]).includes(name)) throw new Error(`unknown partial template (value: "${path}"; partials: ${partialNames.join(", ")})`);
      // Inline partials sit in a table row; an editor's final newline would end the row.
      partials[name as PartialName] = name.endsWith("-cell") ? content.replace(/\r?\n$/, "") : content;
    }
  }
  return { pages, partials };
}

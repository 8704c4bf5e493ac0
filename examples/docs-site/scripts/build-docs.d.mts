import type { EmittedFile, Locale } from "@cassandra-mi-netrules/core";

export interface SiteConfig {
  readonly title: string;
  readonly regions: readonly string[];
  readonly templates: string | null;
}
export interface PageSet {
  readonly locale: Locale;
  readonly region: string | null;
  readonly dir: string;
}
export const siteRoot: string;
export const contentDir: string;
export function readSiteConfig(file?: string): SiteConfig;
/** The template files of a directory, by POSIX path relative to it (`pages/index.md.hbs`). */
export function readTemplateDir(dir: string): Record<string, string>;
export function localeDir(locale: Locale): string;
export function pageSets(config?: SiteConfig): PageSet[];
/** Every page of the site, rendered with the site's templates; nothing written. */
export function renderSite(config?: SiteConfig): EmittedFile[];
/** Refuses a page VitePress would read as more than Markdown (an include directive), naming page and line. */
export function checkPage(page: EmittedFile): void;
export function writePages(pages: readonly EmittedFile[], out?: string): void;

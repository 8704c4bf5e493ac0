// The VitePress site: English at the root, French under /fr/, each with the pages for no region and one
// set per region of site.config.json. The sidebar is built from the same page list the build script
// writes (scripts/build-docs.mjs), with each page's own title.
import { getRegion } from "@cassandra-mi-netrules/core";
import { defineConfig, type DefaultTheme } from "vitepress";
import { pageSets, readSiteConfig, renderSite, type PageSet } from "../scripts/build-docs.mjs";
import { markdownOptions } from "./markdown.mjs";

const config = readSiteConfig();
const pages = renderSite(config);
const titles = new Map(pages.map((p) => [p.path, /^# (.+)$/m.exec(p.content)?.[1] ?? p.path]));

const labels = {
  en: { overview: "Every region ({region} left as is)", language: "English", switch: "Language" },
  fr: { overview: "Toutes les régions ({region} laissé tel quel)", language: "Français", switch: "Langue" },
} as const;

/** A sidebar group: one set's pages, in the order the index links them. */
function group(set: PageSet): DefaultTheme.SidebarItem {
  const prefix = set.dir === "" ? "" : `${set.dir}/`;
  const items = ["index", "network-rules", "changelog"]
    .filter((page) => titles.has(`${prefix}${page}.md`))
    .map((page) => ({ text: titles.get(`${prefix}${page}.md`) as string, link: `/${prefix}${page === "index" ? "" : page}` }));
  const text = set.region === null ? labels[set.locale].overview : `${getRegion(set.region).displayName} (${set.region})`;
  return { text, items, collapsed: set.region !== null };
}

function sidebar(locale: "en" | "fr"): DefaultTheme.SidebarItem[] {
  return pageSets(config)
    .filter((s) => s.locale === locale)
    .map(group);
}

export default defineConfig({
  title: config.title,
  srcDir: "content",
  cleanUrls: false,
  lastUpdated: false,
  markdown: markdownOptions,
  // An inline icon: the browser then asks the host for no /favicon.ico.
  head: [["link", { rel: "icon", href: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%23196'/%3E%3C/svg%3E" }]],
  // Mermaid's diagram modules are large and loaded only on pages with a diagram.
  vite: { build: { chunkSizeWarningLimit: 3000 } },
  locales: {
    root: { label: labels.en.language, lang: "en", themeConfig: { sidebar: sidebar("en"), langMenuLabel: labels.en.switch } },
    fr: { label: labels.fr.language, lang: "fr", link: "/fr/", themeConfig: { sidebar: sidebar("fr"), langMenuLabel: labels.fr.switch } },
  },
  themeConfig: {
    outline: { level: [2, 3] },
    search: { provider: "local" },
  },
});

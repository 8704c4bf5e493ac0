/**
 * The built site in a real browser (Debian's chromium through playwright-core): every page loads without
 * a console error, each rule table has the rows of the current revision in English and in French (counted
 * in the DOM), in-page and cross-page links resolve, the language switch leads to the French page, and
 * the diagram is drawn as SVG with one node per destination group. Screenshots go to test-output/.
 * It tests what `npm run build` built (CI builds first) and fails if that build is stale.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { load } from "js-yaml";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRules, type ResolvedRule } from "@cassandra-mi-netrules/core";
import { pageSets, readSiteConfig, renderSite } from "../scripts/build-docs.mjs";
import { collectErrors, launchChromium, serveDirectory, type Browser, type StaticServer } from "./browser.js";

const SITE = fileURLToPath(new URL("..", import.meta.url));
const CONTENT = join(SITE, "content");
const DIST = join(SITE, ".vitepress/dist");
const SHOTS = join(SITE, "test-output/screenshots");
const CATALOGUES = fileURLToPath(new URL("../../../templates/markdown/i18n/", import.meta.url));
const REBUILD = "run `npm run build -w @cassandra-mi-netrules-examples/docs-site` (or the root `npm run docs`)";

type Locale = "en" | "fr";
const catalogue = (locale: Locale): Record<string, Record<string, string>> => load(readFileSync(join(CATALOGUES, `${locale}.yaml`), "utf8")) as Record<string, Record<string, string>>;
const messages = { en: catalogue("en"), fr: catalogue("fr") };

/** `fr/eastus/network-rules.md` → `/fr/eastus/network-rules.html`; `fr/index.md` → `/fr/`. */
function urlPath(page: string): string {
  return `/${page.replace(/(^|\/)index\.md$/, "$1").replace(/\.md$/, ".html")}`;
}

/** The site was built from the current sources: content/ is what they render, and every page's HTML is newer. */
function requireFreshBuild(): string[] {
  const pages = renderSite();
  for (const page of pages) {
    const md = join(CONTENT, page.path);
    const html = join(DIST, urlPath(page.path).replace(/\/$/, "/index.html"));
    if (!existsSync(md) || readFileSync(md, "utf8") !== page.content) throw new Error(`content/${page.path} is missing or stale: ${REBUILD}`);
    if (!existsSync(html) || statSync(html).mtimeMs < statSync(md).mtimeMs) throw new Error(`${html} is missing or older than its page: ${REBUILD}`);
  }
  return pages.map((p) => p.path);
}

interface TableInfo {
  readonly heading: string;
  readonly ids: string[];
  readonly codesInColumn2: string[];
}

interface Visit {
  readonly errors: string[];
  readonly h1: string;
  readonly lang: string;
  readonly tables: TableInfo[];
  readonly links: { href: string; inPage: boolean; targetExists: boolean }[];
  readonly diagram: { nodes: { id: string; classes: string; text: string }[]; edges: number } | null;
}

let server: StaticServer;
let browser: Browser;
let pages: string[] = [];
const visits = new Map<string, Promise<Visit>>();

beforeAll(async () => {
  pages = requireFreshBuild();
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  server = await serveDirectory(DIST);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function readPage(page: Page): Promise<Omit<Visit, "errors">> {
  return page.evaluate(() => {
    const clean = (s: string | null | undefined): string => (s ?? "").replace(/\u200b/g, "").trim();
    const doc = document.querySelector(".vp-doc");
    const tables: TableInfo[] = [];
    let heading = "";
    for (const el of Array.from(doc?.querySelectorAll("h2, table") ?? [])) {
      if (el.tagName === "H2") heading = clean(el.textContent);
      else {
        const rows = Array.from(el.querySelectorAll("tbody tr"));
        tables.push({
          heading,
          ids: rows.map((r) => clean(r.querySelector("td:first-child code")?.textContent)),
          codesInColumn2: rows.flatMap((r) => Array.from(r.querySelectorAll("td:nth-child(2) code")).map((c) => clean(c.textContent))),
        });
      }
    }
    const links = Array.from(document.querySelectorAll<HTMLAnchorElement>("a[href]")).map((a) => {
      const url = new URL(a.href);
      const inPage = url.origin === location.origin && url.pathname === location.pathname && url.hash !== "";
      return { href: a.href, inPage, targetExists: inPage ? document.getElementById(decodeURIComponent(url.hash.slice(1))) !== null : false };
    });
    const svg = document.querySelector(".mermaid-diagram svg");
    const diagram = svg
      ? {
          nodes: Array.from(svg.querySelectorAll("g.node")).map((n) => ({ id: n.id, classes: n.getAttribute("class") ?? "", text: clean(n.textContent) })),
          edges: svg.querySelectorAll("path.flowchart-link").length,
        }
      : null;
    return { h1: clean(document.querySelector(".vp-doc h1")?.textContent), lang: document.documentElement.lang, tables, links, diagram };
  });
}

/** Opens a page once (cached): its errors, tables, links and diagram, and a screenshot. */
function visit(path: string): Promise<Visit> {
  let v = visits.get(path);
  if (!v) {
    v = (async () => {
      const page = await browser.context.newPage();
      const errors = collectErrors(page);
      try {
        const response = await page.goto(`${server.origin}${urlPath(path)}`, { waitUntil: "networkidle" });
        if (response?.status() !== 200) errors.push(`HTTP ${response?.status()} for ${path}`);
        if (path.endsWith("network-rules.md")) await page.waitForSelector(".mermaid-diagram svg g.node", { timeout: 60_000 });
        const shot = path.replace(/\.md$/, "").replace(/\//g, "__");
        await page.screenshot({ path: join(SHOTS, `${shot}.png`) });
        if (path.endsWith("network-rules.md")) {
          // The sticky navigation bar would cover the top of the element's screenshot.
          await page.addStyleTag({ content: ".VPNav, .VPLocalNav { visibility: hidden !important; }" });
          await page.locator(".mermaid-diagram").screenshot({ path: join(SHOTS, `${shot}__diagram.png`) });
        }
        return { errors, ...(await readPage(page)) };
      } finally {
        await page.close();
      }
    })();
    visits.set(path, v);
  }
  return v;
}

/** The four rule tables as the data defines them, and the destination groups the diagram must draw. */
function expected(region: string | null) {
  const rules = resolveRules({ regions: region ? [region] : [] }).rules;
  const ids = (pred: (r: ResolvedRule) => boolean): string[] => rules.filter(pred).map((r) => r.id).sort();
  const outbound = (r: ResolvedRule): boolean => r.kind === "outbound";
  const tags = new Set(rules.filter((r) => outbound(r)).flatMap((r) => r.serviceTags.map((t) => t.global.name)));
  const untagged = rules.filter((r) => outbound(r) && r.serviceTags.length === 0);
  return {
    outbound: ids((r) => outbound(r) && r.provenance.table !== "service-tags" && r.provenance.table !== "prefixes"),
    serviceTags: ids((r) => outbound(r) && r.provenance.table === "service-tags"),
    prefixes: rules.filter((r) => outbound(r) && r.provenance.table === "prefixes").flatMap((r) => [...r.prefixes.ipv4, ...r.prefixes.ipv6]),
    internal: ids((r) => r.kind === "internal"),
    tags: [...tags].sort(),
    groups:
      tags.size +
      (untagged.some((r) => r.fqdns.length + r.unresolvedFqdns.length > 0) ? 1 : 0) +
      (untagged.some((r) => r.fqdns.length + r.unresolvedFqdns.length === 0) ? 1 : 0) +
      (rules.some((r) => r.kind === "internal") ? 1 : 0),
  };
}

const ruleSets = () => pageSets(readSiteConfig()).map((s) => ({ ...s, path: `${s.dir ? `${s.dir}/` : ""}network-rules.md` }));

describe("examples/docs-site in Chromium", () => {
  it("every page loads without a console error or a failed request, with its title", { timeout: 300_000 }, async () => {
    expect(pages).toHaveLength(18);
    const problems: string[] = [];
    for (const path of pages) {
      const v = await visit(path);
      for (const e of v.errors) problems.push(`${path}: ${e}`);
      expect(v.h1, path).not.toBe("");
      expect(v.lang, path).toBe(path.startsWith("fr/") ? "fr" : "en");
    }
    expect(problems).toEqual([]);
  });

  it("each rule table has the rows of the current revision, in English and in French (16 FQDN rows, 9 service tags, 3 prefixes, 5 internal ports)", { timeout: 300_000 }, async () => {
    const sets = ruleSets();
    expect(sets.filter((s) => s.locale === "fr")).toHaveLength(4);
    for (const set of sets) {
      const v = await visit(set.path);
      const want = expected(set.region);
      const headings = messages[set.locale];
      const table = (key: string): TableInfo => {
        const found = v.tables.filter((t) => t.heading === headings[key]?.heading);
        expect(found, `${set.path}: one table under "${headings[key]?.heading}"`).toHaveLength(1);
        return found[0] as TableInfo;
      };
      expect([...table("outbound").ids].sort(), set.path).toEqual(want.outbound);
      expect([...table("tags").ids].sort(), set.path).toEqual(want.serviceTags);
      expect(table("prefixes").codesInColumn2, set.path).toEqual(want.prefixes);
      expect([...table("internal").ids].sort(), set.path).toEqual(want.internal);
      // The figures the current revision documents.
      expect([table("outbound").ids.length, table("tags").ids.length, table("prefixes").codesInColumn2.length, table("internal").ids.length], set.path).toEqual([16, 9, 3, 5]);
    }
  });

  it("in-page and cross-page links resolve (pages served, anchors present)", { timeout: 300_000 }, async () => {
    const checked = new Map<string, Promise<string | null>>();
    const external = new Set<string>();
    const check = (href: string): Promise<string | null> => {
      let c = checked.get(href);
      if (!c) {
        c = (async () => {
          const url = new URL(href);
          const response = await fetch(`${url.origin}${url.pathname}`);
          if (response.status !== 200) return `HTTP ${response.status}`;
          const html = await response.text();
          const id = decodeURIComponent(url.hash.slice(1));
          return id === "" || html.includes(`id="${id}"`) ? null : `no element with id "${id}"`;
        })();
        checked.set(href, c);
      }
      return c;
    };
    const problems: string[] = [];
    let inPage = 0;
    for (const path of pages) {
      const v = await visit(path);
      for (const link of v.links) {
        if (!link.href.startsWith(server.origin)) {
          external.add(link.href);
          continue;
        }
        if (link.inPage) {
          inPage++;
          if (!link.targetExists) problems.push(`${path}: in-page link ${link.href} has no target`);
        }
        const problem = await check(link.href);
        if (problem) problems.push(`${path}: ${link.href}: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
    expect(inPage).toBeGreaterThan(pages.length);
    expect(checked.size).toBeGreaterThan(pages.length);
    expect([...external]).toEqual([]);
  });

  it("the diagram is drawn as SVG: the subnet, the three layers, and one node per destination group", { timeout: 300_000 }, async () => {
    for (const set of ruleSets()) {
      const v = await visit(set.path);
      const want = expected(set.region);
      const d = v.diagram;
      expect(d, set.path).not.toBeNull();
      const destinations = d!.nodes.filter((n) => n.classes.split(" ").includes("destination"));
      expect(destinations, set.path).toHaveLength(want.groups);
      expect(want.groups, set.path).toBe(12);
      expect(d!.nodes.filter((n) => /-(subnet|nsg|routes|firewall)-\d+$/.test(n.id)), set.path).toHaveLength(4);
      expect(d!.edges, set.path).toBe(3 + want.groups);
      const labels = messages[set.locale].diagram as Record<string, string>;
      for (const tag of want.tags) expect(destinations.some((n) => n.text.startsWith(tag)), `${set.path}: ${tag}`).toBe(true);
      for (const key of ["names", "prefixes", "internal"]) expect(destinations.some((n) => n.text.startsWith(labels[key] as string)), `${set.path}: ${key}`).toBe(true);
      expect(d!.nodes.some((n) => n.text === labels.subnet), set.path).toBe(true);
    }
  });

  it("the language switch leads from an English page to the same French page, diagram redrawn (and zoomed by a click)", { timeout: 120_000 }, async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    try {
      await page.goto(`${server.origin}/eastus/network-rules.html`, { waitUntil: "networkidle" });
      await page.waitForSelector(".mermaid-diagram svg g.node");
      await page.locator(".VPNavBarTranslations button").hover();
      await page.locator(".VPNavBarTranslations a", { hasText: "Français" }).click();
      await page.waitForURL(`${server.origin}/fr/eastus/network-rules.html`);
      await expect.poll(() => page.locator(".vp-doc h1").textContent()).toContain(messages.fr.rules?.title as string);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe("fr");
      await page.waitForSelector(`.mermaid-diagram svg g.node >> text=${messages.fr.diagram?.subnet}`);
      await page.screenshot({ path: join(SHOTS, "language-switch__fr__eastus__network-rules.png") });
      // The diagram fits the column; a click shows it at its natural size, a second click fits it again.
      const widths = () => page.locator(".mermaid-diagram svg").evaluate((svg: SVGSVGElement) => ({ shown: Math.round(svg.getBoundingClientRect().width), natural: Math.round(svg.viewBox.baseVal.width), column: Math.round(svg.parentElement!.getBoundingClientRect().width) }));
      const fitted = await widths();
      expect(fitted.natural).toBeGreaterThan(fitted.column);
      expect(fitted.shown).toBeLessThanOrEqual(fitted.column);
      await page.locator(".mermaid-diagram").click();
      expect((await widths()).shown).toBe(fitted.natural);
      await page.addStyleTag({ content: ".VPNav, .VPLocalNav { visibility: hidden !important; }" });
      await page.locator(".mermaid-diagram").screenshot({ path: join(SHOTS, "zoomed__fr__eastus__network-rules__diagram.png") });
      await page.locator(".mermaid-diagram").click();
      expect((await widths()).shown).toBe(fitted.shown);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

/**
 * The site reads the generated pages as data: VitePress's Markdown renderer with the site's options
 * (.vitepress/markdown.mts), then Vue's compiler as VitePress uses it, on hostile text.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMarkdownRenderer } from "vitepress";
import { renderToString } from "vue/server-renderer";
import { createSSRApp } from "vue";
import { afterAll, describe, expect, it } from "vitest";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { emitMarkdownDocs } from "@cassandra-mi-netrules/emit-markdown";
import { markdownOptions } from "../.vitepress/markdown.mjs";
import { checkPage, writePages } from "../scripts/build-docs.mjs";

const dir = mkdtempSync(join(tmpdir(), "cmn-docs-site-md-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function toHtml(markdown: string): Promise<string> {
  const md = await createMarkdownRenderer(dir, markdownOptions);
  const html = md.render(markdown, { path: join(dir, "x.md"), relativePath: "x.md", cleanUrls: false });
  // What VitePress then does with it: the page's HTML is a Vue template, rendered on the server.
  return renderToString(createSSRApp({ template: html }));
}

/** The attribute names of every tag of an HTML string (values in double quotes, as Vue's renderer writes them). */
function attributeNames(html: string): string[] {
  return [...html.matchAll(/<[a-zA-Z][^\s/>]*((?:\s+[^\s=/>]+(?:="[^"]*")?)*)\s*\/?>/g)].flatMap((tag) => [...(tag[1] ?? "").matchAll(/\s+([^\s=/>]+)(?:="[^"]*")?/g)].map((a) => a[1] as string));
}

describe("the site's Markdown options", () => {
  it("a page is not a Vue template: {{ }} stays text, in prose and in code", async () => {
    const html = await toHtml("# T\n\nText {{ 7 * 7 }} and `{{ 6 * 7 }}`.\n\n| a |\n| --- |\n| {{ 5 * 5 }} |\n");
    expect(html).toContain("{{ 7 * 7 }}");
    expect(html).toContain("{{ 6 * 7 }}");
    expect(html).toContain("{{ 5 * 5 }}");
    expect(html).not.toMatch(/\b(49|42|25)\b/);
  });

  it("markdown-it-attrs is off: {onclick=...} after text or in a cell adds no attribute", async () => {
    const html = await toHtml("Hello {onclick=alert(1) .x}\n\n| a |\n| --- |\n| cell {onmouseover=alert(2)} |\n\n## H {#id onclick=alert(3)}\n");
    expect(attributeNames(html).filter((a) => a.startsWith("on"))).toEqual([]);
    expect(html).toContain("{onclick=alert(1) .x}");
  });

  it("a mermaid block becomes <pre class=\"mermaid\"> holding its source as text", async () => {
    const html = await toHtml('```mermaid\nflowchart LR\n  a["</pre><script>alert(1)</script> {{ 1 + 1 }}"]\n```\n');
    expect(html).toContain('<div class="mermaid-diagram"><pre class="mermaid">flowchart LR\n  a[&quot;&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; {{ 1 + 1 }}&quot;]\n</pre></div>');
    expect(html).not.toContain("<script>");
  });

  it("the emitter's pages render: headings, tables and the diagram block", async () => {
    const page = emitMarkdownDocs(resolveRules({ regions: ["eastus"] }), { locale: "fr" }).files.find((f) => f.path === "fr/network-rules.md")!;
    const html = await toHtml(page.content);
    expect(html.match(/<table/g)?.length).toBeGreaterThanOrEqual(6);
    expect(html).toContain('<pre class="mermaid">flowchart LR');
    expect(html).toContain('id="ou-va-le-trafic"');
  });
});

describe("the page step refuses what VitePress would read as more than Markdown", () => {
  it("an include directive, even in a code span, stops the build before anything is written, naming page and line", () => {
    const page = { path: "fr/network-rules.md", content: "# T\n\nok\n\n| `<!-- @include: ../../../etc/passwd -->` |\n" };
    expect(() => checkPage(page)).toThrow(/^fr\/network-rules\.md:5: holds a VitePress include directive \(value: "\| `<!-- @include: /);
    const out = join(dir, "content");
    expect(() => writePages([{ path: "index.md", content: "# ok\n" }, page], out)).toThrow(/include directive/);
    expect(readdirSync(dir).filter((f) => f.startsWith("content"))).toEqual([]);
  });
});

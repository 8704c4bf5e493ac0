/**
 * The Markdown emitter's diagram, outside the site, in the real Mermaid (the package's browser bundle)
 * in Chromium: the ```mermaid block of each page, as a plain Markdown preview such as GitHub's takes it,
 * draws one node per destination group; and the `mermaid` escaping context holds for hostile strings
 * (a property test: every label reads back as the value, no node, edge or element is injected).
 */
import { createRequire } from "node:module";
import fc from "fast-check";
import MarkdownIt from "markdown-it";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { emitMarkdownDocs, escapeMarkdown } from "@cassandra-mi-netrules/emit-markdown";
import { mermaidShown } from "../../../packages/emit-markdown/test/markdown-parse.js";
import { resolvedRules } from "../../../test/property/arbitraries.js";
import { emitterCase, tryEmit } from "../../../test/property/emitters.js";
import { collectErrors, launchChromium, type Browser } from "./browser.js";

const MERMAID = createRequire(import.meta.url).resolve("mermaid/dist/mermaid.min.js");
const numRuns = Number(process.env.FC_NUM_RUNS ?? 200);
const seed = Number(process.env.FC_SEED || 0x5eed_c0de);

let browser: Browser;
let page: Page;
let errors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.context.newPage();
  errors = collectErrors(page);
  await page.setContent("<!doctype html><html><head><meta charset=utf-8></head><body></body></html>");
  await page.addScriptTag({ path: MERMAID });
  await page.evaluate(() => (window as unknown as { mermaid: { initialize(c: object): void } }).mermaid.initialize({ startOnLoad: false, securityLevel: "strict" }));
});

afterAll(async () => {
  await browser?.close();
});

interface Drawn {
  readonly nodes: { id: string; classes: string; text: string; tags: string[] }[];
  readonly edges: number;
}

/** Draws a Mermaid source with `mermaid.render` and reads the SVG back. */
function draw(source: string): Promise<Drawn> {
  return page.evaluate(async (text) => {
    const mermaid = (window as unknown as { mermaid: { render(id: string, t: string): Promise<{ svg: string }> } }).mermaid;
    const { svg } = await mermaid.render(`d${Math.random().toString(36).slice(2)}`, text);
    const box = document.createElement("div");
    box.innerHTML = svg;
    document.body.append(box);
    try {
      const root = box.querySelector("svg");
      if (!root) throw new Error("no svg");
      return {
        nodes: Array.from(root.querySelectorAll("g.node")).map((n) => {
          const label = n.querySelector(".nodeLabel") ?? n;
          return {
            id: n.id,
            classes: n.getAttribute("class") ?? "",
            text: label.textContent ?? "",
            tags: Array.from(label.querySelectorAll("*")).map((e) => e.tagName.toLowerCase()),
          };
        }),
        edges: root.querySelectorAll("path.flowchart-link").length,
      };
    } finally {
      box.remove();
    }
  }, source);
}

describe("the diagram as a plain Markdown preview shows it (the ```mermaid block, drawn by Mermaid itself)", () => {
  const md = new MarkdownIt("commonmark");
  for (const locale of ["en", "fr"] as const) {
    for (const regions of [[], ["eastus"], ["westeurope", "eastus2"]]) {
      it(`${locale}, regions [${regions.join(", ")}]: one node per destination group, labels as the data says`, async () => {
        const resolved = resolveRules({ regions, subnet: "10.9.0.0/24" });
        const content = emitMarkdownDocs(resolved, { locale }).files.find((f) => f.path.endsWith("network-rules.md"))!.content;
        const fences = md.parse(content, {}).filter((t) => t.type === "fence");
        expect(fences.map((f) => f.info)).toEqual(["mermaid"]);
        const drawn = await draw(fences[0]!.content);
        const destinations = drawn.nodes.filter((n) => n.classes.split(" ").includes("destination"));
        const tags = new Set(resolved.rules.flatMap((r) => (r.kind === "outbound" ? r.serviceTags.map((t) => t.global.name) : [])));
        expect(destinations).toHaveLength(tags.size + 3);
        expect(drawn.nodes).toHaveLength(4 + destinations.length);
        expect(drawn.edges).toBe(3 + destinations.length);
        for (const tag of tags) expect(destinations.some((n) => n.text.startsWith(tag)), tag).toBe(true);
        expect(drawn.nodes.find((n) => n.id.includes("-subnet-"))!.text).toContain("10.9.0.0/24");
        const names = destinations.find((n) => n.text.includes(locale === "en" ? "Names without a service tag" : "Noms sans étiquette de service"))!;
        for (const rule of resolved.rules.filter((r) => r.kind === "outbound" && r.serviceTags.length === 0 && r.fqdns.length > 0)) {
          for (const f of rule.fqdns) expect(names.text).toContain(f.fqdn);
        }
        for (const n of destinations) expect(n.tags.filter((t) => !["p", "span", "div", "b", "br"].includes(t)), n.text).toEqual([]);
        expect(errors).toEqual([]);
      });
    }
  }
});

// Characters and strings Mermaid, HTML or Markdown read, and the others escapeMarkdown's tests use.
const hostileUnit = fc.constantFrom(
  ...'"#;%{}<>&`:[]()|\\/*_~=+-.,!?@$^\' \t\n'.split(""),
  "a",
  "Z",
  "9",
  "é",
  "日",
  "ß",
  "\ufb02",
  "\u00b0",
  "\u00b6",
  "\ud83d\ude00",
  "#quot;",
  "#35;",
  "&lt;",
  "&#60;",
  "%%{init: {'theme':'dark'}}%%",
  "%% comment",
  "style dest1 fill:#f00;",
  "classDef x fill:#f00;",
  ":::x",
  "-->",
  "---",
  "end",
  "click n1 call alert()",
  "<br>",
  "<b>",
  "<img src=x onerror=alert(1)>",
  "<script>alert(1)</script>",
  "```",
  "`**md**`",
  "A@{ shape: circle }",
);
const hostile = fc.oneof(fc.string({ unit: hostileUnit, maxLength: 30 }), fc.string({ unit: "grapheme", maxLength: 20 }));

describe("escapeMarkdown(value, \"mermaid\") in the real Mermaid (property)", () => {
  it("each label reads back as the normalised value; no node, edge or element is injected", { timeout: 600_000 }, async () => {
    const values = fc.sample(hostile, { numRuns, seed });
    const BATCH = 25;
    let drawn = 0;
    for (let start = 0; start < values.length; start += BATCH) {
      const batch = values.slice(start, start + BATCH);
      // Between two letters, as the emitter's labels always hold some text of the template (Mermaid refuses an empty one).
      const source = ["flowchart LR", ...batch.map((v, i) => `  n${i}["a ${escapeMarkdown(v, "mermaid")} z"]`), "  n0 --> n1"].join("\n");
      const result = await draw(source);
      expect(result.nodes, source).toHaveLength(batch.length);
      expect(result.edges, source).toBe(batch.length > 1 ? 1 : 0);
      for (const [i, v] of batch.entries()) {
        const node = result.nodes.find((n) => new RegExp(`-n${i}-\\d+$`).test(n.id));
        const want = mermaidShown(v);
        expect(node?.text, JSON.stringify(v)).toBe(`a ${want} z`);
        expect(node?.tags.filter((t) => !["p", "span", "div"].includes(t)), JSON.stringify(v)).toEqual([]);
      }
      drawn += batch.length;
    }
    expect(drawn).toBe(numRuns);
    expect(errors).toEqual([]);
    console.log(`property: mermaid labels ${drawn} hostile values drawn by Mermaid in Chromium (seed ${seed})`);
  });
});

describe("the diagram of generated datasets with hostile text in the real Mermaid (property)", () => {
  it("draws, with one node per destination group, with and without a coverage", { timeout: 600_000 }, async () => {
    const md = new MarkdownIt("commonmark");
    const nsg = emitterCase("nsg");
    const cases = fc.sample(fc.tuple(resolvedRules(), fc.constantFrom("en" as const, "fr" as const), fc.boolean()), { numRuns: Math.max(10, Math.ceil(numRuns / 10)), seed });
    for (const [resolved, locale, withCoverage] of cases) {
      const nsgOut = withCoverage ? tryEmit(nsg, resolved, {}) : undefined;
      const coverage = nsgOut?.ok ? { nsg: nsgOut.result.coverage } : undefined;
      const page = emitMarkdownDocs(resolved, { locale, ...(coverage ? { coverage } : {}) }).files.find((f) => f.path.endsWith("network-rules.md"))!;
      const fence = md.parse(page.content, {}).find((t) => t.type === "fence" && t.info === "mermaid")!;
      const groups = fence.content.match(/^ {2}(?:nsg|firewall) --> dest\d+\[/gm)?.length ?? 0;
      expect(groups).toBeGreaterThan(0);
      const drawn = await draw(fence.content);
      expect(drawn.nodes.filter((n) => n.classes.split(" ").includes("destination"))).toHaveLength(groups);
      expect(drawn.nodes).toHaveLength(4 + groups);
      expect(drawn.edges).toBe(3 + groups);
      for (const n of drawn.nodes) expect(n.tags.filter((t) => !["p", "span", "div", "b", "br"].includes(t)), n.text).toEqual([]);
    }
    expect(errors).toEqual([]);
    console.log(`property: mermaid diagrams of ${cases.length} generated datasets drawn by Mermaid in Chromium`);
  });
});

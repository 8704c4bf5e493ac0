import { mkdtempSync, readFileSync, rmSync, cpSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allRequirements, features, revisions, resolveRules, type Locale, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { checkTemplate, emitMarkdownDocs, locales, pageNames, partialNames, templateOverridesFromFiles, type MarkdownOptions } from "@cassandra-mi-netrules/emit-markdown";
import Handlebars from "handlebars";
import { bundleRenderers, bundleTemplates, catalogueDrift, generatedFile, readCatalogues, renderersFile, templatesDir } from "../scripts/bundle-templates.js";
import { compileTemplate } from "../scripts/compile-templates.js";
import { each, indentLines, lookup, truthy, withContext, type CompiledTemplate, type RenderHelpers } from "../src/render-runtime.js";
import { fixtureCoverage, scenarios } from "./fixtures.js";
import { catalogues, defaultPages, defaultPartials } from "../src/generated/templates.js";
import { formatIssues, lintMarkdownStrings } from "@cassandra-mi-netrules/testkit/markdownlint";

describe("catalogues (templates/markdown/i18n)", () => {
  const catalogues = readCatalogues(join(templatesDir, "i18n"));

  it("there is one catalogue per locale of the emitter, and no other", () => {
    expect(Object.keys(catalogues).sort()).toEqual([...locales].sort());
  });

  for (const locale of locales) {
    it(`${locale} has every key English has, and no key English lacks`, () => {
      expect(catalogueDrift(catalogues, locale)).toEqual({ missing: [], extra: [] });
    });
  }

  it("the check fails when a locale lacks a key English has (and the build refuses it)", () => {
    const broken = { en: { ...catalogues["en"] }, fr: { ...catalogues["fr"] } };
    delete broken.fr["outbound.heading"];
    expect(catalogueDrift(broken, "fr").missing).toEqual(["outbound.heading"]);
    const dir = mkdtempSync(join(tmpdir(), "cmn-emit-markdown-"));
    try {
      cpSync(templatesDir, dir, { recursive: true });
      const fr = readFileSync(join(dir, "i18n/fr.yaml"), "utf8");
      writeFileSync(join(dir, "i18n/fr.yaml"), fr.replace(/^ {2}heading: Exigences de trafic sortant\n/m, ""));
      expect(() => bundleTemplates(dir)).toThrow(/i18n\/fr\.yaml lacks keys English has: outbound\.heading/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const locale of locales) {
    it(`${locale}: every requirement of every revision has a purpose, and every condition, inference and note a text`, () => {
      const lacking: string[] = [];
      const need = (where: string, value: Readonly<Partial<Record<Locale, string>>>): void => {
        if (typeof value[locale] !== "string" || value[locale]!.trim() === "") lacking.push(where);
      };
      const seen = new Set<string>();
      for (const rev of revisions) {
        need(`revisions["${rev.id}"].summary`, rev.summary);
        for (const r of [...rev.requirements, ...allRequirements.filter((x) => rev.requirementIds.includes(x.id))]) {
          if (seen.has(r.id)) continue;
          seen.add(r.id);
          need(`requirements["${r.id}"].purpose`, r.purpose);
          r.conditions.forEach((c, i) => need(`requirements["${r.id}"].conditions[${i}]`, c));
          r.inferred.forEach((c, i) => need(`requirements["${r.id}"].inferred[${i}]`, c));
          r.provenance.notes.forEach((c, i) => need(`requirements["${r.id}"].provenance.notes[${i}]`, c));
        }
      }
      for (const f of features) need(`features["${f.id}"].description`, f.description);
      expect(lacking).toEqual([]);
      expect(seen.size).toBe(allRequirements.length);
    });
  }

  it("a requirement without a purpose in the page's locale stops the rendering, naming it", () => {
    const resolved = resolveRules({ regions: [] });
    const broken = { ...resolved, rules: resolved.rules.map((r) => (r.id === "cql" ? { ...r, purpose: { en: r.purpose.en } as unknown as Record<Locale, string> } : r)) };
    expect(() => emitMarkdownDocs(broken, { locale: "fr" })).toThrow(/rules\["cql"\]\.purpose\.fr is missing or empty \(value: null\)/);
  });
});

describe("bundled templates (src/generated/templates.ts)", () => {
  it("is up to date with templates/markdown (run the package build when this fails)", () => {
    expect(readFileSync(generatedFile, "utf8")).toBe(bundleTemplates());
  });

  it("every bundled template obeys the template policy", () => {
    expect(pageNames).toEqual(["changelog", "index", "network-rules", "targets"]);
    expect(partialNames.length).toBeGreaterThan(5);
    const all = { ...defaultPages, ...defaultPartials };
    const keys = new Set<string>();
    for (const [name, source] of Object.entries(all)) for (const k of checkTemplate(name, source).keys) keys.add(k);
    // Every message of the catalogue is used by some template (no dead keys).
    expect([...keys].sort()).toEqual(Object.keys(catalogues.en).sort());
  });
});

describe("template policy: data reaches a page only through `md`", () => {
  it.each([
    ["{{purpose}}", /would write data unescaped: use \{\{md purpose\}\}/],
    ["{{{purpose}}}", /would write data unescaped/],
    ["{{lookup this 'purpose'}}", /would write data unescaped/],
    ['{{md purpose "cell" "x"}}', /"md" takes a value and an optional context/],
    ["{{md purpose context}}", /the context of "md" must be a string literal/],
    ["{{t key}}", /"t" takes one string literal key/],
    ["{{#each x as |y|}}{{y}}{{/each}}", /would write data unescaped/],
    ["{{#raw}}x{{/raw}}", /block "\{\{#raw\}\}" is not allowed/],
    ["{{> (dyn) }}", /partials must be included by plain name/],
    ["{{#if x}}{{md (lookup a b)}}{{/if}}", /"md" takes a field path/],
  ])("rejects %s", (source, message) => {
    expect(() => checkTemplate("pages/test", source)).toThrow(message);
  });

  it("accepts md, t, blocks and partials, and reports keys and partials", () => {
    expect(checkTemplate("x", '{{t "a.b"}} {{#each rows}}{{md id "cellcode"}}{{/each}}{{> stamp}}')).toEqual({ keys: ["a.b"], mermaidKeys: [], partials: ["stamp"] });
  });
});

describe("template policy: a ```mermaid block holds data only in the mermaid context", () => {
  const block = (body: string): string => `# T\n\n\`\`\`mermaid\nflowchart LR\n${body}\n\`\`\`\n`;

  it("reports the catalogue keys used inside the block, apart from the others", () => {
    const facts = checkTemplate("x", `{{t "a.out"}}\n${block('  n["{{t "a.in"}} {{md x "mermaid"}}"]\n{{#each xs}}\n  m["{{md this "mermaid"}}"]\n{{/each}}')}after {{md y}}\n`);
    expect(facts).toEqual({ keys: ["a.in", "a.out"], mermaidKeys: ["a.in"], partials: [] });
  });

  it.each([
    [block('  n["{{md x}}"]'), /inside a ```mermaid block, "md" must use the "mermaid" context/],
    [block('  n["{{md x "text"}}"]'), /inside a ```mermaid block, "md" must use the "mermaid" context/],
    [block('  n["{{md x "cellcode"}}"]'), /inside a ```mermaid block/],
    ['Text {{md x "mermaid"}}\n', /the "mermaid" context of "md" is only for a ```mermaid block/],
    [block("  {{> stamp}}"), /no partial may be included inside a ```mermaid block/],
    ["{{#if a}}\n```mermaid\n{{/if}}\nx\n```\n", /a code fence must open and close outside "\{\{#if\}\}" blocks/],
    ["```mermaid\nflowchart LR\n", /a code fence is not closed/],
    ['```text\n{{md x "mermaid"}}\n```\n', /the "mermaid" context of "md" is only for a ```mermaid block/],
  ])("rejects %j", (source, message) => {
    expect(() => checkTemplate("pages/test", source)).toThrow(message);
  });

  it("a longer fence, or ~~~, is not closed by a shorter or different marker", () => {
    expect(() => checkTemplate("x", '````mermaid\n```\n{{md x "mermaid"}}\n````\n')).not.toThrow();
    expect(() => checkTemplate("x", '~~~mermaid\n```\n{{md x "mermaid"}}\n~~~\n')).not.toThrow();
    expect(() => checkTemplate("x", '```mermaid\n``` x\n{{md x "mermaid"}}\n```\n')).not.toThrow();
  });

  it("an override that writes a catalogue message Mermaid would read, inside the block, is refused (and the bundle refuses one in the catalogue)", () => {
    const resolved = resolveRules({ regions: ["eastus"] });
    // "punct.colon" is ":" in English: Mermaid reads it (its style and classDef rewrites), so it may not go in a label.
    const partial = defaultPartials["traffic-diagram"].replace('{{t "diagram.nsg"}}', '{{t "diagram.nsg"}}{{t "punct.colon"}}');
    expect(() => emitMarkdownDocs(resolved, { templates: { partials: { "traffic-diagram": partial } } })).toThrow(
      /template "partials\/traffic-diagram" line 0: catalogue en key "punct\.colon" is used in a ```mermaid block but holds characters Mermaid would read \(value: ":"/,
    );
    const dir = mkdtempSync(join(tmpdir(), "cmn-emit-markdown-"));
    try {
      cpSync(templatesDir, dir, { recursive: true });
      const fr = readFileSync(join(dir, "i18n/fr.yaml"), "utf8");
      writeFileSync(join(dir, "i18n/fr.yaml"), fr.replace(/^ {2}nsg: Groupe de sécurité réseau$/m, '  nsg: Groupe "NSG"'));
      expect(() => bundleTemplates(dir)).toThrow(/catalogue fr key "diagram\.nsg" is used in a ```mermaid block but holds characters Mermaid would read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("overrides", () => {
  const resolved = resolveRules({ regions: ["eastus"] });

  it("a page or a partial can be replaced by the user's template string, from a directory's files", () => {
    const overrides = templateOverridesFromFiles({
      "pages/index.md.hbs": '# Our wiki: {{t "index.title"}}\n\n{{> stamp}}\n\nRevision {{md revision.id "code"}}.\n',
      "partials/stamp.md.hbs": "> Data {{md stamp.dataHash \"code\"}}.\n",
      "partials/tag-cell.md.hbs": '{{#if tags.length}}{{md tags "cellcode"}}{{else}}none{{/if}}\n',
    });
    expect(overrides.partials?.["tag-cell"]).toBe('{{#if tags.length}}{{md tags "cellcode"}}{{else}}none{{/if}}');
    const out = emitMarkdownDocs(resolved, { templates: overrides });
    const index = out.files.find((f) => f.path === "en/index.md")!.content;
    expect(index).toBe(`# Our wiki: Azure Managed Instance for Apache Cassandra network rules\n\n> Data \`${resolved.dataHash}\`.\n\nRevision \`2021-11-02\`.\n`);
    const rules = out.files.find((f) => f.path === "en/network-rules.md")!.content;
    expect(rules).toContain("| `storage-control-plane` | `snovapeastus.blob.core.windows.net` | `Storage` | HTTPS |");
    const result = lintMarkdownStrings(out.files);
    expect(formatIssues(result)).toBe("");
  });

  it("unknown names and unsafe templates are refused, naming them", () => {
    expect(() => templateOverridesFromFiles({ "pages/home.md.hbs": "x" })).toThrow(/unknown page template \(value: "pages\/home\.md\.hbs"/);
    expect(() => templateOverridesFromFiles({ "layouts/x.md.hbs": "x" })).toThrow(/must be pages\/<name>\.md\.hbs .*"layouts\/x\.md\.hbs"/);
    expect(() => emitMarkdownDocs(resolved, { templates: { pages: { index: "# {{revision.summary}}\n" } } })).toThrow(/template "pages\/index" line 1: "\{\{revision\.summary\}\}" would write data unescaped/);
    expect(() => emitMarkdownDocs(resolved, { templates: { partials: { stamp: "{{> nope}}\n" } } })).toThrow(/includes an unknown partial \(value: "nope"\)/);
    expect(() => emitMarkdownDocs(resolved, { templates: { pages: { index: '{{t "no.such.key"}}\n' } } })).toThrow(/catalogue en has no key \(value: "no\.such\.key"\)/);
    expect(() => emitMarkdownDocs(resolved, { templates: { pages: { index: "{{md revision}}\n" } } })).toThrow(/md: value must be a string, a number or a list of them/);
    expect(() => emitMarkdownDocs(resolved, { templates: { pages: { index: '{{md revision.id "html"}}\n' } } })).toThrow(/md: unknown context \(value: "html"/);
    expect(() => emitMarkdownDocs(resolved, { templates: { pages: { index: "{{md no.such.field}}\n" } } })).toThrow(/rendering page "index" \(en\): /);
  });
});

describe("templates compiled at build time (src/generated/renderers.ts)", () => {
  it("is up to date with templates/markdown (run the package build when this fails)", () => {
    expect(readFileSync(renderersFile, "utf8")).toBe(bundleRenderers());
  });

  it("every page of every scenario is byte-identical to what Handlebars renders from the same templates", () => {
    // Any override sends every page through Handlebars; this one is the bundled stamp itself.
    const viaHandlebars = { templates: { partials: { stamp: defaultPartials.stamp } } };
    const cases: Array<{ resolved: ResolvedRules; options: MarkdownOptions }> = scenarios().map((s) => ({
      resolved: s.resolved,
      options: { locale: s.locale, changelog: true, ...(s.coverage ? { coverage: s.coverage } : {}) },
    }));
    for (const locale of locales) {
      const vpn = resolveRules({ regions: ["westeurope", "eastus2"], subnet: "10.9.0.0/24", features: { vpn: true, backup: false } });
      cases.push({ resolved: vpn, options: { locale, changelog: { from: "2021-08-14" }, coverage: { ...fixtureCoverage(vpn), empty: [] } } });
      cases.push({ resolved: resolveRules({ revision: "2021-09-13", regions: ["francecentral"] }), options: { locale, changelog: { from: "2021-05-21" } } });
    }
    let pages = 0;
    for (const { resolved, options } of cases) {
      const fast = emitMarkdownDocs(resolved, options);
      expect(emitMarkdownDocs(resolved, { ...options, ...viaHandlebars })).toEqual(fast);
      pages += fast.files.length;
    }
    expect(pages).toBe(5 * 3 + 2 + 2 * (4 + 3));
  });

  /** A template through Handlebars and through the build-time compiler, with recording helpers. */
  function renderBoth(source: string, data: unknown, partials: Record<string, string> = {}): { handlebars: string; compiled: string } {
    const md = (value: unknown, context: string): string => `[${context}:${String(value)}]`;
    const env = Handlebars.create();
    env.registerHelper("md", (...args: unknown[]) => md(args[0], args.length > 2 ? (args[1] as string) : "text"));
    env.registerHelper("t", (key: unknown) => `<${String(key)}>`);
    for (const [name, p] of Object.entries(partials)) env.registerPartial(name, env.compile(p, { noEscape: true, strict: true }));
    const compiledPartials: Record<string, CompiledTemplate> = {};
    const load = (name: string, src: string): CompiledTemplate => {
      const code = compileTemplate(name, src, (p) => (p in partials ? `partials[${JSON.stringify(p)}]` : undefined));
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      return new Function("lookup", "truthy", "each", "withContext", "indentLines", "partials", `return ${code};`)(lookup, truthy, each, withContext, indentLines, compiledPartials) as CompiledTemplate;
    };
    for (const [name, p] of Object.entries(partials)) compiledPartials[name] = load(name, p);
    const helpers: RenderHelpers = { md, t: (key) => `<${key}>` };
    return { handlebars: env.compile(source, { noEscape: true, strict: true })(data), compiled: load("test", source)(data, { root: data }, helpers) };
  }

  it.each([
    ["#if / else, standalone lines", "a {{md x}} b\n{{#if y}}\nY {{t \"k\"}}\n{{else}}\nN\n{{/if}}\nend\n", [{ x: 1, y: true }, { x: "s", y: 0 }, { x: 2, y: [] }, { x: 3, y: [0] }, { x: 4, y: "" }, { x: 5 }]],
    ["#unless", "{{#unless flag}}U{{else}}F{{/unless}}|", [{ flag: false }, { flag: "x" }, {}]],
    [
      "#each: data variables, this, @root, else",
      "{{#each list}}\n- {{md @index}} {{md @key}} {{#if @first}}first{{/if}}{{#if @last}}last{{/if}} {{md this \"code\"}} {{md @root.title}}\n{{else}}\nnone\n{{/each}}\n",
      [{ title: "T", list: ["a", "b", "c"] }, { title: "T", list: [] }, { title: "T", list: { k1: "v1", k2: "v2" } }, { title: "T" }, { title: "T", list: "str" }],
    ],
    ["nested #each", "{{#each rows}}{{#each cells}}{{md @index}}={{md this}};{{/each}}|{{md @index}}\n{{/each}}", [{ rows: [{ cells: ["a", "b"] }, { cells: [] }, { cells: ["c"] }] }]],
    ["#with", "{{#with obj}}{{md name}}{{else}}none{{/with}}.", [{ obj: { name: "n" } }, { obj: null }, { obj: 0 }, { obj: [] }, {}]],
    ["comments and whitespace control", "{{!-- c --}}\n{{#if a}}  \n  x  {{~md b~}}  y\n{{/if}}\n", [{ a: 1, b: "B" }]],
  ] as const)("%s: same output as Handlebars", (_name, source, inputs) => {
    for (const data of inputs) {
      const { handlebars, compiled } = renderBoth(source, data);
      expect(compiled).toBe(handlebars);
    }
  });

  it("an indented standalone partial and a partial inside a table row: same output as Handlebars", () => {
    const partials = { item: "line 1 {{md name}}\nline 2\n", cell: "{{md name \"cell\"}}" };
    const { handlebars, compiled } = renderBoth("list:\n  {{> item}}\n| {{> cell}} |\n", { name: "N" }, partials);
    expect(handlebars).toBe("list:\n  line 1 [text:N]\n  line 2\n| [cell:N] |\n");
    expect(compiled).toBe(handlebars);
  });

  it("a missing intermediate field fails in both", () => {
    expect(() => renderBoth("{{md a.b.c}}", { a: {} }).handlebars).toThrow(TypeError);
    expect(() => renderBoth("{{md a.b.c}}", { a: {} }).compiled).toThrow(TypeError);
  });

  it.each([
    ["{{#each xs as |x|}}{{md x}}{{/each}}", /with other than one argument \(or with hash or block parameters\)/],
    ['{{#if a includeZero=true}}x{{/if}}', /with other than one argument/],
    ["{{md ../x}}", /the parent path "..\/x"/],
    ["{{> nope}}", /the partial "nope"/],
    ['{{md x "html"}}', /the md context "html"/],
    ["{{#lookup a b}}{{/lookup}}", /with other than one argument|the block/],
  ])("refuses %s, naming the template and line", (source, message) => {
    expect(() => compileTemplate("pages/x", source, () => undefined)).toThrow(message);
    expect(() => compileTemplate("pages/x", source, () => undefined)).toThrow(/template "pages\/x" line 1: .* is not supported by the build-time compiler/);
  });
});

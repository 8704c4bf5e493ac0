/**
 * Markdown documentation over generated datasets with hostile text in every free-text field: every page
 * of every case passes markdownlint (markdownlint-cli2 over all of them, two runs side by side); rendered by
 * markdown-it (HTML allowed, as a docs site would), no page holds a tag or attribute the templates do
 * not write, and every requirement reads back with its id and its purpose, verbatim after the one
 * normalisation the emitter documents (whitespace runs become one space).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import MarkdownIt from "markdown-it";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CoverageEntry, Locale, ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitter as markdown, normalizeInline } from "@cassandra-mi-netrules/emit-markdown";
import { lintMarkdownFilesParallel } from "./markdownlint-async.js";
import { numRuns, resolvedRules, seed } from "./arbitraries.js";
import { emitterCase, tryEmit } from "./emitters.js";

const md = new MarkdownIt({ html: true, linkify: true });
/** Tags the templates write; anything else in the HTML came from the data. */
const ALLOWED_TAGS = new Set(["p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "ul", "ol", "li", "code", "strong", "em", "a", "br", "hr", "blockquote", "pre", "details", "summary", "sup", "sub", "del", "s"]);

function decode(s: string): string {
  return s.replace(/&(lt|gt|quot|amp|#39|#x27);/g, (_m, e: string) => ({ lt: "<", gt: ">", quot: '"', amp: "&", "#39": "'", "#x27": "'" })[e] ?? _m);
}

/** Problems of one rendered page: foreign tags, event-handler attributes, script URLs. */
function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  for (const m of html.matchAll(/<\/?([A-Za-z][A-Za-z0-9-]*)([^>]*)>/g)) {
    const tag = (m[1] as string).toLowerCase();
    if (!ALLOWED_TAGS.has(tag)) problems.push(`tag <${tag}> in the HTML: ${m[0].slice(0, 80)}`);
    const attrs = m[2] ?? "";
    if (/\son[a-z]+\s*=/i.test(attrs)) problems.push(`event handler attribute: ${m[0].slice(0, 80)}`);
    const href = /href="([^"]*)"/.exec(attrs)?.[1];
    if (href !== undefined && !/^(https?:\/\/|#|\.{0,2}\/?[A-Za-z0-9._-]+\.md(#[A-Za-z0-9_-]*)?$)/.test(decode(href))) problems.push(`link target ${href.slice(0, 80)}`);
  }
  return problems;
}

/**
 * The property for one locale (markdownlint is slow per file, so the two locales run as two test files
 * side by side, half of the cases each).
 */
export function markdownProperty(locale: Locale): void {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cmn-property-md-"));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  describe(`property: Markdown documentation (${locale})`, () => {
  it("passes markdownlint, renders no foreign HTML, and reads back every requirement", { timeout: 3_600_000 }, async () => {
    const n = Math.ceil(numRuns() / 2);
    const nsg = emitterCase("nsg");
    const cases = fc.sample(
      resolvedRules().chain((r) =>
        fc.tuple(fc.constant(r), fc.record({ locale: fc.constant(locale), withCoverage: fc.boolean(), dir: fc.constantFrom(undefined, "", "docs/x") })),
      ),
      { numRuns: n, seed: seed() + (locale === "fr" ? 1 : 0) },
    );
    const paths: string[] = [];
    let pages = 0;
    const problems: string[] = [];
    cases.forEach(([r, o], i) => {
      let coverage: Record<string, readonly CoverageEntry[]> | undefined;
      if (o.withCoverage) {
        const out = tryEmit(nsg, r, {});
        if (out.ok) coverage = { nsg: out.result.coverage };
      }
      const options = { locale: o.locale, ...(coverage ? { coverage } : {}), ...(o.dir === undefined ? {} : { dir: o.dir }) };
      const result = markdown.emit(r as ResolvedRules, options);
      expect(result.coverage.map((c) => c.ruleId).sort()).toEqual(r.rules.map((x) => x.id).sort());
      const text: string[] = [];
      for (const f of result.files) {
        const p = join(`case-${i}`, f.path);
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), f.content);
        paths.push(p);
        pages++;
        const html = md.render(f.content);
        for (const x of htmlProblems(html)) problems.push(`case ${i} ${f.path}: ${x}`);
        text.push(decode(html.replace(/<[^>]+>/g, " ")));
      }
      const all = normalizeInline(text.join(" "));
      for (const rule of r.rules) {
        if (!all.includes(rule.id)) problems.push(`case ${i}: requirement ${rule.id} is not in the pages`);
        const purpose = normalizeInline(rule.purpose[o.locale]);
        if (!all.includes(purpose)) problems.push(`case ${i}: the ${o.locale} purpose of ${rule.id} does not read back verbatim: ${JSON.stringify(purpose.slice(0, 120))}`);
      }
    });
    const lint = await lintMarkdownFilesParallel(paths, dir);
    expect(lint.filesLinted, lint.output.slice(0, 2000)).toBe(paths.length);
    expect(lint.issues.slice(0, 20), `seed ${seed()}`).toEqual([]);
    expect(lint.exitCode).toBe(0);
    expect(problems.slice(0, 20), `seed ${seed()}, ${problems.length} problems`).toEqual([]);
    console.log(`property: markdown (${locale}) ${cases.length} cases (${pages} pages: markdownlint-cli2, two runs side by side, markdown-it HTML checked, ids and purposes read back)`);
  });
});
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeMarkdown, MARKDOWN_CONTEXTS, normalizeInline, type MarkdownContext } from "@cassandra-mi-netrules/emit-markdown";
import { mermaidShown, onlyInline, tables, tokenTypes } from "../markdown-parse.js";

const numRuns = Number(process.env.FC_NUM_RUNS ?? 300);

// Characters that mean something to Markdown, HTML or a GFM table, plus whitespace and controls.
const hostileUnit = fc.constantFrom(
  // Mermaid: label quotes, entity codes and its placeholders, directives, comments, styles, HTML.
  '"',
  "#quot;",
  "#35;",
  "\ufb02\u00b0",
  "\u00b6\u00df",
  "%%{init: {'theme':'dark'}}%%",
  "%% c",
  "style x fill:#f00;",
  "classDef",
  ":::",
  "-->",
  "<br>",
  "\ud83d\ude00",
  "\ud800",
  ..."\\`*_[]()<>&|~#+-=.!:@/ \t\n\r\u0000\u00a0\u2028!\"'{}$%^?;,".split(""),
  "a",
  "1",
  "é",
  "日",
  "<script>",
  "</td>",
  "&amp;",
  "&#124;",
  "http://",
  "www.",
  "```",
  "\\|",
  "- ",
  "1. ",
  "# ",
  "> ",
);
const hostile = fc.oneof(fc.string({ unit: hostileUnit, maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 30 }), fc.string({ maxLength: 40 }));

const FORBIDDEN = ["html_inline", "html_block", "link_open", "image", "em_open", "strong_open", "s_open", "code_block", "fence", "heading_open", "hr", "blockquote_open", "hardbreak", "softbreak"];

/** The escaping rules written plainly (no fast paths, no cache): the optimised function must agree with it. */
function referenceEscape(value: string, context: MarkdownContext): string {
  // eslint-disable-next-line no-control-regex
  const s = value.replace(/[\s\u0000-\u001f\u007f-\u009f\u200b\ufeff]+/g, " ").trim();
  if (context === "mermaid") {
    const apart = s.replace(/\ufb02\u00b0/g, "\ufb02\u2060\u00b0").replace(/\u00b6\u00df/g, "\u00b6\u2060\u00df");
    return Array.from(apart, (ch) => (/^[\p{L}\p{N} .,/()*'+\-_?!@]$/u.test(ch) ? ch : `#${/^[\ud800-\udfff]$/.test(ch) ? 0xfffd : ch.codePointAt(0)};`)).join("");
  }
  if (context === "code" || context === "cellcode") {
    if (s === "") return "";
    const fence = "`".repeat(Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
    const pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
    return `${fence}${pad}${context === "cellcode" ? s.replace(/\|/g, "\\|") : s}${pad}${fence}`;
  }
  return s
    .replace(/[\\`*_[\]<>&|~]/g, (c) => `\\${c}`)
    .replace(/^([#=])/, "\\$1")
    .replace(/^([+-])(?=[ +-]|$)/, "\\$1")
    .replace(/^(\d{1,9})([.)])(?= |$)/, "$1\\$2")
    .replace(/\b(www)\./gi, "$1\\.")
    .replace(/\b([a-z][a-z0-9+.-]*):(?=\/\/)/gi, "$1\\:")
    .replace(/@/g, "\\@");
}

// Every kind of space the normalisation collapses, next to the characters that matter at the start of a value.
const spacing = fc.string({
  unit: fc.constantFrom(" ", "a", "\t", "\u0085", "\u00a0", "\u00ad", "\u1680", "\u2000", "\u200a", "\u200b", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "-", "1", ".", "#"),
  maxLength: 12,
});

describe("escapeMarkdown (property: the same result as the plain rules, twice in a row)", () => {
  it("every context, hostile strings", () => {
    fc.assert(
      fc.property(fc.oneof(hostile, spacing), fc.constantFrom(...MARKDOWN_CONTEXTS), (s, context) => {
        const want = referenceEscape(s, context);
        expect(escapeMarkdown(s, context)).toBe(want);
        expect(escapeMarkdown(s, context)).toBe(want);
        expect(normalizeInline(s)).toBe(s.replace(/[\s\u0000-\u001f\u007f-\u009f\u200b\ufeff]+/g, " ").trim());
      }),
      { numRuns: numRuns * 10 },
    );
  });
});

describe("escapeMarkdown (property: what goes in is what a Markdown parser reads back)", () => {
  it("cell and cellcode: one row, two cells, the normalised value in each, nothing injected", () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const doc = `| a | b |\n| --- | --- |\n| ${escapeMarkdown(s, "cell")} | ${escapeMarkdown(s, "cellcode")} |\n`;
        const [table, ...more] = tables(doc);
        expect(more).toHaveLength(0);
        expect(table).toHaveLength(2);
        const [text, code] = table![1]!;
        const want = normalizeInline(s);
        expect(text!.text).toBe(want);
        expect(text!.others).toEqual([]);
        expect(code!.codes).toEqual(want === "" ? [] : [want]);
        expect(code!.others).toEqual([]);
        for (const t of FORBIDDEN) expect(tokenTypes(doc).has(t)).toBe(false);
      }),
      { numRuns },
    );
  });

  it("text: in a list item and as a paragraph, one block holding exactly the normalised value", () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const want = normalizeInline(s);
        fc.pre(want !== "");
        // The third form puts the value on a paragraph's second line, where `===` or `---` would underline it.
        for (const [doc, prefix] of [
          [`- ${escapeMarkdown(s)}\n`, ""],
          [`${escapeMarkdown(s)}\n`, ""],
          [`Intro text\n${escapeMarkdown(s)}\n`, "Intro text<softbreak>"],
        ] as const) {
          const got = onlyInline(doc);
          expect(got.text).toBe(`${prefix}${want}`);
          expect(got.blocks.filter((b) => b !== "bullet_list_open" && b !== "list_item_open" && b !== "paragraph_open")).toEqual([]);
          for (const t of FORBIDDEN) if (!(prefix && t === "softbreak")) expect(tokenTypes(doc).has(t)).toBe(false);
        }
      }),
      { numRuns },
    );
  });

  it("code: a single code span holding the normalised value", () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const want = normalizeInline(s);
        fc.pre(want !== "");
        const got = onlyInline(`Value ${escapeMarkdown(s, "code")} here\n`);
        expect(got.codes).toEqual([want]);
        expect(got.others).toEqual([]);
      }),
      { numRuns },
    );
  });
});

/** What Mermaid shows for a label: its entity codes `#<decimal>;` decoded. */
function decodeMermaid(label: string): string {
  return label.replace(/#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)));
}

describe("escapeMarkdown mermaid (property: a label Mermaid reads back as the value, with nothing it interprets)", () => {
  it("only letters, digits, a few punctuation marks and entity codes; decoded, the normalised value", () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const label = escapeMarkdown(s, "mermaid");
        expect(label).toMatch(/^(?:[\p{L}\p{N} .,/()*'+\-_?!@]|#\d+;)*$/u);
        // Nothing that ends the quoted label, opens a directive, comment, style rewrite, HTML or Markdown string.
        expect(label.replace(/#\d+;/g, "")).not.toMatch(/["%{}<>&`:;#\n]/);
        // Decoded: the value, with a lone surrogate as U+FFFD and Mermaid's placeholder pairs kept apart by U+2060.
        expect(decodeMermaid(label)).toBe(mermaidShown(s));
        expect(decodeMermaid(label)).not.toMatch(/\ufb02\u00b0|\u00b6\u00df/);
      }),
      { numRuns },
    );
  });
});

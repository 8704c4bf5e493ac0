import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeMarkdown, normalizeInline } from "@cassandra-mi-netrules/emit-markdown";
import { onlyInline, tables, tokenTypes } from "../markdown-parse.js";

const numRuns = Number(process.env.FC_NUM_RUNS ?? 300);

// Characters that mean something to Markdown, HTML or a GFM table, plus whitespace and controls.
const hostileUnit = fc.constantFrom(
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

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonLiteral } from "../src/build/generate.js";

/** What the generated module's expression evaluates to. */
const evaluate = (literal: string): unknown => new Function(`return ${literal};`)();

describe("jsonLiteral (how generated modules hold the data)", () => {
  it("reads back as the same value, whatever the strings hold", () => {
    const tricky = ["`", "${x}", "$`{", "\\", "\\`", "\\u0060", "a\nb", "\u2028", "é \u{1F600}", "</script>", "String.raw`x`"];
    for (const s of tricky) expect(evaluate(jsonLiteral({ s, list: [s, { s }] }))).toEqual({ s, list: [s, { s }] });
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(evaluate(jsonLiteral(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps the JSON readable and lean: an entry per line two levels deep, compact below", () => {
    const text = jsonLiteral({ id: "gossip", ports: [{ from: 7001, to: 7001 }], empty: [] });
    expect(text).toBe('JSON.parse(\'{\\\n  "id": "gossip",\\\n  "ports": [\\\n    {"from":7001,"to":7001}\\\n  ],\\\n  "empty": []\\\n}\')');
    expect(jsonLiteral("x")).toBe('"x"');
  });

  it("writes ASCII only, and no quote or backtick inside the literal, so the bundler keeps it as it is", () => {
    const value = { fr: "l'étiquette des nœuds", emoji: "\u{1F600}", sep: "\u2028", tick: "`${x}`" };
    const text = jsonLiteral(value);
    expect(text).toMatch(/^[\x00-\x7f]*$/u);
    expect(text.slice("JSON.parse('".length, -"')".length)).not.toMatch(/['`]/u);
    expect(text).toContain(String.raw`l\\u0027\\u00e9tiquette des n\\u0153uds`);
    expect(evaluate(text)).toEqual(value);
  });
});

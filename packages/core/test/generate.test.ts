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
    expect(text).toBe('JSON.parse(String.raw`{\n  "id": "gossip",\n  "ports": [\n    {"from":7001,"to":7001}\n  ],\n  "empty": []\n}`)');
    expect(jsonLiteral("x")).toBe('"x"');
  });

  it("writes ASCII only, so node and V8 keep the bundle as one-byte text", () => {
    const text = jsonLiteral({ fr: "nœuds de données", emoji: "\u{1F600}", sep: "\u2028" });
    expect(text).toMatch(/^[\x00-\x7f]*$/u);
    expect(text).toContain(String.raw`n\u0153uds de donn\u00e9es`);
    expect(evaluate(text)).toEqual({ fr: "nœuds de données", emoji: "\u{1F600}", sep: "\u2028" });
  });
});

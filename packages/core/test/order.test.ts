// canonicalJson writes JSON itself for speed; it must give the bytes of its reference definition
// (a key-sorted copy given to JSON.stringify), which the data hash and every golden file depend on.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allRequirements, canonicalJson, compareStrings, features, revisions } from "@cassandra-mi-netrules/core";

/** The previous implementation, verbatim: the definition the fast writer is held to. */
function withSortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withSortedKeys);
  if (value === null || typeof value !== "object") return value;
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === "function") return withSortedKeys(toJSON.call(value));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareStrings)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined && typeof v !== "function" && typeof v !== "symbol") out[key] = withSortedKeys(v);
  }
  return out;
}
function reference(value: unknown, indent?: number): string {
  return JSON.stringify(withSortedKeys(value), null, indent);
}

/** Same result, or the same error. */
function same(value: unknown, indent?: number): void {
  let expected: { ok: true; text: string } | { ok: false; error: string };
  try {
    expected = { ok: true, text: reference(value, indent) };
  } catch (e) {
    expected = { ok: false, error: String(e) };
  }
  if (expected.ok) expect(canonicalJson(value, indent)).toBe(expected.text);
  else expect(() => canonicalJson(value, indent)).toThrow(expected.error.replace(/^\w+: /, ""));
}

const INDENTS = [undefined, 0, 1, 2, 4, 10, 12, 2.7, -1, Number.NaN, Number.POSITIVE_INFINITY];

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  get norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: [2, { d: 3, c: 4 }] });

const EDGE_CASES: Array<[string, unknown]> = [
  ["primitives", [null, true, false, 0, -0, 1.5, 1e21, 1e-7, -1e300, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "", "a"]],
  ["top-level undefined", undefined],
  ["top-level function", () => 1],
  ["top-level symbol", Symbol("s")],
  ["undefined, functions and symbols in objects are dropped", { a: undefined, b: () => 1, c: Symbol("x"), d: 1 }],
  ["undefined, functions and symbols in arrays are null", [undefined, () => 1, Symbol("x"), 1]],
  ["sparse array", [1, , 3]], // eslint-disable-line no-sparse-arrays
  ["nested arrays", [[], [[]], [[1, [2, [3, []]]], {}], [{ b: [{}], a: [] }]]],
  ["empty containers", { a: {}, b: [], c: { d: undefined } }],
  ["keys in code-unit order", { b: 1, a: 2, B: 3, _: 4, "é": 5, "\u{1F600}": 6, "\uffff": 7, "": 8, " ": 9 }],
  ["array-index keys", { b: 1, 10: 2, 9: 3, "01": 4, "-1": 5, 0: 6, "4294967294": 7, "4294967295": 8, "1.5": 9, "!": 10 }],
  ["__proto__ as an own key", JSON.parse('{"b": 1, "__proto__": {"x": 1}, "a": 2}')],
  ["__proto__ with a primitive", JSON.parse('{"__proto__": 5, "z": 0}')],
  ["Date", { when: new Date(Date.UTC(2021, 10, 2)), bad: new Date(Number.NaN) }],
  ["toJSON returning an object with unsorted keys", { toJSON: () => ({ z: 1, a: { y: 2, b: 3 } }) }],
  ["toJSON returning undefined", { a: { toJSON: () => undefined }, b: [{ toJSON: () => undefined }] }],
  ["toJSON returning a function", { a: { toJSON: () => () => 1 } }],
  ["toJSON chained", { a: { toJSON: () => ({ toJSON: () => [{ q: 1, p: 2 }] }) } }],
  ["toJSON gets no key", { k: { toJSON: (...args: unknown[]) => args.length } }],
  ["toJSON that is not a function", { toJSON: 5, a: 1 }],
  ["class instance (prototype getter not serialised)", new Point(3, 4)],
  ["null prototype", nullProto],
  ["boxed primitives", [Object(1), Object("ab"), Object(true)]],
  ["Map, Set, typed array, regexp", [new Map([["a", 1]]), new Set([1]), new Uint8Array([1, 2]), /re/g]],
  ["strings needing escapes", ['"', "\\", "\n\r\t\b\f", "\u0000\u0001\u001f", "\u007f", "\u2028\u2029", "\ud800", "x\udc00y", "\ud83d\ude00", "</script>", "[[x]]"]],
  ["unicode keys needing escapes", { "a\nb": 1, 'q"': 2, "\ud800": 3, "\\": 4 }],
  ["bigint throws like JSON.stringify", { a: 1n }],
  ["bigint below a toJSON", { a: { toJSON: () => [1n] } }],
  ["toJSON that serialises on its own (re-entrant)", { b: { toJSON: () => canonicalJson({ y: 1, x: [2] }, 2) }, a: [{ toJSON: () => canonicalJson([{ q: 1 }]) }] }],
];

describe("canonicalJson", () => {
  it.each(EDGE_CASES)("%s: the reference's bytes at every indent", (_name, value) => {
    for (const indent of INDENTS) same(value, indent);
  });

  it("sorts keys at every level and indents like JSON.stringify", () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null }, 2)).toBe('{\n  "a": null,\n  "b": [\n    {\n      "c": 2,\n      "d": 1\n    }\n  ]\n}');
    expect(canonicalJson({ b: 1, 10: 2, 9: 3, a: 4 })).toBe('{"9":3,"10":2,"a":4,"b":1}');
  });

  it("reads getters once each, in code-unit order of their keys", () => {
    const reads: string[] = [];
    const make = (): object => {
      const o = {};
      for (const k of ["b", "10", "a", "9"]) Object.defineProperty(o, k, { enumerable: true, get: () => (reads.push(k), k) });
      return o;
    };
    reference(make());
    const expected = reads.splice(0);
    canonicalJson(make());
    expect(reads).toEqual(expected);
  });

  it("gives the reference's bytes for the dataset (the data hash is computed from it)", () => {
    const value = { requirements: allRequirements, revisions, features };
    for (const indent of [undefined, 2]) expect(canonicalJson(value, indent)).toBe(reference(value, indent));
  });

  it("gives the reference's bytes on generated values", () => {
    const anything = fc.anything({
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
      key: fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.nat().map(String), fc.constantFrom("__proto__", "toJSON", "-0", "01", "4294967295")),
    });
    const withToJSON = anything.map((v) => ({ toJSON: () => v, z: 1 }));
    const value = fc.oneof(anything, fc.jsonValue(), fc.array(fc.oneof(anything, withToJSON, fc.constant(undefined))), fc.dictionary(fc.string({ unit: "binary" }), fc.oneof(anything, withToJSON)));
    const indent = fc.constantFrom(...INDENTS);
    fc.assert(
      fc.property(value, indent, (v, i) => {
        same(v, i);
      }),
      { numRuns: 2000, seed: 20211102 },
    );
  });
});

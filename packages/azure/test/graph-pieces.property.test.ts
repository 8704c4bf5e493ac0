/**
 * A Resource Graph export read from pieces (graph-text.ts, `readGraphExportPieces`) reads as the whole text does,
 * wherever the pieces are cut: inside strings, escapes, surrogate pairs, the separators, the root's keys.
 * Whatever the cut, the pieces give what the text as one piece gives; when that is a network, it is the one the
 * whole read gives; and an export as `az graph query` writes it is always read (the checks are not vacuous).
 *   FC_NUM_RUNS=2000 npx vitest run packages/azure/test/graph-pieces.property.test.ts
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readGraphExportPieces, readNetwork, type ReadResult } from "../src/read/index.js";

const RUNS = Number(process.env.FC_NUM_RUNS ?? 300);

const ID = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups";
/** Characters that matter to the cut: quotes, backslashes, brackets, commas, spaces, multi-byte and astral ones. */
const tricky = fc.string({ unit: fc.constantFrom('"', "\\", "}", "]", "{", "[", ",", ":", " ", "\n", "a", "é", "😀", "\u2028", "/", "\ufeff"), maxLength: 12 });
const rule = fc.record({
  name: fc.constantFrom("a", "b", "c"),
  properties: fc.record({
    priority: fc.integer({ min: 100, max: 4096 }),
    direction: fc.constantFrom("Inbound", "Outbound"),
    access: fc.constantFrom("Allow", "Deny"),
    protocol: fc.constantFrom("Tcp", "Udp", "*"),
    sourceAddressPrefix: fc.constantFrom("*", "VirtualNetwork", "10.0.0.0/8", "Storage"),
    sourcePortRange: fc.constant("*"),
    destinationAddressPrefix: fc.constantFrom("*", "AzureCloud", "203.0.113.0/24", "Internet"),
    destinationPortRange: fc.constantFrom("443", "*", "7000-7001"),
    description: tricky,
  }),
});
const row = fc.record({ n: fc.nat(99), rules: fc.array(rule, { maxLength: 3 }), extra: tricky, idFirst: fc.boolean() }).map(({ n, rules, extra, idFirst }) => ({
  id: `${ID}/nsg-${n}`,
  name: `nsg-${n}`,
  type: "microsoft.network/networksecuritygroups",
  tenantId: "t",
  subscriptionId: "s",
  tags: { note: extra },
  properties: { securityRules: rules.map((r, i) => (idFirst ? { id: `${ID}/nsg-${n}/securityRules/${r.name}${i}`, ...r } : { ...r, name: `${r.name}${i}` })) },
}));
/** An export as az prints it: compact or indented, keys around `data`, sometimes a byte order mark. */
const exportText = fc
  .record({ rows: fc.array(row, { maxLength: 6 }), indent: fc.constantFrom<number | string | undefined>(undefined, 1, 2, "\t"), before: tricky, bom: fc.boolean() })
  .map(({ rows, indent, before, bom }) => `${bom ? "\ufeff" : ""}${JSON.stringify({ count: rows.length, note: before, data: rows, skip_token: null, total_records: rows.length }, null, indent)}`);
/** Where the cut's guesses live: the characters that open, close and separate. */
const STRUCTURE = /[[\]{},:"\\]/g;
/**
 * One edit that may break the text: a character taken out, replaced or put in, or a stretch repeated; at any
 * place, or (half the time) at one of the characters of the structure, where a wrong cut would show.
 */
const edited = fc
  .tuple(exportText, fc.nat(), fc.boolean(), fc.nat(40), fc.constantFrom("delete", "replace", "insert", "repeat"), fc.constantFrom('"', "\\", "]", "}", ",", "[", "{", "x", " ", "1"))
  .map(([text, at, structural, length, how, c]) => {
    const places = structural ? [...text.matchAll(STRUCTURE)].map((m) => m.index) : [];
    const i = places.length > 0 ? (places[at % places.length] as number) : at % (text.length + 1);
    if (how === "delete") return text.slice(0, i) + text.slice(i + 1);
    if (how === "replace") return text.slice(0, i) + c + text.slice(i + 1);
    if (how === "insert") return text.slice(0, i) + c + text.slice(i);
    return text.slice(0, i) + text.slice(i, i + length) + text.slice(i);
  });

/** The text cut at the given places (in order, repeats giving empty pieces). */
function cut(text: string, places: readonly number[]): string[] {
  const at = places.map((p) => p % (text.length + 1)).sort((a, b) => a - b);
  return [...at, text.length].map((end, i) => text.slice(i === 0 ? 0 : at[i - 1], end));
}

/** The whole read (a parameters file keeps the row-by-row read out), as a value or its refusal. */
function wholeRead(text: string): { read: ReadResult } | { refused: string } {
  try {
    return { read: readNetwork({ name: "export.json", text }, { parameters: { name: "p.json", text: "{}" } }) };
  } catch (e) {
    return { refused: (e as Error).message };
  }
}

const cuts = fc.array(fc.nat(), { maxLength: 30 });

describe("a Resource Graph export read from pieces", () => {
  it("reads an export as az writes it, wherever it is cut, as the whole read does", () => {
    fc.assert(
      fc.property(exportText, cuts, (text, places) => {
        const pieces = readGraphExportPieces(cut(text, places));
        expect(pieces).toBeDefined();
        expect(wholeRead(text)).toEqual({ read: pieces });
      }),
      { numRuns: RUNS },
    );
  });

  it("on any text, gives what the text as one piece gives, and only the whole read's network", () => {
    let read = 0;
    fc.assert(
      fc.property(edited, cuts, (text, places) => {
        const pieces = readGraphExportPieces(cut(text, places));
        expect(pieces).toEqual(readGraphExportPieces([text]));
        if (pieces !== undefined) {
          read += 1;
          expect(wholeRead(text)).toEqual({ read: pieces });
        }
      }),
      { numRuns: RUNS },
    );
    // Some edits leave an export (a space, a repeated stretch inside a string): the comparison above is made.
    expect(read).toBeGreaterThan(0);
  });

  it("cut a character at a time, one piece per UTF-16 unit (surrogate pairs split)", () => {
    fc.assert(
      fc.property(exportText, (text) => {
        expect(readGraphExportPieces([...text].flatMap((c) => c.split("")))).toEqual(readGraphExportPieces([text]));
      }),
      { numRuns: Math.ceil(RUNS / 10) },
    );
  });
});

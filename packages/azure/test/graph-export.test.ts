/**
 * A Resource Graph export read a row at a time (read/graph-text.ts) reads as the whole text does: the same
 * model, or the same refusal, for exports the cut takes and those it leaves to the whole read.
 */
import { readNetwork, type InputDocument } from "@cassandra-mi-netrules/azure";
import { describe, expect, it } from "vitest";
import { readGraphPieces } from "../src/read/graph-text.js";

const ID = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups";
const rule = (name: string, priority: unknown, idFirst: boolean) => {
  const body = { name, properties: { priority, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "10.0.0.0/8", destinationPortRange: "22" } };
  return idFirst ? { id: `${ID}/x/securityRules/${name}`, ...body } : body;
};
const row = (n: number, idFirst = false) => ({ id: `${ID}/nsg-${n}`, name: `nsg-${n}`, type: "microsoft.network/networksecuritygroups", tenantId: "t", subscriptionId: "s", properties: { securityRules: [rule(`r${n}a`, 100 + n, idFirst), rule(`r${n}b`, 200 + n, idFirst)] } });
const rows = (count: number, idFirst = false) => Array.from({ length: count }, (_, n) => row(n, idFirst));
const exportOf = (data: unknown, indent?: number) => JSON.stringify({ count: 3, data, skip_token: null, total_records: 3 }, null, indent);

/** The model or the refusal, as one comparable value. */
function outcome(read: () => unknown): unknown {
  try {
    return { read: read() };
  } catch (e) {
    return { refused: (e as Error).message };
  }
}

/** Read as given (a row at a time when the cut takes it), and whole (an empty parameters file keeps the cut out). */
function bothWays(text: string) {
  const doc: InputDocument = { name: "export.json", text };
  const whole = outcome(() => readNetwork(doc, { parameters: { name: "p.json", text: "{}" } }));
  return [outcome(() => readNetwork(doc)), whole];
}

const deep = (levels: number): unknown => (levels === 0 ? 1 : [deep(levels - 1)]);
const valid = exportOf(rows(3));

describe("a Resource Graph export read a row at a time", () => {
  it.each([
    ["compact", valid],
    ["pretty-printed", exportOf(rows(4), 2)],
    ["rules whose objects open like rows (the separator guess fails)", exportOf(rows(4, true))],
    ["a byte order mark", `\ufeff${valid}`],
    ["no rows", exportOf([])],
    ["no rows, spaces", '{"count": 0, "data": [ \n ], "total_records": 0}'],
    ["one row", exportOf(rows(1))],
    ["a row that is not an object", exportOf([row(0), 7, row(1)])],
    ["an array after the rows", JSON.stringify({ count: 1, data: rows(2), facets: [], total_records: 1 })],
    ["data given twice", JSON.stringify({ count: 1, data: rows(2) }).replace(/}$/, ',"data":[]}')],
    ["data given twice, the second an object", valid.replace('"total_records":3', '"data":{}')],
    ["data given twice, the second with an escape", valid.replace('"total_records":3', '"d\\u0061ta":{}')],
    ["strings holding brackets and quotes", exportOf([{ ...row(0), unread: { a: '}],{"id":"x', b: "\\", c: '\\"]', d: ["\\\\", "]"] } }, row(1), row(2)])],
    ["a row that is not JSON", valid.replace('"nsg-1"', '"nsg-1" x')],
    ["a row that ends early", valid.replace(/,"skip_token".*$/, "")],
    ["a comma after the last row", valid.replace("]},{", "]},{").replace(/}\],"skip_token"/, '},],"skip_token"')],
    ["two commas between rows", valid.replace('},{"id"', '},,{"id"')],
    ["something else than a comma after the first row", valid.replace('},{"id"', '}x{"id"')],
    ["a closing brace instead of a comma between rows", valid.replace('},{"id"', '}}{"id"')],
    ["something else than a comma after the second row (the separator guessed)", valid.replace(/(},\{"id".*?)},\{"id"/, '$1} x {"id"')],
    ["a row too deep", exportOf([row(0), { ...row(1), unread: deep(99) }])],
    ["a row as deep as allowed", exportOf([row(0), { ...row(1), unread: deep(97) }])],
    ["a refusal before a row that is not JSON", exportOf([{ ...row(0), properties: { securityRules: [rule("r", "high", false)] } }, row(1)]).replace('"nsg-1"', '"nsg-1" x')],
    ["a refusal", exportOf([row(0), { ...row(1), properties: { securityRules: [rule("r", "high", false)] } }])],
    ["a root that is not an export", JSON.stringify({ data: rows(2) })],
    ["text after the root", `${valid} x`],
  ])("%s: the same model or the same refusal", (_, text) => {
    const [rowByRow, whole] = bothWays(text);
    expect(rowByRow).toEqual(whole);
  });

  it("reads the rows (the cases above are not all refusals)", () => {
    expect(bothWays(valid)[0]).toMatchObject({ read: { format: "resource-graph" } });
  });
});

describe("the cut of an export into its root and rows", () => {
  it.each([
    ["compact", rows(3)],
    ["rules whose objects open like rows", rows(4, true)],
    ["strings holding brackets, quotes and backslashes", [{ ...row(0), unread: { a: '}],{"id":"x', b: "\\", c: '\\"]', d: ["\\\\", "]"], e: '"},' } }, row(1), { ...row(2), unread: '"}},{' }]],
  ])("%s: the rows as JSON.parse gives them", (_, data) => {
    const text = exportOf(data);
    const cut = readGraphPieces([text], (rows) => [...rows]);
    expect([cut?.root, cut?.read]).toEqual([{ ...(JSON.parse(text) as object), data: [] }, data]);
  });
});

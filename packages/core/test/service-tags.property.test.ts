// The lazy loader against the eager one it replaced (test/eager-service-tags.ts, verbatim): the same index,
// byte for byte, on the vendored file and on generated files, whatever order tags are used in; the same
// files refused; and its hand-written shape check against the zod schema that stays the published one.
import { readFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { regions, serviceTagCatalog } from "@cassandra-mi-netrules/core";
import { ServiceTagsFileSchema } from "@cassandra-mi-netrules/core/schema";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import { checkServiceTagsShape, ShapeProblem } from "../src/service-tags-file.js";
import type { ServiceTagIndex } from "../src/types.js";
import { issuePath } from "../src/zod-issue.js";
import { eagerLoadServiceTags } from "./eager-service-tags.js";

const repoRoot = resolvePath(import.meta.dirname, "../../..");
const text = readFileSync(resolvePath(repoRoot, "vendor/service-tags/ServiceTags_Public_20251028.json"), "utf8");
const runs = Number(process.env.FC_NUM_RUNS ?? "") || 300;
const seed = Number(process.env.FC_SEED ?? "") || 0x5eed_c0de;

const json = (x: unknown) => JSON.stringify(x);
/** The tags of `index` used in `order` (some in another case), then every tag through `tags`, as JSON. */
function used(index: ServiceTagIndex, order: readonly string[]): string[] {
  const out = order.map((n, i) => json(index.get(i % 3 === 0 ? n.toUpperCase() : n)));
  return [...out, json([...index.tags]), json([index.cloud, index.changeNumber])];
}

describe("lazy loadServiceTags = the eager load it replaced", () => {
  it("on the vendored file, whatever order the tags are used in", () => {
    const eager = eagerLoadServiceTags(text, "ServiceTags_Public_20251028.json");
    const names = [...eager.tags.keys()];
    expect(names).toHaveLength(3039);
    // Every tag once, in file order, with the comparison on: what users of the real file get.
    expect(used(loadServiceTags(text, "ServiceTags_Public_20251028.json"), names)).toEqual(used(eager, names));
    fc.assert(
      fc.property(fc.shuffledSubarray(names, { minLength: 1, maxLength: 60 }), (order) => {
        expect(used(loadServiceTags(text), order)).toEqual(used(eager, order));
      }),
      { numRuns: Math.min(runs, 40), seed },
    );
  });

  it("on generated files (compare: false, so made-up tags and prefixes are allowed)", () => {
    fc.assert(
      fc.property(serviceTagsFile, fc.boolean(), (doc, asText) => {
        const eager = eagerLoadServiceTags(doc);
        const lazy = loadServiceTags(asText ? json(doc) : doc, { compare: false });
        const order = [...doc.values.map((v) => v.name)].reverse();
        expect(used(lazy, order)).toEqual(used(eager, order));
      }),
      { numRuns: runs, seed },
    );
  });

  it("the REST API / az form of a file (changeNumbers as strings, more fields) gives the same index", () => {
    fc.assert(
      fc.property(serviceTagsFile, (doc) => {
        const az = {
          ...doc,
          changeNumber: String(doc.changeNumber),
          type: "Microsoft.Network/serviceTags",
          values: doc.values.map((v) => ({ ...v, serviceTagChangeNumber: "1", properties: { ...v.properties, changeNumber: String(v.properties.changeNumber), state: "GA" } })),
        };
        const order = doc.values.map((v) => v.name);
        expect(used(loadServiceTags(az, { compare: false }), order)).toEqual(used(eagerLoadServiceTags(doc), order));
      }),
      { numRuns: Math.min(runs, 200), seed },
    );
  });

  it("refuses every file the eager load refused: at load for its envelope, when the tag is used for the rest", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(brokenFile, ({ doc, mutation }) => {
        seen.add(mutation);
        const eagerError = thrown(() => eagerLoadServiceTags(doc));
        expect(eagerError, "the mutation must break the file").toBeDefined();
        const atLoad = thrown(() => loadServiceTags(doc, { compare: false }));
        const lazyError =
          atLoad ??
          (() => {
            const index = loadServiceTags(doc, { compare: false });
            for (const v of doc.values) {
              const e = thrown(() => index.get(v.name));
              if (e) return e;
            }
            return undefined;
          })();
        expect(lazyError).toBeDefined();
        expect(lazyError?.field).toBe(eagerError?.field);
        // The envelope (changeNumber, cloud, values, each entry's name) is checked at load; the rest of an entry when it is used.
        expect(atLoad !== undefined).toBe(/^(\(root\)|changeNumber|cloud|values|values\[\d+\](\.name)?)$/.test(eagerError?.field ?? ""));
      }),
      { numRuns: runs, seed },
    );
    expect([...seen].sort()).toEqual(Object.keys(MUTATIONS).sort());
  });
});

describe("the hand-written shape check = ServiceTagsFileSchema", () => {
  it("same verdict, same first field, same normalised values, on valid, broken and REST-form files", () => {
    const anyFile = fc.oneof(
      serviceTagsFile.map((d) => ({ doc: d as unknown })),
      brokenFile,
      serviceTagsFile.map((d) => ({ doc: { ...d, changeNumber: String(d.changeNumber) } as unknown })),
    );
    fc.assert(
      fc.property(anyFile, ({ doc }) => {
        const zod = ServiceTagsFileSchema.safeParse(doc);
        const hand = checkServiceTagsShape(doc);
        expect(hand instanceof ShapeProblem).toBe(!zod.success);
        if (hand instanceof ShapeProblem) {
          expect(issuePath(hand.path)).toBe(issuePath(zod.error?.issues[0]?.path ?? []));
          return;
        }
        const z = zod.data;
        expect(hand.changeNumber).toBe(z?.changeNumber);
        expect(hand.values.map((v) => [v.name, v.id, v.properties.changeNumber, v.properties.region, v.properties.addressPrefixes, v.properties.networkFeatures])).toEqual(
          z?.values.map((v) => [v.name, v.id, v.properties.changeNumber, v.properties.region, v.properties.addressPrefixes, v.properties.networkFeatures ?? null]),
        );
      }),
      { numRuns: runs, seed },
    );
  });
});

function thrown(f: () => unknown): (Error & { field?: string }) | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e as Error & { field?: string };
  }
}

/* ---------- generated files ---------- */

interface GenTag {
  name: string;
  id: string;
  properties: Record<string, unknown> & { changeNumber: number; region: string; addressPrefixes: string[] };
  [k: string]: unknown;
}
interface GenFile {
  changeNumber: number;
  cloud: string;
  values: GenTag[];
}

const hex = (n: number, upper: boolean) => (upper ? n.toString(16).toUpperCase() : n.toString(16));
/** Prefixes within the bounds, as Microsoft writes them and in other valid spellings (host bits, upper case, zeros). */
const prefix: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 8, max: 32 })).map(([a, l]) => `${a}/${l}`),
  fc
    .tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.integer({ min: 24, max: 128 }), fc.boolean(), fc.boolean())
    .map(([g, l, upper, pad]) => `${g.map((x) => (pad ? hex(x, upper).padStart(4, "0") : hex(x, upper))).join(":")}/${l}`),
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 32, max: 64 })).map(([g, l]) => `2603:${g.toString(16)}::/${l}`),
  fc.constantFrom("192.0.2.0/24", "192.0.2.0/25", "192.0.2.128/25", "198.51.100.7/32", "2001:db8::/32", "10.0.0.0/8"),
);
const tagName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...Object.keys(serviceTagCatalog.tags), "Sql", "AzureCloud", "AppService"),
  fc.tuple(fc.constantFrom(...Object.keys(serviceTagCatalog.tags), "Sql"), fc.constantFrom(...regions.map((r) => r.displayName.replace(/\s+/g, "")))).map(([t, r]) => `${t}.${r}`),
  fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,12}(\.[A-Z][A-Za-z0-9]{0,8})?$/),
);
const genTag = (name: string): fc.Arbitrary<GenTag> =>
  fc
    .record(
      {
        changeNumber: fc.nat({ max: 500 }),
        region: fc.oneof(fc.constant(""), fc.constantFrom(...regions.slice(0, 5).map((r) => r.name))),
        regionId: fc.nat({ max: 100 }),
        platform: fc.constant("Azure"),
        systemService: fc.constantFrom("", "AzureStorage"),
        addressPrefixes: fc.array(prefix, { maxLength: 12 }),
        networkFeatures: fc.oneof(fc.constant(null), fc.constant(undefined), fc.subarray(["API", "NSG", "UDR", "FW", "VSE"])),
      },
      { requiredKeys: ["changeNumber", "region", "addressPrefixes"] },
    )
    .map((properties) => ({ name, id: name, properties: Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined)) as GenTag["properties"] }));
const serviceTagsFile: fc.Arbitrary<GenFile> = fc
  .uniqueArray(tagName, { maxLength: 12, selector: (n) => n.toLowerCase() })
  .chain((names) => fc.tuple(fc.nat({ max: 1000 }), ...names.map(genTag)))
  .map(([changeNumber, ...values]) => ({ changeNumber, cloud: "Public", values }));

type Mutation = (d: GenFile, i: number) => boolean;
/** One way of breaking the file the eager loader refused, applied to tag `i` (false when it does not apply). */
const MUTATIONS: Record<string, Mutation> = {
  "prefix that is no CIDR": (d, i) => set(d, i, (t) => t.properties.addressPrefixes.splice(Math.min(1, t.properties.addressPrefixes.length), 0, "300.1.1.1/8")),
  "prefix too long": (d, i) => set(d, i, (t) => t.properties.addressPrefixes.push("10.0.0.0/33")),
  "prefix without length": (d, i) => set(d, i, (t) => t.properties.addressPrefixes.unshift("192.0.2.1")),
  "prefix not a string": (d, i) => set(d, i, (t) => (t.properties.addressPrefixes as unknown[]).push(42)),
  "prefixes not an array": (d, i) => set(d, i, (t) => (t.properties.addressPrefixes = "192.0.2.0/24" as never)),
  "no id": (d, i) => set(d, i, (t) => delete (t as Partial<GenTag>).id),
  "empty name": (d, i) => set(d, i, (t) => (t.name = "")),
  "duplicate name in another case": (d, i) => {
    if (d.values.length < 2) return false;
    const other = (d.values[(i + 1) % d.values.length] as GenTag).name;
    return set(d, i, (t) => (t.name = other === other.toUpperCase() ? other.toLowerCase() : other.toUpperCase()));
  },
  "fractional changeNumber": (d, i) => set(d, i, (t) => (t.properties.changeNumber = 1.5)),
  "changeNumber text": (d, i) => set(d, i, (t) => (t.properties.changeNumber = "x" as never)),
  "region not a string": (d, i) => set(d, i, (t) => (t.properties.region = 5 as never)),
  "regionId null": (d, i) => set(d, i, (t) => (t.properties.regionId = null)),
  "networkFeatures a string": (d, i) => set(d, i, (t) => (t.properties.networkFeatures = "NSG")),
  "networkFeatures with a number": (d, i) => set(d, i, (t) => (t.properties.networkFeatures = ["NSG", 7])),
  "properties missing": (d, i) => set(d, i, (t) => delete (t as Partial<GenTag>).properties),
  "entry not an object": (d, i) => d.values.length > 0 && ((d.values as unknown[])[i % d.values.length] = "Storage") !== undefined,
  "values not an array": (d) => ((d as unknown as { values: unknown }).values = { Storage: [] }) !== undefined,
  "cloud not a string": (d) => ((d as unknown as { cloud: unknown }).cloud = 7) !== undefined,
  "top-level changeNumber negative text": (d) => ((d as unknown as { changeNumber: unknown }).changeNumber = "-1") !== undefined,
};
function set(d: GenFile, i: number, edit: (t: GenTag) => unknown): boolean {
  const t = d.values[i % Math.max(1, d.values.length)];
  if (!t) return false;
  edit(t);
  return true;
}
const brokenFile: fc.Arbitrary<{ doc: GenFile; mutation: string }> = fc
  .tuple(serviceTagsFile, fc.constantFrom(...Object.keys(MUTATIONS)), fc.nat())
  .map(([doc, mutation, i]) => ({ doc: structuredClone(doc), mutation, i }))
  .filter(({ doc, mutation, i }) => (MUTATIONS[mutation] as Mutation)(doc, i))
  .map(({ doc, mutation }) => ({ doc, mutation }));

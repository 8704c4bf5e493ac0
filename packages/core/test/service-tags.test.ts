// loadServiceTags: the file is compared with Microsoft's before use (prefix bounds, how far the dataset's
// tags moved, regional forms inside their global tag, names), read in the REST/az format too, bounded in
// size, and its errors show no more of the file than a short escaped excerpt.
import { readFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { describe, expect, it } from "vitest";
import { mergedPrefixFamily, mergePrefixes, resolveRules } from "@cassandra-mi-netrules/core";
import {
  formatServiceTagsReport,
  loadServiceTags,
  MAX_SERVICE_TAGS_BYTES,
  SERVICE_TAG_PREFIX_BOUNDS,
  ServiceTagsError,
} from "@cassandra-mi-netrules/core/service-tags";
import { SERVICE_TAG_REFERENCE } from "../src/generated/service-tag-reference.js";

const repoRoot = resolvePath(import.meta.dirname, "../../..");
const FILE = "ServiceTags_Public_20251028.json";
const text = readFileSync(resolvePath(repoRoot, "vendor/service-tags", FILE), "utf8");

interface Tag {
  name: string;
  id: string;
  properties: { changeNumber: number | string; region?: string; addressPrefixes: string[]; networkFeatures?: string[] | null; [k: string]: unknown };
  [k: string]: unknown;
}
interface Doc {
  changeNumber: number | string;
  cloud: string;
  values: Tag[];
  [k: string]: unknown;
}

/** A fresh copy of the vendored file. */
function vendored(): Doc {
  return JSON.parse(text) as Doc;
}
function tag(doc: Doc, name: string): Tag {
  const t = doc.values.find((v) => v.name === name);
  if (!t) throw new Error(`no ${name}`);
  return t;
}
const indexOf = (doc: Doc, name: string) => doc.values.findIndex((v) => v.name === name);
/** The error `f` throws. */
function thrown(f: () => unknown): ServiceTagsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceTagsError);
    return e as ServiceTagsError;
  }
  throw new Error("did not throw");
}

describe("the vendored file is Microsoft's: it passes every check unchanged", () => {
  it("every tag, and a report with nothing to say", () => {
    const index = loadServiceTags(text, FILE);
    expect(index.tags.size).toBe(3039);
    const report = index.report?.();
    expect(report).toMatchObject({ source: FILE, changeNumber: 375, bundled: { source: FILE, changeNumber: 375 }, compared: true, unknownTags: [], missingTags: [] });
    expect(report?.drift.map((d) => d.tag)).toEqual(Object.keys(SERVICE_TAG_REFERENCE.tags));
    expect(report?.drift.every((d) => d.added.ipv4 + d.added.ipv6 + d.removed.ipv4 + d.removed.ipv6 === 0)).toBe(true);
    expect(formatServiceTagsReport(report ?? ({} as never))).toEqual([]);
  });

  it("its widest prefixes (/14 and /40) lie well inside the bounds (/8 and /24)", () => {
    expect(SERVICE_TAG_REFERENCE.widest).toEqual({ ipv4: 14, ipv6: 40 });
    expect(SERVICE_TAG_PREFIX_BOUNDS.ipv4).toBeLessThanOrEqual(SERVICE_TAG_REFERENCE.widest.ipv4 - 6);
    expect(SERVICE_TAG_PREFIX_BOUNDS.ipv6).toBeLessThanOrEqual(SERVICE_TAG_REFERENCE.widest.ipv6 - 16);
  });
});

describe("prefix bounds: no tag may hold 0.0.0.0/0, ::/0 or anything wider than /8 (IPv4) or /24 (IPv6)", () => {
  it.each([
    ["Storage", "0.0.0.0/0"],
    ["Storage", "::/0"],
    ["Storage", "128.0.0.0/1"],
    ["AzureKeyVault", "10.0.0.0/7"],
    ["Sql", "2001::/16"],
  ])("%s with %s is refused when the tag is used, naming the file, the field, the tag and the value", (name, prefix) => {
    const doc = vendored();
    tag(doc, name).properties.addressPrefixes.push(prefix);
    const at = tag(doc, name).properties.addressPrefixes.length - 1;
    const index = loadServiceTags(JSON.stringify(doc), "tags.json");
    const e = thrown(() => index.get(name));
    expect(e.field).toBe(`values[${indexOf(doc, name)}].properties.addressPrefixes[${at}]`);
    expect(e.message).toBe(
      `tags.json: values[${indexOf(doc, name)}].properties.addressPrefixes[${at}]: tag ${name}: no service tag holds a prefix wider than /8 (IPv4) or /24 (IPv6); Microsoft's widest are /14 and /40 (value: "${prefix}")`,
    );
    // The resolver is where the CLI meets it: it uses Storage and AzureKeyVault.
    if (name !== "Sql") expect(() => resolveRules({ regions: ["eastus"], serviceTags: loadServiceTags(doc) })).toThrow(ServiceTagsError);
  });

  it("prefixes that merge into a block wider than the bound are refused too", () => {
    const doc = vendored();
    tag(doc, "Sql").properties.addressPrefixes.push("10.0.0.0/8", "11.0.0.0/8");
    const e = thrown(() => loadServiceTags(doc, "tags.json").get("sql"));
    expect(e.message).toMatch(/: tag Sql: its prefixes merge into 10\.0\.0\.0\/7: no service tag holds .* \(value: "10\.0\.0\.0\/7"\)$/);
  });

  it("a prefix at the bound is accepted in a tag the dataset does not use", () => {
    const doc = vendored();
    tag(doc, "Sql").properties.addressPrefixes.push("10.0.0.0/8", "2001:db8::/24");
    expect(loadServiceTags(doc).get("Sql")?.prefixes.ipv4).toContain("10.0.0.0/8");
  });
});

describe("how far the dataset's tags moved since the bundled changeNumber", () => {
  it("a newer Storage that gained a /24 is used, and the report says how far it moved", () => {
    const doc = vendored();
    const storage = tag(doc, "Storage");
    storage.properties.changeNumber = 57;
    storage.properties.addressPrefixes.push("198.51.100.0/24");
    doc.changeNumber = 380;
    const index = loadServiceTags(doc, "new.json");
    const r = resolveRules({ regions: ["eastus"], serviceTags: index });
    expect(r.rules.find((x) => x.id === "tag-storage")?.serviceTags[0]?.global.prefixes?.ipv4).toContain("198.51.100.0/24");
    const drift = index.report?.().drift.find((d) => d.tag === "Storage");
    expect(drift).toMatchObject({ bundledChangeNumber: 54, changeNumber: 57, removed: { ipv4: 0, ipv6: 0 }, added: { ipv6: 0 } });
    expect(drift?.added.ipv4).toBeCloseTo(256 / 498017, 5);
    expect(formatServiceTagsReport(index.report?.() ?? ({} as never))).toEqual(["Storage: changeNumber 54 -> 57, IPv4 +0.051% -0.0% of the bundled addresses, IPv6 +0.0% -0.0% of the bundled addresses".replace(" of the bundled addresses, IPv6", ", IPv6")]);
  });

  it("Storage that gained a /8 (33 times what it held) is refused, naming the file, the tag and the figure", () => {
    const doc = vendored();
    const storage = tag(doc, "Storage");
    storage.properties.changeNumber = 57;
    storage.properties.addressPrefixes.push("1.0.0.0/8");
    const e = thrown(() => resolveRules({ regions: ["eastus"], serviceTags: loadServiceTags(doc, "tampered.json") }));
    expect(e.message).toMatch(
      new RegExp(
        `^tampered\\.json: values\\[${indexOf(doc, "Storage")}\\]\\.properties\\.addressPrefixes: tag Storage: moved too far from the bundled file: it gained 16777216 IPv4 addresses, more than the 498017 it held at changeNumber 54 of ${FILE.replace(/\./g, "\\.")} .*update @cassandra-mi-netrules/core \\(value: "\\+16777216 IPv4 addresses"\\)$`,
      ),
    );
  });

  it("a small tag may still gain one block as wide as Microsoft's widest prefix (/14)", () => {
    const doc = vendored();
    const fd = tag(doc, "AzureFrontDoor.FirstParty");
    fd.properties.changeNumber = 99;
    fd.properties.addressPrefixes.push("100.64.0.0/14");
    expect(loadServiceTags(doc).get("AzureFrontDoor.FirstParty")?.prefixes.ipv4).toContain("100.64.0.0/14");
    fd.properties.addressPrefixes.push("100.72.0.0/14");
    expect(() => loadServiceTags(doc).get("AzureFrontDoor.FirstParty")).toThrow(/moved too far from the bundled file: it gained \d+ IPv4 addresses/);
  });

  it("the bundled changeNumber with other prefixes is refused: not the list Microsoft published under it", () => {
    const doc = vendored();
    tag(doc, "AzureKeyVault").properties.addressPrefixes.push("198.51.100.0/24");
    const e = thrown(() => loadServiceTags(doc, "edited.json").get("AzureKeyVault"));
    expect(e.field).toBe(`values[${indexOf(doc, "AzureKeyVault")}].properties.changeNumber`);
    expect(e.message).toMatch(/tag AzureKeyVault: changeNumber is the one of ServiceTags_Public_20251028\.json, but its prefixes differ from the bundled file's: .* \(value: \d+\)$/);
  });

  it("a regional form must lie inside its global tag, and keep its bundled prefixes under the bundled changeNumber", () => {
    const outside = vendored();
    tag(outside, "Storage.EastUS").properties.addressPrefixes.push("203.0.113.0/24");
    tag(outside, "Storage.EastUS").properties.changeNumber = 999;
    const e = thrown(() => resolveRules({ regions: ["eastus"], serviceTags: loadServiceTags(outside, "r.json") }));
    expect(e.message).toMatch(/tag Storage\.EastUS holds 203\.0\.113\.0\/24, which its global tag Storage does not: .* \(value: "203\.0\.113\.0\/24"\)$/);
    const dropped = vendored();
    tag(dropped, "Storage.EastUS").properties.addressPrefixes.pop();
    expect(() => loadServiceTags(dropped).get("storage.eastus")).toThrow(/tag Storage\.EastUS: changeNumber is the one of/);
    tag(dropped, "Storage.EastUS").properties.changeNumber = 999;
    expect(loadServiceTags(dropped).get("storage.eastus")?.changeNumber).toBe(999);
  });

  it("compare: false reads a file without comparing it (the bounds still hold)", () => {
    const doc = vendored();
    tag(doc, "Storage").properties.addressPrefixes.push("1.0.0.0/8");
    doc.cloud = "AzureGovernment";
    const index = loadServiceTags(doc, { source: "gov.json", compare: false });
    expect(index.get("Storage")?.prefixes.ipv4).toContain("1.0.0.0/8");
    expect(index.report?.()).toMatchObject({ compared: false, drift: [] });
    tag(doc, "Storage").properties.addressPrefixes.push("0.0.0.0/0");
    expect(() => loadServiceTags(doc, { compare: false }).get("Storage")).toThrow(/no service tag holds a prefix wider than/);
  });

  it("another cloud's file is refused unless compare: false", () => {
    const doc = vendored();
    doc.cloud = "AzureChinaCloud";
    expect(thrown(() => loadServiceTags(doc, "cn.json")).message).toMatch(/^cn\.json: cloud: the rules and regions of this package are Azure's Public cloud's, so another cloud's file does not apply to them \(in the library, compare: false reads it unchecked\) \(value: "AzureChinaCloud"\)$/);
  });
});

describe("tag names compared with Microsoft's", () => {
  it("reports unknown tags and the dataset's tags the file lacks; the rules still resolve, without those prefixes", () => {
    const doc = vendored();
    doc.values = doc.values.filter((v) => v.name !== "AzureKeyVault" && v.name !== "Storage.EastUS");
    doc.values.push(
      { name: "NotAService", id: "NotAService", properties: { changeNumber: 1, region: "", addressPrefixes: ["192.0.2.0/24"] } },
      { name: "Storage.Mars", id: "Storage.Mars", properties: { changeNumber: 1, region: "mars", addressPrefixes: ["192.0.2.0/25"] } },
      { name: "Sql.EastUS9", id: "Sql.EastUS9", properties: { changeNumber: 1, region: "", addressPrefixes: ["192.0.2.0/26"] } },
    );
    const index = loadServiceTags(doc, "odd.json");
    const r = resolveRules({ regions: ["eastus"], serviceTags: index });
    expect(r.rules.find((x) => x.id === "tag-azure-key-vault")?.serviceTags[0]?.global.prefixes).toBeUndefined();
    const report = index.report?.();
    expect(report?.unknownTags).toEqual(["NotAService", "Sql.EastUS9", "Storage.Mars"]);
    expect(report?.missingTags).toEqual(["AzureKeyVault", "Storage.EastUS"]);
    expect(formatServiceTagsReport(report ?? ({} as never))).toEqual([
      "3 tag(s) unknown to ServiceTags_Public_20251028.json: \"NotAService\", \"Sql.EastUS9\", \"Storage.Mars\"",
      "2 tag(s) the rules use are missing (their rules get no prefixes from the file): AzureKeyVault, Storage.EastUS",
    ]);
  });

  it("says when the file is older than the bundled one", () => {
    const doc = vendored();
    doc.changeNumber = 300;
    const index = loadServiceTags(doc, "old.json");
    expect(formatServiceTagsReport(index.report?.() ?? ({} as never))).toEqual(["changeNumber 300 is older than the bundled ServiceTags_Public_20251028.json (375): prefixes may be out of date"]);
  });
});

describe("the format of the REST API and az network list-service-tags", () => {
  /** The vendored file as `az network list-service-tags` prints it: string changeNumbers, more fields, 4-space indent. */
  function asAz(doc: Doc): string {
    const values = doc.values.map((v) => {
      const { regionId: _r, platform: _p, ...props } = v.properties;
      return { id: v.id, name: v.name, properties: { ...props, changeNumber: String(v.properties.changeNumber), state: "GA" }, serviceTagChangeNumber: String(doc.changeNumber) };
    });
    return JSON.stringify({ changeNumber: String(doc.changeNumber), cloud: doc.cloud, id: "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Network/serviceTags/Public", name: "Public", type: "Microsoft.Network/serviceTags", values }, null, 4);
  }

  it("gives the same index as the download file", () => {
    const download = loadServiceTags(text, FILE);
    const az = loadServiceTags(asAz(vendored()), "az.json");
    expect(az.changeNumber).toBe(375);
    expect(JSON.stringify([...az.tags])).toBe(JSON.stringify([...download.tags]));
    expect(az.report?.()).toMatchObject({ unknownTags: [], missingTags: [] });
  });

  it("refuses a changeNumber that is no number, naming it", () => {
    const doc = vendored();
    doc.changeNumber = "37a";
    expect(thrown(() => loadServiceTags(doc, "az.json")).message).toBe('az.json: changeNumber: must be an integer, or a string of decimal digits (value: "37a")');
  });
});

describe("size and hostile content", () => {
  it("refuses text over the limit before parsing it", () => {
    const big = `{"changeNumber":1,"cloud":"Public","values":[],"pad":"${"x".repeat(MAX_SERVICE_TAGS_BYTES)}"}`;
    expect(thrown(() => loadServiceTags(big, "big.json")).message).toBe('big.json: (root): the file is larger than 32 MiB, the limit (Microsoft\'s file is about 4 MB) (value: "{\\"changeNumber\\":")');
  });

  it("a file that is no JSON shows 16 characters of it at most, escaped", () => {
    const shadow = "root:$6$Zq9x$SECRETHASHSECRETHASH:19976:0:99999:7:::\ndaemon:*:19976:0:99999:7:::\n";
    const e = thrown(() => loadServiceTags(shadow, "/etc/shadow"));
    expect(e.message).toMatch(/^\/etc\/shadow: \(root\): not valid JSON: [^"]*'r'[^"]* \(value: "root:\$6\$Zq9x\$SEC"\)$/);
    expect(e.message).not.toContain("SECRETHASH");
    const binary = thrown(() => loadServiceTags("\u007fELF\u0002\u0001\u0001\u0000\u0000\u0000secret", "/bin/true"));
    expect(binary.message).toBe('/bin/true: (root): not a text file (a NUL or non-UTF-8 byte at character 7) (value: "\\u007fELF\\u0002\\u0001\\u0001\\u0000\\u0000\\u0000secret")');
    const late = thrown(() => loadServiceTags('{"changeNumber": 1, "cloud": "Public",\n "values": [\u001b[31m]}', "x.json"));
    // V8's own wording varies between node versions; what stands around it does not.
    expect(late.message).toMatch(/^x\.json: \(root\): not valid JSON: [^"]*'\\u001b'[^"]* \(value: "\{\\"changeNumber\\":"\)$/);
    const located = thrown(() => loadServiceTags('{"changeNumber": 1,\n\n "cloud" "Public"}', "y.json"));
    expect(located.message).toMatch(/^y\.json: \(root\): not valid JSON at line 3: [^"]* at position 30 \(value: "\\"Public\\"\}"\)$/);
  });

  it("a long or non-ASCII value in a field is cut and escaped", () => {
    const doc = vendored();
    tag(doc, "Storage").properties.addressPrefixes[0] = `\u202e${"9".repeat(200)}`;
    const e = thrown(() => loadServiceTags(doc, "t.json").get("Storage"));
    expect(e.message).toMatch(/\(value: "\\u202e9{39}"\.\.\.\)$/);
    doc.values[0] = { ...(doc.values[0] as Tag), id: { nested: "x".repeat(1000) } as never };
    expect(thrown(() => loadServiceTags(doc, "t.json").get((doc.values[0] as Tag).name)).message).toBe("t.json: values[0].id: must be a string (value: an object)");
  });
});

describe("the prefix lists of an index are frozen and recorded, so planners need not read them again", () => {
  it("an index's lists are recorded with their family; a hand-built or mergePrefixes list is not", () => {
    const index = loadServiceTags(text, FILE);
    for (const name of ["Storage", "Storage.EastUS", "Sql"]) {
      const p = index.get(name)?.prefixes;
      expect(mergedPrefixFamily(p?.ipv4), name).toBe(4);
      expect(mergedPrefixFamily(p?.ipv6), name).toBe(6);
      expect(Object.isFrozen(p?.ipv4)).toBe(true);
      expect(() => (p?.ipv4 as string[]).push("0.0.0.0/0")).toThrow(TypeError);
    }
    expect(mergedPrefixFamily(["192.0.2.0/24"])).toBeUndefined();
    expect(mergedPrefixFamily(mergePrefixes(["192.0.2.0/24"]).ipv4)).toBeUndefined();
    expect(mergedPrefixFamily([...(index.get("Storage")?.prefixes.ipv4 ?? [])])).toBeUndefined();
    expect(mergedPrefixFamily("192.0.2.0/24")).toBeUndefined();
  });

  it("mergePrefixes gives a recorded list back as its own merge, a copy, the same as reading it", () => {
    const index = loadServiceTags(text, FILE);
    for (const name of ["Storage", "AzureFrontDoor.FirstParty", "Storage.WestEurope"]) {
      const p = index.get(name)?.prefixes;
      if (!p) throw new Error(name);
      for (const list of [p.ipv4, p.ipv6]) {
        const fast = mergePrefixes(list);
        expect(fast).toEqual(mergePrefixes([...list]));
        expect(Object.isFrozen(fast.ipv4) || Object.isFrozen(fast.ipv6)).toBe(false);
      }
    }
  });
});

describe("lazy: a tag is read when first used", () => {
  it("an unused tag with a bad prefix does not stop a run; using it, or reading every tag, does", () => {
    const doc = vendored();
    tag(doc, "Sql").properties.addressPrefixes.push("300.1.1.1/8");
    const index = loadServiceTags(doc, "f.json");
    expect(resolveRules({ regions: ["eastus"], serviceTags: index }).rules.length).toBe(31);
    expect(() => index.get("sql")).toThrow(`f.json: values[${indexOf(doc, "Sql")}].properties.addressPrefixes[`);
    expect(() => index.tags).toThrow(ServiceTagsError);
  });

  it("the envelope is checked at load; the rest of an entry when it is used, or when every tag is read", () => {
    const doc = vendored();
    (tag(doc, "Sql").properties as Record<string, unknown>).addressPrefixes = ["192.0.2.0/24", 42];
    const index = loadServiceTags(doc, "f.json");
    expect(resolveRules({ regions: ["eastus"], serviceTags: index }).rules.length).toBe(31);
    const message = `f.json: values[${indexOf(doc, "Sql")}].properties.addressPrefixes[1]: must be a string (value: 42)`;
    expect(thrown(() => index.get("Sql")).message).toBe(message);
    expect(thrown(() => index.tags).message).toBe(message);
    (doc.values[7] as Record<string, unknown>).name = 7;
    expect(thrown(() => loadServiceTags(doc, "f.json")).message).toBe("f.json: values[7].name: must be a string (value: 7)");
  });
});

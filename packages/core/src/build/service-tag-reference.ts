/** Build time: what `loadServiceTags` compares a user's file with, taken from the vendored Microsoft file. */
import { mergePrefixes } from "../cidr.js";
import { compareStrings } from "../order.js";
import type { ServiceTagsFile } from "../schema.js";
import { referenceRaw, type ReferenceTag, type ServiceTagReference } from "../service-tags-compare.js";
import type { ServiceTagCatalog } from "../types.js";

/** `catalog` lists the dataset's tags and their regional forms (the generated catalogue); `regions` the known ARM names. */
export function buildServiceTagReference(file: ServiceTagsFile, source: string, catalog: ServiceTagCatalog, regions: readonly string[]): ServiceTagReference {
  const byName = new Map(file.values.map((v) => [v.name, v]));
  const bases = new Set<string>();
  const suffixes = new Set<string>();
  const widest = { ipv4: 32, ipv6: 128 };
  for (const v of file.values) {
    const dot = v.name.indexOf(".");
    bases.add((dot < 0 ? v.name : v.name.slice(0, dot)).toLowerCase());
    if (dot >= 0) suffixes.add(v.name.slice(dot + 1).toLowerCase());
    for (const p of v.properties.addressPrefixes) {
      const length = Number(p.slice(p.lastIndexOf("/") + 1));
      const fam = p.includes(":") ? "ipv6" : "ipv4";
      if (length < widest[fam]) widest[fam] = length;
    }
  }
  const entry = (v: ServiceTagsFile["values"][number]): ReferenceTag => {
    const merged = mergePrefixes(v.properties.addressPrefixes);
    const entry: ReferenceTag = { changeNumber: v.properties.changeNumber, ipv4: merged.ipv4.join(","), ipv6: merged.ipv6.join(",") };
    const raw = v.properties.addressPrefixes.join(",");
    return raw === referenceRaw(entry) ? entry : { ...entry, raw };
  };
  const tags: Record<string, ReferenceTag> = {};
  const regional: Record<string, ReferenceTag> = {};
  for (const [name, catalogued] of Object.entries(catalog.tags)) {
    const global = byName.get(name);
    if (global) tags[name] = entry(global);
    for (const form of Object.values(catalogued.regional)) {
      const v = byName.get(form.name);
      if (v) regional[form.name] = entry(v);
    }
  }
  const sortedKeys = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => compareStrings(a, b)));
  return {
    source,
    cloud: file.cloud,
    changeNumber: file.changeNumber,
    bases: [...bases].sort(compareStrings),
    suffixes: [...suffixes].sort(compareStrings),
    regions: [...regions].sort(compareStrings),
    widest,
    tags: sortedKeys(tags),
    regional: sortedKeys(regional),
  };
}

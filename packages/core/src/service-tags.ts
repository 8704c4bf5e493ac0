/**
 * Loader for Microsoft's "Azure IP Ranges and Service Tags" file. A subpath of its own
 * (`@cassandra-mi-netrules/core/service-tags`) because it validates with zod, which the main entry
 * never imports.
 */
import { mergePrefixes } from "./cidr.js";
import { sortBy } from "./order.js";
import { ServiceTagsFileSchema } from "./schema.js";
import type { ServiceTagIndex, ServiceTagInfo } from "./types.js";
import { issuePath, showValue, valueAt } from "./zod-issue.js";

export class ServiceTagsError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${source}: ${field}: ${reason} (value: ${showValue(value)})`);
    this.name = "ServiceTagsError";
  }
}

/**
 * Parses a service-tags file (its text or the parsed JSON), validates it, merges each tag's prefixes
 * per family and indexes the tags by name (lookup is case-insensitive). `source` names the file in errors.
 */
export function loadServiceTags(input: string | unknown, source = "service-tags file"): ServiceTagIndex {
  let doc: unknown = input;
  if (typeof input === "string") {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new ServiceTagsError(source, "(root)", input, `not valid JSON: ${(e as Error).message}`);
    }
  }
  const parsed = ServiceTagsFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    throw new ServiceTagsError(source, issuePath(path) || "(root)", valueAt(doc, path), issue?.message ?? "invalid");
  }
  const tags = new Map<string, ServiceTagInfo>();
  const lower = new Map<string, ServiceTagInfo>();
  parsed.data.values.forEach((v, i) => {
    let prefixes: ServiceTagInfo["prefixes"];
    try {
      prefixes = mergePrefixes(v.properties.addressPrefixes);
    } catch (e) {
      const bad = v.properties.addressPrefixes.findIndex((p) => {
        try {
          mergePrefixes([p]);
          return false;
        } catch {
          return true;
        }
      });
      throw new ServiceTagsError(
        source,
        `values[${i}].properties.addressPrefixes[${bad}]`,
        v.properties.addressPrefixes[bad],
        `tag ${v.name}: ${(e as Error).message}`,
      );
    }
    if (lower.has(v.name.toLowerCase())) throw new ServiceTagsError(source, `values[${i}].name`, v.name, "duplicate tag name");
    const info: ServiceTagInfo = {
      name: v.name,
      region: v.properties.region === "" ? "" : v.name.includes(".") ? (v.name.split(".").pop() ?? "").toLowerCase() : v.properties.region,
      networkFeatures: v.properties.networkFeatures ?? null,
      changeNumber: v.properties.changeNumber,
      prefixes,
      prefixCountIn: v.properties.addressPrefixes.length,
    };
    tags.set(v.name, info);
    lower.set(v.name.toLowerCase(), info);
  });
  const sorted = new Map(sortBy([...tags.entries()], ([name]) => name));
  return {
    cloud: parsed.data.cloud,
    changeNumber: parsed.data.changeNumber,
    tags: sorted,
    get: (name: string) => lower.get(name.toLowerCase()),
  };
}

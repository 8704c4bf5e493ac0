/**
 * The oracle of the lazy loader: `loadServiceTags` as it was before it became lazy (commit dd4c8d5), which
 * validated the whole file with zod and merged all 3,039 tags at once. Kept verbatim, schema included, so
 * the property test compares the lazy index with exactly what users got before.
 */
import { z } from "zod";
import { mergePrefixes } from "../src/cidr.js";
import { sortBy } from "../src/order.js";
import type { ServiceTagIndex, ServiceTagInfo } from "../src/types.js";
import { issuePath, showValue, valueAt } from "../src/zod-issue.js";

/** ServiceTagsFileSchema before the REST/az format was accepted. */
export const EagerServiceTagsFileSchema = z.object({
  changeNumber: z.number().int(),
  cloud: z.string(),
  values: z.array(
    z.object({
      name: z.string().min(1),
      id: z.string().min(1),
      properties: z.object({
        changeNumber: z.number().int(),
        region: z.string(),
        regionId: z.number().int().optional(),
        platform: z.string().optional(),
        systemService: z.string().optional(),
        addressPrefixes: z.array(z.string()),
        networkFeatures: z.array(z.string()).nullable().optional(),
      }),
    }),
  ),
});

export class EagerServiceTagsError extends Error {
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

export function eagerLoadServiceTags(input: string | unknown, source = "service-tags file"): ServiceTagIndex {
  let doc: unknown = input;
  if (typeof input === "string") {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new EagerServiceTagsError(source, "(root)", input, `not valid JSON: ${(e as Error).message}`);
    }
  }
  const parsed = EagerServiceTagsFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    throw new EagerServiceTagsError(source, issuePath(path) || "(root)", valueAt(doc, path), issue?.message ?? "invalid");
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
      throw new EagerServiceTagsError(
        source,
        `values[${i}].properties.addressPrefixes[${bad}]`,
        v.properties.addressPrefixes[bad],
        `tag ${v.name}: ${(e as Error).message}`,
      );
    }
    if (lower.has(v.name.toLowerCase())) throw new EagerServiceTagsError(source, `values[${i}].name`, v.name, "duplicate tag name");
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

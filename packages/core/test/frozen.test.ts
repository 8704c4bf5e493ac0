// The exported data is frozen all the way down (dataset.ts freezes it at import, recursing only into objects).
import { describe, expect, it } from "vitest";
import { allRequirements, currentRevision, features, regions, requiredRules, revisions, serviceTagCatalog } from "@cassandra-mi-netrules/core";

function unfrozen(value: unknown, path: string, out: string[]): string[] {
  if (value === null || typeof value !== "object") return out;
  if (!Object.isFrozen(value)) out.push(path);
  for (const [k, v] of Object.entries(value)) unfrozen(v, `${path}.${k}`, out);
  return out;
}

describe("frozen data", () => {
  it.each([
    ["allRequirements", allRequirements],
    ["revisions", revisions],
    ["currentRevision", currentRevision],
    ["requiredRules", requiredRules],
    ["features", features],
    ["regions", regions],
    ["serviceTagCatalog", serviceTagCatalog],
  ])("%s: every nested object and array is frozen", (name, value) => {
    const objects: unknown[] = [];
    const walk = (v: unknown): void => {
      if (v !== null && typeof v === "object") {
        objects.push(v);
        Object.values(v).forEach(walk);
      }
    };
    walk(value);
    expect(objects.length).toBeGreaterThan(5);
    expect(unfrozen(value, name, [])).toEqual([]);
    expect(() => {
      "use strict";
      (objects[objects.length - 1] as Record<string, unknown>).added = 1;
    }).toThrow(TypeError);
  });
});

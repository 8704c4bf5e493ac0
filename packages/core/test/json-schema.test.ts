// The committed JSON Schemas (schemas/*.schema.json) accept the YAML sources and reject bad ones.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";

const repoRoot = resolve(import.meta.dirname, "../../..");
const schema = (name: string) => JSON.parse(readFileSync(join(repoRoot, "schemas", name), "utf8"));
const yaml = (rel: string) => load(readFileSync(join(repoRoot, "packages/core/data", rel), "utf8"));

describe("schemas/*.schema.json", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const rules = ajv.compile(schema("rules.schema.json"));
  it("accepts every requirement file, revisions.yaml and features.yaml", () => {
    for (const f of readdirSync(join(repoRoot, "packages/core/data/requirements"))) {
      expect(rules(yaml(`requirements/${f}`)), `${f}: ${JSON.stringify(rules.errors)}`).toBe(true);
    }
    expect(ajv.validate(schema("revisions.schema.json"), yaml("revisions.yaml"))).toBe(true);
    expect(ajv.validate(schema("features.schema.json"), yaml("features.yaml"))).toBe(true);
  });
  it("rejects a port out of range, an unknown field, a bad kind, a prefix that is no CIDR and a missing French purpose", () => {
    const doc = yaml("requirements/40-internal.yaml") as Array<Record<string, unknown>>;
    const first = doc[0] as Record<string, unknown>;
    expect(rules([{ ...first, ports: [70000] }])).toBe(false);
    expect(rules([{ ...first, colour: "red" }])).toBe(false);
    expect(rules([{ ...first, kind: "sideways" }])).toBe(false);
    const prefixes = (yaml("requirements/30-prefixes.yaml") as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
    expect(rules([prefixes])).toBe(true);
    expect(rules([{ ...prefixes, destinations: [{ type: "prefixes", prefixes: ["any"] }] }])).toBe(false);
    expect(rules([{ ...first, purpose: { en: "only English" } }])).toBe(false);
    // Blank text, which the emitters refuse (issue 21): refused here too, in purposes and conditions.
    expect(rules([{ ...first, purpose: { en: "x", fr: " \t" } }])).toBe(false);
    expect(rules([{ ...first, conditions: [{ feature: "backup", when: "enabled", en: "x", fr: "y" }] }])).toBe(true);
    expect(rules([{ ...first, conditions: [{ feature: "backup", when: "enabled", en: "x", fr: " " }] }])).toBe(false);
  });
});

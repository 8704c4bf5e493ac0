/**
 * Where the data's schema and an emitter disagreed about what valid data is, found by the deep property
 * run (`npm run test:deep`); the shrunk case, readable, so an owner sees it without a seed.
 *
 * S01 (issue 21, failure 2): `markdown-fr.property.test.ts` generated a requirement whose condition had
 * the French text " ". The schema took it (`z.string().min(1)`), the Markdown emitter refused it
 * ("conditions[0].fr is missing or empty"). Blank text is now refused by the schema, as purposes and
 * inferences already were, and the arbitrary no longer generates it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ConditionSchema, RequirementSourceSchema } from "@cassandra-mi-netrules/core/schema";
import { emitter as markdown } from "@cassandra-mi-netrules/emit-markdown";
import { resolveRules, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { buildServiceTagCatalog, compileDataset, DatasetError, readRegions, readServiceTagsFile } from "../../packages/core/src/build/compile.js";
import { LOCATIONS_FILE, SERVICE_TAGS_FILE } from "../../packages/core/src/build/generate.js";
import { resolvedRules, seed } from "./arbitraries.js";

const ROOT = join(import.meta.dirname, "../..");
/** The shrunk condition of the failing case (seed 0x5eedc0de + 1, case 3864). */
const BLANK_FRENCH = { feature: "vpn", when: "enabled", en: "🛏", fr: " " } as const;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("S01 a condition whose French text is blank", () => {
  it("is refused by the schema, naming the language", () => {
    const r = ConditionSchema.safeParse(BLANK_FRENCH);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(["fr: French text is missing"]);
    expect(ConditionSchema.safeParse({ ...BLANK_FRENCH, fr: "x", en: "\t\n" }).error?.issues[0]?.message).toBe("English text is missing");
  });

  it("fails the build of the dataset, naming the file, the YAML path and the value", () => {
    const dir = mkdtempSync(join(tmpdir(), "cmn-regression-schema-"));
    dirs.push(dir);
    cpSync(join(ROOT, "packages/core/data"), dir, { recursive: true });
    const file = join(dir, "requirements/10-outbound-fqdn.yaml");
    const before = readFileSync(file, "utf8");
    const after = before.replace("fr: Nécessaire pour la fonctionnalité de sauvegarde.", 'fr: " "');
    expect(after).not.toBe(before);
    writeFileSync(file, after);
    const regions = readRegions(join(ROOT, LOCATIONS_FILE));
    const catalog = buildServiceTagCatalog(readServiceTagsFile(join(ROOT, SERVICE_TAGS_FILE)), "ServiceTags_Public_20251028.json", new Set(regions.map((r) => r.name)));
    let problems: readonly string[] = [];
    try {
      compileDataset(dir, catalog, dir);
    } catch (e) {
      expect(e).toBeInstanceOf(DatasetError);
      problems = (e as DatasetError).problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^requirements\/10-outbound-fqdn\.yaml: \[\d+\]\.conditions\[0\]\.fr: French text is missing \(value: " "\)$/);
  });

  it("is what the Markdown emitter refuses: every condition the schema accepts renders in both locales", () => {
    const base = resolveRules({ regions: ["eastus"], features: { vpn: true } });
    const rule = base.rules[0];
    if (!rule) throw new Error("no rule");
    const withCondition = (c: typeof BLANK_FRENCH | { feature: string; when: "enabled"; en: string; fr: string }): ResolvedRules => ({ ...base, rules: [{ ...rule, conditions: [c] }] });
    expect(() => markdown.emit(withCondition(BLANK_FRENCH), { locale: "fr" })).toThrow(/conditions\[0\]\.fr is missing or empty \(value: " "\)/);
    const accepted = { ...BLANK_FRENCH, fr: "Seulement en mode VPN." };
    expect(ConditionSchema.safeParse(accepted).success).toBe(true);
    for (const locale of ["en", "fr"] as const) expect(markdown.emit(withCondition(accepted), { locale }).files.length).toBeGreaterThan(0);
  });

  it("is no longer generated: no condition of the failing sample has blank text, and all pass the schema", () => {
    // The property's own sample: the same arbitrary, seed and count that produced the blank text at case 3864.
    const cases = fc.sample(resolvedRules(), { numRuns: 3865, seed: seed() + 1 });
    const conditions = cases.flatMap((r) => r.rules.flatMap((x) => x.conditions));
    expect(conditions.length).toBeGreaterThan(100);
    const blank = conditions.filter((c) => c.en.trim() === "" || c.fr.trim() === "");
    expect(blank).toEqual([]);
    expect(conditions.filter((c) => !ConditionSchema.safeParse(c).success)).toEqual([]);
  });

  it("a requirement with such a condition is refused as a whole", () => {
    const requirement = {
      id: "backup-storage",
      kind: "outbound",
      destinations: [{ type: "fqdn", fqdn: "*.blob.core.windows.net" }],
      protocol: "HTTPS",
      ports: [443],
      purpose: { en: "Backups.", fr: "Sauvegardes." },
      conditions: [BLANK_FRENCH],
      provenance: { revisions: ["2021-11-02"], table: "azure-global" },
    };
    const r = RequirementSourceSchema.safeParse(requirement);
    expect(r.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(["conditions.0.fr: French text is missing"]);
  });
});

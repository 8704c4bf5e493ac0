// The locale catalogue and the recorded prose: what the compiler refuses (file, YAML path, value), what the
// JSON Schemas accept, and that every recorded text is what the page it cites says.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { recordedProse, sourceLocales } from "@cassandra-mi-netrules/core/source";
import Ajv2020 from "ajv/dist/2020.js";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServiceTagCatalog, compileDataset, DatasetError, readRegions, readServiceTagsFile, type DatasetBuild } from "../src/build/compile.js";
import { LOCATIONS_FILE, SERVICE_TAGS_FILE } from "../src/build/generate.js";
import { compileSourceData } from "../src/build/source-data.js";
import { parseSourcePage } from "../src/source.js";

const pkgDir = resolve(import.meta.dirname, "..");
const repoRoot = resolve(pkgDir, "../..");
let dataset: DatasetBuild;
const dirs: string[] = [];

beforeAll(() => {
  const regions = readRegions(join(repoRoot, LOCATIONS_FILE));
  const catalog = buildServiceTagCatalog(readServiceTagsFile(join(repoRoot, SERVICE_TAGS_FILE)), "ServiceTags_Public_20251028.json", new Set(regions.map((r) => r.name)));
  dataset = compileDataset(join(pkgDir, "data"), catalog);
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of data/ with data/source/<file> edited; the problems the source-data compiler reports. */
function problemsAfter(file: string, edit: (text: string) => string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "cmn-source-data-"));
  dirs.push(dir);
  cpSync(join(pkgDir, "data"), dir, { recursive: true });
  const path = join(dir, "source", file);
  const before = readFileSync(path, "utf8");
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
  try {
    compileSourceData(dir, dataset, dir);
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return [...(e as DatasetError).problems];
  }
  return [];
}

describe("compileSourceData", () => {
  it("accepts the committed catalogue and prose: en, fr and de; four recorded texts", () => {
    const build = compileSourceData(join(pkgDir, "data"), dataset, repoRoot);
    expect(build.catalogues.map((c) => c.locale).sort()).toEqual(["de", "en", "fr"]);
    expect(build.prose.map((p) => `${p.revision}.${p.locale}`).sort()).toEqual(["2021-05-21.fr", "2021-11-02.de", "2021-11-02.en", "2021-11-02.fr"]);
    expect(build).toEqual({ catalogues: [...sourceLocales].sort((a, b) => (a.locale < b.locale ? -1 : 1)), prose: recordedProse });
  });

  it("refuses an entry without a source or an inference, an unknown source id, an unknown tag, a name listed twice", () => {
    expect(problemsAfter("locales/de.yaml", (t) => t.replace("{ written: Speicher, tag: Storage, sources: [ga-handoff, v2-handoff] }", "{ written: Speicher, tag: Storage }"))).toEqual([
      'source/locales/de.yaml: tags[0]: an entry needs sources, or inferred saying why it has none (value: {"written":"Speicher","tag":"Storage"})',
    ]);
    expect(problemsAfter("locales/de.yaml", (t) => t.replace("tag: Storage, sources: [ga-handoff, v2-handoff]", "tag: Storage, sources: [ga-handof]"))).toEqual([
      'source/locales/de.yaml: tags[0].sources: unknown source id, not in sources (value: "ga-handof")',
    ]);
    expect(problemsAfter("locales/de.yaml", (t) => t.replace("tag: Storage, sources", "tag: Storag, sources"))).toEqual([
      'source/locales/de.yaml: tags[0].tag: not a tag the requirements use (value: "Storag")',
    ]);
    expect(problemsAfter("locales/fr.yaml", (t) => t.replace("written: Event Hub,", "written: stockage,"))).toEqual(['source/locales/fr.yaml: tags[1].written: listed twice (value: "stockage")']);
  });

  it("refuses a prose file whose text is not normalised, whose links name no requirement of its revision, or whose name is wrong", () => {
    expect(problemsAfter("prose/2021-11-02.en.yaml", (t) => t.replace("The following table lists the required", "The following  table lists the required"))).toEqual([
      "source/prose/2021-11-02.en.yaml: sections[3].text: has an empty line, a line with spaces at an end, or a run of spaces",
    ]);
    expect(problemsAfter("prose/2021-05-21.fr.yaml", (t) => t.replace("requirements: [storage-control-plane,", "requirements: [crl, storage-control-plane,"))).toEqual([
      'source/prose/2021-05-21.fr.yaml: sections[1].requirements[0]: not a requirement of revision 2021-05-21 (value: "crl")',
    ]);
    expect(problemsAfter("prose/2021-11-02.en.yaml", (t) => t.replace("features: [vpn]", "features: [vpm]"))).toEqual([
      'source/prose/2021-11-02.en.yaml: sections[1].features[0]: unknown feature (value: "vpm")',
    ]);
    expect(problemsAfter("prose/2021-11-02.de.yaml", (t) => t.replace("locale: de", "locale: fr"))).toEqual([
      "source/prose/2021-11-02.de.yaml: the file of revision 2021-11-02 in locale fr must be named 2021-11-02.fr.yaml",
    ]);
  });
});

describe("the recorded prose is the text of the copy it cites", () => {
  const vendored: Record<string, string> = {
    "2021-05-21.fr": "network-rules.fr.2021-05-21.seed.md",
    "2021-11-02.en": "network-rules.en.2021-11-02.current.md",
    "2021-11-02.fr": "network-rules.fr.2021-11-02.ga-handoff.md",
    "2021-11-02.de": "network-rules.de.2021-11-02.ga-handoff.md",
  };
  it.each(recordedProse.map((p) => [`${p.revision}.${p.locale}`, p] as const))("%s", (key, prose) => {
    const page = parseSourcePage(readFileSync(join(repoRoot, "vendor/pages", vendored[key] ?? "missing"), "utf8"));
    expect(page.locale).toBe(prose.locale);
    expect(page.sections.map((s) => [s.id, s.heading, s.text, s.fingerprint])).toEqual(prose.sections.map((s) => [s.id, s.heading, s.text, s.fingerprint]));
    expect(prose.source.what).toContain(`vendor/pages/${vendored[key]}`.replace("vendor/pages/network-rules.fr.2021-05-21.seed.md", "seed"));
  });
});

describe("schemas/source-*.schema.json", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const schema = (name: string) => JSON.parse(readFileSync(join(repoRoot, "schemas", name), "utf8"));
  const yaml = (rel: string) => load(readFileSync(join(pkgDir, "data/source", rel), "utf8")) as Record<string, unknown>;
  // "sources or inferred" is a refinement the JSON Schema cannot state; the build checks it (above).
  it("accept every catalogue and prose file, and reject an unknown role and a bad locale", () => {
    const locale = ajv.compile(schema("source-locale.schema.json"));
    const prose = ajv.compile(schema("source-prose.schema.json"));
    for (const f of readdirSync(join(pkgDir, "data/source/locales"))) expect(locale(yaml(`locales/${f}`)), `${f}: ${JSON.stringify(locale.errors)}`).toBe(true);
    for (const f of readdirSync(join(pkgDir, "data/source/prose"))) expect(prose(yaml(`prose/${f}`)), `${f}: ${JSON.stringify(prose.errors)}`).toBe(true);
    const de = yaml("locales/de.yaml");
    expect(locale({ ...de, locale: "deu" })).toBe(false);
    expect(locale({ ...de, columns: [{ role: "colour", written: "Farbe", sources: ["ga-handoff"] }] })).toBe(false);
    expect(prose({ ...yaml("prose/2021-11-02.de.yaml"), revision: "V4" })).toBe(false);
  });
});

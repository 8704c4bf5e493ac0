// Broken data must fail the build with the file, the YAML path and the bad value.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServiceTagCatalog, compileDataset, DatasetError, readRegions, readServiceTagsFile } from "../src/build/compile.js";
import { generatedFiles, LOCATIONS_FILE, SERVICE_TAGS_FILE } from "../src/build/generate.js";
import type { ServiceTagCatalog } from "../src/types.js";

const pkgDir = resolve(import.meta.dirname, "..");
const repoRoot = resolve(pkgDir, "../..");
let catalog: ServiceTagCatalog;
const dirs: string[] = [];

beforeAll(() => {
  const regions = readRegions(join(repoRoot, LOCATIONS_FILE));
  catalog = buildServiceTagCatalog(readServiceTagsFile(join(repoRoot, SERVICE_TAGS_FILE)), "ServiceTags_Public_20251028.json", new Set(regions.map((r) => r.name)));
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of data/ with one file edited by `edit`; returns the problems the compiler reports. */
function problemsAfter(file: string, edit: (text: string) => string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "cmn-data-"));
  dirs.push(dir);
  cpSync(join(pkgDir, "data"), dir, { recursive: true });
  const path = join(dir, file);
  const before = readFileSync(path, "utf8");
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
  try {
    compileDataset(dir, catalog, dir);
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return [...(e as DatasetError).problems];
  }
  return [];
}

describe("compileDataset", () => {
  it("accepts the committed data", () => {
    const build = compileDataset(join(pkgDir, "data"), catalog);
    expect(build.requirements.length).toBe(32);
    expect(build.dataHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("rejects an unknown service tag, naming file, path and value, with a suggestion", () => {
    const p = problemsAfter("requirements/20-service-tags.yaml", (t) => t.replace("tag: EventHub,", "tag: EventHubs,"));
    expect(p).toEqual([
      'requirements/20-service-tags.yaml: [2].destinations[0].tag: unknown service tag, not in ServiceTags_Public_20251028.json; did you mean "EventHub"? (value: "EventHubs")',
    ]);
  });

  it("rejects a bad CIDR, one with host bits and one not in canonical form", () => {
    const at = "requirements/30-prefixes.yaml: [0].destinations[0].prefixes[1]:";
    expect(problemsAfter("requirements/30-prefixes.yaml", (t) => t.replace("13.104.0.0/14", "13.104.0.0/33"))).toEqual([
      `${at} must be an IPv4 or IPv6 CIDR prefix such as 192.0.2.0/24 or 2001:db8::/32: the prefix length 33 is above 32 for IPv4 (value: "13.104.0.0/33")`,
    ]);
    expect(problemsAfter("requirements/30-prefixes.yaml", (t) => t.replace("13.104.0.0/14", "13.104.0.1/14"))).toEqual([
      `${at} must be an IPv4 or IPv6 CIDR prefix such as 192.0.2.0/24 or 2001:db8::/32: host bits are set; the network is 13.104.0.0/14 (value: "13.104.0.1/14")`,
    ]);
    expect(problemsAfter("requirements/30-prefixes.yaml", (t) => t.replace("13.104.0.0/14", "2001:DB8:0::/32"))).toEqual([
      `${at} must be written in canonical form, 2001:db8::/32 (value: "2001:DB8:0::/32")`,
    ]);
    expect(problemsAfter("requirements/30-prefixes.yaml", (t) => t.replace("13.104.0.0/14", "13.104.0.0"))).toEqual([
      `${at} must be an IPv4 or IPv6 CIDR prefix such as 192.0.2.0/24 or 2001:db8::/32 (value: "13.104.0.0")`,
    ]);
  });

  it("rejects a duplicate id across files", () => {
    const p = problemsAfter("requirements/40-internal.yaml", (t) => t.replace("- id: gossip", "- id: crl"));
    expect(p).toEqual([
      'requirements/40-internal.yaml: [2].id: duplicate requirement id, first defined in requirements/10-outbound-fqdn.yaml [14] (value: "crl")',
    ]);
  });

  it("rejects port 70000", () => {
    const p = problemsAfter("requirements/40-internal.yaml", (t) => t.replace("ports: [7001]", "ports: [70000]"));
    expect(p).toEqual(["requirements/40-internal.yaml: [2].ports[0]: ports end at 65535 (value: 70000)"]);
  });

  it("rejects a requirement without a French purpose", () => {
    const p = problemsAfter("requirements/10-outbound-fqdn.yaml", (t) =>
      t.replace("    fr: Journaux transmis des nœuds vers Azure par Event Hubs.\n", ""),
    );
    expect(p).toEqual(["requirements/10-outbound-fqdn.yaml: [5].purpose.fr: French text is missing (value: missing)"]);
    const blank = problemsAfter("requirements/10-outbound-fqdn.yaml", (t) =>
      t.replace("    fr: Journaux transmis des nœuds vers Azure par Event Hubs.\n", '    fr: "  "\n'),
    );
    expect(blank).toEqual(['requirements/10-outbound-fqdn.yaml: [5].purpose.fr: French text is missing (value: "  ")']);
  });

  it("rejects an unknown revision, a wildcard in the middle, a wrong regional flag and bad YAML", () => {
    expect(problemsAfter("requirements/40-internal.yaml", (t) => t.replace('revisions: ["2021-05-21", "2021-08-14", "2021-09-13", "2021-11-02"]\n    table: internal-ports\n    asWritten:\n      "2021-05-21": "7001', 'revisions: ["2021-05-22", "2021-08-14", "2021-09-13", "2021-11-02"]\n    table: internal-ports\n    asWritten:\n      "2021-05-21": "7001'))).toEqual(
      expect.arrayContaining([expect.stringContaining('[2].provenance.revisions[0]: unknown revision (value: "2021-05-22")')]),
    );
    expect(problemsAfter("requirements/10-outbound-fqdn.yaml", (t) => t.replace('"crl.microsoft.com" }', '"crl.*.microsoft.com" }'))[0]).toMatch(
      /\[14\]\.destinations\[0\]\.fqdn: .*\(value: "crl\.\*\.microsoft\.com"\)/,
    );
    expect(problemsAfter("requirements/20-service-tags.yaml", (t) => t.replace("tag: GuestAndHybridManagement, regional: false", "tag: GuestAndHybridManagement, regional: true"))).toEqual([
      "requirements/20-service-tags.yaml: [7].destinations[0].regional: ServiceTags_Public_20251028.json has no regional forms of GuestAndHybridManagement (value: true)",
    ]);
    expect(problemsAfter("revisions.yaml", (t) => `${t}\n  - : [`)[0]).toMatch(/^revisions\.yaml: not valid YAML: /);
  });
});

describe("generated files", () => {
  it("src/generated/*.ts and schemas/*.schema.json are up to date with data/ (run npm run generate)", () => {
    const files = generatedFiles({ pkgDir, repoRoot });
    expect(files.map((f) => f.path.slice(repoRoot.length + 1)).sort()).toEqual([
      "packages/core/src/generated/dataset.ts",
      "packages/core/src/generated/regions.ts",
      "packages/core/src/generated/service-tag-catalog.ts",
      "packages/core/src/generated/service-tag-reference.ts",
      "packages/core/src/generated/source-locales.ts",
      "packages/core/src/generated/source-prose.ts",
      "packages/core/src/generated/udr.ts",
      "packages/core/src/generated/version.ts",
      "schemas/features.schema.json",
      "schemas/revisions.schema.json",
      "schemas/rules.schema.json",
      "schemas/source-locale.schema.json",
      "schemas/source-prose.schema.json",
      "schemas/udr.schema.json",
    ]);
    for (const f of files) expect(readFileSync(f.path, "utf8"), f.path).toBe(f.content);
  });
});

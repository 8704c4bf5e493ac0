// The page's "User-defined routes" advice (data/udr.yaml), compiled with the sample script's prefix list.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { load } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { dataHash, getRequirement, getUdrAdvice, revisions, udrAdvice } from "../src/index.js";
import { compileUdrAdvice } from "../src/build/udr.js";
import { DatasetError } from "../src/build/compile.js";

const repoRoot = resolve(import.meta.dirname, "../../..");
const dataDir = join(repoRoot, "packages/core/data");
const ids = revisions.map((r) => r.id);
const vendored = (name: string) => readFileSync(join(repoRoot, "vendor/udr", name), "utf8").trim().split("\n");
const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** Compiles a copy of data/udr.yaml edited by `edit`; returns the problems it reports. */
function problemsWith(edit: (yaml: string) => string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "cmn-udr-"));
  scratch.push(dir);
  cpSync(dataDir, dir, { recursive: true });
  writeFileSync(join(dir, "udr.yaml"), edit(readFileSync(join(dataDir, "udr.yaml"), "utf8")));
  try {
    compileUdrAdvice(dir, ids, repoRoot);
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return [...(e as DatasetError).problems];
  }
  return [];
}

describe("user-defined routes advice", () => {
  it("only the GA revision's page has the section; it links the sample at 62eb687 with its 52 prefixes, next hop Internet", () => {
    expect(udrAdvice.map((a) => a.revision)).toEqual(["2021-11-02"]);
    for (const id of ["2021-05-21", "2021-08-14", "2021-09-13"]) expect(getUdrAdvice(id)).toBeUndefined();
    const ga = getUdrAdvice("2021-11-02");
    expect(ga?.section).toBe("User-defined routes");
    expect(ga?.sample).toMatchObject({ repository: "Azure-Samples/cassandra-managed-instance-tools", path: "configureUDR.sh", commit: "62eb687125ac63626ac1bec76412db5c28825651", nextHopType: "Internet", routeName: "msft{n}" });
    expect(ga?.sample.prefixes).toEqual(vendored("configureUDR.62eb687.prefixes.txt"));
    expect(ga?.sample.prefixes).toHaveLength(52);
    expect(ga?.sample.superseded).toEqual([{ commit: "592d4060fe70689a835ade676012a2ce4752f738", date: "2021-10-19", prefixCount: 214 }]);
  });

  it("the sample's first three prefixes are the page's three prefixes without a tag", () => {
    const page = getRequirement("microsoft-prefixes").destinations.flatMap((d) => (d.type === "prefixes" ? d.prefixes : []));
    expect(getUdrAdvice("2021-11-02")?.sample.prefixes.slice(0, 3)).toEqual(page);
  });

  it("is frozen and not part of the dataset hash (the requirements' artifacts do not change with it)", () => {
    expect(Object.isFrozen(udrAdvice)).toBe(true);
    expect(Object.isFrozen(getUdrAdvice("2021-11-02")?.sample.prefixes)).toBe(true);
    expect(dataHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("the committed JSON Schema accepts data/udr.yaml and rejects an unknown field", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(join(repoRoot, "schemas/udr.schema.json"), "utf8")));
    const doc = load(readFileSync(join(dataDir, "udr.yaml"), "utf8")) as Array<Record<string, unknown>>;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(validate([{ ...doc[0], colour: "red" }])).toBe(false);
  });

  it("refuses a wrong count, an unknown revision, text that is not on the page and a list outside vendor/udr/", () => {
    const count = problemsWith((y) => y.replace("prefixCount: 52", "prefixCount: 51"));
    expect(count).toHaveLength(1);
    expect(count[0]).toMatch(/udr\.yaml: \[0\]\.sample\.prefixesFile: vendor\/udr\/configureUDR\.62eb687\.prefixes\.txt holds 52 prefixes \(value of prefixCount: 51\)$/);
    expect(problemsWith((y) => y.replace('revision: "2021-11-02"', 'revision: "2021-11-03"')).join("\n")).toMatch(/udr\.yaml: \[0\]\.revision: unknown revision \(value: "2021-11-03"\)/);
    expect(problemsWith((y) => y.replace("we highly recommend", "we recommend")).join("\n")).toMatch(/\[0\]\.asWritten: not the text of vendor\/pages\/network-rules\.en\.2021-11-02\.current\.md/);
    expect(problemsWith((y) => y.replace("prefixesFile: vendor/udr/configureUDR.62eb687.prefixes.txt", "prefixesFile: /etc/passwd")).join("\n")).toMatch(/\[0\]\.sample\.prefixesFile: must be a file under vendor\/udr\/ \(value: "\/etc\/passwd"\)/);
  });
});

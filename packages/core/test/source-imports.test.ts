// Importing the data parses no YAML and runs no zod; markdown-it stays behind the `source` subpath. Checked on
// the sources' import graph and on the bundles the package's own tsup recipe builds from them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { build, type Options } from "tsup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import tsupConfig from "../tsup.config.js";

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = resolve(pkgDir, "src");
const BUILD_ONLY = ["zod", "js-yaml", "markdown-it"];

/** Every module reachable from `entry` through static imports and re-exports: relative files and bare package names. */
function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']/gmu)) {
      const spec = m[1] ?? "";
      if (/^import\s+type\s/u.test(m[0].trim())) continue;
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec.replace(/\.js$/u, ".ts")));
      else packages.add(spec);
    }
  };
  visit(resolve(src, entry));
  return { files, packages };
}

const heavy = (packages: Iterable<string>): string[] => [...packages].filter((p) => BUILD_ONLY.some((h) => p === h || p.startsWith(`${h}/`))).sort();

describe("import graph of the sources", () => {
  it("the main entry reaches neither zod, js-yaml nor markdown-it, nor the build or source modules", () => {
    const { files, packages } = reachable("index.ts");
    expect(files.size).toBeGreaterThan(5);
    expect(heavy(packages)).toEqual([]);
    expect([...files].filter((f) => f.includes(`${src}/source`) || f.includes(`${src}/build`) || f.endsWith("schema.ts"))).toEqual([]);
  });

  it("the subpaths that need them do reach them (so the check above can fail)", () => {
    expect(heavy(reachable("source.ts").packages)).toEqual(["markdown-it"]);
    expect(heavy(reachable("schema.ts").packages)).toEqual(["zod"]);
    expect(heavy(reachable("build/compile.ts").packages)).toEqual(["js-yaml", "zod"]);
  });

  it("service-tags checks files by hand (zod alone cost more than the rest of --service-tags) and leaves the dataset to the main entry", () => {
    const { files, packages } = reachable("service-tags.ts");
    expect(heavy(packages)).toEqual([]);
    expect([...files].filter((f) => f.endsWith("dataset.ts") || f.endsWith("schema.ts")).map((f) => f.slice(src.length))).toEqual([]);
  });

  it("the label mapping, the catalogue lookups, the prose reader and the parser import nothing from the dataset", () => {
    for (const entry of ["source/labels.ts", "source/catalogue.ts", "source/prose.ts", "source/parse.ts"]) {
      const { files } = reachable(entry);
      expect([...files].filter((f) => /dataset|generated/u.test(f)), entry).toEqual([]);
    }
  });
});

interface Metafile {
  outputs: Record<string, { imports: Array<{ path: string; external?: boolean }>; inputs: Record<string, unknown>; entryPoint?: string }>;
}

describe("the bundles tsup builds (the dist/ layout: a one-file main entry the subpaths import, ESM and CJS)", () => {
  let out: string;
  const metafiles: Record<"esm" | "cjs", Metafile> = { esm: { outputs: {} }, cjs: { outputs: {} } };

  beforeAll(async () => {
    // Inside the package (.tmp/ is ignored), so the built files resolve its dependencies and its "type": "module".
    mkdirSync(join(pkgDir, ".tmp"), { recursive: true });
    out = mkdtempSync(join(pkgDir, ".tmp", "dist-"));
    const recipe = tsupConfig as Options;
    const entry = Object.fromEntries(Object.entries(recipe.entry as Record<string, string>).map(([name, file]) => [name, resolve(pkgDir, file)]));
    // tsup leaves the dependencies of the package.json in the working directory external; name the package's own.
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const external = Object.keys(pkg.dependencies);
    await build({ ...recipe, entry, external, config: false, outDir: out, dts: false, metafile: true, silent: true });
    for (const format of ["esm", "cjs"] as const) metafiles[format] = JSON.parse(readFileSync(join(out, `metafile-${format}.json`), "utf8")) as Metafile;
  }, 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  /** External packages a bundle loads, through the chunks it imports, and the files of node_modules bundled into them. */
  function externals(format: "esm" | "cjs", entry: string): string[] {
    const { outputs } = metafiles[format];
    // Metafile paths are relative to the working directory of the build.
    const key = (p: string): string => resolve(process.cwd(), p);
    const byKey = new Map(Object.entries(outputs).map(([p, o]) => [key(p), o]));
    const start = [...byKey.keys()].find((k) => k === join(out, `${entry}.${format === "esm" ? "js" : "cjs"}`));
    expect(start, `${entry} (${format}) among ${[...byKey.keys()].join(", ")}`).toBeDefined();
    const seen = new Set<string>();
    const found = new Set<string>();
    const walk = (k: string): void => {
      if (seen.has(k)) return;
      seen.add(k);
      for (const input of Object.keys(byKey.get(k)?.inputs ?? {})) {
        const bundled = /node_modules\/((?:@[^/]+\/)?[^/]+)/u.exec(input)?.[1];
        if (bundled) found.add(bundled);
      }
      for (const imp of byKey.get(k)?.imports ?? []) {
        if (imp.external) found.add(imp.path);
        else walk(key(imp.path));
      }
    };
    walk(start as string);
    return [...found].sort();
  }

  it.each(["esm", "cjs"] as const)("%s: index loads none of zod, js-yaml, markdown-it", (format) => {
    expect(heavy(externals(format, "index"))).toEqual([]);
  });

  /** The output of `entry` in `format`: its inputs (source files, relative to the package) and what it imports. */
  function output(format: "esm" | "cjs", entry: string): { inputs: string[]; imports: Array<{ path: string; external?: boolean }> } {
    const file = join(out, `${entry}.${format === "esm" ? "js" : "cjs"}`);
    const found = Object.entries(metafiles[format].outputs).find(([p]) => resolve(process.cwd(), p) === file)?.[1];
    expect(found, file).toBeDefined();
    return { inputs: Object.keys(found?.inputs ?? {}).map((p) => resolve(process.cwd(), p).slice(pkgDir.length + 1)), imports: found?.imports ?? [] };
  }

  it.each(["esm", "cjs"] as const)("%s: the main entry is one file, and each subpath takes the dataset, the classes and the helpers it holds from it", (format) => {
    const main = output(format, "index");
    expect(main.imports).toEqual([]);
    expect(main.inputs).toEqual(expect.arrayContaining(["src/dataset.ts", "src/cidr.ts", "src/generated/dataset.ts"]));
    const mainFile = `./index.${format === "esm" ? "js" : "cjs"}`;
    for (const entry of ["schema", "service-tags", "options", "contract", "source"]) {
      const sub = output(format, entry);
      const relative = new Set(sub.imports.filter((i) => i.path.startsWith(".")).map((i) => `${i.path}${i.external ? " (external)" : ""}`));
      expect([...relative], entry).toEqual([`${mainFile} (external)`]);
      expect(sub.inputs.filter((i) => main.inputs.includes(i)), entry).toEqual(entry === "options" || entry === "service-tags" ? ["src/zod-issue.ts"] : []);
    }
  });

  it("every entry loads in node, ESM and CJS, and the subpaths hand out the main entry's own classes and merged-list registry", () => {
    const tagsFile = JSON.stringify({
      changeNumber: 1,
      cloud: "Public",
      values: [{ name: "Sql.EastUS", id: "Sql.EastUS", properties: { changeNumber: 1, region: "eastus", regionId: 1, platform: "Azure", systemService: "AzureSQL", addressPrefixes: ["192.0.2.0/25", "192.0.2.128/25"], networkFeatures: ["NSG"] } }],
    });
    // Run by node itself (not through vitest's module runner), so a missing export fails as it would for a user.
    const checks = (load: string): string => `
      const [main, source, options, tags, contract, schema] = await Promise.all(["index", "source", "options", "service-tags", "contract", "schema"].map(${load}));
      const ipv4 = tags.loadServiceTags(${JSON.stringify(tagsFile)}, "tags.json").get("Sql.EastUS").prefixes.ipv4;
      console.log(JSON.stringify({
        unknownName: source.UnknownNameError === main.UnknownNameError,
        optionError: options.EmitterOptionError === main.EmitterOptionError,
        contract: typeof contract.ContractError,
        schema: Object.keys(schema).length > 0,
        ipv4,
        family: main.mergedPrefixFamily(ipv4) ?? null,
      }));`;
    const esm = spawnSync(process.execPath, ["--input-type=module", "-e", checks("(e) => import(`./${e}.js`)")], { cwd: out, encoding: "utf8" });
    const cjs = spawnSync(process.execPath, ["-e", `(async () => { ${checks("async (e) => require(`./${e}.cjs`)")} })().catch((e) => { console.error(e); process.exit(1); });`], { cwd: out, encoding: "utf8" });
    for (const r of [esm, cjs]) {
      expect(r.status, r.stderr).toBe(0);
      // The list the service-tags subpath merged is one the main entry's resolver knows as merged.
      expect(JSON.parse(r.stdout)).toEqual({ unknownName: true, optionError: true, contract: "function", schema: true, ipv4: ["192.0.2.0/24"], family: 4 });
    }
  });

  it.each(["esm", "cjs"] as const)("%s: schema loads zod, source loads markdown-it (so the check above can fail), service-tags neither", (format) => {
    expect(heavy(externals(format, "schema"))).toEqual(["zod"]);
    expect(heavy(externals(format, "service-tags"))).toEqual([]);
    expect(heavy(externals(format, "source"))).toEqual(["markdown-it"]);
  });
});

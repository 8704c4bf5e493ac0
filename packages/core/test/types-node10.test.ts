// Every entry point of the built package resolves, with its types, under TypeScript's `moduleResolution:
// node10` (which ignores `exports`; `typesVersions` maps the subpaths), as under node16 and bundler.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const pkgDir = resolve(import.meta.dirname, "..");
const repoRoot = resolve(pkgDir, "../..");
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, unknown>;
  typesVersions?: Record<string, Record<string, string[]>>;
};
/** `schema`, `service-tags`, `source`: every subpath of `exports` but package.json. */
const subpaths = Object.keys(pkg.exports)
  .filter((k) => k !== "." && k !== "./package.json")
  .map((k) => k.slice(2));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A consumer project that imports every entry point, type-checked by the repository's tsc. */
function typecheck(moduleResolution: "node10" | "node16" | "bundler"): { code: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), `cmn-types-${moduleResolution}-`));
  dirs.push(dir);
  mkdirSync(join(dir, "node_modules/@cassandra-mi-netrules"), { recursive: true });
  symlinkSync(pkgDir, join(dir, "node_modules", pkg.name), "dir");
  const module = moduleResolution === "node16" ? "node16" : moduleResolution === "bundler" ? "esnext" : "commonjs";
  // skipLibCheck: resolution and the exported names are what is checked here; the declarations themselves are checked by the build.
  const compilerOptions = { module, moduleResolution, strict: true, noEmit: true, skipLibCheck: true, types: [], ignoreDeprecations: "6.0" };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["index.ts"] }));
  const lines = [
    `import { resolveRules, type ResolvedRules } from "${pkg.name}";`,
    `import { loadServiceTags, ServiceTagsError, type LoadServiceTagsOptions } from "${pkg.name}/service-tags";`,
    `import { ConditionSchema } from "${pkg.name}/schema";`,
    `import { parseSourcePage } from "${pkg.name}/source";`,
    `const r: ResolvedRules = resolveRules({ regions: ["eastus"] });`,
    `const o: LoadServiceTagsOptions = { source: "tags.json" };`,
    `export const used = [r, o, loadServiceTags, ServiceTagsError, ConditionSchema, parseSourcePage];`,
    ...subpaths.map((s, i) => `import * as sub${i} from "${pkg.name}/${s}";\nexport const all${i} = sub${i};`),
  ];
  writeFileSync(join(dir, "index.ts"), `${lines.join("\n")}\n`);
  const tsc = spawnSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", dir], { encoding: "utf8" });
  return { code: tsc.status, output: `${tsc.stdout}${tsc.stderr}` };
}

describe("type declarations under every moduleResolution", () => {
  it("the package is built (dist/*.d.ts)", () => {
    for (const name of ["index", ...subpaths]) expect(existsSync(join(pkgDir, "dist", `${name}.d.ts`)), `dist/${name}.d.ts missing: run npm run build`).toBe(true);
  });

  it("typesVersions maps exactly the subpaths of exports", () => {
    expect(Object.keys(pkg.typesVersions?.["*"] ?? {}).sort()).toEqual([...subpaths].sort());
  });

  it.each(["node10", "node16", "bundler"] as const)("a consumer with moduleResolution %s type-checks an import of every entry point", (moduleResolution) => {
    const r = typecheck(moduleResolution);
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  });
});

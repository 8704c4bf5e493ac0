// The main entry's import cost is benchmarked: markdown-it must stay behind the `source` subpath.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

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

describe("import graph", () => {
  it("the main entry does not reach markdown-it nor the source modules", () => {
    const { files, packages } = reachable("index.ts");
    expect(files.size).toBeGreaterThan(5);
    expect([...packages].filter((p) => p.startsWith("markdown-it"))).toEqual([]);
    expect([...files].filter((f) => f.includes(`${src}/source`))).toEqual([]);
  });

  it("the source subpath does reach markdown-it (so the check above can fail)", () => {
    expect(reachable("source.ts").packages.has("markdown-it")).toBe(true);
  });

  it("the label mapping and the parser import nothing from the dataset", () => {
    for (const entry of ["source/labels.ts", "source/parse.ts"]) {
      const { files } = reachable(entry);
      expect([...files].filter((f) => /dataset|generated/u.test(f)), entry).toEqual([]);
    }
  });
});

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { emitMarkdownDocs } from "@cassandra-mi-netrules/emit-markdown";
import { formatIssues, lintMarkdownFiles } from "@cassandra-mi-netrules/testkit/markdownlint";
// The site's own script, run here from the sources: what its build must have written from the built packages.
import { renderSite } from "../../../examples/docs-site/scripts/build-docs.mjs";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const docs = join(repo, "examples/docs-site/docs");
const BUILT = ["packages/core/dist/index.js", "packages/emit-markdown/dist/index.js"];

describe("examples/docs-site: docs generated at build time from the built packages", () => {
  it("its build writes every page, lint-clean, equal to what the sources render, with the site's own index template", () => {
    // CI builds before testing; locally run the package builds first (this test does not rebuild what others use).
    for (const file of BUILT) {
      if (!existsSync(join(repo, file))) throw new Error(`${file} is missing: run \`npm run build -w @cassandra-mi-netrules/core -w @cassandra-mi-netrules/emit-markdown\``);
    }
    const r = spawnSync("npm", ["run", "build", "-w", "@cassandra-mi-netrules-examples/docs-site"], { cwd: repo, encoding: "utf8" });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/docs-site: wrote 12 pages/);

    const files = readdirSync(docs, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => relative(docs, join(d.parentPath, d.name)))
      .sort();
    expect(files).toEqual(
      ["en", "en/eastus", "fr", "fr/eastus"].flatMap((d) => ["changelog.md", "index.md", "network-rules.md"].map((p) => `${d}/${p}`)).sort(),
    );

    const result = lintMarkdownFiles(files, docs);
    expect(result.filesLinted).toBe(12);
    expect(formatIssues(result)).toBe("");
    expect(result.exitCode).toBe(0);

    // The built packages wrote exactly what the sources render (a stale dist fails here: rebuild it).
    const expected = renderSite().sort((a, b) => a.path.localeCompare(b.path));
    expect(expected.map((p) => p.path).sort()).toEqual(files);
    for (const page of expected) expect(readFileSync(join(docs, page.path), "utf8"), page.path).toBe(page.content);

    // The site's templates/pages/index.md.hbs replaced the bundled index (the stamp moved to the end); the other pages are the bundled ones.
    const index = readFileSync(join(docs, "fr/eastus/index.md"), "utf8");
    expect(index).toMatch(/^# Règles réseau d'Azure Managed Instance pour Apache Cassandra\n\nCes pages documentent la révision `2021-11-02`/);
    expect(index).toMatch(/\n> Page générée par `@cassandra-mi-netrules\/emit-markdown` [^\n]+\n> [^\n]+\n> [^\n]+\n> [^\n]+\n$/);
    const bundled = emitMarkdownDocs(resolveRules({ regions: ["eastus"] }), { locale: "fr", changelog: true, dir: "fr/eastus" });
    expect(index).not.toBe(bundled.files.find((f) => f.path === "fr/eastus/index.md")!.content);
    expect(readFileSync(join(docs, "fr/eastus/network-rules.md"), "utf8")).toBe(bundled.files.find((f) => f.path === "fr/eastus/network-rules.md")!.content);
  });
});

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { emitMarkdownDocs } from "@cassandra-mi-netrules/emit-markdown";
import { formatIssues, lintMarkdownFiles } from "@cassandra-mi-netrules/testkit/markdownlint";
// The site's own script, run here from the sources: what its build must have written from the built packages.
import { readSiteConfig, renderSite } from "../../../examples/docs-site/scripts/build-docs.mjs";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const script = join(repo, "examples/docs-site/scripts/build-docs.mjs");
const out = mkdtempSync(join(tmpdir(), "cmn-docs-site-pages-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("examples/docs-site: pages generated at build time from the built packages", () => {
  it("its page step writes every page, lint-clean, equal to what the sources render, with the site's own index template", () => {
    // Run as the site's build runs it (node, resolving the packages' dist): a stale or missing dist fails below.
    const r = spawnSync(process.execPath, [script, "--out", join(out, "content")], { cwd: repo, encoding: "utf8" });
    expect(r.status, `${r.stdout}\n${r.stderr}\n(build the packages first: npm run build -w @cassandra-mi-netrules/core -w @cassandra-mi-netrules/emit-markdown)`).toBe(0);
    const { regions } = readSiteConfig();
    expect(regions).toEqual(["eastus", "westeurope", "australiaeast"]);
    const count = 2 * (3 + 2 * regions.length);
    expect(r.stdout).toContain(`docs-site: wrote ${count} pages`);

    const docs = join(out, "content");
    const files = readdirSync(docs, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => relative(docs, join(d.parentPath, d.name)))
      .sort();
    const sets = ["", "fr/"].flatMap((l) => [`${l}`, ...regions.map((g) => `${l}${g}/`)]);
    const expected = sets.flatMap((d) => (d === "" || d === "fr/" ? ["changelog.md", "index.md", "network-rules.md"] : ["index.md", "network-rules.md"]).map((p) => `${d}${p}`));
    expect(files).toEqual(expected.sort());

    const result = lintMarkdownFiles(files, docs);
    expect(result.filesLinted).toBe(count);
    expect(formatIssues(result)).toBe("");
    expect(result.exitCode).toBe(0);

    // The built packages wrote exactly what the sources render (a stale dist fails here: rebuild it).
    const rendered = renderSite().sort((a, b) => a.path.localeCompare(b.path));
    expect(rendered.map((p) => p.path).sort()).toEqual(files);
    for (const page of rendered) expect(readFileSync(join(docs, page.path), "utf8"), page.path).toBe(page.content);

    // The site's templates/pages/index.md.hbs replaced the bundled index (the stamp moved to the end); the other pages are the bundled ones.
    const index = readFileSync(join(docs, "fr/eastus/index.md"), "utf8");
    expect(index).toMatch(/^# Règles réseau d'Azure Managed Instance pour Apache Cassandra\n\nCes pages documentent la révision `2021-11-02`/);
    expect(index).toMatch(/\n> Page générée par `@cassandra-mi-netrules\/emit-markdown` [^\n]+\n> [^\n]+\n> [^\n]+\n> [^\n]+\n$/);
    const bundled = emitMarkdownDocs(resolveRules({ regions: ["eastus"] }), { locale: "fr", dir: "fr/eastus" });
    expect(index).not.toBe(bundled.files.find((f) => f.path === "fr/eastus/index.md")!.content);
    expect(readFileSync(join(docs, "fr/eastus/network-rules.md"), "utf8")).toBe(bundled.files.find((f) => f.path === "fr/eastus/network-rules.md")!.content);
    // English sits at the site's root (VitePress's root locale), with the changelog for no region only.
    expect(readFileSync(join(docs, "index.md"), "utf8")).toMatch(/^# Azure Managed Instance for Apache Cassandra network rules\n/);
    expect(readFileSync(join(docs, "index.md"), "utf8")).toContain("](changelog.md)");
    expect(readFileSync(join(docs, "eastus/index.md"), "utf8")).not.toContain("changelog.md");
  });

  it("a region the dataset does not know stops the build before anything is written, with a suggestion", () => {
    const bad = join(out, "bad.json");
    writeFileSync(bad, JSON.stringify({ regions: ["eastus", "westeurop"], templates: "templates" }));
    expect(() => readSiteConfig(bad)).toThrow(/westeurop.*westeurope/);
  });
});

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { emitMarkdownDocs } from "@cassandra-mi-netrules/emit-markdown";
import { formatIssues, lintMarkdownFiles } from "@cassandra-mi-netrules/testkit/markdownlint";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const docs = join(repo, "examples/docs-site/docs");

function npm(args: string[]): string {
  const r = spawnSync("npm", args, { cwd: repo, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe("examples/docs-site: docs generated at build time from the built packages", () => {
  it("builds, and every page it writes is lint-clean and equal to the emitter's output from sources", () => {
    // Other suites may rebuild core at the same moment (tsup cleans dist first); a second attempt then succeeds.
    let attempt = 0;
    for (;;) {
      try {
        npm(["run", "build", "-w", "@cassandra-mi-netrules/core", "-w", "@cassandra-mi-netrules/emit-markdown"]);
        break;
      } catch (e) {
        if (++attempt >= 3) throw e;
      }
    }
    const stdout = npm(["run", "build", "-w", "@cassandra-mi-netrules-examples/docs-site"]);
    expect(stdout).toMatch(/docs-site: wrote 12 pages/);

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

    // The built packages render exactly what the sources render.
    const page = readFileSync(join(docs, "fr/eastus/network-rules.md"), "utf8");
    const fromSource = emitMarkdownDocs(resolveRules({ regions: ["eastus"] }), { locale: "fr", changelog: true, dir: "fr/eastus" });
    expect(page).toBe(fromSource.files.find((f) => f.path === "fr/eastus/network-rules.md")!.content);
  });
});

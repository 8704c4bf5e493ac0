/**
 * Thin adapter: testkit's markdownlint runner is synchronous, and vitest runs these files one at a
 * time on this machine, so the pages are linted by a few markdownlint-cli2 processes side by side
 * (same binary, same repository configuration as testkit's `lintMarkdownFiles`).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { markdownlintConfig, repoRoot } from "@cassandra-mi-netrules/testkit/markdownlint";

const require = createRequire(import.meta.url);
const bin = join(dirname(require.resolve("markdownlint-cli2", { paths: [repoRoot] })), "markdownlint-cli2-bin.mjs");

export interface LintShardResult {
  readonly exitCode: number;
  readonly filesLinted: number;
  /** `file:line rule message` lines the tool reported. */
  readonly issues: readonly string[];
  readonly output: string;
}

function lintShard(files: readonly string[], cwd: string): Promise<LintShardResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin, "--config", markdownlintConfig, "--no-globs", ...files.map((f) => `:${f}`)], { cwd });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("error", reject);
    p.on("close", (code) => {
      const linted = /^Linting: (\d+) file/m.exec(stdout);
      const issues = stderr.split("\n").filter((l) => / (error|warning) MD\d+\//.test(l));
      resolve({ exitCode: code ?? 2, filesLinted: linted ? Number(linted[1]) : 0, issues, output: `${stdout}\n${stderr}` });
    });
  });
}

/** Lints the files (relative to `cwd`) in `shards` concurrent markdownlint-cli2 runs; merges the results. */
export async function lintMarkdownFilesParallel(files: readonly string[], cwd: string, shards = 2): Promise<LintShardResult> {
  const parts = Array.from({ length: shards }, (_, k) => files.filter((_f, i) => i % shards === k)).filter((p) => p.length > 0);
  const results = await Promise.all(parts.map((p) => lintShard(p, cwd)));
  return {
    exitCode: Math.max(0, ...results.map((r) => r.exitCode)),
    filesLinted: results.reduce((n, r) => n + r.filesLinted, 0),
    issues: results.flatMap((r) => r.issues),
    output: results.map((r) => r.output).join("\n"),
  };
}

/**
 * Runs the real markdownlint-cli2 (the repository's installed version) with the committed configuration
 * `.markdownlint-cli2.jsonc` at the repository root, on files or on strings.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const markdownlintConfig: string = join(repoRoot, ".markdownlint-cli2.jsonc");

const require = createRequire(import.meta.url);
// The package exports neither its bin nor its package.json; its main entry sits beside the bin.
const bin = join(dirname(require.resolve("markdownlint-cli2", { paths: [repoRoot] })), "markdownlint-cli2-bin.mjs");

export interface MarkdownlintIssue {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly message: string;
}

export interface MarkdownlintResult {
  /** 0: no error; 1: errors found; 2: the tool failed. */
  readonly exitCode: number;
  /** How many files the tool says it linted (from its `Linting: N file(s)` line). */
  readonly filesLinted: number;
  readonly issues: readonly MarkdownlintIssue[];
  /** The tool's whole output, for failure messages. */
  readonly output: string;
}

function run(args: readonly string[], cwd: string): MarkdownlintResult {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  const output = `${r.stdout}\n${r.stderr}`;
  const linted = /^Linting: (\d+) file/m.exec(r.stdout);
  const issues: MarkdownlintIssue[] = [];
  for (const line of r.stderr.split("\n")) {
    const m = /^(.+?):(\d+)(?::\d+)? (?:error|warning) (MD\d+\/[\w-]+(?:\/[\w-]+)*) (.*)$/.exec(line);
    if (m) issues.push({ file: m[1] as string, line: Number(m[2]), rule: m[3] as string, message: m[4] as string });
  }
  return { exitCode: r.status ?? 2, filesLinted: linted ? Number(linted[1]) : 0, issues, output };
}

/** Lints the given files (paths relative to `cwd`, taken literally, not as globs) with the repository's config. */
export function lintMarkdownFiles(files: readonly string[], cwd: string = repoRoot): MarkdownlintResult {
  if (files.length === 0) throw new Error("lintMarkdownFiles: no file given");
  return run(["--config", markdownlintConfig, "--no-globs", ...files.map((f) => `:${f}`)], cwd);
}

/** Writes the strings to a fresh temporary directory, lints them there, removes the directory. */
export function lintMarkdownStrings(files: ReadonlyArray<{ readonly path: string; readonly content: string }>): MarkdownlintResult {
  const dir = mkdtempSync(join(tmpdir(), "cmn-markdownlint-"));
  try {
    for (const f of files) {
      if (f.path.startsWith("/") || f.path.split("/").includes("..")) throw new Error(`lintMarkdownStrings: path must be relative (value: "${f.path}")`);
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    return lintMarkdownFiles(
      files.map((f) => f.path),
      dir,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Lints the repository as `npm run lint:md` does (the config's own globs and ignores). */
export function lintRepositoryMarkdown(): MarkdownlintResult {
  return run([], repoRoot);
}

/** One line per issue, for assertion messages. */
export function formatIssues(result: MarkdownlintResult): string {
  return result.issues.map((i) => `${i.file}:${i.line} ${i.rule} ${i.message}`).join("\n");
}

/** Shared by the cross-package tests: where things are, and running the built CLI as a process. */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
/** The built CLI; CMN_CLI_BIN runs these tests against another build (an older one, to see a test fail on its behaviour). */
export const BIN = process.env.CMN_CLI_BIN ?? join(ROOT, "packages/cli/dist/bin.js");

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Fails loudly when the CLI was not built (CI builds before testing; locally run `npm run build`). */
export function requireBuiltCli(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` before the CLI tests`);
}

export function run(cmd: string, args: readonly string[], options: SpawnSyncOptions = {}): Run {
  const r = spawnSync(cmd, [...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...options });
  if (r.error) throw r.error;
  return { code: r.status, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
}

/** Runs the built CLI: `node packages/cli/dist/bin.js ...args`. */
export function cli(args: readonly string[], options: SpawnSyncOptions = {}): Run {
  return run(process.execPath, [BIN, ...args], { cwd: ROOT, ...options, env: { ...process.env, NO_COLOR: "1", ...(options.env ?? {}) } });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `cmn-${prefix}-${process.pid}-`));
}

/** Every file below `dir` (hidden ones too), relative, sorted; empty when `dir` does not exist. */
export function tree(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tree(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

/** Every file below `dir` with its content: two snapshots are equal when nothing was added, removed or changed. */
export function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(tree(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

/** An input error: exit 2, nothing on stdout, one error line that starts with the program's name and holds every piece. */
export function expectCliError(r: Run, ...pieces: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.startsWith("cassandra-mi-netrules: error: "), r.stderr).toBe(true);
  for (const p of pieces) expect(r.stderr).toContain(p);
}

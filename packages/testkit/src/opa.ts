/**
 * Runs the real `opa` binary on emitted bundles: check --strict, fmt, test --coverage, eval.
 * Fails loudly when `opa` is not on PATH (scripts/setup-system.sh installs it).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface OpaRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

let checkedVersion: string | undefined;

/** `opa version`'s first line; throws when opa is missing. */
export function opaVersion(): string {
  if (checkedVersion !== undefined) return checkedVersion;
  const r = spawnSync("opa", ["version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(`opa is not on PATH (${r.error?.message ?? r.stderr}); run scripts/setup-system.sh or go install github.com/open-policy-agent/opa@v1.22.3`);
  }
  checkedVersion = (r.stdout.split("\n")[0] ?? "").replace(/^Version:\s*/, "").trim();
  return checkedVersion;
}

export function runOpa(args: readonly string[], options: { cwd?: string; input?: string } = {}): OpaRun {
  opaVersion();
  const r = spawnSync("opa", [...args], { encoding: "utf8", cwd: options.cwd, input: options.input, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `runOpa` without blocking the event loop, so a caller can keep several `opa` processes busy. */
export function runOpaAsync(args: readonly string[], options: { cwd?: string } = {}): Promise<OpaRun> {
  opaVersion();
  return new Promise((resolve, reject) => {
    const p = spawn("opa", [...args], { cwd: options.cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on("data", (d: Buffer) => out.push(d));
    p.stderr.on("data", (d: Buffer) => err.push(d));
    p.on("error", reject);
    p.on("close", (status) => resolve({ status: status ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

/** Writes files (relative POSIX paths) into a new temporary directory; returns it. */
export function writeTree(files: readonly { path: string; content: string }[], prefix = "cmn-opa-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const f of files) {
    const p = join(dir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content);
  }
  return dir;
}

export function removeTree(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** `opa check --strict` on the directory; returns the run (status 0 when clean). */
export function opaCheckStrict(dir: string): OpaRun {
  return runOpa(["check", "--strict", "."], { cwd: dir });
}

/** `opa fmt --diff --fail`: status 0 and empty stdout when every module is already formatted. */
export function opaFmtDiff(dir: string): OpaRun {
  return runOpa(["fmt", "--diff", "--fail", "."], { cwd: dir });
}

export interface OpaTestResult {
  readonly run: OpaRun;
  /** Test names with their outcome. */
  readonly tests: readonly { readonly name: string; readonly pass: boolean }[];
  /** Overall coverage percentage, and per file. */
  readonly coverage: number;
  readonly fileCoverage: Readonly<Record<string, number>>;
}

interface CoverageJson {
  coverage?: number;
  files?: Record<string, { coverage?: number }>;
}

/**
 * `opa test --format json` (outcomes) and, unless `withCoverage` is false, `opa test --coverage
 * --format json` (coverage; -1 when not measured).
 */
export function opaTest(dir: string, bundleMode = false, withCoverage = true): OpaTestResult {
  // opa's own per-test limit is 5 s; a fixture test under coverage on a loaded machine can take longer.
  const target = bundleMode ? ["-b", ".", "--timeout", "120s"] : [".", "--timeout", "120s"];
  const run = runOpa(["test", ...target, "--format", "json"], { cwd: dir });
  let tests: { name: string; pass: boolean }[] = [];
  try {
    const parsed = JSON.parse(run.stdout) as Array<{ name: string; fail?: boolean; error?: unknown }>;
    tests = parsed.map((t) => ({ name: t.name, pass: !t.fail && t.error === undefined }));
  } catch {
    throw new Error(`opa test did not print JSON (status ${run.status}): ${run.stdout.slice(0, 2000)} ${run.stderr.slice(0, 2000)}`);
  }
  if (!withCoverage) return { run, tests, coverage: -1, fileCoverage: {} };
  const cov = runOpa(["test", ...target, "--coverage", "--format", "json"], { cwd: dir });
  if (cov.status !== run.status) throw new Error(`opa test --coverage exited ${cov.status}, without coverage ${run.status}: ${cov.stderr.slice(0, 2000)}`);
  const parsedCov = JSON.parse(cov.stdout) as CoverageJson;
  const fileCoverage: Record<string, number> = {};
  for (const [file, v] of Object.entries(parsedCov.files ?? {})) fileCoverage[file] = v.coverage ?? 0;
  return { run, tests, coverage: parsedCov.coverage ?? 0, fileCoverage };
}

/**
 * `opa eval` of a query with the bundle directory loaded (`-b` when bundleMode) and the input from a
 * file; returns the query's value (undefined when the query is undefined).
 */
export function opaEval(dir: string, query: string, input: unknown, bundleMode = true): unknown {
  const inputDir = mkdtempSync(join(tmpdir(), "cmn-opa-input-"));
  try {
    const inputPath = join(inputDir, "input.json");
    writeFileSync(inputPath, JSON.stringify(input));
    const run = runOpa(["eval", "--format", "json", bundleMode ? "-b" : "-d", ".", "-i", inputPath, query], { cwd: dir });
    if (run.status !== 0) throw new Error(`opa eval ${query} failed (status ${run.status}): ${run.stdout.slice(0, 2000)} ${run.stderr.slice(0, 2000)}`);
    const out = JSON.parse(run.stdout) as { result?: Array<{ expressions: Array<{ value: unknown }> }> };
    return out.result?.[0]?.expressions[0]?.value;
  } finally {
    rmSync(inputDir, { recursive: true, force: true });
  }
}

/** `data.cassandra_mi.network.report` for one input. */
export function opaReport(dir: string, input: unknown): unknown {
  return opaEval(dir, "data.cassandra_mi.network.report", input);
}

const BATCH_QUERY = "{k: r | some k, inp in data.cmn_batch.inputs; r := data.cassandra_mi.network.report with input as inp}";

/** Writes the inputs as `data.cmn_batch` into a new directory; returns it and the `opa eval` arguments. */
function prepareBatch(inputs: Readonly<Record<string, unknown>>): { dataDir: string; args: string[] } {
  const dataDir = mkdtempSync(join(tmpdir(), "cmn-opa-batch-"));
  mkdirSync(join(dataDir, "cmn_batch"));
  writeFileSync(join(dataDir, "cmn_batch", "data.json"), JSON.stringify({ inputs }));
  return { dataDir, args: ["eval", "--format", "json", "-b", ".", "-d", dataDir, BATCH_QUERY] };
}

function batchValue(run: OpaRun): Record<string, unknown> {
  if (run.status !== 0) throw new Error(`opa eval (batch) failed (status ${run.status}): ${run.stdout.slice(0, 2000)} ${run.stderr.slice(0, 2000)}`);
  const out = JSON.parse(run.stdout) as { result?: Array<{ expressions: Array<{ value: Record<string, unknown> }> }> };
  return out.result?.[0]?.expressions[0]?.value ?? {};
}

/**
 * Reports for many inputs in one `opa` process: the inputs go in as `data.cmn_batch` next to the
 * bundle and the query maps each through `report with input as`.
 */
export function opaReports(dir: string, inputs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { dataDir, args } = prepareBatch(inputs);
  try {
    return batchValue(runOpa(args, { cwd: dir }));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `opaReports` without blocking the event loop (see `runOpaAsync`). */
export async function opaReportsAsync(dir: string, inputs: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const { dataDir, args } = prepareBatch(inputs);
  try {
    return batchValue(await runOpaAsync(args, { cwd: dir }));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The opa binary's path, for messages. */
export function opaPath(): string {
  return execFileSync("sh", ["-c", "command -v opa"], { encoding: "utf8" }).trim();
}

/**
 * Ctrl-C and SIGTERM during `emit all --out`: sent at many points of the run (a delay chosen per run, most
 * of them around the moment the files are written), after each the directory holds exactly the old set or
 * exactly the new set of files, and no staging directory. SIGNAL_RUNS sets how many runs (default 24).
 */
import { spawn } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cli, requireBuiltCli, ROOT, snapshot, tempDir, tree } from "./helpers.js";

const EASTUS = ["--region", "eastus", "--subnet", "10.9.0.0/24"];
const RUNS = Number(process.env.SIGNAL_RUNS ?? 24);
let tmp = "";

beforeAll(() => {
  requireBuiltCli();
  tmp = tempDir("signals");
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Starts `emit all` into `out`; resolves with its exit code (or signal), its stderr, and when it printed its first "wrote" line. */
function emitAll(out: string, signal?: { name: NodeJS.Signals; afterMs: number }): Promise<{ code: number | null; stderr: string; wroteAtMs?: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, "emit", "all", ...EASTUS, "--out", out, "--clean"], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let wroteAtMs: number | undefined;
    child.stderr.on("data", (d: Buffer) => {
      if (wroteAtMs === undefined && d.toString().includes("wrote ")) wroteAtMs = performance.now() - started;
      stderr += d.toString();
    });
    const timer = signal ? setTimeout(() => child.kill(signal.name), signal.afterMs) : undefined;
    child.on("error", reject);
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      resolve({ code: code ?? (sig ? -1 : null), stderr, ...(wroteAtMs !== undefined ? { wroteAtMs } : {}) });
    });
  });
}

/** A small seeded generator: the delays differ per run and per test run, and a failure can be replayed (SIGNAL_SEED). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("emit all --out interrupted", () => {
  it("by SIGINT or SIGTERM at any point leaves the old set or the new set, never a mix, and no staging directory", async () => {
    const old = join(tmp, "old");
    const fresh = join(tmp, "new");
    expect(cli(["emit", "all", "--revision", "2021-09-13", ...EASTUS, "--changelog", "--out", old]).code).toBe(0);
    const timing = await emitAll(fresh);
    expect(timing.code, timing.stderr).toBe(0);
    const OLD = snapshot(old);
    const NEW = snapshot(fresh);
    expect(OLD).not.toEqual(NEW);
    // The old set has a file the new one does not (changelog.md): --clean removes it in the same transaction.
    expect(Object.keys(OLD).filter((f) => !(f in NEW))).toEqual(["markdown/en/changelog.md"]);
    const writeAt = timing.wroteAtMs ?? 1000;
    const seed = Number(process.env.SIGNAL_SEED ?? Date.now() % 100000);
    const next = random(seed);
    const outcomes = { old: 0, new: 0 };
    for (let i = 0; i < RUNS; i++) {
      const out = join(tmp, `run-${i}`);
      cpSync(old, out, { recursive: true });
      // Three runs in four aim at the last half second before the files are written, the rest anywhere in the run.
      const afterMs = Math.round(i % 4 === 3 ? next() * writeAt * 1.3 : writeAt - 500 + next() * 560);
      const name: NodeJS.Signals = i % 2 === 0 ? "SIGINT" : "SIGTERM";
      const r = await emitAll(out, { name, afterMs: Math.max(0, afterMs) });
      const files = tree(out);
      const context = `run ${i} (seed ${seed}): ${name} after ${afterMs} ms, exit ${r.code}\n${r.stderr.slice(-400)}`;
      expect(files.filter((f) => f.startsWith(".cassandra-mi-netrules-tmp-")), context).toEqual([]);
      const now = snapshot(out);
      const which = JSON.stringify(now) === JSON.stringify(OLD) ? "old" : JSON.stringify(now) === JSON.stringify(NEW) ? "new" : "mix";
      expect(which, context).not.toBe("mix");
      outcomes[which as "old" | "new"]++;
      // Interrupted: 130 (SIGINT) or 143 (SIGTERM). Killed by the signal (-1) only outside the run: before the CLI set its
      // handlers up (nothing written), or once it had finished and was exiting (everything written and reported).
      const finished = /route-table: \d+ rules: /.test(r.stderr);
      expect(which === "old" || finished ? [0, 130, 143, -1] : [0, 130, 143], context).toContain(r.code);
      rmSync(out, { recursive: true, force: true });
    }
    // Both outcomes happen: the signals did land before and after the write.
    expect(outcomes.old, JSON.stringify(outcomes)).toBeGreaterThan(0);
    expect(outcomes.new, JSON.stringify(outcomes)).toBeGreaterThan(0);
  }, 600_000);
});

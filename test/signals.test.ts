/**
 * Ctrl-C and SIGTERM during `emit all --out`: sent at many points of the run (a delay chosen per run, most
 * of them around the moment the files are written), after each the directory holds exactly the old set or
 * exactly the new set of files, and no staging directory. SIGNAL_RUNS sets how many runs (default 24).
 * And during `audit`: into a pipe whose reader does not read, and while it evaluates a large input (before
 * anything is printed), the signal ends the run at once, leaving no temporary file.
 */
import { spawn } from "node:child_process";
import { closeSync, cpSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
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
    /** One run from a copy of the old set, interrupted by `name` after `afterMs`: which set it left (checked never a mix). */
    const interrupted = async (run: string, name: NodeJS.Signals, afterMs: number): Promise<"old" | "new"> => {
      const out = join(tmp, `run-${run}`);
      cpSync(old, out, { recursive: true });
      const r = await emitAll(out, { name, afterMs: Math.max(0, afterMs) });
      const files = tree(out);
      const context = `run ${run} (seed ${seed}): ${name} after ${afterMs} ms, exit ${r.code}\n${r.stderr.slice(-400)}`;
      expect(files.filter((f) => f.startsWith(".cassandra-mi-netrules-tmp-")), context).toEqual([]);
      const now = snapshot(out);
      const which = JSON.stringify(now) === JSON.stringify(OLD) ? "old" : JSON.stringify(now) === JSON.stringify(NEW) ? "new" : "mix";
      expect(which, context).not.toBe("mix");
      // Interrupted: 130 (SIGINT) or 143 (SIGTERM). Killed by the signal (-1) only outside the run: before the CLI set its
      // handlers up (nothing written), or once it had finished and was exiting (everything written and reported).
      const finished = /route-table: \d+ rules: /.test(r.stderr);
      expect(which === "old" || finished ? [0, 130, 143, -1] : [0, 130, 143], context).toContain(r.code);
      rmSync(out, { recursive: true, force: true });
      return which as "old" | "new";
    };
    for (let i = 0; i < RUNS; i++) {
      // Three runs in four aim at the last half second before the files are written, the rest anywhere in the run.
      const afterMs = Math.round(i % 4 === 3 ? next() * writeAt * 1.3 : writeAt - 500 + next() * 560);
      outcomes[await interrupted(String(i), i % 2 === 0 ? "SIGINT" : "SIGTERM", afterMs)]++;
    }
    // The timing run's pace may not be the next runs' (a shared machine): while one outcome is missing, aim further
    // after the write (or well before it), a little more each time, at most RUNS more runs.
    for (let k = 1; k <= RUNS && (outcomes.old === 0 || outcomes.new === 0); k++) {
      const afterMs = Math.round(outcomes.new === 0 ? writeAt * (1 + 0.25 * k) : writeAt * next() * 0.5);
      outcomes[await interrupted(`extra-${k}`, k % 2 === 0 ? "SIGINT" : "SIGTERM", afterMs)]++;
    }
    // Both outcomes happen: the signals did land before and after the write.
    expect(outcomes.old, JSON.stringify(outcomes)).toBeGreaterThan(0);
    expect(outcomes.new, JSON.stringify(outcomes)).toBeGreaterThan(0);
  }, 600_000);
});

/** What the audit run below left: its exit, what its stderr said, the bytes read, the temporary spools it had made. */
interface AuditRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly stdout: Buffer;
  /** From the signal to the exit, when one was sent. */
  readonly exitAfterMs?: number;
  /** The spool directories in the child's TMPDIR when the signal was sent. */
  readonly spoolsAtSignal?: readonly string[];
}

/**
 * `audit FILE --json` into a pipe. `reader`: `stalled` reads nothing once the pipe is full, sends `signal` half a
 * second later and reads again only GIVE_UP_MS after it (or at the exit); `slow` stops for a while at every
 * megabyte; `closes` closes the pipe at the first bytes.
 */
function auditIntoPipe(args: readonly string[], tmpdir: string, reader: "stalled" | "slow" | "closes", signal?: NodeJS.Signals): Promise<AuditRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, TMPDIR: tmpdir }, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    let signalledAt: number | undefined;
    let spoolsAtSignal: string[] | undefined;
    const timers: NodeJS.Timeout[] = [];
    child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
    const readAll = () => child.stdout.on("data", (c: Buffer) => chunks.push(c));
    if (reader === "stalled") {
      // 'readable' without read(): node takes what its buffer holds, the pipe fills, the CLI waits on it.
      child.stdout.once("readable", () => {
        timers.push(
          setTimeout(() => {
            spoolsAtSignal = readdirSync(tmpdir);
            signalledAt = performance.now();
            child.kill(signal);
            timers.push(setTimeout(readAll, GIVE_UP_MS));
          }, 500),
        );
      });
    } else if (reader === "slow") {
      let bytes = 0;
      child.stdout.on("data", (c: Buffer) => {
        chunks.push(c);
        const before = bytes;
        bytes += c.length;
        if (Math.floor(before / 2 ** 20) === Math.floor(bytes / 2 ** 20)) return;
        child.stdout.pause();
        timers.push(setTimeout(() => child.stdout.resume(), 50));
      });
    } else child.stdout.once("data", () => child.stdout.destroy());
    child.on("error", reject);
    child.on("exit", (code, sig) => {
      const exitAfterMs = signalledAt === undefined ? undefined : performance.now() - signalledAt;
      timers.forEach(clearTimeout);
      if (reader === "stalled") readAll();
      child.on("close", () => resolve({ code, signal: sig, stderr, stdout: Buffer.concat(chunks), ...(exitAfterMs !== undefined ? { exitAfterMs } : {}), ...(spoolsAtSignal ? { spoolsAtSignal } : {}) }));
    });
  });
}

/** How long the stalled reader waits after the signal before it reads again (a CLI blocked on its write exits only then). */
const GIVE_UP_MS = 10_000;

/** `audit FILE --json` with the vendored service tags, `FILE` a generated Resource Graph export of `nsgs` NSGs of 30 rules. */
async function generatedAudit(nsgs: number, tmpName: string): Promise<{ args: string[]; spoolTmp: string }> {
  const { graphExport } = (await import(pathToFileURL(join(ROOT, "scripts/bench/graph-export.mjs")).href)) as { graphExport: (o: { nsgs: number; rulesPerNsg: number }) => string };
  const input = join(tmp, `graph-${nsgs}.json`);
  writeFileSync(input, graphExport({ nsgs, rulesPerNsg: 30 }));
  const spoolTmp = join(tmp, tmpName);
  mkdirSync(spoolTmp);
  return { args: ["audit", input, "--region", "eastus", "--service-tags", "vendor/service-tags/ServiceTags_Public_20251028.json", "--json"], spoolTmp };
}

describe("audit into a pipe whose reader does not read", () => {
  let spoolTmp = "";
  let auditArgs: string[] = [];
  const args = () => auditArgs;

  beforeAll(async () => {
    // 450 NSGs: about 40 MB of JSON, past the 16 Mi characters a spool keeps in memory (it spills to TMPDIR) and far past a pipe's buffer.
    ({ args: auditArgs, spoolTmp } = await generatedAudit(450, "audit-tmp"));
  });

  it.each(["SIGINT", "SIGTERM"] as const)("%s ends it at once, with the interrupted run's code and message, and removes its temporary spool", async (signal) => {
    const r = await auditIntoPipe(args(), spoolTmp, "stalled", signal);
    const context = `exit ${r.code} ${r.signal} after ${Math.round(r.exitAfterMs ?? -1)} ms; ${r.stderr}`;
    // The run was printing: a spool had spilled to a temporary file, the reader had the first bytes, not all.
    expect(r.spoolsAtSignal?.filter((d) => d.startsWith("cassandra-mi-netrules-audit-")), context).toHaveLength(1);
    expect(r.stdout.length, context).toBeGreaterThan(0);
    expect(r.stdout.length, context).toBeLessThan(16 * 2 ** 20);
    // A write blocked on the pipe would hold the exit until the reader reads again, GIVE_UP_MS later.
    expect(r.exitAfterMs, context).toBeLessThan(3000);
    expect(r.code, context).toBe(signal === "SIGINT" ? 130 : 143);
    expect(r.stderr, context).toBe(`cassandra-mi-netrules: interrupted (${signal})\n`);
    expect(readdirSync(spoolTmp), context).toEqual([]);
  });

  it("a slow reader that does read gets the report byte for byte as written to a file; a reader that goes away ends the run quietly", async () => {
    const file = join(tmp, "audit-450.json");
    const fd = openSync(file, "w");
    const toFile = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args()], { cwd: ROOT, env: { ...process.env, TMPDIR: spoolTmp }, stdio: ["ignore", fd, "ignore"] });
      child.on("error", reject);
      child.on("close", resolve);
    });
    closeSync(fd);
    expect(toFile).toBe(1);
    const want = readFileSync(file);
    expect(want.length).toBeGreaterThan(16 * 2 ** 20);
    const slow = await auditIntoPipe(args(), spoolTmp, "slow");
    expect(slow.code, slow.stderr).toBe(1);
    expect(slow.stderr).toBe("");
    expect(slow.stdout.length).toBe(want.length);
    expect(slow.stdout.equals(want), "the report through the slow pipe differs from the file").toBe(true);
    expect(readdirSync(spoolTmp)).toEqual([]);
    // EPIPE: the run ends with code 0 and nothing on stderr (what `list | head -1` gives), its spool removed.
    const closed = await auditIntoPipe(args(), spoolTmp, "closes");
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stderr).toBe("");
    expect(readdirSync(spoolTmp)).toEqual([]);
  });
});

/** When the audit below reached each point, in milliseconds from its start, and how it ended. */
interface TimedAudit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly stdoutBytes: number;
  /** The report's spool spilled to TMPDIR: the evaluation is under way (the input is read, subjects are being made). */
  readonly spillAtMs?: number;
  /** The first byte of the report: the evaluation is over. */
  readonly firstByteAtMs?: number;
  readonly exitAtMs: number;
}

/** `audit FILE --json` into a pipe read to its end; `signal` is sent as soon as the run's spool directory appears in `tmpdir`. */
function timedAudit(args: readonly string[], tmpdir: string, signal?: NodeJS.Signals): Promise<TimedAudit> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const at = () => performance.now() - started;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, TMPDIR: tmpdir }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdoutBytes = 0;
    let spillAtMs: number | undefined;
    let firstByteAtMs: number | undefined;
    child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
    child.stdout.on("data", (c: Buffer) => {
      firstByteAtMs ??= at();
      stdoutBytes += c.length;
    });
    const watch = setInterval(() => {
      if (!readdirSync(tmpdir).some((d) => d.startsWith("cassandra-mi-netrules-audit-"))) return;
      clearInterval(watch);
      spillAtMs = at();
      if (signal) child.kill(signal);
    }, 2);
    child.on("error", reject);
    child.on("exit", (code, sig) => {
      const exitAtMs = at();
      clearInterval(watch);
      child.on("close", () => resolve({ code, signal: sig, stderr, stdoutBytes, exitAtMs, ...(spillAtMs !== undefined ? { spillAtMs } : {}), ...(firstByteAtMs !== undefined ? { firstByteAtMs } : {}) }));
    });
  });
}

describe("audit interrupted while it evaluates", () => {
  let spoolTmp = "";
  let auditArgs: string[] = [];
  const args = () => auditArgs;
  /** The un-signalled run: from the spool's spill to the report's first byte, the evaluation still to do. */
  let unsignalled: TimedAudit | undefined;

  beforeAll(async () => {
    // 1,500 NSGs: the first 16 Mi characters of the report (when the spool spills) come from the first 200 or so,
    // and the evaluation of the rest lasts a second or more, far longer than a signal takes to be handled.
    ({ args: auditArgs, spoolTmp } = await generatedAudit(1500, "evaluate-tmp"));
    unsignalled = await timedAudit(args(), spoolTmp);
  }, 120_000);

  it("runs to its end without a signal, its spool spilled during the evaluation and removed", () => {
    const r = unsignalled as TimedAudit;
    expect(r.code, r.stderr).toBe(1);
    expect(r.spillAtMs, JSON.stringify(r)).toBeDefined();
    expect(r.firstByteAtMs, JSON.stringify(r)).toBeGreaterThan(r.spillAtMs as number);
    expect(r.stdoutBytes).toBeGreaterThan(16 * 2 ** 20);
    expect(readdirSync(spoolTmp)).toEqual([]);
  });

  it.each(["SIGINT", "SIGTERM", "SIGHUP"] as const)("%s ends it within a fraction of the evaluation left, printing nothing, and removes its temporary spool", async (signal) => {
    const ref = unsignalled as TimedAudit;
    // What was left of the evaluation at the spill in the un-signalled run: the signalled run would have waited about as long.
    const evaluationLeftMs = (ref.firstByteAtMs as number) - (ref.spillAtMs as number);
    const r = await timedAudit(args(), spoolTmp, signal);
    const exitAfterMs = r.exitAtMs - (r.spillAtMs ?? Number.NaN);
    const context = `exit ${r.code} ${r.signal} ${Math.round(exitAfterMs)} ms after the signal, evaluation left ${Math.round(evaluationLeftMs)} ms; stdout ${r.stdoutBytes} bytes; ${r.stderr}`;
    expect(r.spillAtMs, context).toBeDefined();
    // Sent during the evaluation: the run printed nothing, not even the report's first bytes.
    expect(r.stdoutBytes, context).toBe(0);
    expect(exitAfterMs, context).toBeLessThan(evaluationLeftMs / 4);
    expect(r.code, context).toBe({ SIGINT: 130, SIGTERM: 143, SIGHUP: 129 }[signal]);
    expect(r.stderr, context).toBe(`cassandra-mi-netrules: interrupted (${signal})\n`);
    expect(readdirSync(spoolTmp), context).toEqual([]);
  });
});

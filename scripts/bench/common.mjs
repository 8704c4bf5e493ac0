// Shared helpers of the benchmarks: paths, statistics, formatting, child processes, the machine.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CORE_DIST = join(ROOT, "packages/core/dist/index.js");
export const CORE_TAGS_DIST = join(ROOT, "packages/core/dist/service-tags.js");
export const SERVICE_TAGS_FILE = join(ROOT, "vendor/service-tags/ServiceTags_Public_20251028.json");
/**
 * The emitter packages, by directory: those of the targets the built CLI registers (packages/cli/src/targets.ts),
 * else every packages/emit-* workspace. The benches pick up whichever are built.
 */
export const EMITTERS = await registeredEmitterDirs();

async function registeredEmitterDirs() {
  const cli = join(ROOT, "packages/cli/dist/index.js");
  if (existsSync(cli)) {
    const { registry } = await import(pathToFileURL(cli).href);
    return registry.names().map((n) => registry.get(n).package.name.replace("@cassandra-mi-netrules/", ""));
  }
  return readdirSync(join(ROOT, "packages")).filter((d) => d.startsWith("emit-")).sort();
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Quantile by linear interpolation (q in [0, 1]). */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

export const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
export const ratio = (x) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));
export const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Runs a command to completion; throws with its stderr when it fails. Returns stdout and the wall time. */
export function run(cmd, args, opts = {}) {
  const start = nowMs();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...opts });
  const elapsed = nowMs() - start;
  if (r.error) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.slice(0, 6).join(" ")}${args.length > 6 ? " ..." : ""} exited ${r.status}: ${(r.stderr || r.stdout || "").slice(0, 2000)}`);
  }
  return { stdout: r.stdout ?? "", stderr: r.stderr ?? "", status: r.status, ms: elapsed };
}

/** A node child process running `script` with `args`, whose stdout is one JSON document. */
export function nodeJson(script, args = []) {
  const r = run(process.execPath, [script, ...args], { cwd: ROOT });
  return JSON.parse(r.stdout);
}

export function tool(name) {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function firstLine(cmd, args) {
  try {
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    return `${r.stdout || r.stderr}`.split("\n")[0].trim();
  } catch {
    return "unavailable";
  }
}

export function machine() {
  const cpu = cpus();
  return {
    nproc: firstLine("nproc", []),
    cpu: cpu[0]?.model ?? "unknown",
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    python: firstLine("python3", ["--version"]),
    kernel: firstLine("uname", ["-r"]),
    iptables: firstLine("iptables", ["--version"]),
    ipset: firstLine("ipset", ["--version"]),
    load: firstLine("cat", ["/proc/loadavg"]),
  };
}

/** Fails with the fix when a built file the benches need is missing or older than its sources. */
export function requireBuilt(file, pkgDir) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build -w @cassandra-mi-netrules/${pkgDir.replace(/^packages\//, "")}\` first`);
  const srcDir = join(ROOT, pkgDir, "src");
  const built = statSync(file).mtimeMs;
  const stale = newestMtime(srcDir) > built;
  return { stale };
}

function newestMtime(dir) {
  let newest = 0;
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else newest = Math.max(newest, st.mtimeMs);
    }
  };
  walk(dir);
  return newest;
}


/** A Markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The only file-system code of the project: reading inputs and writing artifacts atomically. */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { CliError, shown } from "./errors.js";

export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads standard input whole (for `-` as a file name). */
  readonly readStdin: () => string;
  readonly cwd: string;
}

/** Reads a text file (or stdin for `-`); `what` says which option or argument named it. */
export function readText(io: CliIO, file: string, what: string): string {
  if (file === "-") return io.readStdin();
  try {
    return readFileSync(resolve(io.cwd, file), "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(`${what}: cannot read file ${shown(file)}: ${err.message}`);
  }
}

/** Checks an artifact path is relative and stays inside the output directory. */
function safeRelative(path: string): string {
  const norm = normalize(path);
  if (path === "" || isAbsolute(path) || norm.startsWith("..") || norm.split(sep).includes("..")) {
    throw new CliError(`emitter returned an unsafe file path ${shown(path)} (must be relative, inside --out)`);
  }
  return norm;
}

/**
 * Writes every file under `outDir`: all contents go first into a staging directory inside `outDir`
 * (same file system), then each is renamed into place, so no file is ever left half-written; on any
 * error the staging directory is removed and nothing in `outDir` has changed.
 */
export function writeFilesAtomically(io: CliIO, outDir: string, files: readonly { path: string; content: string }[]): string[] {
  const root = resolve(io.cwd, outDir);
  const rels = files.map((f) => safeRelative(f.path));
  const dupe = rels.find((p, i) => rels.indexOf(p) !== i);
  if (dupe !== undefined) throw new CliError(`two artifacts would be written to the same path ${shown(dupe)}`);
  const fail = (e: unknown, path: string): never => {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(`--out: cannot write ${shown(path)}: ${err.message}`);
  };
  try {
    mkdirSync(root, { recursive: true });
    if (!statSync(root).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
  } catch (e) {
    fail(e, outDir);
  }
  const staging = join(root, `.cassandra-mi-netrules-tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    try {
      mkdirSync(staging);
      files.forEach((f, i) => {
        const target = join(staging, String(i));
        writeFileSync(target, f.content, { encoding: "utf8", flag: "wx" });
      });
    } catch (e) {
      fail(e, outDir);
    }
    const written: string[] = [];
    rels.forEach((rel, i) => {
      const final = join(root, rel);
      try {
        mkdirSync(dirname(final), { recursive: true });
        renameSync(join(staging, String(i)), final);
      } catch (e) {
        fail(e, join(outDir, rel));
      }
      written.push(join(outDir, rel));
    });
    return written;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The only file-system code of the project: reading inputs and writing artifacts atomically. */
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { CliError, shown } from "./errors.js";

export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads standard input whole (for `-` as a file name). */
  readonly readStdin: () => string;
  readonly cwd: string;
}

/** The system's reason without the paths Node appends (they would name the staging directory). */
function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return (err.message ?? String(e)).replace(/, \w+ '[^']*'(?: -> '[^']*')?$/, "");
}

/** Reads a text file (or stdin for `-`); `what` says which option or argument named it. A file over `maxBytes` is refused unread. */
export function readText(io: CliIO, file: string, what: string, maxBytes = Number.POSITIVE_INFINITY): string {
  if (file === "-") return io.readStdin();
  try {
    const path = resolve(io.cwd, file);
    const size = statSync(path).size;
    if (size > maxBytes) throw new CliError(`${what}: file ${shown(file)} is ${size} bytes, over the limit of ${maxBytes} bytes (${maxBytes / 1024 / 1024} MiB)`);
    return readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${what}: cannot read file ${shown(file)}: ${reason(e)}`);
  }
}

/**
 * The template overrides in a directory, keyed by POSIX path relative to it: every file of `pages/` and
 * `partials/` (the emitter rejects names it does not know, naming the path).
 */
export function readTemplateDir(io: CliIO, dir: string, what: string): Record<string, string> {
  const root = resolve(io.cwd, dir);
  const out: Record<string, string> = {};
  let found = false;
  for (const sub of ["pages", "partials"]) {
    let names: string[];
    try {
      names = readdirSync(join(root, sub), { withFileTypes: true })
        .filter((e) => !e.isDirectory())
        .map((e) => e.name)
        .sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT" && lstat(root)?.isDirectory()) continue;
      throw new CliError(`${what}: cannot read directory ${shown(dir)}: ${reason(e)}`);
    }
    found = true;
    for (const name of names) out[`${sub}/${name}`] = readText(io, join(root, sub, name), what);
  }
  if (!found) throw new CliError(`${what}: directory ${shown(dir)} has neither pages/ nor partials/ (templates go in pages/<page>.md.hbs and partials/<partial>.md.hbs)`);
  return out;
}

/** Checks an artifact path is relative and stays inside the output directory. */
function safeRelative(path: string): string {
  const norm = normalize(path);
  if (path === "" || isAbsolute(path) || norm.startsWith("..") || norm.split(sep).includes("..")) {
    throw new CliError(`emitter returned an unsafe file path ${shown(path)} (must be relative, inside --out)`);
  }
  return norm;
}

const STAGING_PREFIX = ".cassandra-mi-netrules-tmp-";

/** The directories above a relative path, nearest first, without the root itself. */
function ancestors(rel: string): string[] {
  const out: string[] = [];
  for (let d = dirname(rel); d !== "."; d = dirname(d)) out.push(d);
  return out;
}

function lstat(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** The files (and links) below `root`, relative, sorted, and its directories; staging directories are skipped. */
function entriesBelow(root: string): { files: string[]; dirs: Set<string> } {
  const files: string[] = [];
  const dirs = new Set<string>();
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      if (rel === "" && e.name.startsWith(STAGING_PREFIX)) continue;
      const r = rel === "" ? e.name : join(rel, e.name);
      if (e.isDirectory()) {
        dirs.add(r);
        walk(r);
      } else files.push(r);
    }
  };
  walk("");
  return { files: files.sort(), dirs };
}

export interface WriteOptions {
  /** Delete the files this run does not write in the sub-directories it writes to; without it, such files are an error. */
  readonly clean?: boolean;
}

export interface WriteResult {
  /** The files written, as `outDir` joined with each path, in the order given. */
  readonly written: string[];
  /** The files `clean` deleted, likewise. */
  readonly removed: string[];
}

/**
 * Writes every file under `outDir` as one transaction. Before anything is touched: paths are checked,
 * and files this run would not write in the sub-directories it writes to (left by an earlier run, which
 * a reader would take for this run's output) are an error unless `clean`. Then every content goes into a
 * staging directory inside `outDir` (same file system) and each file is renamed into place, the old one
 * kept aside; if any step fails, every file already replaced or removed is put back, the directories
 * made are removed, and `outDir` is as it was.
 */
export function writeFilesAtomically(io: CliIO, outDir: string, files: readonly { path: string; content: string }[], options: WriteOptions = {}): WriteResult {
  const root = resolve(io.cwd, outDir);
  const rels = files.map((f) => safeRelative(f.path));
  const relSet = new Set(rels);
  const dupe = rels.find((p, i) => rels.indexOf(p) !== i);
  if (dupe !== undefined) throw new CliError(`two artifacts would be written to the same path ${shown(dupe)}`);
  const clash = rels.flatMap(ancestors).find((d) => relSet.has(d));
  if (clash !== undefined) throw new CliError(`two artifacts conflict: ${shown(clash)} would be both a file and a directory`);
  const shownPath = (rel: string) => join(outDir, rel);
  let at = outDir;
  const fail = (e: unknown, extra = ""): never => {
    throw new CliError(`--out: cannot write ${shown(at)}: ${reason(e)}${extra}`);
  };

  let existing: { files: string[]; dirs: Set<string> } = { files: [], dirs: new Set() };
  try {
    const st = lstat(root);
    if (st !== undefined && !st.isDirectory()) throw Object.assign(new Error("ENOTDIR: not a directory"), { code: "ENOTDIR" });
    if (st !== undefined) existing = entriesBelow(root);
  } catch (e) {
    fail(e);
  }
  const inTheWay = rels.find((rel) => existing.dirs.has(rel));
  if (inTheWay !== undefined) throw new CliError(`--out: cannot write ${shown(shownPath(inTheWay))}: a directory is in the way`);
  // The sub-directories this run writes into are its own: what else they hold is left from an earlier run.
  // Files directly in outDir, or in other sub-directories, are someone else's and stay untouched.
  const owned = new Set(rels.flatMap(ancestors));
  const stale = existing.files.filter((f) => !relSet.has(f) && ancestors(f).some((d) => owned.has(d)));
  if (stale.length > 0 && options.clean !== true) {
    const listed = stale.slice(0, 10).map((f) => shown(f)).join(", ") + (stale.length > 10 ? `, ... ${stale.length} in all` : "");
    throw new CliError(
      `--out: ${shown(outDir)} holds ${stale.length} file(s) this run would not write in the directories it writes to, which would pass for its output: ${listed}; ` +
        "remove them, or pass --clean to delete them",
    );
  }

  const created: string[] = [];
  const makeDirs = (dir: string): void => {
    const missing: string[] = [];
    for (let d = dir; lstat(d) === undefined; d = dirname(d)) missing.unshift(d);
    for (const d of missing) {
      mkdirSync(d);
      created.push(d);
    }
  };
  const undo: (() => void)[] = [];
  const staging = join(root, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`);
  const staged = (i: number) => join(staging, "new", String(i));
  const kept = (name: string) => join(staging, "old", name);
  try {
    makeDirs(root);
    mkdirSync(staging);
    mkdirSync(join(staging, "new"));
    mkdirSync(join(staging, "old"));
    files.forEach((f, i) => {
      at = shownPath(rels[i] ?? "");
      writeFileSync(staged(i), f.content, { encoding: "utf8", flag: "wx" });
      const old = lstat(join(root, rels[i] ?? ""));
      // A file replaced keeps its mode (an executable script stays executable).
      if (old?.isFile()) chmodSync(staged(i), old.mode & 0o7777);
    });
    stale.forEach((rel, j) => {
      at = shownPath(rel);
      const final = join(root, rel);
      renameSync(final, kept(`stale-${j}`));
      undo.push(() => renameSync(kept(`stale-${j}`), final));
    });
    rels.forEach((rel, i) => {
      at = shownPath(rel);
      const final = join(root, rel);
      makeDirs(dirname(final));
      if (lstat(final) !== undefined) {
        // A second name for the old file, so the rename below replaces it in one step and undo can restore it.
        try {
          linkSync(final, kept(String(i)));
        } catch {
          copyFileSync(final, kept(String(i)));
        }
        renameSync(staged(i), final);
        undo.push(() => renameSync(kept(String(i)), final));
      } else {
        renameSync(staged(i), final);
        undo.push(() => rmSync(final, { force: true }));
      }
    });
  } catch (e) {
    const problems: string[] = [];
    for (const step of undo.reverse()) {
      try {
        step();
      } catch (u) {
        problems.push(reason(u));
      }
    }
    rmSync(staging, { recursive: true, force: true });
    for (const d of created.reverse()) {
      try {
        rmdirSync(d);
      } catch (u) {
        problems.push(reason(u));
      }
    }
    fail(e, problems.length > 0 ? `; and could not restore everything: ${problems.join("; ")}` : "; nothing was changed");
  }
  rmSync(staging, { recursive: true, force: true });
  // Directories that `clean` emptied go too (never outDir itself).
  for (const rel of stale) {
    for (const d of ancestors(rel)) {
      try {
        rmdirSync(join(root, d));
      } catch {
        break;
      }
    }
  }
  return { written: rels.map(shownPath), removed: stale.map(shownPath) };
}

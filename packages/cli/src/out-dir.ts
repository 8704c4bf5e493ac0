/**
 * Writing artifacts into `--out` as one transaction. Every content is staged in a directory inside the
 * output directory, then each file is renamed into place with the old one kept aside, and every step is
 * written to a journal first. A failure undoes the steps at once; a process killed half-way (SIGKILL, a
 * crash) leaves the journal, and the next run into the same directory rolls it back before it starts.
 * Nothing is written through a symbolic link: a link in the way is an error.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { CliError, shown } from "./errors.js";
import { lstat, reason, type CliIO } from "./io.js";

export const STAGING_PREFIX = ".cassandra-mi-netrules-tmp-";

/** One step of a commit, journalled before it is taken; undoing it is safe whether or not it was taken. */
type Step =
  | { readonly op: "mkdir"; readonly path: string }
  | { readonly op: "aside"; readonly path: string; readonly kept: string }
  | { readonly op: "replace"; readonly path: string; readonly kept: string }
  | { readonly op: "create"; readonly path: string }
  | { readonly op: "commit" };

export interface WriteOptions {
  /** Delete the files this run does not write in the sub-directories it writes to; without it, such files are an error. */
  readonly clean?: boolean;
}

export interface WriteResult {
  /** The files written, as `outDir` joined with each path, in the order given. */
  readonly written: string[];
  /** The files `clean` deleted, likewise. */
  readonly removed: string[];
  /** Interrupted runs found in the directory and undone (or finished) before this one, one line each. */
  readonly recovered: string[];
}

/** Checks an artifact path is relative and stays inside the output directory. */
function safeRelative(path: string): string {
  const norm = normalize(path);
  if (path === "" || isAbsolute(path) || norm.startsWith("..") || norm.split(sep).includes("..")) {
    throw new CliError(`emitter returned an unsafe file path ${shown(path)} (must be relative, inside --out)`);
  }
  return norm;
}

/** The directories above a relative path, nearest first, without the root itself. */
function ancestors(rel: string): string[] {
  const out: string[] = [];
  for (let d = dirname(rel); d !== "."; d = dirname(d)) out.push(d);
  return out;
}

/** The files and links below `root`, relative, sorted, and its directories; staging directories are skipped, links not followed. */
function entriesBelow(root: string): { files: string[]; dirs: Set<string>; links: Set<string> } {
  const files: string[] = [];
  const dirs = new Set<string>();
  const links = new Set<string>();
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      if (rel === "" && e.name.startsWith(STAGING_PREFIX)) continue;
      const r = rel === "" ? e.name : join(rel, e.name);
      if (e.isDirectory()) {
        dirs.add(r);
        walk(r);
      } else {
        if (e.isSymbolicLink()) links.add(r);
        files.push(r);
      }
    }
  };
  walk("");
  return { files: files.sort(), dirs, links };
}

function linkTarget(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "?";
  }
}

/** A process id that no longer runs (a staging directory of a live run is left alone). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function readJournal(staging: string): Step[] | undefined {
  let text: string;
  try {
    text = readFileSync(join(staging, "journal"), "utf8");
  } catch {
    return undefined;
  }
  // The last line may be cut short by the crash: it was never acted on.
  return text
    .split("\n")
    .filter((l) => l !== "")
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Step];
      } catch {
        return [];
      }
    });
}

/** Undoes journalled steps, newest first; returns what could not be undone. */
function undoSteps(root: string, steps: readonly Step[]): string[] {
  const problems: string[] = [];
  for (const step of [...steps].reverse()) {
    try {
      if (step.op === "aside" || step.op === "replace") {
        if (existsSync(step.kept)) renameSync(step.kept, join(root, step.path));
      } else if (step.op === "create") rmSync(join(root, step.path), { force: true });
      else if (step.op === "mkdir" && existsSync(join(root, step.path))) rmdirSync(join(root, step.path));
    } catch (u) {
      problems.push(reason(u));
    }
  }
  return problems;
}

/** Rolls back (or, when it had committed, finishes) every run that died in `root` while writing it. */
function recoverInterrupted(root: string, outDir: string): string[] {
  const notes: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(STAGING_PREFIX));
  } catch {
    return notes;
  }
  for (const name of names.sort()) {
    const pid = Number(/^(\d+)-/.exec(name.slice(STAGING_PREFIX.length))?.[1] ?? Number.NaN);
    if (Number.isInteger(pid) && !gone(pid)) continue;
    const staging = join(root, name);
    const steps = readJournal(staging);
    const where = shown(join(outDir, name));
    if (steps === undefined) notes.push(`${where}: removed, left by an interrupted run without a journal`);
    else if (steps.some((s) => s.op === "commit")) notes.push(`${where}: removed, left by a run that had written everything`);
    else {
      const problems = undoSteps(root, steps);
      notes.push(`${where}: an interrupted run was rolled back${problems.length > 0 ? `, except: ${problems.join("; ")}` : ""}`);
    }
    rmSync(staging, { recursive: true, force: true });
  }
  return notes;
}

/** Refuses a symbolic link where this run would write, or in a directory above it. */
function refuseLinks(outDir: string, rels: readonly string[], links: ReadonlySet<string>): void {
  for (const rel of rels) {
    const link = [rel, ...ancestors(rel)].find((p) => links.has(p));
    if (link !== undefined) {
      throw new CliError(
        `--out: ${shown(join(outDir, link))} is a symbolic link (to ${shown(linkTarget(join(resolve(outDir), link)))}); files are never written through a link, which could lead outside the output directory: remove it, or choose another --out`,
      );
    }
  }
}

/**
 * Writes every file under `outDir` as one transaction. Before anything is touched: interrupted runs are
 * recovered, paths are checked, and files this run would not write in the sub-directories it writes to
 * (left by an earlier run, which a reader would take for this run's output) are an error unless `clean`.
 * If any step fails, every step taken is undone and `outDir` is as it was.
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

  let recovered: string[] = [];
  let existing: ReturnType<typeof entriesBelow> = { files: [], dirs: new Set(), links: new Set() };
  try {
    // --out itself may be a link the user made to a directory: that directory is the output directory.
    const st = existsSync(root) ? statSync(root) : lstat(root);
    if (st !== undefined && !st.isDirectory()) throw Object.assign(new Error("ENOTDIR: not a directory"), { code: "ENOTDIR" });
    if (st !== undefined) {
      recovered = recoverInterrupted(root, outDir);
      existing = entriesBelow(root);
    }
  } catch (e) {
    fail(e);
  }
  refuseLinks(outDir, rels, existing.links);
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

  const staging = join(root, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`);
  const madeAbove: string[] = [];
  const steps: Step[] = [];
  // Journalled before it is taken (a crash may come between the two); undone here only once taken.
  const take = (step: Step, act: () => void): void => {
    appendFileSync(join(staging, "journal"), `${JSON.stringify(step)}\n`);
    act();
    steps.push(step);
  };
  const makeDirs = (dir: string): void => {
    const missing: string[] = [];
    for (let d = dir; lstat(d) === undefined; d = dirname(d)) missing.unshift(d);
    for (const d of missing) take({ op: "mkdir", path: d.slice(root.length + 1) }, () => mkdirSync(d));
  };
  const staged = (i: number) => join(staging, "new", String(i));
  const kept = (name: string) => join(staging, "old", name);
  try {
    // outDir and the directories above it are made before the journal exists; a failure removes them.
    for (let d = root; lstat(d) === undefined; d = dirname(d)) madeAbove.unshift(d);
    for (const d of madeAbove) mkdirSync(d);
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
      take({ op: "aside", path: rel, kept: kept(`stale-${j}`) }, () => renameSync(join(root, rel), kept(`stale-${j}`)));
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
        take({ op: "replace", path: rel, kept: kept(String(i)) }, () => renameSync(staged(i), final));
      } else take({ op: "create", path: rel }, () => renameSync(staged(i), final));
    });
    take({ op: "commit" }, () => {});
  } catch (e) {
    const problems = undoSteps(root, steps);
    rmSync(staging, { recursive: true, force: true });
    for (const d of madeAbove.reverse()) {
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
  return { written: rels.map(shownPath), removed: stale.map(shownPath), recovered };
}

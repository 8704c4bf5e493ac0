/** The CLI's reading of inputs: files, stdin and directories, as text only (writing is out-dir.ts). */
import { lstatSync, readdirSync, readFileSync, statSync, type Stats } from "node:fs";
import { join, resolve } from "node:path";
import { CliError, shown } from "./errors.js";

export interface CliIO {
  readonly stdout: (text: string) => void;
  /**
   * Standard output for long output (`audit`'s report, text or UTF-8 bytes): resolves once the stream can take more, a bounded amount
   * waiting in memory, the event loop free meanwhile (a signal is handled while a pipe's reader does not read).
   * Without it, `stdout`.
   */
  readonly stdoutPaced?: (piece: string | Uint8Array) => Promise<void>;
  readonly stderr: (text: string) => void;
  /** Reads standard input whole (for `-` as a file name). */
  readonly readStdin: () => string;
  readonly cwd: string;
  /** The terminal's width when stderr is a terminal (the coverage table fits it); undefined otherwise. */
  readonly columns?: number;
}

/** The system's reason without the paths Node appends (they would name the staging directory). */
export function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return (err.message ?? String(e)).replace(/, \w+ '[^']*'(?: -> '[^']*')?$/, "");
}

/** Reads a text file (or stdin for `-`); `what` says which option or argument named it. A file over `maxBytes` is refused unread. */
export function readText(io: CliIO, file: string, what: string, maxBytes = Number.POSITIVE_INFINITY): string {
  if (file === "-") return checkText(io.readStdin(), what, "standard input");
  let bytes: Buffer;
  try {
    const path = resolve(io.cwd, file);
    const size = statSync(path).size;
    if (size > maxBytes) throw new CliError(`${what}: file ${shown(file)} is ${size} bytes, over the limit of ${maxBytes} bytes (${maxBytes / 1024 / 1024} MiB)`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${what}: cannot read file ${shown(file)}: ${reason(e)}`);
  }
  return decodeText(bytes, what, file);
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A file's bytes as text; a binary file (a NUL byte, or not UTF-8) is refused without showing any of it. */
function decodeText(bytes: Buffer, what: string, file: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new CliError(`${what}: ${shown(file)} is not a text file (a NUL byte at offset ${nul})`);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new CliError(`${what}: ${shown(file)} is not a text file (not valid UTF-8)`);
  }
}

/** Standard input, already decoded: a NUL or a replaced byte means it was not UTF-8 text. */
function checkText(text: string, what: string, source: string): string {
  if (text.includes("\u0000") || text.includes("\ufffd")) throw new CliError(`${what}: ${source} is not UTF-8 text`);
  return text;
}

const MAX_DIRECTORY_FILES = 1000;

/**
 * Every regular file below a directory, as text, keyed by POSIX path relative to it, sorted (what an
 * option declared with `directory` gets; the emitter checks the names). Links are not followed.
 */
export function readDirectoryFiles(io: CliIO, dir: string, what: string): Record<string, string> {
  const root = resolve(io.cwd, dir);
  const out: Record<string, string> = {};
  let count = 0;
  const walk = (rel: string): void => {
    let entries;
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch (e) {
      throw new CliError(`${what}: cannot read directory ${shown(rel === "" ? dir : join(dir, rel))}: ${reason(e)}`);
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) {
        if (++count > MAX_DIRECTORY_FILES) throw new CliError(`${what}: directory ${shown(dir)} holds more than ${MAX_DIRECTORY_FILES} files`);
        out[r] = readText(io, join(root, r), what);
      }
    }
  };
  walk("");
  return out;
}

export function lstat(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

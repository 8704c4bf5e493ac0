/** The CLI's reading of inputs: files, stdin and directories, as text only (writing is out-dir.ts). */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync, statSync, type Stats } from "node:fs";
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

/** Bytes read at a time by `textPieces`: each piece a small string, young when it dies. */
const PIECE_BYTES = 64 * 1024;

/** Whether the path names a regular file (what can be read twice: not a pipe, a socket or a device). */
export function isRegularFile(io: CliIO, file: string): boolean {
  try {
    return file !== "-" && statSync(resolve(io.cwd, file)).isFile();
  } catch {
    return false;
  }
}

/** Where the bytes' last whole character ends: before a last lead byte whose sequence is not all there (a malformed end is left to the decoder). */
function wholeCharacters(bytes: Uint8Array, length: number): number {
  for (let k = length - 1; k >= Math.max(0, length - 4); k--) {
    const b = bytes[k] as number;
    if (b < 0x80) return length;
    if (b >= 0xc0) return length - k < (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) ? k : length;
  }
  return length;
}

/**
 * A regular file's text in pieces, decoded as it is read (a piece may end inside a line, never inside a
 * character), for a reader that needs no more than a piece at a time. Throws on a NUL byte, bytes that are not
 * UTF-8 or a failed read: read the file again with `readText`, which says why as it always does.
 */
export function* textPieces(io: CliIO, file: string): Generator<string> {
  const fd = openSync(resolve(io.cwd, file), "r");
  try {
    const chunk = Buffer.allocUnsafe(PIECE_BYTES);
    // Each piece decoded alone (a streaming decode is some three times slower), so a byte order mark is dropped here, once, at the start.
    const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    let carried = 0;
    let atStart = true;
    for (;;) {
      const got = readSync(fd, chunk, carried, PIECE_BYTES - carried, null);
      const length = carried + got;
      const end = got === 0 ? length : wholeCharacters(chunk, length);
      const bytes = chunk.subarray(0, end);
      if (bytes.includes(0)) throw new Error("a NUL byte");
      const text = decoder.decode(bytes);
      yield atStart && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      atStart &&= text === "";
      if (got === 0) return;
      chunk.copy(chunk, 0, end, length);
      carried = length - end;
    }
  } finally {
    closeSync(fd);
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

/**
 * Text written as a report is made and handed out, in order, once it is whole: kept in memory up to a
 * limit, then in a temporary file (mode 0600, removed by `close`). What lets `cli audit` hold no subject
 * while its output stays all or nothing.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliError } from "../errors.js";
import { reason } from "../io.js";

/** A piece of output: text, or UTF-8 bytes (which may end inside a character the next piece finishes). */
export type OutputPiece = string | Uint8Array;

/** Characters kept in memory before they go to the temporary file. */
export const SPOOL_MEMORY_LIMIT = 16 * 1024 * 1024;
const READ_BYTES = 4 * 1024 * 1024;

/** Temporary directories of open spools: removed on exit too (a closed pipe ends the run with `process.exit`). */
const OPEN = new Set<string>();
let exitHook = false;

function removeOpen(): void {
  for (const dir of OPEN) rmSync(dir, { recursive: true, force: true });
  OPEN.clear();
}

export class Spool {
  private pending: string[] = [];
  private pendingLength = 0;
  private file: { readonly dir: string; readonly fd: number } | undefined;
  private written = false;

  constructor(private readonly memoryLimit = SPOOL_MEMORY_LIMIT) {}

  /** Whether anything was written. */
  get isEmpty(): boolean {
    return !this.written;
  }

  write(text: string): void {
    if (text.length === 0) return;
    this.written = true;
    // Once in the file, each piece goes straight to it: no large joined string to collect.
    if (this.file) return this.toFile(this.file.fd, text);
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= this.memoryLimit) this.spill();
  }

  /**
   * Everything written, in order, in pieces: the file's as UTF-8 bytes, each read when it is asked for (at most
   * `READ_BYTES`, a character may be cut between two), then what is in memory as text.
   */
  *pieces(): Generator<OutputPiece, void, undefined> {
    if (this.file) {
      const { fd } = this.file;
      for (let position = 0; ; ) {
        // A buffer of its own each time: the piece before may still be waiting in a write.
        const buffer = Buffer.allocUnsafe(READ_BYTES);
        const n = readSync(fd, buffer, 0, READ_BYTES, position);
        if (n === 0) break;
        position += n;
        yield buffer.subarray(0, n);
      }
    }
    if (this.pendingLength > 0) yield this.pending.join("");
  }

  /** Removes the temporary file, if there is one. */
  close(): void {
    if (!this.file) return;
    closeSync(this.file.fd);
    rmSync(this.file.dir, { recursive: true, force: true });
    OPEN.delete(this.file.dir);
    this.file = undefined;
  }

  private spill(): void {
    let file: { readonly dir: string; readonly fd: number };
    try {
      const dir = mkdtempSync(join(tmpdir(), "cassandra-mi-netrules-audit-"));
      OPEN.add(dir);
      if (!exitHook) process.once("exit", removeOpen);
      exitHook = true;
      file = { dir, fd: openSync(join(dir, "report"), "w+", 0o600) };
    } catch (e) {
      throw new CliError(`cannot write the report's temporary file in ${tmpdir()} (TMPDIR): ${reason(e)}`);
    }
    this.file = file;
    const text = this.pending.join("");
    this.pending = [];
    this.pendingLength = 0;
    this.toFile(file.fd, text);
  }

  private toFile(fd: number, text: string): void {
    try {
      const written = writeSync(fd, text);
      const total = Buffer.byteLength(text);
      if (written < total) {
        const bytes = Buffer.from(text, "utf8");
        for (let done = written; done < total; ) done += writeSync(fd, bytes, done);
      }
    } catch (e) {
      throw new CliError(`cannot write the report's temporary file in ${tmpdir()} (TMPDIR): ${reason(e)}`);
    }
  }
}

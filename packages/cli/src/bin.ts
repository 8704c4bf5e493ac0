#!/usr/bin/env node
import { readFileSync, writeSync } from "node:fs";
import { run } from "./program.js";

// `cassandra-mi-netrules list | head -1`: a closed pipe ends the output, it is not a crash.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

// With a listener, node handles these signals between two steps of the run, never inside the synchronous
// write of --out (an interrupted run has written everything or nothing), and in `audit` between two subjects of the
// evaluation (a turn of the event loop every few milliseconds) and while it waits for a reader.
const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
for (const [signal, code] of Object.entries(SIGNALS)) {
  process.on(signal, () => {
    process.stderr.write(`cassandra-mi-netrules: interrupted (${signal})\n`);
    process.exit(code);
  });
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * All of `text` on stdout before returning: what a pipe cannot take yet would otherwise wait in memory until the
 * run yields. The event loop waits meanwhile: for short output only (`stdoutPaced` for long).
 */
function writeStdout(text: string): void {
  const bytes = Buffer.from(text, "utf8");
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(1, bytes, done, bytes.length - done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") Atomics.wait(PAUSE, 0, 0, 1);
      else if (code === "EPIPE") process.exit(process.exitCode ?? 0);
      else throw e;
    }
  }
}

/**
 * `piece` handed to stdout, resolved once it can take more: at most the piece and the stream's high-water mark wait
 * in memory, and while a pipe's reader does not read the event loop runs (a signal ends the run at once).
 */
function stdoutPaced(piece: string | Uint8Array): Promise<void> {
  // As bytes: a string a pipe cannot take at once is copied into three bytes a character until it is written.
  if (process.stdout.write(typeof piece === "string" ? Buffer.from(piece, "utf8") : piece)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once("drain", resolve));
}

// No top-level await: the CJS build of this entry must load too.
void run(process.argv.slice(2), {
  stdout: writeStdout,
  stdoutPaced,
  stderr: (text) => process.stderr.write(text),
  readStdin: () => readFileSync(0, "utf8"),
  cwd: process.cwd(),
  ...(process.stderr.isTTY && process.stderr.columns ? { columns: process.stderr.columns } : {}),
}).then((code) => {
  process.exitCode = code;
});

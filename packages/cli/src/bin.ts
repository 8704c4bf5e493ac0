#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { run } from "./program.js";

// `cassandra-mi-netrules list | head -1`: a closed pipe ends the output, it is not a crash.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

// With a listener, node handles these signals between two steps of the run, never inside the synchronous
// write of --out: an interrupted run has written everything or nothing.
const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
for (const [signal, code] of Object.entries(SIGNALS)) {
  process.on(signal, () => {
    process.stderr.write(`cassandra-mi-netrules: interrupted (${signal})\n`);
    process.exit(code);
  });
}

// No top-level await: the CJS build of this entry must load too.
void run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: () => readFileSync(0, "utf8"),
  cwd: process.cwd(),
  ...(process.stderr.isTTY && process.stderr.columns ? { columns: process.stderr.columns } : {}),
}).then((code) => {
  process.exitCode = code;
});

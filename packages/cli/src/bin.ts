#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { run } from "./program.js";

// `cassandra-mi-netrules list | head -1`: a closed pipe ends the output, it is not a crash.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

// No top-level await: the CJS build of this entry must load too.
void run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: () => readFileSync(0, "utf8"),
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
});

/** Child process of determinism.test.ts: emits every case with every emitter and prints the sha256 of each result. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { canonicalJson, type EmitResult, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { EMITTERS, tryEmit } from "./emitters.js";

function digest(r: { ok: true; result: EmitResult } | { ok: false; error: Error }): string {
  const body = r.ok ? canonicalJson({ files: r.result.files, coverage: r.result.coverage }) : `error: ${r.error.name}: ${r.error.message}`;
  return createHash("sha256").update(body).digest("hex");
}

const file = process.argv[2];
if (!file) throw new Error("usage: emit-child.ts <cases.json>");
const cases = JSON.parse(readFileSync(file, "utf8")) as Array<[ResolvedRules, unknown[]]>;
process.stdout.write(JSON.stringify(cases.map(([r, opts]) => EMITTERS.map((e, i) => digest(tryEmit(e, r, opts[i]))))));

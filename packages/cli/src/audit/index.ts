/**
 * `cli audit`: reads the input files, audits them with `@cassandra-mi-netrules/azure`'s `audit`, prints
 * the report (table, JSON, SARIF or JUnit XML) and maps its status to the exit code.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { audit, INPUT_LIMITS, InputError, type AuditReport, type InputDocument, type InputFormat } from "@cassandra-mi-netrules/azure";
import type { ResolvedRules } from "@cassandra-mi-netrules/core";
import { CliError, shown } from "../errors.js";
import { json } from "../format.js";
import { readText, type CliIO } from "../io.js";
import { readServiceTags, resolveFrom, type ResolveFlags } from "../resolve-opts.js";
import { junitReport } from "./junit.js";
import { sarifReport } from "./sarif.js";
import { nothingToAudit, tableReport } from "./text.js";

export const AUDIT_FORMATS: readonly InputFormat[] = ["arm", "az", "resource-graph", "tfplan", "hcl"];
export const AUDIT_OUTPUTS = ["table", "json", "sarif", "junit"] as const;
export type AuditOutput = (typeof AUDIT_OUTPUTS)[number];

export interface AuditFlags extends ResolveFlags {
  readonly format?: InputFormat;
  readonly parameters?: string;
  readonly peer?: readonly string[];
  readonly output?: AuditOutput;
  readonly json?: boolean;
  readonly failOn?: "gap" | "warn";
}

/** 0 every requirement open, 1 a gap (or a warning with --fail-on warn), 3 nothing to audit. */
export const EXIT_CODES: Readonly<Record<AuditReport["status"], number>> = { pass: 0, fail: 1, "nothing-to-audit": 3 };

function outputOf(flags: AuditFlags): AuditOutput {
  if (flags.json && flags.output !== undefined && flags.output !== "json") throw new CliError(`--json and --output ${flags.output}: give one of them`);
  return flags.json ? "json" : (flags.output ?? "table");
}

function readDocuments(io: CliIO, files: readonly string[]): InputDocument[] {
  if (files.filter((f) => f === "-").length > 1) throw new CliError("<file>: - (standard input) can be given once");
  return files.map((f) => {
    // Refused before it is read: a file past the readers' limit would only be loaded to be refused.
    const size = f === "-" ? 0 : fileSize(resolve(io.cwd, f));
    if (size > INPUT_LIMITS.maxCharacters) throw new CliError(`<file> ${shown(f)}: ${size} bytes, more than the limit of ${INPUT_LIMITS.maxCharacters} characters`);
    return { name: f === "-" ? "(stdin)" : f, text: readText(io, f, "<file>") };
  });
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // readText reports what is wrong with the file
  }
}

function runLibrary(docs: readonly InputDocument[], parameters: InputDocument | undefined, resolved: ResolvedRules, flags: AuditFlags, serviceTags: Awaited<ReturnType<typeof readServiceTags>>): AuditReport {
  try {
    return audit(docs, {
      resolved,
      ...(serviceTags ? { serviceTags } : {}),
      ...(flags.peer ? { peers: flags.peer } : {}),
      ...(flags.failOn ? { failOn: flags.failOn } : {}),
      ...(flags.format ? { format: flags.format } : {}),
      ...(parameters ? { parameters } : {}),
    });
  } catch (e) {
    if (e instanceof InputError) throw new CliError(`<file> ${shown(e.file)}: ${e.message.slice(e.file.length + 2)}`);
    if (e instanceof RangeError && e.message.startsWith("peers[")) throw new CliError(`--peer: ${e.message.slice(e.message.indexOf(":") + 2)}`);
    throw e;
  }
}

/** Runs the audit command; returns the exit code. */
export async function runAuditCommand(io: CliIO, files: readonly string[], flags: AuditFlags): Promise<number> {
  const output = outputOf(flags);
  const docs = readDocuments(io, files);
  const parameters = flags.parameters === undefined ? undefined : { name: flags.parameters, text: readText(io, flags.parameters, "--parameters") };
  const serviceTags = await readServiceTags(io, flags.serviceTags);
  const resolved = await resolveFrom(io, flags, flags.revision, serviceTags);
  const report = runLibrary(docs, parameters, resolved, flags, serviceTags);
  const inputs = docs.map((d) => d.name);
  const tagFile = flags.serviceTags;
  switch (output) {
    case "json":
      io.stdout(json({ ...report, exitCode: EXIT_CODES[report.status] }));
      break;
    case "sarif":
      io.stdout(json(sarifReport(report, resolved, inputs)));
      break;
    case "junit":
      io.stdout(junitReport(report, inputs));
      break;
    case "table":
      if (report.status === "nothing-to-audit") io.stderr(nothingToAudit(report, inputs));
      else io.stdout(tableReport(report, inputs, tagFile));
  }
  return EXIT_CODES[report.status];
}

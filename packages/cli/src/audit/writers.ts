/**
 * The report's formats written subject by subject: each subject goes to a spool as it comes (what the
 * format prints of it, nothing more), and the whole output is printed once the last one is in, with the
 * header and counts where they have always been. Same bytes as printing the whole report at once.
 */
import type { AuditOutline, AuditStatus, FailOn, SubjectReport } from "@cassandra-mi-netrules/azure";
import type { ResolvedRules } from "@cassandra-mi-netrules/core";
import type { CliIO } from "../io.js";
import { JsonArraySpool } from "./json-array.js";
import { JUNIT_FOOT, junitHead, junitSuite } from "./junit.js";
import { sarifLocations, sarifLog, sarifResults } from "./sarif.js";
import { Spool, type OutputPiece } from "./spool.js";
import { nothingToAudit, subjectTable, tableFoot, tableHead } from "./text.js";

export const AUDIT_OUTPUTS = ["table", "json", "sarif", "junit"] as const;
export type AuditOutput = (typeof AUDIT_OUTPUTS)[number];

/** 0 every requirement open, 1 a gap (or a warning with --fail-on warn), 3 nothing to audit. */
export const EXIT_CODES: Readonly<Record<AuditStatus, number>> = { pass: 0, fail: 1, "nothing-to-audit": 3 };

export interface ReportWriter {
  /** Takes one subject as it is made. */
  add(subject: SubjectReport): void;
  /**
   * The whole output, once every subject is in, in pieces, each made when it is asked for: the CLI asks for the
   * next once the last is written, so no more than a piece waits for a slow reader. "Nothing to audit" goes to stderr.
   */
  output(outline: AuditOutline, io: CliIO): Iterable<OutputPiece>;
  /** Lets go of the spools' temporary files (also after a failure). */
  close(): void;
}

export interface WriterContext {
  readonly inputs: readonly string[];
  readonly tagFile: string | undefined;
  readonly resolved: ResolvedRules;
  readonly failOn: FailOn;
  /** Characters a spool keeps in memory before it uses a temporary file (default `SPOOL_MEMORY_LIMIT`). */
  readonly spoolMemory?: number;
}

export function reportWriter(output: AuditOutput, ctx: WriterContext): ReportWriter {
  switch (output) {
    case "table":
      return tableWriter(ctx);
    case "json":
      return jsonWriter(ctx);
    case "sarif":
      return sarifWriter(ctx);
    case "junit":
      return junitWriter(ctx);
  }
}

function tableWriter(ctx: WriterContext): ReportWriter {
  const spool = new Spool(ctx.spoolMemory);
  return {
    add: (s) => spool.write(subjectTable(s)),
    output: function* (outline, io) {
      if (outline.status === "nothing-to-audit") return io.stderr(nothingToAudit(outline, ctx.inputs));
      yield tableHead(outline, ctx.inputs, ctx.tagFile);
      yield* spool.pieces();
      yield tableFoot(outline);
    },
    close: () => spool.close(),
  };
}

/** The report as JSON: its fields in the library's order, `exitCode` last. */
function jsonWriter(ctx: WriterContext): ReportWriter {
  const spool = new Spool(ctx.spoolMemory);
  const subjects = new JsonArraySpool(spool, 1);
  return {
    add: (s) => subjects.add(s),
    output: (outline) => {
      const { summary, format, ...head } = outline;
      return subjects.pieces((marker) => ({ ...head, subjects: marker, summary, ...(format !== undefined ? { format } : {}), exitCode: EXIT_CODES[outline.status] }));
    },
    close: () => spool.close(),
  };
}

function sarifWriter(ctx: WriterContext): ReportWriter {
  const spool = new Spool(ctx.spoolMemory);
  const results = new JsonArraySpool(spool, 3);
  const locations = sarifLocations(ctx.inputs);
  return {
    add: (s) => {
      for (const r of sarifResults(s, locations, ctx.failOn)) results.add(r);
    },
    output: (outline) => results.pieces((marker) => sarifLog(outline, ctx.resolved, ctx.inputs, ctx.failOn, marker)),
    close: () => spool.close(),
  };
}

function junitWriter(ctx: WriterContext): ReportWriter {
  const spool = new Spool(ctx.spoolMemory);
  const totals = { tests: 0, failures: 0, skipped: 0 };
  return {
    add: (s) => {
      const suite = junitSuite(s, ctx.failOn);
      spool.write(suite.text);
      totals.tests += suite.tests;
      totals.failures += suite.failures;
      totals.skipped += suite.skipped;
    },
    output: function* (outline) {
      yield junitHead(outline, ctx.inputs, totals);
      yield* spool.pieces();
      yield JUNIT_FOOT;
    },
    close: () => spool.close(),
  };
}

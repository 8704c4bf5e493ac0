/**
 * The report's formats written subject by subject: each subject goes to a spool as it comes (what the
 * format prints of it, nothing more), and the whole output is printed once the last one is in, with the
 * header and counts where they have always been. Same bytes as printing the whole report at once.
 */
import type { AuditOutline, AuditStatus, SubjectReport } from "@cassandra-mi-netrules/azure";
import type { ResolvedRules } from "@cassandra-mi-netrules/core";
import type { CliIO } from "../io.js";
import { JsonArraySpool } from "./json-array.js";
import { failsOnWarn, JUNIT_FOOT, junitHead, junitSuite } from "./junit.js";
import { sarifLocations, sarifLog, sarifResults } from "./sarif.js";
import { Spool } from "./spool.js";
import { nothingToAudit, subjectTable, tableFoot, tableHead } from "./text.js";

export const AUDIT_OUTPUTS = ["table", "json", "sarif", "junit"] as const;
export type AuditOutput = (typeof AUDIT_OUTPUTS)[number];

/** 0 every requirement open, 1 a gap (or a warning with --fail-on warn), 3 nothing to audit. */
export const EXIT_CODES: Readonly<Record<AuditStatus, number>> = { pass: 0, fail: 1, "nothing-to-audit": 3 };

export interface ReportWriter {
  /** Takes one subject as it is made. */
  add(subject: SubjectReport): void;
  /** Prints the whole output, once every subject is in. */
  print(outline: AuditOutline, io: CliIO): void;
  /** Lets go of the spools' temporary files (also after a failure). */
  close(): void;
}

export interface WriterContext {
  readonly inputs: readonly string[];
  readonly tagFile: string | undefined;
  readonly resolved: ResolvedRules;
  readonly failOn: "gap" | "warn";
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
    print: (outline, io) => {
      if (outline.status === "nothing-to-audit") return io.stderr(nothingToAudit(outline, ctx.inputs));
      io.stdout(tableHead(outline, ctx.inputs, ctx.tagFile));
      spool.drain(io.stdout);
      io.stdout(tableFoot(outline));
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
    print: (outline, io) => {
      const { summary, format, ...head } = outline;
      subjects.print((marker) => ({ ...head, subjects: marker, summary, ...(format !== undefined ? { format } : {}), exitCode: EXIT_CODES[outline.status] }), io.stdout);
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
      for (const r of sarifResults(s, locations)) results.add(r);
    },
    print: (outline, io) => results.print((marker) => sarifLog(outline, ctx.resolved, ctx.inputs, marker), io.stdout),
    close: () => spool.close(),
  };
}

interface JunitVariant {
  readonly failOnWarn: boolean;
  readonly spool: Spool;
  tests: number;
  failures: number;
  skipped: number;
}

/**
 * Whether over-broad allows are failures is known at the end (`--fail-on warn` and no gap anywhere): with
 * `--fail-on warn`, the suites are written both ways until the first gap settles it.
 */
function junitWriter(ctx: WriterContext): ReportWriter {
  let variants: JunitVariant[] = (ctx.failOn === "warn" ? [false, true] : [false]).map((failOnWarn) => ({ failOnWarn, spool: new Spool(ctx.spoolMemory), tests: 0, failures: 0, skipped: 0 }));
  const close = (vs: readonly JunitVariant[]) => vs.forEach((v) => v.spool.close());
  return {
    add: (s) => {
      if (s.requirements.some((r) => r.status === "partly-open" || r.status === "blocked" || r.status === "unknown")) {
        close(variants.filter((v) => v.failOnWarn));
        variants = variants.filter((v) => !v.failOnWarn);
      }
      for (const v of variants) {
        const suite = junitSuite(s, v.failOnWarn);
        v.spool.write(suite.text);
        v.tests += suite.tests;
        v.failures += suite.failures;
        v.skipped += suite.skipped;
      }
    },
    print: (outline, io) => {
      const v = variants.find((x) => x.failOnWarn === failsOnWarn(outline));
      if (!v) throw new Error(`no JUnit suites written for status ${outline.status}`);
      io.stdout(junitHead(outline, ctx.inputs, v));
      v.spool.drain(io.stdout);
      io.stdout(JUNIT_FOOT);
    },
    close: () => close(variants),
  };
}

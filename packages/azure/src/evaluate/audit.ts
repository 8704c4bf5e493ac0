/** `audit`: read the input (ARM, az, Resource Graph, Terraform) and evaluate it. No file access. */
import type { AzureNetwork } from "../model.js";
import { readNetwork, type InputDocument, type ReadOptions, type ReadResult } from "../read/index.js";
import { collectReport, evaluateSubjects } from "./evaluate.js";
import type { AuditOutline, AuditReport, EvaluateOptions, SubjectStream } from "./report.js";

export interface AuditOptions extends EvaluateOptions {
  /** The input's format (detected when omitted). */
  readonly format?: ReadOptions["format"];
  /** An ARM parameters file for the template(s). */
  readonly parameters?: InputDocument;
}

function isNetwork(v: unknown): v is AzureNetwork {
  return typeof v === "object" && v !== null && Array.isArray((v as AzureNetwork).networkSecurityGroups) && Array.isArray((v as AzureNetwork).unread);
}

/** What a reader gave (`readNetwork`, `readGraphExportPieces`): a network with its format and the types found. */
function isReadResult(v: unknown): v is ReadResult {
  return typeof v === "object" && v !== null && isNetwork((v as ReadResult).network) && typeof (v as ReadResult).format === "string";
}

/** What the audit takes: documents (file name and text, audited together), a network already read, or a reader's result. */
export type AuditInput = InputDocument | readonly InputDocument[] | AzureNetwork | ReadResult;

/**
 * Audits documents (file name and text, audited together), a network already read or a reader's result.
 * Throws the reader's `InputError` (file, field, reason) on input it cannot read.
 */
export function audit(input: AuditInput, options: AuditOptions): AuditReport {
  return collectReport(auditSubjects(input, options));
}

/**
 * `audit` subject by subject (see `evaluateSubjects`): reads the input when called (throwing the reader's
 * `InputError` then) and keeps the network read, not the documents' text.
 */
export function auditSubjects(input: AuditInput, options: AuditOptions): SubjectStream {
  if (isNetwork(input)) return evaluateSubjects(input, options);
  if (isReadResult(input)) return withInput(evaluateSubjects(input.network, options), input.format, input.found);
  const read = readNetwork(input, { ...(options.format ? { format: options.format } : {}), ...(options.parameters ? { parameters: options.parameters } : {}) });
  return withInput(evaluateSubjects(read.network, options), read.format, read.found);
}

function* withInput(stream: SubjectStream, format: string, found: readonly string[]): SubjectStream {
  const outline: AuditOutline = yield* stream;
  return { ...outline, format, found };
}

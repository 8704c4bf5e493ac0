/** `audit`: read the input (ARM, az, Resource Graph, Terraform) and evaluate it. No file access. */
import type { AzureNetwork } from "../model.js";
import { readNetwork, type InputDocument, type ReadOptions } from "../read/index.js";
import { evaluateNetwork } from "./evaluate.js";
import type { AuditReport, EvaluateOptions } from "./report.js";

export interface AuditOptions extends EvaluateOptions {
  /** The input's format (detected when omitted). */
  readonly format?: ReadOptions["format"];
  /** An ARM parameters file for the template(s). */
  readonly parameters?: InputDocument;
}

function isNetwork(v: unknown): v is AzureNetwork {
  return typeof v === "object" && v !== null && Array.isArray((v as AzureNetwork).networkSecurityGroups) && Array.isArray((v as AzureNetwork).unread);
}

/**
 * Audits documents (file name and text, audited together) or a network already read. Throws the reader's
 * `InputError` (file, field, reason) on input it cannot read.
 */
export function audit(input: InputDocument | readonly InputDocument[] | AzureNetwork, options: AuditOptions): AuditReport {
  if (isNetwork(input)) return evaluateNetwork(input, options);
  const read = readNetwork(input, { ...(options.format ? { format: options.format } : {}), ...(options.parameters ? { parameters: options.parameters } : {}) });
  const report = evaluateNetwork(read.network, options);
  return { ...report, format: read.format, found: read.found };
}

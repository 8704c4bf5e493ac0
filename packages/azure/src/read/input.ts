/**
 * What every reader shares about its input: the error that names the file, the path and the reason
 * (with a short escaped excerpt at most, never the input itself), the limits on size and nesting, and
 * JSON text parsed within them.
 */
export type InputFormat = "arm" | "az" | "resource-graph" | "tfplan" | "hcl";
export const INPUT_FORMATS: readonly InputFormat[] = ["arm", "az", "resource-graph", "tfplan", "hcl"];

/** What each format is, for messages. */
export const FORMAT_NAMES: Readonly<Record<InputFormat, string>> = {
  arm: "an ARM template",
  az: "az CLI JSON output",
  "resource-graph": "an Azure Resource Graph result (az graph query)",
  tfplan: "a Terraform plan (terraform show -json)",
  hcl: "Terraform HCL",
};

/** One input: its text and the name messages give it (the file name). */
export interface InputDocument {
  readonly name: string;
  readonly text: string;
}

/** The limits readers hold every input to; the CLI checks a file's size against `maxCharacters` before reading it. */
export const INPUT_LIMITS = {
  /** Characters of one document (256 Mi: a Resource Graph export of ten thousand NSGs fits). */
  maxCharacters: 256 * 1024 * 1024,
  /** Nesting of arrays and objects (HCL blocks) in one document. */
  maxDepth: 100,
} as const;

export interface InputLimit {
  readonly name: keyof typeof INPUT_LIMITS;
  readonly value: number;
}

export interface InputErrorDetails {
  /** The limit the input crossed. */
  readonly limit?: InputLimit;
  /** The format asked for (`--format`) and the one the input looks like ("unknown" when none). */
  readonly expected?: InputFormat;
  readonly detected?: InputFormat | "unknown";
}

/** Input that cannot be read: names the file, the path in it (empty for the whole file) and why. */
export class InputError extends Error {
  readonly limit?: InputLimit;
  readonly expected?: InputFormat;
  readonly detected?: InputFormat | "unknown";

  constructor(
    readonly file: string,
    readonly path: string,
    readonly reason: string,
    details: InputErrorDetails = {},
  ) {
    super(`${file}: ${path === "" ? "" : `${path}: `}${reason}`);
    this.name = "InputError";
    if (details.limit) this.limit = details.limit;
    if (details.expected) this.expected = details.expected;
    if (details.detected) this.detected = details.detected;
  }
}

/** A short excerpt of a value for a message: JSON-escaped, cut at `max` characters. */
export function excerpt(value: unknown, max = 60): string {
  let text: string;
  try {
    text = value === undefined ? "undefined" : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

export function checkSize(doc: InputDocument): void {
  if (doc.text.length > INPUT_LIMITS.maxCharacters) {
    const limit = { name: "maxCharacters", value: INPUT_LIMITS.maxCharacters } as const;
    throw new InputError(doc.name, "", `the input has ${doc.text.length} characters, more than the limit of ${INPUT_LIMITS.maxCharacters}`, { limit });
  }
}

/** Throws when a parsed value nests deeper than the limit. */
export function checkDepth(value: unknown, file: string): void {
  if (value !== null && typeof value === "object" && nestsDeeper(value, 1)) {
    const limit = { name: "maxDepth", value: INPUT_LIMITS.maxDepth } as const;
    throw new InputError(file, "", `the input nests arrays and objects deeper than the limit of ${INPUT_LIMITS.maxDepth} levels`, { limit });
  }
}

/**
 * Whether `v` (at `depth`) holds an array or object past the limit. The recursion stops at the limit, so
 * it never goes more than 101 calls deep; `for...in` reads parsed JSON (own keys only) without an array per object.
 */
export function nestsDeeper(v: object, depth: number): boolean {
  if (depth > INPUT_LIMITS.maxDepth) return true;
  if (Array.isArray(v)) {
    for (const child of v as unknown[]) if (child !== null && typeof child === "object" && nestsDeeper(child, depth + 1)) return true;
    return false;
  }
  for (const key in v) {
    const child = (v as Record<string, unknown>)[key];
    if (child !== null && typeof child === "object" && nestsDeeper(child, depth + 1)) return true;
  }
  return false;
}

/** Why JSON.parse refused a text, said without quoting the input (V8's message may quote raw bytes of it). */
function jsonReason(message: string, text: string): string {
  const at = /at position (\d+)/.exec(message);
  if (at) {
    const pos = Number(at[1]);
    const before = text.slice(0, pos);
    const line = before.split("\n").length;
    const column = pos - before.lastIndexOf("\n");
    return `not valid JSON at line ${line}, column ${column} (near ${excerpt(text.slice(pos, pos + 12))})`;
  }
  const token = /^Unexpected token '(.{1,4})'/su.exec(message);
  if (token) return `not valid JSON: unexpected ${excerpt(token[1])}`;
  if (/Unexpected end/.test(message)) return "not valid JSON: it ends too early";
  return "not valid JSON";
}

/** JSON text parsed (a leading byte order mark allowed), or why it is not JSON. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (e) {
    return { ok: false, reason: jsonReason((e as Error).message, body) };
  }
}

export { isObject } from "./arm-values.js";

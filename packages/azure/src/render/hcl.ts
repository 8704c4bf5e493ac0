/**
 * Writing HCL (Terraform's native syntax) as `terraform fmt` writes it: one escaping helper for every
 * string, a small tree of attributes and blocks, and a printer that indents by two spaces and aligns the
 * `=` of consecutive one-line attributes, so the output passes `terraform fmt -check` as it is.
 */

/** A Terraform expression written as it is (`var.location`, `azurerm_firewall_policy.this.id`): never data. */
export interface HclExpression {
  readonly kind: "expression";
  readonly text: string;
}

/** An object constructor (`{ "key" = value }`), written one entry a line. */
export interface HclObject {
  readonly kind: "object";
  readonly entries: ReadonlyArray<readonly [string, HclValue]>;
}

export type HclValue = string | number | boolean | null | HclExpression | HclObject | readonly HclValue[];

export interface HclAttribute {
  readonly kind: "attribute";
  readonly name: string;
  readonly value: HclValue;
}

export interface HclBlock {
  readonly kind: "block";
  readonly type: string;
  readonly labels: readonly string[];
  readonly body: readonly HclItem[];
}

/** A line of `#` comment (its text cleaned of line breaks and control characters), or an empty line. */
export type HclItem = HclAttribute | HclBlock | { readonly kind: "comment"; readonly text: string } | { readonly kind: "blank" };

/** An identifier of HCL: attribute, block type, variable, resource label. */
export const HCL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export const expression = (text: string): HclExpression => ({ kind: "expression", text });
export const attribute = (name: string, value: HclValue): HclAttribute => ({ kind: "attribute", name, value });
export const block = (type: string, labels: readonly string[], body: readonly HclItem[]): HclBlock => ({ kind: "block", type, labels, body });
export const comment = (text: string): HclItem => ({ kind: "comment", text });
export const blank: HclItem = { kind: "blank" };
export const object = (entries: ReadonlyArray<readonly [string, HclValue]>): HclObject => ({ kind: "object", entries });

/**
 * The body of an HCL quoted string for any text: `\` `"` and line breaks escaped, every other control
 * character (C0, DEL, C1, the line and paragraph separators) as `\uXXXX`, and the template sequences `${`
 * and `%{` doubled (`$${`, `%%{`), so Terraform reads back exactly the text and evaluates nothing in it.
 * HCL reads every string in Unicode Normalization Form C, so the text is written in that form (the same
 * text for Unicode, and what Terraform would make of it anyway). Throws on a lone UTF-16 surrogate, which
 * no UTF-8 file can hold.
 */
export function escapeHclString(value: string): string {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value))
    throw new RangeError(`HCL cannot hold a lone UTF-16 surrogate (value: ${JSON.stringify(value.slice(0, 40))})`);
  return value
    .normalize("NFC")
    .replace(/[\\"\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
      switch (c) {
        case "\\":
          return "\\\\";
        case '"':
          return '\\"';
        case "\n":
          return "\\n";
        case "\r":
          return "\\r";
        case "\t":
          return "\\t";
        default:
          return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
      }
    })
    .replace(/[$%]\{/g, (m) => `${m[0]}${m}`);
}

/** A quoted HCL string literal. */
export function hclString(value: string): string {
  return `"${escapeHclString(value)}"`;
}

function checkIdentifier(name: string, what: string): string {
  if (!HCL_IDENTIFIER.test(name)) throw new Error(`not an HCL identifier for a ${what}: ${JSON.stringify(name)}`);
  return name;
}

/** A value on one line; objects with entries are written by `lines` over several. */
function inline(value: HclValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return hclString(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`HCL numbers are finite (value: ${value})`);
    return String(value);
  }
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(inline).join(", ")}]`;
  const v = value as HclExpression | HclObject;
  if (v.kind === "expression") return v.text;
  if (v.entries.length > 0) throw new Error("an object with entries is written over several lines");
  return "{}";
}

const multiLine = (v: HclValue): v is HclObject => typeof v === "object" && v !== null && !Array.isArray(v) && (v as HclObject).kind === "object" && (v as HclObject).entries.length > 0;

/**
 * The items of a body at `depth`, as terraform fmt writes them: two spaces per level; the `=` of a run of
 * one-line attributes aligned (a comment, an empty line, a block or a multi-line attribute ends a run).
 */
function lines(items: readonly HclItem[], depth: number): string[] {
  const pad = "  ".repeat(depth);
  const out: string[] = [];
  let run: Array<{ lead: string; rest: string }> = [];
  const flush = (): void => {
    const width = Math.max(0, ...run.map((r) => r.lead.length));
    for (const r of run) out.push(`${pad}${r.lead.padEnd(width)} = ${r.rest}`);
    run = [];
  };
  let isolated = false;
  const entry = (lead: string, value: HclValue): void => {
    // terraform fmt aligns by grapheme clusters, as its own Unicode tables split them: a key with other than
    // printable ASCII stands between empty lines, so that no alignment depends on how a clusterer counts it.
    const plain = /^[\x20-\x7e]*$/.test(lead);
    if (!plain || isolated) {
      flush();
      if (out.length > 0 && out.at(-1) !== "" && !out.at(-1)?.endsWith("{")) out.push("");
    }
    isolated = !plain;
    if (!multiLine(value)) {
      run.push({ lead, rest: inline(value) });
      if (!plain) flush();
      return;
    }
    flush();
    out.push(`${pad}${lead} = {`);
    out.push(...lines(value.entries.map(([k, v]) => attribute(k, v)), depth + 1));
    out.push(`${pad}}`);
  };
  for (const item of items) {
    if (item.kind === "attribute") {
      entry(item.name, item.value);
      continue;
    }
    flush();
    isolated = false;
    if (item.kind === "blank") out.push("");
    else if (item.kind === "comment") out.push(`${pad}# ${cleanComment(item.text)}`.trimEnd());
    else {
      const head = [checkIdentifier(item.type, "block type"), ...item.labels.map(hclString)].join(" ");
      if (item.body.length === 0) out.push(`${pad}${head} {}`);
      else out.push(`${pad}${head} {`, ...lines(item.body, depth + 1), `${pad}}`);
    }
  }
  flush();
  return out;
}

/** Comment text on one line: line breaks and control characters become spaces. */
function cleanComment(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ");
}

/** Attribute items whose names are identifiers; object entries keep their keys as quoted strings. */
function toItems(items: readonly HclItem[]): HclItem[] {
  return items.map((item) => {
    if (item.kind === "attribute") return attribute(checkIdentifier(item.name, "attribute"), quoteKeys(item.value));
    if (item.kind === "block") return block(item.type, item.labels, toItems(item.body));
    return item;
  });
}

/** Object keys as HCL reads them literally: a plain lower-case name bare, any other text quoted, at every level. */
function quoteKeys(value: HclValue): HclValue {
  if (Array.isArray(value)) return value.map(quoteKeys);
  if (typeof value === "object" && value !== null && (value as HclObject).kind === "object") {
    return object((value as HclObject).entries.map(([k, v]) => [/^[a-z_][a-z0-9_]*$/.test(k) && !KEYWORDS.has(k) ? k : hclString(k), quoteKeys(v)] as const));
  }
  return value;
}

/** Names HCL reads as values or syntax, never as a bare object key. */
const KEYWORDS = new Set(["true", "false", "null", "for", "in", "if", "endfor", "endif", "else"]);

/** A whole file: the items at the top level, a final newline. */
export function renderHcl(items: readonly HclItem[]): string {
  return `${lines(toItems(items), 0).join("\n")}\n`;
}

/**
 * The real checks of a Terraform file the `terraform` target writes:
 * - `terraform fmt -check` with the real binary (a missing binary fails; scripts/setup-system.sh installs it);
 * - a real HCL parser (`@cdktn/hcl2json`: HashiCorp's hcl/v2 compiled to WebAssembly, as the azure package's
 *   reader drives it) turns the text into JSON; the audit's own reader (`readNetwork`, format `hcl`) reads it
 *   back into the model: there is no second Terraform reader here;
 * - every resource's arguments against the azurerm schema vendored at 4.55.0 (vendor/azurerm/attributes.json):
 *   names, types, nesting, required arguments, allowed values, ranges, lengths;
 * - `terraformOutputs` evaluates strings with Terraform itself (init, apply with no provider, output -json).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hclToJson, readHclLocals, readNetwork, templateParts, type AzureNetwork } from "@cassandra-mi-netrules/azure";
import { VENDOR_DIR } from "./arm.js";

/* ------------------------------------------------------------------ terraform */

const ENV = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
let terraformVersionLine: string | undefined;

/** `terraform version`'s first line; throws when terraform is missing. */
export function terraformVersion(): string {
  if (terraformVersionLine !== undefined) return terraformVersionLine;
  const r = spawnSync("terraform", ["version"], { encoding: "utf8", env: ENV });
  if (r.error || r.status !== 0) throw new Error(`terraform is not on PATH (${r.error?.message ?? r.stderr}); run scripts/setup-system.sh`);
  terraformVersionLine = (r.stdout.split("\n")[0] ?? "").trim();
  return terraformVersionLine;
}

function terraform(args: readonly string[], cwd: string): { status: number; stdout: string; stderr: string } {
  terraformVersion();
  const r = spawnSync("terraform", [...args], { encoding: "utf8", cwd, env: ENV, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function withDir<T>(files: Readonly<Record<string, string>>, run: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "cmn-terraform-"));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `terraform fmt -check -diff` over the texts (one file each): the indices of those fmt would change, and its diff. */
export function terraformFmtCheck(texts: readonly string[]): { unformatted: number[]; diff: string } {
  return withDir(Object.fromEntries(texts.map((t, i) => [`f${i}.tf`, t])), (dir) => {
    const r = terraform(["fmt", "-check", "-list=true", "-diff", "-no-color"], dir);
    const unformatted = [...r.stdout.matchAll(/^f(\d+)\.tf$/gm)].map((m) => Number(m[1]));
    if (r.status !== 0 && unformatted.length === 0) throw new Error(`terraform fmt failed (exit ${r.status}): ${r.stderr || r.stdout}`);
    return { unformatted, diff: r.stdout };
  });
}

/** Terraform's own value of each string expression (HCL source of a quoted string): init and apply with no provider, then `output -json`. */
export function terraformOutputs(expressions: readonly string[]): string[] {
  const source = `output "values" {\n  value = [\n${expressions.map((e) => `    ${e},`).join("\n")}\n  ]\n}\n`;
  return withDir({ "main.tf": source }, (dir) => {
    for (const args of [["init", "-no-color"], ["apply", "-auto-approve", "-no-color"]]) {
      const r = terraform(args, dir);
      if (r.status !== 0) throw new Error(`terraform ${args[0]} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
    }
    const out = terraform(["output", "-json", "values"], dir);
    if (out.status !== 0) throw new Error(`terraform output failed: ${out.stderr}`);
    return JSON.parse(out.stdout) as string[];
  });
}

/* ---------------------------------------------------------------- the parser */

/** What `@cdktn/hcl2json` gives: Terraform's JSON syntax, blocks as lists of bodies. */
export type HclJson = Record<string, unknown>;

/** Parses HCL with hcl/v2 (WebAssembly), as the audit's reader does; throws the parser's message (file, line, column) on a syntax error. */
export function parseHcl(text: string, file = "main.tf"): HclJson {
  const r = hclToJson(file, text);
  if (!r.ok) throw new Error(r.reason);
  return r.value as HclJson;
}

/** A string of Terraform's JSON syntax as the reader cuts it: its literal text, or undefined when it holds an interpolation or a directive. */
export function literalText(s: string): string | undefined {
  const parts = templateParts(s);
  const [only] = parts;
  return parts.length === 1 && only && "literal" in only ? only.literal : undefined;
}

/* -------------------------------------------------------- the azurerm schema */

interface AttributeSpec {
  readonly type: string;
  readonly required: boolean;
  readonly allowed?: readonly string[];
  readonly range?: readonly [number, number];
  readonly maxLength?: number;
  readonly hcl?: "block" | "attribute-as-blocks";
  readonly block?: Readonly<Record<string, AttributeSpec>>;
}

type ResourceSpec = Readonly<Record<string, AttributeSpec>>;

let schema: Readonly<Record<string, ResourceSpec>> | undefined;

/** vendor/azurerm/attributes.json: resource type -> argument -> spec. */
export function azurermSchema(): Readonly<Record<string, ResourceSpec>> {
  if (schema) return schema;
  const doc = JSON.parse(readFileSync(join(VENDOR_DIR, "azurerm", "attributes.json"), "utf8")) as Record<string, Record<string, unknown>>;
  schema = Object.fromEntries(
    Object.entries(doc)
      .filter(([k]) => k !== "_meta")
      .map(([k, v]) => [k, Object.fromEntries(Object.entries(v).filter(([a]) => a !== "_doc")) as unknown as ResourceSpec]),
  );
  return schema;
}

/** Terraform's meta-arguments, which every resource takes. */
const META_ARGUMENTS = new Set(["count", "for_each", "depends_on", "provider", "lifecycle"]);

const isExpression = (v: unknown): boolean => typeof v === "string" && literalText(v) === undefined;

function checkScalar(spec: AttributeSpec, value: unknown, at: string, problems: string[]): void {
  if (isExpression(value)) return;
  const want = spec.type === "list(string)" || spec.type === "map(string)" ? "string" : spec.type;
  const got = typeof value === "boolean" ? "bool" : typeof value;
  if (got !== want) {
    problems.push(`${at}: expected ${want}, got ${JSON.stringify(value)}`);
    return;
  }
  const text = typeof value === "string" ? literalText(value) : undefined;
  if (spec.allowed && text !== undefined && !spec.allowed.includes(text)) problems.push(`${at}: ${JSON.stringify(text)} is not one of ${spec.allowed.join(", ")}`);
  if (spec.maxLength !== undefined && text !== undefined && text.length > spec.maxLength) problems.push(`${at}: longer than ${spec.maxLength} characters (${text.length})`);
  if (spec.range && typeof value === "number" && (value < spec.range[0] || value > spec.range[1] || !Number.isInteger(value)))
    problems.push(`${at}: ${value} is outside ${spec.range[0]}-${spec.range[1]}`);
}

function checkValue(spec: AttributeSpec, value: unknown, at: string, problems: string[]): void {
  if (spec.block) {
    if (!Array.isArray(value)) return void problems.push(`${at}: expected ${spec.hcl === "block" ? "a block" : "blocks"}, got ${JSON.stringify(value)}`);
    if (spec.type === "object" && value.length > 1) problems.push(`${at}: at most one block, got ${value.length}`);
    value.forEach((b, i) => checkBody(spec.block as ResourceSpec, b, `${at}[${i}]`, problems));
  } else if (spec.type.startsWith("list(")) {
    if (isExpression(value)) return;
    if (!Array.isArray(value)) return void problems.push(`${at}: expected a list, got ${JSON.stringify(value)}`);
    value.forEach((v, i) => checkScalar(spec, v, `${at}[${i}]`, problems));
  } else if (spec.type.startsWith("map(")) {
    if (isExpression(value)) return;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return void problems.push(`${at}: expected a map, got ${JSON.stringify(value)}`);
    for (const [k, v] of Object.entries(value)) checkScalar(spec, v, `${at}.${k}`, problems);
  } else checkScalar(spec, value, at, problems);
}

function checkBody(spec: ResourceSpec, body: unknown, at: string, problems: string[], meta = false): void {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return void problems.push(`${at}: expected a block body`);
  for (const [k, v] of Object.entries(body)) {
    if (meta && META_ARGUMENTS.has(k)) continue;
    const s = spec[k];
    if (!s) problems.push(`${at}.${k}: not an argument here in azurerm 4.55.0`);
    else checkValue(s, v, `${at}.${k}`, problems);
  }
  for (const [k, s] of Object.entries(spec)) if (s.required && !(k in body)) problems.push(`${at}: the required argument ${k} is missing`);
}

/**
 * Every resource of the file against the vendored azurerm schema, and every `var.x` and resource
 * reference against the file's own variables and resources. Returns the problems, each naming where.
 */
export function checkAzurermAttributes(doc: HclJson): string[] {
  const problems: string[] = [];
  const resources = (doc.resource ?? {}) as Record<string, Record<string, unknown[]>>;
  for (const [type, byLabel] of Object.entries(resources)) {
    const spec = azurermSchema()[type];
    if (!spec) {
      problems.push(`resource ${type}: not a resource type of the vendored azurerm schema`);
      continue;
    }
    for (const [label, bodies] of Object.entries(byLabel)) bodies.forEach((b) => checkBody(spec, b, `${type}.${label}`, problems, true));
  }
  const variables = new Set(Object.keys((doc.variable ?? {}) as object));
  const declared = new Set(Object.entries(resources).flatMap(([type, byLabel]) => Object.keys(byLabel).map((l) => `${type}.${l}`)));
  const walk = (v: unknown, at: string): void => {
    if (typeof v === "string") {
      for (const part of templateParts(v)) {
        if (!("interpolation" in part)) continue;
        for (const m of part.interpolation.matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_-]*)/g)) if (!variables.has(m[1] as string)) problems.push(`${at}: var.${m[1]} is not declared`);
        for (const m of part.interpolation.matchAll(/\b(azurerm_[a-z_]+)\.([A-Za-z_][A-Za-z0-9_-]*)\.id\b/g)) if (!declared.has(`${m[1]}.${m[2]}`)) problems.push(`${at}: ${m[1]}.${m[2]} is not declared`);
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
  };
  walk(doc.resource, "resource");
  walk(doc.output, "output");
  return problems;
}

/* ------------------------------------------- back to the model, by the audit's reader */

/** A value as a string of Terraform's JSON syntax: `${` and `%{` escaped, so it is the text itself. */
const jsonSyntaxLiteral = (value: string): string => value.replace(/([$%])\{/g, "$1$1{");

/**
 * The file read back by the audit's reader (`readNetwork`, format `hcl`), with values given to some of its
 * variables as a tfvars file gives them: each must be declared by the file, and its value stands for its default.
 */
export function readTerraform(text: string, variables: Readonly<Record<string, string>> = {}): AzureNetwork {
  if (Object.keys(variables).length === 0) return readNetwork({ name: "main.tf", text }, { format: "hcl" }).network;
  const doc = parseHcl(text);
  const declared = (doc.variable ?? {}) as Record<string, Array<Record<string, unknown>>>;
  const variable = Object.fromEntries(
    Object.entries(declared).map(([name, [body]]) => [name, [name in variables ? { ...body, default: jsonSyntaxLiteral(variables[name] as string) } : body]]),
  );
  const missing = Object.keys(variables).filter((name) => !(name in declared));
  if (missing.length > 0) throw new Error(`the file declares no variable ${missing.join(", ")}`);
  return readNetwork({ name: "main.tf", text: JSON.stringify({ ...doc, variable }) }, { format: "hcl" }).network;
}

/** The file's locals, as the audit's reader evaluates `local.<name>`. */
export function terraformLocals(text: string): Record<string, unknown> {
  return readHclLocals(parseHcl(text), "main.tf");
}

/**
 * `readNetwork`: any input form into the model, the format detected when not given. One entry for every
 * reader: ARM templates (with a parameters file in the format `az deployment group create` takes), `az`
 * JSON, Azure Resource Graph results, Terraform plans and Terraform HCL. Pure: the caller reads the files
 * and passes their text. Input that cannot be read is an `InputError` naming the file, the path and the
 * reason; a value the input does not decide is an `Unknown` in the model, never a guess.
 */
import { emptyNetwork, type AzureNetwork } from "../model.js";
import { isUnknown, unknownValue } from "../unknown.js";
import { ArmExpressionError, type Evaluation } from "./arm-expression.js";
import { templateForm } from "./arm-functions.js";
import { readArmDocument } from "./arm.js";
import { ArmReadError, type JsonObject } from "./arm-values.js";
import { azObjects, dataRows, graphRows, readResourceObjects, resourceTypeOf } from "./az.js";
import { readHclDocument } from "./hcl.js";
import { hclToJson } from "./hcl-parser.js";
import { readGraphPieces } from "./graph-text.js";
import { checkDepth, checkSize, excerpt, FORMAT_NAMES, INPUT_FORMATS, InputError, isObject, parseJson, type InputDocument, type InputFormat } from "./input.js";
import { NETWORK_TYPES } from "./network-builder.js";
import { readTerraformPlan } from "./tfplan.js";

export { FORMAT_NAMES, INPUT_FORMATS, INPUT_LIMITS, InputError, type InputDocument, type InputErrorDetails, type InputFormat, type InputLimit } from "./input.js";
export { namesIn, parseResourceId, resourceIdOf, RESOURCE_GROUP_PLACEHOLDER, SUBSCRIPTION_PLACEHOLDER, type ResourceIdParts } from "./resource-id.js";

export interface ReadOptions {
  /** The input's format; detected from each document when not given (a mismatch is an InputError). */
  readonly format?: InputFormat;
  /** An ARM parameters file (`{ "parameters": { "name": { "value": ... } } }`), for the ARM documents. */
  readonly parameters?: InputDocument;
}

export interface ReadResult {
  /** The format of the (first) document. */
  readonly format: InputFormat;
  readonly network: AzureNetwork;
  /** The resource types the input holds, sorted (Azure's spelling for network types): what "nothing to audit" names. */
  readonly found: readonly string[];
}

/** What a parsed document is, or undefined. `text` is there for HCL, which is not JSON. */
type Parsed = { readonly json: unknown } | { readonly hcl: JsonObject };

const ARM_SCHEMA = /deploymentTemplate\.json/i;
const PARAMETERS_SCHEMA = /deploymentParameters\.json/i;

/** Whether a parsed document is an ARM parameters file (by its `$schema`). */
function isParametersFile(doc: unknown): boolean {
  return isObject(doc) && typeof doc.$schema === "string" && PARAMETERS_SCHEMA.test(doc.$schema);
}

const HCL_BLOCK = /^\s*(resource|variable|locals|module|provider|terraform|data|output)\b[^\n]*\{/m;

function isResourceObject(v: unknown): boolean {
  return isObject(v) && (resourceTypeOf(v) !== undefined || (typeof v.id === "string" && v.id.startsWith("/subscriptions/")));
}

/** The format a parsed JSON document looks like. */
export function detectJsonFormat(doc: unknown): InputFormat | undefined {
  if (Array.isArray(doc)) {
    if (doc.length > 0 && doc.every((r) => isObject(r) && typeof r.subscriptionId === "string" && typeof r.tenantId === "string")) return "resource-graph";
    return doc.length === 0 || doc.some(isResourceObject) ? "az" : undefined;
  }
  if (!isObject(doc)) return undefined;
  const resources = Array.isArray(doc.resources) ? doc.resources : isObject(doc.resources) ? Object.values(doc.resources) : undefined;
  const looksArm = resources !== undefined && (doc.contentVersion !== undefined || doc.languageVersion !== undefined || (resources.length > 0 && resources.every((r) => isObject(r) && typeof r.type === "string" && typeof r.apiVersion === "string")));
  if ((typeof doc.$schema === "string" && ARM_SCHEMA.test(doc.$schema)) || looksArm) return "arm";
  if (typeof doc.format_version === "string" && (doc.resource_changes !== undefined || doc.planned_values !== undefined || doc.values !== undefined || doc.terraform_version !== undefined)) return "tfplan";
  if (isObject(doc.resource) && Object.keys(doc.resource).some((k) => k.startsWith("azurerm_"))) return "hcl";
  if ((Array.isArray(doc.data) || isObject(doc.data)) && ["count", "total_records", "totalRecords", "skip_token", "$skipToken", "resultTruncated"].some((k) => k in doc)) return "resource-graph";
  if (Array.isArray(doc.value) && doc.type === undefined) return doc.value.length === 0 || doc.value.some(isResourceObject) ? "az" : undefined;
  return isResourceObject(doc) ? "az" : undefined;
}

function parse(doc: InputDocument, format: InputFormat | undefined): [Parsed, InputFormat | undefined] {
  checkSize(doc);
  const json = parseJson(doc.text);
  if (json.ok) {
    checkDepth(json.value, doc.name);
    if (isParametersFile(json.value)) {
      throw new InputError(doc.name, "", "this is an ARM parameters file, not a template: give it as the parameters of the template (--parameters)", { ...(format ? { expected: format } : {}), detected: "unknown" });
    }
    return [{ json: json.value }, detectJsonFormat(json.value)];
  }
  if (format === "hcl" || (format === undefined && HCL_BLOCK.test(doc.text))) {
    const hcl = hclToJson(doc.name, doc.text);
    if (!hcl.ok) throw hclError(doc.name, hcl.reason);
    checkDepth(hcl.value, doc.name);
    return [{ hcl: isObject(hcl.value) ? hcl.value : {} }, "hcl"];
  }
  throw new InputError(doc.name, "", json.reason, { ...(format ? { expected: format } : {}), detected: "unknown" });
}

/** The HCL parser's diagnostic as an InputError: `file:line,col-col: summary; detail` becomes the path and the reason. */
function hclError(file: string, diagnostic: string): InputError {
  // eslint-disable-next-line no-control-regex
  const clean = diagnostic.replace(/[\u0000-\u001f\u007f]/g, " ");
  const m = /:(\d+),(\d+)(?:-\d+)?: ([^\]]*)/.exec(clean);
  const reason = (m ? (m[3] as string) : clean).slice(0, 200);
  return new InputError(file, m ? `line ${m[1]}, column ${m[2]}` : "", `not valid HCL: ${reason}`, { detected: "unknown" });
}

/** The parameter values of a parameters file (`{ "parameters": { "x": { "value": ... } } }`, or the `parameters` object alone). */
function parameterValues(doc: InputDocument): Map<string, [Evaluation, string]> {
  checkSize(doc);
  const json = parseJson(doc.text);
  if (!json.ok) throw new InputError(doc.name, "", `${json.reason} (a parameters file is JSON; build a .bicepparam file with 'bicep build-params' first)`);
  checkDepth(json.value, doc.name);
  const root = json.value;
  const inner = isObject(root) && isObject(root.parameters) ? root.parameters : root;
  const at = isObject(root) && isObject(root.parameters) ? "parameters" : "";
  if (!isObject(inner)) throw new InputError(doc.name, at, `expected an object of parameter values, got ${excerpt(inner)}`);
  const out = new Map<string, [Evaluation, string]>();
  for (const [name, p] of Object.entries(inner)) {
    const path = at === "" ? name : `${at}.${name}`;
    if (!isObject(p) || (!("value" in p) && !("reference" in p))) throw new InputError(doc.name, path, `expected { "value": ... } or { "reference": ... }, got ${excerpt(p)}`);
    const value = p.value as Parameters<typeof templateForm>[0];
    out.set(name, ["value" in p ? { ok: true, value: typeof value === "string" ? value : templateForm(value) } : { ok: false, reason: `parameter '${name}' is a Key Vault reference in ${doc.name}` }, path]);
  }
  return out;
}

function declares(doc: unknown, name: string): boolean {
  return isObject(doc) && isObject(doc.parameters) && Object.keys(doc.parameters).some((k) => k.toLowerCase() === name.toLowerCase());
}

/** Every Unknown's path prefixed with the file name, so that several documents read together stay apart. */
function prefixUnknowns<T>(value: T, prefix: string): T {
  if (isUnknown(value)) return unknownValue(`${prefix}${value.path}`, value.reason) as T;
  if (Array.isArray(value)) return value.map((v) => prefixUnknowns(v, prefix)) as T;
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prefixUnknowns(v, prefix)])) as T;
  return value;
}

function readOne(doc: InputDocument, parsed: Parsed, format: InputFormat, parameters: Map<string, [Evaluation, string]>): { network: AzureNetwork; found: readonly string[] } {
  const invalid = (path: string, value: unknown, reason: string): never => {
    throw new ArmReadError(path, value, reason);
  };
  if ("hcl" in parsed) return readHclDocument(parsed.hcl, doc.name);
  const json = parsed.json;
  switch (format) {
    case "arm": {
      if (!isObject(json)) throw new InputError(doc.name, "", "expected an ARM template (a JSON object)");
      const evaluated = Object.fromEntries([...parameters].filter(([name]) => declares(json, name)).map(([name, [v]]) => [name, v]));
      return readArmDocument(json, {}, evaluated);
    }
    case "az":
      return readResourceObjects(azObjects(json), invalid);
    case "resource-graph":
      return readResourceObjects(graphRows(json), invalid);
    case "tfplan":
      if (!isObject(json)) throw new InputError(doc.name, "", "expected a Terraform plan (a JSON object)");
      return readTerraformPlan(json, doc.name);
    case "hcl":
      if (!isObject(json)) throw new InputError(doc.name, "", "expected Terraform JSON configuration (an object)");
      return readHclDocument(json, doc.name);
  }
}

/** Converts what a reader throws into an InputError naming the file; anything else is a bug and goes through. */
function asInputError(e: unknown, file: string): unknown {
  if (e instanceof InputError) return e;
  if (e instanceof ArmReadError) return new InputError(file, e.path, `${e.reason} (value: ${excerpt(e.value)})`);
  if (e instanceof ArmExpressionError) return new InputError(file, "", e.message);
  if (e instanceof RangeError && /call stack/i.test(e.message)) return new InputError(file, "", "the input is too deeply nested to read", { limit: { name: "maxDepth", value: 100 } });
  return e;
}

function merge(networks: readonly AzureNetwork[]): AzureNetwork {
  const out = emptyNetwork();
  const keys = Object.keys(out) as Array<keyof AzureNetwork>;
  return Object.fromEntries(keys.map((k) => [k, networks.flatMap((n) => n[k] as readonly unknown[])])) as unknown as AzureNetwork;
}

function displayTypes(found: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const t of found) if (t !== "") seen.set(t.toLowerCase(), NETWORK_TYPES[t.toLowerCase()] ?? t);
  return [...seen.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Resource objects read from rows, refusing at the first thing the reader refuses (the whole read then says why). */
function rowObjects(rows: Iterable<unknown>): ReturnType<typeof readResourceObjects> {
  return readResourceObjects(dataRows(rows), (path, value, reason) => {
    throw new ArmReadError(path, value, reason);
  });
}

/**
 * A Resource Graph export (`{ "data": [rows], ... }`) read a row at a time from its text in pieces, in order
 * (a file read a chunk at a time, each chunk decoded, so that no string holds the whole text; or the whole text
 * as one piece): what `readNetwork` gives for the text the pieces make, or undefined when it is not plainly one
 * export or anything is in doubt (a piece the source cannot give, a row that is not JSON, a refusal). Then read
 * the whole text with `readNetwork`, which says why.
 */
export function readGraphExportPieces(pieces: Iterable<string>, options: Pick<ReadOptions, "format"> = {}): ReadResult | undefined {
  if (options.format !== undefined && options.format !== "resource-graph") return undefined;
  const read = readGraphPieces(pieces, rowObjects);
  if (read === undefined || isParametersFile(read.root) || detectJsonFormat(read.root) !== "resource-graph") return undefined;
  return { format: "resource-graph", network: merge([read.read.network]), found: displayTypes(read.read.found) };
}

/** Reads one or several documents into one model. Throws InputError when a document cannot be read. */
export function readNetwork(input: InputDocument | readonly InputDocument[], options: ReadOptions = {}): ReadResult {
  const docs: readonly InputDocument[] = Array.isArray(input) ? input : [input as InputDocument];
  if (docs.length === 0) throw new InputError("(input)", "", "no document to read");
  if (options.format !== undefined && !INPUT_FORMATS.includes(options.format)) throw new InputError("(options)", "format", `expected one of ${INPUT_FORMATS.join(", ")}, got ${excerpt(options.format)}`);
  const graphExport = docs.length === 1 && options.parameters === undefined ? readGraphExportPieces([(docs[0] as InputDocument).text], options) : undefined;
  if (graphExport !== undefined) return graphExport;
  const parsed = docs.map((doc) => {
    const [p, detected] = parse(doc, options.format);
    const format = options.format ?? detected;
    if (format === undefined) throw new InputError(doc.name, "", `not a format this reader knows: expected ${INPUT_FORMATS.map((f) => FORMAT_NAMES[f]).join(", ")}`, { detected: "unknown" });
    if (options.format !== undefined && detected !== options.format) {
      throw new InputError(doc.name, "", `expected ${FORMAT_NAMES[options.format]} (format ${options.format}), but the input looks like ${detected === undefined ? "none of the formats this reader knows" : `${FORMAT_NAMES[detected]} (format ${detected})`}`, { expected: options.format, detected: detected ?? "unknown" });
    }
    return { doc, p, format };
  });
  const parameters = options.parameters ? parameterValues(options.parameters) : new Map<string, [Evaluation, string]>();
  for (const [name, [, path]] of parameters) {
    if (!parsed.some(({ p, format }) => format === "arm" && "json" in p && declares(p.json, name))) throw new InputError(options.parameters?.name ?? "(parameters)", path, `no template given declares the parameter '${name}'`);
  }
  const results = parsed.map(({ doc, p, format }) => {
    try {
      const r = readOne(doc, p, format, parameters);
      return docs.length > 1 ? { ...r, network: prefixUnknowns(r.network, `${doc.name}#`) } : r;
    } catch (e) {
      throw asInputError(e, doc.name);
    }
  });
  return { format: (parsed[0] as { format: InputFormat }).format, network: merge(results.map((r) => r.network)), found: displayTypes(results.flatMap((r) => r.found)) };
}


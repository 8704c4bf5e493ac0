// Stand-in until the readers issue lands (ARM only); the readers' version replaces this file.
/**
 * `readNetwork`: input documents (file name and text) into one `AzureNetwork`. This version reads ARM
 * templates only, with an ARM parameters file; JSON is refused past 64 MiB or 256 levels of nesting.
 */
import { emptyNetwork, type AzureNetwork } from "../model.js";
import { readArmTemplate } from "./arm.js";
import { ArmReadError } from "./arm-values.js";

export type InputFormat = "arm" | "az" | "resource-graph" | "tfplan" | "hcl";

export interface InputDocument {
  /** The file name, for messages. */
  readonly name: string;
  readonly text: string;
}

export interface ReadOptions {
  readonly format?: InputFormat;
  readonly parameters?: InputDocument;
}

export interface ReadResult {
  readonly format: InputFormat;
  readonly network: AzureNetwork;
  /** What the input holds (resource types), for "nothing to audit". */
  readonly found: readonly string[];
}

/** Input that cannot be read: the file, the field (path in the document) and why. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    reason: string,
  ) {
    super(`${file}: ${path}: ${reason}`);
    this.name = "InputError";
  }
}

const MAX_BYTES = 64 * 1024 * 1024;
const MAX_DEPTH = 256;

function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

function parseJson(doc: InputDocument): unknown {
  if (doc.text.length > MAX_BYTES) throw new InputError(doc.name, "(document)", `larger than ${MAX_BYTES / 1024 / 1024} MiB`);
  if (nestingDepth(doc.text) > MAX_DEPTH) throw new InputError(doc.name, "(document)", `nested deeper than ${MAX_DEPTH} levels`);
  try {
    return JSON.parse(doc.text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new InputError(doc.name, "(document)", `not valid JSON: ${(e as Error).message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parameterValues(doc: InputDocument | undefined): Record<string, unknown> | undefined {
  if (!doc) return undefined;
  const parsed = parseJson(doc);
  if (!isObject(parsed) || !isObject(parsed.parameters)) throw new InputError(doc.name, "parameters", "expected an ARM parameters file ({ \"parameters\": { name: { \"value\": ... } } })");
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed.parameters)) {
    if (!isObject(v) || !("value" in v)) throw new InputError(doc.name, `parameters.${k}`, "expected { \"value\": ... } (a Key Vault reference is not read)");
    out[k] = v.value;
  }
  return out;
}

function typesOf(template: Record<string, unknown>): string[] {
  const counts = new Map<string, number>();
  const visit = (list: unknown, parent?: string): void => {
    const items = Array.isArray(list) ? list : isObject(list) ? Object.values(list) : [];
    for (const r of items) {
      if (!isObject(r) || typeof r.type !== "string") continue;
      const type = parent && !r.type.includes("/") ? `${parent}/${r.type}` : r.type;
      counts.set(type, (counts.get(type) ?? 0) + 1);
      visit(r.resources, type);
    }
  };
  visit(template.resources);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([t, n]) => `${t} (${n})`);
}

function merge(a: AzureNetwork, b: AzureNetwork): AzureNetwork {
  return {
    networkSecurityGroups: [...a.networkSecurityGroups, ...b.networkSecurityGroups],
    routeTables: [...a.routeTables, ...b.routeTables],
    firewallPolicies: [...a.firewallPolicies, ...b.firewallPolicies],
    firewallPolicyRuleCollectionGroups: [...a.firewallPolicyRuleCollectionGroups, ...b.firewallPolicyRuleCollectionGroups],
    azureFirewalls: [...a.azureFirewalls, ...b.azureFirewalls],
    ipGroups: [...a.ipGroups, ...b.ipGroups],
    subnets: [...a.subnets, ...b.subnets],
    unread: [...a.unread, ...b.unread],
  };
}

/** Reads the documents (audited together) into one network. Throws InputError naming the file and field. */
export function readNetwork(input: InputDocument | readonly InputDocument[], options: ReadOptions = {}): ReadResult {
  const docs: readonly InputDocument[] = Array.isArray(input) ? input : [input as InputDocument];
  if (options.format !== undefined && options.format !== "arm") {
    throw new InputError(docs[0]?.name ?? "(input)", "(format)", `format ${options.format} is not readable by this build (only arm)`);
  }
  const parameters = parameterValues(options.parameters);
  let network = emptyNetwork();
  const found: string[] = [];
  for (const doc of docs) {
    const parsed = parseJson(doc);
    if (!isObject(parsed) || !("resources" in parsed)) throw new InputError(doc.name, "(document)", "expected an ARM template (an object with resources)");
    try {
      network = merge(network, readArmTemplate(parsed, parameters ? { parameters } : {}));
    } catch (e) {
      if (e instanceof ArmReadError) throw new InputError(doc.name, e.path, e.message.slice(e.path.length + 2));
      throw e;
    }
    found.push(...typesOf(parsed));
  }
  return { format: "arm", network, found };
}

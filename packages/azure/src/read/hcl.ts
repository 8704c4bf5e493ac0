/**
 * Terraform HCL into the model: `resource` blocks of the azurerm types `terraform-azurerm.ts` maps, with
 * literal values, variables with a default value, locals, and references to other resources' names and
 * ids. Anything else (a function call, a data source, a module output, a dynamic block, `count` or
 * `for_each`) is an `Unknown` naming the attribute and the expression. A call of the Azure Verified Module
 * for NSGs (`Azure/avm-res-network-networksecuritygroup/azurerm`) is read as the NSG and rules it makes.
 */
import { isUnknown, unknownValue, type Unknown } from "../unknown.js";
import type { JsonObject } from "./arm-values.js";
import { isObject } from "./input.js";
import { AZURERM_TYPES, azurermId, readAzurerm, type TerraformResource } from "./terraform-azurerm.js";
import type { AzureNetwork } from "../model.js";

/** An HCL document as hcl2json gives it. */
type HclJson = JsonObject;

/** A module whose contents are not known here and that may make network resources: a local path, or a name that says so. */
const MAY_HOLD_NETWORK = /^\.{1,2}\/|network|nsg|firewall|route|vnet|subnet|security/i;
const AVM_NSG = /(^|\/)avm-res-network-networksecuritygroup\/azurerm$/i;
const notLiteral = (expr: string) => `\${${expr}} is not a literal, a variable with a default value, a local or a reference to a resource this reader follows`;

/** The first object of each block list (hcl2json gives every block as an array). */
function blockBody(v: unknown): JsonObject {
  return Array.isArray(v) && isObject(v[0]) ? v[0] : isObject(v) ? v : {};
}

class HclScope {
  readonly #variables: JsonObject;
  readonly #locals: JsonObject;
  readonly #resources: ReadonlyMap<string, { type: string; body: JsonObject; path: string }>;
  readonly #evaluating = new Set<string>();

  constructor(doc: HclJson) {
    const vars = isObject(doc.variable) ? doc.variable : {};
    this.#variables = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, blockBody(v)]));
    this.#locals = Object.assign({}, ...(Array.isArray(doc.locals) ? doc.locals.filter(isObject) : isObject(doc.locals) ? [doc.locals] : []));
    const resources = new Map<string, { type: string; body: JsonObject; path: string }>();
    for (const [type, byName] of Object.entries(isObject(doc.resource) ? doc.resource : {})) {
      for (const [name, body] of Object.entries(isObject(byName) ? byName : {})) resources.set(`${type}.${name}`, { type, body: blockBody(body), path: `resource.${type}.${name}` });
    }
    this.#resources = resources;
  }

  resources(): ReadonlyMap<string, { type: string; body: JsonObject; path: string }> {
    return this.#resources;
  }

  /** Every string of a value evaluated; objects and arrays walked. */
  value(raw: unknown, path: string): unknown {
    if (typeof raw === "string") return this.#string(raw, path);
    if (Array.isArray(raw)) return raw.map((x, i) => this.value(x, `${path}[${i}]`));
    if (isObject(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, this.value(v, `${path}.${k}`)]));
    return raw;
  }

  #string(raw: string, path: string): unknown {
    if (!raw.includes("${") && !raw.includes("%{")) return raw;
    if (raw.includes("%{")) return unknownValue(path, "a template directive (%{...}) is not evaluated by this reader");
    const whole = /^\$\{([^{}]*)\}$/.exec(raw);
    if (whole) return this.#expression((whole[1] as string).trim(), path);
    // A template: literal text and interpolations, each of which must be a known scalar.
    let out = "";
    const parts = raw.split(/(\$\$\{|\$\{[^{}]*\})/);
    for (const part of parts) {
      if (part === "$${") out += "${";
      else if (part.startsWith("${")) {
        const v = this.#expression(part.slice(2, -1).trim(), path);
        if (isUnknown(v)) return v;
        if (v === null || typeof v === "object") return unknownValue(path, `${part} is not a string`);
        out += String(v);
      } else out += part;
    }
    return out;
  }

  #guard(key: string, path: string, compute: () => unknown): unknown {
    if (this.#evaluating.has(key)) return unknownValue(path, `${key} refers to itself`);
    this.#evaluating.add(key);
    try {
      return compute();
    } finally {
      this.#evaluating.delete(key);
    }
  }

  #expression(expr: string, path: string): unknown {
    if (/^-?\d+(\.\d+)?$/.test(expr)) return Number(expr);
    if (expr === "true" || expr === "false") return expr === "true";
    if (expr === "null") return null;
    const m = /^([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[(?:\d+|"[^"]*")\])*)$/.exec(expr);
    if (!m) return unknownValue(path, notLiteral(expr));
    const [, head, name, rest] = m as unknown as [string, string, string, string];
    const accessors = [...rest.matchAll(/\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+|"[^"]*")\]/g)].map((a) => (a[1] !== undefined ? a[1] : (a[2] as string).startsWith('"') ? JSON.parse(a[2] as string) : Number(a[2])));
    let base: unknown;
    if (head === "var") {
      const decl = this.#variables[name];
      if (!isObject(decl)) return unknownValue(path, `variable '${name}' is not declared`);
      if (!("default" in decl)) return unknownValue(path, `variable '${name}' has no default value`);
      base = this.#guard(`var.${name}`, path, () => this.value(decl.default, `variable.${name}.default`));
    } else if (head === "local") {
      if (!Object.hasOwn(this.#locals, name)) return unknownValue(path, `local '${name}' is not declared`);
      base = this.#guard(`local.${name}`, path, () => this.value(this.#locals[name], `locals.${name}`));
    } else {
      const res = this.#resources.get(`${head}.${name}`);
      const attr = accessors.shift();
      if (!res || typeof attr !== "string") return unknownValue(path, notLiteral(expr));
      const values = this.#guard(`${head}.${name}`, path, () => this.value(res.body, res.path)) as JsonObject;
      if (isUnknown(values)) return values;
      base = attr === "id" ? (azurermId(head, values) ?? unknownValue(path, `the id of ${head}.${name} is known only after apply`)) : (values[attr] ?? unknownValue(path, `${head}.${name}.${attr} is known only after apply`));
    }
    for (const key of accessors) {
      if (isUnknown(base)) return base;
      const next: unknown = Array.isArray(base) && typeof key === "number" ? base[key] : isObject(base) ? base[String(key)] : undefined;
      if (next === undefined) return unknownValue(path, `${expr}: ${JSON.stringify(key)} is not in the value`);
      base = next;
    }
    return base;
  }
}

/** A block list a `dynamic` block also builds: its content is not known to this reader. */
function withDynamic(body: JsonObject, path: string): JsonObject {
  if (!isObject(body.dynamic)) return body;
  const out: JsonObject = { ...body };
  for (const key of Object.keys(body.dynamic)) out[key] = [...(Array.isArray(body[key]) ? (body[key] as unknown[]) : []), unknownValue(`${path}.dynamic.${key}`, `built by a dynamic "${key}" block, which this reader does not expand`)];
  delete out.dynamic;
  return out;
}

/** The NSG and rules a call of the Azure Verified Module for NSGs makes, as azurerm resources. */
function avmNsg(scope: HclScope, name: string, body: JsonObject, path: string): TerraformResource[] {
  const v = scope.value(body, path) as JsonObject;
  const nsg: TerraformResource = { address: `module.${name}`, type: "azurerm_network_security_group", values: { name: v.name, location: v.location, resource_group_name: v.resource_group_name, security_rule: [] }, path };
  const rules = v.security_rules;
  if (isUnknown(rules)) return [nsg, { address: `module.${name}.rules`, type: "azurerm_network_security_rule", values: { name: rules, network_security_group_name: v.name, priority: rules, direction: rules, access: rules, protocol: rules }, path: `${path}.security_rules` }];
  const entries = isObject(rules) ? Object.entries(rules) : [];
  return [nsg, ...entries.map(([key, r]) => ({ address: `module.${name}.azurerm_network_security_rule.this["${key}"]`, type: "azurerm_network_security_rule", values: { ...(isObject(r) ? r : {}), network_security_group_name: v.name }, path: `${path}.security_rules.${key}` }))];
}

/** Reads an HCL document (hcl2json's form). */
export function readHclDocument(doc: HclJson): { network: AzureNetwork; found: string[] } {
  const scope = new HclScope(doc);
  const resources: TerraformResource[] = [];
  const unread: Unknown[] = [];
  const found: string[] = [];
  for (const [address, { type, body, path }] of scope.resources()) {
    found.push(type);
    if (!(type in AZURERM_TYPES) && !type.startsWith("azurerm_")) continue;
    const repeat = body.count ?? body.for_each;
    if (repeat !== undefined) {
      const count = scope.value(body.count, `${path}.count`);
      if (count === 0) continue;
      if (count !== 1) {
        unread.push(unknownValue(`${path}.${body.count !== undefined ? "count" : "for_each"}`, `${address} is repeated by ${body.count !== undefined ? "count" : "for_each"}, which this reader does not expand`));
        continue;
      }
    }
    resources.push({ address, type, values: scope.value(withDynamic(body, path), path) as JsonObject, path });
  }
  for (const [name, calls] of Object.entries(isObject(doc.module) ? doc.module : {})) {
    const body = blockBody(calls);
    const source = typeof body.source === "string" ? body.source : "";
    found.push(`module ${source}`);
    if (AVM_NSG.test(source)) resources.push(...avmNsg(scope, name, body, `module.${name}`));
    else if (MAY_HOLD_NETWORK.test(source)) unread.push(unknownValue(`module.${name}`, `a call of module '${source}', which this reader does not read`));
  }
  const network = readAzurerm(resources);
  return { network: { ...network, unread: [...network.unread, ...unread] }, found };
}

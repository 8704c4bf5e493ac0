/**
 * Terraform HCL into the model: `resource` blocks of the azurerm types `terraform-azurerm.ts` maps, with
 * literal values, variables with a default value, locals, and references to other resources' names and
 * ids. Anything else (a function call, a data source, a module output, a dynamic block, `count` or
 * `for_each`) is an `Unknown` naming the attribute and the expression. A call of the Azure Verified Module
 * for NSGs (`Azure/avm-res-network-networksecuritygroup/azurerm`) is read as the NSG and rules it makes.
 */
import { ownValue } from "@cassandra-mi-netrules/core";
import { isUnknown, unknownValue, type Unknown } from "../unknown.js";
import { setOwn, type JsonObject } from "./arm-values.js";
import { isObject } from "./input.js";
import { AZURERM_ARM_TYPES } from "../azurerm.js";
import { azurermId, readAzurerm, type TerraformResource } from "./terraform-azurerm.js";
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

/** A piece of a string of Terraform's JSON syntax (hcl2json's form): literal text, `${...}` or `%{...}`. */
type TemplatePart = { readonly literal: string } | { readonly interpolation: string } | { readonly directive: string };

/** Where the `}` that closes a sequence opened before `from` stands (braces inside quoted strings skipped), or -1. */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === "\\") i++;
    } else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

/**
 * A string of Terraform's JSON syntax cut into its parts, as HCL reads it: `$${` and `%%{` are the
 * literal `${` and `%{`; `${...}` an interpolation; `%{...}` a directive (`if`, `for`...).
 */
export function templateParts(s: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  for (let i = 0; i < s.length; i++) {
    const three = s.slice(i, i + 3);
    if (three === "$${" || three === "%%{") {
      literal += three.slice(1);
      i += 2;
      continue;
    }
    const two = s.slice(i, i + 2);
    const end = two === "${" || two === "%{" ? closingBrace(s, i + 2) : -1;
    if (end < 0) {
      literal += s[i];
      continue;
    }
    if (literal !== "") parts.push({ literal });
    literal = "";
    parts.push(two === "${" ? { interpolation: s.slice(i + 2, end).trim() } : { directive: s.slice(i, end + 1) });
    i = end;
  }
  if (literal !== "" || parts.length === 0) parts.push({ literal });
  return parts;
}

class HclScope {
  readonly #variables: JsonObject;
  readonly #locals: JsonObject;
  readonly #resources: ReadonlyMap<string, { type: string; body: JsonObject; path: string }>;
  readonly #evaluating = new Set<string>();

  /** `file`: the input's name, for the reasons that must name it. */
  constructor(
    doc: HclJson,
    readonly file: string,
  ) {
    const vars = isObject(doc.variable) ? doc.variable : {};
    this.#variables = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, blockBody(v)]));
    // Entries, not Object.assign: a local named `__proto__` stays an own key, not the prototype.
    this.#locals = Object.fromEntries((Array.isArray(doc.locals) ? doc.locals.filter(isObject) : isObject(doc.locals) ? [doc.locals] : []).flatMap((l) => Object.entries(l)));
    const resources = new Map<string, { type: string; body: JsonObject; path: string }>();
    for (const [type, byName] of Object.entries(isObject(doc.resource) ? doc.resource : {})) {
      for (const [name, body] of Object.entries(isObject(byName) ? byName : {})) resources.set(`${type}.${name}`, { type, body: blockBody(body), path: `resource.${type}.${name}` });
    }
    this.#resources = resources;
  }

  resources(): ReadonlyMap<string, { type: string; body: JsonObject; path: string }> {
    return this.#resources;
  }

  localNames(): string[] {
    return Object.keys(this.#locals);
  }

  /** Every string of a value evaluated; objects and arrays walked. */
  value(raw: unknown, path: string): unknown {
    if (typeof raw === "string") return this.#string(raw, path);
    if (Array.isArray(raw)) return raw.map((x, i) => this.value(x, `${path}[${i}]`));
    if (isObject(raw)) return this.#object(raw, path);
    return raw;
  }

  /** An object's keys are templates too (`"a$${b}" = 1` is the key `a${b}`): one that is not literal text makes the object unknown. */
  #object(raw: JsonObject, path: string): unknown {
    const entries: Array<[string, unknown]> = [];
    for (const [k, v] of Object.entries(raw)) {
      const key = this.#string(k, `${path}.${k}`);
      if (typeof key !== "string") return isUnknown(key) ? key : unknownValue(`${path}.${k}`, `the key ${k} is not a string`);
      entries.push([key, this.value(v, `${path}.${k}`)]);
    }
    return Object.fromEntries(entries);
  }

  #string(raw: string, path: string): unknown {
    const parts = templateParts(raw);
    if (parts.length === 1 && "literal" in (parts[0] as TemplatePart)) return (parts[0] as { literal: string }).literal;
    const directive = parts.find((p): p is { directive: string } => "directive" in p);
    if (directive) return unknownValue(path, `a template directive (${directive.directive}) in ${this.file}, which this reader does not evaluate`);
    const [only] = parts;
    if (parts.length === 1 && only && "interpolation" in only) return this.#expression(only.interpolation, path);
    // A template: literal text and interpolations, each of which must be a known scalar.
    let out = "";
    for (const part of parts) {
      if ("literal" in part) out += part.literal;
      else if ("interpolation" in part) {
        const v = this.#expression(part.interpolation, path);
        if (isUnknown(v)) return v;
        if (v === null || typeof v === "object") return unknownValue(path, `\${${part.interpolation}} is not a string`);
        out += String(v);
      }
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
    // `x == null ? a : b`, the usual `count` of an optional resource; a nested or other condition stays unknown.
    const test = /^([^?:]+?)\s*(==|!=)\s*null\s*\?\s*([^?:]+?)\s*:\s*([^?:]+)$/.exec(expr);
    if (test) {
      const subject = this.#expression((test[1] as string).trim(), path);
      if (isUnknown(subject)) return subject;
      return this.#expression(((subject === null) === (test[2] === "==") ? test[3] : test[4]) as string, path);
    }
    if (expr === "true" || expr === "false") return expr === "true";
    if (expr === "null") return null;
    const m = /^([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[(?:\d+|"[^"]*")\])*)$/.exec(expr);
    if (!m) return unknownValue(path, notLiteral(expr));
    const [, head, name, rest] = m as unknown as [string, string, string, string];
    const accessors = [...rest.matchAll(/\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+|"[^"]*")\]/g)].map((a) => (a[1] !== undefined ? a[1] : (a[2] as string).startsWith('"') ? JSON.parse(a[2] as string) : Number(a[2])));
    let base: unknown;
    if (head === "var") {
      const decl = ownValue(this.#variables, name);
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
      base = attr === "id" ? (azurermId(head, values) ?? unknownValue(path, `the id of ${head}.${name} is known only after apply`)) : (ownValue(values, attr) ?? unknownValue(path, `${head}.${name}.${attr} is known only after apply`));
    }
    for (const key of accessors) {
      if (isUnknown(base)) return base;
      const next: unknown = Array.isArray(base) && typeof key === "number" ? base[key] : isObject(base) ? ownValue(base, String(key)) : undefined;
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
  for (const key of Object.keys(body.dynamic)) setOwn(out, key, [...(Array.isArray(body[key]) ? (body[key] as unknown[]) : []), unknownValue(`${path}.dynamic.${key}`, `built by a dynamic "${key}" block, which this reader does not expand`)]);
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
export function readHclDocument(doc: HclJson, file: string): { network: AzureNetwork; found: string[] } {
  const scope = new HclScope(doc, file);
  const resources: TerraformResource[] = [];
  const unread: Unknown[] = [];
  const found: string[] = [];
  for (const [address, { type, body, path }] of scope.resources()) {
    found.push(type);
    if (!Object.hasOwn(AZURERM_ARM_TYPES, type) && !type.startsWith("azurerm_")) continue;
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

/** Each local of an HCL document (hcl2json's form), as this reader evaluates `local.<name>` (an Unknown where it cannot). */
export function readHclLocals(doc: HclJson, file: string): Record<string, unknown> {
  const scope = new HclScope(doc, file);
  return Object.fromEntries(scope.localNames().map((name) => [name, scope.value(`\${local.${name}}`, `locals.${name}`)]));
}

/**
 * readArmTemplate: an ARM template (JSON text or the parsed value) into the model, as Bicep and Azure
 * Verified Modules compile them. Parameters take the values given, else their default values (null for
 * a nullable one); variables, `copy` loops (resources, properties, variables) and the expressions of
 * `arm-expression.ts` are evaluated; nested deployments with an inline template are read in their own
 * scope. What the template alone cannot decide is an `Unknown` naming the field. Child resources, top
 * level or nested, join their parent.
 */
import type { AzureNetwork } from "../model.js";
import { isUnknown, unknownValue, type Maybe, type Unknown } from "../unknown.js";
import type { Evaluation } from "./arm-expression.js";
import { ArmReadError, copyCount, FieldReader, isObject, resolveTemplateValue, setOwn, TemplateScope, type JsonObject } from "./arm-values.js";
import { NetworkBuilder } from "./network-builder.js";

export interface ArmReadOptions {
  /** Values of the template's parameters (as in a parameters file); the others take their `defaultValue`. */
  readonly parameters?: Readonly<Record<string, unknown>>;
}

interface Entry {
  readonly res: JsonObject;
  readonly path: string;
  /** Full lower-case type. */
  readonly type: string;
  /** The enclosing resource, for a nested child. */
  readonly parent?: Entry;
  /** Reads the entry's fields in its scope: its template's parameters, its copy loop iteration. */
  readonly reader: FieldReader;
}

const DEPLOYMENTS = "microsoft.resources/deployments";
const NETWORK_TYPE = /^microsoft\.network\//;

function typeOf(res: JsonObject, path: string, parentType: string | undefined): string {
  if (typeof res.type !== "string") throw new ArmReadError(`${path}.type`, res.type, "expected a resource type");
  const t = res.type.toLowerCase();
  return parentType !== undefined && !t.includes("/") ? `${parentType}/${t}` : t;
}

/** The resources of a template: an array, or an object of symbolic names (`languageVersion` 2.0). */
function resourceList(doc: JsonObject, prefix: string): Array<[unknown, string]> {
  const top = doc.resources;
  if (top === undefined || top === null) return [];
  if (Array.isArray(top)) return top.map((r, i) => [r, `${prefix}resources[${i}]`]);
  if (isObject(top)) return Object.entries(top).map(([k, r]) => [r, `${prefix}resources[${JSON.stringify(k)}]`]);
  throw new ArmReadError(`${prefix}resources`, top, "expected an array (or an object of symbolic names)");
}

/** Whether the resource is deployed: `condition` false leaves it out; an unknown condition reads it as deployed. */
function deployed(r: FieldReader, res: JsonObject, path: string): boolean {
  return res.condition === undefined || r.value(res.condition, `${path}.condition`) !== false;
}

/** Flattens a template: resources by scope and loop iteration, what could not be expanded, every type met. */
class Collector {
  readonly entries: Entry[] = [];
  readonly unread: Unknown[] = [];
  readonly found: string[] = [];

  /** Every resource of `doc` read in `scope`, nested children and nested deployments included. */
  template(doc: JsonObject, scope: TemplateScope, prefix: string): void {
    for (const [raw, path] of resourceList(doc, prefix)) this.resource(raw, path, scope, undefined);
  }

  resource(raw: unknown, path: string, scope: TemplateScope, parent: Entry | undefined): void {
    if (!isObject(raw)) throw new ArmReadError(path, raw, "expected a resource object");
    const type = typeOf(raw, path, parent?.type);
    this.found.push(parent === undefined && typeof raw.type === "string" ? raw.type : type);
    // `existing`: a reference to a resource deployed elsewhere; its children still join it by name.
    if (raw.existing === true) return;
    const copy = raw.copy;
    if (!isObject(copy)) return this.iteration(raw, path, type, scope, parent);
    const loop = typeof copy.name === "string" ? copy.name : "";
    let count: number | string;
    try {
      count = copyCount(scope, copy.count);
    } catch (e) {
      throw e instanceof ArmReadError ? new ArmReadError(`${path}.copy.count`, e.value, e.reason) : e;
    }
    if (typeof count === "string") {
      if (NETWORK_TYPE.test(type) || type === DEPLOYMENTS) this.unread.push(unknownValue(`${path}.copy.count`, `copy loop '${loop}' of ${String(raw.type)}: ${count}`));
      return;
    }
    for (let i = 0; i < count; i++) this.iteration(raw, `${path}[copyIndex=${i}]`, type, scope.withCopy(loop, i, true), parent);
  }

  iteration(res: JsonObject, path: string, type: string, scope: TemplateScope, parent: Entry | undefined): void {
    const reader = new FieldReader(scope);
    if (!deployed(reader, res, path)) return;
    if (type === DEPLOYMENTS) return this.deployment(res, path, scope, reader);
    const entry: Entry = { res, path, type, reader, ...(parent ? { parent } : {}) };
    this.entries.push(entry);
    const kids = Array.isArray(res.resources) ? res.resources : [];
    kids.forEach((k, j) => this.resource(k, `${path}.resources[${j}]`, scope, entry));
  }

  /** A nested deployment: its inline template read in its own scope (`inner`) or its parent's (`outer`, ARM's default). */
  deployment(res: JsonObject, path: string, scope: TemplateScope, reader: FieldReader): void {
    const props = reader.properties(res.properties, `${path}.properties`);
    if (isUnknown(props)) return void this.unread.push(props);
    if (!isObject(props.template)) {
      return void this.unread.push(unknownValue(`${path}.properties.templateLink`, "a nested deployment of a linked template, which this reader cannot fetch"));
    }
    const options = isObject(props.expressionEvaluationOptions) ? props.expressionEvaluationOptions : {};
    const inner = typeof options.scope === "string" && options.scope.toLowerCase() === "inner";
    const prefix = `${path}.properties.template.`;
    if (!inner) return this.template(props.template, scope, prefix);
    const evaluated = deploymentParameters(props.parameters, scope, `${path}.properties.parameters`);
    const where = (key: string): string | undefined => {
      const v = res[key] === undefined ? undefined : reader.value(res[key], `${path}.${key}`);
      return typeof v === "string" ? v : undefined;
    };
    const sub = where("subscriptionId") ?? scope.target?.subscriptionId;
    const rg = where("resourceGroup") ?? (sub !== scope.target?.subscriptionId ? undefined : scope.target?.resourceGroup);
    const target = { ...(sub !== undefined ? { subscriptionId: sub } : {}), ...(rg !== undefined ? { resourceGroup: rg } : {}) };
    this.template(props.template, new TemplateScope(props.template, {}, { evaluated, target }), prefix);
  }
}

/** The parameter values a nested deployment gives its template, evaluated in the parent. */
function deploymentParameters(raw: unknown, scope: TemplateScope, path: string): Record<string, Evaluation> {
  const evaluated: Record<string, Evaluation> = {};
  for (const [name, p] of Object.entries(isObject(raw) ? raw : {})) {
    if (!isObject(p) || !("value" in p)) {
      setOwn(evaluated, name, { ok: false, reason: `the value of parameter '${name}' comes from ${isObject(p) && "reference" in p ? "a Key Vault reference" : "outside the template"}` });
      continue;
    }
    const v = resolveTemplateValue(p.value, scope, `${path}.${name}.value`);
    setOwn(evaluated, name, isUnknown(v) ? { ok: false, reason: v.reason } : { ok: true, value: v });
  }
  return evaluated;
}

/** A child's parent name and own name: nested (the parent's name, its own) or top level (`<parent>/<child>`). */
function childNames(e: Entry): [Maybe<string>, Maybe<string>] {
  const own = e.reader.string(e.res.name, `${e.path}.name`);
  if (e.parent) {
    const parentName = e.parent.reader.string(e.parent.res.name, `${e.parent.path}.name`);
    return [parentName, isUnknown(own) ? own : (own.split("/").at(-1) as string)];
  }
  if (isUnknown(own)) return [own, own];
  const segments = own.split("/");
  if (segments.length !== 2) throw new ArmReadError(`${e.path}.name`, own, "a child resource at top level is named <parent>/<child>");
  return [segments[0] as string, segments[1] as string];
}

/** What one ARM template holds: the network, and every resource type met (for "nothing to audit"). */
export interface ArmDocument {
  readonly network: AzureNetwork;
  /** The resource types met (deployed or not), as written. */
  readonly found: readonly string[];
}

/** Reads a parsed ARM template; `readArmTemplate` and `readNetwork` both come here. `evaluated`: parameter values as evaluations (a Key Vault reference is not known). */
export function readArmDocument(doc: JsonObject, parameters: Readonly<Record<string, unknown>>, evaluated: Readonly<Record<string, Evaluation>> = {}): ArmDocument {
  const collected = new Collector();
  collected.template(doc, new TemplateScope(doc, parameters, { evaluated }), "");
  const b = new NetworkBuilder("template");
  b.unread.push(...collected.unread);
  for (const e of collected.entries.filter((x) => NETWORK_TYPE.test(x.type))) {
    const names = (): [Maybe<string>, Maybe<string>] => childNames(e);
    const child = e.parent !== undefined || e.type.split("/").length > 2;
    b.add({ res: e.res, path: e.path, type: e.type, reader: e.reader, name: child ? () => names()[1] : () => e.reader.string(e.res.name, `${e.path}.name`), ...(child ? { parentName: () => names()[0] } : {}) });
  }
  return { network: b.result(), found: collected.found };
}

/** Reads an ARM template into the model. Throws ArmReadError naming the field when the template is not a valid one. */
export function readArmTemplate(template: unknown, options: ArmReadOptions = {}): AzureNetwork {
  let doc = template;
  if (typeof template === "string") {
    try {
      doc = JSON.parse(template);
    } catch (e) {
      throw new ArmReadError("(template)", template.slice(0, 40), `not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!isObject(doc)) throw new ArmReadError("(template)", doc, "expected a JSON object");
  return readArmDocument(doc, options.parameters ?? {}).network;
}

/**
 * Reading one field of an ARM template: its value after ARM would evaluate it, or an `Unknown` naming the
 * field and why (an expression this reader cannot evaluate, a parameter without a value). A value of the
 * wrong JSON type is an ArmReadError naming the field and the value.
 */
import { ownValueAnyCase } from "@cassandra-mi-netrules/core";
import { isUnknown, unknownValue, type Maybe, type Unknown } from "../unknown.js";
import type { MaybeList } from "../model.js";
import { ArmExpressionError, evaluateArmExpression, notKnown, ok, type ArmJson, type DeploymentTarget, type Evaluation, type ExpressionScope } from "./arm-expression.js";
import { templateForm } from "./arm-functions.js";
import { excerpt } from "./input.js";

export class ArmReadError extends Error {
  constructor(
    readonly path: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`${path}: ${reason} (value: ${ArmReadError.show(value)})`);
    this.name = "ArmReadError";
  }

  /** A short, escaped excerpt of a value: never the whole input. */
  static show(value: unknown): string {
    return excerpt(value, 80);
  }
}

export type JsonObject = Record<string, unknown>;
export const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

/** `o[key] = value` as an own property: assigning `__proto__` would set the prototype and lose the entry. */
export function setOwn<T>(o: Record<string, T>, key: string, value: NoInfer<T>): void {
  if (key === "__proto__") Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}

/** A string ARM evaluates: starts with `[` (not `[[`) and ends with `]`. */
function isExpression(value: string): boolean {
  return value.startsWith("[") && !value.startsWith("[[") && value.endsWith("]");
}

/** ARM's own limit on the iterations of one copy loop. */
export const MAX_COPY_COUNT = 800;

/** How a string of the input becomes a value: evaluated as ARM does, or taken as it is (`az` output, plans). */
export interface Settler {
  settle(raw: string): Evaluation;
}

/** Input that holds data, not template text: every string is itself. */
export const LITERAL: Settler = { settle: (raw) => ok(raw) };

interface ScopeOptions {
  /** Parameter values already in template form (a nested deployment's values, evaluated in its parent). */
  readonly evaluated?: Readonly<Record<string, Evaluation>>;
  readonly target?: DeploymentTarget;
}

/** The template's parameters and variables, with the values given for the deployment, and the copy loops in force. */
export class TemplateScope implements ExpressionScope, Settler {
  #parameters: JsonObject;
  #definitions: JsonObject;
  #variables: JsonObject;
  #copyVariables: ReadonlyMap<string, JsonObject>;
  #given: Readonly<Record<string, Evaluation>>;
  #evaluating: Set<string>;
  #copies: ReadonlyMap<string, number> = new Map();
  #resourceLoop: string | undefined;
  #target: DeploymentTarget | undefined;

  constructor(template: JsonObject, given: Readonly<Record<string, unknown>>, options: ScopeOptions = {}) {
    this.#parameters = isObject(template.parameters) ? template.parameters : {};
    this.#definitions = isObject(template.definitions) ? template.definitions : {};
    const variables = isObject(template.variables) ? template.variables : {};
    this.#variables = variables;
    const copies = Array.isArray(variables.copy) ? variables.copy.filter(isObject) : [];
    this.#copyVariables = new Map(copies.filter((c) => typeof c.name === "string").map((c) => [c.name as string, c]));
    this.#given = { ...Object.fromEntries(Object.entries(given).map(([k, v]) => [k, ok(sourceFormOfGiven(v))])), ...options.evaluated };
    this.#evaluating = new Set();
    this.#target = options.target;
  }

  get target(): DeploymentTarget | undefined {
    return this.#target;
  }

  /** The same scope inside iteration `index` of the copy loop `loop` (`resourceLoop`: the loop `copyIndex()` without a name counts). */
  withCopy(loop: string, index: number, resourceLoop: boolean): TemplateScope {
    const s = new TemplateScope({}, {});
    s.#parameters = this.#parameters;
    s.#definitions = this.#definitions;
    s.#variables = this.#variables;
    s.#copyVariables = this.#copyVariables;
    s.#given = this.#given;
    s.#evaluating = this.#evaluating;
    s.#target = this.#target;
    s.#copies = new Map([...this.#copies, [loop, index]]);
    s.#resourceLoop = resourceLoop ? loop : this.#resourceLoop;
    return s;
  }

  /** A string as written in the template (an expression, `[[literal` or plain) as its value. */
  settle(raw: string): Evaluation {
    if (raw.startsWith("[[")) return ok(raw.slice(1));
    if (!isExpression(raw)) return ok(raw);
    try {
      // A string result is final; objects and arrays stay in template form, read field by field.
      return evaluateArmExpression(raw.slice(1, -1), this);
    } catch (e) {
      if (e instanceof ArmExpressionError) return notKnown(e.message);
      if (e instanceof RangeError) return notKnown("the expression is too deep to evaluate");
      throw e;
    }
  }

  #guarded(key: string, compute: () => Evaluation): Evaluation {
    if (this.#evaluating.has(key)) return notKnown(`${key} refers to itself`);
    this.#evaluating.add(key);
    try {
      return compute();
    } finally {
      this.#evaluating.delete(key);
    }
  }

  #declared(name: string): JsonObject | undefined {
    const own = ownValueAnyCase(this.#parameters, name);
    return isObject(own) ? own : undefined;
  }

  /** A parameter declared `nullable` (itself or through the user type it refers to) is null when not given. */
  #nullable(declared: JsonObject): boolean {
    if (declared.nullable === true) return true;
    const ref = typeof declared.$ref === "string" ? /^#\/definitions\/(.+)$/.exec(declared.$ref)?.[1] : undefined;
    const def = ref === undefined ? undefined : this.#definitions[ref];
    return isObject(def) && def.nullable === true;
  }

  parameter(name: string): Evaluation {
    const given = ownValueAnyCase(this.#given, name);
    if (given !== undefined) return given;
    const declared = this.#declared(name);
    if (!declared) return notKnown(`parameter '${name}' is not declared`);
    if (!("defaultValue" in declared)) return this.#nullable(declared) ? ok(null) : notKnown(`parameter '${name}' has no default value and none was given`);
    const raw = declared.defaultValue as ArmJson;
    return typeof raw === "string" ? this.#guarded(`parameters('${name}')`, () => this.settle(raw)) : ok(raw);
  }

  variable(name: string): Evaluation {
    const loop = this.#copyVariables.get(name);
    if (loop) return this.#guarded(`variables('${name}')`, () => this.#copyVariable(name, loop));
    if (!Object.hasOwn(this.#variables, name) || name === "copy") return notKnown(`variable '${name}' is not declared`);
    const raw = this.#variables[name] as ArmJson;
    return typeof raw === "string" ? this.#guarded(`variables('${name}')`, () => this.settle(raw)) : ok(raw);
  }

  /** A variable built by a `variables.copy` loop: its elements, each evaluated in its iteration. */
  #copyVariable(name: string, loop: JsonObject): Evaluation {
    const count = copyCount(this, loop.count);
    if (typeof count === "string") return notKnown(`variable '${name}': ${count}`);
    const out: ArmJson[] = [];
    for (let i = 0; i < count; i++) {
      const inner = this.withCopy(name, i, false);
      const v = resolveTemplateValue(loop.input, inner, `variables.copy['${name}'][${i}]`);
      if (isUnknown(v)) return notKnown(v.reason);
      out.push(v as ArmJson);
    }
    return ok(out);
  }

  copyIndex(loop: string | undefined): Evaluation {
    const name = loop ?? this.#resourceLoop;
    if (name === undefined) return notKnown("copyIndex() outside a copy loop");
    const key = [...this.#copies.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? notKnown(`copyIndex('${name}') outside that copy loop`) : ok(this.#copies.get(key) as number);
  }
}

/** The iteration count of a copy loop, or why it is not known. */
export function copyCount(scope: Settler, raw: unknown): number | string {
  const v = typeof raw === "string" ? scope.settle(raw) : ok(raw as ArmJson);
  if (!v.ok) return `its count is not known: ${v.reason}`;
  if (typeof v.value !== "number" || !Number.isInteger(v.value) || v.value < 0) return `its count is not a whole number (${ArmReadError.show(v.value)})`;
  if (v.value > MAX_COPY_COUNT) throw new ArmReadError("copy.count", v.value, `a copy loop runs at most ${MAX_COPY_COUNT} times (ARM's limit)`);
  return v.value;
}

/**
 * A value of the template evaluated in `scope`, in template form (strings escaped, objects and arrays
 * walked), property copy loops expanded; what cannot be known becomes an Unknown marker naming its path.
 */
export function resolveTemplateValue(raw: unknown, scope: TemplateScope, path: string): ArmJson | Unknown {
  if (isUnknown(raw)) return raw;
  if (typeof raw === "string") {
    const v = scope.settle(raw);
    if (!v.ok) return unknownValue(path, v.reason);
    return typeof v.value === "string" ? templateForm(v.value) : v.value;
  }
  if (Array.isArray(raw)) return raw.map((x, i) => resolveTemplateValue(x, scope, `${path}[${i}]`) as ArmJson);
  if (!isObject(raw)) return raw as ArmJson;
  const out: Record<string, ArmJson> = {};
  for (const [k, v] of Object.entries(raw)) if (k !== "copy" || !Array.isArray(v)) setOwn(out, k, resolveTemplateValue(v, scope, `${path}.${k}`) as ArmJson);
  if (Array.isArray(raw.copy)) for (const [k, v] of Object.entries(expandPropertyCopies(raw.copy, scope, path))) setOwn(out, k, v);
  return out;
}

/** Property copy loops (`properties.copy: [{ name, count, input }]`): each named property as the list its loop builds. */
export function expandPropertyCopies(loops: readonly unknown[], scope: TemplateScope, path: string): Record<string, ArmJson> {
  const out: Record<string, ArmJson> = {};
  loops.forEach((loop, k) => {
    const at = `${path}.copy[${k}]`;
    if (!isObject(loop) || typeof loop.name !== "string") throw new ArmReadError(at, loop, "a property copy loop needs a name, a count and an input");
    let count: number | string;
    try {
      count = copyCount(scope, loop.count);
    } catch (e) {
      throw e instanceof ArmReadError ? new ArmReadError(`${at}.count`, e.value, e.reason) : e;
    }
    if (typeof count === "string") {
      setOwn(out, loop.name, unknownValue(`${path}.${loop.name}`, `built by copy loop '${loop.name}' (${at}): ${count}`) as unknown as ArmJson);
      return;
    }
    setOwn(out, loop.name, Array.from({ length: count }, (_, i) => resolveTemplateValue(loop.input, scope.withCopy(loop.name as string, i, false), `${path}.${loop.name}[${i}]`) as ArmJson));
  });
  return out;
}

/** A given parameter value: strings are final; objects and arrays are read like template JSON, so their strings are escaped. */
function sourceFormOfGiven(value: unknown): ArmJson {
  const v = value as ArmJson;
  return typeof v === "string" ? v : templateForm(v);
}

const isString = (v: unknown): v is string => typeof v === "string";
export const isInteger = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";

/** Reads typed fields at a path; every reader method evaluates what it reads. */
export class FieldReader {
  /** `flat`: objects may hold their properties at top level (the `az` CLI's output), not under `properties`. */
  constructor(
    readonly scope: Settler,
    readonly flat = false,
  ) {}

  /** The value of a field: evaluated when it is an expression, or an Unknown. */
  value(raw: unknown, path: string): unknown {
    // LITERAL settles every string as itself: no Evaluation to make for each string of a large export.
    if (typeof raw !== "string" || this.scope === LITERAL) return raw;
    const r = this.scope.settle(raw);
    return r.ok ? r.value : unknownValue(path, r.reason);
  }

  object(raw: unknown, path: string): JsonObject | Unknown {
    // An object (an Unknown is one too) is itself whatever the scope: only strings are evaluated.
    if (isObject(raw)) return raw;
    const v = this.value(raw, path);
    if (isUnknown(v) || isObject(v)) return v;
    throw new ArmReadError(path, v, "expected an object");
  }

  /** A field that must be an object when present (a resource's `properties`); missing reads as empty. */
  properties(raw: unknown, path: string): JsonObject | Unknown {
    return raw === undefined || raw === null ? {} : this.object(raw, path);
  }

  /** The properties of a resource or element and their path: under `properties`, or the object itself in flat input without one. */
  propertiesOf(o: JsonObject, path: string): { readonly o: JsonObject; readonly path: string } | Unknown {
    if (this.flat && !isObject(o.properties)) return { o, path };
    const at = `${path}.properties`;
    const p = this.properties(o.properties, at);
    return isUnknown(p) ? p : { o: p, path: at };
  }

  #typed<T>(raw: unknown, path: string, check: (v: unknown) => v is T, expected: string): Maybe<T> {
    const v = this.value(raw, path);
    if (isUnknown(v) || check(v)) return v;
    throw new ArmReadError(path, v, `expected ${expected}`);
  }

  string(raw: unknown, path: string): Maybe<string> {
    // Data input: a string is itself (no Evaluation, no check for an Unknown) for each string of a large export.
    if (typeof raw === "string" && this.scope === LITERAL) return raw;
    return this.#typed(raw, path, isString, "a string");
  }

  int(raw: unknown, path: string): Maybe<number> {
    // `az` and Resource Graph print some integers as strings ("priority": "100" in older outputs).
    if (this.flat && typeof raw === "string" && /^-?\d+$/.test(raw)) return Number(raw);
    if (isInteger(raw)) return raw;
    return this.#typed(raw, path, isInteger, "an integer");
  }

  bool(raw: unknown, path: string): Maybe<boolean> {
    return this.#typed(raw, path, isBoolean, "true or false");
  }

  /** One of `allowed`, matched without regard to case and returned as Azure spells it. */
  oneOf<T extends string>(raw: unknown, path: string, allowed: readonly T[]): Maybe<T> {
    const v = this.string(raw, path);
    if (isUnknown(v)) return v;
    // Spelled as Azure spells it (the lists hold each value once, whatever the case): no lower-casing.
    if ((allowed as readonly string[]).includes(v)) return v as T;
    const match = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    if (match === undefined) throw new ArmReadError(path, v, `expected one of ${allowed.join(", ")}`);
    return match;
  }

  /** A field the schema requires: missing is an error. */
  required<T>(o: JsonObject, key: string, path: string, read: (raw: unknown, path: string) => T): T {
    const raw = o[key];
    const at = `${path}.${key}`;
    if (raw === undefined) throw new ArmReadError(at, undefined, "is required");
    return read(raw, at);
  }

  /** A field that may be missing: undefined when it is (or when it is null, or an expression that evaluates to null). */
  optional<T>(o: JsonObject, key: string, path: string, read: (raw: unknown, path: string) => T): T | undefined {
    const raw = o[key];
    if (raw === undefined || raw === null) return undefined;
    const at = `${path}.${key}`;
    // Data input: the value is `raw`, not null here; only an expression may evaluate to null.
    return this.scope !== LITERAL && this.value(raw, at) === null ? undefined : read(raw, at);
  }

  /** A list: each element read by `item`; a list given by an expression the reader cannot evaluate is one Unknown; null is empty. */
  list<T>(raw: unknown, path: string, item: (raw: unknown, path: string) => Maybe<T>): MaybeList<T> {
    const v = this.value(raw, path);
    if (isUnknown(v)) return [v];
    if (v === null) return [];
    if (!Array.isArray(v)) throw new ArmReadError(path, v, "expected an array");
    return v.map((x, i) => item(x, `${path}[${i}]`));
  }

  /** A list of strings; in data input (LITERAL) a list of strings is itself: kept, not copied, for each list of a large export. */
  strings(raw: unknown, path: string): MaybeList<string> {
    if (this.scope === LITERAL && Array.isArray(raw) && raw.every(isString)) return raw;
    return this.list(raw, path, (x, p) => this.string(x, p));
  }
}

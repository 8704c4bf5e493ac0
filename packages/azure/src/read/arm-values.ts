/**
 * Reading one field of an ARM template: its value after ARM would evaluate it, or an `Unknown` naming the
 * field and why (an expression this reader cannot evaluate, a parameter without a value). A value of the
 * wrong JSON type is an ArmReadError naming the field and the value.
 */
import { isUnknown, unknownValue, type Maybe, type Unknown } from "../unknown.js";
import type { MaybeList } from "../model.js";
import { ArmExpressionError, evaluateArmExpression, type ArmJson, type Evaluation, type ExpressionScope } from "./arm-expression.js";

export class ArmReadError extends Error {
  constructor(
    readonly path: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${path}: ${reason} (value: ${ArmReadError.show(value)})`);
    this.name = "ArmReadError";
  }

  static show(value: unknown): string {
    const text = value === undefined ? "undefined" : JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  }
}

export type JsonObject = Record<string, unknown>;
export const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

/** A string ARM evaluates: starts with `[` (not `[[`) and ends with `]`. */
function isExpression(value: string): boolean {
  return value.startsWith("[") && !value.startsWith("[[") && value.endsWith("]");
}

/** A final string as it would be written in a template (so that reading it again gives it back). */
function sourceForm(value: ArmJson): ArmJson {
  if (typeof value === "string") return value.startsWith("[") ? `[${value}` : value;
  if (Array.isArray(value)) return value.map(sourceForm);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sourceForm(v)]));
  return value;
}

/** The template's parameters and variables, with the values given for the deployment. */
export class TemplateScope implements ExpressionScope {
  readonly #parameters: JsonObject;
  readonly #variables: JsonObject;
  readonly #given: Readonly<Record<string, unknown>>;
  readonly #evaluating = new Set<string>();

  constructor(template: JsonObject, given: Readonly<Record<string, unknown>>) {
    this.#parameters = isObject(template.parameters) ? template.parameters : {};
    this.#variables = isObject(template.variables) ? template.variables : {};
    this.#given = given;
  }

  /** A string as written in the template (an expression, `[[literal` or plain) as its value. */
  settle(raw: string): Evaluation {
    if (raw.startsWith("[[")) return { ok: true, value: raw.slice(1) };
    if (!isExpression(raw)) return { ok: true, value: raw };
    try {
      const result = evaluateArmExpression(raw.slice(1, -1), this);
      // A string result is final; objects and arrays stay in template form, read field by field.
      return result;
    } catch (e) {
      if (e instanceof ArmExpressionError) return { ok: false, reason: e.message };
      throw e;
    }
  }

  #guarded(key: string, compute: () => Evaluation): Evaluation {
    if (this.#evaluating.has(key)) return { ok: false, reason: `${key} refers to itself` };
    this.#evaluating.add(key);
    try {
      return compute();
    } finally {
      this.#evaluating.delete(key);
    }
  }

  parameter(name: string): Evaluation {
    if (Object.hasOwn(this.#given, name)) return { ok: true, value: sourceFormOfGiven(this.#given[name]) };
    const declared = this.#parameters[name];
    if (!isObject(declared)) return { ok: false, reason: `parameter '${name}' is not declared` };
    if (!("defaultValue" in declared)) return { ok: false, reason: `parameter '${name}' has no default value and none was given` };
    const raw = declared.defaultValue as ArmJson;
    return typeof raw === "string" ? this.#guarded(`parameters('${name}')`, () => this.settle(raw)) : { ok: true, value: raw };
  }

  variable(name: string): Evaluation {
    if (!Object.hasOwn(this.#variables, name)) return { ok: false, reason: `variable '${name}' is not declared` };
    const raw = this.#variables[name] as ArmJson;
    return typeof raw === "string" ? this.#guarded(`variables('${name}')`, () => this.settle(raw)) : { ok: true, value: raw };
  }
}

/** A given parameter value: strings are final; objects and arrays are read like template JSON, so their strings are escaped. */
function sourceFormOfGiven(value: unknown): ArmJson {
  const v = value as ArmJson;
  return typeof v === "string" ? v : sourceForm(v);
}

/** Reads typed fields at a path; every reader method evaluates what it reads. */
export class FieldReader {
  constructor(readonly scope: TemplateScope) {}

  /** The value of a field: evaluated when it is an expression, or an Unknown. */
  value(raw: unknown, path: string): unknown {
    if (typeof raw !== "string") return raw;
    const r = this.scope.settle(raw);
    return r.ok ? r.value : unknownValue(path, r.reason);
  }

  object(raw: unknown, path: string): JsonObject | Unknown {
    const v = this.value(raw, path);
    if (isUnknown(v) || isObject(v)) return v;
    throw new ArmReadError(path, v, "expected an object");
  }

  /** A field that must be an object when present (a resource's `properties`); missing reads as empty. */
  properties(raw: unknown, path: string): JsonObject | Unknown {
    return raw === undefined ? {} : this.object(raw, path);
  }

  #typed<T>(raw: unknown, path: string, check: (v: unknown) => v is T, expected: string): Maybe<T> {
    const v = this.value(raw, path);
    if (isUnknown(v) || check(v)) return v;
    throw new ArmReadError(path, v, `expected ${expected}`);
  }

  string(raw: unknown, path: string): Maybe<string> {
    return this.#typed(raw, path, (v): v is string => typeof v === "string", "a string");
  }

  int(raw: unknown, path: string): Maybe<number> {
    return this.#typed(raw, path, (v): v is number => typeof v === "number" && Number.isInteger(v), "an integer");
  }

  bool(raw: unknown, path: string): Maybe<boolean> {
    return this.#typed(raw, path, (v): v is boolean => typeof v === "boolean", "true or false");
  }

  /** One of `allowed`, matched without regard to case and returned as Azure spells it. */
  oneOf<T extends string>(raw: unknown, path: string, allowed: readonly T[]): Maybe<T> {
    const v = this.string(raw, path);
    if (isUnknown(v)) return v;
    const match = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    if (match === undefined) throw new ArmReadError(path, v, `expected one of ${allowed.join(", ")}`);
    return match;
  }

  /** A field the schema requires: missing is an error. */
  required<T>(o: JsonObject, key: string, path: string, read: (raw: unknown, path: string) => T): T {
    if (o[key] === undefined) throw new ArmReadError(`${path}.${key}`, undefined, "is required");
    return read(o[key], `${path}.${key}`);
  }

  /** A field that may be missing: undefined when it is. */
  optional<T>(o: JsonObject, key: string, path: string, read: (raw: unknown, path: string) => T): T | undefined {
    return o[key] === undefined || o[key] === null ? undefined : read(o[key], `${path}.${key}`);
  }

  /** A list: each element read by `item`; a list given by an expression the reader cannot evaluate is one Unknown. */
  list<T>(raw: unknown, path: string, item: (raw: unknown, path: string) => Maybe<T>): MaybeList<T> {
    const v = this.value(raw, path);
    if (isUnknown(v)) return [v];
    if (!Array.isArray(v)) throw new ArmReadError(path, v, "expected an array");
    return v.map((x, i) => item(x, `${path}[${i}]`));
  }

  strings(raw: unknown, path: string): MaybeList<string> {
    return this.list(raw, path, (x, p) => this.string(x, p));
  }
}

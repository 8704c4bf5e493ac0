/**
 * The two values of the model that are not data: `Unknown` (a reader could not know the value: an ARM
 * expression it cannot evaluate, a parameter without a value) and `Parameter` (a planner leaves the value
 * to the deployment: ARM writes `[parameters('name')]`, Terraform `var.name`). Planners never produce
 * `Unknown`; `Known<T>` is the type of a value that holds none.
 */

/** A value a reader could not know. `path` names the field in the input, `reason` says why. */
export interface Unknown {
  readonly kind: "unknown";
  /** Where the value stands in the input, e.g. `resources[2].properties.securityRules[0].properties.priority`. */
  readonly path: string;
  readonly reason: string;
}

export function isUnknown(value: unknown): value is Unknown {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "unknown" && typeof (value as { path?: unknown }).path === "string";
}

export function unknownValue(path: string, reason: string): Unknown {
  return { kind: "unknown", path, reason };
}

/** A value given at deployment (the cluster subnet when the rules were resolved without one). */
export interface Parameter {
  readonly kind: "parameter";
  /** The template parameter or variable name, e.g. `clusterSubnet`. */
  readonly name: string;
  readonly description: string;
}

export function isParameter(value: unknown): value is Parameter {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "parameter";
}

/** A scalar or list a reader fills: the value, or why it is not known. */
export type Maybe<T> = T | Unknown;

/** `T` with every `Unknown` taken out: what planners produce and renderers take. */
export type Known<T> = T extends Unknown
  ? never
  : T extends readonly (infer E)[]
    ? readonly Known<E>[]
    : T extends object
      ? { readonly [K in keyof T]: Known<T[K]> }
      : T;

/** Every `Unknown` in a value, in document order. */
export function unknownsIn(value: unknown): Unknown[] {
  const out: Unknown[] = [];
  const walk = (v: unknown): void => {
    if (isUnknown(v)) out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null) Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

export class UnknownValueError extends Error {
  constructor(readonly unknowns: readonly Unknown[]) {
    const shown = unknowns.slice(0, 3).map((u) => `${u.path} (${u.reason})`);
    super(`${unknowns.length} value${unknowns.length === 1 ? " is" : "s are"} not known: ${shown.join("; ")}${unknowns.length > 3 ? "; ..." : ""}`);
    this.name = "UnknownValueError";
  }
}

/** The value itself when it holds no `Unknown`; otherwise an UnknownValueError naming each path. */
export function assertKnown<T>(value: T): Known<T> {
  const unknowns = unknownsIn(value);
  if (unknowns.length > 0) throw new UnknownValueError(unknowns);
  return value as Known<T>;
}

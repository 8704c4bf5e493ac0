/**
 * The ARM template functions the reader evaluates, by lower-case name (ARM function names are
 * case-insensitive). Values follow ARM's: arrays and objects hold template text (a literal string that
 * starts with `[` is written `[[`), a string result is final. The one place to teach the reader more.
 */
import { ownValue, ownValueAnyCase } from "@cassandra-mi-netrules/core";
import { isUnknown } from "../unknown.js";
import { notKnown, ok, picked, type ArmExpressionNode, type ArmJson, type EvaluationContext, type Evaluation, type LambdaFrame } from "./arm-expression.js";
import { resourceIdFunction } from "./resource-id.js";

type Call = Extract<ArmExpressionNode, { kind: "call" }>;
type Fn = (args: readonly ArmJson[], ctx: EvaluationContext) => Evaluation;
type LazyFn = (ctx: EvaluationContext, node: Call) => Evaluation;
type JsonObject = { [key: string]: ArmJson };

const isObject = (v: ArmJson | undefined): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

/** Functions whose value depends on the deployment, not on the template. */
const DEPLOYMENT_FUNCTIONS = ["resourcegroup", "subscription", "tenant", "managementgroup", "deployment", "environment", "reference", "list", "listkeys", "listsecrets", "listaccountsas", "utcnow", "newguid", "uniquestring", "guid", "pickzones", "extensionresourceid", "managementgroupresourceid", "providers", "deployer", "externalinput"];

/** A template string as its value: `[[x` is the literal `[x`. */
function literal(v: string): string {
  return v.startsWith("[[") ? v.slice(1) : v;
}

/** A value written back in template form (a string that starts with `[` is escaped). */
export function templateForm(value: ArmJson): ArmJson {
  if (typeof value === "string") return value.startsWith("[") ? `[${value}` : value;
  if (Array.isArray(value)) return value.map(templateForm);
  if (isObject(value) && !isUnknown(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, templateForm(v)]));
  return value;
}

/** ARM's `string()`: booleans as `True`/`False`, objects and arrays as JSON. */
function asString(v: ArmJson): string {
  if (typeof v === "string") return literal(v);
  if (typeof v === "boolean") return v ? "True" : "False";
  return JSON.stringify(v);
}

function formatText(fmt: string, args: readonly ArmJson[]): Evaluation {
  let bad = "";
  const text = fmt.replace(/\{(\d+)(?::[^}]*)?\}|\{\{|\}\}/g, (m, i: string | undefined) => {
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    const v = args[Number(i)];
    if (v === undefined) bad = `format() has no argument {${i}}`;
    return v === undefined ? "" : asString(v);
  });
  return bad ? notKnown(bad) : ok(text);
}

const num = (name: string, f: (a: number[]) => number): Fn => (a) => (a.every((x) => typeof x === "number") ? ok(f(a as number[])) : notKnown(`${name}() takes integers, got ${JSON.stringify(a)}`));

function deepEqual(a: ArmJson, b: ArmJson): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** ARM's `union`: objects merged (later wins, nested objects merged), arrays concatenated without duplicates. */
function union(a: readonly ArmJson[]): Evaluation {
  if (a.every(Array.isArray)) {
    const out: ArmJson[] = [];
    for (const x of (a as ArmJson[][]).flat()) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return ok(out);
  }
  if (a.every(isObject)) {
    const merge = (x: JsonObject, y: JsonObject): JsonObject => {
      const out: JsonObject = { ...x };
      for (const [k, v] of Object.entries(y)) out[k] = isObject(out[k]) && isObject(v) ? merge(out[k] as JsonObject, v) : v;
      return out;
    };
    return ok((a as JsonObject[]).reduce(merge, {}));
  }
  return notKnown("union() takes only arrays or only objects");
}

function contains(c: ArmJson, item: ArmJson): boolean {
  if (typeof c === "string") return literal(c).includes(asString(item));
  if (Array.isArray(c)) return c.some((x) => deepEqual(typeof x === "string" ? literal(x) : x, item));
  if (isObject(c)) return Object.keys(c).some((k) => k.toLowerCase() === String(item).toLowerCase());
  return false;
}

function tryGet(a: readonly ArmJson[], ctx: EvaluationContext): Evaluation {
  let v: ArmJson | undefined = a[0];
  for (const key of a.slice(1)) {
    if (Array.isArray(v) && typeof key === "number") v = v[key];
    else if (isObject(v)) v = ownValueAnyCase(v, String(key));
    else v = undefined;
    if (v === undefined) return ok(null);
    if (isUnknown(v)) return notKnown(v.reason);
  }
  return picked(ctx.scope, v ?? null, "tryGet()");
}

const firstOrLast = (which: "first" | "last"): Fn => (a, ctx) => {
  const v = a[0];
  if (typeof v === "string") return ok(which === "first" ? literal(v).slice(0, 1) : literal(v).slice(-1));
  if (Array.isArray(v)) return v.length === 0 ? ok(null) : picked(ctx.scope, which === "first" ? v[0] : v[v.length - 1], `${which}()`);
  return notKnown(`${which}() takes a string or an array`);
};

const FUNCTIONS: Readonly<Record<string, Fn>> = {
  concat: (a) => (a.every(Array.isArray) ? ok((a as ArmJson[][]).flat()) : ok(a.map(asString).join(""))),
  format: (a) => (typeof a[0] === "string" ? formatText(literal(a[0]), a.slice(1)) : notKnown("format() needs a format string")),
  tolower: (a) => ok(asString(a[0] ?? "").toLowerCase()),
  toupper: (a) => ok(asString(a[0] ?? "").toUpperCase()),
  trim: (a) => ok(asString(a[0] ?? "").trim()),
  replace: (a) => ok(asString(a[0] ?? "").split(asString(a[1] ?? "")).join(asString(a[2] ?? ""))),
  string: (a) => ok(asString(a[0] ?? "")),
  int: (a) => (Number.isInteger(Number(typeof a[0] === "string" ? literal(a[0]) : a[0])) && a[0] !== "" && a[0] !== null ? ok(Number(a[0])) : notKnown(`int() of ${JSON.stringify(a[0])}`)),
  bool: (a) => ok(a[0] === true || (typeof a[0] === "string" && a[0].toLowerCase() === "true") || a[0] === 1),
  true: () => ok(true),
  false: () => ok(false),
  null: () => ok(null),
  json: (a) => {
    if (typeof a[0] !== "string") return notKnown("json() needs a string");
    try {
      const v = JSON.parse(literal(a[0])) as ArmJson;
      return ok(typeof v === "string" ? v : templateForm(v));
    } catch {
      return notKnown(`json() of text that is not JSON: ${JSON.stringify(a[0].slice(0, 40))}`);
    }
  },
  add: num("add", ([x = 0, y = 0]) => x + y),
  sub: num("sub", ([x = 0, y = 0]) => x - y),
  mul: num("mul", ([x = 0, y = 0]) => x * y),
  div: (a) => (a[1] === 0 ? notKnown("div() by zero") : num("div", ([x = 0, y = 1]) => Math.trunc(x / y))(a, undefined as never)),
  mod: (a) => (a[1] === 0 ? notKnown("mod() by zero") : num("mod", ([x = 0, y = 1]) => x % y)(a, undefined as never)),
  min: (a) => { const xs = (a.length === 1 && Array.isArray(a[0]) ? a[0] : a) as ArmJson[]; return xs.length > 0 ? num("min", (n) => Math.min(...n))(xs, undefined as never) : notKnown("min() of nothing"); },
  max: (a) => { const xs = (a.length === 1 && Array.isArray(a[0]) ? a[0] : a) as ArmJson[]; return xs.length > 0 ? num("max", (n) => Math.max(...n))(xs, undefined as never) : notKnown("max() of nothing"); },
  range: (a) => (typeof a[0] === "number" && typeof a[1] === "number" && a[1] >= 0 && a[1] <= 10000 ? ok(Array.from({ length: a[1] }, (_, i) => (a[0] as number) + i)) : notKnown(`range() of ${JSON.stringify(a)}`)),
  createarray: (a) => ok(a.map(templateForm)),
  array: (a) => ok(Array.isArray(a[0]) ? a[0] : [templateForm(a[0] ?? null)]),
  createobject: (a) => {
    if (a.length % 2 !== 0) return notKnown("createObject() takes key, value pairs");
    const out: JsonObject = {};
    for (let i = 0; i < a.length; i += 2) out[asString(a[i] as ArmJson)] = templateForm(a[i + 1] as ArmJson);
    return ok(out);
  },
  equals: (a) => ok(deepEqual(a[0] ?? null, a[1] ?? null)),
  not: (a) => (typeof a[0] === "boolean" ? ok(!a[0]) : notKnown(`not() of ${JSON.stringify(a[0])}`)),
  greater: (a) => ok((a[0] as number) > (a[1] as number)),
  less: (a) => ok((a[0] as number) < (a[1] as number)),
  greaterorequals: (a) => ok((a[0] as number) >= (a[1] as number)),
  lessorequals: (a) => ok((a[0] as number) <= (a[1] as number)),
  empty: (a) => ok(a[0] === null || a[0] === "" || (Array.isArray(a[0]) && a[0].length === 0) || (isObject(a[0] ?? null) && Object.keys(a[0] as JsonObject).length === 0)),
  length: (a) => ok(typeof a[0] === "string" ? literal(a[0]).length : Array.isArray(a[0]) ? a[0].length : isObject(a[0] ?? null) ? Object.keys(a[0] as JsonObject).length : 0),
  union: (a) => union(a),
  intersection: (a) => (a.every(Array.isArray) ? ok((a[0] as ArmJson[]).filter((x) => (a as ArmJson[][]).every((arr) => arr.some((y) => deepEqual(x, y))))) : notKnown("intersection() of objects is not evaluated by this reader")),
  contains: (a) => ok(contains(a[0] ?? null, typeof a[1] === "string" ? literal(a[1]) : (a[1] ?? null))),
  trygetproperty: (a, ctx) => tryGet(a, ctx),
  tryget: (a, ctx) => tryGet(a, ctx),
  first: firstOrLast("first"),
  last: firstOrLast("last"),
  skip: (a) => (typeof a[0] === "string" ? ok(literal(a[0]).slice(Number(a[1]))) : Array.isArray(a[0]) ? ok(a[0].slice(Math.max(0, Number(a[1])))) : notKnown("skip() takes a string or an array")),
  take: (a) => (typeof a[0] === "string" ? ok(literal(a[0]).slice(0, Math.max(0, Number(a[1])))) : Array.isArray(a[0]) ? ok(a[0].slice(0, Math.max(0, Number(a[1])))) : notKnown("take() takes a string or an array")),
  indexof: (a) => (Array.isArray(a[0]) ? ok(a[0].findIndex((x) => deepEqual(x, a[1] ?? null))) : ok(asString(a[0] ?? "").toLowerCase().indexOf(asString(a[1] ?? "").toLowerCase()))),
  lastindexof: (a) => (Array.isArray(a[0]) ? ok(a[0].map((x) => deepEqual(x, a[1] ?? null)).lastIndexOf(true)) : ok(asString(a[0] ?? "").toLowerCase().lastIndexOf(asString(a[1] ?? "").toLowerCase()))),
  split: (a) => {
    const seps = (Array.isArray(a[1]) ? a[1] : [a[1] ?? ""]).map((s) => asString(s));
    let parts = [asString(a[0] ?? "")];
    for (const s of seps) parts = parts.flatMap((p) => p.split(s));
    return ok(parts.map(templateForm));
  },
  join: (a) => (Array.isArray(a[0]) ? ok(a[0].map(asString).join(asString(a[1] ?? ""))) : notKnown("join() takes an array")),
  substring: (a) => ok(asString(a[0] ?? "").substr(Number(a[1] ?? 0), a[2] === undefined ? undefined : Number(a[2]))),
  startswith: (a) => ok(asString(a[0] ?? "").toLowerCase().startsWith(asString(a[1] ?? "").toLowerCase())),
  endswith: (a) => ok(asString(a[0] ?? "").toLowerCase().endsWith(asString(a[1] ?? "").toLowerCase())),
  padleft: (a) => ok(asString(a[0] ?? "").padStart(Number(a[1]), asString(a[2] ?? " "))),
  objectkeys: (a) => (isObject(a[0] ?? null) ? ok(Object.keys(a[0] as JsonObject).map(templateForm)) : notKnown("objectKeys() takes an object")),
  items: (a) => (isObject(a[0] ?? null) ? ok(Object.keys(a[0] as JsonObject).sort().map((k) => ({ key: templateForm(k), value: (a[0] as JsonObject)[k] as ArmJson }))) : notKnown("items() takes an object")),
  shallowmerge: (a) => (Array.isArray(a[0]) && a[0].every(isObject) ? ok(Object.assign({}, ...(a[0] as JsonObject[]))) : notKnown("shallowMerge() takes an array of objects")),
  flatten: (a) => (Array.isArray(a[0]) && a[0].every(Array.isArray) ? ok((a[0] as ArmJson[][]).flat()) : notKnown("flatten() takes an array of arrays")),
  lambdavariables: (a, ctx) => (typeof a[0] === "string" && ctx.lambdas.has(a[0]) ? picked(ctx.scope, ctx.lambdas.get(a[0]), "lambdaVariables()") : notKnown(`lambdaVariables('${String(a[0])}') is not a lambda variable here`)),
  copyindex: (a, ctx) => {
    const [loop, offset] = typeof a[0] === "string" ? [a[0], a[1] ?? 0] : [undefined, a[0] ?? 0];
    if (typeof offset !== "number") return notKnown("copyIndex() takes an integer offset");
    const index = ctx.scope.copyIndex?.(loop) ?? notKnown("copyIndex() outside a copy loop");
    return index.ok ? ok((index.value as number) + offset) : index;
  },
  resourceid: (a, ctx) => resourceIdFunction("resourceId", a, ctx.scope.target),
  subscriptionresourceid: (a, ctx) => resourceIdFunction("subscriptionResourceId", a, ctx.scope.target),
  tenantresourceid: (a) => resourceIdFunction("tenantResourceId", a, undefined),
};

/** Functions that may leave an unknown marker inside the value they build. */
const BUILDERS = new Set(["createarray", "createobject", "array", "union", "concat", "lambdavariables", "tryget", "trygetproperty"]);

/** A lambda's parameter names and body: `lambda('x', 'y', body)`. */
function lambdaOf(node: ArmExpressionNode | undefined, what: string): { names: string[]; body: ArmExpressionNode } | string {
  if (node?.kind !== "call" || node.name.toLowerCase() !== "lambda" || node.args.length < 2) return `${what}() needs a lambda`;
  const names = node.args.slice(0, -1).map((n) => (n.kind === "string" ? n.value : ""));
  if (names.some((n) => n === "")) return "lambda() parameter names must be strings";
  return { names, body: node.args[node.args.length - 1] as ArmExpressionNode };
}

/** Calls a lambda on the elements of an array; stops at the first unknown result. */
function overArray(ctx: EvaluationContext, node: Call, what: string, each: (results: ArmJson[], items: ArmJson[]) => Evaluation, arity = 1): Evaluation {
  const arr = ctx.evaluate(node.args[0] as ArmExpressionNode);
  if (!arr.ok) return arr;
  if (!Array.isArray(arr.value)) return notKnown(`${what}() takes an array`);
  const fn = lambdaOf(node.args[1], what);
  if (typeof fn === "string") return notKnown(fn);
  const results: ArmJson[] = [];
  for (const [i, item] of arr.value.entries()) {
    const frame: Map<string, ArmJson> = new Map(ctx.lambdas);
    frame.set(fn.names[0] as string, item);
    if (arity > 1 && fn.names[1] !== undefined) frame.set(fn.names[1], i);
    const r = ctx.evaluate(fn.body, frame as LambdaFrame);
    if (!r.ok) return r;
    results.push(r.value);
  }
  return each(results, arr.value);
}

/** Functions that evaluate their arguments themselves: short-circuits and lambdas. */
const LAZY: Readonly<Record<string, LazyFn>> = {
  if: (ctx, node) => {
    const c = ctx.evaluate(node.args[0] as ArmExpressionNode);
    if (!c.ok) return c;
    if (typeof c.value !== "boolean") return notKnown(`if() needs a true or false condition, got ${JSON.stringify(c.value)}`);
    const branch = node.args[c.value ? 1 : 2];
    return branch ? ctx.evaluate(branch) : ok(null);
  },
  coalesce: (ctx, node) => {
    for (const a of node.args) {
      const v = ctx.evaluate(a);
      if (!v.ok) return v;
      if (isUnknown(v.value)) return notKnown(v.value.reason);
      if (v.value !== null) return v;
    }
    return ok(null);
  },
  and: (ctx, node) => {
    for (const a of node.args) {
      const v = ctx.evaluate(a);
      if (!v.ok || v.value === false) return v;
    }
    return ok(true);
  },
  or: (ctx, node) => {
    for (const a of node.args) {
      const v = ctx.evaluate(a);
      if (!v.ok || v.value === true) return v;
    }
    return ok(false);
  },
  map: (ctx, node) => overArray(ctx, node, "map", (results) => ok(results.map(templateForm)), 2),
  filter: (ctx, node) => overArray(ctx, node, "filter", (results, items) => ok(items.filter((_, i) => results[i] === true)), 2),
  toobject: (ctx, node) =>
    overArray(ctx, node, "toObject", (keys, items) => {
      if (node.args[2] === undefined) return ok(Object.fromEntries(keys.map((k, i) => [asString(k), items[i] as ArmJson])));
      const values = overArray(ctx, { ...node, args: [node.args[0] as ArmExpressionNode, node.args[2]] }, "toObject", (v) => ok(v));
      return values.ok ? ok(Object.fromEntries(keys.map((k, i) => [asString(k), templateForm((values.value as ArmJson[])[i] as ArmJson)]))) : values;
    }),
  lambda: () => notKnown("lambda() is only evaluated inside map(), filter() or toObject()"),
};

export const LAZY_FUNCTIONS: ReadonlySet<string> = new Set([...Object.keys(LAZY), ...DEPLOYMENT_FUNCTIONS]);

/** Calls the function `name` (lower case); `args` are given for the eager ones. */
export function callFunction(ctx: EvaluationContext, name: string, node: Call, args?: readonly ArmJson[]): Evaluation {
  if (DEPLOYMENT_FUNCTIONS.includes(name)) return notKnown(`${node.name}() depends on the deployment`);
  // Own keys only: a function named `constructor` or `__proto__` is not one of the table's.
  const lazy = ownValue(LAZY, name);
  if (lazy) return lazy(ctx, node);
  const values = args ?? [];
  if (name === "parameters" || name === "variables") {
    if (typeof values[0] !== "string") return notKnown(`${node.name}() needs a name`);
    return name === "parameters" ? ctx.scope.parameter(values[0]) : ctx.scope.variable(values[0]);
  }
  const fn = ownValue(FUNCTIONS, name);
  if (!fn) return notKnown(`the function ${node.name}() is not evaluated by this reader`);
  const marker = values.find((v) => isUnknown(v));
  if (marker !== undefined && !BUILDERS.has(name) && isUnknown(marker)) return notKnown(marker.reason);
  return fn(values, ctx);
}

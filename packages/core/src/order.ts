/** Stable ordering and canonical serialisation: the one place that decides how things sort. */

/** Code-unit comparison, independent of locale and ICU version. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A new array sorted by the keys in turn (strings by code unit, numbers numerically); stable. */
export function sortBy<T>(items: readonly T[], ...keys: Array<(item: T) => string | number>): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((x, y) => {
      for (const key of keys) {
        const a = key(x.item);
        const b = key(y.item);
        const c = typeof a === "number" && typeof b === "number" ? a - b : compareStrings(String(a), String(b));
        if (c !== 0) return c;
      }
      return x.index - y.index;
    })
    .map((x) => x.item);
}

/** Sorted unique strings. */
export function uniqueSorted(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(compareStrings);
}

/**
 * The reference definition of canonicalJson: a copy whose objects list their keys in code-unit
 * order, given to JSON.stringify. The fast writer below produces the same bytes; values it does not
 * handle (bigint, an indent that is not a number) go through this one.
 */
function withSortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withSortedKeys);
  if (value === null || typeof value !== "object") return value;
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === "function") return withSortedKeys(toJSON.call(value));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareStrings)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined && typeof v !== "function" && typeof v !== "symbol") out[key] = withSortedKeys(v);
  }
  return out;
}

/** Thrown by the fast writer on a value only the reference definition handles (which then runs the toJSON methods again). */
const UNSUPPORTED = Symbol("canonicalJson: use the reference definition");

// Characters JSON.stringify escapes: '"', '\', C0 controls, and surrogates (lone ones are escaped).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const quotedKeys = new Map<string, string>();

function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

function quoteKey(s: string): string {
  let q = quotedKeys.get(s);
  if (q === undefined) {
    q = quote(s);
    if (quotedKeys.size < 10_000) quotedKeys.set(s, q);
  }
  return q;
}

/** An array index ("0".."4294967294"): a plain object lists such keys first, in numeric order. */
function isIndexKey(key: string): boolean {
  const c = key.charCodeAt(0);
  if (!(c >= 48 && c <= 57) || (c === 48 && key.length > 1)) return false;
  for (let i = 1; i < key.length; i++) {
    const d = key.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return key.length < 10 || (key.length === 10 && Number(key) < 4294967295);
}

/** Set by orderedKeys: whether the array-index keys were moved before the others. */
let reordered = false;

/**
 * The keys of `value` in the order the reference definition's copy lists them: the copy is a plain
 * object filled in code-unit order, so its array-index keys come first, in numeric order, then the rest.
 */
function orderedKeys(value: object): string[] {
  const keys = Object.keys(value);
  let sorted = true;
  let indexKeys = false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (i > 0 && sorted && (keys[i - 1] as string) > k) sorted = false;
    const c = k.charCodeAt(0);
    if (!indexKeys && c >= 48 && c <= 57 && isIndexKey(k)) indexKeys = true;
  }
  // The default order of sort() is code-unit order, as compareStrings, without a callback per comparison.
  if (!sorted) keys.sort();
  reordered = indexKeys;
  if (!indexKeys) return keys;
  const index: string[] = [];
  const rest: string[] = [];
  for (const k of keys) (isIndexKey(k) ? index : rest).push(k);
  index.sort((a, b) => Number(a) - Number(b));
  return [...index, ...rest];
}

/** JSON text of `value` as JSON.stringify(withSortedKeys(value), null, gap) writes it, or undefined. */
function write(value: unknown, gap: string, indent: string): string | undefined {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    case "bigint":
      throw UNSUPPORTED;
  }
  if (value === null) return "null";
  const inner = gap === "" ? "" : indent + gap;
  if (Array.isArray(value)) {
    const n = value.length;
    if (n === 0) return "[]";
    let out = gap === "" ? "[" : `[\n${inner}`;
    const sep = gap === "" ? "," : `,\n${inner}`;
    for (let i = 0; i < n; i++) {
      if (i > 0) out += sep;
      out += write(value[i], gap, inner) ?? "null";
    }
    return gap === "" ? `${out}]` : `${out}\n${indent}]`;
  }
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === "function") return write(toJSON.call(value), gap, indent);
  const keys = orderedKeys(value as object);
  const record = value as Record<string, unknown>;
  // The reference reads the values in code-unit order; keep that order for getters.
  const values = reordered ? new Map([...keys].sort().map((k) => [k, record[k]])) : undefined;
  const colon = gap === "" ? ":" : ": ";
  const sep = gap === "" ? "," : `,\n${inner}`;
  let out = "";
  let first = true;
  for (const key of keys) {
    // The reference's copy cannot hold an own "__proto__" key: assigning it sets the prototype.
    if (key === "__proto__") continue;
    const v = values === undefined ? record[key] : values.get(key);
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    const text = write(v, gap, inner);
    if (text === undefined) continue;
    out += first ? quoteKey(key) : sep + quoteKey(key);
    out += colon;
    out += text;
    first = false;
  }
  if (first) return "{}";
  return gap === "" ? `{${out}}` : `{\n${inner}${out}\n${indent}}`;
}

/** JSON with object keys sorted at every level: the same value always gives the same bytes. */
export function canonicalJson(value: unknown, indent?: number): string {
  if (indent === undefined || typeof indent === "number") {
    const width = indent === undefined ? 0 : Math.min(10, Math.trunc(indent) || 0);
    try {
      return write(value, width >= 1 ? " ".repeat(width) : "", "") as string;
    } catch (e) {
      if (e !== UNSUPPORTED) throw e;
    }
  }
  return JSON.stringify(withSortedKeys(value), null, indent);
}

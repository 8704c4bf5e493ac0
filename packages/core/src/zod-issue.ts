/**
 * Where a zod issue points and what stands there: the one helper behind the errors of the YAML compiler
 * and of `loadServiceTags`, which name the file, the field and the bad value. Imports nothing at run time.
 */

/** `[3].ports[0]`, `values[0].properties.region`; "" for the root. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
}

/** The value at `path` in `doc`, or undefined where the path leads nowhere. */
export function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = doc;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return cur;
}

/** A value for an error message: `missing` when absent, else its JSON, cut to 80 characters. */
export function showValue(value: unknown): string {
  if (value === undefined) return "missing";
  // Cut long text before quoting it: the value may be a whole file.
  const s = (typeof value === "string" && value.length > 80 ? JSON.stringify(value.slice(0, 80)) : JSON.stringify(value)) ?? String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

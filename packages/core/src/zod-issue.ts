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

/**
 * A value from a user's file in an error message: at most `max` characters, every character outside
 * printable ASCII escaped (`\u0000`), arrays and objects by their kind only. So an error shows no more of
 * a file than a short excerpt and no control character reaches the terminal.
 */
export function excerpt(value: unknown, max = 40): string {
  if (value === undefined) return "missing";
  if (value === null || typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  const s = String(value);
  return `"${escapeAscii(s.slice(0, max))}"${s.length > max ? "..." : ""}`;
}

/** Text with `"` and `\` backslash-escaped and every character outside printable ASCII as `\uXXXX`. */
export function escapeAscii(s: string): string {
  return s.replace(/["\\]|[^\x20-\x7e]/g, (c) => (c === '"' || c === "\\" ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/** ARM template string escaping, shared by every ARM emitter. */

/** A string that starts with `[` is an ARM expression; a literal one must be written `[[`. */
export function escapeArmString(value: string): string {
  return value.startsWith("[") ? `[${value}` : value;
}

/** Escapes every string in a JSON value (object keys are never evaluated by ARM and stay as they are). */
export function escapeArmStrings<T>(value: T): T {
  if (typeof value === "string") return escapeArmString(value) as T;
  if (Array.isArray(value)) return value.map((v) => escapeArmStrings(v)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeArmStrings(v)])) as T;
  }
  return value;
}

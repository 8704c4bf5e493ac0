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

/** A copy whose objects list their keys in code-unit order, so JSON.stringify needs no replacer. */
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

/** JSON with object keys sorted at every level: the same value always gives the same bytes. */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(withSortedKeys(value), null, indent);
}

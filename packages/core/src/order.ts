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

/** JSON with object keys sorted at every level: the same value always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareStrings(a, b)));
    }
    return v;
  });
}

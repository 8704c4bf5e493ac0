/** Lookups that see a table's own keys only: input text named like an Object property (`constructor`, `__proto__`) is no entry. */

/** `table[key]` when `key` is the table's own (not a name Object.prototype holds). */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The entry of `key` as ARM names are matched: the own key itself, else the first own key equal to it ignoring case. */
export function ownValueAnyCase<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  if (Object.hasOwn(table, key)) return table[key];
  const lower = key.toLowerCase();
  const found = Object.keys(table).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : table[found];
}

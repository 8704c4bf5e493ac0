/** Lookups that see a table's own keys only: input text named like an Object property (`constructor`, `__proto__`) is no entry. */

/** `table[key]` when `key` is the table's own (not a name Object.prototype holds). */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * A memo of values by key that forgets everything once it holds its maximum: an audit of thousands of NSGs
 * meets many distinct values, and what it remembers across subjects must stay bounded.
 */
export class BoundedMemo<K, V> {
  readonly #values = new Map<K, V>();

  constructor(readonly max: number) {}

  /** The value remembered for `key`, computed (and remembered) when there is none. */
  get(key: K, compute: (key: K) => V): V {
    let value = this.#values.get(key);
    if (value === undefined && !this.#values.has(key)) {
      value = compute(key);
      if (this.#values.size >= this.max) this.#values.clear();
      this.#values.set(key, value);
    }
    return value as V;
  }

  get size(): number {
    return this.#values.size;
  }
}

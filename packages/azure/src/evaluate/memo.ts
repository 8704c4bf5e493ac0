/**
 * The evaluator's memos: values kept by key so that what repeats (subject after subject, flow after flow) is
 * computed once. Keyed by objects, a memo is a WeakMap (nested, one map per key, for several keys) and lets go of
 * what it keeps with its keys; keyed by values, it is bounded.
 */

/** The value `memo` keeps for `key`, computed and kept when it keeps none (a value of "nothing" is kept as null). */
export function memoized<K extends WeakKey, V extends NonNullable<unknown> | null>(memo: WeakMap<K, V>, key: K, compute: () => V): V {
  let value = memo.get(key);
  if (value === undefined) {
    value = compute();
    memo.set(key, value);
  }
  return value;
}

/** The map `outer` keeps for `key`, made when it keeps none: a memo keyed by several objects nests one map per key. */
export function submap<K extends WeakKey, K2 extends WeakKey, V>(outer: WeakMap<K, WeakMap<K2, V>>, key: K): WeakMap<K2, V> {
  let inner = outer.get(key);
  if (!inner) {
    inner = new WeakMap();
    outer.set(key, inner);
  }
  return inner;
}

/** How a memo keeps a value of undefined: one lookup then tells a kept undefined from a key never met. */
const UNDEFINED: unique symbol = Symbol("undefined");

/** A memo of values by key that forgets everything once it holds its maximum: what an audit of thousands of NSGs remembers across subjects stays bounded. */
export class BoundedMemo<K, V> {
  readonly #values = new Map<K, V | typeof UNDEFINED>();

  constructor(readonly max: number) {}

  /** The value remembered for `key`, computed (and remembered) when there is none. */
  get(key: K, compute: (key: K) => V): V {
    const kept = this.#values.get(key);
    if (kept !== undefined) return kept === UNDEFINED ? (undefined as V) : kept;
    const value = compute(key);
    if (this.#values.size >= this.max) this.#values.clear();
    this.#values.set(key, value === undefined ? UNDEFINED : value);
    return value;
  }

  get size(): number {
    return this.#values.size;
  }
}

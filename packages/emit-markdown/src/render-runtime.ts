/**
 * What the templates compiled at build time (`src/generated/renderers.ts`) call at run time: the few
 * Handlebars semantics the template policy allows (property lookup, `#if`/`#unless`, `#each`, `#with`,
 * partial indentation), written to behave exactly like Handlebars 4.7 with `strict: true`.
 * A test renders every page both ways and requires the same bytes.
 */

/** Handlebars' data frame: `@root`, and `@index`, `@key`, `@first`, `@last` inside `#each`. */
export interface Frame {
  readonly root: unknown;
  readonly _parent?: Frame;
  key?: string | number;
  index?: number;
  first?: boolean;
  last?: boolean;
}

/** The two helpers a template may call: `md` (the escaping helper) and `t` (catalogue text). */
export interface RenderHelpers {
  md(value: unknown, context: string): string;
  t(key: string): string;
}

export type CompiledTemplate = (context: unknown, data: Frame, helpers: RenderHelpers) => string;

/** `a.b`: Handlebars' `lookupProperty`: own properties only; a null or undefined parent throws, as there. */
export function lookup(parent: unknown, key: string): unknown {
  const result = (parent as Record<string, unknown>)[key];
  if (result === null || result === undefined) return result;
  return Object.prototype.hasOwnProperty.call(parent, key) ? result : undefined;
}

/** The condition of `#if` (and, negated, `#unless`): false for falsy values, 0 and empty arrays. */
export function truthy(value: unknown, context: unknown): boolean {
  const v = typeof value === "function" ? (value as (this: unknown) => unknown).call(context) : value;
  return Boolean(v) && !(Array.isArray(v) && v.length === 0);
}

/** `#each`: arrays (holes skipped), other iterables, then plain objects by key; the inverse when nothing was iterated. */
export function each(value: unknown, context: unknown, data: Frame, fn: (item: unknown, data: Frame) => string, inverse: () => string): string {
  const v = typeof value === "function" ? (value as (this: unknown) => unknown).call(context) : value;
  const frame: Frame = { ...data, _parent: data };
  let out = "";
  let i = 0;
  const step = (key: string | number, index: number, last: boolean, item: unknown): void => {
    frame.key = key;
    frame.index = index;
    frame.first = index === 0;
    frame.last = last;
    out += fn(item, frame);
  };
  if (v && typeof v === "object") {
    if (Array.isArray(v)) {
      for (const n = v.length; i < n; i++) if (i in v) step(i, i, i === v.length - 1, v[i]);
    } else if (Symbol.iterator in v) {
      const iterator = (v as Iterable<unknown>)[Symbol.iterator]();
      let current = iterator.next();
      while (!current.done) {
        const next = iterator.next();
        step(i, i, Boolean(next.done), current.value);
        current = next;
        i++;
      }
    } else {
      const keys = Object.keys(v);
      for (; i < keys.length; i++) step(keys[i] as string, i, i === keys.length - 1, (v as Record<string, unknown>)[keys[i] as string]);
    }
  }
  return i === 0 ? inverse() : out;
}

/** `#with`: the block with the value as context unless it is empty, else the inverse. */
export function withContext(value: unknown, context: unknown, fn: (value: unknown) => string, inverse: () => string): string {
  const v = typeof value === "function" ? (value as (this: unknown) => unknown).call(context) : value;
  const empty = (!v && v !== 0) || (Array.isArray(v) && v.length === 0);
  return empty ? inverse() : fn(v);
}

/** A standalone partial indented in its template: every line of its output gets the indent. */
export function indentLines(text: string, indent: string): string {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i] && i + 1 === lines.length) break;
    lines[i] = indent + lines[i];
  }
  return lines.join("\n");
}

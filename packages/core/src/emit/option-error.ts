/** The one error of every emitter's options: it names the target, the option and the value. */
import { nearest } from "../suggest.js";
import { showValue } from "../zod-issue.js";

export class EmitterOptionError extends Error {
  constructor(
    /** The emitter's registry name: `nsg`. */
    readonly target: string,
    /** The option, or a path inside it: `priorityStart`, `changelog.from`. */
    readonly key: string,
    readonly value: unknown,
    /** What the value must be: `must be an integer from 100 to 4096`. */
    readonly reason: string,
  ) {
    super(`${target} option ${key}: ${reason} (value: ${showValue(value)})`);
    this.name = "EmitterOptionError";
  }

  /** The option, as the older per-emitter option errors named it. */
  get field(): string {
    return this.key;
  }
}

/** The reason for a key no declaration knows: the known keys, and the nearest one when it looks like a typo. */
export function unknownOptionReason(key: string, known: readonly string[]): string {
  const guess = nearest(key, known);
  return `unknown option (known: ${known.join(", ")})${guess ? `; did you mean "${guess}"?` : ""}`;
}

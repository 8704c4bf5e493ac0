/** The page's "User-defined routes" advice per revision, and the sample script's prefixes (data/udr.yaml). */
import { UDR_ADVICE } from "./generated/udr.js";
import type { UdrAdvice } from "./types.js";

/** Every revision whose page advises user-defined routes, oldest first. Not part of `dataHash`. */
export const udrAdvice: readonly UdrAdvice[] = Object.freeze(
  UDR_ADVICE.map((a) =>
    Object.freeze({
      ...a,
      advice: Object.freeze(a.advice),
      notes: Object.freeze(a.notes.map((n) => Object.freeze(n))),
      sample: Object.freeze({ ...a.sample, prefixes: Object.freeze([...a.sample.prefixes]), superseded: Object.freeze(a.sample.superseded.map((v) => Object.freeze(v))) }),
    }),
  ),
);

/** The advice the page of `revision` gives, or undefined when that page has no "User-defined routes" section. */
export function getUdrAdvice(revision: string): UdrAdvice | undefined {
  return udrAdvice.find((a) => a.revision === revision);
}

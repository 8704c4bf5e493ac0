/** What the readers' tests share. */
import { InputError } from "@cassandra-mi-netrules/azure";

/** The InputError `f` throws; anything else it throws goes through, and throwing nothing fails. */
export function thrown(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error("expected an InputError");
}

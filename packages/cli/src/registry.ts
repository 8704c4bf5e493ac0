/** The registry of the built-in emitters, from the lines of targets.ts. */
import { EmitterRegistry, type Emitter } from "@cassandra-mi-netrules/core";
import * as builtin from "./targets.js";

/** The built-in emitters by name; each run clones it and adds its plugins. */
export const registry: EmitterRegistry = Object.values(builtin as Record<string, Emitter<never>>).reduce((r, e) => r.register(e), new EmitterRegistry());

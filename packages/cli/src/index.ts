/**
 * @cassandra-mi-netrules/cli: the command line, also callable in-process (`run(argv, io)`), and the
 * registry of the emitters it wraps.
 */
export { CliError } from "./errors.js";
export type { CliIO } from "./io.js";
export { buildProgram, run, version } from "./program.js";
export { optionsFor, registry, type TargetFlags } from "./targets.js";

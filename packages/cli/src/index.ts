/**
 * @cassandra-mi-netrules/cli: the command line, also callable in-process (`run(argv, io)`), the registry
 * of the built-in emitters it wraps, and what the documentation is generated from.
 */
export { CliError } from "./errors.js";
export { textPieces, type CliIO } from "./io.js";
export { buildProgram, run, scanArgs, version } from "./program.js";
export { registry } from "./registry.js";
export { configJsonSchema, configSchema, DEFAULT_CONFIG, loadConfig, type LoadedConfig } from "./config.js";
export { starterConfig } from "./commands/init.js";
export { targetFlags, type TargetFlag } from "./target-options.js";
export { writeFilesAtomically, STAGING_PREFIX, type WriteOptions, type WriteResult } from "./out-dir.js";

/**
 * `--plugin <module>`: an emitter from outside the repository. The module (a path, or a package name
 * resolved from the current directory) exports `emitter` (or `emitters`, or a default export) with the
 * same contract as the built-in ones, and declares the core major it is written for.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { coreMajor, version as coreVersion, type Emitter, type EmitterRegistry } from "@cassandra-mi-netrules/core";
import { CliError, shown } from "./errors.js";

/** A plugin to load: as written, and the directory a relative path is read from (the current one, or the config file's). */
export interface PluginRef {
  readonly module: string;
  readonly base: string;
  /** How the user named it, for messages: `--plugin` or the config file. */
  readonly from: string;
}

const isPath = (m: string) => m.startsWith(".") || isAbsolute(m) || /\.[cm]?js$/.test(m);

/** The entry of an ES module package: `exports["."]` (import, node or default), else module or main. */
function packageEntry(dir: string): string {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { exports?: unknown; module?: string; main?: string };
  let entry: unknown = manifest.exports;
  if (entry !== null && typeof entry === "object" && "." in entry) entry = (entry as Record<string, unknown>)["."];
  while (entry !== null && typeof entry === "object") {
    const conditions = entry as Record<string, unknown>;
    entry = conditions.import ?? conditions.node ?? conditions.default;
  }
  return join(dir, typeof entry === "string" ? entry : (manifest.module ?? manifest.main ?? "index.js"));
}

/** Where the module is: a file, or a package found in node_modules above `base`. */
function locate(ref: PluginRef): string {
  if (isPath(ref.module)) return resolve(ref.base, ref.module);
  for (let dir = ref.base; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", ref.module);
    if (existsSync(join(candidate, "package.json"))) return packageEntry(candidate);
    if (dirname(dir) === dir) break;
  }
  try {
    return createRequire(join(ref.base, "noop.js")).resolve(ref.module);
  } catch {
    throw new CliError(`${ref.from} ${shown(ref.module)}: no such package below ${shown(ref.base)} (install it, or give a path such as ./my-emitter.mjs)`);
  }
}

/** What the module exports as emitters. */
function exported(mod: Record<string, unknown>): unknown[] {
  if (Array.isArray(mod.emitters)) return mod.emitters;
  if (mod.emitter !== undefined) return [mod.emitter];
  const d = mod.default as Record<string, unknown> | undefined;
  if (d && typeof d === "object" && typeof (d as { emit?: unknown }).emit === "function") return [d];
  if (d && typeof d === "object" && (d.emitter !== undefined || Array.isArray(d.emitters))) return exported(d);
  return [];
}

/** The contract, checked field by field, so a broken plugin is named before it runs. */
function checkEmitter(value: unknown, label: string): Emitter {
  const e = value as Partial<Emitter> | null;
  const fail = (what: string): never => {
    throw new CliError(`${label}: ${what}`);
  };
  if (e === null || typeof e !== "object") fail(`exports an emitter that is not an object (value: ${shown(value)})`);
  const emitter = e as Partial<Emitter>;
  if (typeof emitter.name !== "string" || !/^[a-z][a-z0-9-]*$/.test(emitter.name)) fail(`emitter name must be kebab-case (value: ${shown(emitter.name)})`);
  if (typeof emitter.description !== "string" || emitter.description === "") fail(`emitter "${emitter.name}": description must be a non-empty string`);
  if (typeof emitter.emit !== "function") fail(`emitter "${emitter.name}": emit must be a function (resolved, options) => { files, coverage }`);
  if (emitter.coreMajor === undefined) fail(`emitter "${emitter.name}": must declare coreMajor, the major version of @cassandra-mi-netrules/core it is written for (this CLI runs core ${coreVersion}: coreMajor ${coreMajor})`);
  if (emitter.coreMajor !== coreMajor) fail(`emitter "${emitter.name}" is written for core major ${shown(emitter.coreMajor)}; this CLI runs core ${coreVersion} (major ${coreMajor})`);
  const options = emitter.options;
  if (options !== undefined && (typeof options !== "object" || !Array.isArray(options.keys) || typeof options.settle !== "function")) {
    fail(`emitter "${emitter.name}": options must be a declaration from defineOptions (keys and settle)`);
  }
  return emitter as Emitter;
}

/** Loads each plugin and registers its emitters; a name already taken is an error naming both. */
export async function loadPlugins(registry: EmitterRegistry, refs: readonly PluginRef[]): Promise<void> {
  for (const ref of refs) {
    const label = `${ref.from} ${shown(ref.module)}`;
    const file = locate(ref);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new CliError(`${label}: cannot load ${shown(file)}: ${err.code === "ERR_MODULE_NOT_FOUND" || err.code === "ENOENT" ? "no such file" : err.message}`);
    }
    const emitters = exported(mod);
    if (emitters.length === 0) throw new CliError(`${label}: exports no emitter (export const emitter = { name, description, emit, coreMajor })`);
    for (const value of emitters) {
      const emitter = checkEmitter(value, label);
      try {
        registry.register(emitter, `the plugin ${ref.module}`);
      } catch (e) {
        throw new CliError(`${label}: ${(e as Error).message}`);
      }
    }
  }
}

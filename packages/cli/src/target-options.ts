/**
 * Emitter options on the command line, built from each emitter's declaration: the flags (`--nsg-priority-start`,
 * shared ones such as `--regional-tags`), `-O target.key=value`, and the options object each emitter gets.
 * Every option given is checked against its emitter's declaration, whether or not that target is emitted.
 */
import { EmitterOptionError, nearest, type EmitterOptionKey, type EmitterRegistry, type FlagValue, type JsonSchema } from "@cassandra-mi-netrules/core";
import { Option, type Command } from "commander";
import { integerValue, keepAll, listOption, numberValue, singleOption } from "./cli-options.js";
import { CliError, shown } from "./errors.js";
import { readDirectoryFiles, type CliIO } from "./io.js";

type FlagKind = "switch" | "integer" | "number" | "string" | "list";

/** One command-line flag and the emitter options it sets. */
export interface TargetFlag {
  readonly name: string;
  /** commander's attribute: `nsgPriorityStart`. */
  readonly attribute: string;
  readonly value?: string;
  readonly optionalValue: boolean;
  readonly directory: boolean;
  readonly kind: FlagKind;
  readonly choices?: readonly string[];
  readonly description: string;
  readonly uses: ReadonlyArray<{ readonly target: string; readonly key: EmitterOptionKey }>;
}

/** Where an option's value came from, for messages; config values carry their key path. */
export type OptionSource = { readonly kind: "flag" | "option"; readonly label: string } | { readonly kind: "config"; readonly label: string; readonly path: string };

export interface TargetOptions {
  /** Per target, the options object its emitter gets (only targets with something set). */
  readonly byTarget: Readonly<Record<string, Record<string, unknown>>>;
  readonly sources: ReadonlyMap<string, OptionSource>;
}

/** "Write regional tags" reads "write regional tags" after "nsg: "; "OPA ..." stays. */
const lowerFirst = (text: string) => (/^[A-Z][a-z]/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text);

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function schemaType(schema: JsonSchema): string | undefined {
  return typeof schema.type === "string" ? schema.type : undefined;
}

function enumValues(schema: JsonSchema): string[] | undefined {
  const values = schema.enum;
  return Array.isArray(values) && values.every((v) => typeof v === "string") ? (values as string[]) : undefined;
}

function kindOf(key: EmitterOptionKey): FlagKind {
  if (key.flag?.value === undefined) return "switch";
  if (key.flag.directory) return "string";
  if (key.flag.toOption) return key.flag.kind ?? "string";
  const type = schemaType(key.schema);
  if (type === "integer") return "integer";
  if (type === "number") return "number";
  if (type === "array") return "list";
  return "string";
}

/** What a flag's uses must agree on to be one flag. */
function shapeOf(key: EmitterOptionKey): string {
  const f = key.flag;
  return JSON.stringify([f?.value === undefined, f?.optionalValue === true, f?.directory === true, kindOf(key), enumValues(key.schema) ?? null]);
}

/** Every flag the registered emitters declare, by name; two emitters declaring one flag with different shapes is an error naming both. */
export function targetFlags(registry: EmitterRegistry): TargetFlag[] {
  const byName = new Map<string, { target: string; key: EmitterOptionKey }[]>();
  for (const target of registry.names()) {
    for (const key of registry.get(target)?.options?.keys ?? []) {
      if (!key.flag || key.internal) continue;
      const uses = byName.get(key.flag.name) ?? [];
      const first = uses[0];
      if (first && shapeOf(first.key) !== shapeOf(key)) {
        throw new CliError(`--${key.flag.name}: declared by ${first.target} (option ${first.key.key}) and by ${target} (option ${key.key}) with different values; one flag must mean one thing`);
      }
      uses.push({ target, key });
      byName.set(key.flag.name, uses);
    }
  }
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, uses]) => {
      const key = (uses[0] as { key: EmitterOptionKey }).key;
      const choices = enumValues(key.schema);
      return {
        name,
        attribute: camel(name),
        ...(key.flag?.value !== undefined ? { value: key.flag.value } : {}),
        optionalValue: key.flag?.optionalValue === true,
        directory: key.flag?.directory === true,
        kind: kindOf(key),
        ...(choices ? { choices } : {}),
        description: `${uses.map((u) => u.target).join(", ")}: ${lowerFirst(key.description)}`,
        uses,
      };
    });
}

/** Adds the emitters' flags and `-O` to a command. */
export function addTargetFlags(cmd: Command, flags: readonly TargetFlag[]): Command {
  cmd.optionsGroup("Target options (every option of an emitter is also -O target.key=value):");
  for (const f of flags) {
    const spec = f.value === undefined ? `--${f.name}` : f.optionalValue ? `--${f.name} [${f.value}]` : `--${f.name} <${f.value}>`;
    let option: Option;
    if (f.kind === "switch") option = new Option(spec, f.description);
    else if (f.kind === "list") option = listOption(spec, `${f.description} (repeatable)`);
    else option = singleOption(spec, f.description, f.kind === "integer" ? integerValue : f.kind === "number" ? numberValue : (v) => v);
    if (f.choices) option.choices(f.choices);
    cmd.addOption(option);
  }
  cmd.addOption(new Option("-O, --option <target.key=value>", "any emitter option (the README lists them); the value is read as JSON, except that a string option takes it as written (repeatable)").argParser(keepAll));
  return cmd.optionsGroup("Options:");
}

const sourceKey = (target: string, key: string) => `${target}\u0000${key}`;

/** A `-O` value: as given for a string option, else JSON when it parses (so the check can show what was given). */
function optionValue(schema: JsonSchema, text: string): unknown {
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  // `-O nsg.nsgName=123` is the name "123"; `-O nsg.nsgName='"x"'` the name x.
  const isString = schemaType(schema) === "string" || enumValues(schema) !== undefined;
  return isString && typeof parsed !== "string" ? text : parsed;
}

function knownKey(registry: EmitterRegistry, target: string, key: string, label: string): EmitterOptionKey {
  const keys = registry.get(target)?.options?.keys ?? [];
  const found = keys.find((k) => k.key === key);
  const settable = keys.filter((k) => !k.internal).map((k) => k.key);
  if (!found) {
    const guess = nearest(key, settable);
    throw new CliError(`${label}: ${target} has no option ${shown(key)} (options: ${settable.join(", ") || "none"})${guess ? `; did you mean ${shown(guess)}?` : ""}`);
  }
  if (found.internal) throw new CliError(`${label}: ${target} option ${key} is set by the CLI itself, not on the command line`);
  return found;
}

/** `-O nsg.priorityStart=200`: the target and the key must exist, for any target, emitted or not. */
function parseOptionFlag(registry: EmitterRegistry, item: string): { target: string; key: EmitterOptionKey; value: unknown } {
  const m = /^([a-z][a-z0-9-]*)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/s.exec(item);
  if (!m) throw new CliError(`--option: expected target.key=value, e.g. nsg.priorityStart=200 (value: ${shown(item)})`);
  const [, target = "", name = "", text = ""] = m;
  const targets = registry.names();
  if (!targets.includes(target)) {
    const guess = nearest(target, targets);
    throw new CliError(`--option: unknown target ${shown(target)} (known: ${targets.join(", ")})${guess ? `; did you mean ${shown(guess)}?` : ""}`);
  }
  const key = knownKey(registry, target, name, `-O ${target}.${name}`);
  return { target, key, value: optionValue(key.schema, text) };
}

/** A config file's `targets`: each target's options object, with the key path of each value. */
export interface ConfiguredTargets {
  readonly file: string;
  readonly targets: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * The options of every target from the config file (lowest), the flags, then `-O` (highest), each checked
 * by its emitter's declaration; an error names where the value came from.
 */
export function collectTargetOptions(io: CliIO, registry: EmitterRegistry, flags: readonly TargetFlag[], parsed: Readonly<Record<string, unknown>>, config?: ConfiguredTargets): TargetOptions {
  const byTarget: Record<string, Record<string, unknown>> = {};
  const sources = new Map<string, OptionSource>();
  const set = (target: string, key: string, value: unknown, source: OptionSource) => {
    (byTarget[target] ??= {})[key] = value;
    sources.set(sourceKey(target, key), source);
  };
  for (const [target, options] of Object.entries(config?.targets ?? {})) {
    for (const [key, value] of Object.entries(options)) {
      const label = `--config ${shown(config?.file)}`;
      knownKey(registry, target, key, `${label}: targets.${target}.${key}`);
      set(target, key, value, { kind: "config", label, path: `targets.${target}` });
    }
  }
  for (const f of flags) {
    const given = parsed[f.attribute];
    if (given === undefined) continue;
    const label = `--${f.name}`;
    const raw: FlagValue = f.directory ? readDirectoryFiles(io, String(given), label) : (given as FlagValue);
    for (const { target, key } of f.uses) {
      let value: unknown = raw;
      if (key.flag?.toOption) {
        try {
          value = key.flag.toOption(raw);
        } catch (e) {
          throw new CliError(`${label} ${shown(given)}: ${(e as Error).message}`);
        }
      }
      set(target, key.key, value, { kind: "flag", label });
    }
  }
  for (const item of (parsed.option as readonly string[] | undefined) ?? []) {
    const { target, key, value } = parseOptionFlag(registry, item);
    set(target, key.key, value, { kind: "option", label: `-O ${item.slice(0, item.indexOf("="))}` });
  }
  for (const [target, options] of Object.entries(byTarget)) checkOptions(registry, target, options, sources);
  return { byTarget, sources };
}

function checkOptions(registry: EmitterRegistry, target: string, options: Record<string, unknown>, sources: ReadonlyMap<string, OptionSource>): void {
  const declared = registry.get(target)?.options;
  if (!declared) return;
  try {
    declared.settle(options as never);
  } catch (caught) {
    // By name: a plugin may bring its own copy of core, and so its own class.
    if (!(caught instanceof EmitterOptionError) && (caught as Error | undefined)?.name !== "EmitterOptionError") throw caught;
    const e = caught as EmitterOptionError;
    const top = e.key.split(/[.[]/)[0] ?? e.key;
    const source = sources.get(sourceKey(target, top));
    if (source?.kind === "config") throw new CliError(`${source.label}: ${source.path}.${e.key}: ${e.reason} (value: ${shown(e.value)})`);
    throw new CliError(source ? `${source.label}: ${e.message}` : e.message);
  }
}

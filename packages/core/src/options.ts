/**
 * @cassandra-mi-netrules/core/options: how an emitter declares its options, as a zod schema with a
 * description per key (and a command-line flag where one is worth having). A command line, a config file
 * and the documentation are built from the declaration; `settle` checks an options object against it and
 * throws the one option error. Loads zod, which the main entry does not.
 */
import { z } from "zod";
import { isCidr } from "./cidr.js";
import { EmitterOptionError, unknownOptionReason } from "./emit/option-error.js";
import type { EmitterOptionFlag, EmitterOptionKey, EmitterOptions, JsonSchema } from "./types.js";
import { issuePath, valueAt } from "./zod-issue.js";

/** The zod an emitter's declaration is written with: one copy, so a plugin's schema is read by the same code. */
export { z };
export { EmitterOptionError } from "./emit/option-error.js";
export type { EmitterOptionFlag, EmitterOptionKey, EmitterOptions, FlagValue, JsonSchema } from "./types.js";

/** Beside the schema of one key: its flag, or that only in-process callers set it. */
export interface OptionExtras {
  readonly flag?: EmitterOptionFlag;
  readonly internal?: boolean;
}

/** An options type as callers write it: lists may be readonly. */
export type ReadonlyOptions<T> = { readonly [K in keyof T]: T[K] extends readonly (infer U)[] | undefined ? readonly U[] | Extract<T[K], undefined> : T[K] };

/** Each key's schema, with a description. */
export type OptionShape = { readonly [key: string]: z.ZodType };

const FLAG_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

function checkDeclaration(target: string, shape: OptionShape, extras: Readonly<Record<string, OptionExtras | undefined>>): void {
  for (const [key, schema] of Object.entries(shape)) {
    if (!schema.description) throw new Error(`${target} options: ${key} has no description (declare it with .describe())`);
  }
  for (const [key, extra] of Object.entries(extras)) {
    if (!(key in shape)) throw new Error(`${target} options: extras for ${key}, which the schema does not declare`);
    const name = extra?.flag?.name;
    if (name !== undefined && !FLAG_NAME.test(name)) throw new Error(`${target} options: ${key}: flag name must be kebab-case without dashes (value: ${JSON.stringify(name)})`);
  }
}

/**
 * Declares an emitter's options. `shape` gives each key a zod schema with `.describe(...)`, optional or
 * with a default; `extras` gives some keys a flag. Unknown keys are refused, with a suggestion.
 */
export function defineOptions<Shape extends OptionShape>(
  target: string,
  shape: Shape,
  extras: { readonly [K in keyof Shape]?: OptionExtras } = {},
): EmitterOptions<ReadonlyOptions<z.input<z.ZodObject<Shape>>>, z.output<z.ZodObject<Shape>>> {
  checkDeclaration(target, shape, extras);
  const schema = z.strictObject(shape);
  const known = Object.keys(shape);
  let keys: EmitterOptionKey[] | undefined;
  return {
    get keys(): EmitterOptionKey[] {
      // Built on first use: a caller that only emits never pays for the JSON Schema.
      keys ??= jsonSchemaKeys(schema, extras);
      return keys;
    },
    settle(options) {
      const given: unknown = options === undefined ? {} : options;
      if (given === null || typeof given !== "object" || Array.isArray(given)) throw new EmitterOptionError(target, "(options)", given, "must be an object of options");
      const result = schema.safeParse(given);
      if (result.success) return result.data;
      const issues = result.error.issues;
      const unknown = issues.find((i) => i.code === "unrecognized_keys");
      if (unknown && unknown.code === "unrecognized_keys") {
        const key = unknown.keys[0] ?? "";
        throw new EmitterOptionError(target, key, (given as Record<string, unknown>)[key], unknownOptionReason(key, known));
      }
      const issue = issues[0];
      const path = issue?.path ?? [];
      throw new EmitterOptionError(target, issuePath(path) || "(options)", valueAt(given, path), issue?.message ?? "invalid");
    },
  };
}

function jsonSchemaKeys(schema: z.ZodObject<OptionShape>, extras: Readonly<Record<string, OptionExtras | undefined>>): EmitterOptionKey[] {
  const doc = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, JsonSchema> };
  return Object.entries(schema.shape).map(([key, s]) => {
    const extra = extras[key];
    return {
      key,
      description: s.description ?? "",
      schema: doc.properties?.[key] ?? {},
      ...(extra?.flag ? { flag: extra.flag } : {}),
      ...(extra?.internal ? { internal: true } : {}),
    };
  });
}

/* ---------- Builders whose every failure says what the value must be; with a fallback, the default is declared too ---------- */

function optionalOr<T extends z.ZodType>(schema: T, description: string, fallback: z.output<T> | undefined): z.ZodOptional<T> | z.ZodDefault<T> {
  return (fallback === undefined ? schema.optional() : schema.default(fallback as never)).describe(description) as z.ZodOptional<T> | z.ZodDefault<T>;
}

/** `true` or `false`. */
export function booleanOption(description: string): z.ZodOptional<z.ZodBoolean>;
export function booleanOption(description: string, fallback: boolean): z.ZodDefault<z.ZodBoolean>;
export function booleanOption(description: string, fallback?: boolean): z.ZodOptional<z.ZodBoolean> | z.ZodDefault<z.ZodBoolean> {
  return optionalOr(z.boolean({ error: "must be true or false" }), description, fallback);
}

/** An integer in [min, max] (no upper bound when max is omitted). */
export function integerOption(description: string, range: IntegerRange): z.ZodOptional<z.ZodNumber>;
export function integerOption(description: string, range: IntegerRange, fallback: number): z.ZodDefault<z.ZodNumber>;
export function integerOption(description: string, range: IntegerRange, fallback?: number): z.ZodOptional<z.ZodNumber> | z.ZodDefault<z.ZodNumber> {
  const rule = range.max === undefined ? `must be an integer of at least ${range.min}` : `must be an integer from ${range.min} to ${range.max}`;
  let n = z.number({ error: rule }).int({ error: rule }).min(range.min, { error: rule });
  if (range.max !== undefined) n = n.max(range.max, { error: rule });
  return optionalOr(n, description, fallback);
}

export interface IntegerRange {
  readonly min: number;
  readonly max?: number;
}

type Choice<T extends readonly [string, ...string[]]> = z.ZodEnum<{ [K in T[number]]: K }>;

/** One of a few strings. */
export function choiceOption<const T extends readonly [string, ...string[]]>(values: T, description: string): z.ZodOptional<Choice<T>>;
export function choiceOption<const T extends readonly [string, ...string[]]>(values: T, description: string, fallback: T[number]): z.ZodDefault<Choice<T>>;
export function choiceOption<const T extends readonly [string, ...string[]]>(values: T, description: string, fallback?: T[number]): z.ZodOptional<Choice<T>> | z.ZodDefault<Choice<T>> {
  const rule = `must be ${values.map((v) => `"${v}"`).join(" or ")}`;
  return optionalOr(z.enum(values, { error: rule }) as unknown as Choice<T>, description, fallback as z.output<Choice<T>> | undefined);
}

/** A string matching `pattern`; `rule` says in words what that is. */
export function stringOption(description: string, pattern: RegExp, rule: string): z.ZodOptional<z.ZodString>;
export function stringOption(description: string, pattern: RegExp, rule: string, fallback: string): z.ZodDefault<z.ZodString>;
export function stringOption(description: string, pattern: RegExp, rule: string, fallback?: string): z.ZodOptional<z.ZodString> | z.ZodDefault<z.ZodString> {
  return optionalOr(z.string({ error: rule }).regex(pattern, { error: rule }), description, fallback);
}

/** A list of CIDR prefixes (IPv4 or IPv6, no host bits). */
export function cidrListOption(description: string): z.ZodOptional<z.ZodArray<z.ZodString>> {
  const item = z.string({ error: "must be a CIDR prefix" }).refine((v) => isCidr(v), { error: "must be a CIDR prefix such as 192.0.2.0/24, without host bits" });
  return z.array(item, { error: "must be an array of CIDR prefixes" }).optional().describe(description);
}


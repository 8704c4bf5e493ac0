/**
 * The config file: `--config FILE` (YAML or JSON), or `cassandra-mi-netrules.yaml` in the current directory.
 * It holds what the flags hold (regions, subnet, peers, revision, features, service-tags file, targets with
 * their options, plugins, output directory); a flag given on the command line wins over the file. Paths in
 * the file are read from the file's directory.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { features as featureList, isCidr, nearest, type EmitterRegistry, type JsonSchema } from "@cassandra-mi-netrules/core";
import { z } from "@cassandra-mi-netrules/core/options";
import { load } from "js-yaml";
import { CliError, excerpt, shown } from "./errors.js";
import { clean } from "./format.js";
import { readText, type CliIO } from "./io.js";
import { deepestLevel, MAX_DEPTH } from "./json-input.js";

export const DEFAULT_CONFIG = "cassandra-mi-netrules.yaml";

const cidr = z.string({ error: "must be a CIDR prefix" }).refine((v) => isCidr(v), { error: "must be a CIDR prefix such as 10.9.0.0/24, without host bits" });
const nonEmpty = (what: string) => z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });

/** The file's shape. Target names and their options are checked against the registered emitters. */
export const configSchema = z.strictObject({
  $schema: z.string().optional().describe("The JSON Schema of this file, for editors (ignored)"),
  revision: nonEmpty("a revision id, a date, latest or a label such as GA").optional().describe("Dataset revision (default: the current one); --revision"),
  regions: z.array(nonEmpty("an Azure region name"), { error: "must be a list of region names" }).optional().describe("Datacenter regions, ARM location names; --region"),
  subnet: z.string({ error: "must be a CIDR prefix" }).optional().describe("The cluster's delegated subnet, IPv4 or IPv6 CIDR; --subnet"),
  peers: z.array(cidr, { error: "must be a list of CIDR prefixes" }).optional().describe("Networks the cluster reaches on the internal ports (iptables, nftables in nva mode); --peer"),
  features: z.record(z.string(), z.boolean({ error: "must be true or false" }), { error: "must be a map of feature: true|false" }).optional().describe("Feature switches: backup, vpn; --feature"),
  serviceTags: nonEmpty("a file name").optional().describe("Microsoft service-tags JSON file, relative to this file; --service-tags"),
  plugins: z.array(nonEmpty("a module: a path or a package name"), { error: "must be a list of modules" }).optional().describe("Emitter plugins: paths (relative to this file) or package names; --plugin"),
  out: nonEmpty("a directory").optional().describe("Output directory of emit, relative to this file; --out"),
  targets: z
    .record(z.string(), z.record(z.string(), z.unknown(), { error: "must be a map of option: value, or empty" }).nullable(), { error: "must be a map of target: options" })
    .optional()
    .describe("The targets emit writes when no target is named, each with its options (-O target.key=value)"),
});

export type ConfigFile = z.output<typeof configSchema>;

/** A config file read and checked, its paths made relative to the current directory. */
export interface LoadedConfig {
  /** The file as the user named it. */
  readonly file: string;
  readonly revision?: string;
  readonly regions?: readonly string[];
  readonly subnet?: string;
  readonly peers?: readonly string[];
  /** `id=on|off`, as `--feature` gives them. */
  readonly features?: readonly string[];
  readonly serviceTags?: string;
  readonly plugins: readonly string[];
  /** The directory plugin paths are read from. */
  readonly base: string;
  readonly out?: string;
  readonly targets?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

function issueAt(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(root)";
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur = doc;
  for (const key of path) cur = cur !== null && typeof cur === "object" ? (cur as Record<PropertyKey, unknown>)[key as string] : undefined;
  return cur;
}

/** YAML (JSON is YAML too); an error names the line and column, never the text around it. */
function parseConfig(text: string, label: string): unknown {
  try {
    return load(text, { maxDepth: MAX_DEPTH });
  } catch (e) {
    const err = e as { reason?: string; mark?: { line: number; column: number; position: number } };
    if (err.mark) throw new CliError(`${label}: not valid YAML at line ${err.mark.line + 1}, column ${err.mark.column + 1}: ${clean(err.reason ?? "")} (at ${excerpt(text, err.mark.position)})`);
    if (e instanceof RangeError) throw new CliError(`${label}: nested more than ${MAX_DEPTH} levels deep`);
    throw new CliError(`${label}: not valid YAML: ${clean((e as Error).message.split("\n")[0] ?? "")}`);
  }
}

/** A path of the file, as the current directory sees it. */
function fromFile(io: CliIO, base: string, path: string): string {
  const abs = resolve(base, path);
  return isAbsolute(path) ? path : relative(io.cwd, abs) || ".";
}

/** Reads and checks a config file: errors name the file, the key path and the value. */
export function loadConfig(io: CliIO, file: string): LoadedConfig {
  const label = `--config ${shown(file)}`;
  const text = readText(io, file, "--config");
  const doc = parseConfig(text, label) ?? {};
  if (deepestLevel(doc) > MAX_DEPTH) throw new CliError(`${label}: nested more than ${MAX_DEPTH} levels deep`);
  const result = configSchema.safeParse(doc);
  if (!result.success) {
    const unknown = result.error.issues.find((i) => i.code === "unrecognized_keys");
    if (unknown && unknown.code === "unrecognized_keys") {
      const key = unknown.keys[0] ?? "";
      const known = Object.keys(configSchema.shape).filter((k) => k !== "$schema");
      const guess = nearest(key, known);
      const at = issueAt([...unknown.path, key]);
      throw new CliError(`${label}: ${at}: unknown key (keys: ${known.join(", ")})${guess ? `; did you mean ${shown(guess)}?` : ""} (value: ${shown(valueAt(doc, [...unknown.path, key]))})`);
    }
    const issue = result.error.issues[0];
    const path = issue?.path ?? [];
    throw new CliError(`${label}: ${issueAt(path)}: ${issue?.message ?? "invalid"} (value: ${shown(valueAt(doc, path) ?? "missing")})`);
  }
  const c = result.data;
  const ids = featureList.map((f) => f.id);
  for (const id of Object.keys(c.features ?? {})) {
    if (!ids.includes(id)) {
      const guess = nearest(id, ids);
      throw new CliError(`${label}: features.${id}: unknown feature (features: ${ids.join(", ")})${guess ? `; did you mean ${shown(guess)}?` : ""} (value: ${shown(c.features?.[id])})`);
    }
  }
  const base = dirname(resolve(io.cwd, file));
  return {
    file,
    base,
    ...(c.revision !== undefined ? { revision: c.revision } : {}),
    ...(c.regions !== undefined ? { regions: c.regions } : {}),
    ...(c.subnet !== undefined ? { subnet: c.subnet } : {}),
    ...(c.peers !== undefined ? { peers: c.peers } : {}),
    ...(c.features !== undefined ? { features: Object.entries(c.features).map(([id, on]) => `${id}=${on ? "on" : "off"}`) } : {}),
    ...(c.serviceTags !== undefined ? { serviceTags: fromFile(io, base, c.serviceTags) } : {}),
    plugins: c.plugins ?? [],
    ...(c.out !== undefined ? { out: fromFile(io, base, c.out) } : {}),
    ...(c.targets !== undefined ? { targets: Object.fromEntries(Object.entries(c.targets).map(([t, o]) => [t, o ?? {}])) } : {}),
  };
}

/** The explicit `--config FILE`, else the default file when the current directory has one; `false` (`--no-config`): none. */
export function findConfig(io: CliIO, given: string | false | undefined): string | undefined {
  if (given === false) return undefined;
  if (given !== undefined) return given;
  return existsSync(resolve(io.cwd, DEFAULT_CONFIG)) ? DEFAULT_CONFIG : undefined;
}

/** The target names of the file must be registered emitters (plugins included). */
export function checkConfigTargets(config: LoadedConfig, registry: EmitterRegistry): void {
  const names = registry.names();
  for (const t of Object.keys(config.targets ?? {})) {
    if (!names.includes(t)) {
      const guess = nearest(t, names);
      throw new CliError(`--config ${shown(config.file)}: targets.${t}: unknown target (targets: ${names.join(", ")})${guess ? `; did you mean ${shown(guess)}?` : ""}`);
    }
  }
}

/** The JSON Schema of the file, with every registered target's options: what `schemas/config.schema.json` holds. */
export function configJsonSchema(registry: EmitterRegistry): JsonSchema {
  const base = z.toJSONSchema(configSchema, { io: "input" }) as Record<string, unknown> & { properties: Record<string, Record<string, unknown>> };
  const targets: Record<string, JsonSchema> = {};
  for (const name of registry.names()) {
    const e = registry.get(name);
    const keys = (e?.options?.keys ?? []).filter((k) => !k.internal);
    targets[name] = {
      description: e?.description ?? "",
      type: ["object", "null"],
      properties: Object.fromEntries(keys.map((k) => [k.key, k.schema])),
      additionalProperties: false,
    };
  }
  const { $schema: _drop, ...rest } = base;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "cassandra-mi-netrules config file",
    ...rest,
    properties: {
      ...base.properties,
      features: { ...base.properties.features, propertyNames: { enum: featureList.map((f) => f.id) } },
      targets: {
        ...base.properties.targets,
        properties: targets,
        // A plugin's target: its options are checked when the plugin is loaded.
        additionalProperties: { type: ["object", "null"] },
      },
    },
  };
}

/** Options shared by the commands that resolve rules: revision, regions, subnet, features, service tags. */
import { features as featureList, nearest, resolveRules, UnknownNameError, type ResolvedRules, type ServiceTagIndex } from "@cassandra-mi-netrules/core";
import { CliError, shown } from "./errors.js";
import { readText, type CliIO } from "./io.js";

export interface ResolveFlags {
  readonly revision?: string;
  readonly region?: readonly string[];
  readonly subnet?: string;
  readonly feature?: readonly string[];
  readonly serviceTags?: string;
}

/** Commander collector for repeatable options; also splits `a,b`. Empty items stay, for the resolver to refuse. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").map((v) => v.trim())];
}

export function parseFeatures(items: readonly string[] | undefined): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  const ids = featureList.map((f) => f.id);
  for (const item of items ?? []) {
    const m = /^([^=]+?)(?:=(.*))?$/.exec(item);
    const id = m?.[1] ?? item;
    const state = (m?.[2] ?? "on").toLowerCase();
    if (!ids.includes(id)) throw new CliError(`--feature: ${new UnknownNameError("feature", id, nearest(id, ids), ids).message}`);
    if (["on", "true", "enabled", "yes"].includes(state)) out[id] = true;
    else if (["off", "false", "disabled", "no"].includes(state)) out[id] = false;
    else throw new CliError(`--feature: ${id}: expected on or off (value: ${shown(m?.[2])})`);
  }
  return out;
}

/** Loads the file with the service-tags subpath, imported only when a file is given; a file over its size limit is not read. */
export async function readServiceTags(io: CliIO, file: string | undefined): Promise<ServiceTagIndex | undefined> {
  if (file === undefined) return undefined;
  const { loadServiceTags, MAX_SERVICE_TAGS_BYTES } = await import("@cassandra-mi-netrules/core/service-tags");
  const text = readText(io, file, "--service-tags", MAX_SERVICE_TAGS_BYTES);
  try {
    return loadServiceTags(text, file);
  } catch (e) {
    throw new CliError(`--service-tags: ${(e as Error).message}`);
  }
}

const reported = new WeakSet<ServiceTagIndex>();
/** Says on stderr, once per file, how it differs from the bundled Microsoft file (nothing when it does not). */
async function reportServiceTags(io: CliIO, index: ServiceTagIndex, file: string | undefined): Promise<void> {
  if (reported.has(index) || !index.report) return;
  reported.add(index);
  const { formatServiceTagsReport } = await import("@cassandra-mi-netrules/core/service-tags");
  for (const line of formatServiceTagsReport(index.report())) io.stderr(`cassandra-mi-netrules: --service-tags ${shown(file ?? "")}: ${line}\n`);
}

/** Runs the resolver; its errors name the option (`--region`, `--subnet`, `--revision`). */
export async function resolveFrom(io: CliIO, flags: ResolveFlags, revision = flags.revision, preloaded?: ServiceTagIndex): Promise<ResolvedRules> {
  const index = preloaded ?? (await readServiceTags(io, flags.serviceTags));
  let resolved: ResolvedRules;
  try {
    resolved = resolveRules({
      ...(revision !== undefined ? { revision } : {}),
      regions: flags.region ?? [],
      ...(flags.subnet !== undefined ? { subnet: flags.subnet } : {}),
      features: parseFeatures(flags.feature),
      ...(index ? { serviceTags: index } : {}),
    });
  } catch (e) {
    if (e instanceof UnknownNameError) throw new CliError(`--${e.what}: ${e.message}`);
    if (e instanceof Error && e.name === "ResolveError") throw new CliError(`--${e.message}`);
    // A tag of the file is checked when the resolver first uses it.
    if (e instanceof Error && e.name === "ServiceTagsError") throw new CliError(`--service-tags: ${e.message}`);
    throw e;
  }
  if (index) await reportServiceTags(io, index, flags.serviceTags);
  return resolved;
}

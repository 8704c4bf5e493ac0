/**
 * Loader for Microsoft's "Azure IP Ranges and Service Tags" file, or what the service-tags REST API and
 * `az network list-service-tags` return. A subpath of its own (`@cassandra-mi-netrules/core/service-tags`)
 * because it carries what it compares a file with (the bundled file's tag names and the prefixes of the
 * tags the dataset uses), which the main entry never loads.
 *
 * Lazy: loading reads the JSON and checks its envelope (changeNumber, cloud, and a name for each entry of
 * values); each tag's entry is checked, its prefixes read, bounded, merged and compared with the bundled
 * file when the tag is first used, so a run that needs 375 of the file's 3,039 tags pays for those. The
 * results are those of reading every tag at once.
 */
import { markMergedPrefixList, mergePrefixes } from "./cidr.js";
import { SERVICE_TAG_REFERENCE } from "./generated/service-tag-reference.js";
import { compareStrings, sortBy } from "./order.js";
import { ownValue } from "./own.js";
import {
  driftFrom,
  firstOutside,
  knownTagName,
  referencePrefixes,
  referenceRaw,
  SERVICE_TAG_PREFIX_BOUNDS,
  type FamilyDrift,
  type ReferenceTag,
  type ServiceTagReference,
} from "./service-tags-compare.js";
import { checkServiceTagEntry, checkServiceTagsEnvelope, ShapeProblem, type RawServiceTag, type ServiceTagsEnvelope } from "./service-tags-file.js";
import type { PrefixSet, ServiceTagDrift, ServiceTagIndex, ServiceTagInfo, ServiceTagsReport } from "./types.js";
import { escapeAscii, excerpt, issuePath } from "./zod-issue.js";

export { SERVICE_TAG_PREFIX_BOUNDS } from "./service-tags-compare.js";
export type { ServiceTagDrift, ServiceTagsReport } from "./types.js";

/**
 * The largest file `loadServiceTags` reads: Microsoft's file is about 4 MB (4.1 MB on 2025-10-28), and
 * `az` prints it at about 5.4 MB; 32 MiB leaves room to grow while a 200 MB file is refused before it is
 * parsed (which took about 870 MB). The CLI checks the size before it reads the file.
 */
export const MAX_SERVICE_TAGS_BYTES = 32 * 1024 * 1024;

export class ServiceTagsError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${source}: ${field}: ${reason} (value: ${excerpt(value)})`);
    this.name = "ServiceTagsError";
  }
}

export interface LoadServiceTagsOptions {
  /** Names the file in errors and in the report (default "service-tags file"). */
  readonly source?: string;
  /**
   * Compare the file with the bundled Microsoft file (default true): the cloud must be Public, tag names
   * and missing tags are reported, and each of the dataset's tags may not have moved further than
   * SECURITY.md states. `false` keeps only the checks of the file itself (shape, CIDR text, prefix bounds),
   * for made-up test files or files of another cloud.
   */
  readonly compare?: boolean;
}

/** The text as JSON, refusing what is too large or not text; errors show a short escaped excerpt only. */
function parseText(text: string, source: string): unknown {
  const head = text.slice(0, 16);
  if (text.length > MAX_SERVICE_TAGS_BYTES) {
    throw new ServiceTagsError(source, "(root)", head, `the file is larger than ${MAX_SERVICE_TAGS_BYTES / 1024 / 1024} MiB, the limit (Microsoft's file is about 4 MB)`);
  }
  const binary = text.search(/[\u0000\ufffd]/);
  if (binary >= 0) throw new ServiceTagsError(source, "(root)", head, `not a text file (a NUL or non-UTF-8 byte at character ${binary})`);
  try {
    return JSON.parse(text);
  } catch (e) {
    // V8 quotes the text around the error (`Unexpected token 'r', "root:x:0:0:"... is not`): keep what comes before.
    const message = (e instanceof Error ? e.message : String(e)).split(/,\s*(?:\.\.\.)?"/)[0]?.replace(/ is not valid JSON$/, "") ?? "";
    const found = /at position (\d+)/.exec(message);
    const position = Number(found?.[1] ?? 0);
    const where = found ? ` at line ${text.slice(0, position).split("\n").length}` : "";
    throw new ServiceTagsError(source, "(root)", text.slice(position, position + 16), `not valid JSON${where}: ${escapeAscii(message.slice(0, 120))}`);
  }
}

function fail(source: string, problem: ShapeProblem, doc: unknown): never {
  let value: unknown = doc;
  for (const key of problem.path) value = value !== null && typeof value === "object" ? (value as Record<string | number, unknown>)[key] : undefined;
  throw new ServiceTagsError(source, issuePath(problem.path) || "(root)", value, problem.reason);
}

/**
 * Reads a service-tags file (its text or the parsed JSON) and indexes its tags by name, case-insensitively.
 * The envelope is checked now; each tag's entry when it is first used (`get`, or reading `tags`, which
 * checks them all). Errors are `ServiceTagsError`s naming the file, the field, the tag and a short escaped excerpt.
 * The second argument is the file's name for errors, or the options.
 */
export function loadServiceTags(input: string | unknown, sourceOrOptions: string | LoadServiceTagsOptions = {}): ServiceTagIndex {
  const options = typeof sourceOrOptions === "string" ? { source: sourceOrOptions } : sourceOrOptions;
  const source = options.source ?? "service-tags file";
  const doc = typeof input === "string" ? parseText(input, source) : input;
  const envelope = checkServiceTagsEnvelope(doc);
  if (envelope instanceof ShapeProblem) fail(source, envelope, doc);
  return new LazyServiceTagIndex(doc, envelope, source, options.compare !== false ? new Comparison(envelope, source) : undefined);
}

/** The regional form `Tag.Region` of one of the dataset's tags, if `name` is one: [tag, region]. */
function regionalFormOf(name: string): [string, string] | undefined {
  const dot = name.lastIndexOf(".");
  if (dot < 0) return undefined;
  const tag = DATASET_TAGS.get(name.slice(0, dot).toLowerCase());
  const region = name.slice(dot + 1).toLowerCase();
  return tag && REGION_NAMES.has(region) ? [tag, region] : undefined;
}
// From the reference, not the dataset module: the main entry's chunks stay as they were (import cost).
const DATASET_TAGS = new Map(Object.keys(SERVICE_TAG_REFERENCE.tags).map((t) => [t.toLowerCase(), t]));
const REGION_NAMES = new Set(SERVICE_TAG_REFERENCE.regions);

class LazyServiceTagIndex implements ServiceTagIndex {
  readonly cloud: string;
  readonly changeNumber: number;
  readonly #byLower = new Map<string, number>();
  readonly #done = new Map<number, ServiceTagInfo>();
  #all: ReadonlyMap<string, ServiceTagInfo> | undefined;

  constructor(
    private readonly doc: unknown,
    private readonly file: ServiceTagsEnvelope,
    private readonly source: string,
    private readonly comparison: Comparison | undefined,
  ) {
    this.cloud = file.cloud;
    this.changeNumber = file.changeNumber;
    file.lowerNames.forEach((key, i) => {
      if (this.#byLower.has(key)) throw new ServiceTagsError(source, `values[${i}].name`, file.names[i], "duplicate tag name");
      this.#byLower.set(key, i);
    });
  }

  get(name: string): ServiceTagInfo | undefined {
    const i = this.#byLower.get(name.toLowerCase());
    return i === undefined ? undefined : this.#info(i);
  }

  /** Every tag by exact name, sorted: reading it checks and merges every tag. */
  get tags(): ReadonlyMap<string, ServiceTagInfo> {
    this.#all ??= new Map(sortBy(this.file.names.map((name, i): [string, ServiceTagInfo] => [name, this.#info(i)]), ([name]) => name));
    return this.#all;
  }

  report(): ServiceTagsReport {
    const bundled = { source: SERVICE_TAG_REFERENCE.source, changeNumber: SERVICE_TAG_REFERENCE.changeNumber };
    const base = { source: this.source, changeNumber: this.changeNumber, bundled };
    return this.comparison ? { ...base, compared: true, ...this.comparison.findings() } : { ...base, compared: false, unknownTags: [], missingTags: [], drift: [] };
  }

  #info(i: number): ServiceTagInfo {
    const done = this.#done.get(i);
    if (done) return done;
    const v = checkServiceTagEntry(this.file.values[i], i);
    if (v instanceof ShapeProblem) fail(this.source, v, this.doc);
    const bundled = asBundled(v);
    const merged = bundled ?? mergeTag(v, i, this.source);
    // The bundled lists lie inside the bounds (a test holds them to it).
    if (!bundled) checkBounds(v, i, merged, this.source);
    const prefixes = { ipv4: markMergedPrefixList(merged.ipv4, 4), ipv6: markMergedPrefixList(merged.ipv6, 6) };
    const info: ServiceTagInfo = {
      name: v.name,
      region: v.properties.region === "" ? "" : v.name.includes(".") ? (v.name.split(".").pop() ?? "").toLowerCase() : v.properties.region,
      networkFeatures: v.properties.networkFeatures,
      changeNumber: v.properties.changeNumber,
      prefixes,
      prefixCountIn: v.properties.addressPrefixes.length,
    };
    const form = regionalFormOf(v.name);
    const global = this.comparison && form ? this.get(form[0]) : undefined;
    this.comparison?.check(v, i, prefixes, global, bundled !== undefined);
    this.#done.set(i, info);
    return info;
  }
}

/**
 * The merged prefixes of a tag the dataset uses whose list is, as written, the bundled file's (compared as
 * text, not a digest): they ship
 * with the package, so the tag needs no reading or merging (most tags of a current file, every tag of the
 * bundled one). Anything else is read and merged.
 */
function asBundled(v: RawServiceTag): PrefixSet | undefined {
  // Own keys only: a tag named `constructor` in the file is not a bundled one.
  const bundled = ownValue(SERVICE_TAG_REFERENCE.tags, v.name) ?? ownValue(SERVICE_TAG_REFERENCE.regional, v.name);
  return bundled && v.properties.addressPrefixes.join(",") === referenceRaw(bundled) ? referencePrefixes(bundled) : undefined;
}

/** Merges a tag's prefixes per family; a prefix that is no CIDR is an error naming it. */
function mergeTag(v: RawServiceTag, i: number, source: string): PrefixSet {
  try {
    return mergePrefixes(v.properties.addressPrefixes);
  } catch (e) {
    const bad = v.properties.addressPrefixes.findIndex((p) => {
      try {
        mergePrefixes([p]);
        return false;
      } catch {
        return true;
      }
    });
    throw new ServiceTagsError(source, `values[${i}].properties.addressPrefixes[${bad}]`, v.properties.addressPrefixes[bad], `tag ${v.name}: ${(e as Error).message}`);
  }
}

/** The prefix length of a prefix already read by mergePrefixes, without making a substring. */
function lengthOf(p: string): number {
  let n = 0;
  for (let i = p.lastIndexOf("/") + 1; i < p.length; i++) n = n * 10 + p.charCodeAt(i) - 48;
  return n;
}

/**
 * No prefix of a tag, as written or once merged, may be wider than SERVICE_TAG_PREFIX_BOUNDS. A merged
 * block holds every prefix written inside it, so the merged list is checked, and the written prefix looked
 * for only to name it.
 */
function checkBounds(v: RawServiceTag, i: number, merged: PrefixSet, source: string): void {
  const tooWide = (p: string) => lengthOf(p) < (p.includes(":") ? SERVICE_TAG_PREFIX_BOUNDS.ipv6 : SERVICE_TAG_PREFIX_BOUNDS.ipv4);
  const wide = merged.ipv4.find(tooWide) ?? merged.ipv6.find(tooWide);
  if (wide === undefined) return;
  const bounds = `no service tag holds a prefix wider than /${SERVICE_TAG_PREFIX_BOUNDS.ipv4} (IPv4) or /${SERVICE_TAG_PREFIX_BOUNDS.ipv6} (IPv6); Microsoft's widest are /${SERVICE_TAG_REFERENCE.widest.ipv4} and /${SERVICE_TAG_REFERENCE.widest.ipv6}`;
  const at = v.properties.addressPrefixes.findIndex(tooWide);
  if (at >= 0) throw new ServiceTagsError(source, `values[${i}].properties.addressPrefixes[${at}]`, v.properties.addressPrefixes[at], `tag ${v.name}: ${bounds}`);
  throw new ServiceTagsError(source, `values[${i}].properties.addressPrefixes`, wide, `tag ${v.name}: its prefixes merge into ${wide}: ${bounds}`);
}

/** `n` as a share of `of` (6 decimals); of a tag that held no address of the family, any gain is 1 (100%). */
const share = (n: bigint, of: bigint): number => (of === 0n ? (n === 0n ? 0 : 1) : Number((n * 1_000_000n) / of) / 1_000_000);

/** The comparison of one file with the bundled one: names at load, each of the dataset's tags at first use. */
class Comparison {
  readonly #unknown: string[];
  readonly #missing: string[];
  readonly #drift = new Map<string, ServiceTagDrift>();
  /** Global tags whose prefixes are the bundled file's: their unchanged regional forms need no containment check. */
  readonly #unchanged = new Set<string>();
  readonly #reference: ServiceTagReference = SERVICE_TAG_REFERENCE;

  constructor(
    file: ServiceTagsEnvelope,
    private readonly source: string,
  ) {
    const ref = this.#reference;
    if (file.cloud !== ref.cloud) {
      throw new ServiceTagsError(source, "cloud", file.cloud, `the rules and regions of this package are Azure's ${ref.cloud} cloud's, so another cloud's file does not apply to them (in the library, compare: false reads it unchecked)`);
    }
    const bases = new Set(ref.bases);
    const suffixes = new Set(ref.suffixes);
    const names = new Set(file.lowerNames);
    this.#unknown = file.names.filter((_, i) => !knownTagName(bases, suffixes, file.lowerNames[i] as string)).sort(compareStrings);
    this.#missing = [...Object.keys(ref.tags), ...Object.keys(ref.regional)].filter((n) => !names.has(n.toLowerCase())).sort(compareStrings);
  }

  findings(): Pick<ServiceTagsReport, "unknownTags" | "missingTags" | "drift"> {
    return { unknownTags: this.#unknown, missingTags: this.#missing, drift: sortBy([...this.#drift.values()], (d) => d.tag) };
  }

  /**
   * A global tag of the dataset against the bundled one; a regional form against its global tag and the
   * bundled prefixes. `asBundled`: the tag's list is, as written, the bundled file's.
   */
  check(v: RawServiceTag, i: number, prefixes: PrefixSet, global: ServiceTagInfo | undefined, asBundled: boolean): void {
    const bundled = this.#reference.tags[DATASET_TAGS.get(v.name.toLowerCase()) ?? ""];
    if (bundled) this.#checkGlobal(v, i, prefixes, bundled, asBundled);
    if (global) this.#checkRegional(v, i, prefixes, global, asBundled);
  }

  #checkGlobal(v: RawServiceTag, i: number, prefixes: PrefixSet, bundled: ReferenceTag, asBundled: boolean): void {
    if (asBundled || (prefixes.ipv4.join(",") === bundled.ipv4 && prefixes.ipv6.join(",") === bundled.ipv6)) {
      // The bundled prefixes, merged alike: nothing moved (the common case, checked without reading addresses).
      this.#unchanged.add(v.name);
      const none = { ipv4: 0, ipv6: 0 };
      this.#drift.set(v.name, { tag: v.name, bundledChangeNumber: bundled.changeNumber, changeNumber: v.properties.changeNumber, added: none, removed: none });
      return;
    }
    const d = driftFrom(this.#reference, referencePrefixes(bundled), prefixes);
    this.#drift.set(v.name, {
      tag: v.name,
      bundledChangeNumber: bundled.changeNumber,
      changeNumber: v.properties.changeNumber,
      added: { ipv4: share(d.ipv4.added, d.ipv4.bundled), ipv6: share(d.ipv6.added, d.ipv6.bundled) },
      removed: { ipv4: share(d.ipv4.removed, d.ipv4.bundled), ipv6: share(d.ipv6.removed, d.ipv6.bundled) },
    });
    const moved = (f: FamilyDrift) => f.added + f.removed > 0n;
    if (v.properties.changeNumber === bundled.changeNumber && (moved(d.ipv4) || moved(d.ipv6))) {
      throw new ServiceTagsError(this.source, `values[${i}].properties.changeNumber`, v.properties.changeNumber, `tag ${v.name}: ${this.#sameNumber("its prefixes differ from the bundled file's")}`);
    }
    for (const [family, f] of [["IPv4", d.ipv4], ["IPv6", d.ipv6]] as const) {
      if (f.added <= f.limit) continue;
      const held = `${f.bundled} it held at changeNumber ${bundled.changeNumber} of ${this.#reference.source}`;
      throw new ServiceTagsError(
        this.source,
        `values[${i}].properties.addressPrefixes`,
        `+${f.added} ${family} addresses`,
        `tag ${v.name}: moved too far from the bundled file: it gained ${f.added} ${family} addresses, more than the ${held} (a tag may at most double, or gain one block as wide as the widest prefix of Microsoft's file); if the file is Microsoft's, update @cassandra-mi-netrules/core`,
      );
    }
  }

  #checkRegional(v: RawServiceTag, i: number, prefixes: PrefixSet, global: ServiceTagInfo, asBundled: boolean): void {
    const bundled = ownValue(this.#reference.regional, v.name);
    const same = bundled !== undefined && (asBundled || (prefixes.ipv4.join(",") === bundled.ipv4 && prefixes.ipv6.join(",") === bundled.ipv6));
    if (bundled && bundled.changeNumber === v.properties.changeNumber && !same) {
      throw new ServiceTagsError(this.source, `values[${i}].properties.changeNumber`, v.properties.changeNumber, `tag ${v.name}: ${this.#sameNumber("its prefixes differ from the bundled file's")}`);
    }
    // A regional form and its global tag both as bundled: the bundled file already holds the one inside the other.
    if (same && this.#unchanged.has(global.name)) return;
    const outside = firstOutside(prefixes, global.prefixes);
    if (outside !== undefined) {
      throw new ServiceTagsError(this.source, `values[${i}].properties.addressPrefixes`, outside, `tag ${v.name} holds ${outside}, which its global tag ${global.name} does not: in Microsoft's files a regional form lies inside its global tag`);
    }
  }

  #sameNumber(what: string): string {
    return `changeNumber is the one of ${this.#reference.source}, but ${what}: Microsoft changes the number whenever a tag's prefixes change, so this is not the list it published`;
  }
}

/** What a report says that a user should know, one line each; nothing when the file matches the bundled one. */
export function formatServiceTagsReport(report: ServiceTagsReport, maxNames = 8): string[] {
  const lines: string[] = [];
  const names = (list: readonly string[]) => `${list.slice(0, maxNames).join(", ")}${list.length > maxNames ? `, ... ${list.length} in all` : ""}`;
  const { bundled } = report;
  if (report.changeNumber < bundled.changeNumber) {
    lines.push(`changeNumber ${report.changeNumber} is older than the bundled ${bundled.source} (${bundled.changeNumber}): prefixes may be out of date`);
  }
  if (!report.compared) return [...lines, `not compared with ${bundled.source} (compare: false)`];
  if (report.unknownTags.length) lines.push(`${report.unknownTags.length} tag(s) unknown to ${bundled.source}: ${names(report.unknownTags.map((n) => excerpt(n, 60)))}`);
  if (report.missingTags.length) lines.push(`${report.missingTags.length} tag(s) the rules use are missing (their rules get no prefixes from the file): ${names(report.missingTags)}`);
  const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
  for (const d of report.drift) {
    if (d.changeNumber === d.bundledChangeNumber && d.added.ipv4 + d.added.ipv6 + d.removed.ipv4 + d.removed.ipv6 === 0) continue;
    lines.push(`${d.tag}: changeNumber ${d.bundledChangeNumber} -> ${d.changeNumber}, IPv4 +${pct(d.added.ipv4)} -${pct(d.removed.ipv4)}, IPv6 +${pct(d.added.ipv6)} -${pct(d.removed.ipv6)} of the bundled addresses`);
  }
  return lines;
}

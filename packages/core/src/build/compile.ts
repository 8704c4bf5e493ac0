/**
 * Build-time compiler of the YAML dataset: validates it with zod and cross-checks it, then returns the
 * typed dataset. Used by scripts/compile-data.ts and by the tests; never imported by the runtime entry.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { load } from "js-yaml";
import type { z } from "zod";
import {
  FeatureFileSchema,
  RequirementFileSchema,
  RevisionFileSchema,
  ServiceTagsFileSchema,
  type ServiceTagsFile,
} from "../schema.js";
import type {
  Feature,
  PortRange,
  Region,
  Requirement,
  Revision,
  ServiceTagCatalog,
  ServiceTagCatalogEntry,
} from "../types.js";
import { canonicalJson } from "../order.js";
import { nearest } from "../suggest.js";
import { issuePath, showValue, valueAt } from "../zod-issue.js";

export interface DatasetBuild {
  readonly requirements: Requirement[];
  readonly revisions: Omit<Revision, "requirements">[];
  readonly features: Feature[];
  readonly dataHash: string;
}

export class DatasetError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`dataset is invalid:\n  ${problems.join("\n  ")}`);
    this.name = "DatasetError";
  }
}

export function parseYaml(file: string, label: string, problems: string[]): unknown {
  try {
    return load(readFileSync(file, "utf8"));
  } catch (e) {
    problems.push(`${label}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    return undefined;
  }
}

export function check<T>(schema: z.ZodType<T>, doc: unknown, label: string, problems: string[]): T | undefined {
  const res = schema.safeParse(doc);
  if (res.success) return res.data;
  for (const issue of res.error.issues) {
    const where = issuePath(issue.path) || "(root)";
    problems.push(`${label}: ${where}: ${issue.message} (value: ${showValue(valueAt(doc, issue.path))})`);
  }
  return undefined;
}

/** Regional forms are `Tag.Region` where Region, lower-cased, is an ARM location. */
export function buildServiceTagCatalog(
  file: ServiceTagsFile,
  fileName: string,
  regionNames: ReadonlySet<string>,
  tags?: readonly string[],
): ServiceTagCatalog {
  const byName = new Map(file.values.map((v) => [v.name, v]));
  const globalTags = file.values.filter((v) => v.properties.region === "").map((v) => v.name);
  const out: Record<string, ServiceTagCatalogEntry> = {};
  for (const tag of [...new Set(tags ?? globalTags)].sort()) {
    const entry = byName.get(tag);
    if (!entry) continue;
    const regional: Record<string, { name: string; networkFeatures: string[] | null }> = {};
    for (const v of file.values) {
      if (!v.name.startsWith(`${tag}.`)) continue;
      const suffix = v.name.slice(tag.length + 1);
      const region = suffix.toLowerCase();
      if (suffix.includes(".") || !regionNames.has(region)) continue;
      regional[region] = { name: v.name, networkFeatures: v.properties.networkFeatures ?? null };
    }
    const sortedRegional = Object.fromEntries(Object.entries(regional).sort(([a], [b]) => (a < b ? -1 : 1)));
    out[tag] = { name: tag, networkFeatures: entry.properties.networkFeatures ?? null, regional: sortedRegional };
  }
  return { source: fileName, changeNumber: file.changeNumber, tags: out };
}

export function readRegions(locationsFile: string): Region[] {
  const raw = JSON.parse(readFileSync(locationsFile, "utf8")) as {
    locals: { locations_cached: { value: Array<{ name: string; displayName: string; metadata?: { regionType?: string; geography?: string; pairedRegion?: Array<{ name: string }> } }> } };
  };
  return raw.locals.locations_cached.value
    .filter((l) => l.metadata?.regionType === "Physical")
    .map((l) => {
      const region: { name: string; displayName: string; geography?: string; pairedRegion?: string } = {
        name: l.name,
        displayName: l.displayName,
      };
      if (l.metadata?.geography) region.geography = l.metadata.geography;
      const paired = l.metadata?.pairedRegion?.[0]?.name;
      if (paired) region.pairedRegion = paired;
      return region;
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function readServiceTagsFile(path: string): ServiceTagsFile {
  const problems: string[] = [];
  const doc = JSON.parse(readFileSync(path, "utf8"));
  const parsed = check(ServiceTagsFileSchema, doc, basename(path), problems);
  if (!parsed) throw new DatasetError(problems);
  return parsed;
}

function toRange(p: number | { from: number; to: number }): PortRange {
  return typeof p === "number" ? { from: p, to: p } : { from: p.from, to: p.to };
}

/**
 * Reads `dataDir` (revisions.yaml, features.yaml, requirements/*.yaml), validates every file and the
 * links between them, and checks each service tag against the catalogue. Throws DatasetError listing
 * every problem as `file: yaml.path: message (value: ...)`.
 */
export function compileDataset(dataDir: string, catalog: ServiceTagCatalog, rootForMessages = dataDir): DatasetBuild {
  const problems: string[] = [];
  const label = (f: string) => relative(rootForMessages, f) || f;

  const revFile = join(dataDir, "revisions.yaml");
  const revisionsSrc = check(RevisionFileSchema, parseYaml(revFile, label(revFile), problems), label(revFile), problems) ?? [];
  const featFile = join(dataDir, "features.yaml");
  const featuresSrc = check(FeatureFileSchema, parseYaml(featFile, label(featFile), problems), label(featFile), problems) ?? [];

  const revisionIds = new Set(revisionsSrc.map((r) => r.id));
  const featureIds = new Set(featuresSrc.map((f) => f.id));
  const seenRev = new Set<string>();
  revisionsSrc.forEach((r, i) => {
    if (seenRev.has(r.id)) problems.push(`${label(revFile)}: [${i}].id: duplicate revision id (value: "${r.id}")`);
    seenRev.add(r.id);
  });

  const reqDir = join(dataDir, "requirements");
  const files = readdirSync(reqDir).filter((f) => f.endsWith(".yaml")).sort();
  const requirements: Requirement[] = [];
  const firstSeen = new Map<string, string>();
  let order = 0;
  for (const f of files) {
    const path = join(reqDir, f);
    const where = label(path);
    const doc = parseYaml(path, where, problems);
    const parsed = check(RequirementFileSchema, doc, where, problems);
    if (!parsed) continue;
    parsed.forEach((r, i) => {
      const at = `${where}: [${i}]`;
      const prev = firstSeen.get(r.id);
      if (prev) problems.push(`${at}.id: duplicate requirement id, first defined in ${prev} (value: "${r.id}")`);
      else firstSeen.set(r.id, `${where} [${i}]`);
      r.provenance.revisions.forEach((rev, j) => {
        if (!revisionIds.has(rev)) problems.push(`${at}.provenance.revisions[${j}]: unknown revision (value: "${rev}")`);
      });
      for (const rev of Object.keys(r.provenance.asWritten ?? {})) {
        if (!r.provenance.revisions.includes(rev))
          problems.push(`${at}.provenance.asWritten: revision not listed in provenance.revisions (value: "${rev}")`);
      }
      (r.conditions ?? []).forEach((c, j) => {
        if (!featureIds.has(c.feature)) problems.push(`${at}.conditions[${j}].feature: unknown feature (value: "${c.feature}")`);
      });
      r.destinations.forEach((d, j) => {
        if (d.type !== "serviceTag") return;
        const entry = catalog.tags[d.tag];
        if (!entry) {
          const near = nearest(d.tag, Object.keys(catalog.tags));
          const hint = near ? `; did you mean "${near}"?` : "";
          problems.push(`${at}.destinations[${j}].tag: unknown service tag, not in ${catalog.source}${hint} (value: "${d.tag}")`);
          return;
        }
        const hasRegional = Object.keys(entry.regional).length > 0;
        if (d.regional !== hasRegional)
          problems.push(
            `${at}.destinations[${j}].regional: ${catalog.source} ${hasRegional ? "has" : "has no"} regional forms of ${d.tag} (value: ${d.regional})`,
          );
      });
      const ports = r.ports.map(toRange).sort((a, b) => a.from - b.from || a.to - b.to);
      const revs = [...r.provenance.revisions].sort();
      requirements.push({
        id: r.id,
        kind: r.kind,
        destinations: r.destinations,
        protocol: r.protocol,
        ports,
        purpose: r.purpose,
        conditions: r.conditions ?? [],
        provenance: {
          revisions: revs,
          since: revs[0] ?? "",
          table: r.provenance.table,
          asWritten: r.provenance.asWritten ?? {},
          notes: r.provenance.notes ?? [],
        },
        inferred: r.inferred ?? [],
        order: order++,
      });
    });
  }
  if (problems.length > 0) throw new DatasetError(problems);

  const revisions = [...revisionsSrc]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((r) => ({
      ...r,
      requirementIds: requirements.filter((q) => q.provenance.revisions.includes(r.id)).map((q) => q.id),
    }));
  const features: Feature[] = featuresSrc.map((f) => ({ ...f, waivesKinds: f.waivesKinds ?? [] }));
  const dataHash = createHash("sha256").update(canonicalJson({ requirements, revisions, features })).digest("hex");
  return { requirements, revisions, features, dataHash };
}

/**
 * Build-time compiler of the source page's locale catalogue (data/source/locales/*.yaml) and recorded
 * prose (data/source/prose/<revision>.<locale>.yaml): validated with zod, cross-checked with the dataset,
 * written as modules only the `source` subpath imports.
 */
import { readdirSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { shortHash } from "../emit/text.js";
import { ProseFileSchema, SourceLocaleFileSchema, type ProseFile, type SourceLocaleFile } from "../schema.js";
import type { LocaleCatalogue } from "../source/catalogue.js";
import type { RecordedProse } from "../source/prose.js";
import type { Requirement, Revision } from "../types.js";
import { check, DatasetError, parseYaml } from "./compile.js";

export interface SourceDataBuild {
  readonly catalogues: LocaleCatalogue[];
  readonly prose: RecordedProse[];
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => join(dir, f));
}

/** The catalogue file's entries with their sources checked and defaults filled. */
function catalogueOf(file: SourceLocaleFile, where: string, knownTags: ReadonlySet<string>, problems: string[]): LocaleCatalogue {
  const ids = new Set(Object.keys(file.sources));
  const entries = <T extends { written: string; sources?: string[] | undefined }>(list: readonly T[], field: string): Array<Omit<T, "sources"> & { sources: string[] }> => {
    const seen = new Set<string>();
    list.forEach((e, i) => {
      for (const s of e.sources ?? []) if (!ids.has(s)) problems.push(`${where}: ${field}[${i}].sources: unknown source id, not in sources (value: "${s}")`);
      const key = e.written.normalize("NFC").toLowerCase();
      if (seen.has(key)) problems.push(`${where}: ${field}[${i}].written: listed twice (value: ${JSON.stringify(e.written)})`);
      seen.add(key);
      const tag = (e as { tag?: string }).tag;
      if (tag !== undefined && !knownTags.has(tag)) problems.push(`${where}: ${field}[${i}].tag: not a tag the requirements use (value: "${tag}")`);
    });
    return list.map((e) => ({ ...e, written: e.written.normalize("NFC"), sources: e.sources ?? [] }));
  };
  return {
    locale: file.locale,
    name: file.name,
    sources: file.sources,
    ...(file.mappingNote ? { mappingNote: file.mappingNote } : {}),
    columns: entries(file.columns, "columns"),
    connectors: entries(file.connectors, "connectors"),
    tags: entries(file.tags, "tags"),
    services: entries(file.services, "services"),
  };
}

/** A recorded text must already be in the form the page's text is normalised to, or it would never match. */
function textProblems(text: string): string | undefined {
  if (text !== text.normalize("NFC")) return "is not in Unicode NFC";
  const lines = text.split("\n");
  if (lines.some((l) => l === "" || l !== l.trim() || /\s{2}|\t/u.test(l))) return "has an empty line, a line with spaces at an end, or a run of spaces";
  return undefined;
}

function proseOf(file: ProseFile, where: string, revisions: ReadonlyMap<string, Revision>, features: ReadonlySet<string>, problems: string[]): RecordedProse {
  const revision = revisions.get(file.revision);
  if (!revision) problems.push(`${where}: revision: unknown revision (value: "${file.revision}")`);
  const expectedName = `${file.revision}.${file.locale}.yaml`;
  if (basename(where) !== expectedName) problems.push(`${where}: the file of revision ${file.revision} in locale ${file.locale} must be named ${expectedName}`);
  const seen = new Set<string>();
  file.sections.forEach((s, i) => {
    const at = `${where}: sections[${i}]`;
    if (seen.has(s.id)) problems.push(`${at}.id: duplicate section id (value: "${s.id}")`);
    seen.add(s.id);
    const bad = textProblems(s.text);
    if (bad) problems.push(`${at}.text: ${bad}`);
    s.requirements.forEach((id, j) => {
      if (revision && !revision.requirementIds.includes(id)) problems.push(`${at}.requirements[${j}]: not a requirement of revision ${file.revision} (value: "${id}")`);
    });
    s.features.forEach((id, j) => {
      if (!features.has(id)) problems.push(`${at}.features[${j}]: unknown feature (value: "${id}")`);
    });
  });
  return {
    revision: file.revision,
    locale: file.locale,
    source: file.source,
    sections: file.sections.map((s) => ({ ...s, fingerprint: shortHash(s.text) })),
  };
}

/** Reads and checks data/source/; throws DatasetError naming file, YAML path and value for every problem. */
export function compileSourceData(
  dataDir: string,
  dataset: { requirements: readonly Requirement[]; revisions: readonly Omit<Revision, "requirements">[]; features: readonly { id: string }[] },
  rootForMessages: string,
): SourceDataBuild {
  const problems: string[] = [];
  const label = (f: string): string => relative(rootForMessages, f) || f;
  const knownTags = new Set(dataset.requirements.flatMap((r) => r.destinations.flatMap((d) => (d.type === "serviceTag" ? [d.tag] : []))));
  const catalogues: LocaleCatalogue[] = [];
  for (const path of yamlFiles(join(dataDir, "source", "locales"))) {
    const file = check(SourceLocaleFileSchema, parseYaml(path, label(path), problems), label(path), problems);
    if (!file) continue;
    if (basename(path) !== `${file.locale}.yaml`) problems.push(`${label(path)}: locale: the file of locale ${file.locale} must be named ${file.locale}.yaml`);
    catalogues.push(catalogueOf(file, label(path), knownTags, problems));
  }
  if (!catalogues.some((c) => c.locale === "en")) problems.push(`${label(join(dataDir, "source", "locales"))}: no en.yaml: the English names are the base of every page's vocabulary`);
  const revisions = new Map(dataset.revisions.map((r) => [r.id, r as Revision]));
  const features = new Set(dataset.features.map((f) => f.id));
  const prose: RecordedProse[] = [];
  for (const path of yamlFiles(join(dataDir, "source", "prose"))) {
    const file = check(ProseFileSchema, parseYaml(path, label(path), problems), label(path), problems);
    if (file) prose.push(proseOf(file, label(path), revisions, features, problems));
  }
  if (problems.length > 0) throw new DatasetError(problems);
  return { catalogues, prose };
}

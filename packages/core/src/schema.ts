import { z } from "zod";
import { CidrError, parseCidr } from "./cidr.js";

/** Requirement ids are kebab-case and never reused; renaming one is a major change. */
export const RequirementIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, "must be kebab-case (a-z, 0-9 and single hyphens)")
  .max(63);

export const RevisionIdSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");

/**
 * Text in one language; absent, empty or blank text is reported as missing in that language. The `\S`
 * pattern says the same in the JSON Schema, which cannot state `trim`.
 */
function textIn(language: "English" | "French") {
  const missing = `${language} text is missing`;
  return z
    .string({ error: (issue) => (issue.input === undefined ? missing : `${language} text must be a string`) })
    .regex(/\S/, missing)
    .trim();
}

export const LocalizedTextSchema = z.object({ en: textIn("English"), fr: textIn("French") }).strict();

/** A host-name label in lower case, in which `{region}` may stand for the lower-case region name. */
const LABEL_RE = /^(?=.{1,63}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
function isFqdnPattern(s: string): boolean {
  const labels = s.split(".");
  if (labels.length < 2) return false;
  return labels.every((label, i) => {
    if (label === "*") return i === 0;
    return LABEL_RE.test(label.replaceAll("{region}", "region"));
  });
}
/** An FQDN in lower case; `*` only as the whole left-most label; `{region}` the only placeholder. */
export const FqdnPatternSchema = z
  .string()
  .max(253)
  .regex(/^(\*\.)?([a-z0-9-]|\{region\})+(\.([a-z0-9-]|\{region\})+)+$/, "must be a lower-case host name")
  .refine(isFqdnPattern, {
    message: "must be a lower-case host name; '*' only as the whole left-most label; '{region}' the only placeholder",
  });

/** The shape of a prefix, which the JSON Schema can state; the refinement reads it with the one CIDR parser. */
const CIDR_SHAPE = /^[0-9A-Fa-f.:]+\/\d{1,3}$/;
const CIDR_MESSAGE = "must be an IPv4 or IPv6 CIDR prefix such as 192.0.2.0/24 or 2001:db8::/32";
/** An IPv4 or IPv6 prefix without host bits, in canonical text (RFC 5952 for IPv6). */
export const CidrSchema = z
  .string()
  .regex(CIDR_SHAPE, CIDR_MESSAGE)
  .superRefine((s, ctx) => {
    if (!CIDR_SHAPE.test(s)) return;
    try {
      const { text } = parseCidr(s);
      if (text !== s) ctx.addIssue({ code: "custom", message: `must be written in canonical form, ${text}` });
    } catch (e) {
      ctx.addIssue({ code: "custom", message: `${CIDR_MESSAGE}: ${e instanceof CidrError ? e.reason : String(e)}` });
    }
  });

export const PortSchema = z.number().int().min(1, "ports start at 1").max(65535, "ports end at 65535");
export const PortRangeSchema = z
  .object({ from: PortSchema, to: PortSchema })
  .strict()
  .refine((r) => r.from <= r.to, { message: "from must not exceed to" });

export const ServiceTagNameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)?$/, "must be a service tag name such as Storage");

export const DestinationSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("fqdn"), fqdn: FqdnPatternSchema }).strict(),
  z
    .object({
      type: z.literal("serviceTag"),
      tag: ServiceTagNameSchema,
      /** Whether Microsoft publishes regional forms (Tag.Region) of this tag. */
      regional: z.boolean(),
      /** The row asks for the regional form in each datacenter region, not the global tag. */
      regionalOnly: z.boolean().optional(),
    })
    .strict(),
  z.object({ type: z.literal("prefixes"), prefixes: z.array(CidrSchema).min(1) }).strict(),
]);

export const ConditionSchema = z
  .object({
    feature: z.string().regex(/^[a-z][a-z0-9-]*$/),
    when: z.enum(["enabled", "disabled"]),
    // Blank text was accepted here while every emitter refuses it (issue 21): the same rule as purposes.
    en: textIn("English"),
    fr: textIn("French"),
  })
  .strict();

export const InferenceSchema = z
  .object({
    about: z.string().min(1),
    en: textIn("English"),
    fr: textIn("French"),
  })
  .strict();

export const ProvenanceSchema = z
  .object({
    revisions: z.array(RevisionIdSchema).min(1),
    table: z.enum(["azure-global", "service-tags", "prefixes", "internal-ports"]),
    /** The row as the page wrote it, per revision where a copy is known (see `Provenance.asWritten`). */
    asWritten: z.record(RevisionIdSchema, z.string()).optional(),
    notes: z.array(LocalizedTextSchema).optional(),
  })
  .strict();

export const RequirementSourceSchema = z
  .object({
    id: RequirementIdSchema,
    kind: z.enum(["outbound", "internal"]),
    destinations: z.array(DestinationSchema),
    protocol: z.enum(["HTTPS", "TCP"]),
    ports: z.array(z.union([PortSchema, PortRangeSchema])).min(1),
    purpose: LocalizedTextSchema,
    conditions: z.array(ConditionSchema).optional(),
    provenance: ProvenanceSchema,
    inferred: z.array(InferenceSchema).optional(),
  })
  .strict()
  .refine((r) => r.kind === "internal" || r.destinations.length > 0, {
    message: "an outbound requirement needs at least one destination",
    path: ["destinations"],
  });

export const RequirementFileSchema = z.array(RequirementSourceSchema);

export const RevisionSourceSchema = z
  .object({
    id: RevisionIdSchema,
    label: z.string().min(1),
    date: RevisionIdSchema,
    status: z.enum(["preview", "ga"]),
    source: z
      .object({
        kind: z.enum(["handoff", "commit"]),
        repository: z.string().min(1),
        path: z.string().min(1),
        commit: z.string().regex(/^[0-9a-f]{40}$/, "must be a 40-digit commit id"),
        handoff: RevisionIdSchema.optional(),
        evidence: z.string().min(1),
      })
      .strict(),
    summary: LocalizedTextSchema,
  })
  .strict();

export const RevisionFileSchema = z.array(RevisionSourceSchema).min(1);

export const FeatureSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    default: z.boolean(),
    waivesKinds: z.array(z.enum(["outbound", "internal"])).optional(),
    source: z.string().optional(),
    description: LocalizedTextSchema,
  })
  .strict();

export const FeatureFileSchema = z.array(FeatureSchema);

/* ---------- service-tags files (owned with packages/core/src/service-tags*.ts) ---------- */

/** A changeNumber: an integer in the download file, a string of digits in the REST API and `az` output. */
const ChangeNumberSchema = z.union([z.number().int(), z.string().regex(/^\d{1,15}$/).transform(Number)], {
  error: "must be an integer, or a string of decimal digits",
});

/**
 * Microsoft's "Azure IP Ranges and Service Tags" file (ServiceTags_Public_YYYYMMDD.json), or what the
 * service-tags REST API and `az network list-service-tags` return (changeNumbers as strings, more fields).
 * `loadServiceTags` checks the same rules by hand (service-tags-file.ts): a test holds the two together.
 */
export const ServiceTagsFileSchema = z.object({
  changeNumber: ChangeNumberSchema,
  cloud: z.string(),
  values: z.array(
    z.object({
      name: z.string().min(1),
      id: z.string().min(1),
      properties: z.object({
        changeNumber: ChangeNumberSchema,
        region: z.string().default(""),
        regionId: z.number().int().optional(),
        platform: z.string().optional(),
        systemService: z.string().optional(),
        addressPrefixes: z.array(z.string()),
        networkFeatures: z.array(z.string()).nullable().optional(),
      }),
    }),
  ),
});

/* ---------- end of service-tags files ---------- */

export type RequirementSource = z.infer<typeof RequirementSourceSchema>;
export type RevisionSource = z.infer<typeof RevisionSourceSchema>;
export type FeatureSource = z.infer<typeof FeatureSchema>;
export type ServiceTagsFile = z.infer<typeof ServiceTagsFileSchema>;

/* ---------- The source page's locale catalogue and recorded prose (check-source) ----------
 * data/source/locales/<locale>.yaml and data/source/prose/<revision>.<locale>.yaml; compiled by
 * build/source-data.ts into modules only the `source` subpath imports (not part of the dataset hash). */

const SourceIdSchema = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, "must be kebab-case (a-z, 0-9 and single hyphens)");

/** Where a name or a text was seen: a file of a public repository at a commit, or a published page. */
export const CatalogueSourceSchema = z
  .object({
    repository: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    commit: z.string().regex(/^[0-9a-f]{40}$/, "must be a 40-digit commit id").optional(),
    url: z.string().regex(/^https:\/\/\S+$/, "must be an https URL").optional(),
    /** A file of this repository (vendor/...), for a copy whose repository of origin is not known. */
    file: z.string().regex(/^vendor\/\S+$/, "must be a path under vendor/").optional(),
    what: z.string().min(1),
  })
  .strict()
  .refine((s) => (s.repository !== undefined && s.path !== undefined && s.commit !== undefined) || s.url !== undefined || s.file !== undefined, {
    message: "a source needs repository, path and commit, or url, or file",
  });

/** A written name: `sources` (ids of the file's sources) that show it, or `inferred` saying why it is taken without one. */
const catalogueEntryShape = { written: z.string().trim().min(1), sources: z.array(SourceIdSchema).min(1).optional(), inferred: LocalizedTextSchema.optional() };
const hasSourceOrInference = (e: { sources?: string[] | undefined; inferred?: unknown }): boolean => e.sources !== undefined || e.inferred !== undefined;
const NEEDS_SOURCE = { message: "an entry needs sources, or inferred saying why it has none" };
const ColumnEntrySchema = z
  .object({ ...catalogueEntryShape, role: z.enum(["endpoint", "tag", "protocol", "port", "use"]) })
  .strict()
  .refine(hasSourceOrInference, NEEDS_SOURCE);
const ConnectorEntrySchema = z
  .object({ ...catalogueEntryShape, role: z.enum(["or", "service-tag"]) })
  .strict()
  .refine(hasSourceOrInference, NEEDS_SOURCE);
const NameEntrySchema = z
  .object({ ...catalogueEntryShape, tag: ServiceTagNameSchema })
  .strict()
  .refine(hasSourceOrInference, NEEDS_SOURCE);

export const SourceLocaleFileSchema = z
  .object({
    locale: z.string().regex(/^[a-z]{2}$/, "must be an ISO 639-1 code such as fr"),
    name: z.string().min(1),
    sources: z.record(SourceIdSchema, CatalogueSourceSchema),
    /** Why a service name stands for a tag, when that is our mapping rather than the page's. */
    mappingNote: LocalizedTextSchema.optional(),
    columns: z.array(ColumnEntrySchema).default([]),
    connectors: z.array(ConnectorEntrySchema).default([]),
    /** Translated names of tags in the tag column ("Stockage" for Storage). */
    tags: z.array(NameEntrySchema).default([]),
    /** Names of services an FQDN row gives as its alternative, with the tag each stands for. */
    services: z.array(NameEntrySchema).default([]),
  })
  .strict();

export const ProseSectionSourceSchema = z
  .object({
    id: SourceIdSchema,
    heading: z.string(),
    /** Normalised text: one block per line, single spaces, no Markdown marks, no address prefixes. */
    text: z.string(),
    requirements: z.array(RequirementIdSchema).default([]),
    features: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).default([]),
    note: LocalizedTextSchema.optional(),
  })
  .strict();

export const ProseFileSchema = z
  .object({
    revision: RevisionIdSchema,
    locale: z.string().regex(/^[a-z]{2}$/, "must be an ISO 639-1 code such as fr"),
    source: CatalogueSourceSchema,
    sections: z.array(ProseSectionSourceSchema).min(1),
  })
  .strict();

export type SourceLocaleFile = z.infer<typeof SourceLocaleFileSchema>;
export type ProseFile = z.infer<typeof ProseFileSchema>;
/* ---------- User-defined routes (data/udr.yaml): the page's UDR advice and the sample script it links ---------- */

const CommitSchema = z.string().regex(/^[0-9a-f]{40}$/, "must be a 40-digit commit id");
/** A vendored prefix list: one canonical CIDR a line, in the script's order. */
const PrefixListFileSchema = z.string().regex(/^vendor\/udr\/[A-Za-z0-9._-]+\.txt$/, "must be a file under vendor/udr/");

export const UdrSampleSchema = z
  .object({
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must be owner/name"),
    path: z.string().min(1),
    url: z.string().url(),
    commit: CommitSchema,
    date: RevisionIdSchema,
    license: z.string().min(1),
    /** What the script gives every route. */
    nextHopType: z.literal("Internet"),
    /** The script's route names, `{n}` being the 1-based position in the list. */
    routeName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*\{n\}[A-Za-z0-9_.-]*$/, "must hold {n}"),
    prefixesFile: PrefixListFileSchema,
    prefixCount: z.number().int().min(1),
    superseded: z.array(z.object({ commit: CommitSchema, date: RevisionIdSchema, prefixesFile: PrefixListFileSchema, prefixCount: z.number().int().min(1) }).strict()),
  })
  .strict();

export const UdrAdviceSourceSchema = z
  .object({
    revision: RevisionIdSchema,
    /** The heading of the page's section. */
    section: z.string().min(1),
    /** The section's text as the page copy writes it (links as their text). */
    asWritten: z.string().min(1),
    /** The vendored copy of the page `asWritten` comes from. */
    copy: z.string().regex(/^vendor\/pages\/[A-Za-z0-9._-]+\.md$/, "must be a page under vendor/pages/"),
    advice: LocalizedTextSchema,
    sample: UdrSampleSchema,
    notes: z.array(LocalizedTextSchema).optional(),
  })
  .strict();

export const UdrFileSchema = z.array(UdrAdviceSourceSchema);
export type UdrAdviceSource = z.infer<typeof UdrAdviceSourceSchema>;

/** Public types of the dataset, the resolver and the emitter contract. No runtime code here. */

export type Locale = "en" | "fr";
export type LocalizedText = Readonly<Record<Locale, string>>;

export type RequirementKind = "outbound" | "internal";
/** As the page states it: HTTPS (which runs on TCP) for outbound rows, TCP (inferred) for internal ports. */
export type Protocol = "HTTPS" | "TCP";

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export interface FqdnDestination {
  readonly type: "fqdn";
  /** Lower-case host name; `*` only as the whole left-most label; may hold `{region}`. */
  readonly fqdn: string;
}
export interface ServiceTagDestination {
  readonly type: "serviceTag";
  /** Canonical name from Microsoft's service-tags file, e.g. `Storage`, `AzureFrontDoor.FirstParty`. */
  readonly tag: string;
  /** Whether Microsoft publishes regional forms (`Storage.EastUS`) of this tag. */
  readonly regional: boolean;
  /** The row asks for the regional form in each datacenter region rather than the global tag. */
  readonly regionalOnly?: boolean;
}
export interface PrefixDestination {
  readonly type: "prefixes";
  readonly prefixes: readonly string[];
}
export type Destination = FqdnDestination | ServiceTagDestination | PrefixDestination;

export interface Condition {
  /** A feature id from `features` (e.g. `backup`). */
  readonly feature: string;
  /** The requirement applies only when the feature is in this state. */
  readonly when: "enabled" | "disabled";
  readonly en: string;
  readonly fr: string;
}

/** A fact the source does not state, recorded as our inference. */
export interface Inference {
  /** Which field the inference is about (`fqdn.region`, `protocol`, `ports`, `serviceTag`, `purpose`...). */
  readonly about: string;
  readonly en: string;
  readonly fr: string;
}

export type SourceTable = "azure-global" | "service-tags" | "prefixes" | "internal-ports";

export interface Provenance {
  /** Ids of the revisions whose page lists this requirement, oldest first. */
  readonly revisions: readonly string[];
  /** The first of them. */
  readonly since: string;
  /** The table of the page the row stands in. */
  readonly table: SourceTable;
  /**
   * The row as the page wrote it, per revision where a copy is known: the destination cell's Markdown
   * with `</br>` as a space, links as their text and whitespace collapsed (internal ports: the Port and
   * Use cells joined by ` | `; prefixes: joined by `, `). The 2021-05-21 copies are the French translation,
   * the only copy of that state.
   */
  readonly asWritten: Readonly<Record<string, string>>;
  readonly notes: readonly LocalizedText[];
}

export interface Requirement {
  /** Stable kebab-case id, never reused. */
  readonly id: string;
  readonly kind: RequirementKind;
  /** Alternatives: each one alone satisfies the requirement. Empty for internal ports. */
  readonly destinations: readonly Destination[];
  readonly protocol: Protocol;
  readonly ports: readonly PortRange[];
  readonly purpose: LocalizedText;
  readonly conditions: readonly Condition[];
  readonly provenance: Provenance;
  readonly inferred: readonly Inference[];
  /** Position in the page (table order), for documents that follow the page. */
  readonly order: number;
}

export interface RevisionSourceRef {
  readonly kind: "handoff" | "commit";
  readonly repository: string;
  readonly path: string;
  readonly commit: string;
  readonly handoff?: string;
  readonly evidence: string;
}

export interface Revision {
  /** The date id: `2021-05-21`, `2021-08-14`, `2021-09-13`, `2021-11-02`. */
  readonly id: string;
  readonly label: string;
  readonly date: string;
  readonly status: "preview" | "ga";
  readonly source: RevisionSourceRef;
  readonly summary: LocalizedText;
  /** Ids of the requirements this revision holds, in page order. */
  readonly requirementIds: readonly string[];
  /** The requirements themselves, in page order. */
  readonly requirements: readonly Requirement[];
}

export interface Feature {
  readonly id: string;
  readonly default: boolean;
  /** When the feature is enabled, requirements of these kinds do not apply. */
  readonly waivesKinds: readonly RequirementKind[];
  readonly source?: string;
  readonly description: LocalizedText;
}

export interface Region {
  /** ARM location name, e.g. `eastus2`. */
  readonly name: string;
  readonly displayName: string;
  readonly geography?: string;
  readonly pairedRegion?: string;
}

export interface ServiceTagCatalogEntry {
  readonly name: string;
  readonly networkFeatures: readonly string[] | null;
  /** Regional forms by ARM location name: `{ eastus: { name: "Storage.EastUS", networkFeatures } }`. */
  readonly regional: Readonly<Record<string, { readonly name: string; readonly networkFeatures: readonly string[] | null }>>;
}

export interface ServiceTagCatalog {
  /** Where the catalogue comes from (file name) and its `changeNumber`. */
  readonly source: string;
  readonly changeNumber: number;
  readonly tags: Readonly<Record<string, ServiceTagCatalogEntry>>;
}

/** Address prefixes split by family. */
export interface PrefixSet {
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
}

/** One tag of a service-tags file, indexed by `loadServiceTags`. Prefixes are merged per family. */
export interface ServiceTagInfo {
  readonly name: string;
  /** Lower-case ARM location for regional forms, "" for global tags. */
  readonly region: string;
  readonly networkFeatures: readonly string[] | null;
  readonly changeNumber: number;
  readonly prefixes: PrefixSet;
  /** Prefix count in the file before merging. */
  readonly prefixCountIn: number;
}

export interface ServiceTagIndex {
  readonly cloud: string;
  readonly changeNumber: number;
  /** Every tag by exact name, sorted by name (`loadServiceTags`: reading it checks and merges every tag). */
  readonly tags: ReadonlyMap<string, ServiceTagInfo>;
  /** Case-insensitive lookup by tag name (`loadServiceTags`: checks and merges the tag on first use; may throw `ServiceTagsError`). */
  get(name: string): ServiceTagInfo | undefined;
  /** How the file compares with the bundled Microsoft file (`loadServiceTags`; tags so far used). */
  report?(): ServiceTagsReport;
}

/** How far one of the dataset's tags moved from the bundled file. Shares are of the bundled tag's addresses. */
export interface ServiceTagDrift {
  readonly tag: string;
  readonly bundledChangeNumber: number;
  readonly changeNumber: number;
  /** Addresses the file's tag holds that the bundled one does not, and the reverse, per family (0.05 is 5%). */
  readonly added: { readonly ipv4: number; readonly ipv6: number };
  readonly removed: { readonly ipv4: number; readonly ipv6: number };
}

/** What a service-tags file holds compared with the Microsoft file bundled with the package. */
export interface ServiceTagsReport {
  /** The file (as named to `loadServiceTags`) and its top-level changeNumber. */
  readonly source: string;
  readonly changeNumber: number;
  /** The bundled file: name and top-level changeNumber. */
  readonly bundled: { readonly source: string; readonly changeNumber: number };
  /** False when the comparison was turned off (`compare: false`): only the fields above are filled. */
  readonly compared: boolean;
  /** Tag names of the file made of a service or region the bundled file does not know, sorted. */
  readonly unknownTags: readonly string[];
  /** Tags the dataset uses (and their regional forms) that the bundled file has and this one lacks, sorted. */
  readonly missingTags: readonly string[];
  /** The dataset's global tags checked so far (the ones used), sorted by name. */
  readonly drift: readonly ServiceTagDrift[];
}

/** A service tag as one target may write it. */
export interface ResolvedTagRef {
  /** `Storage` or `Storage.EastUS`. */
  readonly name: string;
  /** ARM location name for a regional form. */
  readonly region?: string;
  readonly networkFeatures: readonly string[] | null;
  /** Present when a service-tags file was given and lists the tag. */
  readonly prefixes?: PrefixSet;
}

export interface ResolvedServiceTag {
  /** The canonical global tag name. */
  readonly tag: string;
  readonly global: ResolvedTagRef;
  /** Regional forms for the requested regions that exist, sorted by region. */
  readonly regional: readonly ResolvedTagRef[];
  /** Requested regions with no regional form of this tag. */
  readonly regionsWithoutForm: readonly string[];
  /** The row asks for the regional forms; the global tag is only a broader fallback. */
  readonly regionalOnly: boolean;
}

export interface ResolvedFqdn {
  /** Concrete lower-case name, e.g. `snovapeastus.blob.core.windows.net` or `*.blob.core.windows.net`. */
  readonly fqdn: string;
  /** The pattern from the data, e.g. `snovap{region}.blob.core.windows.net`. */
  readonly pattern: string;
  /** The region filled in, when the pattern holds `{region}`. */
  readonly region?: string;
  readonly wildcard: boolean;
}

export interface ResolvedRule {
  readonly id: string;
  readonly kind: RequirementKind;
  readonly protocol: Protocol;
  /** Transport for packet filters: HTTPS runs on TCP. */
  readonly transport: "TCP";
  /** Sorted, merged port ranges. */
  readonly ports: readonly PortRange[];
  readonly purpose: LocalizedText;
  readonly conditions: readonly Condition[];
  readonly inferred: readonly Inference[];
  readonly provenance: Provenance;
  readonly order: number;
  /** FQDN alternatives, `{region}` filled per region (empty when the requirement has none). */
  readonly fqdns: readonly ResolvedFqdn[];
  /** FQDN patterns left unfilled because no region was given. */
  readonly unresolvedFqdns: readonly string[];
  /** Service-tag alternatives. */
  readonly serviceTags: readonly ResolvedServiceTag[];
  /** Literal prefix alternatives from the data, by family. */
  readonly prefixes: PrefixSet;
}

export interface ResolvedSubnet {
  readonly cidr: string;
  readonly family: 4 | 6;
}

export interface ExcludedRequirement {
  readonly id: string;
  readonly reason: LocalizedText;
}

export interface ResolvedRules {
  readonly revision: Omit<Revision, "requirements" | "requirementIds">;
  /** `@cassandra-mi-netrules/core` version that resolved the rules. */
  readonly coreVersion: string;
  /** sha256 of the canonical dataset JSON. */
  readonly dataHash: string;
  /** Sorted, unique ARM location names. Empty: `{region}` placeholders stay unfilled. */
  readonly regions: readonly string[];
  readonly subnet?: ResolvedSubnet;
  readonly features: Readonly<Record<string, boolean>>;
  /** The service-tags data used: the given file, or the vendored catalogue (names only, no prefixes). */
  readonly serviceTags: { readonly source: "file" | "catalog"; readonly cloud?: string; readonly changeNumber: number };
  /** Rules that apply, sorted by `order` then id. */
  readonly rules: readonly ResolvedRule[];
  /** Requirements of the revision that do not apply with these features. */
  readonly excluded: readonly ExcludedRequirement[];
}

export interface ResolveOptions {
  /** Revision id (its date), `latest`, or its label (`GA`, `V1`, any case); default: the current revision. */
  revision?: string;
  /**
   * The datacenters' regions as `az` accepts them: ARM location names in any case and spacing (`eastus`,
   * `EastUS`, `East US`) or display names; the result holds ARM names. An empty name is an error.
   */
  regions: readonly string[];
  /** The cluster's delegated subnet, IPv4 (/2 to /29) or IPv6 (/64) CIDR: the sizes Azure allows a subnet. */
  subnet?: string;
  /** Feature switches by id (`backup`, `vpn`); missing ones take their default. */
  features?: Readonly<Record<string, boolean>>;
  /** A service-tags index from `loadServiceTags`; without it tags carry no prefixes. */
  serviceTags?: ServiceTagIndex;
}

/* ---------- Emitter contract ---------- */

export interface EmittedFile {
  /** Relative POSIX path, e.g. `nsg.json`. */
  readonly path: string;
  readonly content: string;
}

export type CoverageStatus = "enforced" | "approximated" | "unsupported";

export interface CoverageEntry {
  readonly ruleId: string;
  readonly status: CoverageStatus;
  /** How the target enforces it (which alternative, which resource or chain). */
  readonly how: string;
  /** Why it is approximated or unsupported, and what to do instead. Empty when enforced. */
  readonly why: string;
}

export interface EmitResult {
  readonly files: readonly EmittedFile[];
  readonly coverage: readonly CoverageEntry[];
}

/** A JSON Schema (draft 2020-12) object, as `z.toJSONSchema` writes it. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** What a command-line flag gives an option: a string, `true` (a switch), strings (repeatable), or a directory's files by relative path. */
export type FlagValue = string | number | true | readonly string[] | Readonly<Record<string, string>>;

/** The command-line flag of an option, where one is worth having (every option is also `-O target.key=value`). */
export interface EmitterOptionFlag {
  /** Long name without the dashes, kebab-case: `nsg-priority-start`. Emitters may share a flag that means the same to each (`regional-tags`). */
  readonly name: string;
  /** Placeholder of the value in `--help` (`n`, `cidr`); absent: a switch that sets `true`. */
  readonly value?: string;
  /** The value may be left out (`--changelog [from]`): the flag alone gives `true`. */
  readonly optionalValue?: boolean;
  /** The value names a directory; the caller reads its files (the emitter reads none) and passes them by relative POSIX path. */
  readonly directory?: boolean;
  /** Turns what the flag gave into the option's value; default: the value as given (an integer for an integer option). */
  readonly toOption?: (given: FlagValue) => unknown;
  /** With `toOption`, how the flag's value is read before it is turned (default: as a string). */
  readonly kind?: "integer" | "number" | "string";
}

/** One option of an emitter, as a command line, a config file or the documentation shows it. */
export interface EmitterOptionKey {
  readonly key: string;
  readonly description: string;
  /** JSON Schema of the value, with its default where it has a fixed one. */
  readonly schema: JsonSchema;
  readonly flag?: EmitterOptionFlag;
  /** Passed in-process by a caller only (the Markdown emitter's coverage of the others), never from a command line or a config file. */
  readonly internal?: boolean;
}

/** An emitter's declared options: what a caller shows and checks before it calls `emit`. */
export interface EmitterOptions<Options = Record<string, unknown>, Settled = unknown> {
  /** Every option, in the order the emitter declares them. */
  readonly keys: readonly EmitterOptionKey[];
  /**
   * Checks an options object (unknown keys, types, ranges) and returns it with its defaults. Throws
   * `EmitterOptionError` naming the target, the key and the value. Checks that need the resolved rules
   * (a subnet for a subnet-scoped option) stay in `emit`.
   */
  settle(options: Options | undefined): Settled;
}

export interface Emitter<Options = Record<string, unknown>> {
  /** Registry name, e.g. `nsg`. */
  readonly name: string;
  readonly description: string;
  emit(resolved: ResolvedRules, options?: Options): EmitResult;
  /** The options it takes, declared (see `defineOptions` in `@cassandra-mi-netrules/core/options`). */
  readonly options?: EmitterOptions<Options>;
  /** The major version of `@cassandra-mi-netrules/core` it is written for; a plugin must declare it. */
  readonly coreMajor?: number;
  /** The npm package it comes from, for messages and stamps. */
  readonly package?: { readonly name: string; readonly version: string };
  /** The paths of the files it may write, relative POSIX: `*` stands for one path segment, `**` for any number of them. */
  readonly files?: readonly string[];
}

/* ---------- User-defined routes: the page's UDR advice and the sample script it links ---------- */

export interface UdrSampleVersion {
  readonly commit: string;
  readonly date: string;
  readonly prefixCount: number;
}

/** The sample script the page links (`configureUDR.sh`), with its prefix list. */
export interface UdrSample {
  readonly repository: string;
  readonly path: string;
  readonly url: string;
  readonly commit: string;
  readonly date: string;
  readonly license: string;
  /** The next hop the script gives every route. */
  readonly nextHopType: "Internet";
  /** The script's route names, `{n}` standing for the 1-based position: `msft{n}`. */
  readonly routeName: string;
  /** The prefixes, in the script's order. */
  readonly prefixes: readonly string[];
  /** Earlier versions of the script, oldest first (their lists are vendored, not compiled). */
  readonly superseded: readonly UdrSampleVersion[];
}

/** The page's "User-defined routes" advice as one revision holds it. */
export interface UdrAdvice {
  readonly revision: string;
  readonly section: string;
  readonly asWritten: string;
  readonly advice: LocalizedText;
  readonly sample: UdrSample;
  readonly notes: readonly LocalizedText[];
}

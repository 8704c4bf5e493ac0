/**
 * The policy's data document: each requirement's alternatives as flows (from the cluster subnet to a
 * destination on its ports; between the nodes for internal ports), the containment table of the service
 * tags the flows touch, and, when a service-tags file was given, the tags' prefixes. The Rego policy
 * evaluates the flows against the input; it expands nothing itself.
 */
import { artifactStamp, formatPortRange, mergedPrefixFamily, mergePortRanges, parseCidr, sortBy, type ArtifactStamp, type PortRange, type PrefixSet, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { cutTable, TABLE_SOURCE, tableHas, type OtherTags } from "./tag-table.js";

export type AlternativeType = "fqdn" | "serviceTag" | "prefixes" | "internal";
export type Family = 4 | 6;

/** Where a flow goes: service tags (names; `tags` is keyed by their lower-case form), literal prefixes, an FQDN's unknown public address, or the subnet. */
export type FlowDestination = { readonly tags: readonly string[] } | { readonly prefixes: readonly string[] } | { readonly opaque: true } | { readonly local: true };

export interface Flow {
  readonly label: string;
  readonly kind: "outbound" | "internal";
  /** Inclusive port ranges, TCP. */
  readonly ports: readonly (readonly [number, number])[];
  /** HTTPS: Azure Firewall application rules apply. */
  readonly https: boolean;
  /** The host name, for a flow to an FQDN. */
  readonly name?: string;
  readonly dst: FlowDestination;
  /** Why the flow cannot be checked at all. */
  readonly notAuditable?: string;
  /** Why the flow's verdict is unknown whatever the input. */
  readonly unknown?: string;
}

export interface Alternative {
  readonly type: AlternativeType;
  readonly label: string;
  /** All are needed for the alternative to be open. */
  readonly flows: readonly Flow[];
}

export interface DocumentRequirement {
  readonly kind: "outbound" | "internal";
  readonly order: number;
  /** Any one alternative, open, meets the requirement. */
  readonly alternatives: readonly Alternative[];
  /** FQDN patterns that could not be checked because no region was given. */
  readonly unresolvedFqdns: readonly string[];
}

export interface TagEntry {
  /** Its atoms in the cut table, as runs (`3 5-9`). */
  readonly atoms: string;
  readonly beyond: boolean;
  /** With a service-tags file: the tag's prefixes in the subnet's families. */
  readonly prefixes?: readonly string[];
}

export interface PolicyDocument {
  readonly stamp: ArtifactStamp;
  /** The cluster subnet, or null: then rules that name prefixes may or may not hold it. */
  readonly subnet: string | null;
  /** Address families of the flows: the subnet's, or both. */
  readonly families: readonly Family[];
  readonly serviceTags: { readonly source: "file" | "table"; readonly changeNumber: number; readonly table: string };
  readonly atoms: { readonly v4: number; readonly v6: number };
  readonly tags: Readonly<Record<string, TagEntry>>;
  readonly otherTags: OtherTags;
  /** What the requirements need, for the over-broad findings. */
  readonly needs: {
    readonly outbound: { readonly ports: readonly (readonly [number, number])[]; readonly prefixes: readonly string[]; readonly names: readonly string[] };
    readonly internal: { readonly ports: readonly (readonly [number, number])[] };
  };
  readonly requirements: Readonly<Record<string, DocumentRequirement>>;
}

function portText(rule: ResolvedRule, proto: string): string {
  return `${proto}/${rule.ports.map((p) => formatPortRange(p)).join(",")}`;
}

function ranges(ports: readonly PortRange[]): [number, number][] {
  return ports.map((p) => [p.from, p.to]);
}

function inFamilies(prefixes: readonly string[], families: readonly Family[]): string[] {
  return prefixes.filter((p) => families.includes(parseCidr(p, false).family));
}

/** inFamilies of a tag's two lists; a list core recorded as merged is of one family, so it is not read again. */
function setInFamilies(set: PrefixSet, families: readonly Family[]): string[] {
  return [set.ipv4, set.ipv6].flatMap((list) => {
    const family = mergedPrefixFamily(list);
    if (family === undefined) return inFamilies(list, families);
    return families.includes(family) ? list : [];
  });
}

interface Context {
  readonly families: readonly Family[];
  readonly subnet: string | null;
  /** Prefixes per lower-case tag name, from the service-tags file (through the resolved rules). */
  readonly prefixes: ReadonlyMap<string, readonly string[]>;
}

function tagFlow(rule: ResolvedRule, tag: string, ctx: Context): Flow {
  const base = { label: `${portText(rule, "tcp")} to ${tag}`, kind: "outbound" as const, ports: ranges(rule.ports), https: rule.protocol === "HTTPS", dst: { tags: [tag] } };
  const prefixes = ctx.prefixes.get(tag.toLowerCase());
  if (prefixes) return prefixes.length > 0 ? base : { ...base, notAuditable: `service tag ${tag} has no prefix of the subnet's address family` };
  if (!tableHas(tag)) return { ...base, unknown: `service tag ${tag} is not in the bundled table of ${TABLE_SOURCE.source}` };
  return base;
}

function tagAlternatives(rule: ResolvedRule, regions: readonly string[], ctx: Context): Alternative[] {
  const out: Alternative[] = [];
  for (const t of sortBy(rule.serviceTags, (x) => x.tag)) {
    // Each requested region needs its regional form, or the global tag where the region has none.
    const forms = [...new Set(regions.map((r) => t.regional.find((f) => f.region === r)?.name ?? t.global.name))];
    if (forms.some((f) => f !== t.global.name)) out.push({ type: "serviceTag", label: `service tag ${forms.join(", ")}`, flows: forms.map((f) => tagFlow(rule, f, ctx)) });
    out.push({ type: "serviceTag", label: `service tag ${t.global.name}`, flows: [tagFlow(rule, t.global.name, ctx)] });
  }
  return out;
}

function fqdnAlternative(rule: ResolvedRule, ctx: Context): Alternative | undefined {
  const names = [...rule.fqdns.map((f) => f.fqdn), ...rule.unresolvedFqdns];
  if (names.length === 0) return undefined;
  // An FQDN's addresses are not known offline: any address of the tags the requirement pairs it with.
  const paired = sortBy(rule.serviceTags, (t) => t.tag)
    .map((t) => t.global.name)
    .filter((n) => ctx.prefixes.has(n.toLowerCase()) || tableHas(n));
  const dst: FlowDestination = paired.length > 0 ? { tags: paired } : { opaque: true };
  const https = rule.protocol === "HTTPS";
  const flows: Flow[] = sortBy(rule.fqdns, (f) => f.fqdn).map((f) => ({ label: `${portText(rule, https ? "https" : "tcp")} to ${f.fqdn}`, kind: "outbound", ports: ranges(rule.ports), https, name: f.fqdn, dst }));
  for (const pattern of [...rule.unresolvedFqdns].sort()) {
    flows.push({ label: `${portText(rule, https ? "https" : "tcp")} to ${pattern}`, kind: "outbound", ports: ranges(rule.ports), https, dst, notAuditable: `${pattern} needs a region to be checked` });
  }
  return { type: "fqdn", label: `FQDN ${names.join(", ")}`, flows };
}

function prefixAlternative(rule: ResolvedRule, ctx: Context): Alternative | undefined {
  const all = [...rule.prefixes.ipv4, ...rule.prefixes.ipv6];
  if (all.length === 0) return undefined;
  const prefixes = inFamilies(all, ctx.families);
  const flow: Flow = {
    label: `${portText(rule, "tcp")} to ${all.join(", ")}`,
    kind: "outbound",
    ports: ranges(rule.ports),
    https: rule.protocol === "HTTPS",
    dst: { prefixes },
    ...(prefixes.length === 0 ? { notAuditable: "no prefix of the subnet's address family" } : {}),
  };
  return { type: "prefixes", label: `prefixes ${all.join(", ")}`, flows: [flow] };
}

function alternativesOf(rule: ResolvedRule, regions: readonly string[], ctx: Context): Alternative[] {
  if (rule.kind === "internal") {
    const flow: Flow = { label: `${portText(rule, "tcp")} within ${ctx.subnet ?? "the cluster subnet"}`, kind: "internal", ports: ranges(rule.ports), https: false, dst: { local: true } };
    return [{ type: "internal", label: "between the nodes, within the subnet", flows: [flow] }];
  }
  const out: Alternative[] = [];
  const f = fqdnAlternative(rule, ctx);
  if (f) out.push(f);
  out.push(...tagAlternatives(rule, regions, ctx));
  const p = prefixAlternative(rule, ctx);
  if (p) out.push(p);
  return out;
}

/** The prefixes the service-tags file gave for every tag of the rules, by lower-case name, in the families. */
function filePrefixes(resolved: ResolvedRules, families: readonly Family[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const rule of resolved.rules) {
    for (const t of rule.serviceTags) {
      for (const ref of [t.global, ...t.regional]) {
        if (ref.prefixes) out.set(ref.name.toLowerCase(), setInFamilies(ref.prefixes, families));
      }
    }
  }
  return out;
}

function needsOf(resolved: ResolvedRules, prefixes: ReadonlyMap<string, readonly string[]>, families: readonly Family[]): PolicyDocument["needs"] {
  const outbound = resolved.rules.filter((r) => r.kind !== "internal");
  const internal = resolved.rules.filter((r) => r.kind === "internal");
  const literal = outbound.flatMap((r) => inFamilies([...r.prefixes.ipv4, ...r.prefixes.ipv6], families));
  return {
    outbound: {
      ports: ranges(mergePortRanges(outbound.flatMap((r) => r.ports))),
      prefixes: [...new Set([...literal, ...[...prefixes.values()].flat()])].sort(),
      names: [...new Set(outbound.flatMap((r) => r.fqdns.map((f) => f.fqdn)))].sort(),
    },
    internal: { ports: ranges(mergePortRanges(internal.flatMap((r) => r.ports))) },
  };
}

function flowTags(requirements: Readonly<Record<string, DocumentRequirement>>): Set<string> {
  const out = new Set<string>();
  for (const req of Object.values(requirements)) for (const a of req.alternatives) for (const f of a.flows) if ("tags" in f.dst) f.dst.tags.forEach((t) => out.add(t));
  return out;
}

/** Builds the policy's data document for the resolved rules (`data.cassandra_mi.requirements` of the bundle). */
export function buildPolicyDocument(resolved: ResolvedRules, generator: string, generatorVersion: string): PolicyDocument {
  const subnet = resolved.subnet?.cidr ?? null;
  const families: Family[] = resolved.subnet ? [resolved.subnet.family] : [4, 6];
  const prefixes = filePrefixes(resolved, families);
  const ctx: Context = { families, subnet, prefixes };
  const requirements: Record<string, DocumentRequirement> = {};
  for (const rule of sortBy(resolved.rules, (r) => r.order, (r) => r.id)) {
    requirements[rule.id] = { alternatives: alternativesOf(rule, resolved.regions, ctx), kind: rule.kind, order: rule.order, unresolvedFqdns: [...rule.unresolvedFqdns].sort() };
  }
  const cut = cutTable(flowTags(requirements), families);
  const tags: Record<string, TagEntry> = { ...cut.tags };
  for (const [name, list] of prefixes) tags[name] = { ...(tags[name] ?? { atoms: "", beyond: false }), prefixes: list };
  return {
    stamp: artifactStamp(resolved, generator, generatorVersion),
    subnet,
    families,
    serviceTags: { source: prefixes.size > 0 ? "file" : "table", changeNumber: resolved.serviceTags.changeNumber, table: `${TABLE_SOURCE.source} (changeNumber ${TABLE_SOURCE.changeNumber})` },
    atoms: cut.atoms,
    tags,
    otherTags: cut.otherTags,
    needs: needsOf(resolved, prefixes, families),
    requirements,
  };
}

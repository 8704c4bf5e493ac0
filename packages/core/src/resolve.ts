/** Turns a revision of the dataset into concrete rules for given regions, subnet, features and tags. */
import { parseCidr, splitByFamily } from "./cidr.js";
import { currentRevision, dataHash, features as featureList, getRegion, getRevision, serviceTagCatalog, version } from "./dataset.js";
import { mergePortRanges } from "./emit/ports.js";
import { sortBy, uniqueSorted } from "./order.js";
import { ownValue } from "./own.js";
import type {
  ExcludedRequirement,
  Requirement,
  ResolvedFqdn,
  ResolvedRule,
  ResolvedRules,
  ResolvedServiceTag,
  ResolvedSubnet,
  ResolvedTagRef,
  ResolveOptions,
  ServiceTagDestination,
  ServiceTagIndex,
} from "./types.js";

export class ResolveError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field}: ${reason} (value: ${JSON.stringify(value)})`);
    this.name = "ResolveError";
  }
}

function fillFqdns(pattern: string, regions: readonly string[]): ResolvedFqdn[] {
  const wildcard = pattern.startsWith("*.");
  if (!pattern.includes("{region}")) return [{ fqdn: pattern, pattern, wildcard }];
  return regions.map((region) => ({ fqdn: pattern.replaceAll("{region}", region), pattern, region, wildcard }));
}

function tagRef(name: string, region: string | undefined, networkFeatures: readonly string[] | null, index?: ServiceTagIndex): ResolvedTagRef {
  const info = index?.get(name);
  return {
    name: info?.name ?? name,
    ...(region ? { region } : {}),
    networkFeatures: info ? info.networkFeatures : networkFeatures,
    ...(info ? { prefixes: info.prefixes } : {}),
  };
}

function resolveTag(d: ServiceTagDestination, regions: readonly string[], index?: ServiceTagIndex): ResolvedServiceTag {
  const entry = serviceTagCatalog.tags[d.tag];
  const regional: ResolvedTagRef[] = [];
  const regionsWithoutForm: string[] = [];
  for (const region of regions) {
    // Own keys only: a region named `constructor` has no regional form.
    const form = entry ? ownValue(entry.regional, region) : undefined;
    // A user-supplied file may know regional forms the vendored catalogue lacks.
    const fromIndex = index?.get(`${d.tag}.${region}`);
    if (form) regional.push(tagRef(form.name, region, form.networkFeatures, index));
    else if (fromIndex) regional.push(tagRef(fromIndex.name, region, fromIndex.networkFeatures, index));
    else regionsWithoutForm.push(region);
  }
  return {
    tag: d.tag,
    global: tagRef(d.tag, undefined, entry?.networkFeatures ?? null, index),
    regional,
    regionsWithoutForm,
    regionalOnly: d.regionalOnly === true,
  };
}

function conditionsHold(req: Requirement, enabled: Readonly<Record<string, boolean>>): ExcludedRequirement["reason"] | undefined {
  for (const f of featureList) {
    if (enabled[f.id] && f.waivesKinds.includes(req.kind)) {
      return {
        en: `not needed with feature ${f.id} enabled: ${f.description.en}`,
        fr: `inutile avec la fonctionnalité ${f.id} activée : ${f.description.fr}`,
      };
    }
  }
  for (const c of req.conditions) {
    const on = enabled[c.feature] === true;
    if ((c.when === "enabled") !== on) {
      return {
        en: `applies only when feature ${c.feature} is ${c.when}: ${c.en}`,
        fr: `s'applique seulement si la fonctionnalité ${c.feature} est ${c.when === "enabled" ? "activée" : "désactivée"} : ${c.fr}`,
      };
    }
  }
  return undefined;
}

/**
 * The prefix lengths an Azure subnet can have, so a delegated subnet too: "The smallest supported IPv4
 * subnet is /29, and the largest is /2 ... IPv6 subnets must be exactly /64 in size" (Azure Virtual Network
 * FAQ, "How small and how large can virtual networks and subnets be?").
 */
export const SUBNET_PREFIX_LENGTHS: Readonly<Record<4 | 6, { readonly widest: number; readonly narrowest: number }>> = Object.freeze({
  4: Object.freeze({ widest: 2, narrowest: 29 }),
  6: Object.freeze({ widest: 64, narrowest: 64 }),
});

function resolveSubnet(subnet: string | undefined): ResolvedSubnet | undefined {
  if (subnet === undefined) return undefined;
  let c: ReturnType<typeof parseCidr>;
  try {
    c = parseCidr(subnet);
  } catch (e) {
    throw new ResolveError("subnet", subnet, (e as Error).message);
  }
  const { widest, narrowest } = SUBNET_PREFIX_LENGTHS[c.family];
  if (c.length < widest || c.length > narrowest) {
    const limits = "a delegated subnet is /2 to /29 for IPv4 and exactly /64 for IPv6 (Azure Virtual Network FAQ)";
    throw new ResolveError("subnet", subnet, `/${c.length} is ${c.length < widest ? "wider" : "narrower"} than any Azure subnet: ${limits}`);
  }
  return { cidr: c.text, family: c.family };
}

/** The ARM names of the requested regions, as `az` accepts them; an empty name is an error, not "no region". */
function resolveRegions(requested: readonly unknown[]): string[] {
  return uniqueSorted(
    requested.map((r) => {
      if (typeof r !== "string") throw new ResolveError("regions", r, "each region must be a string");
      if (r.trim() === "") throw new ResolveError("region", r, "empty region name; pass no region at all to leave {region} unfilled");
      return getRegion(r).name;
    }),
  );
}

/**
 * Resolves a revision (default: the current one) for datacenter regions: `{region}` filled with each
 * lower-case ARM location name, regional tags looked up, prefixes attached from a service-tags index,
 * features applied. Throws ResolveError / UnknownNameError naming the bad option and value.
 */
export function resolveRules(options: ResolveOptions): ResolvedRules {
  if (!options || !Array.isArray(options.regions)) throw new ResolveError("regions", options?.regions, "must be an array of region names");
  const revision = options.revision === undefined ? currentRevision : getRevision(options.revision);
  const regions = resolveRegions(options.regions);
  const subnet = resolveSubnet(options.subnet);

  const known = new Set(featureList.map((f) => f.id));
  for (const [k, v] of Object.entries(options.features ?? {})) {
    if (!known.has(k)) throw new ResolveError(`features.${k}`, v, `unknown feature; known: ${[...known].sort().join(", ")}`);
    if (typeof v !== "boolean") throw new ResolveError(`features.${k}`, v, "must be true or false");
  }
  const enabled: Record<string, boolean> = {};
  for (const f of sortBy(featureList, (x) => x.id)) enabled[f.id] = options.features?.[f.id] ?? f.default;

  const rules: ResolvedRule[] = [];
  const excluded: ExcludedRequirement[] = [];
  for (const req of revision.requirements) {
    const reason = conditionsHold(req, enabled);
    if (reason) {
      excluded.push({ id: req.id, reason });
      continue;
    }
    const fqdnPatterns = req.destinations.flatMap((d) => (d.type === "fqdn" ? [d.fqdn] : []));
    const unresolvedFqdns = regions.length === 0 ? fqdnPatterns.filter((p) => p.includes("{region}")) : [];
    rules.push({
      id: req.id,
      kind: req.kind,
      protocol: req.protocol,
      transport: "TCP",
      ports: mergePortRanges(req.ports),
      purpose: req.purpose,
      conditions: req.conditions,
      inferred: req.inferred,
      provenance: req.provenance,
      order: req.order,
      fqdns: fqdnPatterns.flatMap((p) => fillFqdns(p, regions)),
      unresolvedFqdns,
      serviceTags: req.destinations.flatMap((d) => (d.type === "serviceTag" ? [resolveTag(d, regions, options.serviceTags)] : [])),
      prefixes: splitByFamily(req.destinations.flatMap((d) => (d.type === "prefixes" ? d.prefixes : []))),
    });
  }

  const { requirements: _r, requirementIds: _i, ...revisionInfo } = revision;
  return {
    revision: revisionInfo,
    coreVersion: version,
    dataHash,
    regions,
    ...(subnet ? { subnet } : {}),
    features: enabled,
    serviceTags: options.serviceTags
      ? { source: "file", cloud: options.serviceTags.cloud, changeNumber: options.serviceTags.changeNumber }
      : { source: "catalog", changeNumber: serviceTagCatalog.changeNumber },
    rules: sortBy(rules, (r) => r.order, (r) => r.id),
    excluded: sortBy(excluded, (e) => e.id),
  };
}

/**
 * The requirements document of the previous policy, which `cli audit` (packages/cli/src/audit) still
 * evaluates until the Azure evaluator replaces it. The bundle no longer ships it: see `document.ts`.
 * @deprecated Removed once `cli audit` runs on the Azure evaluator.
 */
import { artifactStamp, formatPortRange, sortBy, type ArtifactStamp, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";

/** Which configuration layer can express an alternative. */
export type AlternativeType = "fqdn" | "serviceTag" | "prefixes" | "internal";

/** An FQDN on HTTPS, allowed by an Azure Firewall application rule. */
export interface FqdnCheck {
  readonly kind: "fqdn";
  readonly label: string;
  readonly fqdn: string;
  readonly from: number;
  readonly to: number;
}
/** Outbound TCP to one of these service-tag names (the global tag or the regional form of one region). */
export interface TagCheck {
  readonly kind: "tag";
  readonly label: string;
  readonly names: readonly string[];
  readonly from: number;
  readonly to: number;
}
/** Outbound TCP to an address prefix. */
export interface PrefixCheck {
  readonly kind: "prefix";
  readonly label: string;
  readonly prefix: string;
  readonly from: number;
  readonly to: number;
}
/** TCP between nodes of the subnet (or VNet), one direction of an NSG. */
export interface InternalCheck {
  readonly kind: "internal";
  readonly label: string;
  readonly direction: "inbound" | "outbound";
  readonly from: number;
  readonly to: number;
}
export type Check = FqdnCheck | TagCheck | PrefixCheck | InternalCheck;

export interface Alternative {
  readonly type: AlternativeType;
  readonly label: string;
  /** All must be allowed for the alternative to cover the requirement. */
  readonly checks: readonly Check[];
}

export interface DocumentRequirement {
  readonly kind: "outbound" | "internal";
  readonly order: number;
  /** Any one alternative, fully allowed, covers the requirement. */
  readonly alternatives: readonly Alternative[];
  /** FQDN patterns that could not be checked because no region was given. */
  readonly unresolvedFqdns: readonly string[];
}

export interface RequirementsDocument {
  readonly stamp: ArtifactStamp;
  /** The cluster subnet, or null: then any source prefix counts as the subnet. */
  readonly subnet: string | null;
  readonly requirements: Readonly<Record<string, DocumentRequirement>>;
}

function portLabel(from: number, to: number, proto: string): string {
  return `${proto}/${formatPortRange({ from, to })}`;
}

// The objects below list their keys in code-unit order, the order canonicalJson writes: it has nothing to sort.
function alternativesOf(rule: ResolvedRule, regions: readonly string[]): Alternative[] {
  const alts: Alternative[] = [];
  if (rule.kind === "internal") {
    const checks: InternalCheck[] = [];
    for (const direction of ["inbound", "outbound"] as const) {
      for (const p of rule.ports) {
        checks.push({ direction, from: p.from, kind: "internal", label: `${direction} ${portLabel(p.from, p.to, "tcp")}`, to: p.to });
      }
    }
    alts.push({ checks, label: "NSG inbound and outbound rules within the subnet", type: "internal" });
    return alts;
  }
  if (rule.fqdns.length > 0) {
    const fqdns = sortBy(rule.fqdns, (f) => f.fqdn).map((f) => f.fqdn);
    const checks: FqdnCheck[] = [];
    for (const fqdn of fqdns) {
      for (const p of rule.ports) checks.push({ fqdn, from: p.from, kind: "fqdn", label: `${fqdn} ${portLabel(p.from, p.to, "https")}`, to: p.to });
    }
    alts.push({ checks, label: `FQDN ${fqdns.join(", ")}`, type: "fqdn" });
  }
  for (const tag of sortBy(rule.serviceTags, (t) => t.tag)) {
    // Per requested region: the global tag, or that region's form when Microsoft publishes one.
    const nameSets: string[][] = [];
    if (regions.length === 0) nameSets.push([tag.global.name]);
    for (const region of regions) {
      const form = tag.regional.find((r) => r.region === region);
      nameSets.push(form ? [tag.global.name, form.name] : [tag.global.name]);
    }
    const seen = new Set<string>();
    const checks: TagCheck[] = [];
    for (const names of nameSets) {
      const key = names.join("|");
      if (seen.has(key)) continue;
      seen.add(key);
      for (const p of rule.ports) checks.push({ from: p.from, kind: "tag", label: `${names.join(" or ")} ${portLabel(p.from, p.to, "tcp")}`, names, to: p.to });
    }
    alts.push({ checks, label: `service tag ${tag.tag}`, type: "serviceTag" });
  }
  const prefixes = [...rule.prefixes.ipv4, ...rule.prefixes.ipv6];
  if (prefixes.length > 0) {
    const checks: PrefixCheck[] = [];
    for (const prefix of prefixes) {
      for (const p of rule.ports) checks.push({ from: p.from, kind: "prefix", label: `${prefix} ${portLabel(p.from, p.to, "tcp")}`, prefix, to: p.to });
    }
    alts.push({ checks, label: `prefixes ${prefixes.join(", ")}`, type: "prefixes" });
  }
  return alts;
}

/** Builds the requirements document for the resolved rules (the `data.json` of the bundle). */
export function buildRequirementsDocument(resolved: ResolvedRules, generator: string, generatorVersion: string): RequirementsDocument {
  const requirements: Record<string, DocumentRequirement> = {};
  for (const rule of sortBy(resolved.rules, (r) => r.order, (r) => r.id)) {
    requirements[rule.id] = {
      alternatives: alternativesOf(rule, resolved.regions),
      kind: rule.kind,
      order: rule.order,
      unresolvedFqdns: [...rule.unresolvedFqdns].sort(),
    };
  }
  return { stamp: artifactStamp(resolved, generator, generatorVersion), subnet: resolved.subnet?.cidr ?? null, requirements };
}

/** Which input layers can express an alternative. */
export const LAYERS_FOR: Readonly<Record<AlternativeType, readonly ("nsg" | "firewall")[]>> = {
  fqdn: ["firewall"],
  serviceTag: ["nsg", "firewall"],
  prefixes: ["nsg", "firewall"],
  internal: ["nsg"],
};

/** How the reports name what a layer-less input would need. */
export const NEEDS_PHRASE: Readonly<Record<AlternativeType, string>> = {
  fqdn: "an Azure Firewall application rule",
  serviceTag: "an NSG or Azure Firewall network rule",
  prefixes: "an NSG or Azure Firewall network rule",
  internal: "an NSG",
};

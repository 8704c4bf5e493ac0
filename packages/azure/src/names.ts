/** Azure resource names and the limits the planners respect, each with its source. */
import { shortHash } from "@cassandra-mi-netrules/core";

/**
 * Names of most Microsoft.Network resources and their children (NSG, security rule, route table, route,
 * firewall policy, rule collection group, rule collection, rule): 1-80 characters, letters, digits, `_`,
 * `.`, `-`; starts with a letter or digit; ends with a letter, digit or `_` (Azure "Naming rules and
 * restrictions for Azure resources", Microsoft.Network).
 */
export const AZURE_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/;

/** What the error messages say a valid name is. */
export const AZURE_NAME_RULE = "1-80 letters, digits, _ . -; starting with a letter or digit, ending with a letter, digit or _";

/**
 * A valid Azure name built from free text: other characters become `-`, runs collapse, the ends are
 * trimmed; longer than `maxLength` (default 80): cut and suffixed with a hash of the full text.
 */
export function azureName(raw: string, maxLength = 80): string {
  let name = raw.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/-{2,}/g, "-").replace(/^[^A-Za-z0-9]+/, "").replace(/[.-]+$/, "");
  if (name === "") name = `x-${shortHash(raw)}`;
  if (name.length > maxLength) name = `${name.slice(0, maxLength - 9).replace(/[.-]+$/, "")}-${shortHash(raw)}`;
  return name;
}

/** What Azure accepts in one NSG (Azure subscription and service limits, networking; SecurityRule schema). */
export const NSG_LIMITS = { minPriority: 100, maxPriority: 4096, maxRules: 1000, maxAddresses: 4000, maxNameLength: 80, maxDescriptionLength: 140 } as const;

/** Azure Firewall Policy limits (Azure Firewall limits; the 2024-05-01 schema for priorities and application-rule ports). */
export const FIREWALL_LIMITS = {
  minPriority: 100,
  maxPriority: 65000,
  maxAppRulePort: 64000,
  maxNameLength: 80,
  maxNetworkRulePairs: 20000,
  maxGroupBytes: 2 * 1024 * 1024,
} as const;

/**
 * Route table limits: 400 user-defined routes per route table (Azure subscription and service limits,
 * networking), at most 25 of them with a service tag as address prefix ("Virtual network traffic routing",
 * Service tags for user-defined routes).
 */
export const ROUTE_TABLE_LIMITS = { maxRoutes: 400, maxServiceTagRoutes: 25, maxNameLength: 80 } as const;

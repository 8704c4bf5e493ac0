/**
 * The options a user gives each Azure artifact (NSG, firewall policy, route table), checked and defaulted
 * into what the planners take. One place for every renderer of the same plan (ARM, Terraform): each
 * emitter passes `fail`, which builds its own error class, so a message names the option as the user
 * wrote it.
 */
import { getUdrAdvice, udrAdvice, type ResolvedRules } from "@cassandra-mi-netrules/core";
import type { ThreatIntelMode } from "../model.js";
import { AZURE_NAME_PATTERN, AZURE_NAME_RULE, FIREWALL_LIMITS, NSG_LIMITS } from "../names.js";
import type { FirewallPolicyPlanOptions } from "./firewall-policy.js";
import type { NsgPlanOptions } from "./nsg.js";
import type { RouteSample, RouteTablePlanOptions } from "./route-table.js";

/** Builds the error for a bad option: `field` as the user wrote it, the value, why. */
export type OptionFailure = (field: string, value: unknown, reason: string) => Error;

export interface NsgOptions {
  /** Name of the network security group. Default `nsg-cassandra-mi`. */
  readonly nsgName?: string;
  /** Write regional service tags (`Storage.EastUS`) where every region has one usable in an NSG. Default false. */
  readonly regionalTags?: boolean;
  /** Where internal ports are allowed: the cluster subnet (default when a subnet is given) or `VirtualNetwork`. */
  readonly internalScope?: "subnet" | "vnet";
  /**
   * A final rule (priority 4096) that denies every other outbound flow to `Internet`, overriding Azure's
   * default `AllowInternetOutBound` (65001). Default true; false leaves Internet egress open, and the
   * coverage says the NSG then restricts nothing.
   */
  readonly denyInternetOutbound?: boolean;
  /**
   * Allow the requirements an NSG can only name by host name to `Internet` on their ports, for a firewall
   * the subnet routes through (Azure Firewall, a virtual appliance) to narrow by name. Default false.
   */
  readonly hostNamesViaFirewall?: boolean;
  /** First priority of each direction. Default 100. */
  readonly priorityStart?: number;
  /** Gap between two priorities. Default 10. */
  readonly priorityStep?: number;
}

export interface FirewallPolicyOptions {
  /** `create` (default): the policy and the group; `existing`: only the group, for a policy that exists. */
  readonly policy?: "create" | "existing";
  /** Name of the policy (created, or existing). Default `fwp-cassandra-mi`. */
  readonly policyName?: string;
  /** Name of the rule collection group. Default `cassandra-mi`. */
  readonly ruleCollectionGroupName?: string;
  /** Rule collection group priority, 100-65000. Default 500. */
  readonly groupPriority?: number;
  /** Policy tier when the policy is created. Default `Standard`. */
  readonly tier?: "Standard" | "Premium";
  /** Write regional service tags where every region has one usable by Azure Firewall. Default false. */
  readonly regionalTags?: boolean;
  /** Put non-wildcard FQDNs in network rules (any TCP port) instead of application rules; turns the policy's DNS proxy on. Default false. */
  readonly fqdnNetworkRules?: boolean;
  /** Threat intelligence mode of a created policy: `Deny` (default) drops traffic to and from known-malicious addresses and domains, `Alert` only logs it. */
  readonly threatIntelMode?: ThreatIntelMode;
  /** Intrusion detection (IDPS) mode of a created Premium policy: `Deny` (default with Premium), `Alert` or `Off`. Premium only. */
  readonly intrusionDetection?: ThreatIntelMode;
}

export interface RouteTableOptions {
  /** `create` (default): the route table with its routes; `existing`: only the routes, for a table that exists. */
  readonly routeTable?: "create" | "existing";
  /** Name of the route table. Default `rt-cassandra-mi`. */
  readonly routeTableName?: string;
  /** `service-tags` (default): a route per service tag and prefix of the requirements; `sample-prefixes`: the page's sample script's prefix list, exactly. */
  readonly mode?: "service-tags" | "sample-prefixes";
  /** Regional service tags (`Storage.EastUS`) where every region has one usable in a route. Default false. */
  readonly regionalTags?: boolean;
  /** The table's `disableBgpRoutePropagation` when it is created. Default false. */
  readonly disableBgpRoutePropagation?: boolean;
}

export const NSG_OPTION_KEYS = ["nsgName", "regionalTags", "internalScope", "denyInternetOutbound", "hostNamesViaFirewall", "priorityStart", "priorityStep"] as const;
export const FIREWALL_OPTION_KEYS = ["policy", "policyName", "ruleCollectionGroupName", "groupPriority", "tier", "regionalTags", "fqdnNetworkRules", "threatIntelMode", "intrusionDetection"] as const;
export const ROUTE_TABLE_OPTION_KEYS = ["routeTable", "routeTableName", "mode", "regionalTags", "disableBgpRoutePropagation"] as const;

const THREAT_MODES = ["Deny", "Alert", "Off"] as const;

/** The options as a record, refusing a key that is not `known` (nor `extra`, the emitter's own). */
function knownKeys(options: unknown, known: readonly string[], extra: readonly string[], fail: OptionFailure): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw fail("options", options, "must be an object");
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) if (![...known, ...extra].includes(k)) throw fail(k, o[k], `unknown option; known: ${[...known, ...extra].join(", ")}`);
  return o;
}

function oneOf<T extends string>(o: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T, fail: OptionFailure): T {
  const v = o[key] ?? fallback;
  if (!allowed.includes(v as T)) throw fail(key, v, `must be ${allowed.map((a) => `"${a}"`).join(" or ")}`);
  return v as T;
}

function flag(o: Record<string, unknown>, key: string, fallback: boolean, fail: OptionFailure): boolean {
  const v = o[key];
  if (v !== undefined && typeof v !== "boolean") throw fail(key, v, "must be true or false");
  return v ?? fallback;
}

function name(o: Record<string, unknown>, key: string, fallback: string, fail: OptionFailure): string {
  const v = o[key] ?? fallback;
  if (typeof v !== "string" || !AZURE_NAME_PATTERN.test(v)) throw fail(key, v, AZURE_NAME_RULE);
  return v;
}

/** An integer from `min` to `max`; without `max`, any integer from `min` (1: "a positive integer"). */
function integer(o: Record<string, unknown>, key: string, fallback: number, fail: OptionFailure, min: number, max?: number): number {
  const v = o[key] ?? fallback;
  if (!Number.isInteger(v) || (v as number) < min || (max !== undefined && (v as number) > max))
    throw fail(key, v, max === undefined ? "must be a positive integer" : `must be an integer from ${min} to ${max}`);
  return v as number;
}

/** NSG options checked and defaulted; `extra` are keys the emitter reads itself. */
export function settleNsgOptions(resolved: ResolvedRules, options: NsgOptions | undefined, fail: OptionFailure, extra: readonly string[] = []): Omit<NsgPlanOptions, "tags"> {
  const o = knownKeys(options, NSG_OPTION_KEYS, extra, fail);
  const nsgName = name(o, "nsgName", "nsg-cassandra-mi", fail);
  const regionalTags = flag(o, "regionalTags", false, fail);
  const denyInternetOutbound = flag(o, "denyInternetOutbound", true, fail);
  const hostNamesViaFirewall = flag(o, "hostNamesViaFirewall", false, fail);
  if (hostNamesViaFirewall && !denyInternetOutbound)
    throw fail("hostNamesViaFirewall", true, "needs denyInternetOutbound: without the final deny, Internet is open to every port already");
  const internalScope = oneOf(o, "internalScope", ["subnet", "vnet"], resolved.subnet ? "subnet" : "vnet", fail);
  if (internalScope === "subnet" && !resolved.subnet) throw fail("internalScope", internalScope, "needs a subnet; give one or choose vnet");
  const priorityStart = integer(o, "priorityStart", NSG_LIMITS.minPriority, fail, NSG_LIMITS.minPriority, NSG_LIMITS.maxPriority);
  const priorityStep = integer(o, "priorityStep", 10, fail, 1);
  return { nsgName, regionalTags, internalScope, denyInternetOutbound, hostNamesViaFirewall, priorityStart, priorityStep };
}

/** Firewall policy options checked and defaulted. */
export function settleFirewallPolicyOptions(options: FirewallPolicyOptions | undefined, fail: OptionFailure, extra: readonly string[] = []): Omit<FirewallPolicyPlanOptions, "tags"> {
  const o = knownKeys(options, FIREWALL_OPTION_KEYS, extra, fail);
  const policy = oneOf(o, "policy", ["create", "existing"], "create", fail);
  const policyName = name(o, "policyName", "fwp-cassandra-mi", fail);
  const ruleCollectionGroupName = name(o, "ruleCollectionGroupName", "cassandra-mi", fail);
  const groupPriority = integer(o, "groupPriority", 500, fail, FIREWALL_LIMITS.minPriority, FIREWALL_LIMITS.maxPriority);
  const tier = oneOf(o, "tier", ["Standard", "Premium"], "Standard", fail);
  const regionalTags = flag(o, "regionalTags", false, fail);
  const fqdnNetworkRules = flag(o, "fqdnNetworkRules", false, fail);
  // The policy's own settings exist only on a policy the artifact creates.
  for (const k of ["threatIntelMode", "intrusionDetection"]) {
    if (policy === "existing" && o[k] !== undefined) throw fail(k, o[k], 'applies to a policy the artifact creates (policy "create"); an existing policy keeps its own');
  }
  const threatIntelMode = oneOf(o, "threatIntelMode", THREAT_MODES, "Deny", fail);
  if (o.intrusionDetection !== undefined && tier !== "Premium") throw fail("intrusionDetection", o.intrusionDetection, 'needs tier "Premium": intrusion detection (IDPS) is a Premium feature');
  const intrusionDetection = tier === "Premium" ? { intrusionDetection: oneOf(o, "intrusionDetection", THREAT_MODES, "Deny", fail) } : {};
  return { policy, policyName, ruleCollectionGroupName, groupPriority, tier, regionalTags, fqdnNetworkRules, threatIntelMode, ...intrusionDetection };
}

/** Route table options checked and defaulted; sample-prefixes mode carries the sample of the revision's page. */
export function settleRouteTableOptions(
  resolved: ResolvedRules,
  options: RouteTableOptions | undefined,
  fail: OptionFailure,
  extra: readonly string[] = [],
): Omit<RouteTablePlanOptions, "tags"> & { readonly routeTable: "create" | "existing" } {
  const o = knownKeys(options, ROUTE_TABLE_OPTION_KEYS, extra, fail);
  const routeTableName = name(o, "routeTableName", "rt-cassandra-mi", fail);
  const regionalTags = flag(o, "regionalTags", false, fail);
  const disableBgpRoutePropagation = flag(o, "disableBgpRoutePropagation", false, fail);
  const mode = oneOf(o, "mode", ["service-tags", "sample-prefixes"], "service-tags", fail);
  const advice = getUdrAdvice(resolved.revision.id);
  if (mode === "sample-prefixes" && !advice) {
    const pages = udrAdvice.map((a) => a.revision).join(", ");
    throw fail("mode", mode, `the page of revision ${resolved.revision.id} links no sample script for user-defined routes (revisions that do: ${pages})`);
  }
  const routeTable = oneOf(o, "routeTable", ["create", "existing"], "create", fail);
  const sample: RouteSample | undefined = mode === "sample-prefixes" && advice ? { prefixes: advice.sample.prefixes, routeName: advice.sample.routeName, commit: advice.sample.commit } : undefined;
  return { routeTable, routeTableName, mode, regionalTags, disableBgpRoutePropagation, ...(sample ? { sample } : {}) };
}

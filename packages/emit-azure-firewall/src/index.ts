/**
 * @cassandra-mi-netrules/emit-azure-firewall: the rules as an ARM template of an Azure Firewall Policy
 * rule collection group (and, by default, the policy itself). Pure: resolved rules in, text and coverage out.
 */
import {
  APPLICATION_COLLECTION,
  armTemplateMetadata,
  FIREWALL_LIMITS,
  NETWORK_COLLECTION,
  planFirewallPolicy,
  renderFirewallPolicyTemplate,
  type FirewallPolicyPlanOptions,
} from "@cassandra-mi-netrules/azure";
import { artifactStamp, coreMajor, EmitterOptionError, type EmitResult, type Emitter, type ResolvedRules } from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };
import { firewallPolicyOptions } from "./options.js";

export const version: string = pkg.version;

export interface FirewallPolicyOptions {
  /** `create` (default): the template creates the policy and the group; `existing`: only the group, attached to a policy by name. */
  readonly policy?: "create" | "existing";
  /** Default value of the `firewallPolicyName` parameter. Default `fwp-cassandra-mi`. */
  readonly policyName?: string;
  /** Default value of the `ruleCollectionGroupName` parameter. Default `cassandra-mi`. */
  readonly ruleCollectionGroupName?: string;
  /** Rule collection group priority, 100-65000. Default 500. */
  readonly groupPriority?: number;
  /** Policy tier when the policy is created. Default `Standard`. */
  readonly tier?: "Standard" | "Premium";
  /** Write regional service tags where every region has one usable by Azure Firewall. Default false. */
  readonly regionalTags?: boolean;
  /** Put non-wildcard FQDNs in network rules (any TCP port) instead of application rules; turns the policy's DNS proxy on. Default false. */
  readonly fqdnNetworkRules?: boolean;
}

export { APPLICATION_COLLECTION, FIREWALL_LIMITS, NETWORK_COLLECTION };
export const FIREWALL_API_VERSION = "2024-05-01";
const GENERATOR = "@cassandra-mi-netrules/emit-azure-firewall";
/** @deprecated Every emitter throws `EmitterOptionError` (from `@cassandra-mi-netrules/core`); this is the same class. */
export const FirewallOptionError = EmitterOptionError;
/** @deprecated Use `EmitterOptionError`. */
export type FirewallOptionError = EmitterOptionError;

/** The options once checked and defaulted: what the planner takes. */
type Settled = Omit<FirewallPolicyPlanOptions, "tags">;

function settle(options: FirewallPolicyOptions | undefined): Settled {
  const o = firewallPolicyOptions.settle(options);
  // In this order: the template's metadata lists them so.
  return { policy: o.policy, policyName: o.policyName, ruleCollectionGroupName: o.ruleCollectionGroupName, groupPriority: o.groupPriority, tier: o.tier, regionalTags: o.regionalTags, fqdnNetworkRules: o.fqdnNetworkRules };
}

/**
 * Renders the rules as an ARM template (deploymentTemplate 2019-04-01) with a firewall policy rule collection
 * group, apiVersion 2024-05-01: options settled, then `planFirewallPolicy` and `renderFirewallPolicyTemplate`.
 */
export function emitFirewallPolicyTemplate(resolved: ResolvedRules, options?: FirewallPolicyOptions): EmitResult {
  const s = settle(options);
  const stamp = artifactStamp(resolved, GENERATOR, version);
  const tags = { generator: `${GENERATOR} ${version}`, "dataset-revision": stamp.revision, "data-sha256": stamp.dataHash };
  const plan = planFirewallPolicy(resolved, { ...s, tags });
  const metadata = armTemplateMetadata(stamp, {
    options: { ...s },
    dnsProxyRequired: plan.dnsProxyRequired,
    requirements: plan.requirements,
    unsupported: plan.coverage.filter((c) => c.status === "unsupported").map((c) => c.ruleId),
  });
  const content = renderFirewallPolicyTemplate(plan, { metadata });
  return { files: [{ path: "firewall-policy.json", content }], coverage: [...plan.coverage] };
}

export const emitter: Emitter<FirewallPolicyOptions> = {
  name: "azure-firewall",
  description: "Azure Firewall Policy rule collection group (and optionally the policy), as an ARM template (Microsoft.Network/firewallPolicies 2024-05-01)",
  emit: emitFirewallPolicyTemplate,
  options: firewallPolicyOptions,
  coreMajor,
  package: { name: GENERATOR, version },
  files: ["firewall-policy.json"],
};

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
  settleFirewallPolicyOptions,
  type FirewallPolicyOptions,
} from "@cassandra-mi-netrules/azure";
import { artifactStamp, type EmitResult, type Emitter, type ResolvedRules } from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };

export const version: string = pkg.version;

/** The options, checked by `settleFirewallPolicyOptions` of @cassandra-mi-netrules/azure (every firewall policy renderer takes the same). */
export type { FirewallPolicyOptions };

export { APPLICATION_COLLECTION, FIREWALL_LIMITS, NETWORK_COLLECTION };
export const FIREWALL_API_VERSION = "2024-05-01";
const GENERATOR = "@cassandra-mi-netrules/emit-azure-firewall";

export class FirewallOptionError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`azure-firewall option ${field}: ${reason} (value: ${JSON.stringify(value)})`);
    this.name = "FirewallOptionError";
  }
}

/**
 * Renders the rules as an ARM template (deploymentTemplate 2019-04-01) with a firewall policy rule collection
 * group, apiVersion 2024-05-01: options settled, then `planFirewallPolicy` and `renderFirewallPolicyTemplate`.
 * A created policy denies known-malicious traffic (threat intelligence `Deny`) and, on Premium, runs
 * intrusion detection in `Deny` mode, unless the options say otherwise. Throws FirewallOptionError on a
 * bad option, ResolvedRulesError on resolved rules no policy may hold.
 */
export function emitFirewallPolicyTemplate(resolved: ResolvedRules, options?: FirewallPolicyOptions): EmitResult {
  const s = settleFirewallPolicyOptions(options, (field, value, reason) => new FirewallOptionError(field, value, reason));
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
};

/**
 * @cassandra-mi-netrules/emit-nsg: the rules as an ARM template of a Network Security Group for the
 * cluster's delegated subnet. Pure: resolved rules in, template text and coverage out.
 */
import { armTemplateMetadata, NSG_LIMITS, planNsg, renderNsgTemplate, settleNsgOptions, type NsgOptions } from "@cassandra-mi-netrules/azure";
import { artifactStamp, type EmitResult, type Emitter, type ResolvedRules } from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };

export const version: string = pkg.version;

/** The options, checked by `settleNsgOptions` of @cassandra-mi-netrules/azure (every NSG renderer takes the same). */
export type { NsgOptions };

/** What Azure accepts in one NSG. */
export { NSG_LIMITS };

export const NSG_API_VERSION = "2024-05-01";
const GENERATOR = "@cassandra-mi-netrules/emit-nsg";

export class NsgOptionError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`nsg option ${field}: ${reason} (value: ${JSON.stringify(value)})`);
    this.name = "NsgOptionError";
  }
}

/**
 * Renders the rules as an ARM template (deploymentTemplate 2019-04-01) with one NSG, apiVersion 2024-05-01:
 * options settled, then `planNsg` and `renderNsgTemplate` of @cassandra-mi-netrules/azure. Throws
 * NsgOptionError on a bad option, ResolvedRulesError on resolved rules no NSG may hold (a bad service
 * tag, host name, prefix or subnet built by hand).
 */
export function emitNsgTemplate(resolved: ResolvedRules, options?: NsgOptions): EmitResult {
  const s = settleNsgOptions(resolved, options, (field, value, reason) => new NsgOptionError(field, value, reason));
  const stamp = artifactStamp(resolved, GENERATOR, version);
  const tags = { generator: `${GENERATOR} ${version}`, "dataset-revision": stamp.revision, "data-sha256": stamp.dataHash };
  const plan = planNsg(resolved, { ...s, tags });
  const metadata = armTemplateMetadata(stamp, {
    options: { ...s },
    requirements: plan.requirements,
    unsupported: plan.coverage.filter((c) => c.status === "unsupported").map((c) => c.ruleId),
  });
  return { files: [{ path: "nsg.json", content: renderNsgTemplate(plan.networkSecurityGroup, { metadata }) }], coverage: [...plan.coverage] };
}

export const emitter: Emitter<NsgOptions> = {
  name: "nsg",
  description: "Network Security Group for the cluster subnet, as an ARM template (Microsoft.Network/networkSecurityGroups 2024-05-01)",
  emit: emitNsgTemplate,
};

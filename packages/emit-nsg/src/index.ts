/**
 * @cassandra-mi-netrules/emit-nsg: the rules as an ARM template of a Network Security Group for the
 * cluster's delegated subnet. Pure: resolved rules in, template text and coverage out.
 */
import { armTemplateMetadata, NSG_LIMITS, planNsg, renderNsgTemplate, type NsgPlanOptions } from "@cassandra-mi-netrules/azure";
import { artifactStamp, coreMajor, EmitterOptionError, type EmitResult, type Emitter, type ResolvedRules } from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };
import { nsgOptions } from "./options.js";

export const version: string = pkg.version;

export interface NsgOptions {
  /** Default value of the template's `nsgName` parameter. Default `nsg-cassandra-mi`. */
  readonly nsgName?: string;
  /** Write regional service tags (`Storage.EastUS`) where every region has one usable in an NSG. Default false. */
  readonly regionalTags?: boolean;
  /** Where internal ports are allowed: the cluster subnet (default when a subnet is given) or `VirtualNetwork`. */
  readonly internalScope?: "subnet" | "vnet";
  /** Add a final rule that denies all other outbound traffic to `Internet`. Default false. */
  readonly denyInternetOutbound?: boolean;
  /** First priority of each direction. Default 100. */
  readonly priorityStart?: number;
  /** Gap between two priorities. Default 10. */
  readonly priorityStep?: number;
}

/** What Azure accepts in one NSG. */
export { NSG_LIMITS };

export const NSG_API_VERSION = "2024-05-01";
const GENERATOR = "@cassandra-mi-netrules/emit-nsg";
/** @deprecated Every emitter throws `EmitterOptionError` (from `@cassandra-mi-netrules/core`); this is the same class. */
export const NsgOptionError = EmitterOptionError;
/** @deprecated Use `EmitterOptionError`. */
export type NsgOptionError = EmitterOptionError;

/** The options once checked and defaulted: what the planner takes. */
type Settled = Omit<NsgPlanOptions, "tags">;

function settle(resolved: ResolvedRules, options: NsgOptions | undefined): Settled {
  const o = nsgOptions.settle(options);
  const internalScope = o.internalScope ?? (resolved.subnet ? "subnet" : "vnet");
  if (internalScope === "subnet" && !resolved.subnet) throw new EmitterOptionError("nsg", "internalScope", internalScope, "needs a subnet; give one or choose vnet");
  // In this order: the template's metadata lists them so.
  return { nsgName: o.nsgName, regionalTags: o.regionalTags, internalScope, denyInternetOutbound: o.denyInternetOutbound, priorityStart: o.priorityStart, priorityStep: o.priorityStep };
}

/**
 * Renders the rules as an ARM template (deploymentTemplate 2019-04-01) with one NSG, apiVersion 2024-05-01:
 * options settled, then `planNsg` and `renderNsgTemplate` of @cassandra-mi-netrules/azure.
 */
export function emitNsgTemplate(resolved: ResolvedRules, options?: NsgOptions): EmitResult {
  const s = settle(resolved, options);
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
  options: nsgOptions,
  coreMajor,
  package: { name: GENERATOR, version },
  files: ["nsg.json"],
};

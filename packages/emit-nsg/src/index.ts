/**
 * @cassandra-mi-netrules/emit-nsg: the rules as an ARM template of a Network Security Group for the
 * cluster's delegated subnet. Pure: resolved rules in, template text and coverage out.
 */
import { armTemplateMetadata, AZURE_NAME_PATTERN, AZURE_NAME_RULE, NSG_LIMITS, planNsg, renderNsgTemplate, type NsgPlanOptions } from "@cassandra-mi-netrules/azure";
import { artifactStamp, type EmitResult, type Emitter, type ResolvedRules } from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };

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
const OPTION_KEYS = ["nsgName", "regionalTags", "internalScope", "denyInternetOutbound", "priorityStart", "priorityStep"] as const;

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

/** The options once checked and defaulted: what the planner takes. */
type Settled = Omit<NsgPlanOptions, "tags">;

function settle(resolved: ResolvedRules, options: NsgOptions | undefined): Settled {
  const o = options ?? {};
  for (const k of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k)) throw new NsgOptionError(k, (o as Record<string, unknown>)[k], `unknown option; known: ${OPTION_KEYS.join(", ")}`);
  }
  const nsgName = o.nsgName ?? "nsg-cassandra-mi";
  if (typeof nsgName !== "string" || !AZURE_NAME_PATTERN.test(nsgName))
    throw new NsgOptionError("nsgName", nsgName, AZURE_NAME_RULE);
  for (const k of ["regionalTags", "denyInternetOutbound"] as const) {
    if (o[k] !== undefined && typeof o[k] !== "boolean") throw new NsgOptionError(k, o[k], "must be true or false");
  }
  if (o.internalScope !== undefined && o.internalScope !== "subnet" && o.internalScope !== "vnet")
    throw new NsgOptionError("internalScope", o.internalScope, 'must be "subnet" or "vnet"');
  const internalScope = o.internalScope ?? (resolved.subnet ? "subnet" : "vnet");
  if (internalScope === "subnet" && !resolved.subnet) throw new NsgOptionError("internalScope", internalScope, "needs a subnet; give one or choose vnet");
  const priorityStart = o.priorityStart ?? NSG_LIMITS.minPriority;
  const priorityStep = o.priorityStep ?? 10;
  if (!Number.isInteger(priorityStart) || priorityStart < NSG_LIMITS.minPriority || priorityStart > NSG_LIMITS.maxPriority)
    throw new NsgOptionError("priorityStart", priorityStart, `must be an integer from ${NSG_LIMITS.minPriority} to ${NSG_LIMITS.maxPriority}`);
  if (!Number.isInteger(priorityStep) || priorityStep < 1) throw new NsgOptionError("priorityStep", priorityStep, "must be a positive integer");
  return {
    nsgName,
    regionalTags: o.regionalTags ?? false,
    internalScope,
    denyInternetOutbound: o.denyInternetOutbound ?? false,
    priorityStart,
    priorityStep,
  };
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
};

/**
 * @cassandra-mi-netrules/emit-route-table: user-defined routes that send the cluster's traffic to
 * Microsoft's addresses to the Internet next hop, past a non-Microsoft firewall, as the page advises; an
 * ARM template and an equivalent `az` script. Pure: options settled, then `planRouteTable` and the
 * renderers of @cassandra-mi-netrules/azure.
 */
import {
  armTemplateMetadata,
  planRouteTable,
  renderRouteTableAzScript,
  renderRouteTableTemplate,
  ROUTE_TABLE_LIMITS,
  settleRouteTableOptions,
  type RouteTableOptions as RouteTablePlanUserOptions,
} from "@cassandra-mi-netrules/azure";
import { artifactStamp, getUdrAdvice, stampLines, type EmitResult, type Emitter, type EmittedFile, type ResolvedRules } from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };

export const version: string = pkg.version;

/** The route table's options (checked by `settleRouteTableOptions` of @cassandra-mi-netrules/azure), and which files to write. */
export interface RouteTableOptions extends RouteTablePlanUserOptions {
  /** Which files: `both` (default), `arm` (route-table.json) or `az` (route-table.sh). */
  readonly form?: "both" | "arm" | "az";
}

export { ROUTE_TABLE_LIMITS };
export const ROUTE_TABLE_API_VERSION = "2024-05-01";
const GENERATOR = "@cassandra-mi-netrules/emit-route-table";
const FORMS = ["both", "arm", "az"] as const;

export class RouteTableOptionError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`route-table option ${field}: ${reason} (value: ${JSON.stringify(value)})`);
    this.name = "RouteTableOptionError";
  }
}

const fail = (field: string, value: unknown, reason: string): Error => new RouteTableOptionError(field, value, reason);

/** The options once checked and defaulted: the plan's, the table's form and the files. */
function settle(resolved: ResolvedRules, options: RouteTableOptions | undefined) {
  const plan = settleRouteTableOptions(resolved, options, fail, ["form"]);
  const form = options?.form ?? "both";
  if (!(FORMS as readonly string[]).includes(form)) throw fail("form", form, `must be ${FORMS.map((f) => `"${f}"`).join(" or ")}`);
  return { ...plan, form };
}

/**
 * The route table as `route-table.json` (ARM template, deploymentTemplate 2019-04-01, Microsoft.Network
 * 2024-05-01) and `route-table.sh` (the same routes with `az`, idempotent), with the coverage.
 */
export function emitRouteTable(resolved: ResolvedRules, options?: RouteTableOptions): EmitResult {
  const { sample, ...s } = settle(resolved, options);
  const stamp = artifactStamp(resolved, GENERATOR, version);
  const advice = getUdrAdvice(resolved.revision.id);
  const tags = { generator: `${GENERATOR} ${version}`, "dataset-revision": stamp.revision, "data-sha256": stamp.dataHash };
  const plan = planRouteTable(resolved, { ...s, ...(sample ? { sample } : {}), tags });
  const sampleRef = advice ? { repository: advice.sample.repository, path: advice.sample.path, commit: advice.sample.commit } : null;
  const routesOnly = s.routeTable === "existing";
  const files: EmittedFile[] = [];
  if (s.form !== "az") {
    const metadata = armTemplateMetadata(stamp, {
      options: { ...s },
      sample: s.mode === "sample-prefixes" ? sampleRef : null,
      requirements: plan.requirements,
      unsupported: plan.coverage.filter((c) => c.status === "unsupported").map((c) => c.ruleId),
    });
    files.push({ path: "route-table.json", content: renderRouteTableTemplate(plan.routeTable, { metadata, routesOnly }) });
  }
  if (s.form !== "arm") {
    const what =
      s.mode === "sample-prefixes" && sampleRef
        ? `the ${sample?.prefixes.length} prefixes of ${sampleRef.path} (${sampleRef.repository} at ${sampleRef.commit}), as its routes`
        : "a route per service tag and address prefix of the requirements";
    const header = [
      "User-defined routes for Azure Managed Instance for Apache Cassandra: traffic to Microsoft's addresses goes to the",
      `next hop Internet (Azure's backbone), past a non-Microsoft firewall. Routes: ${what}.`,
      ...stampLines(stamp, ""),
    ];
    files.push({ path: "route-table.sh", content: renderRouteTableAzScript(plan.routeTable, { header, routesOnly }) });
  }
  return { files, coverage: [...plan.coverage] };
}

export const emitter: Emitter<RouteTableOptions> = {
  name: "route-table",
  description: "Route table with user-defined routes to the Internet next hop, as an ARM template (Microsoft.Network/routeTables 2024-05-01) and an az CLI script",
  emit: emitRouteTable,
};

/**
 * @cassandra-mi-netrules/emit-terraform: the rules as one Terraform file for the azurerm provider, from the
 * same plans as the ARM targets: the network security group (with its subnet association), the firewall
 * policy rule collection group (with a new policy, or for an existing one), the route table. Pure:
 * resolved rules in, `main.tf` and the coverage of its layers out.
 */
import {
  AZURERM_PROVIDER,
  planFirewallPolicy,
  planNsg,
  planRouteTable,
  renderTerraform,
  settleFirewallPolicyOptions,
  settleNsgOptions,
  settleRouteTableOptions,
  type FirewallPolicyOptions,
  type NsgOptions,
  type OptionFailure,
  type RouteTableOptions,
  type TerraformLocal,
  type TerraformModel,
} from "@cassandra-mi-netrules/azure";
import { artifactStamp, stampLines, type CoverageEntry, type EmitResult, type Emitter, type ResolvedRules } from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };
import { combineCoverage, LAYERS, layerStatus, type Layer, type LayerCoverage } from "./coverage.js";

export const version: string = pkg.version;
export { combineCoverage, LAYERS, layerStatus, type Layer, type LayerCoverage };
export type { FirewallPolicyOptions, NsgOptions, RouteTableOptions };

export interface TerraformOptions {
  /** The layers the file holds, in this order. Default `["nsg", "azure-firewall"]`. */
  readonly layers?: readonly Layer[];
  /** Regional service tags in every layer (a layer's own `regionalTags` wins). Default false. */
  readonly regionalTags?: boolean;
  /** The NSG's options, as the `nsg` target takes them. With the firewall layer, `hostNamesViaFirewall` defaults to true. */
  readonly nsg?: NsgOptions;
  /** The firewall policy's options, as the `azure-firewall` target takes them (`existing`: the policy by `var.firewall_policy_id`). */
  readonly azureFirewall?: FirewallPolicyOptions;
  /** The route table's options, as the `route-table` target takes them (without `form`). */
  readonly routeTable?: RouteTableOptions;
}

const GENERATOR = "@cassandra-mi-netrules/emit-terraform";
const OPTION_KEYS = ["layers", "regionalTags", "nsg", "azureFirewall", "routeTable"] as const;
const DEFAULT_LAYERS: readonly Layer[] = ["nsg", "azure-firewall"];

export class TerraformOptionError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`terraform option ${field}: ${reason} (value: ${JSON.stringify(value)})`);
    this.name = "TerraformOptionError";
  }
}

const failAt =
  (prefix: string): OptionFailure =>
  (field, value, reason) =>
    new TerraformOptionError(`${prefix}${field}`, value, reason);

function settleLayers(raw: unknown): Layer[] {
  if (raw === undefined) return [...DEFAULT_LAYERS];
  if (!Array.isArray(raw) || raw.length === 0) throw new TerraformOptionError("layers", raw, `must be a non-empty list of ${LAYERS.join(", ")}`);
  for (const l of raw) if (!(LAYERS as readonly unknown[]).includes(l)) throw new TerraformOptionError("layers", raw, `unknown layer ${JSON.stringify(l)}; known: ${LAYERS.join(", ")}`);
  if (new Set(raw).size !== raw.length) throw new TerraformOptionError("layers", raw, "lists a layer twice");
  // The page's routes send Microsoft's addresses past a non-Microsoft firewall: with Azure Firewall they would bypass it.
  if (raw.includes("azure-firewall") && raw.includes("route-table"))
    throw new TerraformOptionError("layers", raw, "route-table sends Microsoft's addresses to the Internet next hop, past the firewall (the page's advice for a non-Microsoft firewall): write it without azure-firewall");
  return LAYERS.filter((l) => raw.includes(l));
}

function layerOptions<T extends object>(o: Record<string, unknown>, key: string): T {
  const v = o[key];
  if (v !== undefined && (typeof v !== "object" || v === null || Array.isArray(v))) throw new TerraformOptionError(key, v, "must be an object of that layer's options");
  const own = (v ?? {}) as T & { regionalTags?: boolean };
  return (o.regionalTags !== undefined && own.regionalTags === undefined ? { ...own, regionalTags: o.regionalTags } : own) as T;
}

/** The options once checked and defaulted: the layers, and each layer's options as its planner takes them. */
export interface TerraformSettings {
  readonly layers: Layer[];
  readonly nsg?: ReturnType<typeof settleNsgOptions>;
  readonly azureFirewall?: ReturnType<typeof settleFirewallPolicyOptions>;
  readonly routeTable?: ReturnType<typeof settleRouteTableOptions>;
}

function settle(resolved: ResolvedRules, options: TerraformOptions | undefined): TerraformSettings {
  const o = (options ?? {}) as Record<string, unknown>;
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw new TerraformOptionError("options", o, "must be an object");
  for (const k of Object.keys(o)) if (!(OPTION_KEYS as readonly string[]).includes(k)) throw new TerraformOptionError(k, o[k], `unknown option; known: ${OPTION_KEYS.join(", ")}`);
  if (o.regionalTags !== undefined && typeof o.regionalTags !== "boolean") throw new TerraformOptionError("regionalTags", o.regionalTags, "must be true or false");
  const layers = settleLayers(o.layers);
  for (const [key, layer] of [["nsg", "nsg"], ["azureFirewall", "azure-firewall"], ["routeTable", "route-table"]] as const) {
    if (o[key] !== undefined && !layers.includes(layer)) throw new TerraformOptionError(key, o[key], `options of a layer the file does not hold (layers: ${layers.join(", ")})`);
  }
  let nsg: NsgOptions = layerOptions<NsgOptions>(o, "nsg");
  // Behind the NSG, the firewall narrows host names: the NSG lets them through to it unless told otherwise.
  if (layers.includes("azure-firewall") && nsg.hostNamesViaFirewall === undefined && nsg.denyInternetOutbound !== false) nsg = { ...nsg, hostNamesViaFirewall: true };
  return {
    layers,
    ...(layers.includes("nsg") ? { nsg: settleNsgOptions(resolved, nsg, failAt("nsg.")) } : {}),
    ...(layers.includes("azure-firewall") ? { azureFirewall: settleFirewallPolicyOptions(layerOptions<FirewallPolicyOptions>(o, "azureFirewall"), failAt("azureFirewall.")) } : {}),
    ...(layers.includes("route-table") ? { routeTable: settleRouteTableOptions(resolved, layerOptions<RouteTableOptions>(o, "routeTable"), failAt("routeTable.")) } : {}),
  };
}

/** The plans of the layers, the model for the renderer, each layer's coverage and requirements. */
function planLayers(resolved: ResolvedRules, s: TerraformSettings, tags: Readonly<Record<string, string>>) {
  const model: { -readonly [K in keyof TerraformModel]: TerraformModel[K] } = {};
  const layers: LayerCoverage[] = [];
  const requirements: Record<string, TerraformLocal> = {};
  if (s.nsg) {
    const p = planNsg(resolved, { ...s.nsg, tags });
    model.networkSecurityGroup = p.networkSecurityGroup;
    layers.push({ layer: "nsg", coverage: p.coverage, blocksTheRest: s.nsg.denyInternetOutbound });
    requirements.nsg = { ...p.requirements };
  }
  if (s.azureFirewall) {
    const p = planFirewallPolicy(resolved, { ...s.azureFirewall, tags });
    model.firewall = { ...(p.firewallPolicy ? { firewallPolicy: p.firewallPolicy } : {}), ruleCollectionGroup: p.ruleCollectionGroup };
    layers.push({ layer: "azure-firewall", coverage: p.coverage, blocksTheRest: true });
    requirements.azure_firewall = { ...p.requirements };
  }
  if (s.routeTable) {
    const { routeTable, ...options } = s.routeTable;
    const p = planRouteTable(resolved, { ...options, tags });
    model.routeTable = { table: p.routeTable, routesOnly: routeTable === "existing" };
    layers.push({ layer: "route-table", coverage: p.coverage, blocksTheRest: false });
    requirements.route_table = { ...p.requirements };
  }
  return { model, layers, requirements };
}

/** Header comment lines: what the file is, what it assumes, the stamp, the coverage per requirement and layer. */
function header(resolved: ResolvedRules, s: TerraformSettings, stamp: ReturnType<typeof artifactStamp>, layers: readonly LayerCoverage[], coverage: readonly CoverageEntry[]): string[] {
  const lines = [
    `Azure Managed Instance for Apache Cassandra: the network rules for Terraform, provider ${AZURERM_PROVIDER.source} ${AZURERM_PROVIDER.versionConstraint}`,
    `(argument names and types checked against ${AZURERM_PROVIDER.checkedVersion}). Layers: ${s.layers.join(", ")}.`,
  ];
  if (s.nsg && s.azureFirewall)
    lines.push("The nsg and azure-firewall layers filter in series: this file assumes the subnet's egress is routed through the firewall", "(a route 0.0.0.0/0 to its private address, not written here); the coverage below counts on it.");
  lines.push(...stampLines(stamp, ""), "", `Coverage per requirement: together${layers.length > 1 ? ` (${layers.map((l) => l.layer).join(", ")})` : ""}`);
  for (const c of coverage) {
    const per = layers.length > 1 ? ` (${layers.map((l) => layerStatus(resolved, l, c.ruleId)).join(", ")})` : "";
    lines.push(`  ${c.ruleId}: ${c.status}${per}`);
  }
  return lines;
}

export interface TerraformPlan {
  readonly settled: TerraformSettings;
  readonly stamp: ReturnType<typeof artifactStamp>;
  /** What `renderTerraform` writes. */
  readonly model: TerraformModel;
  /** Each layer's own coverage, in layer order. */
  readonly layers: readonly LayerCoverage[];
  /** Per layer, rule name -> the requirement ids it serves. */
  readonly requirements: Readonly<Record<string, TerraformLocal>>;
  /** What the layers do together (see `combineCoverage`). */
  readonly coverage: readonly CoverageEntry[];
}

/** The options settled and the layers planned: the model `emitTerraform` renders, and its coverage. */
export function planTerraform(resolved: ResolvedRules, options?: TerraformOptions): TerraformPlan {
  const settled = settle(resolved, options);
  const stamp = artifactStamp(resolved, GENERATOR, version);
  const tags = { generator: `${GENERATOR} ${version}`, "dataset-revision": stamp.revision, "data-sha256": stamp.dataHash };
  const { model, layers, requirements } = planLayers(resolved, settled, tags);
  return { settled, stamp, model, layers, requirements, coverage: combineCoverage(resolved, layers) };
}

/**
 * `main.tf`: the layers (default: the NSG and the firewall policy rule collection group) planned by the
 * azure package's planners with the same options as their ARM targets, rendered by `renderTerraform`.
 * The coverage says, per requirement, what each layer does and what they do together. Throws
 * TerraformOptionError on a bad option, ResolvedRulesError on resolved rules no layer may hold.
 */
export function emitTerraform(resolved: ResolvedRules, options?: TerraformOptions): EmitResult {
  const { settled: s, stamp, model, layers, requirements, coverage } = planTerraform(resolved, options);
  // The options as settled, without the sample's prefix list (the routes hold it).
  const layerOptions = { ...s, layers: undefined, ...(s.routeTable ? { routeTable: { ...s.routeTable, sample: undefined } } : {}) };
  const locals: TerraformLocal = {
    generator: stamp.generator,
    generator_version: stamp.generatorVersion,
    core_version: stamp.coreVersion,
    revision: stamp.revision,
    data_sha256: stamp.dataHash,
    regions: [...stamp.regions],
    subnet: stamp.subnet,
    service_tags: stamp.serviceTags,
    layers: s.layers,
    options: JSON.parse(JSON.stringify(layerOptions)) as TerraformLocal,
    requirements,
    unsupported: coverage.filter((c) => c.status === "unsupported").map((c) => c.ruleId),
  };
  const content = renderTerraform(model, { header: header(resolved, s, stamp, layers, coverage), locals: { name: "cassandra_mi_netrules", value: locals } });
  return { files: [{ path: "main.tf", content }], coverage: [...coverage] };
}

export const emitter: Emitter<TerraformOptions> = {
  name: "terraform",
  description: "Terraform for the azurerm provider: the network security group and the firewall policy rule collection group (and optionally the route table) in one file",
  emit: emitTerraform,
};

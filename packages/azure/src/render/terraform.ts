/**
 * renderTerraform: the model as one Terraform file for the azurerm provider: the network security group
 * (and its subnet association when `var.subnet_id` is given), the firewall policy rule collection group
 * (with a new policy, or for an existing one by id), the route table (or only its routes, for an existing
 * table). Field names and types come from the shared table of `azurerm.ts`; every string goes through
 * `escapeHclString`; the layout is terraform fmt's.
 */
import {
  AZURERM_PROVIDER,
  AZURERM_RESOURCE,
  azurermValue,
  DNS_SETTINGS_FIELDS,
  FIREWALL_POLICY_FIELDS,
  FIREWALL_RULE_FIELDS,
  INTRUSION_DETECTION_FIELDS,
  ROUTE_FIELDS,
  ROUTE_TABLE_FIELDS,
  RULE_COLLECTION_BLOCK,
  RULE_COLLECTION_FIELDS,
  SECURITY_RULE_FIELDS,
  APPLICATION_PROTOCOL_FIELDS,
  terraformVariableName,
  valueAt,
  type AzurermField,
} from "../azurerm.js";
import type { FirewallPolicy, FirewallPolicyRuleCollection, FirewallPolicyRuleCollectionGroup, NetworkSecurityGroup, Route, RouteTable } from "../model.js";
import { isParameter, type Known, type Parameter } from "../unknown.js";
import { attribute, blank, block, comment, expression, object, renderHcl, type HclItem, type HclValue } from "./hcl.js";

/** The resource label every singleton resource of the file gets. */
export const TERRAFORM_RESOURCE_LABEL = "cassandra_mi";

export interface TerraformModel {
  readonly networkSecurityGroup?: Known<NetworkSecurityGroup>;
  /** The group, and the policy when the file creates it (else the group goes to `var.firewall_policy_id`). */
  readonly firewall?: { readonly firewallPolicy?: Known<FirewallPolicy>; readonly ruleCollectionGroup: Known<FirewallPolicyRuleCollectionGroup> };
  /** The table, or with `routesOnly` only its routes (`azurerm_route`) for the table `var.route_table_name`. */
  readonly routeTable?: { readonly table: Known<RouteTable>; readonly routesOnly: boolean };
}

/** JSON-like data for the `locals` block: strings, numbers, booleans, lists and objects of them. */
export type TerraformLocal = string | number | boolean | null | readonly TerraformLocal[] | { readonly [key: string]: TerraformLocal };

export interface TerraformRenderOptions {
  /** Comment lines at the top of the file (without `#`). */
  readonly header: readonly string[];
  /** `locals { <name> = <value> }`: what made the file, which requirements each rule serves. */
  readonly locals?: { readonly name: string; readonly value: TerraformLocal };
}

interface Variable {
  readonly type: "string";
  readonly description: string;
  /** Absent: the variable is required; null: optional. */
  readonly default?: string | null;
}

/** The variables the file uses, in first-use order. */
class Variables {
  readonly #all = new Map<string, Variable>();

  use(name: string, variable: Variable): HclValue {
    if (!this.#all.has(name)) this.#all.set(name, variable);
    return expression(`var.${name}`);
  }

  parameter(p: Parameter): HclValue {
    return this.use(terraformVariableName(p.name), { type: "string", description: p.description });
  }

  items(): HclItem[] {
    return [...this.#all].flatMap(([name, v]) => [
      block("variable", [name], [
        attribute("type", expression(v.type)),
        ...(v.default !== undefined ? [attribute("default", v.default)] : []),
        attribute("description", v.description),
      ]),
      blank,
    ]);
  }
}

const resourceRef = (type: string, label = TERRAFORM_RESOURCE_LABEL) => expression(`${type}.${label}.id`);

/** A text value: a literal, or a `Parameter` as its variable. */
function text(value: unknown, vars: Variables): HclValue {
  if (isParameter(value)) return vars.parameter(value);
  if (typeof value !== "string") throw new TypeError(`expected a string (value: ${JSON.stringify(value)})`);
  return value;
}

/** One field of the shared table as an attribute, or nothing when the model leaves it out. */
function fieldAttribute(f: AzurermField, model: unknown, vars: Variables): HclItem[] {
  const v = valueAt(model, f.model);
  if (v === undefined) return [];
  const at = `${f.model.join(".")} (${f.azurerm})`;
  switch (f.kind) {
    case "string":
      return [attribute(f.azurerm, isParameter(v) ? vars.parameter(v) : azurermValue(f, text(v, vars) as string))];
    case "number":
    case "bool":
      if (typeof v !== (f.kind === "bool" ? "boolean" : "number")) throw new TypeError(`${at}: expected a ${f.kind} (value: ${JSON.stringify(v)})`);
      return [attribute(f.azurerm, v as number | boolean)];
    case "negated":
      return [attribute(f.azurerm, !(v as boolean))];
    case "list":
      return [attribute(f.azurerm, (v as readonly unknown[]).map((x) => text(x, vars)))];
    case "ids":
      return [attribute(f.azurerm, (v as ReadonlyArray<{ id: unknown }>).map((x) => text(x.id, vars)))];
    case "first": {
      const list = v as readonly unknown[];
      if (list.length !== 1) throw new RangeError(`${at}: azurerm takes exactly one value (value: ${JSON.stringify(list)})`);
      return [attribute(f.azurerm, text(list[0], vars))];
    }
    case "number-text":
      if (typeof v !== "string" || !/^\d+$/.test(v)) throw new TypeError(`${at}: expected digits (value: ${JSON.stringify(v)})`);
      return [attribute(f.azurerm, Number(v))];
  }
}

const fieldAttributes = (fields: readonly AzurermField[], model: unknown, vars: Variables): HclItem[] => fields.flatMap((f) => fieldAttribute(f, model, vars));

function tagsAttribute(tags: Readonly<Record<string, string>> | undefined): HclItem[] {
  return tags === undefined ? [] : [attribute("tags", object(Object.entries(tags)))];
}

/** `name`, `location`, `resource_group_name`: what every created resource starts with. */
function resourceHead(nameVariable: string, name: string, what: string, location: string | undefined, vars: Variables): HclItem[] {
  return [
    attribute("name", vars.use(nameVariable, { type: "string", default: name, description: `Name of the ${what}.` })),
    attribute(
      "location",
      vars.use("location", { type: "string", description: "Azure region of the resources this file creates.", ...(location !== undefined ? { default: location } : {}) }),
    ),
    attribute("resource_group_name", resourceGroup(vars)),
  ];
}

const resourceGroup = (vars: Variables): HclValue => vars.use("resource_group_name", { type: "string", description: "Resource group of the resources this file creates or changes." });

const subnetId = (vars: Variables): HclValue =>
  vars.use("subnet_id", { type: "string", default: null, description: "Resource id of the cluster's delegated subnet; when given, the network security group and the route table are associated with it." });

/** `count = 1` only when `var.subnet_id` is given. */
function association(type: string, idAttribute: string, target: HclValue, vars: Variables): HclItem {
  subnetId(vars);
  return block("resource", [type, TERRAFORM_RESOURCE_LABEL], [
    attribute("count", expression("var.subnet_id == null ? 0 : 1")),
    attribute("subnet_id", expression("var.subnet_id")),
    attribute(idAttribute, target),
  ]);
}

function nsgItems(nsg: Known<NetworkSecurityGroup>, vars: Variables): HclItem[] {
  const rules = nsg.properties.securityRules.map((r) => block("security_rule", [], [attribute("name", r.name), ...fieldAttributes(SECURITY_RULE_FIELDS, r.properties, vars)]));
  return [
    block("resource", [AZURERM_RESOURCE.networkSecurityGroup, TERRAFORM_RESOURCE_LABEL], [
      ...resourceHead("nsg_name", nsg.name, "network security group", nsg.location, vars),
      ...tagsAttribute(nsg.tags),
      ...(rules.length > 0 ? [blank, ...rules] : []),
    ]),
    blank,
    association(AZURERM_RESOURCE.subnetNsgAssociation, "network_security_group_id", resourceRef(AZURERM_RESOURCE.networkSecurityGroup), vars),
    blank,
  ];
}

function policyItems(policy: Known<FirewallPolicy>, vars: Variables): HclItem[] {
  const p = policy.properties;
  const blocks = [
    ...(p.dnsSettings ? [block("dns", [], fieldAttributes(DNS_SETTINGS_FIELDS, p.dnsSettings, vars))] : []),
    ...(p.intrusionDetection ? [block("intrusion_detection", [], fieldAttributes(INTRUSION_DETECTION_FIELDS, p.intrusionDetection, vars))] : []),
  ];
  return [
    block("resource", [AZURERM_RESOURCE.firewallPolicy, TERRAFORM_RESOURCE_LABEL], [
      ...resourceHead("firewall_policy_name", policy.name, "firewall policy", policy.location, vars),
      ...fieldAttributes(FIREWALL_POLICY_FIELDS, p, vars),
      ...tagsAttribute(policy.tags),
      ...(blocks.length > 0 ? [blank, ...blocks] : []),
    ]),
    blank,
  ];
}

/** The block of one rule collection: its rules must all be of one type, which names the block. */
function collectionBlock(c: Known<FirewallPolicyRuleCollection>, vars: Variables): HclItem {
  const types = new Set(c.rules.map((r) => r.ruleType));
  const [ruleType] = types;
  if (types.size !== 1 || ruleType === undefined) throw new Error(`rule collection ${JSON.stringify(c.name)}: azurerm writes a collection of one rule type (types: ${[...types].join(", ") || "none"})`);
  const rules = c.rules.map((r) =>
    block("rule", [], [
      ...fieldAttributes(FIREWALL_RULE_FIELDS[r.ruleType], r, vars),
      ...(r.ruleType === "ApplicationRule" ? (r.protocols ?? []).map((p) => block("protocols", [], fieldAttributes(APPLICATION_PROTOCOL_FIELDS, p, vars))) : []),
    ]),
  );
  return block(RULE_COLLECTION_BLOCK[ruleType], [], [...fieldAttributes(RULE_COLLECTION_FIELDS, c, vars), blank, ...rules]);
}

function firewallItems(model: NonNullable<TerraformModel["firewall"]>, vars: Variables): HclItem[] {
  const group = model.ruleCollectionGroup;
  const policyId = model.firewallPolicy
    ? resourceRef(AZURERM_RESOURCE.firewallPolicy)
    : vars.use("firewall_policy_id", { type: "string", description: `Resource id of the existing firewall policy (${group.firewallPolicyName}) that receives the rule collection group.` });
  const policy = model.firewallPolicy ? policyItems(model.firewallPolicy, vars) : [];
  const collections = group.properties.ruleCollections.map((c) => collectionBlock(c, vars));
  return [
    ...policy,
    block("resource", [AZURERM_RESOURCE.ruleCollectionGroup, TERRAFORM_RESOURCE_LABEL], [
      attribute("name", vars.use("rule_collection_group_name", { type: "string", default: group.name, description: "Name of the rule collection group." })),
      attribute("firewall_policy_id", policyId),
      attribute("priority", group.properties.priority),
      ...collections.flatMap((c) => [blank, c]),
    ]),
    blank,
  ];
}

function routeBody(route: Known<Route>, vars: Variables): HclItem[] {
  return [attribute("name", route.name), ...fieldAttributes(ROUTE_FIELDS, route.properties, vars)];
}

/** A resource label per route, from its name: letters, digits, `_` and `-`, unique. */
export function routeResourceLabels(routes: readonly Known<Route>[]): string[] {
  const used = new Set<string>();
  return routes.map((r) => {
    const base = `route_${r.name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
    let label = base;
    for (let n = 2; used.has(label.toLowerCase()); n++) label = `${base}_${n}`;
    used.add(label.toLowerCase());
    return label;
  });
}

function routeTableItems(model: NonNullable<TerraformModel["routeTable"]>, vars: Variables): HclItem[] {
  const t = model.table;
  if (model.routesOnly) {
    const name = vars.use("route_table_name", { type: "string", default: t.name, description: "Name of the existing route table that receives the routes." });
    const labels = routeResourceLabels(t.properties.routes);
    return t.properties.routes.flatMap((r, i) => [
      block("resource", [AZURERM_RESOURCE.route, labels[i] as string], [...routeBody(r, vars), attribute("route_table_name", name), attribute("resource_group_name", resourceGroup(vars))]),
      blank,
    ]);
  }
  const routes = t.properties.routes.map((r) => block("route", [], routeBody(r, vars)));
  return [
    block("resource", [AZURERM_RESOURCE.routeTable, TERRAFORM_RESOURCE_LABEL], [
      ...resourceHead("route_table_name", t.name, "route table", t.location, vars),
      ...fieldAttributes(ROUTE_TABLE_FIELDS, t.properties, vars),
      ...tagsAttribute(t.tags),
      ...(routes.length > 0 ? [blank, ...routes] : []),
    ]),
    blank,
    association(AZURERM_RESOURCE.subnetRouteTableAssociation, "route_table_id", resourceRef(AZURERM_RESOURCE.routeTable), vars),
    blank,
  ];
}

function outputs(model: TerraformModel): HclItem[] {
  const out: Array<[string, string, HclValue]> = [];
  if (model.networkSecurityGroup) out.push(["nsg_id", "Id of the network security group.", resourceRef(AZURERM_RESOURCE.networkSecurityGroup)]);
  if (model.firewall) {
    out.push(["firewall_policy_id", "Id of the firewall policy.", model.firewall.firewallPolicy ? resourceRef(AZURERM_RESOURCE.firewallPolicy) : expression("var.firewall_policy_id")]);
    out.push(["rule_collection_group_id", "Id of the rule collection group.", resourceRef(AZURERM_RESOURCE.ruleCollectionGroup)]);
  }
  if (model.routeTable && !model.routeTable.routesOnly) out.push(["route_table_id", "Id of the route table.", resourceRef(AZURERM_RESOURCE.routeTable)]);
  return out.flatMap(([name, description, value]) => [block("output", [name], [attribute("value", value), attribute("description", description)]), blank]);
}

function localValue(value: TerraformLocal): HclValue {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return (value as readonly TerraformLocal[]).map(localValue);
  return object(Object.entries(value as { readonly [key: string]: TerraformLocal }).map(([k, v]) => [k, localValue(v)] as const));
}

/**
 * The file: the header comments, the `terraform` block (azurerm `~> 4.0`), the variables the resources
 * use (names default to the model's; `resource_group_name` and `location` are required, `subnet_id` is
 * optional), the `locals` block, the resources, the outputs.
 */
export function renderTerraform(model: TerraformModel, options: TerraformRenderOptions): string {
  const vars = new Variables();
  const resources = [
    ...(model.networkSecurityGroup ? nsgItems(model.networkSecurityGroup, vars) : []),
    ...(model.firewall ? firewallItems(model.firewall, vars) : []),
    ...(model.routeTable ? routeTableItems(model.routeTable, vars) : []),
  ];
  const terraform = block("terraform", [], [
    attribute("required_version", ">= 1.3"),
    blank,
    block("required_providers", [], [attribute("azurerm", object([["source", AZURERM_PROVIDER.source], ["version", AZURERM_PROVIDER.versionConstraint]]))]),
  ]);
  const items: HclItem[] = [
    ...options.header.map(comment),
    ...(options.header.length > 0 ? [blank] : []),
    terraform,
    blank,
    ...vars.items(),
    ...(options.locals ? [block("locals", [], [attribute(options.locals.name, localValue(options.locals.value))]), blank] : []),
    ...resources,
    ...outputs(model),
  ];
  while (items.at(-1)?.kind === "blank") items.pop();
  return renderHcl(items);
}

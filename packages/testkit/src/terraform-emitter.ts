/**
 * The checks every Terraform file of the `terraform` target goes through, shared by its package tests and
 * the property tests: the file parses (hcl/v2), every resource matches the vendored azurerm schema, and
 * the model the audit's reader (`readNetwork`) reads back from it equals the plan it was rendered from (what
 * azurerm cannot write left out); `terraform fmt -check` runs over many files at once (`expectFormatted`).
 */
import {
  AZURERM_ARM_TYPES,
  AZURERM_RESOURCE,
  CLUSTER_SUBNET_PARAMETER,
  isParameter,
  isUnknown,
  resourceIdOf,
  terraformVariableName,
  type AzureNetwork,
  type FirewallPolicy,
  type Parameter,
  type TerraformModel,
} from "@cassandra-mi-netrules/azure";
import { expect } from "vitest";
import { checkAzurermAttributes, literalText, parseHcl, readTerraform, terraformFmtCheck, type HclJson } from "./terraform.js";

/** The id given to `var.firewall_policy_id` when the group goes to an existing policy (its last segment is the policy's name). */
export function existingPolicyId(name: string): string {
  return `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-cassandra/providers/Microsoft.Network/firewallPolicies/${name}`;
}

/** The subnet given to `var.subnet_id` (an existing one: the file associates its NSG and route table with it). */
export const GIVEN_SUBNET = { vnet: "vnet-cassandra", name: "snet-cassandra" } as const;
const GIVEN_SUBNET_ID = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-cassandra/providers/Microsoft.Network/virtualNetworks/${GIVEN_SUBNET.vnet}/subnets/${GIVEN_SUBNET.name}`;

/** The value given to a parameter's variable: the cluster subnet a deployer gives (documentation range), else a marker. */
const givenValue = (p: Parameter): string => (p.name === CLUSTER_SUBNET_PARAMETER.name ? "192.0.2.0/24" : `given-${p.name}`);

/** The plan as azurerm can hold it: the fields azurerm has no argument for left out (AZURERM_UNMAPPED). */
function azurermView(policy: FirewallPolicy): FirewallPolicy {
  const dns = policy.properties.dnsSettings;
  if (!dns) return policy;
  const { requireProxyForNetworkRules: _unmapped, ...rest } = dns;
  return { ...policy, properties: { ...policy.properties, dnsSettings: rest } };
}

/** The location the file leaves to `var.location` is read as an Unknown naming it: drop it to compare. */
function withoutDeploymentLocation<T extends { location?: unknown }>(x: T): Omit<T, "location"> {
  expect(isUnknown(x.location) && x.location.reason, `location ${JSON.stringify(x.location)}`).toBe("variable 'location' has no default value");
  const { location: _location, ...rest } = x;
  return rest;
}

/** Azure takes a group's collections by priority, whatever their order in the file. */
function collectionsByPriority<T>(group: T): T {
  const g = group as { properties: { ruleCollections: Array<{ priority: number }> } };
  return { ...g, properties: { ...g.properties, ruleCollections: [...g.properties.ruleCollections].sort((a, b) => a.priority - b.priority) } } as T;
}

/** Every string of a value in Unicode Normalization Form C, the form HCL reads every string in. */
export function nfc<T>(value: T): T {
  if (typeof value === "string") return value.normalize("NFC") as T;
  if (Array.isArray(value)) return value.map(nfc) as T;
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.normalize("NFC"), nfc(v)])) as T;
  return value;
}

/** Every Parameter of the plan, by name. */
function parametersIn(value: unknown, out = new Map<string, Parameter>()): Map<string, Parameter> {
  if (isParameter(value)) out.set(value.name, value);
  else if (Array.isArray(value)) value.forEach((v) => parametersIn(v, out));
  else if (typeof value === "object" && value !== null) Object.values(value).forEach((v) => parametersIn(v, out));
  return out;
}

/** The plan with each Parameter replaced by the value given to its variable. */
function withGivenValues<T>(value: T): T {
  if (isParameter(value)) return givenValue(value) as T;
  if (Array.isArray(value)) return value.map(withGivenValues) as T;
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withGivenValues(v)])) as T;
  return value;
}

/** Each Parameter is a variable of the file with no default, the Parameter's description, of type string. */
function expectParameterVariables(doc: HclJson, parameters: ReadonlyMap<string, Parameter>): void {
  const declared = (doc.variable ?? {}) as Record<string, Array<Record<string, unknown>>>;
  for (const p of parameters.values()) {
    const body = declared[terraformVariableName(p.name)]?.[0];
    expect(body, `variable ${terraformVariableName(p.name)}`).toBeDefined();
    expect({ type: body?.type, default: "default" in (body ?? {}), description: literalText(String(body?.description)) }).toEqual({ type: "${string}", default: false, description: p.description });
  }
}

/** The subnet given to `var.subnet_id`, as the reader links it: to the NSG and the route table the file associates with it. */
function expectedSubnets(plan: TerraformModel): AzureNetwork["subnets"] {
  const nsg = plan.networkSecurityGroup;
  const rt = plan.routeTable && !plan.routeTable.routesOnly ? plan.routeTable.table : undefined;
  if (!nsg && !rt) return [];
  const id = (type: string, name: unknown) => ({ id: resourceIdOf(AZURERM_ARM_TYPES[type] as string, [name as string]) });
  return [
    {
      name: GIVEN_SUBNET.name,
      virtualNetworkName: GIVEN_SUBNET.vnet,
      properties: { ...(nsg ? { networkSecurityGroup: id(AZURERM_RESOURCE.networkSecurityGroup, nsg.name) } : {}), ...(rt ? { routeTable: id(AZURERM_RESOURCE.routeTable, rt.name) } : {}) },
    },
  ] as unknown as AzureNetwork["subnets"];
}

/**
 * Parses the file, checks it against the azurerm schema, reads it back with the audit's reader (its
 * variables given values as a deployer gives them: the subnet id, the existing policy's id, each
 * parameter) and expects the plan (its strings in the form HCL reads them, NFC): the NSG (Azure's default
 * rules included), the subnet given linked to the NSG and the route table, the policy (when created), the
 * rule collection group (its parent by reference or by the id given), the route table or its routes, and
 * nothing the reader could not read. Returns what was read.
 */
export function expectTerraformIsPlan(text: string, plan: TerraformModel): AzureNetwork {
  const doc = parseHcl(text);
  expect(checkAzurermAttributes(doc)).toEqual([]);
  const parameters = parametersIn(plan);
  expectParameterVariables(doc, parameters);
  const expected = nfc(withGivenValues(plan));
  const existingPolicy = expected.firewall && !expected.firewall.firewallPolicy ? expected.firewall.ruleCollectionGroup.firewallPolicyName : undefined;
  const variables: Record<string, string> = Object.fromEntries([...parameters.values()].map((p) => [terraformVariableName(p.name), givenValue(p)]));
  if (existingPolicy) variables.firewall_policy_id = existingPolicyId(existingPolicy);
  if ("subnet_id" in ((doc.variable ?? {}) as object)) variables.subnet_id = GIVEN_SUBNET_ID;
  const net = readTerraform(text, variables);
  expect(net.unread).toEqual([]);
  expect(net.networkSecurityGroups.map(withoutDeploymentLocation)).toEqual(expected.networkSecurityGroup ? [expected.networkSecurityGroup] : []);
  expect(net.subnets).toEqual(expectedSubnets(expected));
  const policy = expected.firewall?.firewallPolicy;
  expect(net.firewallPolicies.map(withoutDeploymentLocation)).toEqual(policy ? [azurermView(policy)] : []);
  expect(net.firewallPolicyRuleCollectionGroups.map(collectionsByPriority)).toEqual(expected.firewall ? [expected.firewall.ruleCollectionGroup] : []);
  expect(net.azureFirewalls).toEqual([]);
  expect(net.ipGroups).toEqual([]);
  expectRouteTables(net, expected);
  return net;
}

function expectRouteTables(net: AzureNetwork, expected: TerraformModel): void {
  const rt = expected.routeTable;
  // Only the routes of an existing table, and none to write: the file holds nothing of it.
  if (!rt || (rt.routesOnly && rt.table.properties.routes.length === 0)) return void expect(net.routeTables).toEqual([]);
  if (!rt.routesOnly) return void expect(net.routeTables.map(withoutDeploymentLocation)).toEqual([rt.table]);
  // One azurerm_route resource per route, joined to a table the file does not hold: the reader says its other routes are not known.
  const [table] = net.routeTables;
  expect(net.routeTables.length).toBe(1);
  const [standIn, ...routes] = table?.properties.routes ?? [];
  expect(isUnknown(standIn) && standIn.reason).toBe(`the parent '${rt.table.name}' is not in this input: its other entries are not known`);
  const byName = <T extends { name: unknown }>(list: readonly T[]) => [...list].sort((a, b) => String(a.name).localeCompare(String(b.name)));
  expect({ name: table?.name, properties: { routes: byName(routes as unknown as ReadonlyArray<{ name: unknown }>) } }).toEqual({ name: rt.table.name, properties: { routes: byName(rt.table.properties.routes) } });
}

/** `terraform fmt -check` over every text at once: none would change. */
export function expectFormatted(texts: readonly string[]): void {
  if (texts.length === 0) return;
  const { unformatted, diff } = terraformFmtCheck(texts);
  expect(unformatted, `terraform fmt would change ${unformatted.length} of ${texts.length} files:\n${diff.slice(0, 4000)}`).toEqual([]);
}

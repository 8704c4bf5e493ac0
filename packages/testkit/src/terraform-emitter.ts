/**
 * The checks every Terraform file of the `terraform` target goes through, shared by its package tests and
 * the property tests: the file parses (hcl/v2), every resource matches the vendored azurerm schema, and
 * the model read back from it equals the plan it was rendered from (what azurerm cannot write left out);
 * `terraform fmt -check` runs over many files at once (`expectFormatted`).
 */
import { AZURERM_RESOURCE, isUnknown, type FirewallPolicy, type TerraformModel } from "@cassandra-mi-netrules/azure";
import { expect } from "vitest";
import { checkAzurermAttributes, parseHcl, readTerraform, terraformFmtCheck, type TerraformNetwork } from "./terraform.js";

/** The id given to `var.firewall_policy_id` when the group goes to an existing policy (its last segment is the policy's name). */
export function existingPolicyId(name: string): string {
  return `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-cassandra/providers/Microsoft.Network/firewallPolicies/${name}`;
}

/** The plan as azurerm can hold it: the fields azurerm has no argument for left out (AZURERM_UNMAPPED). */
function azurermView(policy: FirewallPolicy): FirewallPolicy {
  const dns = policy.properties.dnsSettings;
  if (!dns) return policy;
  const { requireProxyForNetworkRules: _unmapped, ...rest } = dns;
  return { ...policy, properties: { ...policy.properties, dnsSettings: rest } };
}

/** The location the file leaves to `var.location` is read as an Unknown: drop it to compare. */
function withoutDeploymentLocation<T extends { location?: unknown }>(x: T): Omit<T, "location"> {
  expect(isUnknown(x.location), `location ${JSON.stringify(x.location)}`).toBe(true);
  const { location: _location, ...rest } = x;
  return rest;
}

/** Every string of a value in Unicode Normalization Form C, the form HCL reads every string in. */
export function nfc<T>(value: T): T {
  if (typeof value === "string") return value.normalize("NFC") as T;
  if (Array.isArray(value)) return value.map(nfc) as T;
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.normalize("NFC"), nfc(v)])) as T;
  return value;
}

/**
 * Parses the file, checks it against the azurerm schema, reads it back and expects the plan (its strings
 * in the form HCL reads them, NFC): the NSG
 * (Azure's default rules included) and its subnet association under `count`, the policy (when created),
 * the rule collection group (its parent by reference or by the id given), the route table or its routes.
 * Returns what was read.
 */
export async function expectTerraformIsPlan(text: string, plan: TerraformModel): Promise<TerraformNetwork> {
  const expected = nfc(plan);
  const doc = await parseHcl(text);
  expect(checkAzurermAttributes(doc)).toEqual([]);
  const existingPolicy = expected.firewall && !expected.firewall.firewallPolicy ? expected.firewall.ruleCollectionGroup.firewallPolicyName : undefined;
  const net = readTerraform(doc, existingPolicy ? { variables: { firewall_policy_id: existingPolicyId(existingPolicy) } } : {});
  const nsgs = net.networkSecurityGroups.map(withoutDeploymentLocation);
  expect(nsgs).toEqual(expected.networkSecurityGroup ? [expected.networkSecurityGroup] : []);
  const count = "var.subnet_id == null ? 0 : 1";
  const associations = [
    ...(expected.networkSecurityGroup ? [{ type: AZURERM_RESOURCE.subnetNsgAssociation, target: `${AZURERM_RESOURCE.networkSecurityGroup}.cassandra_mi.id`, subnetId: "var.subnet_id", count }] : []),
    ...(expected.routeTable && !expected.routeTable.routesOnly ? [{ type: AZURERM_RESOURCE.subnetRouteTableAssociation, target: `${AZURERM_RESOURCE.routeTable}.cassandra_mi.id`, subnetId: "var.subnet_id", count }] : []),
  ];
  expect(net.associations).toEqual(associations);
  const policy = expected.firewall?.firewallPolicy;
  expect(net.firewallPolicies.map(withoutDeploymentLocation)).toEqual(policy ? [azurermView(policy)] : []);
  expect(net.firewallPolicyRuleCollectionGroups).toEqual(expected.firewall ? [expected.firewall.ruleCollectionGroup] : []);
  const rt = expected.routeTable;
  // Only the routes of an existing table, and none to write: the file holds nothing of it.
  if (!rt) expect(net.routeTables).toEqual([]);
  else if (rt.routesOnly && rt.table.properties.routes.length === 0) expect(net.routeTables).toEqual([]);
  else if (rt.routesOnly) {
    // One azurerm_route resource per route: the parser lists resources by label, so compare by name.
    const byName = <T extends { name: unknown }>(list: readonly T[]) => [...list].sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(net.routeTables.map((t) => ({ ...t, properties: { routes: byName(t.properties.routes as unknown as ReadonlyArray<{ name: unknown }>) } }))).toEqual([
      { name: rt.table.name, properties: { routes: byName(rt.table.properties.routes) } },
    ]);
  }
  else expect(net.routeTables.map(withoutDeploymentLocation)).toEqual([rt.table]);
  return net;
}

/** `terraform fmt -check` over every text at once: none would change. */
export function expectFormatted(texts: readonly string[]): void {
  if (texts.length === 0) return;
  const { unformatted, diff } = terraformFmtCheck(texts);
  expect(unformatted, `terraform fmt would change ${unformatted.length} of ${texts.length} files:\n${diff.slice(0, 4000)}`).toEqual([]);
}

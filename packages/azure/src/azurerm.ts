/**
 * How the model's fields are named and typed in the azurerm Terraform provider: one table per model type,
 * read by the Terraform renderer (model -> HCL) and by whatever reads Terraform back into the model
 * (the test kit today, the audit's Terraform reader). Checked against the provider's schema at
 * `AZURERM_PROVIDER.checkedVersion` (vendor/azurerm/attributes.json).
 */

/** The provider the renderer writes for, and the version its attribute names and types were checked against. */
export const AZURERM_PROVIDER = { source: "hashicorp/azurerm", versionConstraint: "~> 4.0", checkedVersion: "4.55.0" } as const;

/** The azurerm resource type of each part of the model the renderer writes. */
export const AZURERM_RESOURCE = {
  networkSecurityGroup: "azurerm_network_security_group",
  subnetNsgAssociation: "azurerm_subnet_network_security_group_association",
  firewallPolicy: "azurerm_firewall_policy",
  ruleCollectionGroup: "azurerm_firewall_policy_rule_collection_group",
  routeTable: "azurerm_route_table",
  route: "azurerm_route",
  subnetRouteTableAssociation: "azurerm_subnet_route_table_association",
} as const;

/**
 * How a value is written: `string`, `number` and `bool` as they are; `list` a list of strings; `ids` a
 * list of sub-resources (`{ id }`) as a list of ids; `negated` a boolean the provider names the other way
 * round; `first` a one-element list the provider takes as one string; `number-text` a string of digits
 * the provider takes as a number.
 */
export type AzurermKind = "string" | "number" | "bool" | "list" | "ids" | "negated" | "first" | "number-text";

/** One field: where it sits in the model object (a path of keys), the azurerm argument, how it is written. */
export interface AzurermField {
  readonly model: readonly string[];
  readonly azurerm: string;
  readonly kind: AzurermKind;
  /** Model value -> azurerm value, where they are spelled differently. */
  readonly values?: Readonly<Record<string, string>>;
}

const field = (model: string, azurerm: string, kind: AzurermKind, values?: Readonly<Record<string, string>>): AzurermField => ({
  model: model.split("."),
  azurerm,
  kind,
  ...(values ? { values } : {}),
});

/** `SecurityRule.properties` <-> an element of `azurerm_network_security_group.security_rule` (and the name, from `SecurityRule.name`). */
export const SECURITY_RULE_FIELDS: readonly AzurermField[] = [
  field("priority", "priority", "number"),
  field("direction", "direction", "string"),
  field("access", "access", "string"),
  field("protocol", "protocol", "string"),
  field("sourceAddressPrefix", "source_address_prefix", "string"),
  field("sourceAddressPrefixes", "source_address_prefixes", "list"),
  field("sourceApplicationSecurityGroups", "source_application_security_group_ids", "ids"),
  field("sourcePortRange", "source_port_range", "string"),
  field("sourcePortRanges", "source_port_ranges", "list"),
  field("destinationAddressPrefix", "destination_address_prefix", "string"),
  field("destinationAddressPrefixes", "destination_address_prefixes", "list"),
  field("destinationApplicationSecurityGroups", "destination_application_security_group_ids", "ids"),
  field("destinationPortRange", "destination_port_range", "string"),
  field("destinationPortRanges", "destination_port_ranges", "list"),
  field("description", "description", "string"),
];

/** `Route.properties` <-> an element of `azurerm_route_table.route`, or an `azurerm_route`. */
export const ROUTE_FIELDS: readonly AzurermField[] = [
  field("addressPrefix", "address_prefix", "string"),
  field("nextHopType", "next_hop_type", "string"),
  field("nextHopIpAddress", "next_hop_in_ip_address", "string"),
];

/** `RouteTable.properties` <-> `azurerm_route_table` (its routes apart). */
export const ROUTE_TABLE_FIELDS: readonly AzurermField[] = [field("disableBgpRoutePropagation", "bgp_route_propagation_enabled", "negated")];

/** `FirewallPolicy.properties` <-> `azurerm_firewall_policy` (its blocks apart). */
export const FIREWALL_POLICY_FIELDS: readonly AzurermField[] = [
  field("sku.tier", "sku", "string"),
  field("threatIntelMode", "threat_intelligence_mode", "string"),
  field("basePolicy.id", "base_policy_id", "string"),
];

/** `FirewallPolicy.properties.dnsSettings` <-> the `dns` block. `requireProxyForNetworkRules` has no azurerm argument. */
export const DNS_SETTINGS_FIELDS: readonly AzurermField[] = [field("enableProxy", "proxy_enabled", "bool"), field("servers", "servers", "list")];

/** `FirewallPolicy.properties.intrusionDetection` <-> the `intrusion_detection` block. */
export const INTRUSION_DETECTION_FIELDS: readonly AzurermField[] = [field("mode", "mode", "string")];

/** Model fields azurerm cannot write: a model read from Terraform never holds them (Azure's default applies). */
export const AZURERM_UNMAPPED: readonly string[] = ["FirewallPolicy.properties.dnsSettings.requireProxyForNetworkRules"];

/** A rule collection <-> its block in `azurerm_firewall_policy_rule_collection_group` (its rules apart). */
export const RULE_COLLECTION_FIELDS: readonly AzurermField[] = [
  field("name", "name", "string"),
  field("priority", "priority", "number"),
  field("action.type", "action", "string", { DNAT: "Dnat" }),
];

/** The block of a rule collection group that holds a collection of rules of each type. */
export const RULE_COLLECTION_BLOCK = {
  ApplicationRule: "application_rule_collection",
  NetworkRule: "network_rule_collection",
  NatRule: "nat_rule_collection",
} as const;

/** `ApplicationRule` <-> a `rule` of an `application_rule_collection` (its `protocols` blocks apart). */
export const APPLICATION_RULE_FIELDS: readonly AzurermField[] = [
  field("name", "name", "string"),
  field("description", "description", "string"),
  field("sourceAddresses", "source_addresses", "list"),
  field("sourceIpGroups", "source_ip_groups", "list"),
  field("targetFqdns", "destination_fqdns", "list"),
  field("fqdnTags", "destination_fqdn_tags", "list"),
  field("targetUrls", "destination_urls", "list"),
  field("webCategories", "web_categories", "list"),
  field("destinationAddresses", "destination_addresses", "list"),
  field("terminateTLS", "terminate_tls", "bool"),
];

/** `ApplicationRuleProtocol` <-> a `protocols` block. */
export const APPLICATION_PROTOCOL_FIELDS: readonly AzurermField[] = [field("protocolType", "type", "string"), field("port", "port", "number")];

/** `NetworkRule` <-> a `rule` of a `network_rule_collection`. */
export const NETWORK_RULE_FIELDS: readonly AzurermField[] = [
  field("name", "name", "string"),
  field("description", "description", "string"),
  field("ipProtocols", "protocols", "list"),
  field("sourceAddresses", "source_addresses", "list"),
  field("sourceIpGroups", "source_ip_groups", "list"),
  field("destinationAddresses", "destination_addresses", "list"),
  field("destinationIpGroups", "destination_ip_groups", "list"),
  field("destinationFqdns", "destination_fqdns", "list"),
  field("destinationPorts", "destination_ports", "list"),
];

/** `NatRule` <-> a `rule` of a `nat_rule_collection`: one destination address, a numeric translated port. */
export const NAT_RULE_FIELDS: readonly AzurermField[] = [
  field("name", "name", "string"),
  field("description", "description", "string"),
  field("ipProtocols", "protocols", "list"),
  field("sourceAddresses", "source_addresses", "list"),
  field("sourceIpGroups", "source_ip_groups", "list"),
  field("destinationAddresses", "destination_address", "first"),
  field("destinationPorts", "destination_ports", "list"),
  field("translatedAddress", "translated_address", "string"),
  field("translatedFqdn", "translated_fqdn", "string"),
  field("translatedPort", "translated_port", "number-text"),
];

/** The fields of a firewall policy rule of each type. */
export const FIREWALL_RULE_FIELDS = { ApplicationRule: APPLICATION_RULE_FIELDS, NetworkRule: NETWORK_RULE_FIELDS, NatRule: NAT_RULE_FIELDS } as const;

/** A model value as azurerm spells it (`DNAT` -> `Dnat`), and back. */
export function azurermValue(f: AzurermField, value: string): string {
  return f.values?.[value] ?? value;
}

export function modelValue(f: AzurermField, value: string): string {
  return Object.entries(f.values ?? {}).find(([, v]) => v === value)?.[0] ?? value;
}

/** The value at `path` in an object (undefined when a step is missing). */
export function valueAt(o: unknown, path: readonly string[]): unknown {
  let v: unknown = o;
  for (const k of path) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** Sets the value at `path`, creating the objects on the way. */
export function setValueAt(o: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = o;
  for (const k of path.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  at[path[path.length - 1] as string] = value;
}

/** A Terraform variable name for a model parameter: `clusterSubnet` -> `cluster_subnet`. */
export function terraformVariableName(parameterName: string): string {
  return parameterName.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

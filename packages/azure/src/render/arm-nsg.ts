/** renderNsgTemplate: one network security group as an ARM template. */
import type { NetworkSecurityGroup, SecurityRule, SubResource } from "../model.js";
import type { Known } from "../unknown.js";
import { escapeArmString } from "./arm-strings.js";
import { ArmValues, defined, locationParameter, NETWORK_API_VERSION, stringParameter, templateText, type ArmRenderOptions, type Json, type JsonObject } from "./arm-template.js";

function groups(values: ArmValues, refs: readonly Known<SubResource>[] | undefined): Json | undefined {
  return refs === undefined ? undefined : refs.map((r) => ({ id: values.text(r.id) }));
}

/** A security rule as ARM writes it, the keys in one fixed order. */
export function securityRuleJson(rule: Known<SecurityRule>, values: ArmValues): JsonObject {
  const p = rule.properties;
  return {
    name: values.text(rule.name),
    properties: defined({
      description: values.optionalText(p.description),
      priority: p.priority,
      direction: p.direction,
      access: p.access,
      protocol: p.protocol,
      sourceAddressPrefix: values.optionalText(p.sourceAddressPrefix),
      sourceAddressPrefixes: values.list(p.sourceAddressPrefixes),
      sourceApplicationSecurityGroups: groups(values, p.sourceApplicationSecurityGroups),
      sourcePortRange: values.optionalText(p.sourcePortRange),
      sourcePortRanges: values.list(p.sourcePortRanges),
      destinationAddressPrefix: values.optionalText(p.destinationAddressPrefix),
      destinationAddressPrefixes: values.list(p.destinationAddressPrefixes),
      destinationApplicationSecurityGroups: groups(values, p.destinationApplicationSecurityGroups),
      destinationPortRange: values.optionalText(p.destinationPortRange),
      destinationPortRanges: values.list(p.destinationPortRanges),
    }),
  };
}

/**
 * The NSG as an ARM template (deploymentTemplate 2019-04-01, Microsoft.Network 2024-05-01): parameters
 * `nsgName` (the model's name) and `location` (the model's, else the resource group's), the custom rules
 * inline, output `nsgId`. Azure's default rules are not written: Azure adds them to every NSG.
 */
export function renderNsgTemplate(nsg: Known<NetworkSecurityGroup>, options: ArmRenderOptions): string {
  const values = new ArmValues();
  const resource = defined({
    type: "Microsoft.Network/networkSecurityGroups",
    apiVersion: NETWORK_API_VERSION,
    name: "[parameters('nsgName')]",
    location: "[parameters('location')]",
    tags: values.tags(nsg.tags),
    properties: { securityRules: nsg.properties.securityRules.map((r) => securityRuleJson(r, values)) },
  });
  return templateText({
    metadata: options.metadata,
    parameters: {
      nsgName: stringParameter(escapeArmString(nsg.name), "Name of the network security group."),
      location: locationParameter(nsg.location, "Azure region of the network security group."),
      ...values.parameters(),
    },
    resources: [resource],
    outputs: { nsgId: { type: "string", value: "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('nsgName'))]" } },
  });
}

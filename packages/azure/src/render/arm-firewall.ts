/** renderFirewallPolicyTemplate: a rule collection group (and the policy, when the model holds it) as an ARM template. */
import type { FirewallPolicy, FirewallPolicyRule, FirewallPolicyRuleCollection, FirewallPolicyRuleCollectionGroup } from "../model.js";
import type { Known } from "../unknown.js";
import { escapeArmString } from "./arm-strings.js";
import { ArmValues, defined, locationParameter, NETWORK_API_VERSION, stringParameter, templateText, type ArmRenderOptions, type Json, type JsonObject } from "./arm-template.js";

/** One firewall policy rule as ARM writes it, the keys in one fixed order per rule type. */
export function firewallPolicyRuleJson(rule: Known<FirewallPolicyRule>, values: ArmValues): JsonObject {
  const common = { ruleType: rule.ruleType, name: values.text(rule.name), description: values.optionalText(rule.description) };
  if (rule.ruleType === "ApplicationRule") {
    return defined({
      ...common,
      sourceAddresses: values.list(rule.sourceAddresses),
      sourceIpGroups: values.list(rule.sourceIpGroups),
      protocols: rule.protocols?.map((p) => ({ protocolType: p.protocolType, port: p.port })),
      targetFqdns: values.list(rule.targetFqdns),
      fqdnTags: values.list(rule.fqdnTags),
      targetUrls: values.list(rule.targetUrls),
      webCategories: values.list(rule.webCategories),
      destinationAddresses: values.list(rule.destinationAddresses),
      terminateTLS: rule.terminateTLS,
    });
  }
  if (rule.ruleType === "NetworkRule") {
    return defined({
      ...common,
      ipProtocols: rule.ipProtocols ? [...rule.ipProtocols] : undefined,
      sourceAddresses: values.list(rule.sourceAddresses),
      sourceIpGroups: values.list(rule.sourceIpGroups),
      destinationAddresses: values.list(rule.destinationAddresses),
      destinationIpGroups: values.list(rule.destinationIpGroups),
      destinationFqdns: values.list(rule.destinationFqdns),
      destinationPorts: values.list(rule.destinationPorts),
    });
  }
  return defined({
    ...common,
    ipProtocols: rule.ipProtocols ? [...rule.ipProtocols] : undefined,
    sourceAddresses: values.list(rule.sourceAddresses),
    sourceIpGroups: values.list(rule.sourceIpGroups),
    destinationAddresses: values.list(rule.destinationAddresses),
    destinationPorts: values.list(rule.destinationPorts),
    translatedAddress: values.optionalText(rule.translatedAddress),
    translatedFqdn: values.optionalText(rule.translatedFqdn),
    translatedPort: values.optionalText(rule.translatedPort),
  });
}

function ruleCollectionJson(c: Known<FirewallPolicyRuleCollection>, values: ArmValues): JsonObject {
  return {
    ruleCollectionType: c.ruleCollectionType,
    name: values.text(c.name),
    priority: c.priority,
    action: { type: c.action.type },
    rules: c.rules.map((r) => firewallPolicyRuleJson(r, values)),
  };
}

function policyJson(policy: Known<FirewallPolicy>, values: ArmValues): JsonObject {
  const p = policy.properties;
  const dns = p.dnsSettings;
  return defined({
    type: "Microsoft.Network/firewallPolicies",
    apiVersion: NETWORK_API_VERSION,
    name: "[parameters('firewallPolicyName')]",
    location: "[parameters('location')]",
    tags: values.tags(policy.tags),
    properties: defined({
      sku: p.sku ? { tier: p.sku.tier } : undefined,
      threatIntelMode: p.threatIntelMode,
      intrusionDetection: p.intrusionDetection ? { mode: p.intrusionDetection.mode } : undefined,
      dnsSettings: dns ? defined({ enableProxy: dns.enableProxy, requireProxyForNetworkRules: dns.requireProxyForNetworkRules, servers: values.list(dns.servers) }) : undefined,
      basePolicy: p.basePolicy ? { id: values.text(p.basePolicy.id) } : undefined,
    }),
  });
}

export interface FirewallPolicyModel {
  /** The policy the template creates; absent: the group goes to the existing policy `ruleCollectionGroup.firewallPolicyName`. */
  readonly firewallPolicy?: Known<FirewallPolicy>;
  readonly ruleCollectionGroup: Known<FirewallPolicyRuleCollectionGroup>;
}

/**
 * The rule collection group, and the policy when the model holds one, as an ARM template
 * (deploymentTemplate 2019-04-01, Microsoft.Network 2024-05-01): parameters `firewallPolicyName`,
 * `ruleCollectionGroupName`, `location` (with a policy) and every `Parameter` the rules use; output
 * `firewallPolicyId`.
 */
export function renderFirewallPolicyTemplate(model: FirewallPolicyModel, options: ArmRenderOptions): string {
  const values = new ArmValues();
  const group = model.ruleCollectionGroup;
  const policyId = "[resourceId('Microsoft.Network/firewallPolicies', parameters('firewallPolicyName'))]";
  const resources: Json[] = [];
  if (model.firewallPolicy) resources.push(policyJson(model.firewallPolicy, values));
  resources.push(
    defined({
      type: "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
      apiVersion: NETWORK_API_VERSION,
      name: "[format('{0}/{1}', parameters('firewallPolicyName'), parameters('ruleCollectionGroupName'))]",
      dependsOn: model.firewallPolicy ? [policyId] : undefined,
      properties: { priority: group.properties.priority, ruleCollections: group.properties.ruleCollections.map((c) => ruleCollectionJson(c, values)) },
    }),
  );
  const created = model.firewallPolicy !== undefined;
  const parameters: JsonObject = {
    firewallPolicyName: stringParameter(
      escapeArmString(group.firewallPolicyName),
      created ? "Name of the firewall policy to create." : "Name of the existing firewall policy that receives the rule collection group.",
    ),
    ruleCollectionGroupName: stringParameter(escapeArmString(group.name), "Name of the rule collection group."),
  };
  if (model.firewallPolicy) parameters.location = locationParameter(model.firewallPolicy.location, "Azure region of the firewall policy.");
  return templateText({
    metadata: options.metadata,
    parameters: { ...parameters, ...values.parameters() },
    resources,
    outputs: { firewallPolicyId: { type: "string", value: policyId } },
  });
}

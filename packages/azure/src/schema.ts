/**
 * `@cassandra-mi-netrules/azure/schema`: the zod schema of every type of the model, for those who
 * validate a model they built or received. A subpath of its own, so the main entry loads no zod.
 */
import { z } from "zod";
import {
  FIREWALL_IP_PROTOCOLS,
  FIREWALL_POLICY_TIERS,
  NEXT_HOP_TYPES,
  SECURITY_RULE_ACCESSES,
  SECURITY_RULE_DIRECTIONS,
  SECURITY_RULE_PROTOCOLS,
  THREAT_INTEL_MODES,
  type AzureFirewall,
  type AzureNetwork,
  type DnsSettings,
  type FirewallPolicy,
  type FirewallPolicyRule,
  type FirewallPolicyRuleCollection,
  type FirewallPolicyRuleCollectionGroup,
  type IpGroup,
  type NetworkSecurityGroup,
  type Route,
  type RouteTable,
  type SecurityRule,
  type SubResource,
  type Subnet,
} from "./model.js";
import type { Parameter, Unknown } from "./unknown.js";

export const unknownSchema: z.ZodType<Unknown> = z.object({ kind: z.literal("unknown"), path: z.string(), reason: z.string() }).strict();

export const parameterSchema: z.ZodType<Parameter> = z.object({ kind: z.literal("parameter"), name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), description: z.string() }).strict();

/** The zod schema of `Maybe<T>`. */
export function maybe<T extends z.ZodType>(schema: T): z.ZodUnion<[typeof unknownSchema, T]> {
  return z.union([unknownSchema, schema]);
}

/** The zod schema of `MaybeList<T>`. */
function list<T extends z.ZodType>(schema: T) {
  return z.array(maybe(schema));
}

const addressSchema = z.union([z.string(), parameterSchema]);

const subResourceSchema: z.ZodType<SubResource> = z.object({ id: maybe(z.string()) }).strict();

const tagsSchema = maybe(z.record(z.string(), maybe(z.string())));

export const securityRuleSchema: z.ZodType<SecurityRule> = z
  .object({
    name: maybe(z.string()),
    properties: z
      .object({
        description: maybe(z.string()).optional(),
        priority: maybe(z.number().int()),
        direction: maybe(z.enum(SECURITY_RULE_DIRECTIONS)),
        access: maybe(z.enum(SECURITY_RULE_ACCESSES)),
        protocol: maybe(z.enum(SECURITY_RULE_PROTOCOLS)),
        sourceAddressPrefix: maybe(addressSchema).optional(),
        sourceAddressPrefixes: list(addressSchema).optional(),
        sourceApplicationSecurityGroups: list(subResourceSchema).optional(),
        sourcePortRange: maybe(z.string()).optional(),
        sourcePortRanges: list(z.string()).optional(),
        destinationAddressPrefix: maybe(addressSchema).optional(),
        destinationAddressPrefixes: list(addressSchema).optional(),
        destinationApplicationSecurityGroups: list(subResourceSchema).optional(),
        destinationPortRange: maybe(z.string()).optional(),
        destinationPortRanges: list(z.string()).optional(),
      })
      .strict(),
  })
  .strict();

export const networkSecurityGroupSchema: z.ZodType<NetworkSecurityGroup> = z
  .object({
    name: maybe(z.string()),
    location: maybe(z.string()).optional(),
    tags: tagsSchema.optional(),
    properties: z.object({ securityRules: list(securityRuleSchema), defaultSecurityRules: z.array(securityRuleSchema) }).strict(),
  })
  .strict();

export const routeSchema: z.ZodType<Route> = z
  .object({
    name: maybe(z.string()),
    properties: z.object({ addressPrefix: maybe(z.string()), nextHopType: maybe(z.enum(NEXT_HOP_TYPES)), nextHopIpAddress: maybe(z.string()).optional() }).strict(),
  })
  .strict();

export const routeTableSchema: z.ZodType<RouteTable> = z
  .object({
    name: maybe(z.string()),
    location: maybe(z.string()).optional(),
    tags: tagsSchema.optional(),
    properties: z.object({ disableBgpRoutePropagation: maybe(z.boolean()).optional(), routes: list(routeSchema) }).strict(),
  })
  .strict();

const dnsSettingsSchema: z.ZodType<DnsSettings> = z
  .object({ enableProxy: maybe(z.boolean()).optional(), requireProxyForNetworkRules: maybe(z.boolean()).optional(), servers: list(z.string()).optional() })
  .strict();

export const firewallPolicySchema: z.ZodType<FirewallPolicy> = z
  .object({
    name: maybe(z.string()),
    location: maybe(z.string()).optional(),
    tags: tagsSchema.optional(),
    properties: z
      .object({
        sku: z.object({ tier: maybe(z.enum(FIREWALL_POLICY_TIERS)) }).strict().optional(),
        threatIntelMode: maybe(z.enum(THREAT_INTEL_MODES)).optional(),
        intrusionDetection: z.object({ mode: maybe(z.enum(THREAT_INTEL_MODES)) }).strict().optional(),
        dnsSettings: dnsSettingsSchema.optional(),
        basePolicy: subResourceSchema.optional(),
      })
      .strict(),
  })
  .strict();

const ruleBase = {
  name: maybe(z.string()),
  description: maybe(z.string()).optional(),
  sourceAddresses: list(addressSchema).optional(),
  sourceIpGroups: list(z.string()).optional(),
};

const stringList = list(z.string()).optional();

const applicationRuleSchema = z
  .object({
    ...ruleBase,
    ruleType: z.literal("ApplicationRule"),
    protocols: list(z.object({ protocolType: maybe(z.enum(["Http", "Https"])), port: maybe(z.number().int()) }).strict()).optional(),
    targetFqdns: stringList,
    fqdnTags: stringList,
    targetUrls: stringList,
    webCategories: stringList,
    destinationAddresses: list(addressSchema).optional(),
    terminateTLS: maybe(z.boolean()).optional(),
  })
  .strict();

const networkRuleSchema = z
  .object({
    ...ruleBase,
    ruleType: z.literal("NetworkRule"),
    ipProtocols: list(z.enum(FIREWALL_IP_PROTOCOLS)).optional(),
    destinationAddresses: list(addressSchema).optional(),
    destinationIpGroups: stringList,
    destinationFqdns: stringList,
    destinationPorts: stringList,
  })
  .strict();

const natRuleSchema = z
  .object({
    ...ruleBase,
    ruleType: z.literal("NatRule"),
    ipProtocols: list(z.enum(FIREWALL_IP_PROTOCOLS)).optional(),
    destinationAddresses: list(addressSchema).optional(),
    destinationPorts: stringList,
    translatedAddress: maybe(z.string()).optional(),
    translatedFqdn: maybe(z.string()).optional(),
    translatedPort: maybe(z.string()).optional(),
  })
  .strict();

export const firewallPolicyRuleSchema: z.ZodType<FirewallPolicyRule> = z.discriminatedUnion("ruleType", [applicationRuleSchema, networkRuleSchema, natRuleSchema]);

export const firewallPolicyRuleCollectionSchema: z.ZodType<FirewallPolicyRuleCollection> = z.discriminatedUnion("ruleCollectionType", [
  z
    .object({
      ruleCollectionType: z.literal("FirewallPolicyFilterRuleCollection"),
      name: maybe(z.string()),
      priority: maybe(z.number().int()),
      action: z.object({ type: maybe(z.enum(["Allow", "Deny"])) }).strict(),
      rules: list(firewallPolicyRuleSchema),
    })
    .strict(),
  z
    .object({
      ruleCollectionType: z.literal("FirewallPolicyNatRuleCollection"),
      name: maybe(z.string()),
      priority: maybe(z.number().int()),
      action: z.object({ type: maybe(z.literal("DNAT")) }).strict(),
      rules: list(firewallPolicyRuleSchema),
    })
    .strict(),
]);

export const firewallPolicyRuleCollectionGroupSchema: z.ZodType<FirewallPolicyRuleCollectionGroup> = z
  .object({
    firewallPolicyName: maybe(z.string()),
    name: maybe(z.string()),
    properties: z.object({ priority: maybe(z.number().int()), ruleCollections: list(firewallPolicyRuleCollectionSchema) }).strict(),
  })
  .strict();

function classicCollection<A extends z.ZodType, R extends z.ZodType>(action: A, rule: R) {
  return z
    .object({
      name: maybe(z.string()),
      properties: z.object({ priority: maybe(z.number().int()), action: z.object({ type: maybe(action) }).strict(), rules: list(rule) }).strict(),
    })
    .strict();
}

const classicBase = { name: maybe(z.string()), description: maybe(z.string()).optional(), sourceAddresses: list(addressSchema).optional(), sourceIpGroups: stringList };

export const azureFirewallSchema: z.ZodType<AzureFirewall> = z
  .object({
    name: maybe(z.string()),
    location: maybe(z.string()).optional(),
    tags: tagsSchema.optional(),
    properties: z
      .object({
        sku: z.object({ name: maybe(z.enum(["AZFW_VNet", "AZFW_Hub"])).optional(), tier: maybe(z.enum(FIREWALL_POLICY_TIERS)).optional() }).strict().optional(),
        threatIntelMode: maybe(z.enum(THREAT_INTEL_MODES)).optional(),
        firewallPolicy: subResourceSchema.optional(),
        applicationRuleCollections: list(
          classicCollection(
            z.enum(["Allow", "Deny"]),
            z
              .object({
                ...classicBase,
                protocols: list(z.object({ protocolType: maybe(z.enum(["Http", "Https", "Mssql"])), port: maybe(z.number().int()).optional() }).strict()).optional(),
                targetFqdns: stringList,
                fqdnTags: stringList,
              })
              .strict(),
          ),
        ),
        networkRuleCollections: list(
          classicCollection(
            z.enum(["Allow", "Deny"]),
            z
              .object({
                ...classicBase,
                protocols: list(z.enum(FIREWALL_IP_PROTOCOLS)).optional(),
                destinationAddresses: list(addressSchema).optional(),
                destinationIpGroups: stringList,
                destinationFqdns: stringList,
                destinationPorts: stringList,
              })
              .strict(),
          ),
        ),
        natRuleCollections: list(
          classicCollection(
            z.enum(["Snat", "Dnat"]),
            z
              .object({
                ...classicBase,
                protocols: list(z.enum(FIREWALL_IP_PROTOCOLS)).optional(),
                destinationAddresses: list(addressSchema).optional(),
                destinationPorts: stringList,
                translatedAddress: maybe(z.string()).optional(),
                translatedPort: maybe(z.string()).optional(),
                translatedFqdn: maybe(z.string()).optional(),
              })
              .strict(),
          ),
        ),
      })
      .strict(),
  })
  .strict();

export const ipGroupSchema: z.ZodType<IpGroup> = z
  .object({ name: maybe(z.string()), location: maybe(z.string()).optional(), tags: tagsSchema.optional(), properties: z.object({ ipAddresses: list(z.string()) }).strict() })
  .strict();

export const subnetSchema: z.ZodType<Subnet> = z
  .object({
    virtualNetworkName: maybe(z.string()),
    name: maybe(z.string()),
    properties: z
      .object({
        addressPrefix: maybe(z.string()).optional(),
        addressPrefixes: list(z.string()).optional(),
        networkSecurityGroup: subResourceSchema.optional(),
        routeTable: subResourceSchema.optional(),
        natGateway: subResourceSchema.optional(),
        defaultOutboundAccess: maybe(z.boolean()).optional(),
        serviceEndpoints: list(z.object({ service: maybe(z.string()), locations: list(z.string()).optional() }).strict()).optional(),
        delegations: list(z.object({ name: maybe(z.string()), properties: z.object({ serviceName: maybe(z.string()) }).strict() }).strict()).optional(),
      })
      .strict(),
  })
  .strict();

export const azureNetworkSchema: z.ZodType<AzureNetwork> = z
  .object({
    networkSecurityGroups: z.array(networkSecurityGroupSchema),
    routeTables: z.array(routeTableSchema),
    firewallPolicies: z.array(firewallPolicySchema),
    firewallPolicyRuleCollectionGroups: z.array(firewallPolicyRuleCollectionGroupSchema),
    azureFirewalls: z.array(azureFirewallSchema),
    ipGroups: z.array(ipGroupSchema),
    subnets: z.array(subnetSchema),
    unread: z.array(unknownSchema),
  })
  .strict();

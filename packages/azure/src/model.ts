/**
 * The typed model of the parts of an Azure network that decide the cluster's traffic. Names and shapes
 * follow the ARM resource properties (Microsoft.Network 2024-05-01), so a reader of the Azure docs
 * recognises every field. Readers may put `Unknown` in any scalar, and an `Unknown` element in any list
 * (it stands for the values the reader could not know: when a whole list is an expression, one element
 * stands for all of it). Planners produce `Known<...>` values: no `Unknown`, sometimes a `Parameter`.
 */
import type { Maybe, Parameter, Unknown } from "./unknown.js";

/** A list a reader fills: each element a value or an `Unknown`. */
export type MaybeList<T> = readonly Maybe<T>[];

/** An address in a rule: a CIDR, an IP, a range, a service tag, `*`, or a value given at deployment. */
export type AddressValue = string | Parameter;

/** A reference by resource id (ARM's SubResource). */
export interface SubResource {
  readonly id: Maybe<string>;
}

/** Resource tags. */
export type Tags = Maybe<Readonly<Record<string, Maybe<string>>>>;

/* ------------------------------------------------------------ network security group */

export const SECURITY_RULE_PROTOCOLS = ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"] as const;
export type SecurityRuleProtocol = (typeof SECURITY_RULE_PROTOCOLS)[number];
export const SECURITY_RULE_ACCESSES = ["Allow", "Deny"] as const;
export type SecurityRuleAccess = (typeof SECURITY_RULE_ACCESSES)[number];
export const SECURITY_RULE_DIRECTIONS = ["Inbound", "Outbound"] as const;
export type SecurityRuleDirection = (typeof SECURITY_RULE_DIRECTIONS)[number];

/**
 * ARM's SecurityRulePropertiesFormat. Addresses are prefixes, IPs, service tags, `VirtualNetwork`,
 * `Internet`, `*`; ports are `443`, `8000-8100` or `*`. Exactly one of the single and the list form of
 * each side is given in a valid rule.
 */
export interface SecurityRuleProperties {
  readonly description?: Maybe<string>;
  readonly priority: Maybe<number>;
  readonly direction: Maybe<SecurityRuleDirection>;
  readonly access: Maybe<SecurityRuleAccess>;
  readonly protocol: Maybe<SecurityRuleProtocol>;
  readonly sourceAddressPrefix?: Maybe<AddressValue>;
  readonly sourceAddressPrefixes?: MaybeList<AddressValue>;
  readonly sourceApplicationSecurityGroups?: MaybeList<SubResource>;
  readonly sourcePortRange?: Maybe<string>;
  readonly sourcePortRanges?: MaybeList<string>;
  readonly destinationAddressPrefix?: Maybe<AddressValue>;
  readonly destinationAddressPrefixes?: MaybeList<AddressValue>;
  readonly destinationApplicationSecurityGroups?: MaybeList<SubResource>;
  readonly destinationPortRange?: Maybe<string>;
  readonly destinationPortRanges?: MaybeList<string>;
}

export interface SecurityRule {
  readonly name: Maybe<string>;
  readonly properties: SecurityRuleProperties;
}


/** A network security group: its custom rules and Azure's six default rules, which every NSG has. */
export interface NetworkSecurityGroup {
  readonly name: Maybe<string>;
  readonly location?: Maybe<string>;
  readonly tags?: Tags;
  readonly properties: {
    readonly securityRules: MaybeList<SecurityRule>;
    /** Always Azure's six, as `defaultSecurityRules()` gives them (readers add them: no template holds them). */
    readonly defaultSecurityRules: readonly SecurityRule[];
  };
}


function defaultRule(name: string, direction: SecurityRuleDirection, priority: number, access: SecurityRuleAccess, source: string, destination: string, description: string): SecurityRule {
  return {
    name,
    properties: {
      description,
      protocol: "*",
      sourcePortRange: "*",
      destinationPortRange: "*",
      sourceAddressPrefix: source,
      destinationAddressPrefix: destination,
      access,
      priority,
      direction,
    },
  };
}

/**
 * Azure's default security rules, exactly as Azure returns them in `defaultSecurityRules` (Network
 * security groups overview, "Default security rules"; REST `NetworkSecurityGroups - Get`): after every
 * custom rule, they cannot be removed, only overridden by custom rules of lower priority numbers.
 */
export function defaultSecurityRules(): SecurityRule[] {
  return [
    defaultRule("AllowVnetInBound", "Inbound", 65000, "Allow", "VirtualNetwork", "VirtualNetwork", "Allow inbound traffic from all VMs in VNET"),
    defaultRule("AllowAzureLoadBalancerInBound", "Inbound", 65001, "Allow", "AzureLoadBalancer", "*", "Allow inbound traffic from azure load balancer"),
    defaultRule("DenyAllInBound", "Inbound", 65500, "Deny", "*", "*", "Deny all inbound traffic"),
    defaultRule("AllowVnetOutBound", "Outbound", 65000, "Allow", "VirtualNetwork", "VirtualNetwork", "Allow outbound traffic from all VMs to all VMs in VNET"),
    defaultRule("AllowInternetOutBound", "Outbound", 65001, "Allow", "*", "Internet", "Allow outbound traffic from all VMs to Internet"),
    defaultRule("DenyAllOutBound", "Outbound", 65500, "Deny", "*", "*", "Deny all outbound traffic"),
  ];
}

/* ------------------------------------------------------------------ route table */

export const NEXT_HOP_TYPES = ["VirtualNetworkGateway", "VnetLocal", "Internet", "VirtualAppliance", "None"] as const;
export type NextHopType = (typeof NEXT_HOP_TYPES)[number];

export interface Route {
  readonly name: Maybe<string>;
  readonly properties: {
    /** A CIDR, or a service tag (`Storage`, `Storage.EastUS`). */
    readonly addressPrefix: Maybe<string>;
    readonly nextHopType: Maybe<NextHopType>;
    /** Only with `VirtualAppliance`. */
    readonly nextHopIpAddress?: Maybe<string>;
  };
}


export interface RouteTable {
  readonly name: Maybe<string>;
  readonly location?: Maybe<string>;
  readonly tags?: Tags;
  readonly properties: {
    readonly disableBgpRoutePropagation?: Maybe<boolean>;
    readonly routes: MaybeList<Route>;
  };
}


/* --------------------------------------------------------------- firewall policy */

export const FIREWALL_POLICY_TIERS = ["Basic", "Standard", "Premium"] as const;
export type FirewallPolicyTier = (typeof FIREWALL_POLICY_TIERS)[number];
export const THREAT_INTEL_MODES = ["Alert", "Deny", "Off"] as const;
export type ThreatIntelMode = (typeof THREAT_INTEL_MODES)[number];
export const FIREWALL_IP_PROTOCOLS = ["TCP", "UDP", "Any", "ICMP"] as const;
export type FirewallIpProtocol = (typeof FIREWALL_IP_PROTOCOLS)[number];

export interface DnsSettings {
  readonly enableProxy?: Maybe<boolean>;
  readonly requireProxyForNetworkRules?: Maybe<boolean>;
  readonly servers?: MaybeList<string>;
}

/** Intrusion detection (IDPS) of a Premium policy: `Off`, `Alert`, or `Deny` (drop what a signature matches). */
export interface FirewallPolicyIntrusionDetection {
  readonly mode: Maybe<ThreatIntelMode>;
}

export interface FirewallPolicy {
  readonly name: Maybe<string>;
  readonly location?: Maybe<string>;
  readonly tags?: Tags;
  readonly properties: {
    readonly sku?: { readonly tier: Maybe<FirewallPolicyTier> };
    readonly threatIntelMode?: Maybe<ThreatIntelMode>;
    /** Premium only. */
    readonly intrusionDetection?: FirewallPolicyIntrusionDetection;
    /** `enableProxy` must be true (and `requireProxyForNetworkRules` not false) for FQDNs in network rules. */
    readonly dnsSettings?: DnsSettings;
    readonly basePolicy?: SubResource;
  };
}



/** Fields every firewall policy rule has. */
interface FirewallPolicyRuleBase {
  readonly name: Maybe<string>;
  readonly description?: Maybe<string>;
  readonly sourceAddresses?: MaybeList<AddressValue>;
  /** IP group resource ids. */
  readonly sourceIpGroups?: MaybeList<string>;
}

export interface ApplicationRuleProtocol {
  readonly protocolType: Maybe<"Http" | "Https">;
  readonly port: Maybe<number>;
}

export interface ApplicationRule extends FirewallPolicyRuleBase {
  readonly ruleType: "ApplicationRule";
  readonly protocols?: MaybeList<ApplicationRuleProtocol>;
  /** Host names; `*` only as the whole left-most label. */
  readonly targetFqdns?: MaybeList<string>;
  readonly fqdnTags?: MaybeList<string>;
  readonly targetUrls?: MaybeList<string>;
  readonly webCategories?: MaybeList<string>;
  readonly destinationAddresses?: MaybeList<AddressValue>;
  readonly terminateTLS?: Maybe<boolean>;
}

export interface NetworkRule extends FirewallPolicyRuleBase {
  readonly ruleType: "NetworkRule";
  readonly ipProtocols?: MaybeList<FirewallIpProtocol>;
  /** CIDRs, IPs, ranges, service tags, `*`. */
  readonly destinationAddresses?: MaybeList<AddressValue>;
  readonly destinationIpGroups?: MaybeList<string>;
  /** Host names; only with the policy's DNS proxy. */
  readonly destinationFqdns?: MaybeList<string>;
  readonly destinationPorts?: MaybeList<string>;
}

export interface NatRule extends FirewallPolicyRuleBase {
  readonly ruleType: "NatRule";
  readonly ipProtocols?: MaybeList<FirewallIpProtocol>;
  readonly destinationAddresses?: MaybeList<AddressValue>;
  readonly destinationPorts?: MaybeList<string>;
  readonly translatedAddress?: Maybe<string>;
  readonly translatedFqdn?: Maybe<string>;
  readonly translatedPort?: Maybe<string>;
}

export type FirewallPolicyRule = ApplicationRule | NetworkRule | NatRule;

export interface FirewallPolicyFilterRuleCollection {
  readonly ruleCollectionType: "FirewallPolicyFilterRuleCollection";
  readonly name: Maybe<string>;
  /** 100-65000, unique in the group. */
  readonly priority: Maybe<number>;
  readonly action: { readonly type: Maybe<"Allow" | "Deny"> };
  readonly rules: MaybeList<FirewallPolicyRule>;
}

export interface FirewallPolicyNatRuleCollection {
  readonly ruleCollectionType: "FirewallPolicyNatRuleCollection";
  readonly name: Maybe<string>;
  readonly priority: Maybe<number>;
  readonly action: { readonly type: Maybe<"DNAT"> };
  readonly rules: MaybeList<FirewallPolicyRule>;
}

export type FirewallPolicyRuleCollection = FirewallPolicyFilterRuleCollection | FirewallPolicyNatRuleCollection;

/** A rule collection group: ARM's child resource `<policy>/<group>` of `Microsoft.Network/firewallPolicies`. */
export interface FirewallPolicyRuleCollectionGroup {
  /** The parent policy's name; the policy may be outside the input (an existing policy). */
  readonly firewallPolicyName: Maybe<string>;
  readonly name: Maybe<string>;
  readonly properties: {
    /** 100-65000: groups are processed by priority, network rules before application rules. */
    readonly priority: Maybe<number>;
    readonly ruleCollections: MaybeList<FirewallPolicyRuleCollection>;
  };
}




/* ------------------------------------------------------- classic Azure Firewall */

export interface AzureFirewallApplicationRule {
  readonly name: Maybe<string>;
  readonly description?: Maybe<string>;
  readonly sourceAddresses?: MaybeList<AddressValue>;
  readonly sourceIpGroups?: MaybeList<string>;
  readonly protocols?: MaybeList<{ readonly protocolType: Maybe<"Http" | "Https" | "Mssql">; readonly port?: Maybe<number> }>;
  readonly targetFqdns?: MaybeList<string>;
  readonly fqdnTags?: MaybeList<string>;
}

export interface AzureFirewallNetworkRule {
  readonly name: Maybe<string>;
  readonly description?: Maybe<string>;
  readonly protocols?: MaybeList<FirewallIpProtocol>;
  readonly sourceAddresses?: MaybeList<AddressValue>;
  readonly sourceIpGroups?: MaybeList<string>;
  readonly destinationAddresses?: MaybeList<AddressValue>;
  readonly destinationIpGroups?: MaybeList<string>;
  readonly destinationFqdns?: MaybeList<string>;
  readonly destinationPorts?: MaybeList<string>;
}

export interface AzureFirewallNatRule {
  readonly name: Maybe<string>;
  readonly description?: Maybe<string>;
  readonly protocols?: MaybeList<FirewallIpProtocol>;
  readonly sourceAddresses?: MaybeList<AddressValue>;
  readonly sourceIpGroups?: MaybeList<string>;
  readonly destinationAddresses?: MaybeList<AddressValue>;
  readonly destinationPorts?: MaybeList<string>;
  readonly translatedAddress?: Maybe<string>;
  readonly translatedPort?: Maybe<string>;
  readonly translatedFqdn?: Maybe<string>;
}

interface AzureFirewallRuleCollection<Action, Rule> {
  readonly name: Maybe<string>;
  readonly properties: {
    readonly priority: Maybe<number>;
    readonly action: { readonly type: Maybe<Action> };
    readonly rules: MaybeList<Rule>;
  };
}

export type AzureFirewallApplicationRuleCollection = AzureFirewallRuleCollection<"Allow" | "Deny", AzureFirewallApplicationRule>;
export type AzureFirewallNetworkRuleCollection = AzureFirewallRuleCollection<"Allow" | "Deny", AzureFirewallNetworkRule>;
export type AzureFirewallNatRuleCollection = AzureFirewallRuleCollection<"Snat" | "Dnat", AzureFirewallNatRule>;

/** Classic rules of `Microsoft.Network/azureFirewalls` (a firewall with a policy takes its rules from the policy). */
export interface AzureFirewall {
  readonly name: Maybe<string>;
  readonly location?: Maybe<string>;
  readonly tags?: Tags;
  readonly properties: {
    readonly sku?: { readonly name?: Maybe<"AZFW_VNet" | "AZFW_Hub">; readonly tier?: Maybe<FirewallPolicyTier> };
    readonly threatIntelMode?: Maybe<ThreatIntelMode>;
    readonly firewallPolicy?: SubResource;
    readonly applicationRuleCollections: MaybeList<AzureFirewallApplicationRuleCollection>;
    readonly networkRuleCollections: MaybeList<AzureFirewallNetworkRuleCollection>;
    readonly natRuleCollections: MaybeList<AzureFirewallNatRuleCollection>;
  };
}



/* ------------------------------------------------------------- IP groups, subnet */

export interface IpGroup {
  readonly name: Maybe<string>;
  readonly location?: Maybe<string>;
  readonly tags?: Tags;
  readonly properties: { readonly ipAddresses: MaybeList<string> };
}


export interface ServiceEndpoint {
  readonly service: Maybe<string>;
  readonly locations?: MaybeList<string>;
}

export interface Delegation {
  readonly name: Maybe<string>;
  readonly properties: { readonly serviceName: Maybe<string> };
}

/** A subnet (`Microsoft.Network/virtualNetworks/subnets`, or inline in its virtual network). */
export interface Subnet {
  /** The virtual network it belongs to. */
  readonly virtualNetworkName: Maybe<string>;
  readonly name: Maybe<string>;
  readonly properties: {
    readonly addressPrefix?: Maybe<string>;
    readonly addressPrefixes?: MaybeList<string>;
    readonly networkSecurityGroup?: SubResource;
    readonly routeTable?: SubResource;
    readonly natGateway?: SubResource;
    /** false: no default outbound access to the Internet (a private subnet). */
    readonly defaultOutboundAccess?: Maybe<boolean>;
    readonly serviceEndpoints?: MaybeList<ServiceEndpoint>;
    readonly delegations?: MaybeList<Delegation>;
  };
}


/* ------------------------------------------------------------------- container */

/** Everything one input holds, by kind: what readers fill and the evaluator walks. */
export interface AzureNetwork {
  readonly networkSecurityGroups: readonly NetworkSecurityGroup[];
  readonly routeTables: readonly RouteTable[];
  readonly firewallPolicies: readonly FirewallPolicy[];
  readonly firewallPolicyRuleCollectionGroups: readonly FirewallPolicyRuleCollectionGroup[];
  readonly azureFirewalls: readonly AzureFirewall[];
  readonly ipGroups: readonly IpGroup[];
  readonly subnets: readonly Subnet[];
  /** Resources of a network type the reader could not read (a `copy` loop, a type given by an expression). */
  readonly unread: readonly Unknown[];
}


/** A network with nothing in it, to fill. */
export function emptyNetwork(): AzureNetwork {
  return { networkSecurityGroups: [], routeTables: [], firewallPolicies: [], firewallPolicyRuleCollectionGroups: [], azureFirewalls: [], ipGroups: [], subnets: [], unread: [] };
}

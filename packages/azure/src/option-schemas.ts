/**
 * The options of the Azure artifacts (NSG, firewall policy, route table), declared for `defineOptions`:
 * the same keys, defaults and bounds `settleNsgOptions`, `settleFirewallPolicyOptions` and
 * `settleRouteTableOptions` check, with a description each. Every renderer of the same plan (ARM,
 * Terraform) declares its options from these; the emitter contract suite checks both agree.
 */
import { booleanOption, choiceOption, integerOption, stringOption } from "@cassandra-mi-netrules/core/options";
import { AZURE_NAME_PATTERN, AZURE_NAME_RULE, FIREWALL_LIMITS, NSG_LIMITS } from "./names.js";

const THREAT_MODES = ["Deny", "Alert", "Off"] as const;

/** NsgOptions. */
export function nsgOptionShape() {
  return {
    nsgName: stringOption("Name of the network security group", AZURE_NAME_PATTERN, AZURE_NAME_RULE, "nsg-cassandra-mi"),
    regionalTags: booleanOption("Write regional service tags (Storage.EastUS) where every region has one the target can use", false),
    internalScope: choiceOption(["subnet", "vnet"], "Where the internal ports are allowed: the cluster subnet (the default when a subnet is given) or VirtualNetwork"),
    denyInternetOutbound: booleanOption(
      "A final rule (priority 4096) that denies every other outbound flow to Internet, overriding Azure's default AllowInternetOutBound; false leaves Internet egress open",
      true,
    ),
    hostNamesViaFirewall: booleanOption("Allow the requirements an NSG can only name by host name to Internet on their ports, for a firewall the subnet routes through to narrow by name", false),
    priorityStart: integerOption("First rule priority of each direction", { min: NSG_LIMITS.minPriority, max: NSG_LIMITS.maxPriority }, NSG_LIMITS.minPriority),
    priorityStep: integerOption("Gap between two priorities", { min: 1 }, 10),
  };
}

/** FirewallPolicyOptions. */
export function firewallPolicyOptionShape() {
  return {
    policy: choiceOption(["create", "existing"], "create: the policy and the rule collection group; existing: only the group, for a policy that exists", "create"),
    policyName: stringOption("Name of the policy (created, or existing)", AZURE_NAME_PATTERN, AZURE_NAME_RULE, "fwp-cassandra-mi"),
    ruleCollectionGroupName: stringOption("Name of the rule collection group", AZURE_NAME_PATTERN, AZURE_NAME_RULE, "cassandra-mi"),
    groupPriority: integerOption("Rule collection group priority", { min: FIREWALL_LIMITS.minPriority, max: FIREWALL_LIMITS.maxPriority }, 500),
    tier: choiceOption(["Standard", "Premium"], "Policy tier when the policy is created", "Standard"),
    regionalTags: booleanOption("Write regional service tags (Storage.EastUS) where every region has one the target can use", false),
    fqdnNetworkRules: booleanOption("Put non-wildcard FQDNs in network rules (any TCP port) instead of application rules; turns the policy's DNS proxy on", false),
    threatIntelMode: choiceOption(THREAT_MODES, "Threat intelligence mode of a created policy: Deny drops traffic to and from known-malicious addresses and domains, Alert only logs it", "Deny"),
    intrusionDetection: choiceOption(THREAT_MODES, "Intrusion detection (IDPS) mode of a created Premium policy (default Deny with Premium)"),
  };
}

/** RouteTableOptions. */
export function routeTableOptionShape() {
  return {
    routeTable: choiceOption(["create", "existing"], "create: the route table with its routes; existing: only the routes, for a table that exists", "create"),
    routeTableName: stringOption("Name of the route table", AZURE_NAME_PATTERN, AZURE_NAME_RULE, "rt-cassandra-mi"),
    mode: choiceOption(["service-tags", "sample-prefixes"], "service-tags: a route per service tag and prefix of the requirements; sample-prefixes: the page's sample script's prefix list, exactly", "service-tags"),
    regionalTags: booleanOption("Write regional service tags (Storage.EastUS) where every region has one the target can use", false),
    disableBgpRoutePropagation: booleanOption("The table's disableBgpRoutePropagation when it is created", false),
  };
}

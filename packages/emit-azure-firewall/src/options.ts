/** The options of the Azure Firewall Policy emitter, declared: the CLI's flags, `-O azure-firewall.key=value`, the config file and the docs come from here. */
import { AZURE_NAME_PATTERN, AZURE_NAME_RULE, FIREWALL_LIMITS } from "@cassandra-mi-netrules/azure";
import { booleanOption, choiceOption, defineOptions, integerOption, stringOption } from "@cassandra-mi-netrules/core/options";

export const firewallPolicyOptions = defineOptions(
  "azure-firewall",
  {
    policy: choiceOption(["create", "existing"], "create: the template creates the policy and the group; existing: only the group, attached to a policy by name", "create"),
    policyName: stringOption("Default value of the firewallPolicyName parameter", AZURE_NAME_PATTERN, AZURE_NAME_RULE, "fwp-cassandra-mi"),
    ruleCollectionGroupName: stringOption("Default value of the ruleCollectionGroupName parameter", AZURE_NAME_PATTERN, AZURE_NAME_RULE, "cassandra-mi"),
    groupPriority: integerOption("Rule collection group priority", { min: FIREWALL_LIMITS.minPriority, max: FIREWALL_LIMITS.maxPriority }, 500),
    tier: choiceOption(["Standard", "Premium"], "Policy tier when the policy is created", "Standard"),
    regionalTags: booleanOption("Write regional service tags (Storage.EastUS) where every region has one the target can use", false),
    fqdnNetworkRules: booleanOption("Put non-wildcard FQDNs in network rules (any TCP port) instead of application rules; turns the policy's DNS proxy on", false),
  },
  {
    groupPriority: { flag: { name: "firewall-priority", value: "n" } },
    regionalTags: { flag: { name: "regional-tags" } },
  },
);

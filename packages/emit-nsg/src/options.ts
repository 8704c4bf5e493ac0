/** The options of the NSG emitter, declared: the CLI's flags, `-O nsg.key=value`, the config file and the docs come from here. */
import { AZURE_NAME_PATTERN, AZURE_NAME_RULE, NSG_LIMITS } from "@cassandra-mi-netrules/azure";
import { booleanOption, choiceOption, defineOptions, integerOption, stringOption } from "@cassandra-mi-netrules/core/options";

export const nsgOptions = defineOptions(
  "nsg",
  {
    nsgName: stringOption("Default value of the template's nsgName parameter", AZURE_NAME_PATTERN, AZURE_NAME_RULE, "nsg-cassandra-mi"),
    regionalTags: booleanOption("Write regional service tags (Storage.EastUS) where every region has one the target can use", false),
    internalScope: choiceOption(["subnet", "vnet"], "Where the internal ports are allowed: the cluster subnet (the default when a subnet is given) or VirtualNetwork"),
    denyInternetOutbound: booleanOption("Add a final rule that denies all other outbound traffic to Internet", false),
    priorityStart: integerOption("First rule priority of each direction", { min: NSG_LIMITS.minPriority, max: NSG_LIMITS.maxPriority }, NSG_LIMITS.minPriority),
    priorityStep: integerOption("Gap between two priorities", { min: 1 }, 10),
  },
  {
    regionalTags: { flag: { name: "regional-tags" } },
    priorityStart: { flag: { name: "nsg-priority-start", value: "n" } },
  },
);

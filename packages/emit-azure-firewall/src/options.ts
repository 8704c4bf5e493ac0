/** The options of the Azure Firewall Policy emitter, declared: the CLI's flags, `-O azure-firewall.key=value`, the config file and the docs come from here. */
import { firewallPolicyOptionShape } from "@cassandra-mi-netrules/azure/schema";
import { defineOptions } from "@cassandra-mi-netrules/core/options";

export const firewallPolicyOptions = defineOptions("azure-firewall", firewallPolicyOptionShape(), {
  groupPriority: { flag: { name: "firewall-priority", value: "n" } },
  regionalTags: { flag: { name: "regional-tags" } },
});

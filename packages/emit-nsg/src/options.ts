/** The options of the NSG emitter, declared: the CLI's flags, `-O nsg.key=value`, the config file and the docs come from here. */
import { nsgOptionShape } from "@cassandra-mi-netrules/azure/schema";
import { defineOptions } from "@cassandra-mi-netrules/core/options";

export const nsgOptions = defineOptions("nsg", nsgOptionShape(), {
  regionalTags: { flag: { name: "regional-tags" } },
  hostNamesViaFirewall: { flag: { name: "host-names-via-firewall" } },
  priorityStart: { flag: { name: "nsg-priority-start", value: "n" } },
});

/** The options of the route-table emitter, declared: the CLI's flags, `-O route-table.key=value`, the config file and the docs come from here. */
import { routeTableOptionShape } from "@cassandra-mi-netrules/azure/schema";
import { choiceOption, defineOptions } from "@cassandra-mi-netrules/core/options";

export const routeTableOptions = defineOptions(
  "route-table",
  { ...routeTableOptionShape(), form: choiceOption(["both", "arm", "az"], "Which files: both, arm (route-table.json) or az (route-table.sh)", "both") },
  { regionalTags: { flag: { name: "regional-tags" } } },
);

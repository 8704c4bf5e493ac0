/** The options of the route-table emitter, declared: the CLI's flags, `-O route-table.key=value`, the config file and the docs come from here. */
import { AZURE_NAME_PATTERN, AZURE_NAME_RULE } from "@cassandra-mi-netrules/azure";
import { booleanOption, choiceOption, defineOptions, stringOption } from "@cassandra-mi-netrules/core/options";

export const routeTableOptions = defineOptions(
  "route-table",
  {
    routeTable: choiceOption(["create", "existing"], "create: the template creates the route table with its routes; existing: only the routes, for a table by name", "create"),
    routeTableName: stringOption("Default value of the routeTableName parameter (and of the script's ROUTE_TABLE)", AZURE_NAME_PATTERN, AZURE_NAME_RULE, "rt-cassandra-mi"),
    mode: choiceOption(["service-tags", "sample-prefixes"], "service-tags: a route per service tag and prefix of the requirements; sample-prefixes: the page's sample script's prefix list, exactly", "service-tags"),
    regionalTags: booleanOption("Write regional service tags (Storage.EastUS) where every region has one the target can use", false),
    disableBgpRoutePropagation: booleanOption("The table's disableBgpRoutePropagation when it is created", false),
    form: choiceOption(["both", "arm", "az"], "Which files: both, arm (route-table.json) or az (route-table.sh)", "both"),
  },
  { regionalTags: { flag: { name: "regional-tags" } } },
);

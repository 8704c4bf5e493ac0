/**
 * The options of the Terraform emitter, declared: the CLI's flags, `-O terraform.key=value`, the config file
 * and the docs come from here. Each layer takes the options of its ARM target, declared by the same shapes.
 */
import { firewallPolicyOptionShape, nsgOptionShape, routeTableOptionShape } from "@cassandra-mi-netrules/azure/schema";
import { booleanOption, defineOptions, z, type FlagValue, type OptionShape } from "@cassandra-mi-netrules/core/options";
import { LAYERS } from "./coverage.js";

const LAYER_RULE = `must be a non-empty list of ${LAYERS.map((l) => `"${l}"`).join(", ")}`;

/** A layer's options: the keys of its ARM target, none required, no defaults filled (the emitter settles them). */
function layerOptions(shape: OptionShape, description: string) {
  const keys = Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, (s instanceof z.ZodDefault ? (s.unwrap() as z.ZodType) : s).optional()]));
  return z.strictObject(keys, { error: "must be an object of that layer's options" }).optional().describe(description);
}

/** `--nsg-priority-start 200` is `{ nsg: { priorityStart: 200 } }` here. */
const nested =
  (key: string) =>
  (given: FlagValue): unknown => ({ [key]: given });

export const terraformOptions = defineOptions(
  "terraform",
  {
    layers: z
      .array(z.enum(LAYERS, { error: LAYER_RULE }), { error: LAYER_RULE })
      .min(1, { error: LAYER_RULE })
      .optional()
      .describe('The layers the file holds: nsg, azure-firewall, route-table (route-table without azure-firewall); default ["nsg", "azure-firewall"]'),
    regionalTags: booleanOption("Write regional service tags (Storage.EastUS) where every region has one the target can use", false),
    nsg: layerOptions(nsgOptionShape(), "The NSG's options, as the nsg target takes them; with the firewall layer, hostNamesViaFirewall defaults to true"),
    azureFirewall: layerOptions(firewallPolicyOptionShape(), "The firewall policy's options, as the azure-firewall target takes them (existing: the policy by var.firewall_policy_id)"),
    routeTable: layerOptions(routeTableOptionShape(), "The route table's options, as the route-table target takes them (without form)"),
  },
  {
    regionalTags: { flag: { name: "regional-tags" } },
    nsg: { flag: { name: "nsg-priority-start", value: "n", kind: "integer", toOption: nested("priorityStart") } },
    azureFirewall: { flag: { name: "firewall-priority", value: "n", kind: "integer", toOption: nested("groupPriority") } },
  },
);

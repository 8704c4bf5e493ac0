/** renderRouteTableTemplate: a route table, or only its routes for an existing table, as an ARM template. */
import type { Route, RouteTable } from "../model.js";
import type { Known } from "../unknown.js";
import { armStringLiteral, escapeArmString } from "./arm-strings.js";
import { ArmValues, defined, locationParameter, NETWORK_API_VERSION, stringParameter, templateText, type ArmRenderOptions, type Json, type JsonObject } from "./arm-template.js";

export interface RouteTableRenderOptions extends ArmRenderOptions {
  /** Only the routes, as child resources of an existing route table named by the `routeTableName` parameter. */
  readonly routesOnly: boolean;
}

function routeProperties(route: Known<Route>, values: ArmValues): JsonObject {
  const p = route.properties;
  return defined({ addressPrefix: values.text(p.addressPrefix), nextHopType: p.nextHopType, nextHopIpAddress: values.optionalText(p.nextHopIpAddress) });
}

/** One `routeTables/routes` resource per route, each after the previous one: writes to one table in parallel conflict. */
function routeResources(routes: readonly Known<Route>[], values: ArmValues): Json[] {
  const id = (name: string) => `[resourceId('Microsoft.Network/routeTables/routes', parameters('routeTableName'), ${armStringLiteral(name)})]`;
  return routes.map((r, i) =>
    defined({
      type: "Microsoft.Network/routeTables/routes",
      apiVersion: NETWORK_API_VERSION,
      name: `[format('{0}/{1}', parameters('routeTableName'), ${armStringLiteral(r.name)})]`,
      dependsOn: i > 0 ? [id((routes[i - 1] as Known<Route>).name)] : undefined,
      properties: routeProperties(r, values),
    }),
  );
}

/**
 * The route table as an ARM template (deploymentTemplate 2019-04-01, Microsoft.Network 2024-05-01):
 * parameters `routeTableName` and `location` (with the table), the routes inline, output `routeTableId`;
 * with `routesOnly`, one route resource per route for the existing table, deployed one after another.
 */
export function renderRouteTableTemplate(table: Known<RouteTable>, options: RouteTableRenderOptions): string {
  const values = new ArmValues();
  const routes = table.properties.routes;
  const resources: Json[] = options.routesOnly
    ? routeResources(routes, values)
    : [
        defined({
          type: "Microsoft.Network/routeTables",
          apiVersion: NETWORK_API_VERSION,
          name: "[parameters('routeTableName')]",
          location: "[parameters('location')]",
          tags: values.tags(table.tags),
          properties: defined({
            disableBgpRoutePropagation: table.properties.disableBgpRoutePropagation,
            routes: routes.map((r) => ({ name: values.text(r.name), properties: routeProperties(r, values) })),
          }),
        }),
      ];
  const parameters: JsonObject = {
    routeTableName: stringParameter(escapeArmString(table.name), options.routesOnly ? "Name of the existing route table that receives the routes." : "Name of the route table."),
  };
  if (!options.routesOnly) parameters.location = locationParameter(table.location, "Azure region of the route table.");
  return templateText({
    metadata: options.metadata,
    parameters: { ...parameters, ...values.parameters() },
    resources,
    outputs: { routeTableId: { type: "string", value: "[resourceId('Microsoft.Network/routeTables', parameters('routeTableName'))]" } },
  });
}

/** renderRouteTableAzScript: the route table as an idempotent Bash script of `az` commands. */
import type { Route, RouteTable } from "../model.js";
import { isParameter, type Known, type Parameter } from "../unknown.js";

/** A word for Bash, single-quoted: nothing in it is expanded. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface RouteTableScriptOptions {
  /** Comment lines for the top of the script (without `#`): what made it and what it does. */
  readonly header: readonly string[];
  /** Only the routes, into an existing route table; else the table is created when it does not exist. */
  readonly routesOnly: boolean;
}

/** A value as a shell word: a literal quoted, a `Parameter` as the environment variable of its name. */
function word(value: string | Parameter): string {
  return isParameter(value) ? `"\${${value.name}:?set ${value.name}}"` : shellQuote(value);
}

function routeCall(route: Known<Route>): string {
  const p = route.properties;
  const hop = [`--next-hop-type ${shellQuote(p.nextHopType)}`, ...(p.nextHopIpAddress !== undefined ? [`--next-hop-ip-address ${word(p.nextHopIpAddress)}`] : [])];
  return `put_route ${shellQuote(route.name)} ${word(p.addressPrefix)} ${hop.join(" ")}`;
}

function tableSteps(table: Known<RouteTable>, routesOnly: boolean): string[] {
  if (routesOnly) {
    return [
      "# The route table must exist already; this fails (and stops the script) when it does not.",
      'az network route-table show --resource-group "$resource_group" --name "$route_table" --output none',
    ];
  }
  const bgp = shellQuote(String(table.properties.disableBgpRoutePropagation ?? false));
  return [
    "# Creates the route table when it does not exist, in LOCATION (default: the resource group's region).",
    'if az network route-table show --resource-group "$resource_group" --name "$route_table" --output none 2>/dev/null; then',
    `  az network route-table update --resource-group "$resource_group" --name "$route_table" --disable-bgp-route-propagation ${bgp} --output none`,
    "else",
    "  location_args=()",
    '  if [[ -n "${LOCATION:-}" ]]; then location_args=(--location "$LOCATION"); fi',
    `  az network route-table create --resource-group "$resource_group" --name "$route_table" "\${location_args[@]}" --disable-bgp-route-propagation ${bgp} --output none`,
    "fi",
  ];
}

/**
 * A Bash script (`set -euo pipefail`, every value quoted) that puts each route of the table with
 * `az network route-table route create`, or `update` when the route exists, so running it again changes
 * nothing. RESOURCE_GROUP is required; ROUTE_TABLE defaults to the table's name. Routes it did not write
 * are left as they are.
 */
export function renderRouteTableAzScript(table: Known<RouteTable>, options: RouteTableScriptOptions): string {
  const lines = [
    "#!/usr/bin/env bash",
    ...options.header.map((h) => `# ${h}`.trimEnd()),
    "#",
    `# Usage: RESOURCE_GROUP=<group> [ROUTE_TABLE=<name>]${options.routesOnly ? "" : " [LOCATION=<region>]"} bash route-table.sh`,
    "set -euo pipefail",
    "",
    'resource_group="${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the route table}"',
    `default_route_table=${shellQuote(table.name)}`,
    'route_table="${ROUTE_TABLE:-$default_route_table}"',
    "",
    ...tableSteps(table, options.routesOnly),
    "",
    "# Creates the route, or updates it when it exists: running the script again changes nothing.",
    "put_route() {",
    '  local name="$1" prefix="$2"',
    "  shift 2",
    '  if az network route-table route show --resource-group "$resource_group" --route-table-name "$route_table" --name "$name" --output none 2>/dev/null; then',
    '    az network route-table route update --resource-group "$resource_group" --route-table-name "$route_table" --name "$name" --address-prefix "$prefix" "$@" --output none',
    "  else",
    '    az network route-table route create --resource-group "$resource_group" --route-table-name "$route_table" --name "$name" --address-prefix "$prefix" "$@" --output none',
    "  fi",
    "}",
    "",
    ...table.properties.routes.map(routeCall),
    "",
  ];
  return lines.join("\n");
}

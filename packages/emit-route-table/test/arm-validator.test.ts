import { readFileSync } from "node:fs";
import { mutationTests, type ArmMutation } from "@cassandra-mi-netrules/testkit/arm-emitter";
import { describe } from "vitest";

/** The validator itself is tested on route tables: each mutation of a golden file must fail, naming the resource and the field. */

type Route = { name: string; properties: Record<string, unknown> };
type Doc = {
  parameters: Record<string, { defaultValue?: unknown }>;
  resources: Array<{ type: string; name: string; properties: { routes: Route[] } & Record<string, unknown> }>;
};
const goldenText = readFileSync(new URL("./__golden__/eastus.route-table.json", import.meta.url), "utf8");
const existingText = readFileSync(new URL("./__golden__/eastus-existing-table.route-table.json", import.meta.url), "utf8");
const routes = (d: Doc) => (d.resources[0] as Doc["resources"][number]).properties.routes;
const route = (d: Doc, i: number) => (routes(d)[i] as Route).properties;
const TABLE = /^resources\[0\] Microsoft\.Network\/routeTables '\[parameters\('routeTableName'\)\]'/;

const mutations: Array<ArmMutation<Doc>> = [
  { name: "next hop type unknown", mutate: (d) => (route(d, 0).nextHopType = "Firewall"), field: /\/properties\/routes\/0\/properties\/nextHopType must be equal to one of the allowed values/ },
  { name: "next hop IP with Internet", mutate: (d) => (route(d, 0).nextHopIpAddress = "10.0.0.4"), resource: TABLE, field: /routes\/0 'cassandra-storage': \/properties\/nextHopIpAddress is only allowed with the next hop type VirtualAppliance/ },
  { name: "VirtualAppliance without its IP", mutate: (d) => (route(d, 0).nextHopType = "VirtualAppliance"), resource: TABLE, field: /routes\/0 'cassandra-storage': \/properties\/nextHopIpAddress: a VirtualAppliance route needs the appliance's IP address/ },
  { name: "unknown service tag", mutate: (d) => (route(d, 0).addressPrefix = "Storage.Nowhere"), resource: TABLE, field: /\/properties\/addressPrefix service tag "Storage.Nowhere" is not in the service-tags file/ },
  { name: "tag whose networkFeatures lack UDR", mutate: (d) => (route(d, 0).addressPrefix = "AzureMonitor.EastUS"), resource: TABLE, field: /\/properties\/addressPrefix service tag "AzureMonitor.EastUS" does not list UDR in its networkFeatures/ },
  { name: "invalid CIDR", mutate: (d) => (route(d, 9).addressPrefix = "104.40.0.300/13"), resource: TABLE, field: /routes\/9 .*\/properties\/addressPrefix "104.40.0.300\/13" is not a valid CIDR prefix/ },
  { name: "address prefix missing", mutate: (d) => delete route(d, 9).addressPrefix, resource: TABLE, field: /routes\/9 .*\/properties\/addressPrefix is missing or not a string/ },
  { name: "the same prefix twice", mutate: (d) => (route(d, 10).addressPrefix = route(d, 9).addressPrefix), resource: TABLE, field: /routes\/10 .*\/properties\/addressPrefix "104.40.0.0\/13" is also the prefix of .*one route per prefix/ },
  { name: "the same name twice", mutate: (d) => ((routes(d)[1] as Route).name = (routes(d)[0] as Route).name), resource: TABLE, field: /routes\/1 'cassandra-storage': \/name "cassandra-storage" is also the name of/ },
  { name: "route name ending in a dot", mutate: (d) => ((routes(d)[1] as Route).name = "route."), resource: TABLE, field: /\/name "route\." must have 1-80/ },
  { name: "route table name with a space", mutate: (d) => ((d.parameters.routeTableName as { defaultValue: unknown }).defaultValue = "rt cassandra"), resource: TABLE, field: /\/name "rt cassandra" must have 1-80/ },
  { name: "unescaped [ in an address prefix", mutate: (d) => (route(d, 0).addressPrefix = "[Storage]"), resource: TABLE, field: /\/properties\/routes\/0\/properties\/addressPrefix: "\[Storage\]" starts with '\[' \(an ARM expression\) where the template holds data/ },
  {
    name: "more than 400 routes",
    mutate: (d) => {
      const list = routes(d);
      for (let i = 0; list.length < 401; i++) list.push({ name: `extra-${i}`, properties: { addressPrefix: `10.${i >> 8}.${i & 255}.0/24`, nextHopType: "Internet" } });
    },
    resource: TABLE,
    field: /\/properties\/routes: the route table holds 401 routes; Azure allows at most 400/,
  },
  {
    name: "more than 25 routes with a service tag",
    mutate: (d) => {
      const list = routes(d);
      const regional = ["EastUS", "EastUS2", "WestUS", "WestUS2", "WestUS3", "CentralUS", "NorthCentralUS", "SouthCentralUS", "WestCentralUS", "CanadaCentral", "CanadaEast", "BrazilSouth", "NorthEurope", "WestEurope", "UKSouth", "UKWest", "FranceCentral"];
      for (const r of regional) list.push({ name: `storage-${r.toLowerCase()}`, properties: { addressPrefix: `Storage.${r}`, nextHopType: "Internet" } });
    },
    resource: TABLE,
    field: /\/properties\/routes: 26 routes have a service tag as address prefix; Azure allows at most 25 per route table/,
  },
];

describe("ARM validator on mutated route-table golden files", () => {
  mutationTests(goldenText, mutations);
});

type Child = { type: string; name: string; properties: Record<string, unknown> };
describe("ARM validator on the routes-only golden file (routeTables/routes resources)", () => {
  mutationTests<{ resources: Child[] }>(existingText, [
    { name: "a child named without its table", mutate: (d) => ((d.resources[1] as Child).name = "cassandra-azurekeyvault"), field: /resources\[1\] Microsoft\.Network\/routeTables\/routes 'cassandra-azurekeyvault': \/name "cassandra-azurekeyvault" must be "<route table>\/<route>"/ },
    { name: "the same prefix in two route resources", mutate: (d) => ((d.resources[1] as Child).properties.addressPrefix = "Storage"), field: /resources\[1\] Microsoft\.Network\/routeTables\/routes .*\/properties\/addressPrefix "Storage" is also the prefix of resources\[0\]/ },
  ]);
});

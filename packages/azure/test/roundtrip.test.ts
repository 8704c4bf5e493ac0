/**
 * Render, then read back with the ARM reader: the model read equals the plan, for the NSG, the firewall
 * policy and the route table, over every region x revision x option set the ARM emitters use. What the
 * template leaves to the deployment is an Unknown naming the field (the location), or a parameter value the
 * test gives (the cluster subnet, when the rules have none).
 */
import {
  CLUSTER_SUBNET_PARAMETER,
  defaultSecurityRules,
  isUnknown,
  planFirewallPolicy,
  planNsg,
  planRouteTable,
  readArmTemplate,
  renderFirewallPolicyTemplate,
  renderNsgTemplate,
  renderRouteTableTemplate,
  unknownsIn,
  type AzureNetwork,
  type FirewallPolicyPlanOptions,
  type NsgPlanOptions,
  type RouteTablePlanOptions,
} from "@cassandra-mi-netrules/azure";
import { getUdrAdvice, regions, resolveRules, revisions, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { describe, expect, it } from "vitest";

const tags = { generator: "test", "dataset-revision": "x", "data-sha256": "y" };
const DEPLOY_SUBNET = "192.0.2.0/24";

/** Every (revision, region, subnet) the matrix covers. */
function* inputs(): Generator<ResolvedRules> {
  for (const rev of revisions) for (const region of regions) for (const subnet of ["10.9.0.0/24", undefined]) yield resolveRules({ revision: rev.id, regions: [region.name], ...(subnet ? { subnet } : {}) });
}

/** The location the renderers leave to the deployment is read as an Unknown naming the field and resourceGroup(). */
function expectDeploymentLocation(network: AzureNetwork, kind: "networkSecurityGroups" | "routeTables" | "firewallPolicies"): void {
  const location = network[kind][0]?.location;
  expect(isUnknown(location) && location).toMatchObject({ path: "resources[0].location", reason: "resourceGroup() depends on the deployment" });
}

describe("round trip: plan -> ARM -> readArmTemplate", () => {
  it("NSG: the read NSG is the plan (Azure's default rules included), for every input and option set", () => {
    const sets: Array<Omit<NsgPlanOptions, "internalScope">> = [
      { nsgName: "nsg-a", regionalTags: false, denyInternetOutbound: false, hostNamesViaFirewall: false, priorityStart: 100, priorityStep: 10, tags },
      { nsgName: "nsg.b_", regionalTags: true, denyInternetOutbound: true, hostNamesViaFirewall: true, priorityStart: 200, priorityStep: 1 },
    ];
    let checked = 0;
    for (const resolved of inputs()) {
      for (const set of sets) {
        const options = { ...set, internalScope: resolved.subnet ? ("subnet" as const) : ("vnet" as const) };
        const plan = planNsg(resolved, options);
        const read = readArmTemplate(renderNsgTemplate(plan.networkSecurityGroup, { metadata: {} }));
        expect(read.networkSecurityGroups).toHaveLength(1);
        expectDeploymentLocation(read, "networkSecurityGroups");
        const { location: _location, ...nsg } = read.networkSecurityGroups[0] as (typeof read.networkSecurityGroups)[number];
        expect(nsg).toEqual(plan.networkSecurityGroup);
        expect(unknownsIn(nsg)).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBe(revisions.length * regions.length * 2 * 2);
    expect(planNsg(resolveRules({ regions: ["eastus"] }), { ...sets[0], internalScope: "vnet" } as NsgPlanOptions).networkSecurityGroup.properties.defaultSecurityRules).toEqual(defaultSecurityRules());
  });

  it("firewall policy: the read policy and group are the plan; without a subnet the source is the clusterSubnet parameter", () => {
    const sets: Array<Omit<FirewallPolicyPlanOptions, "policy">> = [
      { policyName: "fwp-a", ruleCollectionGroupName: "g", groupPriority: 500, tier: "Standard", regionalTags: false, fqdnNetworkRules: false, threatIntelMode: "Alert", tags },
      { policyName: "hub", ruleCollectionGroupName: "cassandra", groupPriority: 65000, tier: "Premium", regionalTags: true, fqdnNetworkRules: true, threatIntelMode: "Deny", intrusionDetection: "Deny" },
    ];
    let checked = 0;
    for (const resolved of inputs()) {
      for (const set of sets) {
        for (const policy of ["create", "existing"] as const) {
          const plan = planFirewallPolicy(resolved, { ...set, policy });
          const text = renderFirewallPolicyTemplate(plan, { metadata: {} });
          const read = readArmTemplate(text, resolved.subnet ? {} : { parameters: { clusterSubnet: DEPLOY_SUBNET } });
          // The plan with the deployer's value where it holds the parameter.
          const expected = JSON.parse(JSON.stringify(plan.ruleCollectionGroup, (_k, v: unknown) => (JSON.stringify(v) === JSON.stringify(CLUSTER_SUBNET_PARAMETER) ? DEPLOY_SUBNET : v)));
          expect(read.firewallPolicyRuleCollectionGroups).toEqual([expected]);
          if (plan.firewallPolicy) {
            expectDeploymentLocation(read, "firewallPolicies");
            const { location: _location, ...p } = read.firewallPolicies[0] as (typeof read.firewallPolicies)[number];
            expect(p).toEqual(plan.firewallPolicy);
          } else expect(read.firewallPolicies).toEqual([]);
          checked++;
        }
      }
    }
    expect(checked).toBe(revisions.length * regions.length * 2 * 2 * 2);
    // Without the parameter's value, the source is an Unknown naming the field and the parameter.
    const bare = planFirewallPolicy(resolveRules({ regions: ["eastus"] }), { ...(sets[0] as Omit<FirewallPolicyPlanOptions, "policy">), policy: "create" });
    const unknowns = unknownsIn(readArmTemplate(renderFirewallPolicyTemplate(bare, { metadata: {} })).firewallPolicyRuleCollectionGroups);
    expect(unknowns.length).toBeGreaterThan(0);
    expect(unknowns[0]).toMatchObject({ path: expect.stringMatching(/^resources\[1\]\.properties\.ruleCollections\[0\]\.rules\[0\]\.sourceAddresses\[0\]$/), reason: "parameter 'clusterSubnet' has no default value and none was given" });
  });

  it("route table: the read table (or the routes of an existing one) is the plan, in both modes", () => {
    const sample = getUdrAdvice("2021-11-02")?.sample;
    let checked = 0;
    for (const resolved of inputs()) {
      const modes: Array<Pick<RouteTablePlanOptions, "mode" | "sample">> = [{ mode: "service-tags" }];
      if (getUdrAdvice(resolved.revision.id) && sample) modes.push({ mode: "sample-prefixes", sample: { prefixes: sample.prefixes, routeName: sample.routeName, commit: sample.commit } });
      for (const mode of modes) {
        for (const routesOnly of [false, true]) {
          const plan = planRouteTable(resolved, { routeTableName: "rt-a", regionalTags: routesOnly, disableBgpRoutePropagation: routesOnly, tags, ...mode });
          const read = readArmTemplate(renderRouteTableTemplate(plan.routeTable, { metadata: {}, routesOnly }));
          const table = read.routeTables[0];
          if (routesOnly) {
            // Only the routes are in the template: the reader keeps the table's other routes as one Unknown.
            expect(table?.name).toBe("rt-a");
            expect(isUnknown(table?.properties.routes[0])).toBe(true);
            expect(table?.properties.routes.slice(1)).toEqual(plan.routeTable.properties.routes);
          } else {
            expectDeploymentLocation(read, "routeTables");
            const { location: _location, ...t } = table as NonNullable<typeof table>;
            expect(t).toEqual(plan.routeTable);
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(revisions.length * regions.length * 2 * 2 + regions.length * 2 * 2);
  });
});

describe("round trip of data that looks like an ARM expression", () => {
  it("every renderer writes it as a literal ([[), and the reader reads back the same string", () => {
    const looksLive = "[concat('Sto', 'rage')]";
    const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
    const plan = planNsg(resolved, { nsgName: "n", regionalTags: false, internalScope: "subnet", denyInternetOutbound: false, hostNamesViaFirewall: false, priorityStart: 100, priorityStep: 10, tags: { note: looksLive } });
    const [first, ...rest] = plan.networkSecurityGroup.properties.securityRules;
    const nsg = { ...plan.networkSecurityGroup, properties: { ...plan.networkSecurityGroup.properties, securityRules: [{ ...first!, properties: { ...first!.properties, description: looksLive, destinationAddressPrefix: looksLive } }, ...rest] } };
    const nsgText = renderNsgTemplate(nsg, { metadata: {} });
    expect(nsgText).toContain(`"[${looksLive}"`);
    const { location: _l, ...readNsg } = readArmTemplate(nsgText).networkSecurityGroups[0] as AzureNetwork["networkSecurityGroups"][number];
    expect(readNsg).toEqual(nsg);

    const rt = planRouteTable(resolved, { routeTableName: "rt", mode: "service-tags", regionalTags: false, disableBgpRoutePropagation: false }).routeTable;
    const table = { ...rt, properties: { ...rt.properties, routes: [{ name: "r", properties: { addressPrefix: looksLive, nextHopType: "Internet" as const } }] } };
    for (const routesOnly of [false, true]) {
      const read = readArmTemplate(renderRouteTableTemplate(table, { metadata: {}, routesOnly })).routeTables[0]?.properties.routes;
      expect(read?.at(-1)).toEqual(table.properties.routes[0]);
    }

    const fw = planFirewallPolicy(resolved, { policy: "existing", policyName: "p", ruleCollectionGroupName: "g", groupPriority: 100, tier: "Standard", regionalTags: false, fqdnNetworkRules: false, threatIntelMode: "Deny" });
    const group = fw.ruleCollectionGroup;
    const collections = group.properties.ruleCollections.map((c) => ({ ...c, rules: c.rules.map((r) => ({ ...r, description: looksLive })) }));
    const model = { ruleCollectionGroup: { ...group, properties: { ...group.properties, ruleCollections: collections } } };
    expect(readArmTemplate(renderFirewallPolicyTemplate(model, { metadata: {} })).firewallPolicyRuleCollectionGroups).toEqual([model.ruleCollectionGroup]);
  });
});

/**
 * The Terraform file over every vendored region x every revision x option sets, through the real validators
 * (HCL parser, azurerm schema, the plan read back, terraform fmt). Minutes of child processes: it runs in the
 * property suite (`npm run test:property`, and CI), not in `npm test`.
 */
import { regions, resolveRules, revisions, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitTerraform, planTerraform, type TerraformOptions } from "@cassandra-mi-netrules/emit-terraform";
import { vendoredPhysicalRegions } from "@cassandra-mi-netrules/testkit/arm-emitter";
import { expectFormatted, expectTerraformIsPlan } from "@cassandra-mi-netrules/testkit/terraform-emitter";
import { describe, expect, it } from "vitest";

const mainOf = (resolved: ResolvedRules, options?: TerraformOptions): string => (emitTerraform(resolved, options).files[0] as { content: string }).content;

describe("terraform matrix: every vendored region x every revision x option sets", () => {
  const sets: ReadonlyArray<{ subnet?: string; options: TerraformOptions; revisions?: readonly string[] }> = [
    { subnet: "10.9.0.0/24", options: {} },
    { options: { regionalTags: true, azureFirewall: { policy: "existing", fqdnNetworkRules: true } } },
    { subnet: "2001:db8:10::/64", options: { nsg: { internalScope: "vnet", priorityStart: 4000, priorityStep: 3, denyInternetOutbound: false }, azureFirewall: { tier: "Premium", threatIntelMode: "Alert" } } },
    { subnet: "10.9.0.0/24", options: { layers: ["nsg", "route-table"], regionalTags: true, routeTable: { disableBgpRoutePropagation: true } } },
    { subnet: "10.9.0.0/24", options: { layers: ["route-table"], routeTable: { routeTable: "existing", mode: "sample-prefixes" } }, revisions: ["2021-11-02"] },
  ];
  it("the regions are every physical region of the vendored list", () => {
    expect(regions.map((r) => r.name).sort()).toEqual(vendoredPhysicalRegions());
  });
  sets.forEach((set, i) => {
    it(`option set ${i + 1}: every file parses, passes the azurerm schema, reads back as its plan, and passes terraform fmt -check`, () => {
      const texts: string[] = [];
      for (const rev of revisions.filter((r) => !set.revisions || set.revisions.includes(r.id))) {
        for (const region of regions) {
          const resolved = resolveRules({ revision: rev.id, regions: [region.name], ...(set.subnet ? { subnet: set.subnet } : {}) });
          const text = mainOf(resolved, set.options);
          texts.push(text);
          expectTerraformIsPlan(text, planTerraform(resolved, set.options).model);
        }
      }
      expectFormatted(texts);
      expect(texts.length).toBe(regions.length * (set.revisions?.length ?? revisions.length));
    });
  });
});

import { readFileSync } from "node:fs";
import { readArmTemplate, readNetwork } from "@cassandra-mi-netrules/azure";
import { EmitterRegistry, resolveRules, type CoverageEntry, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitFirewallPolicyTemplate } from "@cassandra-mi-netrules/emit-azure-firewall";
import { emitNsgTemplate } from "@cassandra-mi-netrules/emit-nsg";
import { emitRouteTable } from "@cassandra-mi-netrules/emit-route-table";
import { emitTerraform, emitter, planTerraform, TerraformOptionError, version, type TerraformOptions } from "@cassandra-mi-netrules/emit-terraform";
import { shuffle } from "@cassandra-mi-netrules/testkit/arm-emitter";
import { invalidResolvedTests } from "@cassandra-mi-netrules/testkit/invalid-resolved";
import { readTerraform, terraformLocals } from "@cassandra-mi-netrules/testkit/terraform";
import { expectFormatted, expectTerraformIsPlan } from "@cassandra-mi-netrules/testkit/terraform-emitter";
import { describe, expect, it } from "vitest";

const EASTUS = { regions: ["eastus"], subnet: "10.9.0.0/24" };
const eastus = resolveRules(EASTUS);
/** Azure takes a group's collections by priority, whatever their order in the file. */
const collectionsByPriority = (g: unknown) => {
  const group = g as { properties: { ruleCollections: Array<{ priority: number }> } };
  return { ...group, properties: { ...group.properties, ruleCollections: [...group.properties.ruleCollections].sort((a, b) => a.priority - b.priority) } };
};
const mainOf = (resolved: ResolvedRules, options?: TerraformOptions): string => (emitTerraform(resolved, options).files[0] as { content: string }).content;

/** Emits, then the file must parse, match the azurerm schema and read back as the plan. */
function emitChecked(resolved: ResolvedRules, options?: TerraformOptions): { content: string; coverage: readonly CoverageEntry[] } {
  const out = emitTerraform(resolved, options);
  expect(out.files.map((f) => f.path)).toEqual(["main.tf"]);
  const content = (out.files[0] as { content: string }).content;
  expectTerraformIsPlan(content, planTerraform(resolved, options).model);
  return { content, coverage: out.coverage };
}

const SCENARIOS: ReadonlyArray<{ name: string; resolve: Parameters<typeof resolveRules>[0]; options: TerraformOptions }> = [
  { name: "eastus", resolve: EASTUS, options: {} },
  { name: "eastus-no-subnet", resolve: { regions: ["eastus"] }, options: {} },
  { name: "eastus-nsg-only", resolve: EASTUS, options: { layers: ["nsg"] } },
  { name: "eastus-existing-policy", resolve: EASTUS, options: { azureFirewall: { policy: "existing", policyName: "hub-policy", fqdnNetworkRules: true, groupPriority: 300 } } },
  { name: "eastus-westus2-premium", resolve: { regions: ["eastus", "westus2"], subnet: "10.9.0.0/24" }, options: { regionalTags: true, azureFirewall: { tier: "Premium" } } },
  { name: "eastus-nsg-route-table", resolve: EASTUS, options: { layers: ["nsg", "route-table"] } },
  { name: "eastus-existing-route-table-sample", resolve: EASTUS, options: { layers: ["route-table"], routeTable: { routeTable: "existing", mode: "sample-prefixes" } } },
];

describe("terraform goldens", () => {
  for (const s of SCENARIOS) {
    it(`${s.name}: matches the golden file, parses, passes the azurerm schema, reads back as the plan`, async () => {
      const { content, coverage } = emitChecked(resolveRules(s.resolve), s.options);
      const path = new URL(`./__golden__/${s.name}.main.tf`, import.meta.url).pathname;
      await expect(content).toMatchFileSnapshot(path);
      await expect(`${JSON.stringify(coverage, null, 2)}\n`).toMatchFileSnapshot(new URL(`./__golden__/${s.name}.coverage.json`, import.meta.url).pathname);
    });
  }

  it("the golden files on disk pass terraform fmt -check", () => {
    expectFormatted(SCENARIOS.map((s) => readFileSync(new URL(`./__golden__/${s.name}.main.tf`, import.meta.url), "utf8")));
  });
});

describe("terraform renders the same plans as the ARM targets", () => {
  it("the NSG, the rule collection group and the route table read back from HCL equal those read back from the ARM templates", () => {
    const nsg = { hostNamesViaFirewall: true, regionalTags: true };
    const tf = readTerraform(mainOf(eastus, { nsg, azureFirewall: { tier: "Premium" } }));
    const arm = readArmTemplate((emitNsgTemplate(eastus, nsg).files[0] as { content: string }).content);
    expect(tf.networkSecurityGroups[0]?.properties).toEqual(arm.networkSecurityGroups[0]?.properties);
    const fw = readArmTemplate((emitFirewallPolicyTemplate(eastus, { tier: "Premium" }).files[0] as { content: string }).content);
    expect(tf.firewallPolicyRuleCollectionGroups.map(collectionsByPriority)).toEqual(fw.firewallPolicyRuleCollectionGroups.map(collectionsByPriority));
    expect(tf.firewallPolicies[0]?.properties).toEqual(fw.firewallPolicies[0]?.properties);
    const rt = readTerraform(mainOf(eastus, { layers: ["route-table"] }));
    const rtArm = readArmTemplate((emitRouteTable(eastus, { form: "arm" }).files[0] as { content: string }).content);
    expect(rt.routeTables[0]?.properties).toEqual(rtArm.routeTables[0]?.properties);
  });

  it("the audit's reader (readNetwork, Terraform HCL) reads the file back as the plan: the NSG's rules, the rule collection group, the routes", () => {
    for (const options of [{}, { layers: ["nsg", "route-table"] }, { regionalTags: true, azureFirewall: { fqdnNetworkRules: true } }] as TerraformOptions[]) {
      const plan = planTerraform(eastus, options).model;
      const net = readNetwork({ name: "main.tf", text: mainOf(eastus, options) }).network;
      expect(net.networkSecurityGroups[0]?.properties.securityRules).toEqual(plan.networkSecurityGroup?.properties.securityRules);
      if (plan.firewall) expect(net.firewallPolicyRuleCollectionGroups.map(collectionsByPriority)).toEqual([plan.firewall.ruleCollectionGroup]);
      if (plan.routeTable) expect(net.routeTables[0]?.properties.routes).toEqual(plan.routeTable.table.properties.routes);
    }
  });

  it("one layer: its coverage is the ARM target's, entry for entry", () => {
    expect(emitTerraform(eastus, { layers: ["nsg"], nsg: { denyInternetOutbound: false } }).coverage).toEqual(emitNsgTemplate(eastus, { denyInternetOutbound: false }).coverage);
    expect(emitTerraform(eastus, { layers: ["azure-firewall"], azureFirewall: { tier: "Premium" } }).coverage).toEqual(emitFirewallPolicyTemplate(eastus, { tier: "Premium" }).coverage);
    expect(emitTerraform(eastus, { layers: ["route-table"] }).coverage).toEqual(emitRouteTable(eastus).coverage);
  });
});

describe("terraform coverage per layer", () => {
  const get = (coverage: readonly CoverageEntry[], id: string) => coverage.find((c) => c.ruleId === id) as CoverageEntry;

  it("NSG and firewall in series: the NSG hands host names to the firewall, which narrows them; every requirement enforced", () => {
    const { coverage, layers } = planTerraform(eastus);
    expect(layers.map((l) => l.layer)).toEqual(["nsg", "azure-firewall"]);
    expect(coverage.filter((c) => c.status !== "enforced")).toEqual([]);
    expect(get(coverage, "crl").how).toMatch(/^nsg \(approximated\): NSG rule cassandra-out-internet-via-firewall .*; azure-firewall \(enforced\): application rule cassandra-mi-application\/crl/);
    expect(get(coverage, "gossip").how).toMatch(/; azure-firewall \(unsupported, not on this flow's path\): no firewall rule$/);
  });

  it("an NSG that does not hand host names over blocks them before the firewall, and the coverage says so", () => {
    const { coverage } = planTerraform(eastus, { nsg: { hostNamesViaFirewall: false } });
    expect(get(coverage, "crl")).toMatchObject({ status: "unsupported", why: expect.stringMatching(/^Blocked by the nsg layer\. nsg: An NSG cannot match host names/) });
    expect(get(coverage, "tag-storage").status).toBe("enforced");
  });

  it("without the NSG's final deny, the firewall alone decides the outbound flows", () => {
    const { coverage } = planTerraform(eastus, { nsg: { denyInternetOutbound: false } });
    expect(get(coverage, "crl").status).toBe("enforced");
    expect(get(coverage, "storage-backup").status).toBe("enforced");
  });

  it("NSG and route table: the routes filter nothing, the NSG decides", () => {
    const { coverage } = planTerraform(eastus, { layers: ["nsg", "route-table"] });
    const nsgOnly = emitNsgTemplate(eastus).coverage;
    expect(coverage.map((c) => [c.ruleId, c.status])).toEqual(nsgOnly.map((c) => [c.ruleId, c.status]));
    expect(get(coverage, "tag-storage").how).toContain("; route-table (enforced): route cassandra-storage");
  });

  it("the file's header lists the coverage per requirement and layer; the locals say which requirements each rule serves", () => {
    const content = mainOf(eastus);
    expect(content).toContain("#   crl: enforced (approximated, enforced)\n");
    expect(content).toContain("#   gossip: enforced (enforced, off path)\n");
    const locals = terraformLocals(content).cassandra_mi_netrules as Record<string, unknown>;
    const plan = planTerraform(eastus);
    expect(locals).toMatchObject({ generator: "@cassandra-mi-netrules/emit-terraform", generator_version: version, revision: eastus.revision.id, data_sha256: eastus.dataHash, regions: ["eastus"], subnet: "10.9.0.0/24" });
    expect(locals.requirements).toEqual(plan.requirements);
    expect(locals.unsupported).toEqual([]);
  });
});

describe("terraform options", () => {
  it("refuses bad options, naming the option (with its layer) and the value", () => {
    const bad: Array<[TerraformOptions, RegExp]> = [
      [{ layerz: [] } as TerraformOptions, /terraform option layerz: unknown option/],
      [{ layers: [] }, /terraform option layers: must be a non-empty list/],
      [{ layers: ["nsg", "opa" as "nsg"] }, /layers: unknown layer "opa"/],
      [{ layers: ["nsg", "nsg"] }, /layers: lists a layer twice/],
      [{ layers: ["azure-firewall", "route-table"] }, /layers: route-table sends Microsoft's addresses to the Internet next hop, past the firewall/],
      [{ layers: ["nsg"], azureFirewall: {} }, /terraform option azureFirewall: options of a layer the file does not hold/],
      [{ nsg: { priorityStart: 50 } }, /terraform option nsg\.priorityStart: must be an integer from 100 to 4096 \(value: 50\)/],
      [{ azureFirewall: { policyName: "[x]" } }, /terraform option azureFirewall\.policyName/],
      [{ layers: ["route-table"], routeTable: { form: "arm" } as TerraformOptions["routeTable"] }, /terraform option routeTable\.form: unknown option/],
      [{ regionalTags: "yes" as unknown as boolean }, /terraform option regionalTags: must be true or false/],
    ];
    for (const [options, message] of bad) {
      expect(() => emitTerraform(eastus, options), JSON.stringify(options)).toThrow(TerraformOptionError);
      expect(() => emitTerraform(eastus, options)).toThrow(message);
    }
  });

  it("regionalTags applies to every layer unless a layer says otherwise", () => {
    const s = planTerraform(eastus, { regionalTags: true, azureFirewall: { regionalTags: false } }).settled;
    expect(s.nsg?.regionalTags).toBe(true);
    expect(s.azureFirewall?.regionalTags).toBe(false);
  });
});

describe("terraform determinism, escaping and contract", () => {
  it("same input, same bytes; shuffled rules, same bytes", () => {
    const resolved = resolveRules({ regions: ["eastus", "westus2"], subnet: "10.9.0.0/24" });
    const first = emitTerraform(resolved, { regionalTags: true });
    expect(emitTerraform(resolved, { regionalTags: true })).toEqual(first);
    for (let seed = 1; seed <= 5; seed++) expect(emitTerraform({ ...resolved, rules: shuffle(resolved.rules, seed) }, { regionalTags: true })).toEqual(first);
  });

  it("a requirement id that holds ${...}, %{...}, quotes, a backslash and a line break is written as data and read back as it is", () => {
    const hostile = 'x ${file("/etc/passwd")} %{ if true }y%{ endif } "q" \\ \n end';
    const resolved = { ...eastus, rules: eastus.rules.map((r) => (r.id === "crl" ? { ...r, id: hostile } : r)) };
    const { content } = emitChecked(resolved);
    expect(content).toContain('$${file(\\"/etc/passwd\\")} %%{ if true }y%%{ endif }');
    const read = readTerraform(content);
    const rules = read.firewallPolicyRuleCollectionGroups[0]?.properties.ruleCollections.flatMap((c) => (typeof c === "object" && "rules" in c ? c.rules : []));
    expect(rules?.some((r) => typeof r === "object" && "description" in r && r.description === `Cassandra MI: ${hostile}`)).toBe(true);
    expectFormatted([content]);
  });

  it(`registers as terraform; emitter.emit is emitTerraform`, () => {
    expect(new EmitterRegistry().register(emitter).names()).toEqual(["terraform"]);
    expect(emitter.emit(eastus)).toEqual(emitTerraform(eastus));
  });

  it("the resources' tags name generator, version, revision and data hash", () => {
    const read = readTerraform(mainOf(eastus));
    expect(read.networkSecurityGroups[0]?.tags).toEqual({ generator: `@cassandra-mi-netrules/emit-terraform ${version}`, "dataset-revision": eastus.revision.id, "data-sha256": eastus.dataHash });
  });
});

describe("terraform refuses resolved rules no layer may hold (issue 16, item 24)", () => {
  invalidResolvedTests((r) => emitTerraform(r));
});

describe("terraform regressions found by the property test", () => {
  it("an NSG description within 140 characters that NFC makes longer (U+09DC decomposes) gets the short form, in ARM and in HCL", () => {
    const id = `a${"\u09dc".repeat(70)}`;
    const resolved = { ...eastus, rules: eastus.rules.map((r) => (r.id === "tag-api-management" ? { ...r, id } : r)) };
    expect(`Cassandra MI: ${id}`.length).toBeLessThanOrEqual(140);
    expect(`Cassandra MI: ${id}`.normalize("NFC").length).toBeGreaterThan(140);
    const short = "Cassandra MI: 1 requirements, see the template metadata";
    const { content } = emitChecked(resolved);
    expect(content).toContain(`description                = "${short}"`);
    const arm = JSON.parse((emitNsgTemplate(resolved).files[0] as { content: string }).content) as { resources: Array<{ properties: { securityRules: Array<{ name: string; properties: { description: string } }> } }> };
    expect(arm.resources[0]?.properties.securityRules.find((r) => r.name === "cassandra-out-apimanagement")?.properties.description).toBe(short);
  });
});

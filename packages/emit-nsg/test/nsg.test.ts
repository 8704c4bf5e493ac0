import { PriorityRangeError, regions, resolveRules, type CoverageEntry, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitNsgTemplate, NsgOptionError, type NsgOptions } from "@cassandra-mi-netrules/emit-nsg";
import { parseNsgTemplate, validateArmTemplate } from "@cassandra-mi-netrules/testkit/arm";
import { contractTests, emitChecked as emitCheckedBy, expectDeterministic, goldenTests, runArmMatrix } from "@cassandra-mi-netrules/testkit/arm-emitter";
import { invalidResolvedTests } from "@cassandra-mi-netrules/testkit/invalid-resolved";
import { describe, expect, it } from "vitest";
import { nsgUnderTest } from "./roundtrip.js";

const emitChecked = (resolved: ResolvedRules, options: NsgOptions = {}) => emitCheckedBy(nsgUnderTest, resolved, options);

describe("nsg goldens", () => {
  goldenTests(nsgUnderTest, new URL("./__golden__/", import.meta.url), [
    { name: "eastus", resolve: { regions: ["eastus"], subnet: "10.9.0.0/24" }, options: {} },
    { name: "westeurope-regional-tags", resolve: { regions: ["westeurope"], subnet: "10.9.0.0/24" }, options: { regionalTags: true } },
    { name: "eastus-westus2", resolve: { regions: ["eastus", "westus2"], subnet: "10.9.0.0/24" }, options: { regionalTags: true } },
    { name: "revision-2021-05-21", resolve: { revision: "2021-05-21", regions: ["eastus"], subnet: "10.9.0.0/24" }, options: {} },
    { name: "eastus-no-subnet", resolve: { regions: ["eastus"] }, options: {} },
    { name: "eastus-locked-down-vnet", resolve: { regions: ["eastus"], subnet: "10.9.0.0/24" }, options: { denyInternetOutbound: true, internalScope: "vnet" } },
    { name: "eastus-open-internet", resolve: { regions: ["eastus"], subnet: "10.9.0.0/24" }, options: { denyInternetOutbound: false } },
    { name: "eastus-via-firewall", resolve: { regions: ["eastus"], subnet: "10.9.0.0/24" }, options: { hostNamesViaFirewall: true } },
  ]);

  it("says what an NSG cannot do: FQDN-only rows unsupported with advice, tag-backed FQDN rows approximated", () => {
    const { coverage } = emitChecked(resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" }));
    const get = (id: string) => coverage.find((c) => c.ruleId === id) as CoverageEntry;
    expect(get("security-scanner-definitions")).toMatchObject({ status: "unsupported", how: "no NSG rule" });
    expect(get("security-scanner-definitions").why).toMatch(/packages\.microsoft\.com.*Azure Firewall.*virtual appliance/);
    expect(get("storage-backup").status).toBe("approximated");
    expect(get("storage-backup").why).toMatch(/Storage.*\*\.blob\.core\.windows\.net/);
    expect(get("tag-storage")).toMatchObject({ status: "enforced", why: "" });
    expect(get("microsoft-prefixes").status).toBe("enforced");
    expect(get("gossip").status).toBe("enforced");
  });

  it("falls back to the global tag where a regional form lacks NSG, and says so", () => {
    // AzureResourceManager.EastUS has networkFeatures null in the vendored file.
    const { coverage, content } = emitChecked(resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" }), { regionalTags: true });
    const arm = coverage.find((c) => c.ruleId === "tag-azure-resource-manager") as CoverageEntry;
    expect(arm.how).toContain("global tag AzureResourceManager used: AzureResourceManager.EastUS does not list NSG");
    expect(content).toContain('"destinationAddressPrefix": "Storage.EastUS"');
    expect(content).not.toContain('"AzureResourceManager.EastUS"');
  });

  it("the regional-only row is approximated by the global tag when regional scoping fails", () => {
    const r = resolveRules({ revision: "2021-09-13", regions: [] });
    const { coverage } = emitChecked(r);
    expect(coverage.find((c) => c.ruleId === "tag-storage-regional")).toMatchObject({ status: "approximated" });
    const withRegion = emitChecked(resolveRules({ revision: "2021-09-13", regions: ["eastus"] })).coverage;
    expect(withRegion.find((c) => c.ruleId === "tag-storage-regional")).toMatchObject({ status: "enforced" });
  });
});

describe("nsg matrix: every vendored region x every revision x option sets", () => {
  // Each option takes each kind of value in some set: defaults, regional tags, the deny, a start and a
  // step, both internal scopes, a custom name, no subnet, an IPv6 subnet.
  const optionSets: Array<{ subnet?: string; options: NsgOptions }> = [
    { subnet: "10.9.0.0/24", options: {} },
    { subnet: "10.9.0.0/24", options: { regionalTags: true, denyInternetOutbound: true, priorityStart: 200, priorityStep: 5, internalScope: "subnet", nsgName: "nsg_hub-01.cassandra" } },
    { options: { regionalTags: false, denyInternetOutbound: true } },
    { subnet: "2001:db8:10::/64", options: { regionalTags: true, internalScope: "vnet", priorityStart: 4000, priorityStep: 3 } },
    { subnet: "10.9.0.0/24", options: { denyInternetOutbound: false } },
    { options: { hostNamesViaFirewall: true } },
  ];
  it("validates and reads back every output", () => {
    const { templates, fewestClaims } = runArmMatrix(nsgUnderTest, optionSets);
    expect(templates).toBe(62 * 4 * optionSets.length);
    // Each template reads back its enforced and approximated requirements: at least ten of them (tags, prefixes, internal ports).
    expect(fewestClaims).toBeGreaterThanOrEqual(10);
  });

  it("all 62 regions at once with regional tags stay within the NSG limits", () => {
    const resolved = resolveRules({ regions: regions.map((r) => r.name), subnet: "10.9.0.0/24" });
    const { content } = emitChecked(resolved, { regionalTags: true, priorityStep: 1, denyInternetOutbound: true });
    const rules = parseNsgTemplate(content);
    // Some of the 62 regions lack a regional form of each tag, so every tag falls back to its global form.
    expect(rules.filter((r) => r.destinations.some((d) => d.includes(".") && !d.includes("/") && d !== "AzureFrontDoor.FirstParty"))).toEqual([]);
    expect(rules.length).toBeLessThanOrEqual(1000);
    expect(Math.max(...rules.map((r) => r.priority))).toBe(4096);
  });
});

describe("nsg determinism and escaping", () => {
  it("same input, same bytes; shuffled rules, same bytes", () => {
    expectDeterministic(nsgUnderTest, resolveRules({ regions: ["eastus", "westus2"], subnet: "10.9.0.0/24" }), { regionalTags: true });
  });

  it("writes data strings that start with [ as [[ and reads them back unescaped", () => {
    const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
    const hostile = resolved.rules.map((r) => (r.id === "tag-storage" ? { ...r, id: "[concat('x')]" } : r));
    const out = emitNsgTemplate({ ...resolved, rules: hostile });
    const content = (out.files[0] as { content: string }).content;
    expect(content).toContain(`"[[concat('x')]"`);
    expect(content).not.toMatch(/"\[concat/);
    expect(validateArmTemplate(content).errors).toEqual([]);
    const storage = parseNsgTemplate(content).find((p) => p.destinations.includes("Storage"));
    expect(storage?.requirementIds).toContain("[concat('x')]");
  });

});

describe("nsg contract", () => {
  contractTests(nsgUnderTest);
});

describe("nsg options and limits", () => {
  const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
  it("allocates priorities from start and step, per direction", () => {
    const rules = parseNsgTemplate((emitNsgTemplate(resolved, { priorityStart: 300, priorityStep: 7 }).files[0] as { content: string }).content);
    const out = rules.filter((r) => r.direction === "Outbound" && r.access === "Allow").map((r) => r.priority);
    expect(out).toEqual(out.map((_p, i) => 300 + 7 * i));
    expect(rules.filter((r) => r.access === "Deny").map((r) => r.priority)).toEqual([4096]);
    expect(rules.filter((r) => r.direction === "Inbound").map((r) => r.priority)).toEqual([300]);
  });

  it("rejects bad options naming the field and the value", () => {
    expect(() => emitNsgTemplate(resolved, { priorityStart: 50 })).toThrow(/priorityStart.*50/);
    expect(() => emitNsgTemplate(resolved, { priorityStep: 0 })).toThrow(/priorityStep.*0/);
    expect(() => emitNsgTemplate(resolved, { nsgName: "bad name!" })).toThrow(NsgOptionError);
    expect(() => emitNsgTemplate(resolved, { nsgName: "[parameters('x')]" })).toThrow(/nsgName/);
    expect(() => emitNsgTemplate(resolved, { internalScope: "peered" as "vnet" })).toThrow(/internalScope.*peered/);
    expect(() => emitNsgTemplate(resolveRules({ regions: ["eastus"] }), { internalScope: "subnet" })).toThrow(/internalScope.*needs a subnet/);
    expect(() => emitNsgTemplate(resolved, { regionaltags: true } as NsgOptions)).toThrow(/regionaltags.*unknown option/);
  });

  it("throws before the priorities pass 4096", () => {
    expect(() => emitNsgTemplate(resolved, { priorityStart: 4000, priorityStep: 50 })).toThrow(PriorityRangeError);
    // With the deny rule at 4096 (the default) the allows must stop at 4095.
    const count = parseNsgTemplate((emitNsgTemplate(resolved).files[0] as { content: string }).content).filter((r) => r.direction === "Outbound" && r.access === "Allow").length;
    expect(() => emitNsgTemplate(resolved, { priorityStart: 4096 - count + 1, priorityStep: 1 })).toThrow(/4095/);
    expect(() => emitNsgTemplate(resolved, { priorityStart: 4096 - count + 1, priorityStep: 1, denyInternetOutbound: false })).not.toThrow();
  });

  it("throws before the NSG would hold more than 1000 rules", () => {
    const base = resolved.rules.find((r) => r.id === "microsoft-prefixes");
    if (!base) throw new Error("fixture");
    const many = Array.from({ length: 1001 }, (_, i) => ({ ...base, id: `p${i}`, prefixes: { ipv4: [], ipv6: [`2001:db8::${i.toString(16)}/128`] } }));
    expect(() => emitNsgTemplate({ ...resolved, rules: many }, { priorityStep: 1, denyInternetOutbound: false })).toThrow(/1001 security rules.*at most 1000/);
  });
});

describe("nsg denies the rest by default (issue 16, item 3)", () => {
  const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
  const rulesOf = (options?: NsgOptions) => parseNsgTemplate((emitNsgTemplate(resolved, options).files[0] as { content: string }).content);

  it("ends the outbound rules with Deny * -> Internet at 4096, ahead of Azure's AllowInternetOutBound (65001); inbound stays with Azure's defaults", () => {
    const rules = rulesOf();
    const outbound = rules.filter((r) => r.direction === "Outbound").sort((a, b) => a.priority - b.priority);
    expect(outbound.at(-1)).toMatchObject({ name: "cassandra-deny-internet-out", access: "Deny", priority: 4096, protocol: "*", sources: ["*"], destinations: ["Internet"], ports: [{ from: 0, to: 65535 }] });
    expect(outbound.slice(0, -1).every((r) => r.access === "Allow")).toBe(true);
    // Inbound: DenyAllInBound (65500) already refuses what comes from outside the virtual network.
    expect(rules.filter((r) => r.direction === "Inbound" && r.access === "Deny")).toEqual([]);
  });

  it("the coverage says what the NSG does with everything else", () => {
    const { coverage } = emitNsgTemplate(resolved);
    const get = (id: string) => coverage.find((c) => c.ruleId === id) as CoverageEntry;
    expect(get("tag-storage")).toMatchObject({ status: "enforced", how: expect.stringContaining("every other outbound flow to Internet is denied by cassandra-deny-internet-out (4096)") });
    expect(get("crl")).toMatchObject({ status: "unsupported", why: expect.stringContaining("cassandra-deny-internet-out of this template blocks it") });
    expect(get("gossip").how).toContain("other traffic in the virtual network: Azure's defaults AllowVnetInBound/AllowVnetOutBound (65000)");
  });

  it("denyInternetOutbound: false leaves the deny out, and the coverage says the NSG then restricts nothing", () => {
    expect(rulesOf({ denyInternetOutbound: false }).filter((r) => r.access === "Deny")).toEqual([]);
    const { coverage } = emitNsgTemplate(resolved, { denyInternetOutbound: false });
    const storage = coverage.find((c) => c.ruleId === "tag-storage") as CoverageEntry;
    expect(storage).toMatchObject({ status: "approximated", why: expect.stringContaining("AllowInternetOutBound (65001) lets every other outbound flow to Internet out") });
    expect((coverage.find((c) => c.ruleId === "crl") as CoverageEntry).why).toContain("Meanwhile Azure's default rule AllowInternetOutBound (65001) lets it out");
  });

  it("hostNamesViaFirewall: the host-name-only requirements go to Internet on their ports, for the firewall to narrow; refused without the deny", () => {
    const { content, coverage } = emitChecked(resolved, { hostNamesViaFirewall: true });
    const via = parseNsgTemplate(content).find((r) => r.name === "cassandra-out-internet-via-firewall");
    const unsupported = emitNsgTemplate(resolved).coverage.filter((c) => c.status === "unsupported").map((c) => c.ruleId);
    expect(via).toMatchObject({ access: "Allow", direction: "Outbound", destinations: ["Internet"], sources: ["10.9.0.0/24"] });
    expect([...(via?.requirementIds ?? [])].sort()).toEqual(unsupported);
    for (const id of unsupported) expect(coverage.find((c) => c.ruleId === id)).toMatchObject({ status: "approximated", why: expect.stringContaining("hostNamesViaFirewall") });
    expect(() => emitNsgTemplate(resolved, { hostNamesViaFirewall: true, denyInternetOutbound: false })).toThrow(/hostNamesViaFirewall: needs denyInternetOutbound/);
  });
});

describe("nsg refuses resolved rules no NSG may hold (issue 16, item 24)", () => {
  invalidResolvedTests((r) => emitNsgTemplate(r));
});

import { readFileSync } from "node:fs";
import { EmitterRegistry, PriorityRangeError, regions, resolveRules, revisions, type CoverageEntry, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitNsgTemplate, emitter, NsgOptionError, version, type NsgOptions } from "@cassandra-mi-netrules/emit-nsg";
import { parseNsgTemplate, validateArmSchemaWhole, validateArmTemplate } from "@cassandra-mi-netrules/testkit/arm";
import { describe, expect, it } from "vitest";
import { checkRoundTrip } from "./roundtrip.js";

const golden = (name: string): string => new URL(`./__golden__/${name}`, import.meta.url).pathname;

function emitChecked(resolved: ResolvedRules, options: NsgOptions = {}): { content: string; coverage: readonly CoverageEntry[] } {
  const out = emitNsgTemplate(resolved, options);
  expect(out.files.map((f) => f.path)).toEqual(["nsg.json"]);
  const content = (out.files[0] as { content: string }).content;
  const result = validateArmTemplate(content);
  expect(result.errors).toEqual([]);
  checkRoundTrip(resolved, options, content, out.coverage);
  return { content, coverage: out.coverage };
}

const scenarios: Array<{ name: string; resolve: Parameters<typeof resolveRules>[0]; options: NsgOptions }> = [
  { name: "eastus", resolve: { regions: ["eastus"], subnet: "10.9.0.0/24" }, options: {} },
  { name: "westeurope-regional-tags", resolve: { regions: ["westeurope"], subnet: "10.9.0.0/24" }, options: { regionalTags: true } },
  { name: "eastus-westus2", resolve: { regions: ["eastus", "westus2"], subnet: "10.9.0.0/24" }, options: { regionalTags: true } },
  { name: "revision-2021-05-21", resolve: { revision: "2021-05-21", regions: ["eastus"], subnet: "10.9.0.0/24" }, options: {} },
  { name: "eastus-no-subnet", resolve: { regions: ["eastus"] }, options: {} },
  { name: "eastus-locked-down-vnet", resolve: { regions: ["eastus"], subnet: "10.9.0.0/24" }, options: { denyInternetOutbound: true, internalScope: "vnet" } },
];

describe("nsg goldens", () => {
  for (const s of scenarios) {
    it(`${s.name}: matches the golden file, validates, reads back as the coverage claims`, async () => {
      const { content, coverage } = emitChecked(resolveRules(s.resolve), s.options);
      await expect(content).toMatchFileSnapshot(golden(`${s.name}.nsg.json`));
      await expect(`${JSON.stringify(coverage, null, 2)}\n`).toMatchFileSnapshot(golden(`${s.name}.coverage.json`));
      // The golden file on disk is what the validator must accept, not only the string in memory.
      const onDisk = readFileSync(golden(`${s.name}.nsg.json`), "utf8");
      expect(validateArmTemplate(onDisk).errors).toEqual([]);
      expect(validateArmSchemaWhole(JSON.parse(onDisk))).toBe(true);
    });
  }

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
  const optionSets: Array<{ subnet?: string; options: NsgOptions }> = [
    { subnet: "10.9.0.0/24", options: {} },
    { subnet: "10.9.0.0/24", options: { regionalTags: true, denyInternetOutbound: true, priorityStart: 200, priorityStep: 5 } },
    { options: { regionalTags: false, denyInternetOutbound: true } },
    { subnet: "2001:db8:10::/64", options: { regionalTags: true, internalScope: "vnet" } },
  ];
  it("validates and reads back every output", () => {
    let templates = 0;
    let claims = 0;
    for (const rev of revisions) {
      for (const region of regions) {
        for (const set of optionSets) {
          const resolved = resolveRules({ revision: rev.id, regions: [region.name], ...(set.subnet ? { subnet: set.subnet } : {}) });
          const out = emitNsgTemplate(resolved, set.options);
          const content = (out.files[0] as { content: string }).content;
          const result = validateArmTemplate(content);
          if (!result.ok) throw new Error(`${rev.id} ${region.name} ${JSON.stringify(set)}:\n${result.errors.join("\n")}`);
          claims += checkRoundTrip(resolved, set.options, content, out.coverage);
          templates++;
        }
      }
    }
    expect(templates).toBe(revisions.length * regions.length * optionSets.length);
    expect(regions.length).toBe(62);
    expect(claims).toBeGreaterThan(templates * 10);
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
    const resolved = resolveRules({ regions: ["eastus", "westus2"], subnet: "10.9.0.0/24" });
    const a = emitNsgTemplate(resolved, { regionalTags: true });
    const b = emitNsgTemplate(resolved, { regionalTags: true });
    expect(b).toEqual(a);
    for (let seed = 1; seed <= 5; seed++) {
      const rules = [...resolved.rules];
      let x = seed;
      for (let i = rules.length - 1; i > 0; i--) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const j = x % (i + 1);
        [rules[i], rules[j]] = [rules[j] as (typeof rules)[number], rules[i] as (typeof rules)[number]];
      }
      const shuffled = emitNsgTemplate({ ...resolved, rules }, { regionalTags: true });
      expect(shuffled.files).toEqual(a.files);
      expect(shuffled.coverage).toEqual(a.coverage);
    }
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

  it("the metadata block names generator, version, revision and data hash", () => {
    const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
    const doc = JSON.parse((emitNsgTemplate(resolved).files[0] as { content: string }).content);
    expect(doc.metadata["cassandra-mi-netrules"]).toMatchObject({
      generator: "@cassandra-mi-netrules/emit-nsg",
      generatorVersion: version,
      revision: resolved.revision.id,
      dataHash: resolved.dataHash,
    });
    expect(doc.resources[0].tags["data-sha256"]).toBe(resolved.dataHash);
  });
});

describe("nsg options and limits", () => {
  const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
  it("registers as nsg", () => {
    expect(new EmitterRegistry().register(emitter).names()).toEqual(["nsg"]);
    expect(emitter.emit(resolved)).toEqual(emitNsgTemplate(resolved));
  });

  it("allocates priorities from start and step, per direction", () => {
    const rules = parseNsgTemplate((emitNsgTemplate(resolved, { priorityStart: 300, priorityStep: 7 }).files[0] as { content: string }).content);
    const out = rules.filter((r) => r.direction === "Outbound").map((r) => r.priority);
    expect(out).toEqual(out.map((_p, i) => 300 + 7 * i));
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
    // With the deny rule at 4096 the allows must stop at 4095.
    const count = parseNsgTemplate((emitNsgTemplate(resolved).files[0] as { content: string }).content).filter((r) => r.direction === "Outbound").length;
    expect(() => emitNsgTemplate(resolved, { priorityStart: 4096 - count + 1, priorityStep: 1, denyInternetOutbound: true })).toThrow(/4095/);
    expect(() => emitNsgTemplate(resolved, { priorityStart: 4096 - count + 1, priorityStep: 1 })).not.toThrow();
  });

  it("throws before the NSG would hold more than 1000 rules", () => {
    const base = resolved.rules.find((r) => r.id === "microsoft-prefixes");
    if (!base) throw new Error("fixture");
    const many = Array.from({ length: 1001 }, (_, i) => ({ ...base, id: `p${i}`, prefixes: { ipv4: [], ipv6: [`2001:db8::${i.toString(16)}/128`] } }));
    expect(() => emitNsgTemplate({ ...resolved, rules: many }, { priorityStep: 1 })).toThrow(/1001 security rules.*at most 1000/);
  });
});

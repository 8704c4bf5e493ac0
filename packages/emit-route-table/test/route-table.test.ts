import { readFileSync } from "node:fs";
import { currentRevision, getUdrAdvice, regions, resolveRules, udrAdvice, type CoverageEntry, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import { emitRouteTable, RouteTableOptionError, type RouteTableOptions } from "@cassandra-mi-netrules/emit-route-table";
import { SERVICE_TAGS_FILE, validateArmTemplate } from "@cassandra-mi-netrules/testkit/arm";
import { contractTests, emitChecked as emitCheckedBy, expectDeterministic, goldenTests, runArmMatrix, type GoldenScenario } from "@cassandra-mi-netrules/testkit/arm-emitter";
import { invalidResolvedTests } from "@cassandra-mi-netrules/testkit/invalid-resolved";
import { describe, expect, it } from "vitest";
import { routesOf, routeTableUnderTest } from "./roundtrip.js";

const emitChecked = (resolved: ResolvedRules, options: RouteTableOptions = {}) => emitCheckedBy(routeTableUnderTest, resolved, options);
const EASTUS = { regions: ["eastus"], subnet: "10.9.0.0/24" };
const serviceTags = loadServiceTags(readFileSync(SERVICE_TAGS_FILE, "utf8"));
const scriptOf = (resolved: ResolvedRules, options: RouteTableOptions = {}) => emitRouteTable(resolved, options).files.find((f) => f.path === "route-table.sh")?.content ?? "";

const scenarios: ReadonlyArray<GoldenScenario<RouteTableOptions>> = [
  { name: "eastus", resolve: EASTUS, options: {} },
  { name: "eastus-westus2-regional-tags", resolve: { regions: ["eastus", "westus2"], subnet: "10.9.0.0/24" }, options: { regionalTags: true } },
  { name: "eastus-existing-table", resolve: EASTUS, options: { routeTable: "existing", routeTableName: "rt-hub-egress" } },
  { name: "eastus-sample-prefixes", resolve: EASTUS, options: { mode: "sample-prefixes" } },
  { name: "eastus-sample-prefixes-service-tags-file", resolve: { ...EASTUS, serviceTags }, options: { mode: "sample-prefixes", disableBgpRoutePropagation: true } },
  { name: "revision-2021-09-13", resolve: { revision: "2021-09-13", ...EASTUS }, options: {} },
  { name: "no-region-no-subnet", resolve: { regions: [] }, options: {} },
];

describe("route-table goldens", () => {
  goldenTests(routeTableUnderTest, new URL("./__golden__/", import.meta.url), scenarios);

  for (const s of scenarios) {
    it(`${s.name}: the az script matches its golden file`, async () => {
      await expect(scriptOf(resolveRules(s.resolve), s.options)).toMatchFileSnapshot(new URL(`./__golden__/${s.name}.route-table.sh`, import.meta.url).pathname);
    });
  }
});

describe("route-table: what the routes hold", () => {
  it("the current revision: one route per service tag and prefix of the revision, next hop Internet, and nothing else", () => {
    const resolved = resolveRules(EASTUS);
    const { content } = emitChecked(resolved);
    const tags = [...new Set(currentRevision.requirements.flatMap((r) => r.destinations.flatMap((d) => (d.type === "serviceTag" ? [d.tag] : []))))].sort();
    const prefixes = currentRevision.requirements.flatMap((r) => r.destinations.flatMap((d) => (d.type === "prefixes" ? d.prefixes : []))).sort();
    expect(tags).toHaveLength(9);
    expect(prefixes).toEqual(["104.40.0.0/13", "13.104.0.0/14", "40.64.0.0/10"]);
    const routes = routesOf(content, {});
    expect(routes.map((r) => r.properties.addressPrefix).sort()).toEqual([...tags, ...prefixes].sort());
    for (const r of routes) expect(r.properties.nextHopType).toBe("Internet");
  });

  it("sample-prefixes mode: exactly the sample's 52 prefixes, in its order, named msft1..msft52, next hop Internet", () => {
    const sample = getUdrAdvice("2021-11-02")?.sample;
    expect(sample?.prefixes).toHaveLength(52);
    const vendored = readFileSync(new URL("../../../vendor/udr/configureUDR.62eb687.prefixes.txt", import.meta.url), "utf8").trim().split("\n");
    for (const existing of [false, true]) {
      const options: RouteTableOptions = { mode: "sample-prefixes", ...(existing ? { routeTable: "existing" as const } : {}) };
      const routes = routesOf(emitChecked(resolveRules(EASTUS), options).content, options);
      expect(routes.map((r) => r.properties.addressPrefix)).toEqual(vendored);
      expect(routes.map((r) => r.name)).toEqual(vendored.map((_, i) => `msft${i + 1}`));
      expect(new Set(routes.map((r) => r.properties.nextHopType))).toEqual(new Set(["Internet"]));
    }
    // The script puts the same 52 routes.
    const calls = scriptOf(resolveRules(EASTUS), { mode: "sample-prefixes" }).split("\n").filter((l) => l.startsWith("put_route "));
    expect(calls).toEqual(vendored.map((p, i) => `put_route 'msft${i + 1}' '${p}' --next-hop-type 'Internet'`));
  });

  it("coverage: host-name-only rows and internal ports cannot be served by a route; tag-backed host names are approximated", () => {
    const { coverage } = emitChecked(resolveRules(EASTUS));
    const get = (id: string) => coverage.find((c) => c.ruleId === id) as CoverageEntry;
    expect(get("tag-storage")).toMatchObject({ status: "enforced", how: expect.stringContaining("route cassandra-storage: service tag Storage, next hop Internet") });
    expect(get("microsoft-prefixes").status).toBe("enforced");
    expect(get("storage-control-plane").status).toBe("approximated");
    expect(get("storage-control-plane").why).toMatch(/not host names.*snovapeastus\.blob\.core\.windows\.net/);
    expect(get("security-scanner-definitions")).toMatchObject({ status: "unsupported", how: "no route" });
    expect(get("security-scanner-definitions").why).toMatch(/never host names \(packages\.microsoft\.com\)/);
    expect(get("gossip")).toMatchObject({ status: "unsupported", how: "no route" });
    expect(get("gossip").why).toMatch(/cannot open or restrict ports.*NSG/);
  });

  it("sample mode with the service-tags file: the GA prefixes are held by the sample; tags whose addresses lie outside it are not", () => {
    const resolved = resolveRules({ ...EASTUS, serviceTags });
    const { coverage } = emitChecked(resolved, { mode: "sample-prefixes" });
    const get = (id: string) => coverage.find((c) => c.ruleId === id) as CoverageEntry;
    expect(get("microsoft-prefixes")).toMatchObject({ status: "enforced", how: expect.stringMatching(/^routes msft1, msft2, msft3 of the sample at 62eb687/) });
    // Storage's addresses in the vendored 2025 file go beyond the sample's 2021 list.
    expect(get("tag-storage").status).toBe("unsupported");
    expect(get("tag-storage").why).toMatch(/\d+ of the \d+ IPv4 prefixes of Storage lie outside it/);
    // Without the file the addresses are not known, which the coverage says.
    const bare = emitChecked(resolveRules(EASTUS), { mode: "sample-prefixes" }).coverage.find((c) => c.ruleId === "tag-storage");
    expect(bare?.why).toMatch(/not known without a service-tags file/);
  });

  it("regional tags where every region has a form listing UDR, else the global tag with a note", () => {
    const { coverage, content } = emitChecked(resolveRules(EASTUS), { regionalTags: true });
    expect(content).toContain('"addressPrefix": "Storage.EastUS"');
    expect(coverage.find((c) => c.ruleId === "tag-azure-monitor")?.how).toContain("global tag AzureMonitor used: AzureMonitor.EastUS does not list UDR");
  });

  it("the existing-table form holds only route resources, each deployed after the previous one", () => {
    const { content } = emitChecked(resolveRules(EASTUS), { routeTable: "existing" });
    const doc = JSON.parse(content) as { parameters: Record<string, unknown>; resources: Array<{ type: string; name: string; dependsOn?: string[] }> };
    expect(new Set(doc.resources.map((r) => r.type))).toEqual(new Set(["Microsoft.Network/routeTables/routes"]));
    expect(doc.resources[0]?.dependsOn).toBeUndefined();
    expect(doc.resources[1]?.dependsOn).toEqual(["[resourceId('Microsoft.Network/routeTables/routes', parameters('routeTableName'), 'cassandra-storage')]"]);
    expect(Object.keys(doc.parameters)).toEqual(["routeTableName"]);
  });
});

describe("route-table: options and limits", () => {
  const resolved = resolveRules(EASTUS);
  it.each([
    [{ mode: "prefixes" }, 'route-table option mode: must be "service-tags" or "sample-prefixes" (value: "prefixes")'],
    [{ routeTable: "new" }, 'route-table option routeTable: must be "create" or "existing" (value: "new")'],
    [{ routeTableName: "rt cassandra" }, 'route-table option routeTableName: 1-80 letters, digits, _ . -; starting with a letter or digit, ending with a letter, digit or _ (value: "rt cassandra")'],
    [{ regionalTags: "yes" }, 'route-table option regionalTags: must be true or false (value: "yes")'],
    [{ form: "terraform" }, 'route-table option form: must be "both" or "arm" or "az" (value: "terraform")'],
    [{ colour: "red" }, 'route-table option colour: unknown option; known: routeTable, routeTableName, mode, regionalTags, disableBgpRoutePropagation, form (value: "red")'],
  ])("refuses %j", (options, message) => {
    expect(() => emitRouteTable(resolved, options as RouteTableOptions)).toThrow(RouteTableOptionError);
    expect(() => emitRouteTable(resolved, options as RouteTableOptions)).toThrow(message);
  });

  it("sample-prefixes mode for a revision whose page links no sample: an option error naming the revisions that do", () => {
    expect(udrAdvice.map((a) => a.revision)).toEqual(["2021-11-02"]);
    expect(() => emitRouteTable(resolveRules({ revision: "2021-09-13", ...EASTUS }), { mode: "sample-prefixes" })).toThrow(
      'route-table option mode: the page of revision 2021-09-13 links no sample script for user-defined routes (revisions that do: 2021-11-02) (value: "sample-prefixes")',
    );
  });

  it("form arm or az writes that file alone", () => {
    expect(emitRouteTable(resolved, { form: "arm" }).files.map((f) => f.path)).toEqual(["route-table.json"]);
    expect(emitRouteTable(resolved, { form: "az" }).files.map((f) => f.path)).toEqual(["route-table.sh"]);
  });

  it("more than 25 routes with a service tag (regional forms in many regions): a RangeError naming the limit", () => {
    const many = resolveRules({ regions: regions.slice(0, 8).map((r) => r.name), subnet: "10.9.0.0/24" });
    const e = (() => {
      try {
        emitRouteTable(many, { regionalTags: true });
      } catch (err) {
        return err as Error;
      }
      throw new Error("expected an error");
    })();
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/routes with a service tag; Azure allows at most 25 per route table/);
    expect(validateArmTemplate(emitRouteTable(many, { form: "arm" }).files[0]?.content ?? "").errors).toEqual([]);
  });

  it("more than 400 routes: a RangeError naming the limit; 400 fit", () => {
    const template = resolved.rules.find((r) => r.id === "microsoft-prefixes") as ResolvedRule;
    const hosts = (n: number) => Array.from({ length: n }, (_, i) => `10.${Math.floor(i / 250)}.${i % 250}.0/24`);
    const withPrefixes = (n: number): ResolvedRules => ({ ...resolved, rules: [{ ...template, serviceTags: [], prefixes: { ipv4: hosts(n), ipv6: [] } }] });
    expect(() => emitRouteTable(withPrefixes(401))).toThrow(/401 routes; Azure allows at most 400 per route table/);
    const ok = emitChecked(withPrefixes(400));
    expect(routesOf(ok.content, {})).toHaveLength(400);
  });
});

describe("route-table: every region x revision x option set", () => {
  it("passes the ARM schemas and the limit checks, and reads back as its coverage claims", { timeout: 600_000 }, () => {
    const withSample = udrAdvice.map((a) => a.revision);
    const optionSets = [
      { subnet: "10.9.0.0/24", options: {} },
      { options: { regionalTags: true, routeTable: "existing" as const } },
      { subnet: "10.9.0.0/24", options: { mode: "sample-prefixes" as const }, revisions: withSample },
      { subnet: "10.9.0.0/24", options: { mode: "sample-prefixes" as const, routeTable: "existing" as const, disableBgpRoutePropagation: true }, revisions: withSample },
    ];
    const { templates, fewestClaims } = runArmMatrix(routeTableUnderTest, optionSets);
    expect(templates).toBe(62 * (4 * 2 + withSample.length * 2));
    // Every template routes at least one requirement (the prefixes, or a tag).
    expect(fewestClaims).toBeGreaterThanOrEqual(1);
  });
});

describe("route-table contract", () => {
  contractTests(routeTableUnderTest);
  it("is deterministic whatever the order of the input rules", () => {
    expectDeterministic(routeTableUnderTest, resolveRules({ regions: ["eastus", "westeurope"], subnet: "10.9.0.0/24" }), { regionalTags: true });
    expectDeterministic(routeTableUnderTest, resolveRules({ ...EASTUS, serviceTags }), { mode: "sample-prefixes" });
  });
});

describe("route-table refuses resolved rules no route table may hold (issue 16, item 24)", () => {
  invalidResolvedTests((r) => emitRouteTable(r));
});

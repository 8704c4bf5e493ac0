import { readFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { currentRevision, getRegion, getRevision, ResolveError, resolveRules, UnknownNameError } from "@cassandra-mi-netrules/core";
import { loadServiceTags, ServiceTagsError } from "@cassandra-mi-netrules/core/service-tags";
import type { ServiceTagIndex } from "@cassandra-mi-netrules/core";

const repoRoot = resolvePath(import.meta.dirname, "../../..");
const tagsText = readFileSync(resolvePath(repoRoot, "vendor/service-tags/ServiceTags_Public_20251028.json"), "utf8");
let index: ServiceTagIndex;
beforeAll(() => {
  index = loadServiceTags(tagsText, "ServiceTags_Public_20251028.json");
});

describe("resolveRules", () => {
  it("fills {region} with each lower-case ARM location, sorted, and keeps wildcards", () => {
    const r = resolveRules({ regions: ["westus2", "eastus", "eastus"] });
    expect(r.regions).toEqual(["eastus", "westus2"]);
    const cp = r.rules.find((x) => x.id === "storage-control-plane");
    expect(cp?.fqdns.map((f) => f.fqdn)).toEqual(["snovapeastus.blob.core.windows.net", "snovapwestus2.blob.core.windows.net"]);
    expect(r.rules.find((x) => x.id === "dsms-regional")?.fqdns.map((f) => f.fqdn)).toEqual([
      "eastus-dsms.dsms.core.windows.net",
      "westus2-dsms.dsms.core.windows.net",
    ]);
    const backup = r.rules.find((x) => x.id === "storage-backup");
    expect(backup?.fqdns).toEqual([{ fqdn: "*.blob.core.windows.net", pattern: "*.blob.core.windows.net", wildcard: true }]);
    expect(r.revision.id).toBe("2021-11-02");
    expect(r.rules).toHaveLength(31);
  });

  it("without regions leaves the placeholders unresolved and says so", () => {
    const r = resolveRules({ regions: [] });
    const kv = r.rules.find((x) => x.id === "key-vault");
    expect(kv?.fqdns).toEqual([]);
    expect(kv?.unresolvedFqdns).toEqual(["vmc-p-{region}.vault.azure.net"]);
  });

  it("chooses regional tag forms from the vendored catalogue and reports regions without one", () => {
    const r = resolveRules({ regions: ["eastus", "westeurope"] });
    const storage = r.rules.find((x) => x.id === "tag-storage")?.serviceTags[0];
    expect(storage?.regional.map((t) => [t.name, t.region])).toEqual([
      ["Storage.EastUS", "eastus"],
      ["Storage.WestEurope", "westeurope"],
    ]);
    expect(storage?.global.networkFeatures).toEqual(["API", "NSG", "UDR", "FW", "VSE"]);
    expect(storage?.global.prefixes).toBeUndefined();
    const aad = r.rules.find((x) => x.id === "tag-azure-active-directory")?.serviceTags[0];
    expect(aad?.regional).toEqual([]);
    expect(aad?.regionsWithoutForm).toEqual(["eastus", "westeurope"]);
    expect(r.serviceTags).toEqual({ source: "catalog", changeNumber: 375 });
  });

  it("attaches merged prefixes, IPv4 and IPv6 apart, when a service-tags index is given", () => {
    const r = resolveRules({ regions: ["eastus"], serviceTags: index });
    const storage = r.rules.find((x) => x.id === "tag-storage")?.serviceTags[0];
    expect(storage?.global.prefixes?.ipv4.length).toBeGreaterThan(100);
    expect(storage?.global.prefixes?.ipv6.every((p) => p.includes(":"))).toBe(true);
    expect(storage?.global.prefixes?.ipv4.every((p) => !p.includes(":"))).toBe(true);
    expect(storage?.regional[0]?.prefixes?.ipv4.length).toBeGreaterThan(10);
    expect(r.serviceTags).toEqual({ source: "file", cloud: "Public", changeNumber: 375 });
    const pre = r.rules.find((x) => x.id === "microsoft-prefixes");
    expect(pre?.prefixes).toEqual({ ipv4: ["13.104.0.0/14", "40.64.0.0/10", "104.40.0.0/13"], ipv6: [] });
  });

  it("revision 2021-08-14 keeps the Storage.<Region> row as regional-only", () => {
    const r = resolveRules({ revision: "2021-08-14", regions: ["eastus"] });
    const row = r.rules.find((x) => x.id === "tag-storage-regional")?.serviceTags[0];
    expect(row?.regionalOnly).toBe(true);
    expect(row?.regional.map((t) => t.name)).toEqual(["Storage.EastUS"]);
    expect(r.rules).toHaveLength(22);
  });

  it("applies features: backup off drops the backup row, vpn on waives every outbound row", () => {
    const noBackup = resolveRules({ regions: ["eastus"], features: { backup: false } });
    expect(noBackup.rules.map((r) => r.id)).not.toContain("storage-backup");
    expect(noBackup.excluded.map((e) => e.id)).toEqual(["storage-backup"]);
    const vpn = resolveRules({ regions: ["eastus"], features: { vpn: true } });
    expect(vpn.rules.map((r) => r.id)).toEqual(["internal-8443", "internal-9443", "gossip", "cql", "jmx"]);
    expect(vpn.excluded).toHaveLength(26);
    expect(vpn.features).toEqual({ backup: true, vpn: true });
  });

  it("validates the subnet and names the bad value", () => {
    expect(resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" }).subnet).toEqual({ cidr: "10.9.0.0/24", family: 4 });
    expect(resolveRules({ regions: ["eastus"], subnet: "2001:db8:0:0::/64" }).subnet).toEqual({ cidr: "2001:db8::/64", family: 6 });
    expect(() => resolveRules({ regions: ["eastus"], subnet: "10.9.0.5/24" })).toThrow(
      'subnet: "10.9.0.5/24" is not a valid CIDR prefix: host bits are set; the network is 10.9.0.0/24 (value: "10.9.0.5/24")',
    );
    expect(() => resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/33" })).toThrow(ResolveError);
  });

  it("rejects an unknown region with the nearest valid one", () => {
    expect(() => resolveRules({ regions: ["eastus", "westeruope"] })).toThrow(/^unknown region "westeruope"; did you mean "westeurope"\?/);
    expect(() => resolveRules({ regions: ["East Us 22"] })).toThrow(/did you mean "eastus2"\?/);
    const far = () => resolveRules({ regions: ["nowhere-at-all-region"] });
    expect(far).toThrow(UnknownNameError);
    expect(far).toThrow(expect.objectContaining({ value: "nowhere-at-all-region", suggestion: undefined }));
    expect(far).toThrow(/^unknown region "nowhere-at-all-region" \(known: /);
    expect(() => resolveRules({ regions: ["eastus"], revision: "2021-11-03" })).toThrow(/unknown revision "2021-11-03"; did you mean "2021-11-02"/);
    expect(() => resolveRules({ regions: ["eastus"], features: { backups: true } })).toThrow(/features\.backups: unknown feature/);
  });

  it("refuses a subnet no delegated subnet can be: Azure's /2 to /29 (IPv4) and exactly /64 (IPv6)", () => {
    for (const ok of ["64.0.0.0/2", "10.0.0.0/8", "10.9.0.0/29", "2001:db8:1::/64"]) expect(resolveRules({ regions: [], subnet: ok }).subnet?.cidr).toBe(ok);
    const cases: Array<[string, RegExp]> = [
      ["0.0.0.0/0", /^subnet: \/0 is wider than any Azure subnet: a delegated subnet is \/2 to \/29 for IPv4 and exactly \/64 for IPv6 \(Azure Virtual Network FAQ\) \(value: "0\.0\.0\.0\/0"\)$/],
      ["::/0", /^subnet: \/0 is wider than any Azure subnet: .* \(value: "::\/0"\)$/],
      ["0.0.0.0/1", /^subnet: \/1 is wider than any Azure subnet/],
      ["2001:db8::/48", /^subnet: \/48 is wider than any Azure subnet/],
      ["2001:db8::/63", /^subnet: \/63 is wider than any Azure subnet/],
      ["10.9.0.0/30", /^subnet: \/30 is narrower than any Azure subnet/],
      ["192.0.2.7/32", /^subnet: \/32 is narrower than any Azure subnet/],
      ["2001:db8::/120", /^subnet: \/120 is narrower than any Azure subnet/],
    ];
    for (const [bad, message] of cases) {
      const e = (() => {
        try {
          resolveRules({ regions: ["eastus"], subnet: bad });
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e, bad).toBeInstanceOf(ResolveError);
      expect((e as ResolveError).message, bad).toMatch(message);
      expect(e).toMatchObject({ field: "subnet", value: bad });
    }
  });

  it("takes regions as az does: any case, spaces ignored, display names; output is the ARM name", () => {
    expect(resolveRules({ regions: ["EastUS", "East US", "east us 2", "West Europe", "WESTEUROPE"] }).regions).toEqual(["eastus", "eastus2", "westeurope"]);
    expect(getRegion("East US 2").name).toBe("eastus2");
    expect(getRegion("Korea Central")).toBe(getRegion("koreacentral"));
    const storage = resolveRules({ regions: ["West Europe"] }).rules.find((x) => x.id === "storage-control-plane");
    expect(storage?.fqdns.map((f) => f.fqdn)).toEqual(["snovapwesteurope.blob.core.windows.net"]);
    expect(() => getRegion("East-US")).toThrow(/^unknown region "East-US"; did you mean "eastus"\?/);
  });

  it("refuses an empty region instead of reading it as no region", () => {
    for (const empty of ["", " ", "\t"]) {
      expect(() => resolveRules({ regions: [empty] }), JSON.stringify(empty)).toThrow(ResolveError);
      expect(() => resolveRules({ regions: ["eastus", empty] })).toThrow(
        `region: empty region name; pass no region at all to leave {region} unfilled (value: ${JSON.stringify(empty)})`,
      );
    }
    expect(resolveRules({ regions: [] }).regions).toEqual([]);
  });

  it("takes a revision as latest, its label (GA, V1..V3, any case) or its date", () => {
    expect(getRevision("latest")).toBe(currentRevision);
    expect(getRevision("GA").id).toBe("2021-11-02");
    expect(getRevision("ga")).toBe(getRevision("2021-11-02"));
    expect(getRevision("v1").id).toBe("2021-05-21");
    expect(resolveRules({ regions: [], revision: "latest" }).revision.id).toBe(currentRevision.id);
    expect(resolveRules({ regions: [], revision: "V2" }).revision.id).toBe("2021-08-14");
    expect(() => getRevision("lastest")).toThrow(/^unknown revision "lastest"; did you mean "latest"\?/);
    expect(() => getRevision("")).toThrow(/^unknown revision ""/);
  });

  it("is deterministic: same options, same JSON", () => {
    const a = JSON.stringify(resolveRules({ regions: ["westus2", "eastus"], subnet: "10.0.0.0/24" }));
    const b = JSON.stringify(resolveRules({ regions: ["eastus", "westus2"], subnet: "10.0.0.0/24" }));
    expect(a).toBe(b);
  });
});


describe("loadServiceTags", () => {
  it("indexes every tag, case-insensitively, with merged prefixes and the changeNumber", () => {
    expect(index.changeNumber).toBe(375);
    expect(index.tags.size).toBe(3039);
    const st = index.get("storage.eastus");
    expect(st?.name).toBe("Storage.EastUS");
    expect(st?.region).toBe("eastus");
    expect(st?.prefixCountIn).toBe(124);
    expect((st?.prefixes.ipv4.length ?? 0) + (st?.prefixes.ipv6.length ?? 0)).toBeLessThanOrEqual(124);
  });

  it("merges adjacent and contained prefixes per tag", () => {
    const file = {
      changeNumber: 1,
      cloud: "Public",
      values: [
        {
          name: "Test",
          id: "Test",
          properties: {
            changeNumber: 1,
            region: "",
            addressPrefixes: ["192.0.2.0/25", "192.0.2.128/25", "192.0.2.7/32", "2001:db8::/33", "2001:db8:8000::/33", "198.51.100.0/24"],
            networkFeatures: ["NSG"],
          },
        },
      ],
    };
    expect(loadServiceTags(file).get("test")?.prefixes).toEqual({ ipv4: ["192.0.2.0/24", "198.51.100.0/24"], ipv6: ["2001:db8::/32"] });
  });

  it("names the field and value of a malformed file", () => {
    expect(() => loadServiceTags("{not json", "bad.json")).toThrow(/^bad\.json: \(root\): not valid JSON/);
    expect(() => loadServiceTags({ changeNumber: "x", cloud: "Public", values: [] }, "f.json")).toThrow(/^f\.json: changeNumber: .*\(value: "x"\)/);
    const prefix = { changeNumber: 1, region: "", addressPrefixes: ["192.0.2.0/24", "300.1.1.1/8"] };
    // Prefixes are read when the tag is first used.
    const bad = () => loadServiceTags({ changeNumber: 1, cloud: "Public", values: [{ name: "A", id: "A", properties: prefix }] }, "f.json").get("a");
    expect(bad).toThrow(ServiceTagsError);
    expect(bad).toThrow(expect.objectContaining({ field: "values[0].properties.addressPrefixes[1]", value: "300.1.1.1/8" }));
    expect(bad).toThrow('(value: "300.1.1.1/8")');
    const missing = () => loadServiceTags({ changeNumber: 1, cloud: "Public", values: [{ name: "A", properties: prefix }] }, "f.json").get("A");
    expect(missing).toThrow(/^f\.json: values\[0\]\.id: .*\(value: missing\)$/);
  });
});

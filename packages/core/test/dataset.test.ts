// The dataset against the page history (vendor/pages/source-history.md), row for row.
import { describe, expect, it } from "vitest";
import { allRequirements, getRevision, requiredRules, revisions, serviceTagCatalog } from "@cassandra-mi-netrules/core";
import type { Requirement } from "@cassandra-mi-netrules/core";

const fqdnRows = (rs: readonly Requirement[]) =>
  rs.filter((r) => r.provenance.table === "azure-global").map((r) => ({
    fqdn: r.destinations.find((d) => d.type === "fqdn")?.fqdn,
    tag: r.destinations.flatMap((d) => (d.type === "serviceTag" ? [d.tag] : []))[0] ?? null,
    protocol: r.protocol,
    ports: r.ports,
  }));
const tagRows = (rs: readonly Requirement[]) =>
  rs.filter((r) => r.provenance.table === "service-tags").map((r) => {
    const d = r.destinations[0];
    return d?.type === "serviceTag" ? `${d.tag}${d.regionalOnly ? ".<Region>" : ""}` : "?";
  });

const p443 = [{ from: 443, to: 443 }];
const V1_FQDN = [
  { fqdn: "snovap{region}.blob.core.windows.net", tag: "Storage", protocol: "HTTPS", ports: p443 },
  { fqdn: "*.blob.core.windows.net", tag: "Storage", protocol: "HTTPS", ports: p443 },
  { fqdn: "vmc-p-{region}.vault.azure.net", tag: "AzureKeyVault", protocol: "HTTPS", ports: p443 },
  { fqdn: "management.azure.com", tag: "AzureResourceManager", protocol: "HTTPS", ports: p443 },
  { fqdn: "*.servicebus.windows.net", tag: "EventHub", protocol: "HTTPS", ports: p443 },
  { fqdn: "jarvis-west.dc.ad.msft.net", tag: "AzureMonitor", protocol: "HTTPS", ports: p443 },
  { fqdn: "login.microsoftonline.com", tag: "AzureActiveDirectory", protocol: "HTTPS", ports: p443 },
  { fqdn: "packages.microsoft.com", tag: null, protocol: "HTTPS", ports: p443 },
];
const STORE = { fqdn: "*.store.core.windows.net", tag: "Storage", protocol: "HTTPS", ports: p443 };
const V2_FQDN = [V1_FQDN[0], STORE, ...V1_FQDN.slice(1)];
const V3_FQDN = [
  ...V2_FQDN,
  ...[
    "azure.microsoft.com",
    "{region}-dsms.dsms.core.windows.net",
    "gcs.prod.monitoring.core.windows.net",
    "global.prod.microsoftmetrics.com",
    "shavsalinuxscanpkg.blob.core.windows.net",
    "crl.microsoft.com",
    "global-dsms.dsms.core.windows.net",
  ].map((fqdn) => ({ fqdn, tag: null, protocol: "HTTPS", ports: p443 })),
];
const V2_TAGS = [
  "Storage",
  "AzureKeyVault",
  "EventHub",
  "AzureMonitor",
  "AzureActiveDirectory",
  "GuestAndHybridManagement",
  "ApiManagement",
  "Storage.<Region>",
];
const GA_TAGS = [
  "Storage",
  "AzureKeyVault",
  "EventHub",
  "AzureMonitor",
  "AzureActiveDirectory",
  "AzureResourceManager",
  "AzureFrontDoor.FirstParty",
  "GuestAndHybridManagement",
  "ApiManagement",
];
const INTERNAL = [8443, 9443, 7001, 9042, 7199];

describe("revisions reproduce the page history", () => {
  it("has the four rule-changing states, oldest first, current last", () => {
    expect(revisions.map((r) => [r.id, r.label, r.status])).toEqual([
      ["2021-05-21", "V1", "preview"],
      ["2021-08-14", "V2", "preview"],
      ["2021-09-13", "V3", "preview"],
      ["2021-11-02", "GA", "ga"],
    ]);
    expect(requiredRules).toBe(getRevision("2021-11-02").requirements);
    for (const r of revisions) expect(r.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(getRevision("2021-05-21").source.commit).toBe("c072eefdba1fc1f582005cdd549218863d1e149e");
    expect(getRevision("2021-11-02").source.commit).toBe("0a0b54d2195d184f5f2023d0d3de9831798f2cf5");
  });

  it.each([
    ["2021-05-21", V1_FQDN, []],
    ["2021-08-14", V2_FQDN, V2_TAGS],
    ["2021-09-13", V3_FQDN, V2_TAGS],
    ["2021-11-02", V3_FQDN, GA_TAGS],
  ] as const)("%s: FQDN rows and tag rows, value for value", (id, fqdns, tags) => {
    const rev = getRevision(id);
    expect(fqdnRows(rev.requirements)).toEqual(fqdns);
    expect(tagRows(rev.requirements)).toEqual(tags);
    for (const r of rev.requirements.filter((q) => q.provenance.table === "service-tags")) {
      expect(r.protocol).toBe("HTTPS");
      expect(r.ports).toEqual(p443);
    }
  });

  it("counts per revision: FQDN rows 8/9/16/16, tags 0/8/8/9, GA prefixes 3, internal ports 5", () => {
    const count = (id: string, table: string) => getRevision(id).requirements.filter((r) => r.provenance.table === table).length;
    expect(revisions.map((r) => count(r.id, "azure-global"))).toEqual([8, 9, 16, 16]);
    expect(revisions.map((r) => count(r.id, "service-tags"))).toEqual([0, 8, 8, 9]);
    expect(revisions.map((r) => count(r.id, "internal-ports"))).toEqual([5, 5, 5, 5]);
    const prefixes = (id: string) =>
      getRevision(id).requirements.flatMap((r) => r.destinations.flatMap((d) => (d.type === "prefixes" ? d.prefixes : [])));
    expect(prefixes("2021-09-13")).toEqual([]);
    expect(prefixes("2021-11-02")).toEqual(["104.40.0.0/13", "13.104.0.0/14", "40.64.0.0/10"]);
  });

  it("internal ports are 8443, 9443, 7001, 9042, 7199 in page order, TCP inferred", () => {
    for (const rev of revisions) {
      const internal = rev.requirements.filter((r) => r.kind === "internal");
      expect(internal.map((r) => r.ports[0]?.from)).toEqual(INTERNAL);
      for (const r of internal) {
        expect(r.protocol).toBe("TCP");
        expect(r.inferred.some((i) => i.about === "protocol") || r.id === "internal-8443" || r.id === "internal-9443").toBe(true);
      }
    }
  });
});

describe("requirements as the design describes them", () => {
  it("ids are unique kebab-case; every requirement has both purposes", () => {
    const ids = allRequirements.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of allRequirements) {
      expect(r.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(r.purpose.en.length).toBeGreaterThan(5);
      expect(r.purpose.fr.length).toBeGreaterThan(5);
      expect(r.provenance.since).toBe(r.provenance.revisions[0]);
    }
  });

  it("records what the source leaves unsaid as inferences", () => {
    const about = (id: string) => allRequirements.find((r) => r.id === id)?.inferred.map((i) => i.about) ?? [];
    for (const id of ["storage-control-plane", "key-vault", "dsms-regional"]) expect(about(id)).toContain("fqdn.region");
    expect(about("microsoft-prefixes")).toContain("ports");
    expect(about("internal-8443")).toContain("purpose");
    expect(about("gossip")).toContain("protocol");
  });

  it("uses canonical tag names and keeps the source's misspellings as provenance", () => {
    const fd = allRequirements.find((r) => r.id === "tag-azure-front-door-first-party");
    expect(fd?.destinations).toEqual([{ type: "serviceTag", tag: "AzureFrontDoor.FirstParty", regional: false }]);
    expect(fd?.provenance.asWritten["2021-11-02"]).toContain("AzureFrontDoor.Firstparty");
    const gh = allRequirements.find((r) => r.id === "tag-guest-and-hybrid-management");
    expect(gh?.provenance.asWritten["2021-08-14"]).toBe("GuestandHybridManagement");
    for (const r of allRequirements)
      for (const d of r.destinations) if (d.type === "serviceTag") expect(serviceTagCatalog.tags[d.tag]?.name).toBe(d.tag);
  });

  it("the data is frozen", () => {
    expect(Object.isFrozen(requiredRules)).toBe(true);
    expect(Object.isFrozen(requiredRules[0]?.destinations)).toBe(true);
    expect(() => {
      (requiredRules as Requirement[]).push(requiredRules[0] as Requirement);
    }).toThrow();
  });
});

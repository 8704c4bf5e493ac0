// diffRevisions in rules: what each added or removed requirement opens, rule changes, and wording apart.
import { describeWireRule, diffRevisionData, diffRevisions, getRequirement, getRevision, revisions, wireRule, type Requirement, type RevisionDiff } from "@cassandra-mi-netrules/core";
import { describe, expect, it } from "vitest";
import { historyStates } from "./history.js";

const revision = (id: string, requirements: Requirement[]) => ({ id, requirementIds: requirements.map((r) => r.id), requirements });

describe("diffRevisions between the documented revisions", () => {
  it("2021-05-21 -> 2021-11-02: crl.microsoft.com and every other added destination with its port, 0 changed, the 8 wording changes apart", () => {
    const d = diffRevisions("2021-05-21", "2021-11-02");
    expect([d.added.length, d.removed.length, d.changed.length, d.wording.length]).toEqual([18, 0, 0, 8]);
    const crl = d.rules.added.find((r) => r.id === "crl");
    expect(crl).toEqual({ id: "crl", direction: "outbound", destinations: [{ type: "fqdn", value: "crl.microsoft.com" }], protocol: "HTTPS", transport: "TCP", ports: "443", conditions: [], inferred: [] });
    expect(describeWireRule(crl!)).toBe("outbound from the cluster subnet to crl.microsoft.com, TCP 443 (HTTPS)");
    // Every destination the GA page has and the first page did not: the history's rows, not a copy of the data.
    const { "2021-05-21": v1, "2021-11-02": ga } = historyStates();
    const before = new Set([...v1.fqdn.map((r) => r.fqdn), ...v1.tags.map((t) => t.canonical), ...v1.prefixes]);
    const addedDestinations = [...ga.fqdn.map((r) => r.fqdn), ...ga.tags.map((t) => t.canonical), ...ga.prefixes].filter((x) => !before.has(x));
    expect(addedDestinations.length).toBe(7 + 1 + 9 + 3);
    const text = d.rules.added.map((r) => describeWireRule(r)).join("\n");
    for (const destination of addedDestinations) expect(text, destination).toMatch(new RegExp(`${destination.replace(/[.*{}]/gu, "\\$&")}[^\\n]*, TCP 443 \\(HTTPS\\)`, "u"));
    expect(d.wording.map((w) => w.id)).toEqual(["cql", "entra-id-login", "event-hub-logs", "gossip", "internal-8443", "internal-9443", "jmx", "key-vault"]);
    expect(d.wording.find((w) => w.id === "key-vault")).toEqual({
      id: "key-vault",
      field: "provenance.asWritten",
      before: "vmc-p-`<region>`.vault.azure.net:443 ou Étiquette de service : Azure KeyVault",
      after: "`vmc-p-<region>.vault.azure.net:443` Or ServiceTag - Azure Key Vault",
    });
  });

  it("V1 -> V2 adds the tag table and the store row; the rules come in page order", () => {
    const d = diffRevisions("2021-05-21", "2021-08-14");
    expect(d.added).toEqual(["storage-store", "tag-api-management", "tag-azure-active-directory", "tag-azure-key-vault", "tag-azure-monitor", "tag-event-hub", "tag-guest-and-hybrid-management", "tag-storage", "tag-storage-regional"]);
    expect(d.rules.added.map((r) => r.id)).toEqual(["storage-store", "tag-storage", "tag-azure-key-vault", "tag-event-hub", "tag-azure-monitor", "tag-azure-active-directory", "tag-guest-and-hybrid-management", "tag-api-management", "tag-storage-regional"]);
    expect([d.removed, d.changed, d.wording]).toEqual([[], [], []]);
  });

  it("V2 -> V3: the GuestAndHybridManagement spelling fix is wording, not a rule change", () => {
    const d = diffRevisions("2021-08-14", "2021-09-13");
    expect(d.added).toHaveLength(7);
    expect(d.changed).toEqual([]);
    expect(d.wording).toEqual([{ id: "tag-guest-and-hybrid-management", field: "provenance.asWritten", before: "GuestandHybridManagement", after: "GuestAndHybridManagement" }]);
  });

  it("V3 -> GA removes Storage.<Region>, one per datacenter region, and says so", () => {
    const d = diffRevisions("2021-09-13", "2021-11-02");
    expect(d.added).toEqual(["microsoft-prefixes", "tag-azure-front-door-first-party", "tag-azure-resource-manager"]);
    expect(d.removed).toEqual(["tag-storage-regional"]);
    expect(describeWireRule(d.rules.removed[0]!)).toBe("outbound from the cluster subnet to service tag Storage.{region} (one per datacenter region), TCP 443 (HTTPS)");
    expect(describeWireRule(d.rules.added.find((r) => r.id === "microsoft-prefixes")!)).toBe(
      "outbound from the cluster subnet to prefixes 104.40.0.0/13, 13.104.0.0/14, 40.64.0.0/10, TCP 443 (HTTPS) [inferred: ports]",
    );
  });

  it("a revision against itself is empty", () => {
    expect(diffRevisions("2021-11-02", "2021-11-02")).toEqual({ from: "2021-11-02", to: "2021-11-02", added: [], removed: [], changed: [], wording: [], rules: { added: [], removed: [] } });
    expect(getRevision("2021-11-02").requirementIds).toHaveLength(31);
  });

  it("backwards, what was added is removed, and the wording swaps sides", () => {
    const forward = diffRevisions("2021-05-21", "2021-11-02");
    const back = diffRevisions("2021-11-02", "2021-05-21");
    expect(back.removed).toEqual(forward.added);
    expect(back.wording.map((w) => [w.id, w.before, w.after])).toEqual(forward.wording.map((w) => [w.id, w.after, w.before]));
  });

  it("every pair of revisions: each requirement is added, removed, changed or in both, once", () => {
    for (const a of revisions) {
      for (const b of revisions) {
        const d: RevisionDiff = diffRevisions(a.id, b.id);
        const both = a.requirementIds.filter((id) => b.requirementIds.includes(id));
        const accounted = [...d.added, ...d.removed, ...d.changed.flatMap((c) => [c.id, c.previousId]), ...both];
        expect(accounted.sort()).toEqual([...new Set([...a.requirementIds, ...b.requirementIds])].sort());
      }
    }
  });
});

describe("a rule that changes", () => {
  const crl = getRequirement("crl");

  it("a requirement replaced by one with the same destination and another port is one changed rule, not an addition and a removal", () => {
    const moved: Requirement = { ...crl, id: "crl-http", protocol: "TCP", ports: [{ from: 80, to: 80 }] };
    const d = diffRevisionData(revision("a", [crl]), revision("b", [moved]));
    expect([d.added, d.removed]).toEqual([[], []]);
    expect(d.changed).toEqual([{ id: "crl-http", previousId: "crl", fields: ["protocol", "ports"], before: wireRule(crl), after: wireRule(moved) }]);
  });

  it("a condition added or an alternative dropped is a change; another destination is an addition and a removal", () => {
    const backup = getRequirement("storage-backup");
    const withoutTag: Requirement = { ...backup, id: "storage-backup-fqdn", destinations: backup.destinations.filter((x) => x.type === "fqdn"), conditions: [] };
    const d = diffRevisionData(revision("a", [backup]), revision("b", [withoutTag]));
    expect(d.changed.map((c) => [c.previousId, c.id, c.fields])).toEqual([["storage-backup", "storage-backup-fqdn", ["destinations", "conditions"]]]);
    const elsewhere: Requirement = { ...crl, id: "crl2", destinations: [{ type: "fqdn", fqdn: "crl2.microsoft.com" }] };
    const e = diffRevisionData(revision("a", [crl]), revision("b", [elsewhere]));
    expect([e.added, e.removed, e.changed]).toEqual([["crl2"], ["crl"], []]);
  });
});

describe("describeWireRule", () => {
  it("says direction, destinations, transport and port, conditions and inferences, in English and French", () => {
    const backup = wireRule(getRequirement("storage-backup"));
    expect(describeWireRule(backup)).toBe(
      "outbound from the cluster subnet to *.blob.core.windows.net or service tag Storage (regional forms exist), TCP 443 (HTTPS); only when feature backup is enabled [inferred: conditions, serviceTag]",
    );
    expect(describeWireRule(backup, "fr")).toBe(
      "sortant du sous-réseau du cluster vers *.blob.core.windows.net ou l'étiquette de service Storage (formes régionales disponibles), TCP 443 (HTTPS); seulement quand la fonctionnalité backup est activée [déduit : conditions, serviceTag]",
    );
    expect(describeWireRule(wireRule(getRequirement("gossip")))).toBe("internal, within the virtual network (between the nodes, peered networks, ExpressRoute), TCP 7001 [inferred: protocol]");
  });
});

/**
 * What the Rego policy answers (run by the real opa), stated by hand for hand-written az and Terraform
 * inputs: first match with Azure's default rules, the NSG then the firewall, FQDNs decided by address
 * only as unknown, tags compared through the containment table. The differential test holds the same
 * answers to the evaluator's.
 */
import { resolveRules } from "@cassandra-mi-netrules/core";
import { emitOpaBundle } from "@cassandra-mi-netrules/emit-opa";
import { policyNonPublic } from "../src/policy.js";
import { audit, NON_PUBLIC_PREFIXES } from "@cassandra-mi-netrules/azure";
import { opaReports, removeTree, writeTree } from "@cassandra-mi-netrules/testkit/opa";
import { afterAll, describe, expect, it } from "vitest";
import { handFixture, type OpaReport } from "./helpers.js";

const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
const INTERNAL = ["cql", "gossip", "internal-8443", "internal-9443", "jmx"];

const dir = writeTree(emitOpaBundle(resolved, { includeTests: false }).files, "cmn-emit-opa-semantics-");
afterAll(() => removeTree(dir));
/** az-nsg-show.json with a Deny above everything to a regional tag the requirements never touch (a tag outside the data's containment table). */
const otherRegionDeny = (() => {
  const nsg = JSON.parse(JSON.stringify(handFixture("az-nsg-show.json"))) as { securityRules: unknown[] };
  nsg.securityRules.push({
    name: "DenySqlNorthEurope",
    priority: 80,
    direction: "Outbound",
    access: "Deny",
    protocol: "*",
    sourceAddressPrefix: "*",
    sourcePortRange: "*",
    destinationAddressPrefix: "Sql.NorthEurope",
    destinationPortRange: "*",
  });
  return nsg;
})();
const reports = opaReports(dir, { tf: handFixture("tfplan-hand.json"), nsg: handFixture("az-nsg-show.json"), rcg: handFixture("az-rcg-show.json"), other: otherRegionDeny }) as Record<string, OpaReport>;

function statusOf(rep: OpaReport, id: string): string | undefined {
  return rep.verdicts[id]?.status;
}

/** deny names every requirement that is blocked, partly open or unknown, once. */
function expectDenyMatchesVerdicts(rep: OpaReport): void {
  const ids = rep.deny.map((d) => d.slice(0, d.indexOf(":")));
  expect(new Set(ids).size).toBe(ids.length);
  const gaps = Object.entries(rep.verdicts).flatMap(([id, v]) => (["blocked", "partly-open", "unknown"].includes(v.status) ? [id] : []));
  expect(ids.sort()).toEqual(gaps.sort());
}

describe("Terraform plan written by hand (an NSG and a firewall policy)", () => {
  const rep = reports.tf as OpaReport;

  it("is read as a plan; the NSG is the subject, with the firewall on its way out", () => {
    expect(rep.format).toBe("tfplan");
    expect(rep.subjects).toEqual(["nsg-cassandra"]);
    expect(Object.keys(rep.verdicts).sort()).toEqual(resolved.rules.map((x) => x.id).sort());
  });

  it("a Deny of higher priority defeats a later Allow, and names the rule", () => {
    expect(rep.verdicts["tag-event-hub"]).toMatchObject({ status: "blocked", detail: "blocked: service tag EventHub.EastUS: tcp/443 to EventHub.EastUS blocked by NSG nsg-cassandra outbound rule deny-eventhub (120) Deny" });
    expect(statusOf(rep, "event-hub-logs")).toBe("blocked");
  });

  it("an application rule cannot tell a tag's addresses: the tag is unknown, naming the rule", () => {
    expect(rep.verdicts["tag-storage"]?.status).toBe("unknown");
    expect(rep.verdicts["tag-storage"]?.detail).toMatch(/firewall application rule rcg-cassandra\/cassandra-fqdns\/cassandra-https \(500\) Allow may or may not apply to it$/);
  });

  it("host names the firewall allows by name are open through both layers; internal ports in both directions", () => {
    for (const id of ["storage-control-plane", "storage-backup", "management-api", "entra-id-login", ...INTERNAL]) expect(statusOf(rep, id), id).toBe("open");
  });

  it("deny names every gap once", () => expectDenyMatchesVerdicts(rep));
});

describe("az network nsg show written by hand", () => {
  const rep = reports.nsg as OpaReport;

  it("a Deny on Storage above an Allow to Internet blocks every Storage requirement, the FQDNs paired with Storage too", () => {
    expect(rep.format).toBe("az");
    for (const id of ["storage-control-plane", "storage-store", "storage-backup", "tag-storage"]) expect(statusOf(rep, id), id).toBe("blocked");
    expect(rep.verdicts["storage-backup"]?.detail).toBe("blocked: FQDN *.blob.core.windows.net: https/443 to *.blob.core.windows.net blocked by NSG nsg-cassandra outbound rule DenyStorage (90) Deny");
  });

  it("an FQDN with no paired tag, decided by address, is unknown, naming the rule", () => {
    expect(rep.verdicts["crl"]?.status).toBe("unknown");
    expect(rep.verdicts["crl"]?.detail).toMatch(/NSG nsg-cassandra outbound rule DenyStorage \(90\) Deny may or may not apply to it$/);
  });

  it("Internet opens the other tags; port ranges open the internal ports inside them", () => {
    for (const id of ["tag-azure-key-vault", "tag-event-hub", "key-vault", ...INTERNAL]) expect(statusOf(rep, id), id).toBe("open");
  });

  it("allows wider than needed are warnings", () => {
    expect(rep.warn.some((w) => w.startsWith("NSG nsg-cassandra outbound rule AllowHttpsOut (100) Allow opens destinations Internet"))).toBe(true);
    expectDenyMatchesVerdicts(rep);
  });
});

describe("az network firewall policy rule-collection-group show written by hand", () => {
  const rep = reports.rcg as OpaReport;

  it("the firewall alone is the subject: internal ports are not on its path", () => {
    expect(rep.subjects).toEqual(["firewall"]);
    for (const id of INTERNAL) expect(rep.verdicts[id], id).toMatchObject({ status: "not-auditable", detail: "not auditable: no layer of the input lies on its path" });
  });

  it("application rules open host names; a network rule to a tag opens it; the rest waits on an application rule that cannot see addresses", () => {
    for (const id of ["crl", "key-vault", "vmss-information", "tag-azure-active-directory"]) expect(statusOf(rep, id), id).toBe("open");
    for (const id of ["tag-storage", "tag-azure-key-vault", "storage-control-plane"]) expect(statusOf(rep, id), id).toBe("unknown");
    expectDenyMatchesVerdicts(rep);
  });
});

describe("a Deny to a tag that holds none of the flows' addresses", () => {
  it("decides nothing: the verdicts are those without it, and the evaluator's", () => {
    const rep = reports.other as OpaReport;
    const without = reports.nsg as OpaReport;
    expect(Object.fromEntries(Object.entries(rep.verdicts).map(([id, v]) => [id, v.status]))).toEqual(Object.fromEntries(Object.entries(without.verdicts).map(([id, v]) => [id, v.status])));
    const ev = audit({ name: "other.json", text: JSON.stringify(otherRegionDeny) }, { resolved }).subjects[0]?.requirements ?? [];
    expect(Object.fromEntries(Object.entries(rep.verdicts).map(([id, v]) => [id, v.status]))).toEqual(Object.fromEntries(ev.map((r) => [r.ruleId, r.status])));
  });
});

describe("the policy's address space", () => {
  it("holds as not public exactly the evaluator's special-purpose blocks (an FQDN is any public address in both)", () => {
    const policy = policyNonPublic();
    expect(policy.length).toBeGreaterThan(0);
    expect([...policy].sort()).toEqual([...NON_PUBLIC_PREFIXES].sort());
  });
});

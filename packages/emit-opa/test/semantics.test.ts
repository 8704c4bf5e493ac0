/**
 * What the Rego policy answers (run by the real opa), stated by hand for hand-written az and Terraform
 * inputs. These pin the policy's present semantics (rules matched by name, default rules ignored, FQDNs
 * only through application rules) until the step that aligns it with the evaluator of
 * @cassandra-mi-netrules/azure; see differential.test.ts for where the two differ. (These assertions
 * used to run against the policy's TypeScript twin, which the evaluator replaced; the twin's input
 * errors went with it: the readers of @cassandra-mi-netrules/azure have their own.)
 */
import { resolveRules } from "@cassandra-mi-netrules/core";
import { emitOpaBundle } from "@cassandra-mi-netrules/emit-opa";
import { opaReports, removeTree, writeTree } from "@cassandra-mi-netrules/testkit/opa";
import { afterAll, describe, expect, it } from "vitest";
import { handFixture } from "./helpers.js";

const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });

interface OpaReport {
  readonly format: string;
  readonly deny: readonly string[];
  readonly requirements: Record<string, { status: string; detail: string; overBroad: boolean; audited: boolean }>;
}

const dir = writeTree(emitOpaBundle(resolved, { includeTests: false }).files, "cmn-emit-opa-semantics-");
afterAll(() => removeTree(dir));
const reports = opaReports(dir, { tf: handFixture("tfplan-hand.json"), nsg: handFixture("az-nsg-show.json"), rcg: handFixture("az-rcg-show.json") }) as Record<string, OpaReport>;

function byId(rep: OpaReport): OpaReport["requirements"] {
  return rep.requirements;
}

/** The report of one hand fixture, with the results as a list sorted by id. */
function auditConfiguration(name: "tf" | "nsg" | "rcg"): OpaReport & { results: Array<{ ruleId: string; status: string; overBroad: boolean; audited: boolean }> } {
  const rep = reports[name] as OpaReport;
  return { ...rep, results: Object.keys(rep.requirements).sort().map((ruleId) => ({ ruleId, ...(rep.requirements[ruleId] as OpaReport["requirements"][string]) })) };
}

describe("Terraform plan written by hand", () => {
  const rep = auditConfiguration("tf");
  const r = byId(rep);

  it("is detected as a plan and audits every requirement", () => {
    expect(rep.format).toBe("tfplan");
    expect(rep.results.map((x) => x.ruleId)).toEqual(resolved.rules.map((x) => x.id).sort());
    expect(rep.results.every((x) => x.audited)).toBe(true);
  });

  it("a wildcard FQDN covers the names under it; a regional tag covers its region", () => {
    expect(r["storage-control-plane"]).toMatchObject({ status: "covered", detail: "covered by FQDN snovapeastus.blob.core.windows.net" });
    expect(r["storage-backup"]?.status).toBe("covered");
    expect(r["storage-store"]).toMatchObject({ status: "covered", detail: "covered by service tag Storage" });
  });

  it("the global tag covers the regional requirement", () => {
    expect(r["key-vault"]).toMatchObject({ status: "covered", detail: "covered by service tag AzureKeyVault" });
    expect(r["tag-azure-key-vault"]?.status).toBe("covered");
  });

  it("a Deny of higher priority defeats a later Allow", () => {
    expect(r["event-hub-logs"]).toMatchObject({ status: "missing", detail: "missing: nothing allows FQDN *.servicebus.windows.net or service tag EventHub" });
    expect(r["tag-event-hub"]?.status).toBe("missing");
  });

  it("firewall network rules count for tags and prefixes; some prefixes give partial coverage", () => {
    expect(r["monitor-metrics"]?.status).toBe("covered");
    expect(r["microsoft-prefixes"]).toMatchObject({
      status: "partly-covered",
      detail: "partly covered by prefixes 13.104.0.0/14, 40.64.0.0/10, 104.40.0.0/13; missing 40.64.0.0/10 tcp/443, 104.40.0.0/13 tcp/443",
    });
  });

  it("internal ports need both directions", () => {
    expect(r["gossip"]?.status).toBe("covered");
    expect(r["jmx"]).toMatchObject({ status: "partly-covered", detail: "partly covered by NSG inbound and outbound rules within the subnet; missing outbound tcp/7199" });
    expect(r["cql"]?.status).toBe("partly-covered");
    expect(r["internal-8443"]?.status).toBe("missing");
  });

  it("deny names every requirement that is not covered, once", () => {
    const ids = rep.deny.map((d) => d.slice(0, d.indexOf(":")));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(rep.results.filter((x) => x.status !== "covered").map((x) => x.ruleId).sort());
    expect(ids).toContain("security-scanner-definitions");
    expect(rep.results.some((x) => x.overBroad)).toBe(false);
  });
});

describe("az network nsg show written by hand", () => {
  const rep = auditConfiguration("nsg");
  const r = byId(rep);

  it("an NSG alone cannot express FQDN-only requirements: not audited, not denied", () => {
    expect(rep.format).toBe("az");
    expect(r["crl"]).toMatchObject({ audited: false, detail: "not auditable: needs an Azure Firewall application rule, which the input does not hold" });
    expect(rep.deny.some((d) => d.startsWith("crl:"))).toBe(false);
  });

  it("Internet covers service tags but is over-broad; a Deny on Storage above it wins", () => {
    expect(r["key-vault"]).toMatchObject({ status: "covered", overBroad: true });
    expect(r["microsoft-prefixes"]).toMatchObject({ status: "covered", overBroad: true });
    for (const id of ["storage-control-plane", "storage-store", "storage-backup", "tag-storage"]) expect(r[id]?.status, id).toBe("missing");
  });

  it("port ranges cover the ports inside them; default security rules are not counted", () => {
    for (const id of ["gossip", "jmx", "cql", "internal-8443", "internal-9443"]) expect(r[id], id).toMatchObject({ status: "covered", overBroad: false });
    expect(rep.deny.map((d) => d.slice(0, d.indexOf(":"))).sort()).toEqual(["storage-backup", "storage-control-plane", "storage-store", "tag-storage"]);
  });
});

describe("az network firewall policy rule-collection-group show written by hand", () => {
  const rep = auditConfiguration("rcg");
  const r = byId(rep);

  it("internal ports are not audited from a firewall policy", () => {
    expect(r["gossip"]).toMatchObject({ audited: false, detail: "not auditable: needs an NSG, which the input does not hold" });
  });

  it("a Deny collection of higher priority on a wildcard defeats the names under it", () => {
    expect(r["storage-control-plane"]?.status).toBe("missing");
    expect(r["storage-store"]?.status).toBe("missing");
    expect(r["key-vault"]?.status).toBe("covered");
  });

  it("application rules need Https on the port; regional tags of another region do not count; the source must hold the subnet", () => {
    expect(r["metrics-global"]?.status).toBe("missing");
    expect(r["tag-api-management"]?.status).toBe("missing");
    expect(r["tag-azure-active-directory"]?.status).toBe("covered");
    expect(r["tag-azure-front-door-first-party"]?.status).toBe("covered");
    expect(r["microsoft-prefixes"]?.status).toBe("missing");
  });
});

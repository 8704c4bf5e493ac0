/**
 * What the audit answers, stated by hand for hand-written inputs (the differential test then holds
 * the Rego to the same answers), and how malformed input is refused.
 */
import { auditConfiguration, type AuditReport } from "../../cli/src/audit/index.js";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { describe, expect, it } from "vitest";
import { handFixture } from "./helpers.js";

const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });

function byId(rep: AuditReport): Record<string, { status: string; detail: string; overBroad: boolean; audited: boolean }> {
  return Object.fromEntries(rep.results.map((r) => [r.ruleId, r]));
}

describe("Terraform plan written by hand", () => {
  const rep = auditConfiguration(handFixture("tfplan-hand.json"), { resolved });
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
  const rep = auditConfiguration(handFixture("az-nsg-show.json"), { resolved });
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
  const rep = auditConfiguration(handFixture("az-rcg-show.json"), { resolved });
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

describe("format detection and malformed input", () => {
  it("detects each shape and honours an explicit format", () => {
    expect(auditConfiguration({ resources: [] }, { resolved }).format).toBe("arm");
    expect(auditConfiguration({ planned_values: {} }, { resolved }).format).toBe("tfplan");
    expect(auditConfiguration([{ name: "n", securityRules: [] }], { resolved }).format).toBe("az");
    expect(auditConfiguration({ name: "n", securityRules: [] }, { resolved, format: "az" }).format).toBe("az");
  });

  it.each([
    [{ something: 1 }, /\(input\): expected an ARM template/],
    [{ resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "n", properties: { securityRules: [{ name: "r", properties: { priority: "high", direction: "Outbound", access: "Allow", protocol: "Tcp" } }] } }] }, /resources\[0\]\.properties\.securityRules\[0\]\.properties\.priority: expected a number, got "high"/],
    [{ resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "n", properties: { securityRules: [{ name: "r", properties: { priority: 100, direction: "Outbound", access: "Allow", protocol: "Tcp", destinationPortRange: "4x3" } }] } }] }, /destinationPortRange\[0\]: expected a port \(0-65535\), a range a-b or \*, got "4x3"/],
    [{ resources: [{ name: "no-type" }] }, /resources\[0\]\.type: expected a string, got undefined/],
    [[{ name: "n", securityRules: [] }, 42], /\[1\]: expected the JSON of az network nsg show/],
    [{ planned_values: { root_module: { resources: [{ mode: "managed", type: "azurerm_firewall_policy_rule_collection_group", values: { priority: 100, application_rule_collection: [{ name: "c", priority: 100, action: "Allow", rule: [{ name: "r", destination_fqdns: "x", protocols: [{ type: "Https", port: "443" }] }] }] } }] } } }, /protocols\[0\]\.port: expected a number, got "443"/],
  ])("refuses %j naming the field and value", (input, message) => {
    expect(() => auditConfiguration(input, { resolved })).toThrow(message);
  });

  it("refuses an unknown format option", () => {
    expect(() => auditConfiguration({ resources: [] }, { resolved, format: "bicep" as never })).toThrow(/format: expected one of arm, az, tfplan, got "bicep"/);
  });
});

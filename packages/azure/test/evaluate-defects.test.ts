/**
 * The semantic defects issue 14 found in the old audit, each on its fixture. The old audit (main before
 * the evaluator) said: Deny AzureCloud at 100 -> Key Vault, Storage and Resource Manager "covered", exit 0;
 * Deny 13.64.0.0/11 at 100 -> Storage "covered"; an NSG with only SSH/HTTP inbound rules -> the internal
 * ports "missing" (default rules ignored); a storage account alone -> exit 2 like bad input. Every
 * assertion below fails on that behaviour.
 */
import { describe, expect, it } from "vitest";
import { audit } from "../src/evaluate/index.js";
import { byId, eastus, fixture, only, serviceTags } from "./evaluate-helpers.js";

const withFile = { resolved: eastus, serviceTags: serviceTags() };
const withoutFile = { resolved: eastus };

describe("a broader Deny above the allows (Deny AzureCloud at 100)", () => {
  const report = audit(fixture("nsg-deny-azurecloud.json"), withFile);
  const r = byId(report);

  it("blocks Key Vault and Resource Manager: every alternative, with the rule and an example address", () => {
    for (const id of ["key-vault", "tag-azure-key-vault", "management-api", "tag-azure-resource-manager"]) {
      expect(r[id]?.status, id).toBe("blocked");
      expect(r[id]?.detail, id).toMatch(/blocked by NSG nsg-coscas outbound rule nsgr-coscas-deny-azurecloud \(100\) Deny, e\.g\. \d+\.\d+\.\d+\.\d+/);
      for (const alt of r[id]?.alternatives ?? []) expect(alt.verdict, `${id}: ${alt.label}`).toBe("blocked");
    }
  });

  it("blocks Storage's regional form and all but 1 of the 495 IPv4 prefixes of Storage: partly open, counted", () => {
    const storage = r["tag-storage"];
    expect(storage?.status).toBe("partly-open");
    expect(storage?.alternatives.find((a) => a.label === "service tag Storage.EastUS")?.verdict).toBe("blocked");
    const global = storage?.alternatives.find((a) => a.label === "service tag Storage");
    expect(global?.verdict).toBe("partly-open");
    const part = global?.flows[0]?.blocked[0];
    expect(part?.by.rule).toBe("nsgr-coscas-deny-azurecloud");
    expect(part?.count).toEqual({ blocked: 494, total: 495, unit: "IPv4 prefixes of Storage", inPart: 4 });
    expect(storage?.detail).toContain("494 of 495 IPv4 prefixes of Storage (4 of them in part) blocked by NSG nsg-coscas outbound rule nsgr-coscas-deny-azurecloud (100) Deny");
    for (const id of ["storage-control-plane", "storage-store", "storage-backup"]) expect(r[id]?.status, id).toBe("partly-open");
  });

  it("fails the audit", () => {
    expect(report.status).toBe("fail");
    expect(report.summary.blocked).toBeGreaterThanOrEqual(4);
  });

  it("without a service-tags file, the bundled table still blocks them (never open)", () => {
    const nf = byId(audit(fixture("nsg-deny-azurecloud.json"), withoutFile));
    for (const id of ["key-vault", "tag-azure-key-vault", "management-api", "tag-azure-resource-manager"]) expect(nf[id]?.status, id).toBe("blocked");
    for (const id of ["tag-storage", "storage-control-plane"]) expect(nf[id]?.status, id).toBe("partly-open");
    expect(nf["key-vault"]?.detail).toContain("blocked by NSG nsg-coscas outbound rule nsgr-coscas-deny-azurecloud (100) Deny");
  });
});

describe("an overlapping prefix Deny above the allows (Deny 13.64.0.0/11 at 100)", () => {
  it("with the service-tags file: Storage partly blocked, 80 of its 495 IPv4 prefixes, with an example inside 13.64.0.0/11", () => {
    const r = byId(audit(fixture("nsg-deny-13-64.json"), withFile));
    const global = r["tag-storage"]?.alternatives.find((a) => a.label === "service tag Storage");
    expect(global?.verdict).toBe("partly-open");
    const part = global?.flows[0]?.blocked[0];
    expect(part?.count).toEqual({ blocked: 80, total: 495, unit: "IPv4 prefixes of Storage" });
    expect(part?.example).toMatch(/^13\.(6[4-9]|[7-8]\d|9[0-5])\./);
    expect(r["tag-storage"]?.status).toBe("partly-open");
    // Key Vault's regional form holds none of 13.64.0.0/11: it stays open.
    expect(r["tag-azure-key-vault"]?.status).toBe("open");
  });

  it("without the file: unknown, naming the rule whose prefix may hold Storage addresses (never open)", () => {
    const r = byId(audit(fixture("nsg-deny-13-64.json"), withoutFile));
    for (const id of ["tag-storage", "tag-azure-key-vault", "storage-control-plane"]) {
      expect(r[id]?.status, id).toBe("unknown");
      expect(r[id]?.detail, id).toContain("13.64.0.0/11");
      expect(r[id]?.detail, id).toContain("nsgr-coscas-deny-13-64 (100)");
    }
  });
});

describe("Azure's default rules (an NSG with only SSH and HTTP inbound rules)", () => {
  const report = audit(fixture("nsg-docs-ssh-web.json"), withFile);
  const r = byId(report);

  it("AllowVnetOutBound and AllowVnetInBound open the internal ports", () => {
    for (const id of ["gossip", "cql", "jmx", "internal-8443", "internal-9443"]) {
      expect(r[id]?.status, id).toBe("open");
      expect(r[id]?.detail, id).toContain("outbound rule AllowVnetOutBound (65000) Allow");
      expect(r[id]?.detail, id).toContain("inbound rule AllowVnetInBound (65000) Allow");
    }
  });

  it("AllowInternetOutBound opens every outbound flow, FQDNs included", () => {
    for (const id of ["tag-storage", "key-vault", "crl", "microsoft-prefixes"]) {
      expect(r[id]?.status, id).toBe("open");
      expect(r[id]?.detail, id).toContain("AllowInternetOutBound (65001)");
    }
    expect(report.status).toBe("pass");
  });

  it("SSH and HTTP open to public addresses are warnings of their own", () => {
    const messages = only(report).findings.map((f) => f.message);
    expect(messages).toHaveLength(2);
    expect(messages.join("\n")).toMatch(/myNetworkSecurityGroupRuleSSH \(1000\) Allow lets traffic in from public addresses on ports 22/);
    expect(messages.join("\n")).toMatch(/myNetworkSecurityGroupRuleWeb \(1001\) Allow lets traffic in from public addresses on ports 80/);
    expect(audit(fixture("nsg-docs-ssh-web.json"), { ...withFile, failOn: "warn" }).status).toBe("fail");
  });
});

describe("Allow * -> * in both directions", () => {
  const report = audit(fixture("nsg-allow-all.json"), withFile);

  it("opens everything, and both rules are counted as over-broad warnings", () => {
    expect(report.summary.open).toBe(31);
    expect(report.summary.warnings).toBe(2);
    const byRule = Object.fromEntries(only(report).findings.map((f) => [f.step.rule, f]));
    expect(byRule["allow-all-out"]?.message).toMatch(/destinations no requirement needs/);
    expect(byRule["allow-all-out"]?.message).toMatch(/ports \* \(the requirements need 443,7001,7199,8443,9042,9443\)/);
    expect(byRule["allow-all-in"]?.message).toMatch(/sources beyond the cluster subnet and its peers/);
    expect(byRule["allow-all-in"]?.message).toMatch(/lets traffic in from public addresses/);
    expect(byRule["allow-all-out"]?.ruleIds).toContain("tag-storage");
    expect(byRule["allow-all-in"]?.ruleIds).toEqual(["cql", "gossip", "internal-8443", "internal-9443", "jmx"]);
  });

  it("passes by default and fails with failOn warn", () => {
    expect(report.status).toBe("pass");
    expect(audit(fixture("nsg-allow-all.json"), { ...withFile, failOn: "warn" }).status).toBe("fail");
  });
});

describe("nothing to audit", () => {
  it("a template with a storage account only: its own status, naming what it holds", () => {
    const report = audit(fixture("storage-account-only.json"), withFile);
    expect(report.status).toBe("nothing-to-audit");
    expect(report.subjects).toEqual([]);
    expect(report.found).toEqual(["Microsoft.Storage/storageAccounts"]);
  });
});

describe("the fixture all the others derive from", () => {
  it("opens every requirement an NSG can express; the FQDN-only ones stop at the Deny of Internet: unknown, never open", () => {
    const report = audit(fixture("nsg-allows.json"), withFile);
    const r = byId(report);
    for (const id of ["tag-storage", "key-vault", "management-api", "microsoft-prefixes", "gossip"]) expect(r[id]?.status, id).toBe("open");
    expect(r.crl?.status).toBe("unknown");
    expect(r.crl?.detail).toMatch(/the FQDN's address is not known offline/);
  });
});

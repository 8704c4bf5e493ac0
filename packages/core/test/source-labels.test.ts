// The label mapping: spelling helpers (data-free modules) and the service names of the locale catalogue.
import { SERVICE_LABELS, sourceLocales, stripLeadIn, tagForLabel } from "@cassandra-mi-netrules/core/source";
import { describe, expect, it } from "vitest";
import { canonicalTag, normalizeLabel, regionPlaceholder } from "../src/source/labels.js";
import { parsePortCell } from "../src/source/parse.js";
import { historyLabels } from "./history.js";

const NINE = [
  "ApiManagement",
  "AzureActiveDirectory",
  "AzureFrontDoor.FirstParty",
  "AzureKeyVault",
  "AzureMonitor",
  "AzureResourceManager",
  "EventHub",
  "GuestAndHybridManagement",
  "Storage",
];

describe("tagForLabel", () => {
  it.each([
    ["Azure Storage", "Storage"],
    ["Azure KeyVault", "AzureKeyVault"],
    ["Azure Key Vault", "AzureKeyVault"],
    ["Azure EventHub", "EventHub"],
    ["Azure Event Hubs", "EventHub"],
    ["Azure Monitor", "AzureMonitor"],
    ["Azure AD", "AzureActiveDirectory"],
    ["Microsoft Entra ID", "AzureActiveDirectory"],
    ["Azure Virtual Machine Scale Sets/Azure Management API", "AzureResourceManager"],
    ["Azure Virtual Machine Scale Sets / Azure Management API", "AzureResourceManager"],
    ["Stockage Azure", "Storage"],
  ])("maps the label %j to %s", (label, tag) => {
    expect(tagForLabel(label)).toBe(tag);
  });

  it.each([
    ["ServiceTag - Azure Storage", "Storage"],
    ["Service Tag: Azure Key Vault", "AzureKeyVault"],
    ["Étiquette de service : Azure Storage", "Storage"],
    ["Étiquette de service : Azure KeyVault", "AzureKeyVault"],
    ["Étiquette de service : Azure EventHub", "EventHub"],
    ["Étiquette de service : Azure AD", "AzureActiveDirectory"],
    ["Étiquette de service : Azure Virtual Machine Scale Sets/Azure Management API", "AzureResourceManager"],
    ["ServiceTag – Microsoft Entra ID.", "AzureActiveDirectory"],
  ])("strips the lead-in of %j", (text, tag) => {
    expect(tagForLabel(text)).toBe(tag);
  });

  it("maps French labels written in decomposed Unicode (NFD) like the composed ones", () => {
    expect(tagForLabel("E\u0301tiquette de service : Azure Monitor")).toBe("AzureMonitor");
  });

  it("knows no tag for a misspelled or new label", () => {
    expect(tagForLabel("Azure KeyVualt")).toBeUndefined();
    expect(tagForLabel("Azure Cosmos DB")).toBeUndefined();
    expect(tagForLabel("")).toBeUndefined();
  });

  it("maps every label to one of the nine tags the page uses", () => {
    expect(Object.values(SERVICE_LABELS).every((t) => NINE.includes(t))).toBe(true);
  });

  it("takes its labels from the catalogue: every service name of every locale, and nothing else", () => {
    const written = sourceLocales.flatMap((c) => c.services.map((e) => normalizeLabel(e.written)));
    expect(Object.keys(SERVICE_LABELS).sort()).toEqual([...new Set(written)].sort());
    expect(tagForLabel("Azure Virtual Machine Scale Sets/API de gestion Azure")).toBe("AzureResourceManager");
    expect(tagForLabel("Azure Virtual Machine Scale Sets/Azure-Verwaltungs-API")).toBe("AzureResourceManager");
  });

  it("maps every label of source-history.md's label table (section 9) to the tag that table gives", () => {
    const labels = historyLabels();
    expect(labels.length).toBeGreaterThanOrEqual(9);
    for (const [label, tag] of labels) expect(tagForLabel(label), label).toBe(tag);
  });
});

describe("normalizeLabel and stripLeadIn", () => {
  it("folds case, spaces and a final period", () => {
    expect(normalizeLabel("  Azure   Key\tVault. ")).toBe("azure key vault");
    expect(normalizeLabel("A / B")).toBe("a/b");
  });
  it("leaves a label without lead-in alone", () => {
    expect(stripLeadIn("Azure Storage")).toBe("Azure Storage");
    expect(stripLeadIn("ServiceTag - Azure Storage")).toBe("Azure Storage");
  });
});

describe("canonicalTag", () => {
  it("returns the canonical spelling, and whether the text differed in letter case", () => {
    expect(canonicalTag("AzureFrontDoor.Firstparty", NINE)).toEqual({ tag: "AzureFrontDoor.FirstParty", respelled: true });
    expect(canonicalTag("GuestandHybridManagement", NINE)).toEqual({ tag: "GuestAndHybridManagement", respelled: true });
    expect(canonicalTag("Storage", NINE)).toEqual({ tag: "Storage", respelled: false });
  });
  it("prefers an exact match over a case-folded one", () => {
    expect(canonicalTag("Storage", ["STORAGE", "Storage"])).toEqual({ tag: "Storage", respelled: false });
  });
  it("does not guess beyond letter case", () => {
    expect(canonicalTag("AzureKeyVualt", NINE)).toBeUndefined();
    expect(canonicalTag("Storage", [])).toBeUndefined();
  });
});

describe("regionPlaceholder", () => {
  it.each([
    ["snovap<region>.blob.core.windows.net", "snovap{region}.blob.core.windows.net"],
    ["<Region>-dsms.dsms.core.windows.net", "{region}-dsms.dsms.core.windows.net"],
    ["Storage.<Region>", "Storage.{region}"],
    ["vmc-p-< region >.vault.azure.net", "vmc-p-{region}.vault.azure.net"],
    ["no placeholder", "no placeholder"],
  ])("%s", (text, expected) => {
    expect(regionPlaceholder(text)).toBe(expected);
  });
});

describe("parsePortCell", () => {
  it("reads a port, a list and a range", () => {
    expect(parsePortCell("443")).toEqual([{ from: 443, to: 443 }]);
    expect(parsePortCell("443, 80")).toEqual([
      { from: 80, to: 80 },
      { from: 443, to: 443 },
    ]);
    expect(parsePortCell("8000-8100")).toEqual([{ from: 8000, to: 8100 }]);
    expect(parsePortCell("80 et 443")).toEqual([
      { from: 80, to: 80 },
      { from: 443, to: 443 },
    ]);
  });
  it("names the bad value", () => {
    expect(parsePortCell("")).toBe("the Port cell is empty");
    expect(parsePortCell("HTTPS")).toBe('the Port cell "HTTPS" is not a port, a list of ports or a range');
    expect(parsePortCell("70000")).toContain('"70000"');
    expect(parsePortCell("0")).toContain("outside 1-65535");
    expect(parsePortCell("9000-8000")).toContain("reversed");
  });
});

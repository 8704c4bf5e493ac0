import { readFileSync } from "node:fs";
import { diffRevisions, revisions } from "@cassandra-mi-netrules/core";
import { compareWithSource, formatSourceComparison, parseSourcePage, sentences, sequenceDiff, SourcePageError, UnknownNameError, type SourceComparison } from "@cassandra-mi-netrules/core/source";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const read = (url: URL): string => readFileSync(url, "utf8");
const vendor = (name: string): string => read(new URL(`../../../vendor/pages/${name}`, import.meta.url));
const fixture = (name: string): string => read(new URL(`./fixtures/pages/${name}`, import.meta.url));
const EN = vendor("network-rules.en.2021-11-02.current.md");
const FR = vendor("network-rules.fr.2021-05-21.seed.md");
const FR_GA = vendor("network-rules.fr.2021-11-02.ga-handoff.md");
const DE_GA = vendor("network-rules.de.2021-11-02.ga-handoff.md");

/** Line numbers (1-based; removed: of the original, added: of the copy) where the copy differs from the original, by a line diff. */
function changedLines(original: string, copy: string): { removed: number[]; added: number[] } {
  const d = sequenceDiff(original.split("\n"), copy.split("\n"));
  return { removed: d.removed.map((i) => i + 1), added: d.added.map((j) => j + 1) };
}

function counts(r: SourceComparison): [number, number, number, number] {
  return [r.missingFromRevision.length, r.missingFromPage.length, r.differing.length, r.unreadable.length];
}

describe("the real pages match their revisions", () => {
  it("the current English page matches 2021-11-02 with no difference", () => {
    const r = compareWithSource(EN, "2021-11-02");
    expect(counts(r)).toEqual([0, 0, 0, 0]);
    expect(r).toMatchObject({ matches: true, rulesMatch: true, revision: "2021-11-02", locale: "en", pageRows: 33, revisionRows: 33 });
    expect(r.prose).toMatchObject({ compared: true, pageSections: 7, recordedSections: 7, changes: [] });
    expect(formatSourceComparison(r)).toBe(
      [
        "The page (en, 33 rows) matches revision 2021-11-02 (33 rows).",
        "Locale en (from its text). Rules: 0 not in revision, 0 missing from page, 0 differing, 0 unreadable. Prose: 7 sections, no change.",
        "",
      ].join("\n"),
    );
  });

  it("the French seed matches 2021-05-21 with no difference", () => {
    const r = compareWithSource(FR, "2021-05-21");
    expect(counts(r)).toEqual([0, 0, 0, 0]);
    expect(r).toMatchObject({ matches: true, revision: "2021-05-21", locale: "fr", pageRows: 13, revisionRows: 13 });
    expect(r.prose).toMatchObject({ compared: true, pageSections: 4, changes: [] });
  });

  it("without a revision, compares with the current one", () => {
    expect(compareWithSource(EN).revision).toBe(revisions[revisions.length - 1]?.id);
    expect(compareWithSource(EN).matches).toBe(true);
  });

  it("the seed against the current revision misses exactly the requirements added since 2021-05-21", () => {
    const r = compareWithSource(FR, "2021-11-02");
    const missing = new Set(r.missingFromPage.map((d) => d.requirementId));
    expect([...missing].sort()).toEqual([...diffRevisions("2021-05-21", "2021-11-02").added].sort());
    expect(missing.size).toBeGreaterThan(0);
  });
});

describe("a page compared with another revision reports the rule changes between them", () => {
  it("the seed against 2021-11-02: 20 rows missing, the service-tag table and prefixes absent", () => {
    const r = compareWithSource(FR, "2021-11-02");
    expect(counts(r)).toEqual([0, 20, 0, 0]);
    const byTable = (t: string): number => r.missingFromPage.filter((d) => d.table === t).length;
    expect([byTable("azure-global"), byTable("service-tags"), byTable("prefixes"), byTable("internal-ports")]).toEqual([8, 9, 3, 0]);
    expect(r.missingFromPage.find((d) => d.key === "*.store.core.windows.net")).toMatchObject({ line: 32, requirementId: "storage-store" });
    expect(r.missingFromPage.filter((d) => d.table === "service-tags").every((d) => d.line === null)).toBe(true);
  });

  it("the current page against 2021-05-21: 20 rows the revision lacks, each on its line", () => {
    const r = compareWithSource(EN, "2021-05-21");
    expect(counts(r)).toEqual([20, 0, 0, 0]);
    expect(r.missingFromRevision.map((d) => d.line)).toEqual([26, 27, 28, 29, 30, 31, 32, 33, 34, 38, 39, 40, 53, 61, 62, 63, 64, 65, 66, 67]);
  });
});

interface FixtureCase {
  readonly file: string;
  readonly original: string;
  readonly revision: string;
  /** The lines the fixture changes, as a line diff sees them (or a check of the copy). */
  readonly change: { removed: number[]; added: number[] } | ((copy: string) => void);
  readonly expect: (r: SourceComparison) => void;
}

const cases: FixtureCase[] = [
  {
    file: "en.row-removed.markdown",
    original: EN,
    revision: "2021-11-02",
    change: { removed: [60], added: [] },
    expect: (r) => {
      expect(counts(r)).toEqual([0, 1, 0, 0]);
      expect(r.missingFromPage[0]).toMatchObject({ line: 60, table: "azure-global", key: "packages.microsoft.com", requirementId: "security-scanner-definitions" });
    },
  },
  {
    file: "en.port-changed.markdown",
    original: EN,
    revision: "2021-11-02",
    change: { removed: [63], added: [63] },
    expect: (r) => {
      expect(counts(r)).toEqual([0, 0, 1, 0]);
      expect(r.differing[0]).toMatchObject({ line: 63, key: "gcs.prod.monitoring.core.windows.net", field: "ports", page: "8443", revision: "443" });
    },
  },
  {
    file: "en.row-added.markdown",
    original: EN,
    revision: "2021-11-02",
    change: { removed: [], added: [68] },
    expect: (r) => {
      expect(counts(r)).toEqual([1, 0, 0, 0]);
      expect(r.missingFromRevision[0]).toMatchObject({ line: 68, table: "azure-global", key: "global.handler.control.monitor.azure.com" });
    },
  },
  {
    file: "en.tag-misspelled.markdown",
    original: EN,
    revision: "2021-11-02",
    change: { removed: [27], added: [27] },
    expect: (r) => {
      expect(counts(r)).toEqual([0, 0, 1, 0]);
      expect(r.differing[0]).toMatchObject({ line: 27, key: "AzureKeyVault", field: "tag", page: "AzureKeyVualt", revision: "AzureKeyVault", requirementId: "tag-azure-key-vault" });
    },
  },
  {
    file: "en.tag-old-spelling.markdown",
    original: EN,
    revision: "2021-11-02",
    change: { removed: [33], added: [33] },
    expect: (r) => {
      expect(counts(r)).toEqual([0, 0, 1, 0]);
      expect(r.differing[0]).toMatchObject({ line: 33, key: "GuestAndHybridManagement", field: "spelling", page: "GuestandHybridManagement" });
    },
  },
  {
    file: "en.table-cut.markdown",
    original: EN,
    revision: "2021-11-02",
    change: { removed: [], added: [60] },
    expect: (r) => {
      expect(counts(r)).toEqual([0, 0, 0, 1]);
      expect(r.unreadable[0]).toMatchObject({ line: 61, table: "azure-global" });
      expect(r.unreadable[0]?.reason).toContain("the table of line 50 is cut in half: it ends at line 59");
      expect(r.matches).toBe(false);
    },
  },
  {
    file: "fr.label-and-port.markdown",
    original: FR,
    revision: "2021-05-21",
    change: { removed: [33, 50], added: [33, 50] },
    expect: (r) => {
      // A service name the catalogue lacks is unreadable, with the entry to add; the port is a rule difference.
      expect(counts(r)).toEqual([0, 0, 1, 1]);
      expect(r.differing.map((d) => [d.line, d.field, d.page, d.revision])).toEqual([[50, "port", "7198", "7199"]]);
      expect(r.unreadable[0]).toMatchObject({
        line: 33,
        unknownName: { kind: "service", written: "Azure KeyVualt", locale: "fr" },
        requirementId: "key-vault",
        catalogueEntry: 'add to packages/core/data/source/locales/fr.yaml under services: - { written: "Azure KeyVualt", tag: AzureKeyVault, sources: [...] }',
      });
    },
  },
  {
    file: "fr.row-removed.markdown",
    original: FR,
    revision: "2021-05-21",
    change: { removed: [37], added: [] },
    expect: (r) => {
      expect(counts(r)).toEqual([0, 1, 0, 0]);
      expect(r.missingFromPage[0]).toMatchObject({ line: 37, key: "login.microsoftonline.com", requirementId: "entra-id-login" });
    },
  },
  {
    file: "en.escaped-note.markdown",
    original: EN,
    revision: "2021-11-02",
    change: (copy) => {
      // Every rule line rewritten in the older formats: no code spans, escaped placeholders, prefixes in a NOTE.
      const lines = copy.split("\n");
      expect(lines.slice(25, 67).some((l) => l.includes("`"))).toBe(false);
      expect(lines[51]).toContain("snovap\\<region\\>.blob.core.windows.net:443");
      expect(lines[52]).toMatch(/^\|\\\*\.store/);
      expect(lines.slice(35, 37)).toEqual(["> [!NOTE]", expect.stringContaining("104.40.0.0/13, 13.104.0.0/14, 40.64.0.0/10")]);
      expect(copy.split("\n")).toHaveLength(EN.split("\n").length);
    },
    expect: (r) => {
      // The rules read the same; the note under the tag table is worded as in an older state of the page.
      expect(counts(r)).toEqual([0, 0, 0, 0]);
      expect(r.rulesMatch).toBe(true);
      expect(r.prose.changes.map((c) => [c.kind, c.id, c.line])).toEqual([["changed", "virtual-network-service-tags", 18]]);
      expect(r.prose.changes[0]?.addedSentences).toEqual([
        "In addition to the tag table, you will also need to add the following address prefixes, as a service tag does not exist for the relevant service:",
      ]);
      expect(r.matches).toBe(false);
    },
  },
];

describe("modified copies report exactly their change, with its line", () => {
  it.each(cases)("$file against $revision", (c) => {
    const copy = fixture(c.file);
    // The fixture is what it claims to be: the original with exactly these lines changed.
    if (typeof c.change === "function") c.change(copy);
    else expect(changedLines(c.original, copy)).toEqual(c.change);
    const r = compareWithSource(copy, c.revision);
    c.expect(r);
    expect(r.rulesMatch).toBe(counts(r).every((n) => n === 0));
    expect(r.matches).toBe(r.rulesMatch && r.prose.changes.length === 0);
  });

  it("the formatted report gives one line per difference with its line number", () => {
    expect(formatSourceComparison(compareWithSource(fixture("en.row-removed.markdown"), "2021-11-02"))).toBe(
      [
        "The page (en, 32 rows) differs from revision 2021-11-02 (33 rows): a rule change.",
        "Locale en (from its text). Rules: 0 not in revision, 1 missing from page, 0 differing, 0 unreadable. Prose: 7 sections, no change.",
        'line 60: missing from page: Azure Global table row "packages.microsoft.com" HTTPS 443 (requirement security-scanner-definitions) is not on the page (expected here)',
        "",
      ].join("\n"),
    );
    const report = formatSourceComparison(compareWithSource(fixture("fr.label-and-port.markdown"), "2021-05-21")).split("\n");
    expect(report[0]).toBe("The page (fr, 13 rows) differs from revision 2021-05-21 (13 rows): a rule change and 1 unreadable line.");
    expect(report.slice(2, 4)).toEqual([
      `line 33: unreadable: the service name "Azure KeyVualt" is not a name the page is known to use: the fr and en catalogues lack it; it stands for requirement key-vault: add to packages/core/data/source/locales/fr.yaml under services: - { written: "Azure KeyVualt", tag: AzureKeyVault, sources: [...] }: ${JSON.stringify(fixture("fr.label-and-port.markdown").split("\n")[32]?.trim())}`,
      'line 50: differs: internal ports table row "7199": port "7198" where revision 2021-05-21 has "7199"',
    ]);
    expect(formatSourceComparison(compareWithSource(fixture("en.table-cut.markdown"), "2021-11-02")).split("\n")[2]).toMatch(/^line 61: unreadable: the table of line 50 is cut in half/);
  });
});

describe("known source misspellings count only for the revisions that have them", () => {
  const page0814 = fixture("en.2021-08-14.markdown");

  it("the 2021-08-14 state (GuestandHybridManagement, `Storage.<Region>`) matches 2021-08-14", () => {
    const r = compareWithSource(page0814, "2021-08-14");
    expect(counts(r)).toEqual([0, 0, 0, 0]);
    expect(r.pageRows).toBe(22);
  });

  it("the same page against 2021-09-13 reports the old spelling and the seven rows that came later", () => {
    const r = compareWithSource(page0814, "2021-09-13");
    expect(counts(r)).toEqual([0, 7, 1, 0]);
    expect(r.differing[0]).toMatchObject({ line: 31, field: "spelling", page: "GuestandHybridManagement", revision: "GuestAndHybridManagement" });
    expect(new Set(r.missingFromPage.map((d) => d.line))).toEqual(new Set([54]));
  });

  it("AzureFrontDoor.Firstparty is accepted for 2021-11-02, whose asWritten has it; the canonical spelling too", () => {
    expect(compareWithSource(EN, "2021-11-02").differing).toEqual([]);
    const canonical = EN.replace("`AzureFrontDoor.Firstparty`", "`AzureFrontDoor.FirstParty`");
    expect(canonical).not.toBe(EN);
    expect(compareWithSource(canonical, "2021-11-02").matches).toBe(true);
    const other = EN.replace("`AzureFrontDoor.Firstparty`", "`AZUREFRONTDOOR.FIRSTPARTY`");
    expect(compareWithSource(other, "2021-11-02").differing).toMatchObject([{ line: 32, field: "spelling", page: "AZUREFRONTDOOR.FIRSTPARTY" }]);
  });
});

describe("other differences", () => {
  it("a protocol changed and an alternative removed", () => {
    const lines = EN.split("\n");
    lines[59] = (lines[59] ?? "").replace("| HTTPS |", "| HTTP |");
    lines[57] = "|`jarvis-west.dc.ad.msft.net:443` | HTTPS | 443 | Required to forward metrics to Azure. |";
    const r = compareWithSource(lines.join("\n"), "2021-11-02");
    expect(r.differing.map((d) => [d.line, d.field, d.page ?? null, d.revision ?? null])).toEqual([
      [58, "alternative", null, "AzureMonitor"],
      [60, "protocol", "HTTP", "HTTPS"],
    ]);
  });

  it("a row whose table is absent has no line; a row cut off by an unreadable line takes that line", () => {
    const lines = EN.split("\n");
    lines[62] = "| `gcs.prod.monitoring.core.windows.net` | HTTPS | four | Logging endpoint needed for logging. |";
    const r = compareWithSource(lines.join("\n"), "2021-11-02");
    expect(r.unreadable.map((u) => u.line)).toEqual([63]);
    expect(r.missingFromPage).toMatchObject([{ line: 63, key: "gcs.prod.monitoring.core.windows.net" }]);
  });

  it("a page that cannot be read throws SourcePageError; an unknown revision throws UnknownNameError naming it", () => {
    expect(() => compareWithSource("just prose\n", "2021-11-02")).toThrow(SourcePageError);
    expect(() => compareWithSource(EN, "2021-11-03")).toThrow(UnknownNameError);
    expect(() => compareWithSource(EN, "2021-11-03")).toThrow(/unknown revision "2021-11-03"; did you mean "2021-11-02"\?/);
  });

  it("is deterministic: the same page gives the same result and report", () => {
    const page = fixture("en.2021-08-14.markdown");
    const a = compareWithSource(page, "2021-11-02");
    const b = compareWithSource(page, "2021-11-02");
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(formatSourceComparison(a)).toBe(formatSourceComparison(b));
  });

  it("reordering the rows of a table changes no difference, only line numbers", () => {
    const lines = EN.split("\n");
    const body = lines.slice(51, 67).reverse();
    const shuffled = [...lines.slice(0, 51), ...body, ...lines.slice(67)].join("\n");
    expect(compareWithSource(shuffled, "2021-11-02").matches).toBe(true);
  });

  it("the report escapes control characters coming from the page", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "\u0007", "\u001b", "[", "2", "J", "\u2028", "\r", "\t") }), (s) => {
        const page = `| Destination endpoint | Protocol | Port | Use |\n|---|---|---|---|\n| \`x${s}.example.com\` | HTTPS | 443 | x |\n`;
        const report = formatSourceComparison(compareWithSource(page, "2021-11-02"));
        const lines = report.split("\n");
        expect(lines[lines.length - 1]).toBe("");
        expect(/[\u0000-\u0009\u000b-\u001f\u007f\u2028\u2029]/u.test(report)).toBe(false);
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});

describe("unreadable lines and the rows they hold", () => {
  it("a service-tag row cut off by an unreadable line is placed on that line, by its first cell only", () => {
    const lines = EN.split("\n");
    lines[25] = "| `Storage` | HTTPS | many | Required for secure communication. |";
    const r = compareWithSource(lines.join("\n"), "2021-11-02");
    expect(r.unreadable.map((u) => u.line)).toEqual([26]);
    expect(r.missingFromPage).toMatchObject([{ line: 26, key: "Storage", requirementId: "tag-storage" }]);
  });
});

describe("a page truncated in the middle of a table", () => {
  it("reports the broken row on its line and every row after it as missing", () => {
    const lines = EN.split("\n");
    const truncated = [...lines.slice(0, 62), "| `gcs.prod.monitoring.core.windows.net` | HTT"].join("\n");
    const r = compareWithSource(truncated, "2021-11-02");
    expect(r.unreadable).toEqual([
      { line: 63, text: "| `gcs.prod.monitoring.core.windows.net` | HTT", reason: "the Port cell is empty", table: "azure-global" },
    ]);
    expect(r.missingFromPage.map((d) => [d.line, d.key])).toEqual([
      [63, "gcs.prod.monitoring.core.windows.net"],
      [63, "global.prod.microsoftmetrics.com"],
      [63, "shavsalinuxscanpkg.blob.core.windows.net"],
      [63, "crl.microsoft.com"],
      [63, "global-dsms.dsms.core.windows.net"],
      [null, "8443"],
      [null, "9443"],
      [null, "7001"],
      [null, "9042"],
      [null, "7199"],
    ]);
    expect(r.differing).toEqual([]);
  });
});

describe("Microsoft's translations of the GA page", () => {
  it("the French GA page as Microsoft publishes it matches 2021-11-02: tables and prose", () => {
    const r = compareWithSource(FR_GA, "2021-11-02");
    expect(counts(r)).toEqual([0, 0, 0, 0]);
    expect(r).toMatchObject({ matches: true, locale: "fr", localeFrom: "front-matter", pageRows: 33, revisionRows: 33 });
    expect(r.prose).toMatchObject({ compared: true, pageSections: 7, changes: [] });
    expect(r.prose.source?.commit).toBe("ddac45cf7b5defb3356078c7fa1e490477bc77a5");
  });

  it("the German GA page as Microsoft publishes it matches 2021-11-02: tables and prose", () => {
    const r = compareWithSource(DE_GA, "2021-11-02");
    expect(counts(r)).toEqual([0, 0, 0, 0]);
    expect(r).toMatchObject({ matches: true, locale: "de", pageRows: 33 });
    expect(r.prose).toMatchObject({ compared: true, pageSections: 7, changes: [] });
  });

  it("a translated name the catalogue lacks is unreadable with the entry to add, never a rule change", () => {
    const page = DE_GA.replace("| Speicher |", "| Datenspeicher |").replace("Azure Virtual Machine Scale Sets/Azure Management API", "Azure-VM-Skalierungsgruppen/Azure-Verwaltungs-API");
    const r = compareWithSource(page, "2021-11-02");
    expect(counts(r)).toEqual([0, 0, 0, 2]);
    expect(r.unreadable.map((u) => [u.line, u.requirementId, u.catalogueEntry])).toEqual([
      [27, "tag-storage", 'add to packages/core/data/source/locales/de.yaml under tags: - { written: "Datenspeicher", tag: Storage, sources: [...] }'],
      [
        54,
        "management-api",
        'add to packages/core/data/source/locales/de.yaml under services: - { written: "Azure-VM-Skalierungsgruppen/Azure-Verwaltungs-API", tag: AzureResourceManager, sources: [...] }',
      ],
    ]);
    expect(r.matches).toBe(false);
    expect(formatSourceComparison(r).split("\n")[0]).toBe("The page (de, 32 rows) differs from revision 2021-11-02 (33 rows): 2 unreadable lines.");
  });

  it("a page in a locale whose prose the data does not record: only the tables decide", () => {
    const r = compareWithSource(FR_GA, "2021-09-13");
    expect(r.prose).toMatchObject({ compared: false, reason: "the data records no text of revision 2021-09-13 in locale fr", changes: [] });
    expect(formatSourceComparison(r).split("\n")[1]).toContain("Prose: not compared (the data records no text of revision 2021-09-13 in locale fr); the tables decide.");
    // The rows of 2021-09-13 that GA changed, and nothing about the prose.
    expect(r.missingFromRevision.length + r.missingFromPage.length).toBeGreaterThan(0);
  });
});

describe("prose: a section added, removed or changed is a change to review", () => {
  const section = (page: string, heading: string, next: string): string => page.slice(0, page.indexOf(heading)) + page.slice(page.indexOf(next));

  it("the current English page without its UDR section: prose changed, naming the section and what it states", () => {
    const page = section(EN, "## User-defined routes", "## Azure Global required network rules");
    const r = compareWithSource(page, "2021-11-02");
    expect(r.rulesMatch).toBe(true);
    expect(r.matches).toBe(false);
    expect(r.prose.changes).toEqual([
      {
        kind: "removed",
        id: "user-defined-routes",
        heading: "User-defined routes",
        line: 42,
        removedSentences: [
          "If you're using a non-Microsoft firewall to restrict outbound access, we highly recommend that you configure user-defined routes (UDRs) for Microsoft address prefixes instead of attempting to allow connectivity through your own firewall.",
          "To add the required address prefixes in UDRs, see the sample Bash script.",
        ],
        addedSentences: [],
        requirements: ["microsoft-prefixes"],
        features: [],
      },
    ]);
    const report = formatSourceComparison(r).split("\n");
    expect(report[0]).toBe("The page (en, 33 rows) differs from revision 2021-11-02 (33 rows): prose changed: review.");
    expect(report[2]).toBe('line 42: prose changed: review: section "User-defined routes" (user-defined-routes) removed; re-check requirement microsoft-prefixes');
  });

  it("one sentence of the DNS note changed: the section and the sentence before and after", () => {
    const page = EN.replace("The virtual machines in the virtual network honor the name server", "The virtual machines in the virtual network ignore the name server");
    const r = compareWithSource(page, "2021-11-02");
    expect(r.rulesMatch).toBe(true);
    expect(r.prose.changes).toHaveLength(1);
    expect(r.prose.changes[0]).toMatchObject({
      kind: "changed",
      id: "dns-access",
      heading: "DNS access",
      line: 69,
      removedSentences: ["The virtual machines in the virtual network honor the name server that's communicated through the Dynamic Host Configuration Protocol."],
      addedSentences: ["The virtual machines in the virtual network ignore the name server that's communicated through the Dynamic Host Configuration Protocol."],
    });
    expect(r.prose.changes[0]?.requirements).toContain("crl");
  });

  it("a sentence added to the VPN note links the vpn feature and the tag requirements", () => {
    const page = EN.replace("you don't need to open any other connection.", "you don't need to open any other connection. With VPN you must also open Storage on 8080.");
    const r = compareWithSource(page, "2021-11-02");
    expect(r.prose.changes.map((c) => [c.id, c.addedSentences, c.features])).toEqual([["virtual-network-service-tags", ["With VPN you must also open Storage on 8080."], ["vpn"]]]);
    expect(r.prose.changes[0]?.requirements).toEqual(expect.arrayContaining(["tag-storage", "microsoft-prefixes"]));
  });

  it("a new section is added, a renamed heading with the same text is a changed section, formatting alone is no change", () => {
    const added = compareWithSource(`${EN}\n## Private endpoints\n\nOpen port 9042 to your clients.\n`, "2021-11-02");
    expect(added.prose.changes.map((c) => [c.kind, c.id, c.addedSentences])).toEqual([["added", "private-endpoints", ["Open port 9042 to your clients."]]]);
    const renamed = compareWithSource(EN.replace("### DNS access", "### Name resolution"), "2021-11-02");
    expect(renamed.prose.changes.map((c) => [c.kind, c.id, c.heading, c.removedSentences, c.addedSentences])).toEqual([["changed", "name-resolution", "Name resolution", ["DNS access"], ["Name resolution"]]]);
    const bold = compareWithSource(EN.replace("If you use a virtual private network (VPN)", "If you use a **virtual private network** (`VPN`)"), "2021-11-02");
    expect(bold.matches).toBe(true);
  });
});

describe("prose properties", () => {
  const recorded = parseSourcePage(EN).sections;
  const candidates = recorded.flatMap((s) => sentences(s.text).filter((x) => x.includes(" the ")).map((sentence) => ({ id: s.id, sentence })));

  it("changing one word of any sentence reports exactly that section, with that sentence before and after", () => {
    fc.assert(
      fc.property(fc.constantFrom(...candidates), fc.constantFrom("a", "no", "every"), ({ id, sentence }, word) => {
        const changed = sentence.replace(" the ", ` ${word} `);
        const lineOf = EN.split("\n").findIndex((l) => l.includes(sentence.slice(0, 40)));
        fc.pre(lineOf >= 0 && EN.split(sentence).length === 2);
        const r = compareWithSource(EN.replace(sentence, changed), "2021-11-02");
        expect(r.rulesMatch).toBe(true);
        expect(r.prose.changes.map((c) => [c.kind, c.id, c.removedSentences, c.addedSentences])).toEqual([["changed", id, [sentence], [changed]]]);
      }),
      { numRuns: Number(process.env.FC_NUM_RUNS ?? 100), seed: 23 },
    );
  });

  it("Markdown emphasis and code marks around any word of the prose change nothing", () => {
    const words = [...new Set(recorded.flatMap((s) => s.text.split(/\s+/u)).filter((w) => /^[A-Za-z]{4,}$/u.test(w)))];
    fc.assert(
      fc.property(fc.constantFrom(...words), fc.constantFrom(["**", "**"], ["*", "*"], ["`", "`"]), (word, [open, close]) => {
        const page = EN.replace(new RegExp(`(?<=[ (])${word}(?=[ ,.)])`, "u"), `${open}${word}${close}`);
        fc.pre(page !== EN);
        expect(compareWithSource(page, "2021-11-02").matches).toBe(true);
      }),
      { numRuns: Number(process.env.FC_NUM_RUNS ?? 100), seed: 29 },
    );
  });
});

import { readFileSync } from "node:fs";
import { diffRevisions, revisions } from "@cassandra-mi-netrules/core";
import { compareWithSource, formatSourceComparison, SourcePageError, UnknownNameError, type SourceComparison } from "@cassandra-mi-netrules/core/source";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const read = (url: URL): string => readFileSync(url, "utf8");
const vendor = (name: string): string => read(new URL(`../../../vendor/pages/${name}`, import.meta.url));
const fixture = (name: string): string => read(new URL(`./fixtures/pages/${name}`, import.meta.url));
const EN = vendor("network-rules.en.2021-11-02.current.md");
const FR = vendor("network-rules.fr.2021-05-21.seed.md");

/** Line numbers (1-based, of the modified copy) where the copy differs from the original, by a plain LCS line diff. */
function changedLines(original: string, copy: string): { removed: number[]; added: number[] } {
  const a = original.split("\n");
  const b = copy.split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const removed: number[] = [];
  const added: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      added.push(j + 1);
      j++;
    } else {
      removed.push(i + 1);
      i++;
    }
  }
  return { removed, added };
}

function counts(r: SourceComparison): [number, number, number, number] {
  return [r.missingFromRevision.length, r.missingFromPage.length, r.differing.length, r.unreadable.length];
}

describe("the real pages match their revisions", () => {
  it("the current English page matches 2021-11-02 with no difference", () => {
    const r = compareWithSource(EN, "2021-11-02");
    expect(counts(r)).toEqual([0, 0, 0, 0]);
    expect(r).toMatchObject({ matches: true, revision: "2021-11-02", locale: "en", pageRows: 33, revisionRows: 33 });
    expect(formatSourceComparison(r)).toBe("The page (en, 33 rows) matches revision 2021-11-02 (33 rows).\n");
  });

  it("the French seed matches 2021-05-21 with no difference", () => {
    const r = compareWithSource(FR, "2021-05-21");
    expect(counts(r)).toEqual([0, 0, 0, 0]);
    expect(r).toMatchObject({ matches: true, revision: "2021-05-21", locale: "fr", pageRows: 13, revisionRows: 13 });
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
      expect(counts(r)).toEqual([0, 0, 2, 0]);
      expect(r.differing.map((d) => [d.line, d.field, d.page, d.revision])).toEqual([
        [33, "alternative", '"Azure KeyVualt" (no known tag)', "AzureKeyVault"],
        [50, "port", "7198", "7199"],
      ]);
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
      expect(counts(r)).toEqual([0, 0, 0, 0]);
      expect(r.matches).toBe(true);
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
    expect(r.matches).toBe(counts(r).every((n) => n === 0));
  });

  it("the formatted report gives one line per difference with its line number", () => {
    expect(formatSourceComparison(compareWithSource(fixture("en.row-removed.markdown"), "2021-11-02"))).toBe(
      [
        "The page (en, 32 rows) differs from revision 2021-11-02 (33 rows): 0 not in revision, 1 missing from page, 0 differing, 0 unreadable.",
        'line 60: missing from page: Azure Global table row "packages.microsoft.com" HTTPS 443 (requirement security-scanner-definitions) is not on the page (expected here)',
        "",
      ].join("\n"),
    );
    const report = formatSourceComparison(compareWithSource(fixture("fr.label-and-port.markdown"), "2021-05-21")).split("\n");
    expect(report.slice(1, 3)).toEqual([
      'line 33: differs: Azure Global table row "vmc-p-{region}.vault.azure.net": alternative "Azure KeyVualt", which names no known tag, where revision 2021-05-21 has AzureKeyVault',
      'line 50: differs: internal ports table row "7199": port "7198" where revision 2021-05-21 has "7199"',
    ]);
    expect(formatSourceComparison(compareWithSource(fixture("en.table-cut.markdown"), "2021-11-02")).split("\n")[1]).toMatch(/^line 61: unreadable: the table of line 50 is cut in half/);
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

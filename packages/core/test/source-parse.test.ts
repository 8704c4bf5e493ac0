import { readFileSync } from "node:fs";
import { parseSourcePage, SourcePageError, type SourceRow } from "@cassandra-mi-netrules/core/source";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const vendor = (name: string): string => readFileSync(new URL(`../../../vendor/pages/${name}`, import.meta.url), "utf8");
const EN = vendor("network-rules.en.2021-11-02.current.md");
const FR = vendor("network-rules.fr.2021-05-21.seed.md");
const FR_GA = vendor("network-rules.fr.2021-11-02.ga-handoff.md");
const DE_GA = vendor("network-rules.de.2021-11-02.ga-handoff.md");

const byTable = (rows: readonly SourceRow[], table: SourceRow["table"]): SourceRow[] => rows.filter((r) => r.table === table);

/** A page holding only the Azure Global table, with `rows` as its body. */
function globalTable(...rows: string[]): string {
  return ["# Page", "", "| Destination endpoint | Protocol | Port | Use |", "|---|---|---|---|", ...rows, ""].join("\n");
}

describe("parseSourcePage on the current English page (2021-11-02)", () => {
  const parsed = parseSourcePage(EN);

  it("reads every rule row and no line is unreadable", () => {
    expect(parsed.unreadable).toEqual([]);
    expect(parsed.locale).toBe("en");
    expect(byTable(parsed.rows, "service-tags")).toHaveLength(9);
    expect(byTable(parsed.rows, "prefixes")).toHaveLength(3);
    expect(byTable(parsed.rows, "azure-global")).toHaveLength(16);
    expect(byTable(parsed.rows, "internal-ports")).toHaveLength(5);
  });

  it("gives each row its source line", () => {
    const lines = EN.split("\n");
    for (const row of parsed.rows) {
      const text = lines[row.line - 1] ?? "";
      const needle = row.table === "internal-ports" ? `| ${row.port} |` : row.asWritten;
      expect(text, `line ${row.line}`).toContain(needle);
    }
    expect(parsed.rows.map((r) => r.line)).toEqual([...parsed.rows.map((r) => r.line)].sort((a, b) => a - b));
  });

  it("reads an FQDN row with its :443 suffix, <region> placeholder and its alternative", () => {
    expect(parsed.rows.find((r) => r.line === 52)).toEqual({
      line: 52,
      table: "azure-global",
      endpoint: "snovap{region}.blob.core.windows.net",
      protocol: "HTTPS",
      ports: [{ from: 443, to: 443 }],
      alternative: "Storage",
      alternativeLabel: "Azure Storage",
      asWritten:
        "`snovap<region>.blob.core.windows.net:443`</br> Or</br> [ServiceTag](/azure/virtual-network/service-tags-overview#available-service-tags) - Azure Storage",
    });
  });

  it("maps each alternative label of the page to its tag", () => {
    const alternatives = Object.fromEntries(byTable(parsed.rows, "azure-global").map((r) => [r.endpoint, r.alternative ?? null]));
    expect(alternatives).toEqual({
      "snovap{region}.blob.core.windows.net": "Storage",
      "*.store.core.windows.net": "Storage",
      "*.blob.core.windows.net": "Storage",
      "vmc-p-{region}.vault.azure.net": "AzureKeyVault",
      "management.azure.com": "AzureResourceManager",
      "*.servicebus.windows.net": "EventHub",
      "jarvis-west.dc.ad.msft.net": "AzureMonitor",
      "login.microsoftonline.com": "AzureActiveDirectory",
      "packages.microsoft.com": null,
      "azure.microsoft.com": null,
      "{region}-dsms.dsms.core.windows.net": null,
      "gcs.prod.monitoring.core.windows.net": null,
      "global.prod.microsoftmetrics.com": null,
      "shavsalinuxscanpkg.blob.core.windows.net": null,
      "crl.microsoft.com": null,
      "global-dsms.dsms.core.windows.net": null,
    });
  });

  it("canonicalises the page's AzureFrontDoor.Firstparty and keeps the spelling it saw", () => {
    const row = parsed.rows.find((r) => r.line === 32);
    expect(row).toMatchObject({ tag: "AzureFrontDoor.FirstParty", writtenTag: "AzureFrontDoor.Firstparty", tagKnown: true });
  });

  it("reads the prefixes of the bullet list, one row per prefix on its line", () => {
    expect(byTable(parsed.rows, "prefixes").map((r) => [r.line, r.prefix])).toEqual([
      [38, "104.40.0.0/13"],
      [39, "13.104.0.0/14"],
      [40, "40.64.0.0/10"],
    ]);
  });

  it("reads the internal ports without inventing a protocol", () => {
    const ports = byTable(parsed.rows, "internal-ports");
    expect(ports.map((r) => r.port)).toEqual([8443, 9443, 7001, 9042, 7199]);
    expect(ports.every((r) => r.protocol === undefined)).toBe(true);
  });
});

describe("parseSourcePage on the French seed (2021-05-21)", () => {
  const parsed = parseSourcePage(FR);

  it("reads the eight FQDN rows and five ports, in French", () => {
    expect(parsed.unreadable).toEqual([]);
    expect(parsed.locale).toBe("fr");
    expect(byTable(parsed.rows, "azure-global").map((r) => [r.line, r.endpoint, r.alternative ?? null])).toEqual([
      [31, "snovap{region}.blob.core.windows.net", "Storage"],
      [32, "*.blob.core.windows.net", "Storage"],
      [33, "vmc-p-{region}.vault.azure.net", "AzureKeyVault"],
      [34, "management.azure.com", "AzureResourceManager"],
      [35, "*.servicebus.windows.net", "EventHub"],
      [36, "jarvis-west.dc.ad.msft.net", "AzureMonitor"],
      [37, "login.microsoftonline.com", "AzureActiveDirectory"],
      [38, "packages.microsoft.com", null],
    ]);
    expect(byTable(parsed.rows, "internal-ports").map((r) => [r.line, r.port])).toEqual([
      [46, 8443],
      [47, 9443],
      [48, 7001],
      [49, 9042],
      [50, 7199],
    ]);
  });

  it("maps the French page's labels to the same tags as the English page's, row for row", () => {
    const alternatives = (page: string) =>
      new Map(byTable(parseSourcePage(page).rows, "azure-global").map((r) => [r.endpoint, r.alternative ?? null]));
    const fr = alternatives(FR);
    const en = alternatives(EN);
    expect(fr.size).toBe(8);
    for (const [endpoint, tag] of fr) expect([endpoint, en.get(endpoint)]).toEqual([endpoint, tag]);
    // The French rows write their alternative with the French lead-in, not the English one.
    expect(parsed.rows.filter((r) => r.table === "azure-global" && r.asWritten.includes("Étiquette de service"))).toHaveLength(7);
  });

  it("keeps the French alternative label as written", () => {
    expect(parsed.rows.find((r) => r.line === 37)?.alternativeLabel).toBe("Azure AD");
  });
});

describe("formats of the page's other states", () => {
  it("reads escaped placeholders, escaped wildcards and cells without code spans", () => {
    const { rows, unreadable } = parseSourcePage(
      globalTable(
        "|snovap\\<region\\>.blob.core.windows.net:443</br> Or</br> [ServiceTag](/x) - Azure Storage | HTTPS | 443 | a |",
        "|\\*.store.core.windows.net:443</br> Or</br> [ServiceTag](/x) - Azure Storage | HTTPS | 443 | b |",
        "| \\<region\\>-dsms.dsms.core.windows.net | HTTPS | 443 | c |",
      ),
    );
    expect(unreadable).toEqual([]);
    expect(rows.map((r) => r.endpoint)).toEqual(["snovap{region}.blob.core.windows.net", "*.store.core.windows.net", "{region}-dsms.dsms.core.windows.net"]);
  });

  it("reads an alternative written on one line, with <br> or <br/>", () => {
    const { rows, unreadable } = parseSourcePage(
      globalTable(
        "| `crl.microsoft.com:443` Or ServiceTag - Azure Monitor | HTTPS | 443 | a |",
        "| `crl2.microsoft.com:443`<br>ou<br/>Étiquette de service : Azure AD | HTTPS | 443 | b |",
      ),
    );
    expect(unreadable).toEqual([]);
    expect(rows.map((r) => [r.endpoint, r.alternative])).toEqual([
      ["crl.microsoft.com", "AzureMonitor"],
      ["crl2.microsoft.com", "AzureActiveDirectory"],
    ]);
  });

  it("reads the regional tag row in its backticked and escaped forms", () => {
    const page = [
      "| Destination service tag | Protocol | Port | Use |",
      "|---|---|---|---|",
      "| `Storage.<Region>` | HTTPS | 443 | a |",
      "| Storage.\\<Region\\> | HTTPS | 443 | b |",
      "| GuestandHybridManagement | HTTPS | 443 | c |",
    ].join("\n");
    const { rows } = parseSourcePage(page);
    expect(rows.map((r) => [r.line, r.tag, r.writtenTag])).toEqual([
      [3, "Storage.{region}", undefined],
      [4, "Storage.{region}", undefined],
      [5, "GuestAndHybridManagement", "GuestandHybridManagement"],
    ]);
  });

  it("reads a service label written in the tag column as its tag, and reports a cell that is neither", () => {
    const page = [
      "| Étiquette de service de destination | Protocole | Port | Utilisation |",
      "|---|---|---|---|",
      "| Azure Key Vault | HTTPS | 443 | a |",
      "| Azure Cosmos DB | HTTPS | 443 | b |",
    ].join("\n");
    const { rows, unreadable, locale } = parseSourcePage(page);
    expect(locale).toBe("fr");
    expect(rows.map((r) => [r.line, r.tag, r.tagKnown])).toEqual([[3, "AzureKeyVault", true]]);
    expect(unreadable.map((u) => [u.line, u.reason, u.unknownName])).toEqual([
      [
        4,
        'the service-tag column\'s name "Azure Cosmos DB" is not a service tag name and not a name the page is known to use: the fr and en catalogues lack it',
        { kind: "tag", written: "Azure Cosmos DB", locale: "fr" },
      ],
    ]);
  });

  it("reads prefixes given inside a NOTE, each on the line it stands", () => {
    const page = [
      "| Port | Use |",
      "| ---- | --- |",
      "| 7001 | Gossip |",
      "",
      "> [!NOTE]",
      "> You also need these prefixes: 104.40.0.0/13,",
      "> 13.104.0.0/14 and `40.64.0.0/10`. See [the list](https://example.org/10.0.0.0/8).",
    ].join("\n");
    const { rows, unreadable } = parseSourcePage(page);
    expect(unreadable).toEqual([]);
    expect(rows.filter((r) => r.table === "prefixes").map((r) => [r.line, r.prefix])).toEqual([
      [6, "104.40.0.0/13"],
      [7, "13.104.0.0/14"],
      [7, "40.64.0.0/10"],
    ]);
  });

  it("reads CRLF line endings like LF", () => {
    const crlf = EN.replace(/\n/g, "\r\n");
    expect(parseSourcePage(crlf)).toEqual(parseSourcePage(EN));
  });

  it("takes the locale from the front matter", () => {
    const page = ["---", "ms.contentlocale: fr-FR", "---", "| Port | Use |", "| --- | --- |", "| 7001 | Gossip |"].join("\n");
    const parsed = parseSourcePage(page);
    expect(parsed.locale).toBe("fr");
    expect(parsed.rows[0]?.line).toBe(6);
  });
});

describe("translated pages: the names of the locale catalogue", () => {
  it("Microsoft's French GA page: Stockage and Event Hub name their tags, and so does the translated management service", () => {
    const parsed = parseSourcePage(FR_GA);
    expect(parsed).toMatchObject({ locale: "fr", localeFrom: "front-matter", localeKnown: true, unreadable: [] });
    expect(byTable(parsed.rows, "service-tags").map((r) => [r.line, r.tag, r.translatedName ?? null])).toEqual([
      [27, "Storage", "Stockage"],
      [28, "AzureKeyVault", null],
      [29, "EventHub", "Event Hub"],
      [30, "AzureMonitor", null],
      [31, "AzureActiveDirectory", null],
      [32, "AzureResourceManager", null],
      [33, "AzureFrontDoor.FirstParty", null],
      [34, "GuestAndHybridManagement", null],
      [35, "ApiManagement", null],
    ]);
    const management = parsed.rows.find((r) => r.endpoint === "management.azure.com");
    expect(management).toMatchObject({ alternative: "AzureResourceManager", alternativeLabel: "Azure Virtual Machine Scale Sets/API de gestion Azure" });
    expect(byTable(parsed.rows, "azure-global")).toHaveLength(16);
    expect(byTable(parsed.rows, "prefixes").map((r) => r.prefix)).toEqual(["104.40.0.0/13", "13.104.0.0/14", "40.64.0.0/10"]);
  });

  it("Microsoft's German GA page: German column labels, oder, Speicher", () => {
    const parsed = parseSourcePage(DE_GA);
    expect(parsed).toMatchObject({ locale: "de", localeFrom: "front-matter", localeKnown: true, unreadable: [] });
    expect(byTable(parsed.rows, "service-tags")[0]).toMatchObject({ line: 27, tag: "Storage", translatedName: "Speicher" });
    expect(byTable(parsed.rows, "azure-global").filter((r) => r.alternative !== undefined)).toHaveLength(8);
    expect(byTable(parsed.rows, "internal-ports").map((r) => r.port)).toEqual([8443, 9443, 7001, 9042, 7199]);
  });

  it("without front matter the locale comes from the text; --locale overrides both", () => {
    const body = DE_GA.split("---\n").slice(2).join("---\n");
    expect(parseSourcePage(body)).toMatchObject({ locale: "de", localeFrom: "text", unreadable: [] });
    expect(parseSourcePage(EN)).toMatchObject({ locale: "en", localeFrom: "text" });
    const forced = parseSourcePage(DE_GA, { locale: "es" });
    expect(forced).toMatchObject({ locale: "es", localeFrom: "option", localeKnown: false });
  });

  it("a name the catalogue lacks is an unreadable line that names it; the row is still read when the rest of it is", () => {
    const page = DE_GA.replace("| Speicher |", "| Datenspeicher |")
      .replace("| Zielendpunkt ", "| Ziel-Endpunkt ")
      .replace("Azure Virtual Machine Scale Sets/Azure Management API", "Azure-VM-Skalierungsgruppen/Azure-Verwaltungs-API");
    const parsed = parseSourcePage(page);
    expect(parsed.unreadable.map((u) => [u.line, u.unknownName])).toEqual([
      [27, { kind: "tag", written: "Datenspeicher", locale: "de" }],
      [48, { kind: "column", written: "Ziel-Endpunkt", locale: "de", role: "endpoint" }],
      [54, { kind: "service", written: "Azure-VM-Skalierungsgruppen/Azure-Verwaltungs-API", locale: "de" }],
    ]);
    // The Azure Global table is read by its cells, and the management row keeps its endpoint.
    expect(byTable(parsed.rows, "azure-global")).toHaveLength(16);
    expect(parsed.rows.find((r) => r.line === 54)).toMatchObject({ endpoint: "management.azure.com", alternativeUnknown: true });
    expect(parsed.rows.find((r) => r.line === 27)).toBeUndefined();
  });

  it("a page in a locale the catalogue lacks: English names are read, every other one is reported with its role", () => {
    const parsed = parseSourcePage(DE_GA, { locale: "es" });
    const unknown = parsed.unreadable.map((u) => u.unknownName);
    expect(unknown).toContainEqual({ kind: "column", written: "Zieldiensttag", locale: "es", role: "tag" });
    expect(unknown).toContainEqual({ kind: "column", written: "Protokoll", locale: "es", role: "protocol" });
    expect(unknown).toContainEqual({ kind: "connector", written: "oder", locale: "es", role: "or" });
    expect(unknown).toContainEqual({ kind: "tag", written: "Speicher", locale: "es" });
    expect(parsed.unreadable.every((u) => u.unknownName !== undefined)).toBe(true);
    // Every rule row but the Speicher one is still read, by the cells.
    expect(parsed.rows).toHaveLength(32);
  });

  it("on an English page, an unknown tag name is a tag (a rule difference), not a missing translation", () => {
    const { rows, unreadable } = parseSourcePage(EN.replace("| `AzureMonitor` |", "| `AzureUpdateDelivery` |"));
    expect(unreadable).toEqual([]);
    expect(rows.find((r) => r.tag === "AzureUpdateDelivery")).toMatchObject({ tagKnown: false });
  });
});

describe("prose sections", () => {
  it("the current English page: seven sections by heading, tables and address prefixes left out", () => {
    const { sections } = parseSourcePage(EN);
    expect(sections.map((s) => [s.id, s.line])).toEqual([
      ["required-outbound-network-rules", 11],
      ["virtual-network-service-tags", 18],
      ["user-defined-routes", 42],
      ["azure-global-required-network-rules", 46],
      ["dns-access", 69],
      ["internal-port-usage", 75],
      ["related-content", 87],
    ]);
    const tags = sections[1]!;
    expect(tags.text.split("\n")).toHaveLength(3);
    expect(tags.text).not.toMatch(/Storage \| HTTPS|104\.40\.0\.0/u);
    expect(tags.text).toContain("If you use a virtual private network (VPN), you don't need to open any other connection.");
    expect(tags.fingerprint).toMatch(/^[0-9a-f]{8}$/u);
  });

  it("a translated page's sections take their anchors as ids, the English headings' slugs", () => {
    expect(parseSourcePage(FR_GA).sections.map((s) => s.id)).toEqual([
      "required-outbound-network-rules",
      "virtual-network-service-tags",
      "user-defined-routes",
      "azure-global-required-network-rules",
      "dns-access",
      "internal-port-usage",
      "next-steps",
    ]);
  });

  it("Markdown formatting alone does not change a section's text", () => {
    const plain = parseSourcePage(EN).sections[4]!;
    const marked = parseSourcePage(EN.replace("The system uses Domain Name System (DNS) names", "The system uses **Domain Name System** (`DNS`) [names](https://example.org)")).sections[4]!;
    expect(marked.text).toBe(plain.text);
    expect(marked.fingerprint).toBe(plain.fingerprint);
  });
});

describe("unreadable lines name the line and the reason", () => {
  it("a port that is not a number", () => {
    const { rows, unreadable } = parseSourcePage(globalTable("| `a.example.com` | HTTPS | four-four-three | x |", "| `b.example.com` | HTTPS | 443 | y |"));
    expect(rows.map((r) => r.endpoint)).toEqual(["b.example.com"]);
    expect(unreadable).toEqual([
      {
        line: 5,
        text: "| `a.example.com` | HTTPS | four-four-three | x |",
        reason: 'the Port cell "four-four-three" is not a port, a list of ports or a range',
        table: "azure-global",
      },
    ]);
  });

  it("an empty protocol, a missing cell, a destination that is not a host", () => {
    const { unreadable } = parseSourcePage(globalTable("| `a.example.com` |  | 443 | x |", "| `b.example.com` |", "| not a host name | HTTPS | 443 | z |"));
    expect(unreadable.map((u) => [u.line, u.reason])).toEqual([
      [5, "the Protocol cell is empty"],
      [6, "the Protocol cell is empty"],
      [7, 'the destination "not a host name" is not one host name (an "Or" / "ou" separator may be missing)'],
    ]);
  });

  it("a :port suffix that the Port column contradicts", () => {
    const { unreadable } = parseSourcePage(globalTable("| `a.example.com:80` | HTTPS | 443 | x |"));
    expect(unreadable[0]).toMatchObject({ line: 5, reason: "the destination says :80 but the Port column says 443" });
  });

  it("nothing after Or, and two alternatives", () => {
    const { unreadable } = parseSourcePage(
      globalTable("| `a.example.com`</br> Or</br> [ServiceTag](/x) - | HTTPS | 443 | x |", "| `b.example.com` Or Azure Storage Or Azure Monitor | HTTPS | 443 | y |"),
    );
    expect(unreadable.map((u) => [u.line, u.reason])).toEqual([
      [5, 'nothing follows "Or" / "ou" in the destination cell'],
      [6, "the destination cell names 2 alternatives; the page has only ever named one"],
    ]);
  });

  it("an address prefix that is not valid", () => {
    const page = `${globalTable("| `a.example.com` | HTTPS | 443 | x |")}\n- 104.40.0.1/13\n- 300.1.1.0/24\n`;
    const { unreadable } = parseSourcePage(page);
    expect(unreadable.map((u) => [u.line, u.table])).toEqual([
      [7, "prefixes"],
      [8, "prefixes"],
    ]);
    expect(unreadable[0]?.reason).toContain("host bits are set");
    expect(unreadable[1]?.reason).toContain('"300.1.1.0/24"');
  });

  it("a table that is not one of the rule tables", () => {
    const page = `${globalTable("| `a.example.com` | HTTPS | 443 | x |")}\n| Name | Value |\n|---|---|\n| a | b |\n`;
    const { unreadable } = parseSourcePage(page);
    expect(unreadable).toEqual([
      {
        line: 7,
        text: "| Name | Value |",
        reason: 'a table that is not one of the page\'s rule tables (header "Name | Value"); its 1 rows were not read',
      },
    ]);
  });

  it("a table cut in half by a blank line: the cut is reported and the rows after it are still read", () => {
    const { rows, unreadable } = parseSourcePage(globalTable("| `a.example.com` | HTTPS | 443 | x |", "", "| `b.example.com` | HTTPS | 80 | y |"));
    expect(rows.map((r) => [r.line, r.endpoint, r.ports])).toEqual([
      [5, "a.example.com", [{ from: 443, to: 443 }]],
      [7, "b.example.com", [{ from: 80, to: 80 }]],
    ]);
    expect(unreadable).toEqual([
      {
        line: 7,
        text: "| `b.example.com` | HTTPS | 80 | y |",
        reason: "the table of line 3 is cut in half: it ends at line 5 and this line starts a paragraph of table rows (read with that table's header)",
        table: "azure-global",
      },
    ]);
  });

  it("table rows after prose are not read, and every one is reported", () => {
    const page = `${globalTable("| `a.example.com` | HTTPS | 443 | x |")}\nSome prose.\n\n| \`b.example.com\` | HTTPS | 443 | y |\nmore prose\n| \`c.example.com\` | HTTPS | 443 | z |\n`;
    const { rows, unreadable } = parseSourcePage(page);
    expect(rows.map((r) => r.endpoint)).toEqual(["a.example.com"]);
    expect(unreadable.map((u) => u.line)).toEqual([9, 11]);
    expect(unreadable[0]?.reason).toBe("a table row outside any table (no header and delimiter row above it); not read");
  });

  it("an HTML table", () => {
    const page = `${globalTable("| `a.example.com` | HTTPS | 443 | x |")}\n<table>\n<tr><td>b.example.com</td></tr>\n</table>\n`;
    expect(parseSourcePage(page).unreadable).toEqual([{ line: 7, text: "<table>", reason: "an HTML table: only Markdown tables are read" }]);
  });
});

describe("pages that cannot be read at all", () => {
  it("throws SourcePageError naming the line when there is no rule table", () => {
    expect(() => parseSourcePage("# Hello\n\nNo table here.\n")).toThrow(SourcePageError);
    expect(() => parseSourcePage("# Hello\n\nNo table here.\n")).toThrow(/^line 1: no rule table found/);
    expect(() => parseSourcePage("")).toThrow(SourcePageError);
  });

  it("throws on binary input, naming the line of the NUL byte", () => {
    expect(() => parseSourcePage("| Port | Use |\n|---|---|\n| 1\u0000 | x |")).toThrow(/^line 3: the file holds a NUL byte/);
  });

  it("throws on a value that is not a string", () => {
    expect(() => parseSourcePage(42 as unknown as string)).toThrow(/expected the page's Markdown text, got number/);
  });
});

describe("properties", () => {
  const cell = fc.string({ unit: fc.constantFrom("a", "<", ">", "`", "\\", "*", "|", " ", ".", ":", "4", "-", "O", "r", "é", "\n", "[", "]", "(", ")") });

  it("never throws on a page with a rule table, and every row and unreadable line has a real line number", () => {
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 12 }), (cells) => {
        const page = globalTable(...cells.map((c) => `| ${c.replace(/\n/g, " ")} | HTTPS | 443 | x |`), ...cells);
        const lineCount = page.split("\n").length;
        const { rows, unreadable } = parseSourcePage(page);
        for (const r of [...rows, ...unreadable]) {
          expect(r.line).toBeGreaterThanOrEqual(1);
          expect(r.line).toBeLessThanOrEqual(lineCount);
        }
        // Nothing is dropped: every body line of the table gives a row or an unreadable line.
        const seen = new Set([...rows, ...unreadable].map((r) => r.line));
        cells.forEach((_, k) => expect(seen.has(5 + k), `line ${5 + k} of ${JSON.stringify(page)}`).toBe(true));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("is deterministic: the same text gives the same result", () => {
    expect(JSON.stringify(parseSourcePage(EN))).toBe(JSON.stringify(parseSourcePage(EN)));
    expect(JSON.stringify(parseSourcePage(FR))).toBe(JSON.stringify(parseSourcePage(FR)));
  });
});

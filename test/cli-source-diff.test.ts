/** The built CLI as a process: check-source on translated pages and on prose, and diff in rules (issue: localized pages, prose, diff). */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, requireBuiltCli, ROOT, tempDir } from "./helpers.js";

const PAGES = join(ROOT, "vendor/pages");
const EN = join(PAGES, "network-rules.en.2021-11-02.current.md");
const FR_GA = join(PAGES, "network-rules.fr.2021-11-02.ga-handoff.md");
const DE_GA = join(PAGES, "network-rules.de.2021-11-02.ga-handoff.md");
let tmp = "";

beforeAll(() => {
  requireBuiltCli();
  tmp = tempDir("cli-source");
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A copy of `page` with `edit` applied, written to the temporary directory. */
function edited(page: string, name: string, edit: (text: string) => string): string {
  const text = readFileSync(page, "utf8");
  const out = edit(text);
  expect(out, name).not.toBe(text);
  const path = join(tmp, name);
  writeFileSync(path, out);
  return path;
}

describe("check-source on Microsoft's translations", () => {
  it("the French GA page as Microsoft publishes it matches 2021-11-02 (exit 0), tables and prose", () => {
    const r = cli(["check-source", FR_GA, "--revision", "2021-11-02"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.split("\n").slice(0, 2)).toEqual([
      "The page (fr, 33 rows) matches revision 2021-11-02 (33 rows).",
      "Locale fr (from its front matter). Rules: 0 not in revision, 0 missing from page, 0 differing, 0 unreadable. Prose: 7 sections, no change.",
    ]);
  });

  it("the German GA page matches too; --locale is taken over the front matter", () => {
    expect(cli(["check-source", DE_GA]).code).toBe(0);
    const asSpanish = cli(["check-source", DE_GA, "--locale", "es"]);
    expect(asSpanish.code).toBe(1);
    expect(asSpanish.stdout).toContain("Locale es (as given).");
    expect(asSpanish.stdout).toContain('the column label "Zieldiensttag" is not a name the page is known to use: the catalogue has no locale "es"');
    expect(asSpanish.stdout).toContain("Prose: not compared (the data records no text of revision 2021-11-02 in locale es); the tables decide.");
  });

  it("a translated name the catalogue lacks: exit 1, unreadable on its line with the entry to add, no rule change", () => {
    const page = edited(DE_GA, "de-unknown.md", (t) => t.replace("| Speicher |", "| Datenspeicher |"));
    const r = cli(["check-source", page]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^The page \(de, 32 rows\) differs from revision 2021-11-02 \(33 rows\): 1 unreadable line\.$/m);
    expect(r.stdout).toContain("Rules: 0 not in revision, 0 missing from page, 0 differing, 1 unreadable.");
    expect(r.stdout).toContain(
      'line 27: unreadable: the service-tag column\'s name "Datenspeicher" is not a service tag name and not a name the page is known to use: the de and en catalogues lack it; it stands for requirement tag-storage: add to packages/core/data/source/locales/de.yaml under tags: - { written: "Datenspeicher", tag: Storage, sources: [...] }',
    );
  });

  it("--json carries the locale, the rules and the prose", () => {
    const r = cli(["check-source", FR_GA, "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { locale: string; localeFrom: string; matches: boolean; rulesMatch: boolean; prose: { compared: boolean; pageSections: number; changes: unknown[] } };
    expect(report).toMatchObject({ locale: "fr", localeFrom: "front-matter", matches: true, rulesMatch: true, prose: { compared: true, pageSections: 7, changes: [] } });
  });

  it("a bad --locale is a usage error naming the value", () => {
    const r = cli(["check-source", EN, "--locale", "french"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('--locale: expected an ISO 639-1 code such as fr or de (value: "french")');
  });
});

describe("check-source on the prose", () => {
  it("the current English page with the UDR section removed: exit 1, naming the section", () => {
    const page = edited(EN, "no-udr.md", (t) => t.slice(0, t.indexOf("## User-defined routes")) + t.slice(t.indexOf("## Azure Global required network rules")));
    const r = cli(["check-source", page]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^The page \(en, 33 rows\) differs from revision 2021-11-02 \(33 rows\): prose changed: review\.$/m);
    expect(r.stdout).toContain("Rules: 0 not in revision, 0 missing from page, 0 differing, 0 unreadable. Prose: 0 added, 1 removed, 0 changed: review.");
    expect(r.stdout).toContain('line 42: prose changed: review: section "User-defined routes" (user-defined-routes) removed; re-check requirement microsoft-prefixes');
  });

  it("one sentence of the DNS note changed: exit 1, naming the section and the sentence", () => {
    const page = edited(EN, "dns.md", (t) => t.replace("In most cases, Azure automatically sets up a DNS server", "Azure never sets up a DNS server"));
    const r = cli(["check-source", page]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^line 69: prose changed: review: section "DNS access" \(dns-access\) changed; re-check requirements storage-control-plane, .*crl, dsms-global$/m);
    expect(r.stdout).toContain("    - In most cases, Azure automatically sets up a DNS server for the virtual network.");
    expect(r.stdout).toContain("    + Azure never sets up a DNS server for the virtual network.");
  });

  it("a sentence added to the VPN note (\"with VPN you must also open Storage on 8080\"): exit 1, with the vpn feature to re-check", () => {
    const page = edited(EN, "vpn.md", (t) => t.replace("you don't need to open any other connection.", "you don't need to open any other connection. With VPN you must also open Storage on 8080."));
    const r = cli(["check-source", page]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/section "Virtual network service tags" \(virtual-network-service-tags\) changed; re-check requirements tag-storage, .*; feature vpn$/m);
    expect(r.stdout).toContain("    + With VPN you must also open Storage on 8080.");
  });
});

describe("diff in rules", () => {
  it("diff 2021-05-21 2021-11-02 names crl.microsoft.com and every other added destination with its port, 0 changed, the 8 wording changes apart", () => {
    const r = cli(["diff", "2021-05-21", "2021-11-02"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("rules from 2021-05-21 to 2021-11-02: 18 added, 0 removed, 0 changed; 8 wording changes (not rule changes)");
    expect(lines).toContain("+ crl: outbound from the cluster subnet to crl.microsoft.com, TCP 443 (HTTPS)");
    const added = lines.filter((l) => l.startsWith("+ "));
    expect(added).toHaveLength(18);
    for (const destination of [
      "*.store.core.windows.net",
      "azure.microsoft.com",
      "{region}-dsms.dsms.core.windows.net",
      "gcs.prod.monitoring.core.windows.net",
      "global.prod.microsoftmetrics.com",
      "shavsalinuxscanpkg.blob.core.windows.net",
      "crl.microsoft.com",
      "global-dsms.dsms.core.windows.net",
      "service tag Storage",
      "service tag AzureKeyVault",
      "service tag EventHub",
      "service tag AzureMonitor",
      "service tag AzureActiveDirectory",
      "service tag AzureResourceManager",
      "service tag AzureFrontDoor.FirstParty",
      "service tag GuestAndHybridManagement",
      "service tag ApiManagement",
      "prefixes 104.40.0.0/13, 13.104.0.0/14, 40.64.0.0/10",
    ]) {
      expect(added.find((l) => l.includes(` to ${destination}`)), destination).toMatch(/, TCP 443 \(HTTPS\)/);
    }
    const wordingAt = lines.indexOf("wording: 8 rows the page rewrote without changing the rule (translation, names, punctuation)");
    expect(wordingAt).toBeGreaterThan(added.length);
    expect(lines.slice(wordingAt + 1, wordingAt + 9).map((l) => l.split(":")[0])).toEqual([
      "= cql",
      "= entra-id-login",
      "= event-hub-logs",
      "= gossip",
      "= internal-8443",
      "= internal-9443",
      "= jmx",
      "= key-vault",
    ]);
    expect(lines.filter((l) => l.startsWith("~ "))).toEqual([]);
  });

  it("--json carries the rules and the wording apart", () => {
    const r = cli(["diff", "2021-05-21", "2021-11-02", "--json"]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as {
      added: string[];
      changed: unknown[];
      wording: Array<{ id: string; field: string; before: string; after: string }>;
      rules: { added: Array<{ id: string; direction: string; destinations: Array<{ type: string; value: string }>; transport: string; ports: string }>; removed: unknown[] };
    };
    expect(d.changed).toEqual([]);
    expect(d.wording).toHaveLength(8);
    expect(d.wording[0]).toMatchObject({ id: "cql", field: "provenance.asWritten" });
    expect(d.rules.added).toHaveLength(d.added.length);
    expect(d.rules.added.find((x) => x.id === "crl")).toMatchObject({ direction: "outbound", destinations: [{ type: "fqdn", value: "crl.microsoft.com" }], transport: "TCP", ports: "443" });
  });
});

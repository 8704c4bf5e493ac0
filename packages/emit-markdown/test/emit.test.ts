import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EmitterRegistry, resolveRules, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitMarkdownDocs, emitter, version } from "@cassandra-mi-netrules/emit-markdown";
import { formatIssues, lintMarkdownFiles, lintMarkdownStrings } from "@cassandra-mi-netrules/testkit/markdownlint";
import { fixtureCoverage, scenarios } from "./fixtures.js";
import { tables } from "./markdown-parse.js";

const goldenDir = fileURLToPath(new URL("./__golden__/", import.meta.url));

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

function shuffled(resolved: ResolvedRules, seed: number): ResolvedRules {
  const rules = [...resolved.rules];
  let x = seed;
  for (let i = rules.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [rules[i], rules[j]] = [rules[j]!, rules[i]!];
  }
  return { ...resolved, rules, excluded: [...resolved.excluded].reverse() };
}

describe("golden files (en and fr; current revision with eastus and without region; fr 2021-05-21)", () => {
  for (const s of scenarios()) {
    it(`${s.name} matches its golden files`, async () => {
      const out = emitMarkdownDocs(s.resolved, { locale: s.locale, changelog: true, coverage: s.coverage });
      const expected = s.coverage ? ["changelog", "index", "network-rules", "targets"] : ["changelog", "index", "network-rules"];
      expect(out.files.map((f) => f.path)).toEqual(expected.map((p) => `${s.locale}/${p}.md`));
      for (const f of out.files) await expect(f.content).toMatchFileSnapshot(join(goldenDir, s.name, f.path));
    });
  }

  it("every golden file passes markdownlint-cli2 with the committed config", () => {
    const files = listFiles(goldenDir).map((f) => relative(goldenDir, f));
    expect(files.length).toBe(5 * 3 + 2);
    const result = lintMarkdownFiles(files, goldenDir);
    expect(result.filesLinted).toBe(files.length);
    expect(formatIssues(result)).toBe("");
    expect(result.exitCode).toBe(0);
  });
});

describe("markdownlint on other renderings", () => {
  it("finds nothing with VPN and backup off, a subnet, several regions, a changelog from one revision, empty coverage", () => {
    const files = [];
    for (const locale of ["en", "fr"] as const) {
      const vpn = resolveRules({ regions: ["westeurope", "eastus2", "francecentral"], subnet: "10.9.0.0/24", features: { vpn: true, backup: false } });
      files.push(...emitMarkdownDocs(vpn, { locale, changelog: { from: "2021-08-14" }, coverage: {}, dir: `${locale}/vpn` }).files);
      const noBackup = resolveRules({ regions: ["eastus"], features: { backup: false } });
      files.push(...emitMarkdownDocs(noBackup, { locale, coverage: fixtureCoverage(noBackup), dir: `${locale}/no-backup` }).files);
      const v2 = resolveRules({ revision: "2021-08-14", regions: ["eastus"] });
      files.push(...emitMarkdownDocs(v2, { locale, changelog: true, dir: `${locale}/v2` }).files);
      const v1 = resolveRules({ revision: "2021-05-21", regions: ["eastus"] });
      files.push(...emitMarkdownDocs(v1, { locale, changelog: { from: "2021-05-21" }, dir: `${locale}/v1` }).files);
    }
    const result = lintMarkdownStrings(files);
    expect(result.filesLinted).toBe(files.length);
    expect(formatIssues(result)).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("the linter and its config do catch a broken page (the check above can fail)", () => {
    const result = lintMarkdownStrings([{ path: "bad.md", content: "# T\n\nhello <b>x</b> http://example.com\n\n\n## a\n" }]);
    expect(result.exitCode).toBe(1);
    expect(result.issues.map((i) => i.rule.split("/")[0])).toEqual(["MD033", "MD034", "MD012"]);
  });
});

describe("content", () => {
  const eastus = resolveRules({ regions: ["eastus"] });
  const none = resolveRules({ regions: [] });

  it("is byte-for-byte deterministic and independent of the order of the input rules", () => {
    const opts = { locale: "fr" as const, changelog: true, coverage: fixtureCoverage(eastus) };
    const a = emitMarkdownDocs(eastus, opts);
    expect(emitMarkdownDocs(eastus, opts)).toEqual(a);
    for (const seed of [1, 7, 42]) {
      const b = emitMarkdownDocs(shuffled(eastus, seed), { ...opts, coverage: { "fixture-target": [...(opts.coverage["fixture-target"] ?? [])].reverse() } });
      expect(b).toEqual(a);
    }
  });

  it("stamps every page with package version, revision and data hash, and carries no timestamp", () => {
    const out = emitMarkdownDocs(eastus, { changelog: true, coverage: {} });
    for (const f of out.files) {
      expect(f.content).toContain(`\`@cassandra-mi-netrules/emit-markdown\` ${version} (core ${eastus.coreVersion})`);
      expect(f.content).toContain(`\`${eastus.revision.id}\``);
      expect(f.content).toContain(`\`${eastus.dataHash}\``);
      expect(f.content).not.toMatch(/\d{2}:\d{2}:\d{2}|T\d{2}:\d{2}/);
    }
  });

  it("has one coverage entry per resolved rule, each `enforced` (documented), and no rule missing from the tables", () => {
    for (const resolved of [eastus, none, resolveRules({ regions: [], revision: "2021-08-14" })]) {
      const out = emitMarkdownDocs(resolved);
      expect(out.coverage.map((c) => c.ruleId).sort()).toEqual(resolved.rules.map((r) => r.id).sort());
      expect(new Set(out.coverage.map((c) => c.status))).toEqual(new Set(["enforced"]));
      const page = out.files.find((f) => f.path === "en/network-rules.md")!.content;
      // Rows of the four requirement tables, by their first cell.
      const ids = tables(page)
        .filter((t) => ["FQDN", "Service tag", "Prefixes", "Port"].includes(t[0]![1]!.text))
        .flatMap((t) => t.slice(1).map((row) => row[0]!.codes[0]));
      expect(ids.sort()).toEqual(resolved.rules.map((r) => r.id).sort());
    }
  });

  it("fills {region} for eastus and keeps and explains the placeholder without a region", () => {
    const withRegion = emitMarkdownDocs(eastus).files.find((f) => f.path === "en/network-rules.md")!.content;
    expect(withRegion).toContain("`snovapeastus.blob.core.windows.net`");
    expect(withRegion).toContain("`Storage.EastUS`");
    expect(withRegion).not.toContain("{region}");
    const without = emitMarkdownDocs(none, { locale: "fr" }).files.find((f) => f.path === "fr/network-rules.md")!.content;
    expect(without).toContain("`snovap{region}.blob.core.windows.net`");
    expect(without).toContain("Aucune région n'a été indiquée");
    expect(without).toContain("`Storage` (il en existe une variante par région)");
  });

  it("lists excluded requirements with their reason when VPN is on, and the backup condition", () => {
    const vpn = resolveRules({ regions: ["eastus"], features: { vpn: true } });
    const page = emitMarkdownDocs(vpn).files.find((f) => f.path === "en/network-rules.md")!.content;
    expect(page).toContain("## Requirements that do not apply");
    const excludedTable = tables(page).find((t) => t[0]![1]!.text === "Reason")!;
    expect(excludedTable.slice(1).map((r) => r[0]!.codes[0])).toEqual(vpn.excluded.map((e) => e.id).sort());
    expect(page).not.toContain("- `storage-backup`: Needed for the backup feature.");
    expect(emitMarkdownDocs(eastus).files[1]!.content).toContain("- `storage-backup`: Needed for the backup feature.");
  });

  it("marks inferred facts: an Inferred column and one row per inference", () => {
    const page = emitMarkdownDocs(eastus).files.find((f) => f.path === "en/network-rules.md")!.content;
    const inferredTable = tables(page).find((t) => t[0]!.map((c) => c.text).join("|") === "Requirement|About|Inference")!;
    expect(inferredTable.length - 1).toBe(eastus.rules.reduce((n, r) => n + r.inferred.length, 0));
    expect(page).toContain("## Inferred facts");
  });

  it("targets page: what each target cannot do, with counts and rules its coverage misses", () => {
    const coverage = fixtureCoverage(eastus);
    const partial = { partial: (coverage["fixture-target"] ?? []).slice(0, 3) };
    const page = emitMarkdownDocs(eastus, { coverage: { ...coverage, ...partial } }).files.find((f) => f.path === "en/targets.md")!.content;
    const fixture = coverage["fixture-target"]!;
    const count = (s: string): number => fixture.filter((e) => e.status === s).length;
    expect(page).toContain(`Rules enforced: ${count("enforced")}, approximated: ${count("approximated")}, unsupported: ${count("unsupported")}.`);
    expect(page).toContain("## `fixture-target`");
    expect(page).toContain("## `partial`");
    expect(page).toContain(`Rules this target's coverage does not mention: \`${eastus.rules[3]!.id}\``);
    const limits = tables(page)[0]!;
    expect(limits.length - 1).toBe(count("approximated") + count("unsupported"));
  });

  it("changelog from diffRevisions: rules added and removed on the wire, wording apart and not counted", () => {
    const page = emitMarkdownDocs(eastus, { changelog: true }).files.find((f) => f.path === "en/changelog.md")!.content;
    expect(page).toContain("## 2021-11-02 (GA)");
    expect(page).toMatch(
      /### Removed\n\n\| Requirement \| On the wire \| Purpose \|\n\| --- \| --- \| --- \|\n\| `tag-storage-regional` \| outbound from the cluster subnet to service tag Storage\.\{region\} \(one per datacenter region\), TCP 443 \(HTTPS\) \|/,
    );
    expect(page).toContain("| `crl` | outbound from the cluster subnet to crl.microsoft.com, TCP 443 (HTTPS) |");
    expect(page).toContain("Rules added: 7, removed: 0, changed: 0. Wording changes, not counted as rule changes: 1.");
    expect(page).toContain("### Wording\n");
    expect(page).toContain("| `tag-guest-and-hybrid-management` | `GuestandHybridManagement` | `GuestAndHybridManagement` |");
    const fr = emitMarkdownDocs(eastus, { locale: "fr", changelog: { from: "2021-05-21" } }).files.find((f) => f.path === "fr/changelog.md")!.content;
    expect(fr).toContain("Règles ajoutées : 18, retirées : 0, modifiées : 0. Changements de rédaction, non comptés comme changements de règles : 8.");
    expect(fr).toContain("| `crl` | sortant du sous-réseau du cluster vers crl.microsoft.com, TCP 443 (HTTPS) |");
    const first = emitMarkdownDocs(resolveRules({ revision: "2021-05-21", regions: [] }), { changelog: true }).files.find((f) => f.path === "en/changelog.md")!.content;
    expect(first).toContain("There is no earlier revision to compare with.");
  });

  it("is registered by name and refuses bad options with the field and value named", () => {
    const registry = new EmitterRegistry().register(emitter);
    expect(registry.get("markdown")).toBe(emitter);
    expect(emitter.emit(eastus, { locale: "fr" })).toEqual(emitMarkdownDocs(eastus, { locale: "fr" }));
    expect(() => emitMarkdownDocs(eastus, { locale: "de" as "en" })).toThrow('markdown option locale: must be "en" or "fr" (value: "de")');
    expect(() => emitMarkdownDocs(eastus, { changelog: { from: "2020-01-01" } })).toThrow(/changelog\.from .*"2020-01-01"/);
    expect(() => emitMarkdownDocs(eastus, { dir: "../out" })).toThrow('markdown option dir: must be a relative POSIX path without "..", or "" (value: "../out")');
    expect(() => emitMarkdownDocs(eastus, { local: "fr" } as never)).toThrow('markdown option local: unknown option (known: locale, changelog, coverage, notRendered, templates, dir); did you mean "locale"? (value: "fr")');
    expect(() => emitMarkdownDocs(eastus, { changelog: "yes" as never })).toThrow('markdown option changelog: must be true, false or { from: revision } (value: "yes")');
    expect(() => emitMarkdownDocs(eastus, { coverage: { nsg: [{ ruleId: "crl", status: "maybe" as "enforced", how: "", why: "" }] } })).toThrow(
      /coverage\["nsg"\]\[0\]\.status .*"maybe"/,
    );
    const noFr = { ...eastus, rules: eastus.rules.map((r, i) => (i === 2 ? { ...r, purpose: { en: r.purpose.en, fr: "" } } : r)) };
    expect(() => emitMarkdownDocs(noFr, { locale: "fr" })).toThrow(/rules\["storage-backup"\]\.purpose\.fr is missing or empty/);
    expect(() => emitMarkdownDocs(noFr, { locale: "en" })).not.toThrow();
  });
});

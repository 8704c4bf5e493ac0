/** The targets page (targets that could not be generated; no English in other locales) and the traffic diagram. */
import { describe, expect, it } from "vitest";
import { resolveRules, type CoverageEntry } from "@cassandra-mi-netrules/core";
import { emitMarkdownDocs } from "@cassandra-mi-netrules/emit-markdown";
import { formatIssues, lintMarkdownStrings } from "@cassandra-mi-netrules/testkit/markdownlint";
import { fixtureCoverage } from "./fixtures.js";
import { parse, tables } from "./markdown-parse.js";

const eastus = resolveRules({ regions: ["eastus"] });
const SUBNET_ERROR = "options.subnets: nva mode needs the cluster subnet: pass options.subnets (or subnet to resolveRules, --subnet in the CLI) (value: null)";
const notRendered = { iptables: { needs: "subnet" as const, message: SUBNET_ERROR }, plugin: { message: "plugin: the moon is not full" } };

function page(locale: "en" | "fr", name: string, options: Parameters<typeof emitMarkdownDocs>[1] = {}, resolved = eastus): string {
  const file = emitMarkdownDocs(resolved, { locale, ...options }).files.find((f) => f.path === `${locale}/${name}.md`);
  if (!file) throw new Error(`no ${locale}/${name}.md`);
  return file.content;
}

/** English words that have no place in French prose (code spans removed first). */
const ENGLISH = /\b(the|and|of|instead|cannot|allowed|with|this|here|covers|than|filters?)\b/i;

function prose(markdown: string): string {
  return markdown.replace(/(`+)[^`]*?\1/g, " ");
}

describe("targets page: targets that could not be generated (notRendered)", () => {
  it("lists each with its reason, among the generated targets in name order; the subnet reason in the page's language", () => {
    const coverage = fixtureCoverage(eastus);
    const en = page("en", "targets", { coverage, notRendered });
    expect([...en.matchAll(/^## `([^`]+)`$/gm)].map((m) => m[1])).toEqual(["fixture-target", "iptables", "plugin"]);
    expect(en).toContain("## `iptables`\n\nNot generated: this target filters the traffic of the cluster's subnet, and no subnet was given.");
    expect(en).toContain("## `plugin`\n\nNot generated with these inputs: plugin: the moon is not full\n");
    const fr = page("fr", "targets", { coverage, notRendered });
    expect(fr).toContain("## `iptables`\n\nNon générée : cette cible filtre le trafic du sous-réseau du cluster, et aucun sous-réseau n'a été donné.");
    expect(fr).toContain("## `plugin`\n\nNon générée avec ces entrées ; lancez la commande `emit` pour cette seule cible pour lire son erreur.\n");
    expect(fr).not.toContain("moon");
    expect(lintMarkdownStrings([{ path: "en/targets.md", content: en }, { path: "fr/targets.md", content: fr }]).issues).toEqual([]);
  });

  it("notRendered alone adds the targets page and its link from the index", () => {
    const files = emitMarkdownDocs(eastus, { notRendered: { nftables: notRendered.iptables } }).files.map((f) => f.path);
    expect(files).toEqual(["en/index.md", "en/network-rules.md", "en/targets.md"]);
    expect(page("en", "index", { notRendered: {} })).toContain("](targets.md)");
  });

  it("refuses a bad entry, naming the target and the field", () => {
    expect(() => emitMarkdownDocs(eastus, { notRendered: [] as never })).toThrow("markdown option notRendered: must be an object by target name (value: [])");
    expect(() => emitMarkdownDocs(eastus, { notRendered: { x: { needs: "region" as "subnet", message: "" } } })).toThrow(/notRendered\["x"\]\.needs must be "subnet" or absent \(value: "region"\)/);
    expect(() => emitMarkdownDocs(eastus, { notRendered: { x: { message: 3 as unknown as string } } })).toThrow(/notRendered\["x"\]\.message must be a string \(value: 3\)/);
    expect(() => emitMarkdownDocs(eastus, { notRendered: { x: null as never } })).toThrow(/notRendered\["x"\] must be \{ needs\?, message \}/);
    expect(() => emitMarkdownDocs(eastus, { coverage: { x: [] }, notRendered: { x: { message: "m" } } })).toThrow(/notRendered\["x"\]: the target also has a coverage/);
  });
});

describe("targets page in French: no English sentence from the emitters", () => {
  const coverage: Record<string, CoverageEntry[]> = {
    ...fixtureCoverage(eastus),
    internal: eastus.rules.map((r) => ({ ruleId: r.id, status: r.kind === "internal" ? ("unsupported" as const) : ("enforced" as const), how: "not allowed by these rules", why: "internal traffic stays in the virtual network" })),
  };
  const texts = Object.values(coverage).flatMap((entries) => entries.flatMap((e) => [e.how, e.why])).filter((t) => t !== "" && t !== "allowed");

  it("the English page shows the emitters' own explanations", () => {
    const en = page("en", "targets", { coverage });
    for (const t of texts) expect(en).toContain(t);
  });

  it("the French page shows the alternatives and a French reason instead, for approximated, unsupported and internal rules", () => {
    const fr = page("fr", "targets", { coverage });
    for (const t of texts) expect(fr).not.toContain(t);
    expect(prose(fr)).not.toMatch(ENGLISH);
    const [fixture, internal] = tables(fr);
    const storage = fixture!.find((row) => row[0]!.codes[0] === "storage-control-plane")!;
    expect(storage[2]!.codes).toEqual(["snovapeastus.blob.core.windows.net", "Storage"]);
    expect(storage[3]!.text).toMatch(/^La cible autorise plus que ce que demande l'exigence/);
    expect(fixture!.find((row) => row[0]!.codes[0] === "crl")![3]!.text).toMatch(/^La cible ne peut exprimer aucune des alternatives/);
    expect(internal!.slice(1).map((row) => row[0]!.codes[0])).toEqual(eastus.rules.filter((r) => r.kind === "internal").map((r) => r.id));
    for (const row of internal!.slice(1)) expect(row[3]!.text).toMatch(/^Le trafic entre les nœuds reste dans le réseau virtuel/);
  });
});

/** The ```mermaid block of a page, its labels decoded. */
function diagram(markdown: string): { source: string; groups: string[] } {
  const fence = parse(markdown).find((t) => t.type === "fence" && t.info === "mermaid");
  if (!fence) throw new Error("no mermaid block");
  const source = fence.content.replace(/#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)));
  return { source, groups: [...source.matchAll(/^ {2}(?:nsg|firewall) --> (dest\d+)\["(.*)"\]$/gm)].map((m) => `${m[1]} ${m[2]}`) };
}

describe("traffic diagram (network-rules.md)", () => {
  it("one group per service tag, one for names without a tag, one for the prefixes, one for the nodes", () => {
    const { source, groups } = diagram(page("en", "network-rules", {}, resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" })));
    const tags = [...new Set(eastus.rules.flatMap((r) => (r.kind === "outbound" ? r.serviceTags.map((t) => t.global.name) : [])))];
    expect(tags).toHaveLength(9);
    expect(groups).toHaveLength(tags.length + 3);
    expect(source).toContain('subnet["Cluster subnet<br>10.9.0.0/24"]');
    expect(groups[0]).toBe("dest1 <b>Storage</b><br>HTTPS 443<br>FQDN snovapeastus.blob.core.windows.net, *.store.core.windows.net, *.blob.core.windows.net<br>or service tag Storage.EastUS, Storage");
    expect(groups).toContain("dest6 <b>AzureActiveDirectory</b><br>HTTPS 443<br>FQDN login.microsoftonline.com<br>or service tag AzureActiveDirectory");
    expect(groups.find((g) => g.includes("Names without a service tag"))).toContain("FQDN packages.microsoft.com, azure.microsoft.com, eastus-dsms.dsms.core.windows.net");
    expect(groups.find((g) => g.includes("Address prefixes"))).toMatch(/<br>HTTPS 443<br>13\.104\.0\.0\/14, 40\.64\.0\.0\/10, 104\.40\.0\.0\/13$/);
    expect(groups.at(-1)).toBe("dest12 <b>Other nodes of the cluster</b><br>TCP 7001, 7199, 8443, 9042, 9443<br>virtual network, peered networks and ExpressRoute");
    expect(source).toMatch(/^ {2}nsg --> dest12\[/m);
    for (const tag of tags) expect(groups.some((g) => g.includes(`<b>${tag}</b>`)), tag).toBe(true);
  });

  it("without a region the names keep {region} (as entity codes in the source) and the tags are global", () => {
    const fr = page("fr", "network-rules", {}, resolveRules({ regions: [] }));
    expect(fr).toContain("FQDN snovap#123;region#125;.blob.core.windows.net");
    const { source, groups } = diagram(fr);
    expect(source).toContain('subnet["Sous-réseau du cluster"]');
    expect(groups[0]).toContain("ou étiquette de service Storage");
    expect(groups[0]).not.toContain("Storage.");
  });

  it("with coverage, each group says which targets enforce, approximate or do not enforce it", () => {
    const coverage = { ...fixtureCoverage(eastus), partial: [] };
    const { groups } = diagram(page("en", "network-rules", { coverage }));
    expect(groups[0]).toMatch(/<br>approximated by fixture-target<br>not enforced by partial$/);
    expect(groups.find((g) => g.includes("Names without a service tag"))).toMatch(/<br>not enforced by fixture-target, partial$/);
    expect(groups.find((g) => g.includes("Address prefixes"))).toMatch(/<br>enforced by fixture-target<br>not enforced by partial$/);
    const { groups: fr } = diagram(page("fr", "network-rules", { coverage }));
    expect(fr[0]).toMatch(/<br>approché par fixture-target<br>non appliqué par partial$/);
  });

  it("the page with the diagram passes markdownlint in both locales", () => {
    const files = (["en", "fr"] as const).flatMap((locale) => emitMarkdownDocs(eastus, { locale, coverage: fixtureCoverage(eastus) }).files);
    expect(formatIssues(lintMarkdownStrings(files))).toBe("");
  });
});

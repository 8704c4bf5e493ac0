/**
 * The targets page the CLI writes with the real emitters' coverage: no target dropped silently (one
 * that needs the subnet is listed with that reason), and no English sentence on the French page.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRules, type CoverageEntry } from "@cassandra-mi-netrules/core";
import { escapeMarkdown } from "@cassandra-mi-netrules/emit-markdown";
import { registry } from "@cassandra-mi-netrules/cli";
import { cli, requireBuiltCli } from "./helpers.js";

let dir = "";
beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), "cmn-targets-page-"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function targetsPage(locale: "en" | "fr", extra: readonly string[]): string {
  const out = join(dir, `${locale}-${extra.length}`);
  const r = cli(["emit", "markdown", "--region", "eastus", "--locale", locale, "--out", out, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(join(out, locale, "targets.md"), "utf8");
}

const others = registry.names().filter((n) => n !== "markdown");

describe("targets.md written by `emit markdown`", () => {
  it("without a subnet lists every other target; iptables and nftables say they need the subnet, in English and French", () => {
    expect(others).toEqual(expect.arrayContaining(["iptables", "nftables", "nsg"]));
    const en = targetsPage("en", []);
    const fr = targetsPage("fr", []);
    for (const page of [en, fr]) expect([...page.matchAll(/^## `([^`]+)`$/gm)].map((m) => m[1])).toEqual([...others].sort());
    for (const target of ["iptables", "nftables"]) {
      expect(en).toContain(`## \`${target}\`\n\nNot generated: this target filters the traffic of the cluster's subnet, and no subnet was given. Give it (\`--subnet\``);
      expect(fr).toContain(`## \`${target}\`\n\nNon générée : cette cible filtre le trafic du sous-réseau du cluster, et aucun sous-réseau n'a été donné.`);
    }
  });

  it("with a subnet, every target is generated and the French page holds none of the emitters' English explanations", () => {
    const flags = ["--subnet", "10.9.0.0/24"];
    const fr = targetsPage("fr", flags);
    expect(fr).not.toContain("Non générée");
    const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
    const texts = others.flatMap((t) => {
      const emitter = registry.get(t) as unknown as { emit(r: typeof resolved, o: Record<string, unknown>): { coverage: CoverageEntry[] } };
      // The page lists what a target does not enforce exactly.
      return emitter.emit(resolved, {}).coverage.flatMap((e) => (e.status === "enforced" ? [] : [e.how, e.why]));
    });
    const sentences = [...new Set(texts.filter((t) => t.split(" ").length > 3))];
    expect(sentences.length).toBeGreaterThan(10);
    for (const s of sentences) expect(fr, s).not.toContain(s);
    // And the English page still shows them.
    const en = targetsPage("en", flags);
    expect(sentences.filter((s) => !en.includes(escapeMarkdown(s, "cell")))).toEqual([]);
  });
});

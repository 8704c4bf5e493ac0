import { describe, expect, it } from "vitest";
import { resolveRules, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitMarkdownDocs, normalizeInline } from "@cassandra-mi-netrules/emit-markdown";
import { formatIssues, lintMarkdownStrings } from "@cassandra-mi-netrules/testkit/markdownlint";
import { defaultPartials } from "../src/generated/templates.js";
import { parse, tables, tokenTypes } from "./markdown-parse.js";

const HOSTILE_PURPOSE = "Pipes | and \\| here,\nbackticks ` `` ```, <script>alert('x')</script>\n# not a heading\n- not a list\r\n| --- | fake row |\n**bold** _em_ [link](http://evil.example) ![img](x.png) &lt; &amp; <!-- c -->";
const HOSTILE_FQDN = "evil`|<b>.example.com";
const HOSTILE_CONDITION = "Only when\n\n## Injected heading <img src=x onerror=alert(1)>";
const HOSTILE_TAG = "Storage|`x`<i>";
const HOSTILE_NOTE = "note with | pipe\nand <script>x</script>";

/** A real resolved result with hostile strings in the fields that reach the tables. */
function hostile(): ResolvedRules {
  const base = resolveRules({ regions: ["eastus"] });
  const rules = base.rules.map((r, i): ResolvedRule => {
    if (i === 0) {
      return {
        ...r,
        purpose: { en: HOSTILE_PURPOSE, fr: `${HOSTILE_PURPOSE} (fr)` },
        fqdns: [{ ...r.fqdns[0]!, fqdn: HOSTILE_FQDN }],
        conditions: [{ feature: "backup", when: "enabled", en: HOSTILE_CONDITION, fr: HOSTILE_CONDITION }],
        serviceTags: [{ ...r.serviceTags[0]!, global: { ...r.serviceTags[0]!.global, name: HOSTILE_TAG }, regional: [] }],
        inferred: [{ about: "purpose`|", en: HOSTILE_PURPOSE, fr: HOSTILE_PURPOSE }],
        provenance: { ...r.provenance, notes: [{ en: HOSTILE_NOTE, fr: HOSTILE_NOTE }] },
      };
    }
    if (r.kind === "internal" && r.id === "gossip") return { ...r, purpose: { en: "|||", fr: "|||" } };
    return r;
  });
  return { ...base, rules };
}

describe("hostile data (pipes, backticks, <script>, newlines in a purpose)", () => {
  const resolved = hostile();
  const coverage = { "evil|target`": [{ ruleId: resolved.rules[0]!.id, status: "unsupported" as const, how: "<script>x</script>", why: "a | b\n# c" }] };

  for (const locale of ["en", "fr"] as const) {
    it(`${locale}: the tables parse back to the same cells, and nothing is injected`, () => {
      const out = emitMarkdownDocs(resolved, { locale, coverage });
      const page = out.files.find((f) => f.path === `${locale}/network-rules.md`)!.content;
      const [outbound] = tables(page);
      expect(outbound![0]!.length).toBe(8);
      const outboundRules = resolved.rules.filter((r) => r.provenance.table === "azure-global");
      expect(outbound!.length - 1).toBe(outboundRules.length);
      for (const row of outbound!) expect(row.length).toBe(8);
      const row = outbound![1]!;
      const rule = resolved.rules[0]!;
      expect(row[0]!.codes).toEqual([rule.id]);
      expect(row[1]!.codes).toEqual([normalizeInline(HOSTILE_FQDN)]);
      expect(row[2]!.codes).toEqual([HOSTILE_TAG]);
      expect(row[5]!.text).toBe(normalizeInline(rule.purpose[locale]));
      expect(row[6]!.text).toBe(normalizeInline(HOSTILE_CONDITION));
      expect(row[7]!.codes).toEqual(["purpose`|"]);
      for (const cell of row) expect(cell.others).toEqual([]);

      const internal = tables(page).find((t) => t[0]![1]!.text === (locale === "en" ? "Port" : "Port"))!;
      expect(internal.find((r) => r[0]!.codes[0] === "gossip")![3]!.text).toBe("|||");
      const inferredTable = tables(page).find((t) => t[0]!.length === 3)!;
      expect(inferredTable[1]!.map((c) => c.text)).toEqual([rule.id, "purpose`|", normalizeInline(HOSTILE_PURPOSE)]);

      const targets = out.files.find((f) => f.path === `${locale}/targets.md`)!.content;
      // English pages show the emitter's text; French ones the rule's alternatives and their own reason.
      const limit = tables(targets)[0]![1]!;
      if (locale === "en") expect(limit.map((c) => c.text).slice(2)).toEqual(["<script>x</script>", "a | b # c"]);
      else expect(limit[2]!.codes).toEqual([normalizeInline(HOSTILE_FQDN), HOSTILE_TAG]);
      for (const cell of limit) expect(cell.others).toEqual([]);

      // The diagram: one ```mermaid block whose every line is a statement the template writes, and every
      // label is escaped (the hostile FQDN and tag decode back from entity codes; nothing else in quotes).
      const fences = parse(page).filter((t) => t.type === "fence");
      expect(fences.map((t) => t.info)).toEqual(["mermaid"]);
      const lines = fences[0]!.content.trimEnd().split("\n");
      const label = String.raw`"(?:[\p{L}\p{N} .,/()*'+\-_?!@]|#\d+;|<br>|</?b>)*"`;
      const statement = new RegExp(
        String.raw`^(?:flowchart LR|  (?:subnet|nsg|routes|firewall)\[${label}\]|  (?:subnet --> nsg|nsg --> routes|routes --> firewall)|  (?:nsg|firewall) --> dest\d+\[${label}\]|  class dest\d+ destination|  classDef destination stroke-width:2px)$`,
        "u",
      );
      for (const line of lines) expect(line).toMatch(statement);
      const decoded = fences[0]!.content.replace(/#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)));
      expect(decoded).toContain(normalizeInline(HOSTILE_FQDN));
      expect(decoded).toContain(HOSTILE_TAG);

      // The hostile pages hold no token type that the same pages from clean data lack, and no HTML at all.
      const clean = emitMarkdownDocs(resolveRules({ regions: ["eastus"] }), { locale, coverage: { target: [{ ...coverage["evil|target`"][0]!, how: "x", why: "y" }] } });
      for (const f of out.files) {
        const types = tokenTypes(f.content);
        const cleanTypes = tokenTypes(clean.files.find((c) => c.path === f.path)!.content);
        expect([...types].filter((t) => !cleanTypes.has(t)), f.path).toEqual([]);
        for (const t of ["html_inline", "html_block", "image", "strong_open", "code_block", "hr", "s_open"]) {
          expect(types.has(t), `${f.path} has ${t}`).toBe(false);
        }
        expect(parse(f.content).filter((t) => t.type === "fence").length, f.path).toBe(f.path.endsWith("network-rules.md") ? 1 : 0);
        if (f.path !== `${locale}/index.md`) expect(types.has("link_open"), `${f.path} has a link`).toBe(false);
        expect(f.content).not.toContain("<script>");
        expect(f.content.match(/^## Injected heading/m)).toBeNull();
      }
    });
  }

  it("the pages from hostile data are the same through Handlebars as through the templates compiled at build time", () => {
    for (const locale of ["en", "fr"] as const) {
      const options = { locale, coverage, changelog: true };
      const viaHandlebars = emitMarkdownDocs(resolved, { ...options, templates: { partials: { stamp: defaultPartials.stamp } } });
      expect(emitMarkdownDocs(resolved, options)).toEqual(viaHandlebars);
    }
  });

  it("markdownlint finds nothing in the hostile pages", () => {
    const files = (["en", "fr"] as const).flatMap((locale) => emitMarkdownDocs(resolved, { locale, coverage, changelog: true }).files);
    const result = lintMarkdownStrings(files);
    expect(result.filesLinted).toBe(files.length);
    expect(formatIssues(result)).toBe("");
  });
});

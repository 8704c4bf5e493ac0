import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LinuxFirewallError, resolveRules, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitNftablesRuleset } from "@cassandra-mi-netrules/emit-nftables";
import { Netns, run } from "@cassandra-mi-netrules/testkit/netns";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const work = mkdtempSync(join(tmpdir(), "cmn-nftables-hostile-"));
let ns: Netns | undefined;
beforeAll(() => {
  ns = Netns.create("nftables");
});
afterAll(() => {
  ns?.destroy();
  rmSync(work, { recursive: true, force: true });
});

const base = resolveRules({ regions: ["eastus"] });
const SUBNETS = ["198.51.100.0/25", "2001:db8:c::/64"];
const nasty = fc.oneof(
  fc.constantFrom("$(reboot)", '"; flush ruleset; "', "a\nflush ruleset", "}", "{", "#", "\u2028x", "\r\n", "@storage_v4", ";", "comment \"x\""),
  fc.string({ unit: "binary", maxLength: 40 }),
);

function hostile(texts: readonly string[]): ResolvedRules {
  const t = (i: number): string => texts[i % texts.length] ?? "x";
  return {
    ...base,
    regions: [t(0), t(1)],
    revision: { ...base.revision, id: t(2), label: t(3) },
    rules: base.rules.map((r, i) => ({
      ...r,
      purpose: { en: t(i), fr: t(i + 1) },
      serviceTags: r.serviceTags.map((s) => ({ ...s, tag: t(i + 2), global: { name: t(i + 3) || "x", networkFeatures: null, prefixes: { ipv4: ["192.0.2.0/27"], ipv6: ["2001:db8:10::/48"] } }, regional: [] })),
    })),
  };
}

describe("hostile strings in free-text fields", () => {
  it("never reach the ruleset unescaped: each generated file passes nft -c, every line is one line of printable text", () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(nasty, { minLength: 1, maxLength: 6 }), (texts) => {
        const out = emitNftablesRuleset(hostile(texts), { subnets: SUBNETS });
        for (const f of out.files) for (const line of f.content.split("\n")) expect(line).toMatch(/^[\t\x20-\x7e]*$/);
        const path = join(work, `h${n++}.nft`);
        writeFileSync(path, out.files[0]?.content ?? "");
        const r = (ns as Netns).exec("nft", ["-c", "-f", path]);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        const conf = join(work, `h${n}.conf`);
        writeFileSync(conf, out.files[1]?.content ?? "");
        expect(run("dnsmasq", ["--test", `--conf-file=${conf}`]).status).toBe(0);
      }),
      { numRuns: 25 },
    );
    expect(n).toBe(25);
    expect((ns as Netns).execOk("nft", ["list", "ruleset"]).stdout).toBe("");
  });

  it("a table name or id that is not an identifier is rejected with the field and the value", () => {
    fc.assert(
      fc.property(nasty, (text) => {
        if (!/^[a-z][a-z0-9_]{0,31}$/.test(text)) expect(() => emitNftablesRuleset(base, { subnets: SUBNETS, table: text })).toThrow("options.table");
        const withId = { ...base, rules: base.rules.map((r, k) => (k === 3 ? { ...r, id: text } : r)) };
        if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(text)) expect(() => emitNftablesRuleset(withId, { subnets: SUBNETS })).toThrow(LinuxFirewallError);
      }),
      { numRuns: 100 },
    );
  });
});

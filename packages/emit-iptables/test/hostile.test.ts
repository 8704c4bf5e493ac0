import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LinuxFirewallError, resolveRules, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitIptablesScript } from "@cassandra-mi-netrules/emit-iptables";
import { run } from "@cassandra-mi-netrules/testkit/netns";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";

const work = mkdtempSync(join(tmpdir(), "cmn-iptables-hostile-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const base = resolveRules({ regions: ["eastus"] });
const SUBNETS = ["198.51.100.0/25", "2001:db8:c::/64"];
const nasty = fc.oneof(
  fc.constantFrom("$(reboot)", "`id`", "a\nrm -rf /", '"; drop', "'", "\\", "CMI_RULES", "\nCMI_IPSET\n", "#", "\u2028x", "\r\n", "${IFS}", "-j ACCEPT"),
  fc.string({ unit: "binary", maxLength: 40 }),
);

/** Puts hostile text in every free-text field that reaches an artifact: tag names, regions, revision, purposes. */
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
  it("never reach the script unescaped: each generated script passes bash -n and shellcheck, every line is one line of printable text", () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(nasty, { minLength: 1, maxLength: 6 }), (texts) => {
        const out = emitIptablesScript(hostile(texts), { subnets: SUBNETS });
        for (const f of out.files) {
          for (const line of f.content.split("\n")) expect(line).toMatch(/^[\t\x20-\x7e]*$/);
          for (const line of f.content.split("\n").filter((l) => l.startsWith("#"))) expect(line).not.toMatch(/[`$\\"']/);
        }
        const path = join(work, `h${n++}.sh`);
        writeFileSync(path, out.files[0]?.content ?? "");
        expect(run("bash", ["-n", path]).status).toBe(0);
        expect(run("shellcheck", ["-s", "bash", path]).stdout).toBe("");
      }),
      { numRuns: 25 },
    );
    expect(n).toBe(25);
  });

  it("ids, FQDNs and prefixes that are not what they claim are rejected with the field and the value", () => {
    fc.assert(
      fc.property(nasty, fc.integer({ min: 0, max: base.rules.length - 1 }), (text, i) => {
        const withId = { ...base, rules: base.rules.map((r, k) => (k === i ? { ...r, id: text } : r)) };
        const ok = /^[a-z0-9]+(-[a-z0-9]+)*$/.test(text);
        if (!ok) expect(() => emitIptablesScript(withId, { subnets: SUBNETS })).toThrow(LinuxFirewallError);
        if (!ok) expect(() => emitIptablesScript(withId, { subnets: SUBNETS })).toThrow(`rules[${i}].id`);
        const fqdnRule = base.rules.findIndex((r) => r.fqdns.length > 0);
        const withFqdn = { ...base, rules: base.rules.map((r, k) => (k === fqdnRule ? { ...r, fqdns: [{ fqdn: `a.${text}`, pattern: "a", wildcard: false }] } : r)) };
        if (!/^[a-z0-9.-]*$/.test(text)) expect(() => emitIptablesScript(withFqdn, { subnets: SUBNETS })).toThrow(`rules[${fqdnRule}].fqdns[0].fqdn`);
      }),
      { numRuns: 100 },
    );
  });
});

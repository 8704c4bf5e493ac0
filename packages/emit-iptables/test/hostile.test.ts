import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { LinuxFirewallError } from "@cassandra-mi-netrules/linux";
import { emitIptablesScript } from "@cassandra-mi-netrules/emit-iptables";
import { run } from "@cassandra-mi-netrules/testkit/netns";
import { NVA_SUBNETS, withHostileText } from "@cassandra-mi-netrules/testkit/linuxfw-scenarios";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";

const work = mkdtempSync(join(tmpdir(), "cmn-iptables-hostile-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const base = resolveRules({ regions: ["eastus"] });
const nasty = fc.oneof(
  fc.constantFrom("$(reboot)", "`id`", "a\nrm -rf /", '"; drop', "'", "\\", "CMI_RULES", "\nCMI_IPSET\n", "#", "\u2028x", "\r\n", "${IFS}", "-j ACCEPT"),
  fc.string({ unit: "binary", maxLength: 40 }),
);

describe("hostile strings in free-text fields", () => {
  it("never reach the script unescaped: each generated script passes bash -n and shellcheck, every line is one line of printable text", () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(nasty, { minLength: 1, maxLength: 6 }), (texts) => {
        const out = emitIptablesScript(withHostileText(base, texts), { subnets: NVA_SUBNETS });
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
        if (!ok) expect(() => emitIptablesScript(withId, { subnets: NVA_SUBNETS })).toThrow(LinuxFirewallError);
        if (!ok) expect(() => emitIptablesScript(withId, { subnets: NVA_SUBNETS })).toThrow(`rules[${i}].id`);
        const fqdnRule = base.rules.findIndex((r) => r.fqdns.length > 0);
        const withFqdn = { ...base, rules: base.rules.map((r, k) => (k === fqdnRule ? { ...r, fqdns: [{ fqdn: `a.${text}`, pattern: "a", wildcard: false }] } : r)) };
        if (!/^[a-z0-9.-]*$/.test(text)) expect(() => emitIptablesScript(withFqdn, { subnets: NVA_SUBNETS })).toThrow(`rules[${fqdnRule}].fqdns[0].fqdn`);
      }),
      { numRuns: 100 },
    );
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { LinuxFirewallError } from "@cassandra-mi-netrules/linux";
import { emitNftablesRuleset } from "@cassandra-mi-netrules/emit-nftables";
import { Netns, run } from "@cassandra-mi-netrules/testkit/netns";
import { NVA_SUBNETS, withHostileText } from "@cassandra-mi-netrules/testkit/linuxfw-scenarios";
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
const nasty = fc.oneof(
  fc.constantFrom("$(reboot)", '"; flush ruleset; "', "a\nflush ruleset", "}", "{", "#", "\u2028x", "\r\n", "@storage_v4", ";", "comment \"x\""),
  fc.string({ unit: "binary", maxLength: 40 }),
);

describe("hostile strings in free-text fields", () => {
  it("never reach the ruleset unescaped: each generated file passes nft -c, every line is one line of printable text", () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(nasty, { minLength: 1, maxLength: 6 }), (texts) => {
        const out = emitNftablesRuleset(withHostileText(base, texts), { subnets: NVA_SUBNETS });
        for (const f of out.files) for (const line of f.content.split("\n")) expect(line).toMatch(/^[\t\x20-\x7e]*$/);
        const path = join(work, `h${n++}.nft`);
        writeFileSync(path, out.files[0]?.content ?? "");
        const r = (ns as Netns).exec("nft", ["-c", "-f", path]);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        const conf = join(work, `h${n}.conf`);
        const dnsmasq = out.files.find((f) => f.path === "dnsmasq-nftset.conf");
        if (!dnsmasq) throw new Error("no dnsmasq configuration");
        writeFileSync(conf, dnsmasq.content);
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
        if (!/^[a-z][a-z0-9_]{0,31}$/.test(text)) expect(() => emitNftablesRuleset(base, { subnets: NVA_SUBNETS, table: text })).toThrow("options.table");
        const withId = { ...base, rules: base.rules.map((r, k) => (k === 3 ? { ...r, id: text } : r)) };
        if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(text)) expect(() => emitNftablesRuleset(withId, { subnets: NVA_SUBNETS })).toThrow(LinuxFirewallError);
      }),
      { numRuns: 100 },
    );
  });
});

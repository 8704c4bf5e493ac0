/**
 * Minimal reproductions of what the property tests found, so an owner can see each one without a seed.
 * Both were found by the property tests and are fixed; these keep them fixed.
 */
import { describe, expect, it } from "vitest";
import { resolveRules, type ResolvedRule } from "@cassandra-mi-netrules/core";
import { iptablesGrants, iptablesScriptDumps } from "./adapters-linux.js";
import { emitterCase } from "./emitters.js";
import { checkGrants } from "./model.js";

const base = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });

describe("regressions found by the property tests", () => {
  it("R01 nva mode, IPv4 subnet, IPv6-only peers: an internal requirement must not be 'enforced' without a rule", () => {
    const gossip = base.rules.find((r) => r.id === "gossip") as ResolvedRule;
    const r = { ...base, rules: [gossip] };
    for (const name of ["iptables", "nftables"]) {
      const out = emitterCase(name).emit(r, { mode: "nva", peers: ["2001:db8::/32"] });
      const c = out.coverage.find((x) => x.ruleId === "gossip");
      const script = out.files[0]?.content ?? "";
      const hasRule = script.includes('"gossip"') || script.includes('comment "gossip"');
      expect({ target: name, status: c?.status, hasRule }, c?.how).not.toEqual({ target: name, status: "enforced", hasRule: false });
    }
  });

  it("R02 a literal 0.0.0.0/0 or ::/0 prefix: iptables must not put /0 into an ipset hash:net set (ipset refuses it)", () => {
    const tmpl = base.rules.find((r) => r.id === "microsoft-prefixes") as ResolvedRule;
    const r = { ...base, rules: [{ ...tmpl, prefixes: { ipv4: ["0.0.0.0/0"], ipv6: [] } }] };
    const out = emitterCase("iptables").emit(r, {});
    const dumps = iptablesScriptDumps(out.files[0]?.content ?? "");
    expect(dumps.ipset.split("\n").filter((l) => /^add \S+ \S+\/0$/.test(l))).toEqual([]);
    const { grants, problems } = iptablesGrants(dumps, undefined, r, {});
    expect([...problems, ...checkGrants("iptables", r, out.coverage, grants)]).toEqual([]);
  });
});

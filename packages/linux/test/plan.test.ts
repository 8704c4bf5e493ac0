import { describe, expect, it } from "vitest";
import { resolveRules, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { commentChunks, dnsmasqDomain, KERNEL_LIMITS, LinuxFirewallError, planLinuxFirewall, safeCommentText, type LinuxFirewallNaming } from "@cassandra-mi-netrules/linux";

const naming: LinuxFirewallNaming = { target: "test", setName: (s) => `${s.slug}_v${s.family}`, chainName: (c) => c };
const base = resolveRules({ regions: ["eastus"], subnet: "198.51.100.0/25" });

/** The first two FQDN rules of the current revision, with these FQDNs on one port each and no tag. */
function withFqdns(a: { fqdns: string[]; port: number }, b: { fqdns: string[]; port: number }): ResolvedRules {
  const [first, second] = base.rules.filter((r) => r.kind === "outbound" && r.fqdns.length > 0);
  if (!first || !second) throw new Error("the revision has fewer than two FQDN rules");
  const use = (spec: { fqdns: string[]; port: number }) => ({
    fqdns: spec.fqdns.map((fqdn) => ({ fqdn, pattern: fqdn, wildcard: fqdn.startsWith("*.") })),
    ports: [{ from: spec.port, to: spec.port }],
    serviceTags: [],
  });
  return { ...base, rules: [{ ...first, ...use(a) }, { ...second, ...use(b) }] };
}

describe("dnsmasqDomain", () => {
  it("maps a left-most wildcard to its parent domain (dnsmasq's ipset= and nftset= match a domain and all below it, and know no `*.`)", () => {
    expect(dnsmasqDomain("*.blob.core.windows.net", "f")).toBe("blob.core.windows.net");
    expect(dnsmasqDomain("login.microsoftonline.com", "f")).toBe("login.microsoftonline.com");
  });

  it("rejects what would change the meaning of a dnsmasq line, naming the field and the value", () => {
    for (const bad of ["a.b/ipset=/x", "*.*.b.c", "a.*.c", "Login.example.com", "a b.c", "localhost", "a..b", "-a.b", `${"a".repeat(64)}.b`, "a.b\nserver=1.2.3.4"]) {
      expect(() => dnsmasqDomain(bad, "rules[3].fqdns[0].fqdn")).toThrow(LinuxFirewallError);
      expect(() => dnsmasqDomain(bad, "rules[3].fqdns[0].fqdn")).toThrow(`rules[3].fqdns[0].fqdn: must be a lower-case host name`);
    }
  });
});

describe("planLinuxFirewall: dnsmasq domains", () => {
  it("gives a listed subdomain the sets of every listed parent, since dnsmasq uses only the most specific domain's sets", () => {
    const { plan } = planLinuxFirewall(withFqdns({ fqdns: ["*.blob.core.windows.net"], port: 443 }, { fqdns: ["x.blob.core.windows.net"], port: 8443 }));
    expect(plan.dnsmasq.map((d) => [d.domain, d.sets.map((s) => `${s.slug}/${s.family}`)])).toEqual([
      ["blob.core.windows.net", ["fqdn_tcp443/4"]],
      ["x.blob.core.windows.net", ["fqdn_tcp443/4", "fqdn_tcp8443/4"]],
    ]);
  });

  it("does not treat a name that only ends like a listed domain as below it", () => {
    const { plan } = planLinuxFirewall(withFqdns({ fqdns: ["windows.net"], port: 443 }, { fqdns: ["xwindows.net"], port: 8443 }));
    expect(plan.dnsmasq.find((d) => d.domain === "xwindows.net")?.sets.map((s) => s.slug)).toEqual(["fqdn_tcp8443"]);
  });

  it("renders one `ipset=` / `nftset=` line per domain under its requirement ids", () => {
    const planning = planLinuxFirewall(withFqdns({ fqdns: ["*.blob.core.windows.net"], port: 443 }, { fqdns: ["x.blob.core.windows.net"], port: 8443 }));
    const ids = planning.plan.dnsmasq.map((d) => d.ruleIds.join(", "));
    expect(planning.dnsmasqConfig(["# stamp"], "nftset", (s) => `${s.family}#inet#t#${s.slug}_v${s.family}`, ["# usage"])).toBe(
      ["# stamp", "# usage", `# ${ids[0]}`, "nftset=/blob.core.windows.net/4#inet#t#fqdn_tcp443_v4", `# ${ids[1]}`, "nftset=/x.blob.core.windows.net/4#inet#t#fqdn_tcp443_v4,4#inet#t#fqdn_tcp8443_v4", ""].join("\n"),
    );
  });
});

describe("planLinuxFirewall: coverage and header", () => {
  it("without a service-tags file, tag-only rows are unsupported with the reason and the advice, never dropped", () => {
    const planning = planLinuxFirewall(base);
    const coverage = planning.coverage(naming);
    expect(coverage.map((c) => c.ruleId)).toEqual(base.rules.map((r) => r.id));
    const tag = coverage.find((c) => c.ruleId === "tag-storage");
    expect(tag).toMatchObject({ status: "unsupported", how: "test: not allowed by these rules" });
    expect(tag?.why).toMatch(/service tag Storage not used: no service-tags file.*pass a service-tags file to resolveRules/);
    expect(planning.plan.rules.some((r) => r.ruleIds.includes("tag-storage"))).toBe(false);
  });

  it("summarises the mode, the subnets and every coverage entry in comment lines", () => {
    const planning = planLinuxFirewall(base, { mode: "host" });
    const coverage = planning.coverage(naming);
    const lines = planning.summaryLines(naming, coverage, "dnsmasq.conf");
    expect(lines[0]).toBe("# host: traffic from and to the managed cluster subnet goes through chains from-cluster / to-cluster; the internal ports are accepted, the rest dropped.");
    expect(lines[1]).toBe("# Subnets: 198.51.100.0/25");
    expect(lines.filter((l) => /^# {3}[a-z0-9-]+: (enforced|approximated|unsupported)/.test(l))).toHaveLength(coverage.length);
    expect(lines.every((l) => l.startsWith("#") && !/[`$\\"'\n]/.test(l))).toBe(true);
    // No FQDN set in host mode, so no dnsmasq note.
    expect(lines.some((l) => l.includes("dnsmasq.conf"))).toBe(false);
  });
});

describe("planLinuxFirewall: what dnsmasq admits beyond the names", () => {
  const statusOf = (fqdns: string[]): { status: string; why: string } => {
    const planning = planLinuxFirewall(withFqdns({ fqdns, port: 443 }, { fqdns: ["other.example.com"], port: 8443 }));
    const entry = planning.coverage(naming)[0];
    return { status: entry?.status ?? "", why: entry?.why ?? "" };
  };

  it("a wildcard admits its bare parent domain too, so it is approximated with that reason", () => {
    expect(statusOf(["*.blob.core.windows.net"])).toEqual({
      status: "approximated",
      why: "dnsmasq matches a wildcard by its parent domain, which it admits too, so the set also admits the addresses of blob.core.windows.net itself, not only of the names under it",
    });
  });

  it("an exact name admits its subdomains; a name the requirement also lists, or covers with a wider wildcard, widens nothing", () => {
    expect(statusOf(["login.example.com"]).why).toMatch(/admits the addresses of subdomains of login\.example\.com$/);
    expect(statusOf(["*.example.com", "example.com", "a.example.com", "*.b.example.com"])).toEqual({ status: "enforced", why: "" });
  });

  it("writes reasons that go into comments unchanged (no apostrophe turned into `_s`)", () => {
    for (const options of [{}, { mode: "host" as const }, { peers: ["2001:db8::/48"] }, { fqdns: false }]) {
      for (const c of planLinuxFirewall(base, options).coverage(naming)) expect(safeCommentText(c.why, 10_000)).toBe(c.why);
    }
  });
});

describe("planLinuxFirewall: rules", () => {
  it("makes identical matches one rule serving every requirement that asks for it", () => {
    const { plan } = planLinuxFirewall(base);
    const fqdn = plan.rules.filter((r) => r.set === "fqdn_tcp443");
    expect(fqdn).toHaveLength(1);
    expect(fqdn[0]?.ruleIds).toEqual(base.rules.filter((r) => r.fqdns.length > 0 && r.ports.length === 1 && r.ports[0]?.from === 443).map((r) => r.id));
    const keys = plan.rules.map((r) => `${r.chain} ${r.family} ${r.set} ${r.ports.map((p) => `${p.from}-${p.to}`).join(",")}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("splits the ids of one match into comments that fit the kernel limit, in order", () => {
    expect(commentChunks(["aaa", "bbb", "cc", "d"], 7)).toEqual(["aaa,bbb", "cc,d"]);
    expect(commentChunks(["a".repeat(100), "b".repeat(27), "c"], KERNEL_LIMITS.nftCommentBytes)).toEqual([`${"a".repeat(100)},${"b".repeat(27)}`, "c"]);
  });

  it("leaves out a set larger than KERNEL_LIMITS.setElements, and says so in the coverage", () => {
    const [first] = base.rules.filter((r) => r.kind === "outbound");
    if (!first) throw new Error("no outbound rule");
    const hosts = (n: number): string[] => Array.from({ length: n }, (_, i) => `2001:db8:${(i >> 15).toString(16)}:${((i & 0x7fff) * 2).toString(16)}::/64`);
    const withPrefixes = (n: number): ResolvedRules => ({ ...base, rules: [{ ...first, fqdns: [], serviceTags: [], prefixes: { ipv4: [], ipv6: hosts(n) } }] });
    const fits = planLinuxFirewall(withPrefixes(KERNEL_LIMITS.setElements), { subnets: ["2001:db8:c::/64"] });
    expect(fits.plan.sets.map((s) => s.elements.length)).toEqual([KERNEL_LIMITS.setElements]);
    const over = planLinuxFirewall(withPrefixes(KERNEL_LIMITS.setElements + 1), { subnets: ["2001:db8:c::/64"] });
    expect(over.plan.sets).toEqual([]);
    expect(over.coverage(naming)[0]).toMatchObject({ status: "unsupported", why: expect.stringMatching(/listed prefixes not used for IPv6: 65537 prefixes, more than the 65536 elements a set holds/) });
  });
});

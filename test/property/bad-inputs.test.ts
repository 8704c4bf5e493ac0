/**
 * The table of bad inputs in SECURITY.md: each row is one test here, named by its row id. A bad value
 * is rejected with an error that names the field and shows the value; nothing is silently fixed up.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { escapeArmString, escapeArmStrings, escapeHclString, ResolvedRulesError } from "@cassandra-mi-netrules/azure";
import {
  allocatePriorities,
  CidrError,
  EmitterRegistry,
  parseCidr,
  PriorityRangeError,
  ResolveError,
  resolveRules,
  UnknownNameError,
  type Emitter,
} from "@cassandra-mi-netrules/core";
import {
  CidrSchema,
  FqdnPatternSchema,
  InferenceSchema,
  LocalizedTextSchema,
  PortRangeSchema,
  PortSchema,
  RequirementIdSchema,
  RequirementSourceSchema,
  ServiceTagNameSchema,
} from "@cassandra-mi-netrules/core/schema";
import { loadServiceTags, ServiceTagsError } from "@cassandra-mi-netrules/core/service-tags";
import { emitFirewallPolicyTemplate } from "@cassandra-mi-netrules/emit-azure-firewall";
import { emitIptablesScript } from "@cassandra-mi-netrules/emit-iptables";
import { emitMarkdownDocs, escapeMarkdown } from "@cassandra-mi-netrules/emit-markdown";
import { emitNftablesRuleset } from "@cassandra-mi-netrules/emit-nftables";
import { emitNsgTemplate, NsgOptionError } from "@cassandra-mi-netrules/emit-nsg";
import { emitRouteTable } from "@cassandra-mi-netrules/emit-route-table";
import { emitTerraform, TerraformOptionError } from "@cassandra-mi-netrules/emit-terraform";

type ZodLike = { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } };

/** The schema rejects `value`; returns the first message. */
function rejects(schema: ZodLike, value: unknown): string {
  const r = schema.safeParse(value);
  expect(r.success, `${JSON.stringify(value)} should be rejected`).toBe(false);
  return r.error?.issues[0]?.message ?? "";
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error, none was thrown");
}

const goodRequirement = {
  id: "probe",
  kind: "outbound",
  destinations: [{ type: "fqdn", fqdn: "example.com" }],
  protocol: "HTTPS",
  ports: [443],
  purpose: { en: "x", fr: "x" },
  provenance: { revisions: ["2021-11-02"], table: "azure-global" },
};

describe("bad inputs (SECURITY.md table)", () => {
  it("B01 region typo: UnknownNameError with a suggestion", () => {
    const e = thrown(() => resolveRules({ regions: ["estus"] }));
    expect(e).toBeInstanceOf(UnknownNameError);
    expect(e.message).toMatch(/unknown region "estus"; did you mean "eastus"\?/);
  });

  it("B02 region carrying shell syntax: UnknownNameError naming the value, never used as a name", () => {
    const e = thrown(() => resolveRules({ regions: ["eastus; rm -rf / $(reboot)"] }));
    expect(e).toBeInstanceOf(UnknownNameError);
    expect(e.message).toContain('unknown region "eastus; rm -rf / $(reboot)"');
  });

  it("B03 subnet with host bits set: ResolveError naming subnet and the network", () => {
    const e = thrown(() => resolveRules({ regions: ["eastus"], subnet: "10.9.0.5/24" }));
    expect(e).toBeInstanceOf(ResolveError);
    expect(e.message).toMatch(/^subnet: .*host bits are set; the network is 10\.9\.0\.0\/24 \(value: "10\.9\.0\.5\/24"\)$/);
  });

  it("B04 subnet that is not a CIDR (shell, ARM expression): ResolveError", () => {
    for (const bad of ["$(reboot)", "[parameters('s')]", "10.0.0.0/33", "300.1.1.1/8", "010.0.0.0/8", "10.0.0.0"]) {
      const e = thrown(() => resolveRules({ regions: [], subnet: bad }));
      expect(e).toBeInstanceOf(ResolveError);
      expect(e.message.startsWith("subnet: ")).toBe(true);
      expect(e.message).toContain(`(value: ${JSON.stringify(bad)})`);
    }
  });

  it("B05 unknown feature: ResolveError listing the known ones", () => {
    const e = thrown(() => resolveRules({ regions: [], features: { "evil`id`": true } }));
    expect(e).toBeInstanceOf(ResolveError);
    expect(e.message).toMatch(/^features\.evil`id`: unknown feature; known: backup, vpn/);
  });

  it("B06 feature switch that is not a boolean: ResolveError", () => {
    const e = thrown(() => resolveRules({ regions: [], features: { backup: "yes" as unknown as boolean } }));
    expect(e).toBeInstanceOf(ResolveError);
    expect(e.message).toBe('features.backup: must be true or false (value: "yes")');
  });

  it("B07 unknown revision: UnknownNameError", () => {
    const e = thrown(() => resolveRules({ regions: [], revision: "2021-13-01" }));
    expect(e).toBeInstanceOf(UnknownNameError);
    expect(e.message).toMatch(/^unknown revision "2021-13-01"/);
  });

  it("B08 FQDN pattern with shell, quote, upper case, inner wildcard or another placeholder: schema rejects", () => {
    for (const bad of ["evil.com;rm", "a.com$(x)", "a'b.com", "Example.com", "a.*.example.com", "*.*.example.com", "*example.com", "{tenant}.example.com", "localhost", "a..com", "-a.com", "a-.com", "[x].com", "a.com\n", `${"a".repeat(64)}.com`]) {
      expect(rejects(FqdnPatternSchema, bad)).toMatch(/host name/);
    }
  });

  it("B09 CIDR that is not canonical or out of range: schema rejects, parseCidr throws CidrError", () => {
    for (const bad of ["10.0.0.0/33", "300.1.1.1/8", "10.0.0.0", "2001:db8::/129", "any", "0/0", "10.0.0.0/8; x"]) {
      expect(rejects(CidrSchema, bad)).toMatch(/CIDR/);
    }
    const e = thrown(() => parseCidr("192.0.2.1/24"));
    expect(e).toBeInstanceOf(CidrError);
    expect(e.message).toBe('"192.0.2.1/24" is not a valid CIDR prefix: host bits are set; the network is 192.0.2.0/24');
  });

  it("B10 port 0, 65536, non-integer or from > to: schema rejects", () => {
    expect(rejects(PortSchema, 0)).toBe("ports start at 1");
    expect(rejects(PortSchema, 65536)).toBe("ports end at 65535");
    rejects(PortSchema, 443.5);
    rejects(PortSchema, "443");
    expect(rejects(PortRangeSchema, { from: 9000, to: 8000 })).toBe("from must not exceed to");
  });

  it("B11 service tag with punctuation or an ARM expression: schema rejects", () => {
    for (const bad of ["Storage;x", "[parameters('t')]", "Storage.East US", "Storage.EastUS.x", "Sto'rage", "*"]) {
      expect(rejects(ServiceTagNameSchema, bad)).toMatch(/service tag name/);
    }
  });

  it("B12 requirement id that is not kebab-case: schema rejects (ids reach ARM names, chains, Rego keys)", () => {
    for (const bad of ["Bad_Id", "a--b", "-a", "a-", "1abc", "a b", "a;b", "x".repeat(64), "é"]) {
      rejects(RequirementIdSchema, bad);
    }
  });

  it("B13 blank purpose or inference text: schema rejects", () => {
    expect(rejects(LocalizedTextSchema, { en: "  ", fr: "x" })).toBe("English text is missing");
    expect(rejects(InferenceSchema, { about: "ports", en: "x", fr: "\n" })).toBe("French text is missing");
  });

  it("B14 outbound requirement without a destination, or an unknown field: schema rejects", () => {
    expect(rejects(RequirementSourceSchema, { ...goodRequirement, destinations: [] })).toBe("an outbound requirement needs at least one destination");
    rejects(RequirementSourceSchema, { ...goodRequirement, script: "$(x)" });
    expect(RequirementSourceSchema.safeParse(goodRequirement).success).toBe(true);
  });

  it("B15 malformed service-tags file: ServiceTagsError naming the file, the path and the value", () => {
    const text = readFileSync(new URL("../../vendor/service-tags/ServiceTags_Public_20251028.json", import.meta.url), "utf8");
    const doc = JSON.parse(text) as { values: Array<{ name: string; properties: { addressPrefixes: string[] } }> };
    const first = doc.values[0];
    if (!first) throw new Error("vendored service-tags file has no values");
    first.properties.addressPrefixes = ["10.0.0.0/8", "$(reboot)"];
    // A tag's prefixes are read when the tag is first used.
    const e = thrown(() => loadServiceTags(doc, "tags.json").get(first.name));
    expect(e).toBeInstanceOf(ServiceTagsError);
    expect(e.message).toMatch(/^tags\.json: values\[0\]\.properties\.addressPrefixes\[1\]: .*\(value: "\$\(reboot\)"\)$/);
    const notJson = thrown(() => loadServiceTags("{ nope", "tags.json"));
    expect(notJson.message).toMatch(/^tags\.json: \(root\): not valid JSON/);
  });

  it("B16 ARM string starting with '[': escaped to '[[' so ARM reads a literal", () => {
    expect(escapeArmString("[concat('a')]")).toBe("[[concat('a')]");
    expect(escapeArmString("[[x")).toBe("[[[x");
    expect(escapeArmString("plain [x]")).toBe("plain [x]");
    expect(escapeArmStrings({ a: ["[x]", { b: "[y" }], n: 1 })).toEqual({ a: ["[[x]", { b: "[[y" }], n: 1 });
  });

  it("B17 more NSG priorities than 100-4096 holds: PriorityRangeError before any passes the limit", () => {
    const e = thrown(() => allocatePriorities(401, { start: 100, step: 10, min: 100, max: 4096 }));
    expect(e).toBeInstanceOf(PriorityRangeError);
    expect(e.message).toBe("401 priorities from 100 in steps of 10 would pass 4096 (allowed 100-4096); lower the start or the step");
    expect(allocatePriorities(400, { start: 100, step: 10, min: 100, max: 4096 }).at(-1)).toBe(4090);
    expect(thrown(() => allocatePriorities(1, { start: 50, step: 10, min: 100, max: 4096 })).message).toBe("priority start must be an integer from 100 to 4096 (value: 50)");
  });

  it("B18 emitter registered twice or with a non-kebab name: Error naming it", () => {
    const fake: Emitter = { name: "x", description: "", emit: () => ({ files: [], coverage: [] }) };
    const reg = new EmitterRegistry().register(fake);
    expect(thrown(() => reg.register(fake)).message).toBe('an emitter named "x" is already registered');
    expect(thrown(() => reg.register({ ...fake, name: "$(x)" })).message).toBe('emitter name must be kebab-case (value: "$(x)")');
  });

  const eastus = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });

  it("B19 NSG name that is an ARM expression or has spaces: NsgOptionError naming the option", () => {
    const e = thrown(() => emitNsgTemplate(eastus, { nsgName: "[concat('a')]" }));
    expect(e.name).toBe("NsgOptionError");
    expect(e.message).toMatch(/^nsg option nsgName: .*\(value: "\[concat\('a'\)\]"\)$/);
    expect(thrown(() => emitNsgTemplate(eastus, { nsgName: "my nsg" })).message).toMatch(/^nsg option nsgName: /);
    expect(thrown(() => emitNsgTemplate(eastus, { priorityStart: 50 })).message).toBe("nsg option priorityStart: must be an integer from 100 to 4096 (value: 50)");
    expect(thrown(() => emitNsgTemplate(eastus, { evil: 1 } as never)).message).toMatch(/^nsg option evil: unknown option/);
  });

  it("B20 firewall policy or group name with shell or ARM syntax: FirewallOptionError naming the option", () => {
    const e = thrown(() => emitFirewallPolicyTemplate(eastus, { policyName: "$(reboot)" }));
    expect(e.name).toBe("FirewallOptionError");
    expect(e.message).toMatch(/^azure-firewall option policyName: .*\(value: "\$\(reboot\)"\)$/);
    expect(thrown(() => emitFirewallPolicyTemplate(eastus, { ruleCollectionGroupName: "[x]" })).message).toMatch(/^azure-firewall option ruleCollectionGroupName: /);
  });

  it("B21 iptables subnet or peer that is not a CIDR (shell word): LinuxFirewallError naming the option", () => {
    const e = thrown(() => emitIptablesScript(eastus, { subnets: ["10.0.0.0/8; reboot"] }));
    expect(e.name).toBe("LinuxFirewallError");
    expect(e.message).toMatch(/^options\.subnets\[0\]: .*\(value: "10\.0\.0\.0\/8; reboot"\)$/);
    expect(thrown(() => emitIptablesScript(eastus, { peers: ["$(id)"] })).message).toMatch(/^options\.peers\[0\]: /);
    expect(thrown(() => emitIptablesScript(resolveRules({ regions: ["eastus"] }), {})).message).toMatch(/^options\.subnets: nva mode needs the cluster subnet/);
  });

  it("B21a a peer or subnet as wide as every address (alone or together): LinuxFirewallError naming the option and value", () => {
    expect(thrown(() => emitIptablesScript(eastus, { peers: ["0.0.0.0/0"] })).message).toMatch(/^options\.peers\[0\]: is wider than \/8: .*\(value: "0\.0\.0\.0\/0"\)$/);
    expect(thrown(() => emitNftablesRuleset(eastus, { peers: ["::/0"] })).message).toMatch(/^options\.peers\[0\]: is wider than \/32: .*\(value: "::\/0"\)$/);
    expect(thrown(() => emitIptablesScript(eastus, { peers: ["0.0.0.0/1", "128.0.0.0/1"] })).message).toMatch(/^options\.peers\[0\]: is wider than \/8/);
    expect(thrown(() => emitIptablesScript({ ...eastus, subnet: { cidr: "0.0.0.0/0", family: 4 } })).message).toMatch(/^resolved\.subnet\[0\]: is wider than \/8/);
  });

  it("B21b an unknown iptables or nftables option: LinuxFirewallError naming it and the known ones", () => {
    expect(thrown(() => emitNftablesRuleset(eastus, { tabel: "x" } as never)).message).toBe(
      'options.tabel: unknown option; known: mode, subnets, peers, fqdns, regionalTags, fqdnTimeout, table (value: "x")',
    );
    expect(thrown(() => emitIptablesScript(eastus, { tabel: "x" } as never)).message).toMatch(/^options\.tabel: unknown option; known: mode, /);
  });

  it("B22 nftables table name with nft syntax: LinuxFirewallError naming options.table", () => {
    const e = thrown(() => emitNftablesRuleset(eastus, { table: "x; flush ruleset" }));
    expect(e.message).toBe('options.table: must be a lower-case identifier of [a-z0-9_], at most 32 characters, starting with a letter (value: "x; flush ruleset")');
  });

  it("B23 hostile id or FQDN handed straight to a Linux emitter (bypassing the schema): LinuxFirewallError", () => {
    const rule = eastus.rules.find((r) => r.id === "storage-store");
    if (!rule) throw new Error("storage-store missing from the dataset");
    const badId = thrown(() => emitIptablesScript({ ...eastus, rules: [{ ...rule, id: 'x" -j ACCEPT #' }] }));
    expect(badId.message).toMatch(/^rules\[0\]\.id: must be kebab-case/);
    const badFqdn = thrown(() => emitNftablesRuleset({ ...eastus, rules: [{ ...rule, fqdns: [{ fqdn: "a.com/evil/set", pattern: "a.com/evil/set", wildcard: false }] }] }));
    expect(badFqdn.message).toMatch(/^rules\[0\]\.fqdns\[0\]\.fqdn: must be a lower-case host name/);
  });

  it("B24 Markdown: unknown locale or a dir escaping the output: Error naming the value; hostile text is escaped inline", () => {
    expect(thrown(() => emitMarkdownDocs(eastus, { locale: "de" as never })).message).toBe('locale must be one of en, fr (value: "de")');
    expect(thrown(() => emitMarkdownDocs(eastus, { dir: "../etc" })).message).toBe('dir must be a relative POSIX path without "..", or "" (value: "../etc")');
    expect(escapeMarkdown("<script>alert(1)</script>\n# x | y", "cell")).toBe("\\<script\\>alert(1)\\</script\\> # x \\| y");
  });

  it("B25 hand-built resolved rules with a bad tag, FQDN, prefix or subnet, to an Azure emitter: ResolvedRulesError naming the field", () => {
    const i = eastus.rules.findIndex((r) => r.id === "tag-storage");
    const tag = { ...eastus, rules: eastus.rules.map((r, j) => (j === i ? { ...r, serviceTags: r.serviceTags.map((t) => ({ ...t, global: { ...t.global, name: "Storage;x" } })) } : r)) };
    for (const emit of [emitNsgTemplate, emitFirewallPolicyTemplate, emitRouteTable, emitTerraform] as Array<(r: typeof eastus) => unknown>) {
      const e = thrown(() => emit(tag));
      expect(e).toBeInstanceOf(ResolvedRulesError);
      expect(e.message).toBe(`rules[${i}].serviceTags[0].global.name: must be a service tag name such as Storage or Storage.EastUS (value: "Storage;x")`);
    }
    const fqdn = { ...eastus, rules: eastus.rules.map((r, j) => (j === 0 ? { ...r, fqdns: [{ fqdn: "a.com/evil", pattern: "a.com/evil", wildcard: false }] } : r)) };
    expect(thrown(() => emitFirewallPolicyTemplate(fqdn)).message).toMatch(/^rules\[0\]\.fqdns\[0\]\.fqdn: must be a lower-case host name.*\(value: "a\.com\/evil"\)$/);
    const prefix = { ...eastus, rules: eastus.rules.map((r) => (r.id === "microsoft-prefixes" ? { ...r, prefixes: { ipv4: ["10.0.0.0/33"], ipv6: [] } } : r)) };
    expect(thrown(() => emitNsgTemplate(prefix)).message).toMatch(/\.prefixes\.ipv4\[0\]: .*\(value: "10\.0\.0\.0\/33"\)$/);
    expect(thrown(() => emitTerraform({ ...eastus, subnet: { cidr: "10.9.0.5/24", family: 4 } })).message).toBe('subnet.cidr: "10.9.0.5/24" is not a valid CIDR prefix: host bits are set; the network is 10.9.0.0/24 (value: "10.9.0.5/24")');
  });

  it("B26 options that would weaken or contradict an Azure artifact: the option error names the option and the value", () => {
    expect(thrown(() => emitNsgTemplate(eastus, { hostNamesViaFirewall: true, denyInternetOutbound: false }))).toBeInstanceOf(NsgOptionError);
    expect(thrown(() => emitFirewallPolicyTemplate(eastus, { intrusionDetection: "Deny" })).message).toBe('azure-firewall option intrusionDetection: needs tier "Premium": intrusion detection (IDPS) is a Premium feature (value: "Deny")');
    expect(thrown(() => emitFirewallPolicyTemplate(eastus, { policy: "existing", threatIntelMode: "Off" })).message).toMatch(/^azure-firewall option threatIntelMode: applies to a policy the artifact creates/);
    const routed = thrown(() => emitTerraform(eastus, { layers: ["azure-firewall", "route-table"] }));
    expect(routed).toBeInstanceOf(TerraformOptionError);
    expect(routed.message).toMatch(/^terraform option layers: route-table sends Microsoft's addresses to the Internet next hop, past the firewall/);
    expect(thrown(() => emitTerraform(eastus, { nsg: { priorityStart: 50 } })).message).toBe("terraform option nsg.priorityStart: must be an integer from 100 to 4096 (value: 50)");
  });

  it("B27 HCL: ${ and %{ in data are doubled (Terraform reads a literal); a lone surrogate, which no UTF-8 file holds, is refused", () => {
    expect(escapeHclString('${file("/etc/shadow")} %{ if x }')).toBe('$${file(\\"/etc/shadow\\")} %%{ if x }');
    expect(thrown(() => escapeHclString("a\ud800")).message).toMatch(/^HCL cannot hold a lone UTF-16 surrogate/);
  });
});

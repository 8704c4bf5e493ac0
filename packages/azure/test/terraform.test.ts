/** The HCL writer and the Terraform renderer: escaping, terraform fmt's layout, the azurerm table's special kinds. */
import {
  attribute,
  blank,
  block,
  comment,
  escapeHclString,
  expression,
  object,
  renderHcl,
  renderTerraform,
  type FirewallPolicyRuleCollectionGroup,
  type Known,
} from "@cassandra-mi-netrules/azure";
import { checkAzurermAttributes, parseHcl, readTerraform, terraformOutputs } from "@cassandra-mi-netrules/testkit/terraform";
import { expectFormatted } from "@cassandra-mi-netrules/testkit/terraform-emitter";
import { describe, expect, it } from "vitest";

describe("escapeHclString", () => {
  it("escapes what HCL would read as syntax, and nothing else", () => {
    expect(escapeHclString('a "b" \\ c')).toBe('a \\"b\\" \\\\ c');
    expect(escapeHclString("l1\nl2\r\tx")).toBe("l1\\nl2\\r\\tx");
    expect(escapeHclString("${var.x} %{ if true }")).toBe("$${var.x} %%{ if true }");
    expect(escapeHclString("$${x} $$ %% $ %")).toBe("$$${x} $$ %% $ %");
    expect(escapeHclString("\u0001\u001b[31m\u007f\u0085\u2028\u2029")).toBe("\\u0001\\u001b[31m\\u007f\\u0085\\u2028\\u2029");
    expect(escapeHclString("Élève 中文 🎉")).toBe("Élève 中文 🎉");
  });

  it("writes the NFC form HCL reads; refuses a lone surrogate, which no UTF-8 file holds", () => {
    expect(escapeHclString("e\u0301")).toBe("\u00e9");
    expect(() => escapeHclString("a\ud800b")).toThrow(/lone UTF-16 surrogate/);
    expect(() => escapeHclString("\udc00")).toThrow(RangeError);
  });

  it("Terraform itself reads every escaped string back as the text", () => {
    const texts = ["${file(\"/etc/passwd\")}", "%{ for x in [1] }${x}%{ endfor }", "$${a}", "$$${b}", '"\\\n\r\t', "\u0000\u0007\u007f\u0085\u2028", "emoji 👩‍💻 and e\u0301"];
    expect(terraformOutputs(texts.map((t) => `"${escapeHclString(t)}"`))).toEqual(texts.map((t) => t.normalize("NFC")));
  });
});

describe("renderHcl lays out as terraform fmt does", () => {
  it("aligns runs of one-line attributes, breaks them at blocks, comments, empty lines and multi-line objects; isolates non-ASCII keys", () => {
    const text = renderHcl([
      comment("a comment\nwith a line break"),
      block("resource", ["x_y", "label"], [
        attribute("a", 1),
        attribute("longer_name", "v"),
        attribute("tags", object([["short", "1"], ["a-longer-key", "2"], ["clé", "3"], ["z", "4"], ["𝒁𝒁", "5"], ["true", "6"]])),
        attribute("after", true),
        attribute("e", object([])),
        attribute("list", ["a", expression("var.b"), null]),
        blank,
        comment("inner"),
        block("inner", [], [attribute("k", 2), attribute("kk", object([["nested", object([["deep", "x"]])]]))]),
        block("empty", [], []),
      ]),
    ]);
    expect(text).toContain('  a           = 1\n  longer_name = "v"\n  tags = {\n');
    expect(text).toContain('    short          = "1"\n    "a-longer-key" = "2"\n\n    "clé" = "3"\n\n    z = "4"\n\n    "𝒁𝒁" = "5"\n\n    "true" = "6"\n  }\n');
    expect(text).toContain("  empty {}\n");
    expect(text.startsWith("# a comment with a line break\n")).toBe(true);
    expectFormatted([text]);
  });

  it("refuses what is not HCL: a block type or attribute that is not an identifier, a number that is not finite", () => {
    expect(() => renderHcl([attribute("not valid", 1)])).toThrow(/not an HCL identifier/);
    expect(() => renderHcl([block("a b", [], [])])).toThrow(/not an HCL identifier/);
    expect(() => renderHcl([attribute("n", Number.NaN)])).toThrow(/finite/);
  });
});

describe("renderTerraform: the azurerm table's special kinds", () => {
  const group = (collections: unknown[]): Known<FirewallPolicyRuleCollectionGroup> =>
    ({ firewallPolicyName: "p", name: "g", properties: { priority: 100, ruleCollections: collections } }) as Known<FirewallPolicyRuleCollectionGroup>;

  it("a NAT collection: one destination address as a string, the translated port as a number, DNAT as Dnat; read back the same", () => {
    const nat = {
      ruleCollectionType: "FirewallPolicyNatRuleCollection",
      name: "dnat",
      priority: 300,
      action: { type: "DNAT" },
      rules: [{ ruleType: "NatRule", name: "r", ipProtocols: ["TCP"], sourceAddresses: ["*"], destinationAddresses: ["203.0.113.7"], destinationPorts: ["9042"], translatedAddress: "10.9.0.4", translatedPort: "9042" }],
    };
    const text = renderTerraform({ firewall: { ruleCollectionGroup: group([nat]) } }, { header: [] });
    expect(text).toContain('destination_address = "203.0.113.7"');
    expect(text).toContain("translated_port     = 9042");
    expect(text).toContain('action   = "Dnat"');
    expect(checkAzurermAttributes(parseHcl(text))).toEqual([]);
    const policyId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/firewallPolicies/p";
    expect(readTerraform(text, { firewall_policy_id: policyId }).firewallPolicyRuleCollectionGroups).toEqual([group([nat])]);
    expectFormatted([text]);
  });

  it("refuses what azurerm cannot write: two destinations of a NAT rule, a collection of mixed rule types", () => {
    const rule = { ruleType: "NatRule", name: "r", ipProtocols: ["TCP"], destinationAddresses: ["203.0.113.7", "203.0.113.8"], destinationPorts: ["1"], translatedAddress: "10.0.0.1", translatedPort: "1" };
    const nat = { ruleCollectionType: "FirewallPolicyNatRuleCollection", name: "n", priority: 100, action: { type: "DNAT" }, rules: [rule] };
    expect(() => renderTerraform({ firewall: { ruleCollectionGroup: group([nat]) } }, { header: [] })).toThrow(/destination_address.*exactly one value/);
    const mixed = { ruleCollectionType: "FirewallPolicyFilterRuleCollection", name: "m", priority: 100, action: { type: "Allow" }, rules: [{ ruleType: "NetworkRule", name: "a" }, { ruleType: "ApplicationRule", name: "b" }] };
    expect(() => renderTerraform({ firewall: { ruleCollectionGroup: group([mixed]) } }, { header: [] })).toThrow(/one rule type/);
  });

  it("the checker refuses an argument azurerm does not have, a wrong type, a value outside the allowed ones, a missing required argument", () => {
    const text = [
      'resource "azurerm_network_security_group" "x" {',
      '  name                = "n"',
      '  location            = "eastus"',
      '  resource_group_name = "rg"',
      "  security_rule {",
      '    name      = "r"',
      "    priority  = 5000",
      '    direction = "Sideways"',
      '    access    = "Allow"',
      "    protocol  = 6",
      "    nonsense  = true",
      "  }",
      "}",
      'resource "azurerm_route_table" "t" {',
      '  name = "t"',
      "}",
      "",
    ].join("\n");
    expect(checkAzurermAttributes(parseHcl(text))).toEqual([
      "azurerm_network_security_group.x.security_rule[0].direction: \"Sideways\" is not one of Inbound, Outbound",
      "azurerm_network_security_group.x.security_rule[0].nonsense: not an argument here in azurerm 4.55.0",
      "azurerm_network_security_group.x.security_rule[0].priority: 5000 is outside 100-4096",
      "azurerm_network_security_group.x.security_rule[0].protocol: expected string, got 6",
      "azurerm_route_table.t: the required argument location is missing",
      "azurerm_route_table.t: the required argument resource_group_name is missing",
    ]);
  });
});

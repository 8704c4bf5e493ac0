/**
 * Hand-built `ResolvedRules` that no Azure artifact may hold (a service tag, host name, prefix, port or
 * subnet `resolveRules` would never produce), and the test every Azure emitter runs with them: it must
 * throw a ResolvedRulesError naming the field and the value, and write nothing.
 */
import { ResolvedRulesError } from "@cassandra-mi-netrules/azure";
import { resolveRules, type EmitResult, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { expect, it } from "vitest";

export interface InvalidResolvedCase {
  readonly name: string;
  readonly resolved: ResolvedRules;
  /** The field the error must name, exactly as the message starts. */
  readonly field: string;
  /** The bad value as the message shows it. */
  readonly value: string;
}

/** Replaces the rule `id` of eastus/10.9.0.0/24 with `change(rule)`. */
function withRule(id: string, change: (rule: ResolvedRule) => ResolvedRule): { resolved: ResolvedRules; index: number } {
  const base = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
  const index = base.rules.findIndex((r) => r.id === id);
  if (index < 0) throw new Error(`fixture: no rule ${id}`);
  return { resolved: { ...base, rules: base.rules.map((r, i) => (i === index ? change(r) : r)) }, index };
}

function invalidCases(): InvalidResolvedCase[] {
  const base = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
  const tag = withRule("tag-storage", (r) => ({ ...r, serviceTags: r.serviceTags.map((t) => ({ ...t, global: { ...t.global, name: "Storage;x" } })) }));
  const expression = withRule("tag-storage", (r) => ({ ...r, serviceTags: r.serviceTags.map((t) => ({ ...t, global: { ...t.global, name: "[parameters('t')]" } })) }));
  const fqdn = withRule("security-scanner-definitions", (r) => ({ ...r, fqdns: [{ fqdn: "a.com/evil", pattern: "a.com/evil", wildcard: false }] }));
  const inner = withRule("security-scanner-definitions", (r) => ({ ...r, fqdns: [{ fqdn: "a.*.example.com", pattern: "a.*.example.com", wildcard: true }] }));
  const prefix = withRule("microsoft-prefixes", (r) => ({ ...r, prefixes: { ipv4: ["10.0.0.0/33"], ipv6: [] } }));
  const port = withRule("tag-storage", (r) => ({ ...r, ports: [{ from: 443, to: 70000 }] }));
  return [
    { name: "service tag with a ;", resolved: tag.resolved, field: `rules[${tag.index}].serviceTags[0].global.name`, value: '"Storage;x"' },
    { name: "service tag that is an ARM expression", resolved: expression.resolved, field: `rules[${expression.index}].serviceTags[0].global.name`, value: `"[parameters('t')]"` },
    { name: "FQDN with a path", resolved: fqdn.resolved, field: `rules[${fqdn.index}].fqdns[0].fqdn`, value: '"a.com/evil"' },
    { name: "FQDN with an inner wildcard", resolved: inner.resolved, field: `rules[${inner.index}].fqdns[0].fqdn`, value: '"a.*.example.com"' },
    { name: "prefix /33", resolved: prefix.resolved, field: `rules[${prefix.index}].prefixes.ipv4[0]`, value: '"10.0.0.0/33"' },
    { name: "port 70000", resolved: port.resolved, field: `rules[${port.index}].ports[0]`, value: '{"from":443,"to":70000}' },
    { name: "subnet with host bits", resolved: { ...base, subnet: { cidr: "10.9.0.5/24", family: 4 } }, field: "subnet.cidr", value: '"10.9.0.5/24"' },
    { name: "subnet that is a command", resolved: { ...base, subnet: { cidr: "$(reboot)", family: 4 } }, field: "subnet.cidr", value: '"$(reboot)"' },
    { name: "subnet of the wrong family", resolved: { ...base, subnet: { cidr: "2001:db8::/64", family: 4 } }, field: "subnet.cidr", value: '"2001:db8::/64"' },
  ];
}

/** One test per case: `emit` throws a ResolvedRulesError whose message names the field and the value. */
export function invalidResolvedTests(emit: (resolved: ResolvedRules) => EmitResult): void {
  for (const c of invalidCases()) {
    it(`refuses hand-built resolved rules: ${c.name}`, () => {
      let thrown: unknown;
      try {
        emit(c.resolved);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ResolvedRulesError);
      expect((thrown as ResolvedRulesError).field).toBe(c.field);
      const message = (thrown as Error).message;
      expect(message.startsWith(`${c.field}: `), message).toBe(true);
      expect(message.endsWith(` (value: ${c.value})`), message).toBe(true);
    });
  }
}

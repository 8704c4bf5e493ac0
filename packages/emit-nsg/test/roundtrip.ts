import { portsCover, type CoverageEntry, type ResolvedRules } from "@cassandra-mi-netrules/core";
import type { NsgOptions } from "@cassandra-mi-netrules/emit-nsg";
import { parseNsgTemplate, vendoredServiceTags, type ParsedSecurityRule } from "@cassandra-mi-netrules/testkit/arm";
import { expect } from "vitest";

/**
 * Reads the template back and checks it allows exactly what the coverage claims: every claimed rule is
 * allowed from the right source to one of its own alternatives on its ports, nothing unclaimed is allowed,
 * and the status (enforced / approximated / unsupported) follows from the alternative used.
 */
export function checkRoundTrip(resolved: ResolvedRules, options: NsgOptions, content: string, coverage: readonly CoverageEntry[]): number {
  const parsed = parseNsgTemplate(content);
  const tags = vendoredServiceTags();
  expect(coverage.map((c) => c.ruleId)).toEqual(resolved.rules.map((r) => r.id).sort());
  const byId = new Map<string, ParsedSecurityRule[]>();
  for (const p of parsed) {
    if (p.access === "Allow") expect(p.requirementIds.length, `allow rule ${p.name} serves no requirement`).toBeGreaterThan(0);
    for (const id of p.requirementIds) byId.set(id, [...(byId.get(id) ?? []), p]);
  }
  const denies = parsed.filter((p) => p.access === "Deny");
  expect(denies.length).toBe(options.denyInternetOutbound ? 1 : 0);
  const subnet = resolved.subnet?.cidr;
  const scope = options.internalScope === "vnet" || !subnet ? "VirtualNetwork" : subnet;
  let checked = 0;
  for (const c of coverage) {
    const rule = resolved.rules.find((r) => r.id === c.ruleId);
    if (!rule) throw new Error(`coverage names unknown rule ${c.ruleId}`);
    const used = byId.get(c.ruleId) ?? [];
    if (c.status === "unsupported") {
      expect(used, `${c.ruleId} is unsupported but allowed`).toEqual([]);
      expect(c.why).not.toBe("");
      continue;
    }
    expect(used.length, `${c.ruleId} is ${c.status} but no rule allows it`).toBeGreaterThan(0);
    for (const p of used) {
      expect(p.access).toBe("Allow");
      expect(p.protocol).toBe("Tcp");
      expect(portsCover(p.ports, rule.ports), `${p.name} ports`).toBe(true);
      for (const d of denies.filter((x) => x.direction === p.direction)) expect(d.priority).toBeGreaterThan(p.priority);
    }
    if (rule.kind === "internal") {
      expect(used.map((p) => p.direction).sort()).toEqual(["Inbound", "Outbound"]);
      for (const p of used) {
        expect(p.sources).toEqual([scope]);
        expect(p.destinations).toEqual([scope]);
      }
      expect(c.status).toBe("enforced");
      checked++;
      continue;
    }
    for (const p of used) expect(p.direction).toBe("Outbound");
    const dests = used.flatMap((p) => p.destinations);
    const tag = rule.serviceTags.find((t) => dests.includes(t.global.name) || t.regional.some((r) => dests.includes(r.name)));
    if (tag) {
      for (const p of used) expect(p.sources).toEqual([subnet ?? "VirtualNetwork"]);
      for (const d of dests) expect(tags.get(d) ?? [], `${d} usable in an NSG`).toContain("NSG");
      const global = dests.includes(tag.global.name);
      if (global) expect(dests).toEqual([tag.global.name]);
      else expect(dests.sort()).toEqual(tag.regional.map((r) => r.name).sort());
      if (options.regionalTags && global) expect(c.how).toMatch(/global tag .* used/);
      const approximated = rule.fqdns.length + rule.unresolvedFqdns.length > 0 || (tag.regionalOnly && global);
      expect(c.status).toBe(approximated ? "approximated" : "enforced");
    } else {
      const wanted = [...rule.prefixes.ipv4, ...rule.prefixes.ipv6].sort();
      expect(wanted.length, `${c.ruleId}: destinations ${dests.join(", ")} are none of its alternatives`).toBeGreaterThan(0);
      expect(dests.sort()).toEqual(wanted);
      expect(c.status).toBe("enforced");
    }
    checked++;
  }
  return checked;
}


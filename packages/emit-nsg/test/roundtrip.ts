import { mergePortRanges, portsCover, type CoverageEntry, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { NSG_VIA_FIREWALL_RULE_NAME } from "@cassandra-mi-netrules/azure";
import { emitNsgTemplate, emitter, version, type NsgOptions } from "@cassandra-mi-netrules/emit-nsg";
import { expectAlternativeWritten, type ArmEmitterUnderTest } from "@cassandra-mi-netrules/testkit/arm-emitter";
import { parseNsgTemplate, type ParsedSecurityRule } from "@cassandra-mi-netrules/testkit/arm";
import { expect } from "vitest";

/**
 * Reads the template back and checks it allows exactly what the coverage claims: every claimed rule is
 * allowed from the right source to one of its own alternatives on its ports, nothing unclaimed is allowed,
 * and the status (enforced / approximated / unsupported) follows from the alternative used.
 */
export function checkRoundTrip(resolved: ResolvedRules, options: NsgOptions, content: string, coverage: readonly CoverageEntry[]): number {
  const parsed = parseNsgTemplate(content);
  expect(coverage.map((c) => c.ruleId)).toEqual(resolved.rules.map((r) => r.id).sort());
  const byId = new Map<string, ParsedSecurityRule[]>();
  const rulesById = new Map(resolved.rules.map((r) => [r.id, r]));
  for (const p of parsed) {
    expect(p.sourcePorts, `${p.name} source ports`).toEqual([{ from: 0, to: 65535 }]);
    if (p.access === "Allow") {
      expect(p.requirementIds.length, `allow rule ${p.name} serves no requirement`).toBeGreaterThan(0);
      // Exactly: an allow opens the ports of the requirements it serves, no more.
      const wanted = mergePortRanges(p.requirementIds.flatMap((id) => rulesById.get(id)?.ports ?? []));
      expect(mergePortRanges(p.ports), `${p.name} ports`).toEqual(wanted);
    }
    for (const id of p.requirementIds) byId.set(id, [...(byId.get(id) ?? []), p]);
  }
  const denies = parsed.filter((p) => p.access === "Deny");
  // The final deny is on unless the options leave it out.
  const deny = options.denyInternetOutbound !== false;
  expect(denies.length).toBe(deny ? 1 : 0);
  const subnet = resolved.subnet?.cidr;
  for (const d of denies) {
    expect(d).toMatchObject({ direction: "Outbound", protocol: "*", sources: ["*"], destinations: ["Internet"], ports: [{ from: 0, to: 65535 }], requirementIds: [] });
    expect(d.priority).toBe(Math.max(...parsed.filter((p) => p.direction === "Outbound").map((p) => p.priority)));
  }
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
    for (const p of used) {
      expect(p.direction).toBe("Outbound");
      // From the subnet; a prefix of the other address family than the subnet's leaves from VirtualNetwork.
      const otherFamily = resolved.subnet !== undefined && p.destinations.some((d) => d.includes("/") && (d.includes(":") ? 6 : 4) !== resolved.subnet?.family);
      expect(p.sources, `${p.name} source`).toEqual([otherFamily ? "VirtualNetwork" : (subnet ?? "VirtualNetwork")]);
    }
    if (used.some((p) => p.name === NSG_VIA_FIREWALL_RULE_NAME)) {
      // Host names only: Internet on the requirement's ports, for a firewall to narrow, and only when asked.
      expect(options.hostNamesViaFirewall, `${c.ruleId}: ${NSG_VIA_FIREWALL_RULE_NAME} without hostNamesViaFirewall`).toBe(true);
      expect(used.map((p) => p.destinations)).toEqual([["Internet"]]);
      expect(rule.fqdns.length + rule.unresolvedFqdns.length).toBeGreaterThan(0);
      expect(c).toMatchObject({ status: "approximated", why: expect.stringMatching(/hostNamesViaFirewall/) });
      checked++;
      continue;
    }
    const dests = used.flatMap((p) => p.destinations);
    const form = expectAlternativeWritten(rule, dests, "NSG");
    if (options.regionalTags && form.global) expect(c.how).toMatch(/global tag .* used/);
    // Without the final deny, Azure's AllowInternetOutBound admits everything else: the NSG restricts nothing.
    expect(c.status).toBe(deny ? form.status : "approximated");
    if (deny) expect(c.how).toMatch(/every other outbound flow to Internet is denied by cassandra-deny-internet-out \(4096\)/);
    else expect(c.why).toMatch(/AllowInternetOutBound \(65001\)/);
    checked++;
  }
  return checked;
}

/** The emitter as the shared ARM test code drives it. */
export const nsgUnderTest: ArmEmitterUnderTest<NsgOptions> = {
  generator: "@cassandra-mi-netrules/emit-nsg",
  version,
  file: "nsg.json",
  emit: emitNsgTemplate,
  roundTrip: checkRoundTrip,
  emitter,
  registryName: "nsg",
};

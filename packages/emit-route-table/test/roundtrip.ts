import { readArmTemplate, isUnknown, type Route } from "@cassandra-mi-netrules/azure";
import { getUdrAdvice, type CoverageEntry, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitRouteTable, emitter, version, type RouteTableOptions } from "@cassandra-mi-netrules/emit-route-table";
import { expectAlternativeWritten, type ArmEmitterUnderTest } from "@cassandra-mi-netrules/testkit/arm-emitter";
import { vendoredServiceTags } from "@cassandra-mi-netrules/testkit/arm";
import { expect } from "vitest";

/** The routes of the template, read back by the azure package's ARM reader. */
export function routesOf(content: string, options: RouteTableOptions): Route[] {
  const network = readArmTemplate(content);
  expect(network.routeTables).toHaveLength(1);
  const routes = network.routeTables[0]?.properties.routes ?? [];
  if (options.routeTable === "existing") {
    // Only the routes are in the template: the reader says the table's other routes are not known.
    expect(isUnknown(routes[0]) && routes[0].reason).toMatch(/not in this template: its other entries are not known/);
    return routes.slice(1).map((r) => r as Route);
  }
  for (const r of routes) expect(isUnknown(r)).toBe(false);
  return routes as Route[];
}

/**
 * Reads the template back and checks it routes exactly what the coverage claims: every route goes to the
 * Internet next hop; a claimed requirement has routes to one of its own alternatives (service-tags mode)
 * or to sample prefixes that hold its addresses (sample mode); nothing unclaimed has a route; in sample
 * mode the routes are exactly the sample's, in its order and with its names.
 */
export function checkRoundTrip(resolved: ResolvedRules, options: RouteTableOptions, content: string, coverage: readonly CoverageEntry[]): number {
  const routes = routesOf(content, options);
  expect(coverage.map((c) => c.ruleId)).toEqual(resolved.rules.map((r) => r.id).sort());
  for (const r of routes) expect(r.properties).toEqual({ addressPrefix: expect.any(String), nextHopType: "Internet" });
  const meta = (JSON.parse(content) as { metadata: { "cassandra-mi-netrules": { requirements: Record<string, string[]> } } }).metadata["cassandra-mi-netrules"];
  expect(Object.keys(meta.requirements)).toEqual(routes.map((r) => r.name));
  // Data strings in the metadata are written as ARM literals (`[[` for a leading `[`).
  const requirements = Object.entries(meta.requirements).map(([name, ids]) => [name, ids.map((id) => (id.startsWith("[[") ? id.slice(1) : id))] as const);
  const prefixOf = new Map(routes.map((r) => [r.name as string, r.properties.addressPrefix as string]));
  const sample = options.mode === "sample-prefixes" ? getUdrAdvice(resolved.revision.id)?.sample : undefined;
  if (options.mode === "sample-prefixes") {
    expect(sample, "sample mode needs a revision whose page links the sample").toBeDefined();
    expect(routes.map((r) => [r.name, r.properties.addressPrefix])).toEqual(sample?.prefixes.map((p, i) => [`msft${i + 1}`, p]));
  }
  const tags = vendoredServiceTags();
  let checked = 0;
  for (const c of coverage) {
    const rule = resolved.rules.find((r) => r.id === c.ruleId);
    if (!rule) throw new Error(`coverage names unknown rule ${c.ruleId}`);
    const used = requirements.filter(([, ids]) => ids.includes(c.ruleId)).map(([name]) => prefixOf.get(name) as string);
    if (rule.kind === "internal" || (rule.serviceTags.length === 0 && rule.prefixes.ipv4.length + rule.prefixes.ipv6.length === 0)) expect(c.status, c.ruleId).toBe("unsupported");
    if (c.status === "unsupported") {
      expect(used, `${c.ruleId} is unsupported but routed`).toEqual([]);
      expect(c.why).not.toBe("");
      continue;
    }
    expect(used.length, `${c.ruleId} is ${c.status} but has no route`).toBeGreaterThan(0);
    if (options.mode !== "sample-prefixes") {
      const form = expectAlternativeWritten(rule, used, "UDR");
      const names = rule.fqdns.length + rule.unresolvedFqdns.length > 0;
      expect(c.status, c.ruleId).toBe(names || form.status === "approximated" ? "approximated" : "enforced");
      for (const u of used) if (!u.includes("/")) expect(tags.get(u) ?? [], `${u} lists UDR`).toContain("UDR");
    }
    checked++;
  }
  return checked;
}

/** The emitter as the shared ARM test code drives it. */
export const routeTableUnderTest: ArmEmitterUnderTest<RouteTableOptions> = {
  generator: "@cassandra-mi-netrules/emit-route-table",
  version,
  file: "route-table.json",
  files: ["route-table.json", "route-table.sh"],
  emit: emitRouteTable,
  roundTrip: checkRoundTrip,
  emitter,
  registryName: "route-table",
};

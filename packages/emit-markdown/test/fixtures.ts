/** Scenarios shared by the tests: real resolved rules from the dataset. */
import { resolveRules, type CoverageEntry, type ResolvedRules } from "@cassandra-mi-netrules/core";

export interface Scenario {
  readonly name: string;
  readonly locale: "en" | "fr";
  readonly resolved: ResolvedRules;
  readonly coverage?: Readonly<Record<string, readonly CoverageEntry[]>>;
}

/**
 * A coverage table shaped like a packet filter that cannot match names: a made-up target (`fixture-target`),
 * so the golden shows the targets page without depending on the state of another emitter.
 */
export function fixtureCoverage(resolved: ResolvedRules): Record<string, CoverageEntry[]> {
  return {
    "fixture-target": resolved.rules.map((r) =>
      r.fqdns.length + r.unresolvedFqdns.length > 0 && r.serviceTags.length === 0
        ? { ruleId: r.id, status: "unsupported" as const, how: "", why: "An FQDN cannot be matched here; allow it on a proxy or firewall that filters by name." }
        : r.fqdns.length + r.unresolvedFqdns.length > 0
          ? { ruleId: r.id, status: "approximated" as const, how: `service tag ${r.serviceTags.map((t) => t.global.name).join(", ")} instead of the FQDN`, why: "The tag covers more than the FQDN." }
          : { ruleId: r.id, status: "enforced" as const, how: "allowed", why: "" },
    ),
  };
}

export function scenarios(): Scenario[] {
  const eastus = resolveRules({ regions: ["eastus"] });
  const none = resolveRules({ regions: [] });
  const v1 = resolveRules({ revision: "2021-05-21", regions: [] });
  return [
    { name: "en-current-eastus", locale: "en", resolved: eastus, coverage: fixtureCoverage(eastus) },
    { name: "en-current-no-region", locale: "en", resolved: none },
    { name: "fr-current-eastus", locale: "fr", resolved: eastus, coverage: fixtureCoverage(eastus) },
    { name: "fr-current-no-region", locale: "fr", resolved: none },
    { name: "fr-2021-05-21-no-region", locale: "fr", resolved: v1 },
  ];
}

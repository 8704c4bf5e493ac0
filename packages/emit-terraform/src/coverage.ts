/**
 * The coverage of a file that holds several layers: per requirement, what each layer does and what they
 * do together. A flow from the cluster subnet crosses the NSG, then (when the subnet's egress is routed
 * through it) the firewall; a route table only picks the path. So the layers are filters in series: a
 * flow gets out when every filtering layer on its path lets it through, and the set let through is the
 * intersection of theirs.
 */
import { sortBy, type CoverageEntry, type CoverageStatus, type ResolvedRules } from "@cassandra-mi-netrules/core";

export const LAYERS = ["nsg", "azure-firewall", "route-table"] as const;
export type Layer = (typeof LAYERS)[number];

export interface LayerCoverage {
  readonly layer: Layer;
  readonly coverage: readonly CoverageEntry[];
  /** The NSG ends with a deny to Internet: an outbound requirement it has no rule for is blocked, not merely left open. */
  readonly blocksTheRest: boolean;
}

/** What one layer does with one requirement's flows. */
type Verdict = "exact" | "broader" | "blocks" | "open" | "off-path" | "route";

function verdict(l: LayerCoverage, e: CoverageEntry, internal: boolean): Verdict {
  // A route picks the path and filters nothing.
  if (l.layer === "route-table") return "route";
  // Traffic between the nodes stays in the virtual network: it never reaches the firewall.
  if (l.layer === "azure-firewall" && internal) return "off-path";
  if (e.status === "enforced") return "exact";
  if (e.status === "approximated") return "broader";
  return l.layer === "nsg" && !l.blocksTheRest ? "open" : "blocks";
}

function combined(verdicts: ReadonlyArray<{ layer: Layer; verdict: Verdict; entry: CoverageEntry }>): { status: CoverageStatus; why: string } {
  const whys = (list: typeof verdicts) => list.filter((v) => v.entry.why !== "").map((v) => `${v.layer}: ${v.entry.why}`);
  const blocking = verdicts.filter((v) => v.verdict === "blocks");
  if (blocking.length > 0) return { status: "unsupported", why: `Blocked by ${blocking.map((v) => `the ${v.layer} layer`).join(" and ")}. ${whys(blocking).join(" ")}` };
  const filtering = verdicts.filter((v) => v.verdict === "exact" || v.verdict === "broader");
  if (filtering.some((v) => v.verdict === "exact")) return { status: "enforced", why: "" };
  if (filtering.length > 0) return { status: "approximated", why: whys(filtering).join(" ") };
  // No layer filters this flow (route table alone, or an NSG without the final deny): the first layer says what it is.
  const first = verdicts[0];
  return first ? { status: first.entry.status, why: whys(verdicts).join(" ") } : { status: "unsupported", why: "No layer." };
}

/**
 * One entry per requirement: `how` gives each layer's status and how (`nsg (enforced): ...; azure-firewall
 * (enforced): ...`), `status` what the layers do together: `unsupported` when a filtering layer blocks it,
 * else `enforced` when some layer lets through exactly the requirement (the intersection is exact), else
 * `approximated`. With one layer, that layer's coverage as it is.
 */
export function combineCoverage(resolved: ResolvedRules, layers: readonly LayerCoverage[]): CoverageEntry[] {
  if (layers.length === 1) return [...(layers[0] as LayerCoverage).coverage];
  const internal = new Set(resolved.rules.filter((r) => r.kind === "internal").map((r) => r.id));
  const ids = sortBy([...new Set(layers.flatMap((l) => l.coverage.map((c) => c.ruleId)))], (id) => id);
  return ids.map((ruleId) => {
    const per = layers.flatMap((l) => {
      const entry = l.coverage.find((c) => c.ruleId === ruleId);
      return entry ? [{ layer: l.layer, entry, verdict: verdict(l, entry, internal.has(ruleId)) }] : [];
    });
    const { status, why } = combined(per);
    const how = per.map((v) => `${v.layer} (${v.entry.status}${v.verdict === "off-path" ? ", not on this flow's path" : ""}): ${v.entry.how}`).join("; ");
    return { ruleId, status, how, why };
  });
}

/** One layer's status for a requirement as the file's header lists it: `off path` where the flow never reaches the layer. */
export function layerStatus(resolved: ResolvedRules, l: LayerCoverage, ruleId: string): string {
  const entry = l.coverage.find((c) => c.ruleId === ruleId);
  if (!entry) return "-";
  const internal = resolved.rules.some((r) => r.id === ruleId && r.kind === "internal");
  return verdict(l, entry, internal) === "off-path" ? "off path" : entry.status;
}

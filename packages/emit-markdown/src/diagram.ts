/**
 * The traffic diagram's data: the destinations of the resolved rules grouped by service (one service
 * tag, the names without a tag, the address prefixes, the other nodes), each with its ports and
 * alternatives and, when other targets' coverage is given, which targets enforce it.
 */
import {
  compareStrings,
  formatPortRange,
  mergePortRanges,
  sortBy,
  uniqueSorted,
  type CoverageEntry,
  type CoverageStatus,
  type PortRange,
  type ResolvedRule,
} from "@cassandra-mi-netrules/core";

export interface DiagramGroupView {
  /** Mermaid node id (`dest1`, `dest2`, ...), in the order of the rules on the page. */
  readonly node: string;
  /** The global service tag(s) of the group; empty for the other kinds. */
  readonly tag: string;
  /** Outbound rules that offer FQDNs and no service tag. */
  readonly names: boolean;
  /** Outbound rules that offer only address prefixes. */
  readonly prefixGroup: boolean;
  /** Traffic between the nodes (internal rules). */
  readonly internal: boolean;
  /** Protocol and merged ports, one entry per protocol (`HTTPS 443`). */
  readonly traffic: readonly string[];
  readonly fqdns: readonly string[];
  /** Service tags a rule may allow instead: regional forms where they exist, and the global tag unless the row asks for regional forms only. */
  readonly tags: readonly string[];
  readonly prefixes: readonly string[];
  readonly requirements: readonly string[];
  /** Targets of the coverage by their worst status over the group's rules (a rule a coverage omits counts as unsupported). */
  readonly enforcedBy: readonly string[];
  readonly approximatedBy: readonly string[];
  readonly unsupportedBy: readonly string[];
}

export interface DiagramView {
  readonly groups: readonly DiagramGroupView[];
  readonly hasCoverage: boolean;
}

type GroupKind = "tag" | "names" | "prefixes" | "internal";

function groupOf(rule: ResolvedRule): { kind: GroupKind; key: string } {
  if (rule.kind === "internal") return { kind: "internal", key: "internal" };
  if (rule.serviceTags.length > 0) return { kind: "tag", key: uniqueSorted(rule.serviceTags.map((t) => t.global.name)).join(", ") };
  const hasNames = rule.fqdns.length + rule.unresolvedFqdns.length > 0;
  const hasPrefixes = rule.prefixes.ipv4.length + rule.prefixes.ipv6.length > 0;
  return hasPrefixes && !hasNames ? { kind: "prefixes", key: "prefixes" } : { kind: "names", key: "names" };
}

function allowedTags(rule: ResolvedRule): string[] {
  return rule.serviceTags.flatMap((t) => [...t.regional.map((r) => r.name), ...(t.regionalOnly && t.regional.length > 0 ? [] : [t.global.name])]);
}

function traffic(rules: readonly ResolvedRule[]): string[] {
  const byProtocol = new Map<string, PortRange[]>();
  for (const r of rules) byProtocol.set(r.protocol, [...(byProtocol.get(r.protocol) ?? []), ...r.ports]);
  return [...byProtocol.keys()].sort(compareStrings).map((protocol) => {
    const ports = mergePortRanges(byProtocol.get(protocol) ?? []).map((p) => formatPortRange(p));
    return ports.length > 0 ? `${protocol} ${ports.join(", ")}` : protocol;
  });
}

/** The first occurrence of each item, in the order of the page's rules. */
function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

const RANK: Readonly<Record<CoverageStatus, number>> = { enforced: 0, approximated: 1, unsupported: 2 };
const BY_RANK: readonly CoverageStatus[] = ["enforced", "approximated", "unsupported"];

/** The worst status `entries` give any of `ruleIds`; a rule without an entry is unsupported. */
function worstStatus(entries: readonly CoverageEntry[], ruleIds: readonly string[]): CoverageStatus {
  let worst = 0;
  for (const id of ruleIds) {
    const mine = entries.filter((e) => e.ruleId === id);
    const rank = mine.length === 0 ? RANK.unsupported : Math.max(...mine.map((e) => RANK[e.status] ?? RANK.unsupported));
    worst = Math.max(worst, rank);
  }
  return BY_RANK[worst] as CoverageStatus;
}

/** `rules` sorted as on the page; `coverage` as validated for the targets page. */
export function buildDiagram(rules: readonly ResolvedRule[], coverage: Readonly<Record<string, readonly CoverageEntry[]>> | undefined): DiagramView {
  const groups = new Map<string, { kind: GroupKind; rules: ResolvedRule[] }>();
  for (const rule of rules) {
    const { kind, key } = groupOf(rule);
    const id = `${kind} ${key}`;
    const group = groups.get(id) ?? { kind, rules: [] };
    group.rules.push(rule);
    groups.set(id, group);
  }
  // Internal traffic last: the outbound groups in the order their first rule has on the page.
  const ordered = sortBy(
    [...groups.entries()],
    ([, g]) => (g.kind === "internal" ? 1 : 0),
    ([, g]) => Math.min(...g.rules.map((r) => r.order)),
    ([id]) => id,
  );
  const targets = Object.keys(coverage ?? {}).sort(compareStrings);
  return {
    hasCoverage: coverage !== undefined && targets.length > 0,
    groups: ordered.map(([, g], i) => {
      const ids = g.rules.map((r) => r.id);
      const statuses = targets.map((t) => ({ target: t, status: worstStatus(coverage?.[t] ?? [], ids) }));
      const by = (status: CoverageStatus): string[] => statuses.filter((s) => s.status === status).map((s) => s.target);
      return {
        node: `dest${i + 1}`,
        tag: g.kind === "tag" ? groupOf(g.rules[0] as ResolvedRule).key : "",
        names: g.kind === "names",
        prefixGroup: g.kind === "prefixes",
        internal: g.kind === "internal",
        traffic: traffic(g.rules),
        fqdns: unique(g.rules.flatMap((r) => [...r.fqdns.map((f) => f.fqdn), ...r.unresolvedFqdns])),
        tags: unique(g.rules.flatMap(allowedTags)),
        prefixes: unique(g.rules.flatMap((r) => [...r.prefixes.ipv4, ...r.prefixes.ipv6])),
        requirements: ids,
        enforcedBy: by("enforced"),
        approximatedBy: by("approximated"),
        unsupportedBy: by("unsupported"),
      };
    }),
  };
}

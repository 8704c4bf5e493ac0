/**
 * The scenarios both Linux firewall emitters (iptables, nftables) are tested on, over a made-up
 * service-tags file whose prefixes all lie in the documentation ranges.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolveRules, type EmitResult, type ResolvedRule, type ResolvedRules, type ServiceTagIndex } from "@cassandra-mi-netrules/core";
import { KERNEL_LIMITS, type LinuxFirewallOptions } from "@cassandra-mi-netrules/linux";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import { HOST_ADDRESSES, NVA_ADDRESSES } from "./netns.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/service-tags-doc-ranges.json", import.meta.url));

/** `fixtures/service-tags-doc-ranges.json`: Storage is 192.0.2.0/27 and 2001:db8:10::/48, and so on. */
export function docRangeServiceTags(): ServiceTagIndex {
  // A made-up file: not compared with Microsoft's (its changeNumbers and prefixes are not Microsoft's).
  return loadServiceTags(readFileSync(FIXTURE, "utf8"), { source: "service-tags-doc-ranges.json", compare: false });
}

export interface LinuxScenario {
  /** Also the golden-file directory. */
  readonly name: string;
  readonly resolved: ResolvedRules;
  readonly options: LinuxFirewallOptions;
}

/** The cluster subnets of the nva topology, both families. */
export const NVA_SUBNETS: readonly string[] = [NVA_ADDRESSES.clientSubnet4, NVA_ADDRESSES.clientSubnet6];

/**
 * Dual stack with every alternative; no service-tags file (tag-only rows unsupported); regional tags and
 * peers without FQDNs, IPv4 only; no region (the `{region}` FQDNs unusable) and backup off; host mode.
 */
export function linuxScenarios(): LinuxScenario[] {
  const docTags = docRangeServiceTags();
  return [
    { name: "nva-dual-stack", resolved: resolveRules({ regions: ["eastus"], serviceTags: docTags }), options: { subnets: NVA_SUBNETS } },
    { name: "nva-no-service-tags", resolved: resolveRules({ regions: ["eastus"], subnet: NVA_ADDRESSES.clientSubnet4 }), options: {} },
    {
      name: "nva-regional-peers-no-fqdn",
      resolved: resolveRules({ regions: ["eastus", "westus"], serviceTags: docTags, subnet: NVA_ADDRESSES.clientSubnet4 }),
      options: { regionalTags: true, fqdns: false, peers: ["203.0.113.0/28", "2001:db8:ee::/48"] },
    },
    { name: "nva-no-regions-backup-off", resolved: resolveRules({ regions: [], serviceTags: docTags, features: { backup: false } }), options: { subnets: NVA_SUBNETS } },
    {
      name: "host-dual-stack",
      resolved: resolveRules({ regions: ["eastus"], serviceTags: docTags }),
      options: { mode: "host", subnets: [HOST_ADDRESSES.clusterSubnet4, HOST_ADDRESSES.clusterSubnet6] },
    },
  ];
}

export interface EmittedScenarios<S extends LinuxScenario> {
  readonly scenarios: readonly S[];
  scenario(name: string): S;
  output(name: string): EmitResult;
  /** The text of one emitted file; throws when the scenario has none of that path. */
  file(name: string, path: string): string;
}

/** Emits every scenario once, for the tests to share. */
export function emitScenarios<S extends LinuxScenario>(scenarios: readonly S[], emit: (resolved: ResolvedRules, options: S["options"]) => EmitResult): EmittedScenarios<S> {
  const outputs = new Map(scenarios.map((s) => [s.name, emit(s.resolved, s.options)]));
  const get = <T>(map: ReadonlyMap<string, T>, name: string): T => {
    const v = map.get(name);
    if (v === undefined) throw new Error(`no scenario ${name}`);
    return v;
  };
  const byName = new Map(scenarios.map((s) => [s.name, s]));
  return {
    scenarios,
    scenario: (name) => get(byName, name),
    output: (name) => get(outputs, name),
    file: (name, path) => {
      const f = get(outputs, name).files.find((x) => x.path === path);
      if (!f) throw new Error(`${name} has no ${path}`);
      return f.content;
    },
  };
}

/**
 * Hostile text in every free-text field that reaches an artifact (regions, revision, purposes, tag names),
 * with tags holding documentation prefixes so they still make sets.
 */
export function withHostileText(base: ResolvedRules, texts: readonly string[]): ResolvedRules {
  const t = (i: number): string => texts[i % texts.length] ?? "x";
  return {
    ...base,
    regions: [t(0), t(1)],
    revision: { ...base.revision, id: t(2), label: t(3) },
    rules: base.rules.map((r, i) => ({
      ...r,
      purpose: { en: t(i), fr: t(i + 1) },
      serviceTags: r.serviceTags.map((s) => ({
        ...s,
        tag: t(i + 2),
        global: { name: t(i + 3) || "x", networkFeatures: null, prefixes: { ipv4: ["192.0.2.0/27"], ipv6: ["2001:db8:10::/48"] } },
        regional: [],
      })),
    })),
  };
}

/**
 * The largest case the Linux plan allows: a requirement whose IPv6 prefixes fill one set to
 * KERNEL_LIMITS.setElements (every other /64 of 2001:db8::/32, so none merge), and three requirements of
 * 100-character ids sharing one FQDN match, whose comment the emitters split at their kernel limit.
 */
export function largestCase(base: ResolvedRules): { resolved: ResolvedRules; ids: readonly string[] } {
  const [first] = base.rules.filter((r) => r.kind === "outbound");
  if (!first) throw new Error("no outbound rule to build on");
  const hosts = Array.from({ length: KERNEL_LIMITS.setElements }, (_, i) => `2001:db8:${(i >> 15).toString(16)}:${((i & 0x7fff) * 2).toString(16)}::/64`);
  const ids = ["a", "b", "c", "d"].map((c) => `${c}-${"x".repeat(98)}`);
  const one = (id: string, k: number): ResolvedRule => ({
    ...first,
    id,
    order: k,
    ports: [{ from: 443, to: 443 }],
    serviceTags: [],
    unresolvedFqdns: [],
    fqdns: k === 0 ? [] : [{ fqdn: `host${k}.example.com`, pattern: `host${k}.example.com`, wildcard: false }],
    prefixes: k === 0 ? { ipv4: ["192.0.2.0/24"], ipv6: hosts } : { ipv4: [], ipv6: [] },
  });
  return { resolved: { ...base, rules: ids.map(one) }, ids };
}

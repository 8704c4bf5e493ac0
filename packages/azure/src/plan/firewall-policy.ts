/**
 * planFirewallPolicy: the resolved rules as an Azure Firewall Policy rule collection group (and the policy
 * itself when it is created), with the coverage it can honour. Pure: no ARM, no escaping.
 */
import { formatPortRange, listSome, sortBy, uniqueSorted, type CoverageEntry, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import type { ApplicationRule, FirewallPolicy, FirewallPolicyFilterRuleCollection, FirewallPolicyRuleCollectionGroup, NetworkRule, ThreatIntelMode } from "../model.js";
import { azureName, FIREWALL_LIMITS } from "../names.js";
import { chooseTagForms } from "../tags.js";
import { isParameter, type Known, type Parameter } from "../unknown.js";
import { checkResolvedRules } from "./check-rules.js";

export interface FirewallPolicyPlanOptions {
  /** `create`: the plan holds the policy; `existing`: only the group, for a policy by name. */
  readonly policy: "create" | "existing";
  readonly policyName: string;
  readonly ruleCollectionGroupName: string;
  /** 100-65000. */
  readonly groupPriority: number;
  readonly tier: "Standard" | "Premium";
  /** Regional service tags where every region has one usable by Azure Firewall. */
  readonly regionalTags: boolean;
  /** Non-wildcard FQDNs in network rules (any TCP port) instead of application rules; needs the DNS proxy. */
  readonly fqdnNetworkRules: boolean;
  /** Threat intelligence mode of a created policy. */
  readonly threatIntelMode: ThreatIntelMode;
  /** Intrusion detection (IDPS) mode of a created Premium policy; absent: no intrusion detection block. */
  readonly intrusionDetection?: ThreatIntelMode;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface FirewallPolicyPlan {
  /** Present when the plan creates the policy. */
  readonly firewallPolicy?: Known<FirewallPolicy>;
  readonly ruleCollectionGroup: Known<FirewallPolicyRuleCollectionGroup>;
  /** One entry per resolved rule, sorted by id. */
  readonly coverage: readonly CoverageEntry[];
  /** `collection/rule` → the requirement ids it serves, sorted by key. */
  readonly requirements: Readonly<Record<string, readonly string[]>>;
  /** Network rules hold FQDNs: the policy's DNS proxy must be on (set on a created policy). */
  readonly dnsProxyRequired: boolean;
}

export const NETWORK_COLLECTION = "cassandra-mi-network";
export const APPLICATION_COLLECTION = "cassandra-mi-application";
const NETWORK_COLLECTION_PRIORITY = 100;
const APPLICATION_COLLECTION_PRIORITY = 200;

/** The source of every rule when the rules were resolved without a subnet. */
export const CLUSTER_SUBNET_PARAMETER: Parameter = {
  kind: "parameter",
  name: "clusterSubnet",
  description: "The cluster's delegated subnet (CIDR): the source of every rule.",
};

type AppRule = Known<ApplicationRule>;
type NetRule = Known<NetworkRule>;

/** Why an application rule cannot carry these ports (one protocol entry per port, at most 64000), or "". */
function appPortProblem(rule: ResolvedRule): string {
  for (const r of rule.ports) {
    if (r.to > FIREWALL_LIMITS.maxAppRulePort) return `port ${formatPortRange(r)} is past ${FIREWALL_LIMITS.maxAppRulePort}, the largest port of an application rule`;
    if (r.to - r.from >= 64) return `the range ${formatPortRange(r)} is too wide for an application rule (one protocol entry per port)`;
  }
  return "";
}

function appPorts(rule: ResolvedRule): number[] {
  return rule.ports.flatMap((r) => Array.from({ length: r.to - r.from + 1 }, (_, i) => r.from + i));
}

class Collector {
  readonly appRules: AppRule[] = [];
  readonly netRules: NetRule[] = [];
  readonly coverage: CoverageEntry[] = [];
  readonly requirements: Record<string, string[]> = {};
  readonly #usedNames = new Set<string>();
  fqdnsInNetworkRules = false;

  constructor(
    readonly options: FirewallPolicyPlanOptions,
    readonly source: string | Parameter,
  ) {}

  get sourceText(): string {
    return isParameter(this.source) ? `the ${this.source.name} parameter` : this.source;
  }

  nameFor(rule: ResolvedRule, collection: string): string {
    const name = azureName(rule.id);
    if (this.#usedNames.has(`${collection}/${name.toLowerCase()}`)) throw new Error(`two firewall rules in ${collection} would share the name "${name}" (requirement ${rule.id})`);
    this.#usedNames.add(`${collection}/${name.toLowerCase()}`);
    this.requirements[`${collection}/${name}`] = [rule.id];
    return name;
  }

  addNetworkRule(rule: ResolvedRule, destination: { destinationAddresses: string[] } | { destinationFqdns: string[] }): string {
    const name = this.nameFor(rule, NETWORK_COLLECTION);
    this.netRules.push({
      ruleType: "NetworkRule",
      name,
      description: `Cassandra MI: ${rule.id}`,
      ipProtocols: ["TCP"],
      sourceAddresses: [this.source],
      ...destination,
      destinationPorts: rule.ports.map((p) => formatPortRange(p)),
    });
    return name;
  }

  addApplicationRule(rule: ResolvedRule, fqdns: string[]): string {
    const name = this.nameFor(rule, APPLICATION_COLLECTION);
    this.appRules.push({
      ruleType: "ApplicationRule",
      name,
      description: `Cassandra MI: ${rule.id}`,
      sourceAddresses: [this.source],
      protocols: appPorts(rule).map((port) => ({ protocolType: "Https", port })),
      targetFqdns: fqdns,
    });
    return name;
  }
}

const portsText = (rule: ResolvedRule): string => rule.ports.map((p) => formatPortRange(p)).join(", ");

/** Host names to application or network rules; returns false when the rule holds no name it can write. */
function planNames(c: Collector, rule: ResolvedRule): boolean {
  const concrete = uniqueSorted(rule.fqdns.map((f) => f.fqdn));
  const wild = concrete.filter((f) => f.startsWith("*."));
  const plain = concrete.filter((f) => !f.startsWith("*."));
  const portProblem = appPortProblem(rule);
  const appFit = rule.protocol === "HTTPS" && portProblem === "";
  // Names go to application rules when they can carry them, unless asked otherwise; wildcards can only go there.
  const toNetwork = appFit ? (c.options.fqdnNetworkRules && wild.length === 0 ? plain : []) : wild.length === 0 ? plain : [];
  const toApp = appFit && toNetwork.length === 0 ? concrete : [];
  const appMiss = rule.protocol === "HTTPS" ? portProblem : `protocol ${rule.protocol} is not HTTP(S)`;
  if (toApp.length > 0) {
    const name = c.addApplicationRule(rule, toApp);
    c.coverage.push({ ruleId: rule.id, status: "enforced", how: `application rule ${APPLICATION_COLLECTION}/${name}: Https ${portsText(rule)} to ${listSome(toApp)}, from ${c.sourceText}`, why: "" });
    return true;
  }
  if (toNetwork.length === 0) return false;
  c.fqdnsInNetworkRules = true;
  const name = c.addNetworkRule(rule, { destinationFqdns: toNetwork });
  // Azure Firewall DNS settings: FQDN filtering in network rules needs DNS proxy and clients that resolve through the firewall.
  const dns = `${c.options.policy === "create" ? "DNS proxy enabled on the policy" : "needs DNS proxy enabled on the existing policy"}; the cluster's virtual network must use the firewall as its DNS server`;
  const not = appFit ? "" : `; not an application rule: ${appMiss}`;
  c.coverage.push({ ruleId: rule.id, status: "enforced", how: `network rule ${NETWORK_COLLECTION}/${name}: TCP ${portsText(rule)} to ${listSome(toNetwork)} (${dns}), from ${c.sourceText}${not}`, why: "" });
  return true;
}

/** A service tag or the prefixes as the destination of a network rule; or why none can be written. */
function planAddresses(c: Collector, rule: ResolvedRule): void {
  const concrete = uniqueSorted(rule.fqdns.map((f) => f.fqdn));
  const appMiss = rule.protocol === "HTTPS" ? appPortProblem(rule) : `protocol ${rule.protocol} is not HTTP(S)`;
  const fqdnGap = [...rule.unresolvedFqdns, ...concrete];
  const notes: string[] = [];
  let destinations: string[] = [];
  let what = "";
  let broader = false;
  for (const tag of rule.serviceTags) {
    const choice = chooseTagForms(tag, "FW", c.options.regionalTags);
    if (choice.note) notes.push(choice.note);
    if (choice.scope === "none") continue;
    destinations = [...choice.names];
    what = `service tag${choice.names.length > 1 ? "s" : ""} ${choice.names.join(", ")}`;
    broader = choice.broaderThanAsked;
    break;
  }
  if (destinations.length === 0) {
    const prefixes = [...uniqueSorted(rule.prefixes.ipv4), ...uniqueSorted(rule.prefixes.ipv6)];
    if (prefixes.length > 0) {
      destinations = prefixes;
      what = `prefixes ${listSome(prefixes)}`;
    }
  }
  if (destinations.length === 0) {
    const reason =
      rule.unresolvedFqdns.length > 0
        ? `its host names hold {region} (${listSome(rule.unresolvedFqdns)}) and no region was given; resolve the rules for the cluster's regions`
        : concrete.length > 0
          ? `its host names (${listSome(concrete)}) hold a wildcard, which network rules do not accept, and cannot be an application rule: ${appMiss}`
          : "no destination of this requirement can be written in a firewall policy";
    c.coverage.push({ ruleId: rule.id, status: "unsupported", how: "no firewall rule", why: `Not written: ${reason}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}.` });
    return;
  }
  const name = c.addNetworkRule(rule, { destinationAddresses: destinations });
  const reasons: string[] = [];
  if (fqdnGap.length > 0) {
    const cause = rule.unresolvedFqdns.length > 0 ? "no region given for {region}" : `wildcards need an application rule, and ${appMiss}`;
    reasons.push(`The host names (${listSome(fqdnGap)}) could not be written (${cause}); the ${what} stands in for them and admits more addresses.`);
  }
  if (broader) reasons.push(`The requirement asks for the regional forms of the tag; the broader global tag is written (${notes.join("; ")}).`);
  c.coverage.push({
    ruleId: rule.id,
    status: reasons.length > 0 ? "approximated" : "enforced",
    how: `network rule ${NETWORK_COLLECTION}/${name}: TCP ${portsText(rule)} to ${what}, from ${c.sourceText}${notes.length > 0 && !broader ? `; ${notes.join("; ")}` : ""}`,
    why: reasons.join(" "),
  });
}

/** What the policy does besides the rules: threat intelligence, intrusion detection; what everything else meets. */
function policyProtection(options: FirewallPolicyPlanOptions): string {
  if (options.policy === "existing") return "the existing policy's own threat intelligence and intrusion detection apply; traffic no rule allows is denied";
  const idps = options.tier === "Premium" && options.intrusionDetection ? `intrusion detection ${options.intrusionDetection}` : "no intrusion detection (Premium only)";
  return `policy: threat intelligence ${options.threatIntelMode}, ${idps}; traffic no rule allows is denied`;
}

/** Azure Firewall limits: 20,000 unique source/destinations in network rules, 2 MB of rules per rule collection group. */
function checkLimits(netRules: readonly NetRule[], ruleCollections: readonly Known<FirewallPolicyFilterRuleCollection>[]): void {
  const pairs = netRules.reduce((n, r) => n + (r.sourceAddresses?.length ?? 0) * ((r.destinationAddresses?.length ?? 0) + (r.destinationFqdns?.length ?? 0)), 0);
  if (pairs > FIREWALL_LIMITS.maxNetworkRulePairs)
    throw new RangeError(`the network rules would hold ${pairs} unique source/destinations; Azure Firewall allows at most 20,000 (use service tags or fewer prefixes)`);
  const bytes = new TextEncoder().encode(JSON.stringify(ruleCollections, (_k, v: unknown) => (isParameter(v) ? `{${v.name}}` : v))).length;
  if (bytes > FIREWALL_LIMITS.maxGroupBytes) throw new RangeError(`the rule collection group would hold ${bytes} bytes of rules; Azure Firewall allows at most 2 MB per group (use fewer host names or prefixes)`);
}

/**
 * Application rules (`Https` on each port) for host names, network rules (TCP) for service tags and
 * prefixes, FQDNs in network rules only when asked (`fqdnNetworkRules`, which needs the DNS proxy), every
 * rule from the cluster subnet (or the `clusterSubnet` parameter); internal ports are unsupported (that
 * traffic does not cross the firewall). A created policy has the given threat intelligence mode and, on
 * Premium, the intrusion detection mode. Throws a ResolvedRulesError on a value no policy may hold, a
 * RangeError before an Azure Firewall limit would be crossed.
 */
export function planFirewallPolicy(resolved: ResolvedRules, options: FirewallPolicyPlanOptions): FirewallPolicyPlan {
  checkResolvedRules(resolved);
  const c = new Collector(options, resolved.subnet ? resolved.subnet.cidr : CLUSTER_SUBNET_PARAMETER);
  for (const rule of sortBy(resolved.rules, (r) => r.id)) {
    if (rule.kind === "internal") {
      c.coverage.push({
        ruleId: rule.id,
        status: "unsupported",
        how: "no firewall rule",
        why: "Internal traffic between the cluster's nodes (and peered networks) stays inside the virtual network and does not cross the firewall; allow it in the subnet's NSG (emitter nsg).",
      });
      continue;
    }
    if (!planNames(c, rule)) planAddresses(c, rule);
  }
  const ruleCollections = (
    [
      [NETWORK_COLLECTION, NETWORK_COLLECTION_PRIORITY, c.netRules],
      [APPLICATION_COLLECTION, APPLICATION_COLLECTION_PRIORITY, c.appRules],
    ] as const
  )
    .filter(([, , rules]) => rules.length > 0)
    .map(
      ([name, priority, rules]): Known<FirewallPolicyFilterRuleCollection> => ({
        ruleCollectionType: "FirewallPolicyFilterRuleCollection",
        name,
        priority,
        action: { type: "Allow" },
        rules: sortBy<AppRule | NetRule>(rules, (r) => r.name),
      }),
    );
  checkLimits(c.netRules, ruleCollections);
  const requirements: Record<string, readonly string[]> = {};
  for (const k of Object.keys(c.requirements).sort()) requirements[k] = c.requirements[k] as string[];
  const tags = options.tags ? { tags: { ...options.tags } } : {};
  const firewallPolicy: Known<FirewallPolicy> = {
    name: options.policyName,
    ...tags,
    properties: {
      sku: { tier: options.tier },
      threatIntelMode: options.threatIntelMode,
      ...(options.tier === "Premium" && options.intrusionDetection ? { intrusionDetection: { mode: options.intrusionDetection } } : {}),
      ...(c.fqdnsInNetworkRules ? { dnsSettings: { enableProxy: true, requireProxyForNetworkRules: true } } : {}),
    },
  };
  return {
    ...(options.policy === "create" ? { firewallPolicy } : {}),
    ruleCollectionGroup: { firewallPolicyName: options.policyName, name: options.ruleCollectionGroupName, properties: { priority: options.groupPriority, ruleCollections } },
    coverage: sortBy(c.coverage, (x) => x.ruleId).map((e) => (e.status === "unsupported" ? e : { ...e, how: `${e.how}; ${policyProtection(options)}` })),
    requirements,
    dnsProxyRequired: c.fqdnsInNetworkRules,
  };
}

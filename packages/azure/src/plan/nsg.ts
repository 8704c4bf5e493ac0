/**
 * planNsg: the resolved rules as one network security group for the cluster's delegated subnet, with the
 * coverage it can honour. Pure: no ARM, no escaping; a renderer writes the result.
 */
import {
  allocatePriorities,
  formatPortRange,
  listSome,
  mergePortRanges,
  sortBy,
  uniqueSorted,
  type CoverageEntry,
  type CoverageStatus,
  type PortRange,
  type ResolvedRule,
  type ResolvedRules,
} from "@cassandra-mi-netrules/core";
import { defaultSecurityRules, type NetworkSecurityGroup, type SecurityRule, type SecurityRuleDirection } from "../model.js";
import { AZURE_NAME_PATTERN, azureName, NSG_LIMITS } from "../names.js";
import { chooseTagForms } from "../tags.js";
import type { Known } from "../unknown.js";
import { checkResolvedRules } from "./check-rules.js";

export interface NsgPlanOptions {
  readonly nsgName: string;
  /** Regional service tags (`Storage.EastUS`) where every region has one usable in an NSG. */
  readonly regionalTags: boolean;
  /** Where internal ports are allowed: the cluster subnet (needs one) or `VirtualNetwork`. */
  readonly internalScope: "subnet" | "vnet";
  /** A final rule (4096) that denies every other outbound flow to `Internet`, overriding Azure's `AllowInternetOutBound`. */
  readonly denyInternetOutbound: boolean;
  /** Requirements named only by host names are allowed to `Internet` on their ports, for a firewall behind the NSG to narrow. */
  readonly hostNamesViaFirewall: boolean;
  readonly priorityStart: number;
  readonly priorityStep: number;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface NsgPlan {
  readonly networkSecurityGroup: Known<NetworkSecurityGroup>;
  /** One entry per resolved rule, sorted by id. */
  readonly coverage: readonly CoverageEntry[];
  /** Security rule name → the requirement ids it serves (empty for the deny rule), in rule order. */
  readonly requirements: Readonly<Record<string, readonly string[]>>;
}

/** The name of the final deny rule (on by default). */
export const NSG_DENY_RULE_NAME = "cassandra-deny-internet-out";
/** The name of the allow to `Internet` for requirements named only by host names (`hostNamesViaFirewall`). */
export const NSG_VIA_FIREWALL_RULE_NAME = "cassandra-out-internet-via-firewall";

/** What the NSG does with the traffic no rule of this template names, in Azure's default rules' terms. */
const OTHER_OUTBOUND = `every other outbound flow to Internet is denied by ${NSG_DENY_RULE_NAME} (4096)`;
const NO_DENY_WHY =
  "Without the final deny (denyInternetOutbound false), Azure's default rule AllowInternetOutBound (65001) lets every other outbound flow to Internet out: the NSG opens this requirement but restricts nothing.";
const OTHER_INTERNAL = "other traffic in the virtual network: Azure's defaults AllowVnetInBound/AllowVnetOutBound (65000)";

interface Planned {
  key: string;
  name: string;
  direction: SecurityRuleDirection;
  access: "Allow" | "Deny";
  protocol: "Tcp" | "*";
  source: string;
  /** One service tag / `VirtualNetwork` / `Internet`, or a list of CIDRs. */
  destination: string | readonly string[];
  ports: PortRange[] | "*";
  ids: Set<string>;
  order: number;
  what: string;
  priority?: number;
}

interface Claim {
  rule: ResolvedRule;
  keys: string[];
  status: CoverageStatus;
  note: string;
  why: string;
}

function portsText(ports: PortRange[] | "*"): string {
  return ports === "*" ? "any port" : `TCP ${ports.map((p) => formatPortRange(p)).join(", ")}`;
}

function fqdnsOf(rule: ResolvedRule): string[] {
  return uniqueSorted([...rule.fqdns.map((f) => f.fqdn), ...rule.unresolvedFqdns]);
}

/** Collects the security rules; requirements that share a destination share one rule. */
class NsgRules {
  readonly planned = new Map<string, Planned>();

  add(p: Omit<Planned, "ids">, ruleId: string): string {
    const existing = this.planned.get(p.key);
    if (existing) {
      existing.ids.add(ruleId);
      existing.order = Math.min(existing.order, p.order);
      if (existing.ports !== "*" && p.ports !== "*") existing.ports = mergePortRanges([...existing.ports, ...p.ports]);
    } else this.planned.set(p.key, { ...p, ids: new Set([ruleId]) });
    return p.key;
  }
}

interface Context {
  readonly resolved: ResolvedRules;
  readonly options: NsgPlanOptions;
  readonly outboundSource: string;
  readonly rules: NsgRules;
}

function planInternal(c: Context, rule: ResolvedRule, internalAddress: string): Claim {
  const keys = (["Inbound", "Outbound"] as const).map((direction) =>
    c.rules.add(
      {
        key: `internal:${direction}`,
        name: direction === "Inbound" ? "cassandra-internal-in" : "cassandra-internal-out",
        direction,
        access: "Allow",
        protocol: "Tcp",
        source: internalAddress,
        destination: internalAddress,
        ports: [...rule.ports],
        order: rule.order,
        what: `within ${internalAddress}`,
      },
      rule.id,
    ),
  );
  return { rule, keys, status: "enforced", note: "", why: "" };
}

function planPrefixes(c: Context, rule: ResolvedRule): string[] {
  const keys: string[] = [];
  for (const [family, list] of [
    ["ipv4", rule.prefixes.ipv4],
    ["ipv6", rule.prefixes.ipv6],
  ] as const) {
    if (list.length === 0) continue;
    const subnet = c.resolved.subnet;
    const familyOfSubnet = subnet ? (subnet.family === 4 ? "ipv4" : "ipv6") : undefined;
    // An NSG rule cannot mix IPv4 and IPv6 addresses, so a prefix of the other family leaves from VirtualNetwork.
    const source = familyOfSubnet && familyOfSubnet !== family ? "VirtualNetwork" : c.outboundSource;
    const sorted = uniqueSorted(list);
    keys.push(
      c.rules.add(
        {
          key: `prefixes:${family}:${source}:${sorted.join(",")}`,
          name: azureName(`cassandra-out-${rule.id}-${family}`),
          direction: "Outbound",
          access: "Allow",
          protocol: "Tcp",
          source,
          destination: sorted,
          ports: [...rule.ports],
          order: rule.order,
          what: `${family === "ipv4" ? "IPv4" : "IPv6"} prefixes ${listSome(sorted)}`,
        },
        rule.id,
      ),
    );
  }
  return keys;
}

function planOutbound(c: Context, rule: ResolvedRule): Claim {
  const fqdns = fqdnsOf(rule);
  const notes: string[] = [];
  let keys: string[] = [];
  let broader = false;
  let tagName = "";
  for (const tag of rule.serviceTags) {
    const choice = chooseTagForms(tag, "NSG", c.options.regionalTags);
    if (choice.scope === "none") {
      notes.push(choice.note);
      continue;
    }
    if (choice.note) notes.push(choice.note);
    broader = choice.broaderThanAsked;
    tagName = choice.names.join(", ");
    keys = choice.names.map((name) =>
      c.rules.add(
        {
          key: `tag:${name}`,
          name: azureName(`cassandra-out-${name.toLowerCase()}`),
          direction: "Outbound",
          access: "Allow",
          protocol: "Tcp",
          source: c.outboundSource,
          destination: name,
          ports: [...rule.ports],
          order: rule.order,
          what: `service tag ${name}`,
        },
        rule.id,
      ),
    );
    break;
  }
  if (keys.length === 0) keys = planPrefixes(c, rule);
  if (keys.length === 0 && fqdns.length > 0 && c.options.hostNamesViaFirewall) return planViaFirewall(c, rule, fqdns, notes);
  const denyNote = c.options.denyInternetOutbound
    ? ` The rule ${NSG_DENY_RULE_NAME} of this template blocks it until you do.`
    : " Meanwhile Azure's default rule AllowInternetOutBound (65001) lets it out: this NSG does not restrict it.";
  if (keys.length === 0) {
    const noTag = notes.length > 0 ? ` (${notes.join("; ")})` : "";
    const why =
      fqdns.length > 0
        ? `An NSG cannot match host names (${listSome(fqdns)}) and no service tag or address prefix usable in an NSG is documented for this requirement${noTag}; allow it with Azure Firewall application rules (emitter azure-firewall) or a network virtual appliance / proxy.${denyNote}`
        : `No destination of this requirement can be written in an NSG${noTag}; allow it with Azure Firewall or a network virtual appliance.${denyNote}`;
    return { rule, keys, status: "unsupported", note: "", why };
  }
  const reasons: string[] = [];
  if (fqdns.length > 0 && tagName)
    reasons.push(
      `An NSG cannot match host names: the service tag ${tagName} stands in for ${listSome(fqdns)} and admits every address of that service; to allow only these names use Azure Firewall application rules (emitter azure-firewall) or a network virtual appliance.`,
    );
  if (broader) reasons.push(`The requirement asks for the regional forms of the tag; the broader global tag is written (${notes.join("; ")}).`);
  if (!c.options.denyInternetOutbound) reasons.push(NO_DENY_WHY);
  return { rule, keys, status: reasons.length > 0 ? "approximated" : "enforced", note: notes.join("; "), why: reasons.join(" ") };
}

/** A requirement named only by host names: TCP on its ports to `Internet`, for the firewall behind the NSG to narrow by name. */
function planViaFirewall(c: Context, rule: ResolvedRule, fqdns: readonly string[], notes: readonly string[]): Claim {
  const key = c.rules.add(
    {
      key: "via-firewall",
      name: NSG_VIA_FIREWALL_RULE_NAME,
      direction: "Outbound",
      access: "Allow",
      protocol: "Tcp",
      source: c.outboundSource,
      destination: "Internet",
      ports: [...rule.ports],
      order: rule.order,
      what: "Internet (for the firewall to narrow to host names)",
    },
    rule.id,
  );
  const why = `An NSG cannot match host names (${listSome(fqdns)}): with hostNamesViaFirewall it allows ${portsText([...rule.ports])} to Internet, for the firewall the subnet routes through (Azure Firewall application rules, emitter azure-firewall, or a virtual appliance) to narrow to these names; without such a firewall this rule admits every Internet address on these ports.`;
  return { rule, keys: [key], status: "approximated", note: notes.join("; "), why };
}

/** Priorities per direction, in requirement order; throws before a priority passes 4096 or the NSG passes Azure's limits. */
function assignPriorities(all: Planned[], options: NsgPlanOptions): void {
  if (all.length > NSG_LIMITS.maxRules)
    throw new RangeError(`the NSG would hold ${all.length} security rules; Azure allows at most ${NSG_LIMITS.maxRules} per NSG (use fewer regions or global tags)`);
  // Azure counts IP addresses and ranges (not tags) given as destinations in one NSG: at most 4,000.
  const addresses = all.reduce((n, p) => n + (typeof p.destination === "string" ? (p.destination.includes("/") ? 1 : 0) : p.destination.length), 0);
  if (addresses > NSG_LIMITS.maxAddresses)
    throw new RangeError(`the NSG would hold ${addresses} destination addresses and ranges; Azure allows at most 4,000 per NSG (use service tags or fewer prefixes)`);
  for (const direction of ["Inbound", "Outbound"] as const) {
    const group = sortBy(
      all.filter((p) => p.direction === direction && p.priority === undefined),
      (p) => p.order,
      (p) => p.name,
    );
    const max = options.denyInternetOutbound && direction === "Outbound" ? NSG_LIMITS.maxPriority - 1 : NSG_LIMITS.maxPriority;
    const priorities = allocatePriorities(group.length, { start: options.priorityStart, step: options.priorityStep, min: NSG_LIMITS.minPriority, max });
    group.forEach((p, i) => (p.priority = priorities[i]));
  }
  const names = new Map<string, string>();
  for (const p of all) {
    const clash = names.get(p.name.toLowerCase());
    if (clash !== undefined) throw new Error(`two NSG rules would share the name "${p.name}" (${clash} and ${p.key})`);
    names.set(p.name.toLowerCase(), p.key);
    if (!AZURE_NAME_PATTERN.test(p.name)) throw new Error(`NSG rule name ${JSON.stringify(p.name)} is not a valid Azure name`);
  }
}

/** Within Azure's 140 characters as written and in NFC, the form HCL (so Terraform) turns every string into. */
function fitsDescription(text: string): boolean {
  return Math.max(text.length, text.normalize("NFC").length) <= NSG_LIMITS.maxDescriptionLength;
}

function securityRule(p: Planned): Known<SecurityRule> {
  const ids = uniqueSorted(p.ids);
  const desc = ids.length > 0 ? `Cassandra MI: ${ids.join(", ")}` : `Cassandra MI: ${p.what}`;
  const destination = typeof p.destination === "string" ? { destinationAddressPrefix: p.destination } : { destinationAddressPrefixes: [...p.destination] };
  const ports =
    p.ports === "*"
      ? { destinationPortRange: "*" }
      : p.ports.length === 1
        ? { destinationPortRange: formatPortRange(p.ports[0] as PortRange) }
        : { destinationPortRanges: p.ports.map((r) => formatPortRange(r)) };
  return {
    name: p.name,
    properties: {
      description: fitsDescription(desc) ? desc : `Cassandra MI: ${ids.length} requirements, see the template metadata`,
      priority: p.priority as number,
      direction: p.direction,
      access: p.access,
      protocol: p.protocol,
      sourceAddressPrefix: p.source,
      sourcePortRange: "*",
      ...destination,
      ...ports,
    },
  };
}

function coverageOf(claims: readonly Claim[], byKey: ReadonlyMap<string, Planned>, denyInternetOutbound: boolean): CoverageEntry[] {
  return sortBy(claims, (c) => c.rule.id).map((c) => {
    if (c.keys.length === 0) return { ruleId: c.rule.id, status: c.status, how: "no NSG rule", why: c.why };
    const used = c.keys.map((k) => byKey.get(k) as Planned);
    const rulesText = used.map((p) => `${p.name} (${p.direction}, priority ${p.priority})`).join(", ");
    const first = used[0] as Planned;
    if (c.rule.kind === "internal") {
      return { ruleId: c.rule.id, status: c.status, how: `NSG rules ${rulesText}: ${portsText([...c.rule.ports])} ${first.what}, both directions; ${OTHER_INTERNAL}`, why: c.why };
    }
    const rest = denyInternetOutbound ? `; ${OTHER_OUTBOUND}` : "";
    const how = `NSG rule${used.length > 1 ? "s" : ""} ${rulesText}: ${used.map((p) => p.what).join(", ")}, ${portsText([...c.rule.ports])}, from ${first.source}${c.note ? `; ${c.note}` : ""}${rest}`;
    return { ruleId: c.rule.id, status: c.status, how, why: c.why };
  });
}

/**
 * One NSG: outbound allows (TCP) from the subnet (or `VirtualNetwork`) to one service tag per rule, or to
 * the requirement's prefixes (one rule per address family); with `hostNamesViaFirewall`, one allow to
 * `Internet` on the ports of the requirements named only by host names; internal ports in both directions
 * within the subnet or `VirtualNetwork`; with `denyInternetOutbound`, a final deny of `*` to `Internet` at
 * 4096, ahead of Azure's AllowInternetOutBound (65001). Azure's other defaults stay: AllowVnetOutBound
 * (65000) and the inbound ones (DenyAllInBound already refuses what comes from outside the virtual
 * network). Priorities per direction from `priorityStart` in steps of `priorityStep`, in requirement
 * order. Throws a ResolvedRulesError on a value no NSG may hold, a RangeError (or PriorityRangeError)
 * before an Azure limit would be crossed.
 */
export function planNsg(resolved: ResolvedRules, options: NsgPlanOptions): NsgPlan {
  checkResolvedRules(resolved);
  const subnet = resolved.subnet?.cidr;
  if (options.internalScope === "subnet" && !subnet) throw new Error('planNsg: internalScope "subnet" needs resolved rules with a subnet');
  const c: Context = { resolved, options, outboundSource: subnet ?? "VirtualNetwork", rules: new NsgRules() };
  const internalAddress = options.internalScope === "subnet" && subnet ? subnet : "VirtualNetwork";
  const claims = sortBy(resolved.rules, (r) => r.order, (r) => r.id).map((rule) => (rule.kind === "internal" ? planInternal(c, rule, internalAddress) : planOutbound(c, rule)));
  if (options.denyInternetOutbound) {
    c.rules.planned.set("deny:internet", {
      key: "deny:internet",
      name: NSG_DENY_RULE_NAME,
      direction: "Outbound",
      access: "Deny",
      protocol: "*",
      source: "*",
      destination: "Internet",
      ports: "*",
      ids: new Set(),
      order: Number.MAX_SAFE_INTEGER,
      what: "deny other outbound traffic to Internet",
      priority: NSG_LIMITS.maxPriority,
    });
  }
  const all = [...c.rules.planned.values()];
  assignPriorities(all, options);
  const ordered = sortBy(all, (p) => (p.direction === "Inbound" ? 0 : 1), (p) => p.priority ?? 0);
  const requirements: Record<string, readonly string[]> = {};
  for (const p of ordered) requirements[p.name] = uniqueSorted(p.ids);
  return {
    networkSecurityGroup: {
      name: options.nsgName,
      ...(options.tags ? { tags: { ...options.tags } } : {}),
      properties: { securityRules: ordered.map(securityRule), defaultSecurityRules: defaultSecurityRules() as Known<SecurityRule>[] },
    },
    coverage: coverageOf(claims, new Map(all.map((p) => [p.key, p])), options.denyInternetOutbound),
    requirements,
  };
}

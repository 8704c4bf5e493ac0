/**
 * Which places of the input are audited as the cluster subnet, and which NSG, route table and firewall
 * lie on their paths. With subnets in the input: the subnet with the cluster's prefix (or delegated to
 * Cassandra, or the only one); without: each NSG (or route table, or firewall) is taken as the cluster
 * subnet's, and the report says so.
 */
import { parseCidr, type ResolvedRules } from "@cassandra-mi-netrules/core";
import type { AzureNetwork, NetworkSecurityGroup, RouteTable, Subnet } from "../model.js";
import { isUnknown } from "../unknown.js";
import { AddressSet, prefixSet } from "./address-set.js";
import { compileClassic, compilePolicy, type CompiledFirewall } from "./firewall.js";
import { compileNsg, nsgName, type CompiledNsg } from "./nsg.js";
import { refName, resolveRef } from "./refs.js";
import type { SubjectReport } from "./report.js";
import { describeUnknown } from "./terms.js";

export interface Subject {
  readonly name: string;
  readonly kind: SubjectReport["kind"];
  readonly subnet?: Subnet;
  /** The subnet's prefixes as the input gives them (undefined: not given or not known). */
  readonly subnetPrefixes?: readonly string[];
  readonly nsg?: CompiledNsg;
  /** The subnet names an NSG that cannot be evaluated (its reference is not known, or it is not in the input). */
  readonly nsgUnknown?: string;
  readonly routeTable?: RouteTable;
  readonly routeTableName?: string;
  readonly routeTableUnknown?: string;
  /** Whether routes are evaluated (the input holds the subnet or its route table). */
  readonly routesInInput: boolean;
  readonly firewall?: CompiledFirewall;
  readonly firewallUnknown?: string;
  /** Without subnets and route tables: the firewall is taken to be on the outbound path. */
  readonly firewallAssumed: boolean;
  readonly notes: readonly string[];
}

/** A subject whose NSG is not compiled yet: the stream compiles each as it comes, so the compiled rules of thousands of NSGs are never alive at once. */
export type SubjectPlan = Omit<Subject, "nsg"> & { readonly nsgSource?: NetworkSecurityGroup };

export function compileSubject(plan: SubjectPlan): Subject {
  // The plan's own NSG stays on the subject (one copy of the plan, not two): its compiled rules read it anyway.
  return plan.nsgSource ? { ...plan, nsg: compileNsg(plan.nsgSource) } : plan;
}

const RESERVED_SUBNETS = new Set(["azurefirewallsubnet", "azurefirewallmanagementsubnet", "gatewaysubnet", "azurebastionsubnet", "routeserversubnet"]);
const CASSANDRA_DELEGATION = "microsoft.documentdb/cassandraclusters";

function nameOf(v: unknown, fallback: string): string {
  return typeof v === "string" ? v : fallback;
}

export function subnetPrefixes(s: Subnet): string[] | undefined {
  const list = [s.properties.addressPrefix, ...(s.properties.addressPrefixes ?? [])].filter((p) => p !== undefined);
  if (list.length === 0 || list.some((p) => isUnknown(p))) return undefined;
  return list as string[];
}

function holdsSubnet(s: Subnet, cidr: string): boolean {
  const prefixes = subnetPrefixes(s);
  if (!prefixes) return false;
  try {
    const target = prefixSet([cidr]);
    return prefixSet(prefixes).intersect(target).equals(target);
  } catch {
    return false;
  }
}

function delegatedToCassandra(s: Subnet): boolean {
  return (s.properties.delegations ?? []).some((d) => !isUnknown(d) && !isUnknown(d.properties.serviceName) && d.properties.serviceName.toLowerCase() === CASSANDRA_DELEGATION);
}

/** The firewalls of the input: each policy (with its groups) not used only as a base, and each classic firewall without a policy. */
export function firewallsOf(network: AzureNetwork): CompiledFirewall[] {
  const names = new Map<string, string>();
  for (const p of network.firewallPolicies) if (!isUnknown(p.name)) names.set(p.name.toLowerCase(), p.name);
  for (const g of network.firewallPolicyRuleCollectionGroups) if (!isUnknown(g.firewallPolicyName)) names.set(g.firewallPolicyName.toLowerCase(), names.get(g.firewallPolicyName.toLowerCase()) ?? g.firewallPolicyName);
  const bases = new Set<string>();
  for (const p of network.firewallPolicies) if (p.properties.basePolicy) bases.add(refName(p.properties.basePolicy).name ?? "");
  const out: CompiledFirewall[] = [];
  for (const [lower, name] of [...names].sort()) {
    if (bases.has(lower)) continue;
    const policy = network.firewallPolicies.find((p) => !isUnknown(p.name) && p.name.toLowerCase() === lower);
    out.push(compilePolicy(policy, name, network));
  }
  for (const fw of network.azureFirewalls) {
    const ref = fw.properties.firewallPolicy;
    if (ref) {
      const r = refName(ref);
      if (r.name !== undefined && names.has(r.name)) continue;
      out.push({ name: nameOf(fw.name, "(firewall)"), kind: "policy", dnsProxy: "maybe", rules: [], gaps: [r.name ? `firewall policy ${r.name} of firewall ${nameOf(fw.name, "")} is not in the input` : `the firewall policy of ${nameOf(fw.name, "the firewall")} is not known: ${r.reason}`] });
      continue;
    }
    out.push(compileClassic(fw, network));
  }
  return out;
}

function pickFirewall(firewalls: readonly CompiledFirewall[]): { firewall?: CompiledFirewall; firewallUnknown?: string } {
  if (firewalls.length === 1) return { firewall: firewalls[0] as CompiledFirewall };
  if (firewalls.length > 1) return { firewallUnknown: `the input holds ${firewalls.length} firewalls (${firewalls.map((f) => f.name).join(", ")}); which one the route's next hop is, is not known` };
  return {};
}

function subnetSubject(s: Subnet, network: AzureNetwork, firewalls: readonly CompiledFirewall[], notes: string[]): SubjectPlan {
  const name = `${nameOf(s.virtualNetworkName, "(vnet)")}/${nameOf(s.name, "(subnet)")}`;
  const own: string[] = [...notes];
  let nsgSource: NetworkSecurityGroup | undefined;
  let nsgUnknown: string | undefined;
  const nsgRef = s.properties.networkSecurityGroup;
  if (nsgRef) {
    const r = resolveRef<NetworkSecurityGroup>(nsgRef, network.networkSecurityGroups, "network security group");
    if (r.found) nsgSource = r.found;
    else nsgUnknown = `subnet ${name}: ${r.reason}`;
  } else own.push(`subnet ${name} has no network security group: its traffic is not filtered by one`);
  let routeTable: RouteTable | undefined;
  let routeTableName: string | undefined;
  let routeTableUnknown: string | undefined;
  const rtRef = s.properties.routeTable;
  if (rtRef) {
    const r = resolveRef<RouteTable>(rtRef, network.routeTables, "route table");
    if (r.found) {
      routeTable = r.found;
      routeTableName = r.name;
    } else routeTableUnknown = `subnet ${name}: ${r.reason}`;
  }
  const prefixes = subnetPrefixes(s);
  return {
    name,
    kind: "subnet",
    subnet: s,
    ...(prefixes ? { subnetPrefixes: prefixes } : {}),
    ...(nsgSource ? { nsgSource } : {}),
    ...(nsgUnknown ? { nsgUnknown } : {}),
    ...(routeTable ? { routeTable, routeTableName } : {}),
    ...(routeTableUnknown ? { routeTableUnknown } : {}),
    routesInInput: true,
    ...pickFirewall(firewalls),
    firewallAssumed: false,
    notes: own,
  };
}

/** The audited subjects of a network, their NSGs not compiled yet (`compileSubject`). */
export function subjectsOf(network: AzureNetwork, resolved: ResolvedRules): SubjectPlan[] {
  const firewalls = firewallsOf(network);
  const subnets = network.subnets.filter((s) => !(typeof s.name === "string" && RESERVED_SUBNETS.has(s.name.toLowerCase())));
  if (subnets.length > 0) {
    const cidr = resolved.subnet?.cidr;
    let chosen = cidr ? subnets.filter((s) => holdsSubnet(s, cidr)) : [];
    const notes: string[] = [];
    if (chosen.length === 0) chosen = subnets.filter(delegatedToCassandra);
    if (chosen.length === 0 && subnets.length === 1) chosen = [...subnets];
    if (chosen.length === 0) {
      chosen = [...subnets];
      notes.push(`no subnet of the input is identified as the cluster's (${cidr ? `none holds ${cidr}, ` : ""}none is delegated to Microsoft.DocumentDB/cassandraClusters): each is audited; pass --subnet to choose`);
    }
    return chosen.map((s) => subnetSubject(s, network, firewalls, notes));
  }
  return detachedSubjects(network, firewalls);
}

/** Without subnets: NSGs and route tables as the cluster subnet's. */
function detachedSubjects(network: AzureNetwork, firewalls: readonly CompiledFirewall[]): SubjectPlan[] {
  const tables = network.routeTables;
  const table = tables.length === 1 ? (tables[0] as RouteTable) : undefined;
  const tableNote = tables.length > 1 ? `the input holds ${tables.length} route tables and no subnet to tell which one applies` : undefined;
  const fw = pickFirewall(firewalls);
  const base = {
    ...(table ? { routeTable: table, routeTableName: nameOf(table.name, "(route table)") } : {}),
    ...(tableNote ? { routeTableUnknown: tableNote } : {}),
    routesInInput: tables.length > 0,
    ...fw,
    firewallAssumed: tables.length === 0 && firewalls.length > 0,
  };
  const notes: string[] = [];
  if (tables.length === 0 && firewalls.length > 0) notes.push("no subnet or route table in the input: outbound traffic is taken to reach the firewall");
  if (network.networkSecurityGroups.length > 0) {
    return network.networkSecurityGroups.map((n) => {
      const name = nsgName(n);
      return { name, kind: "nsg" as const, nsgSource: n, ...base, notes: [`NSG ${name} is taken as the cluster subnet's (the input holds no subnet)`, ...notes] };
    });
  }
  if (table) return [{ name: nameOf(table.name, "(route table)"), kind: "route-table", ...base, notes: ["the route table is taken as the cluster subnet's (the input holds no subnet)", ...notes] }];
  if (tables.length > 1) return tables.map((t) => ({ ...base, name: nameOf(t.name, "(route table)"), kind: "route-table" as const, routeTable: t, routeTableName: nameOf(t.name, "(route table)"), routeTableUnknown: undefined, notes: [`route table ${nameOf(t.name, "")} is taken as the cluster subnet's (the input holds no subnet)`] })).map(({ routeTableUnknown: _u, ...s }) => s);
  if (firewalls.length > 0) return [{ name: fw.firewall?.name ?? "(firewalls)", kind: "firewall", ...base, notes }];
  return [];
}

/** The cluster subnet's addresses: the given CIDR, else the subject's prefixes; undefined when neither is known. */
export function clusterSubnet(resolved: ResolvedRules, subject: Subject): { cidrs: string[]; set: AddressSet } | undefined {
  if (resolved.subnet) return { cidrs: [resolved.subnet.cidr], set: prefixSet([resolved.subnet.cidr]) };
  if (subject.subnetPrefixes) {
    try {
      const cidrs = subject.subnetPrefixes.map((p) => parseCidr(p, false).text);
      return { cidrs, set: prefixSet(cidrs) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function unknownText(v: unknown): string | undefined {
  return isUnknown(v) ? describeUnknown(v) : undefined;
}

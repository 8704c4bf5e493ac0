/**
 * planRouteTable: user-defined routes that send the cluster's traffic to Microsoft's addresses straight
 * to the Internet next hop (on Azure's backbone), past a non-Microsoft firewall, as the page advises.
 * Two modes: the revision's service tags (and its prefixes) as route address prefixes, or the sample
 * script's prefix list exactly. Pure: no ARM, no shell.
 */
import { cidrContains, listSome, sortBy, uniqueSorted, type CoverageEntry, type CoverageStatus, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import type { Route, RouteTable } from "../model.js";
import { azureName, ROUTE_TABLE_LIMITS } from "../names.js";
import { chooseTagForms } from "../tags.js";
import type { Known } from "../unknown.js";
import { checkResolvedRules } from "./check-rules.js";

/** The sample script's list, as core's `getUdrAdvice(revision).sample` gives it. */
export interface RouteSample {
  readonly prefixes: readonly string[];
  /** Route names, `{n}` standing for the 1-based position: `msft{n}`. */
  readonly routeName: string;
  /** The sample's commit, for the coverage text. */
  readonly commit: string;
}

export interface RouteTablePlanOptions {
  readonly routeTableName: string;
  /** `service-tags`: a route per service tag and per prefix of the requirements; `sample-prefixes`: the sample's list. */
  readonly mode: "service-tags" | "sample-prefixes";
  /** Regional tags (`Storage.EastUS`) where every region has one usable in a route (service-tags mode). */
  readonly regionalTags: boolean;
  readonly disableBgpRoutePropagation: boolean;
  /** Needed in sample-prefixes mode. */
  readonly sample?: RouteSample;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface RouteTablePlan {
  readonly routeTable: Known<RouteTable>;
  /** One entry per resolved rule, sorted by id. */
  readonly coverage: readonly CoverageEntry[];
  /** Route name → the requirement ids its addresses serve, in route order. */
  readonly requirements: Readonly<Record<string, readonly string[]>>;
}

const NEXT_HOP = "Internet";
const ALL_PORTS = "next hop Internet (a route carries every port and protocol to its addresses)";
const INTERNAL_WHY =
  "Internal traffic between the cluster's nodes stays in the virtual network (system route VnetLocal) and a route cannot open or restrict ports; allow the internal ports in the subnet's NSG (emitter nsg).";

interface Planned {
  readonly name: string;
  readonly addressPrefix: string;
  readonly tag: boolean;
  readonly ids: Set<string>;
}

function fqdnsOf(rule: ResolvedRule): string[] {
  return uniqueSorted([...rule.fqdns.map((f) => f.fqdn), ...rule.unresolvedFqdns]);
}

const fqdnOnlyWhy = (fqdns: readonly string[], notes: readonly string[]): string =>
  `A route matches addresses, never host names (${listSome(fqdns)}), and no service tag or address prefix usable in a route is documented for this requirement${notes.length > 0 ? ` (${notes.join("; ")})` : ""}; allow it on your firewall, or with Azure Firewall application rules (emitter azure-firewall).`;

/** Routes keyed by address prefix; requirements that share one share the route. */
class Routes {
  readonly byPrefix = new Map<string, Planned>();

  add(name: string, addressPrefix: string, tag: boolean, ruleId: string): Planned {
    const existing = this.byPrefix.get(addressPrefix);
    if (existing) {
      existing.ids.add(ruleId);
      return existing;
    }
    const planned = { name, addressPrefix, tag, ids: new Set([ruleId]) };
    this.byPrefix.set(addressPrefix, planned);
    return planned;
  }
}

function entry(rule: ResolvedRule, status: CoverageStatus, how: string, why: string): CoverageEntry {
  return { ruleId: rule.id, status, how, why };
}

function planTagRoutes(routes: Routes, rule: ResolvedRule, options: RouteTablePlanOptions): CoverageEntry {
  const fqdns = fqdnsOf(rule);
  const notes: string[] = [];
  for (const tag of rule.serviceTags) {
    const choice = chooseTagForms(tag, "UDR", options.regionalTags);
    if (choice.note) notes.push(choice.note);
    if (choice.scope === "none") continue;
    const used = choice.names.map((name) => routes.add(azureName(`cassandra-${name.toLowerCase()}`), name, true, rule.id));
    const reasons: string[] = [];
    if (fqdns.length > 0)
      reasons.push(`A route matches addresses, not host names: the route for the service tag ${choice.names.join(", ")} sends every address of that service to the Internet next hop, the addresses of ${listSome(fqdns)} among them.`);
    if (choice.broaderThanAsked) reasons.push(`The requirement asks for the regional forms of the tag; the broader global tag is written (${notes.join("; ")}).`);
    const how = `route${used.length > 1 ? "s" : ""} ${used.map((p) => p.name).join(", ")}: service tag${used.length > 1 ? "s" : ""} ${choice.names.join(", ")}, ${ALL_PORTS}${notes.length > 0 && !choice.broaderThanAsked ? `; ${notes.join("; ")}` : ""}`;
    return entry(rule, reasons.length > 0 ? "approximated" : "enforced", how, reasons.join(" "));
  }
  const prefixes = [...uniqueSorted(rule.prefixes.ipv4), ...uniqueSorted(rule.prefixes.ipv6)];
  if (prefixes.length === 0) return entry(rule, "unsupported", "no route", fqdns.length > 0 ? fqdnOnlyWhy(fqdns, notes) : "No destination of this requirement can be written as a route.");
  const used = prefixes.map((p) => routes.add(azureName(`cassandra-${p}`), p, false, rule.id));
  const why = fqdns.length > 0 ? `A route matches addresses, not host names: the prefixes stand in for ${listSome(fqdns)}.` : "";
  return entry(rule, why ? "approximated" : "enforced", `routes ${listSome(used.map((p) => p.name))}: prefixes ${listSome(prefixes)}, ${ALL_PORTS}`, why);
}

/** The sample's routes that hold each prefix; undefined when one of them is in none. */
function holders(sample: readonly Planned[], prefixes: readonly string[]): Planned[] | undefined {
  const out = new Set<Planned>();
  for (const p of prefixes) {
    const holder = sample.find((s) => cidrContains(s.addressPrefix, p));
    if (!holder) return undefined;
    out.add(holder);
  }
  return sample.filter((s) => out.has(s));
}

function planSampleCoverage(sample: readonly Planned[], rule: ResolvedRule, family: "ipv4" | "ipv6", commit: string): CoverageEntry {
  const fqdns = fqdnsOf(rule);
  const short = commit.slice(0, 7);
  const served = (used: Planned[], what: string, broader: boolean): CoverageEntry => {
    for (const p of used) p.ids.add(rule.id);
    const why = broader ? `A route matches addresses, not host names: the sample's prefixes hold the addresses of ${what}, which stands in for ${listSome(fqdns)}.` : "";
    return entry(rule, why ? "approximated" : "enforced", `routes ${listSome(used.map((p) => p.name))} of the sample at ${short}: they hold every ${family === "ipv4" ? "IPv4" : "IPv6"} address of ${what}, ${ALL_PORTS}`, why);
  };
  const own = rule.prefixes[family];
  if (own.length > 0) {
    const used = holders(sample, own);
    if (used) return served(used, `the prefixes ${listSome([...own])}`, fqdns.length > 0);
  }
  const gaps: string[] = [];
  for (const tag of rule.serviceTags) {
    const known = tag.global.prefixes?.[family];
    if (!known || known.length === 0) {
      gaps.push(`the addresses of ${tag.global.name} are not known without a service-tags file (--service-tags)`);
      continue;
    }
    const used = holders(sample, known);
    if (used) return served(used, `the service tag ${tag.global.name}`, fqdns.length > 0);
    const outside = known.filter((p) => !sample.some((s) => cidrContains(s.addressPrefix, p)));
    gaps.push(`${outside.length} of the ${known.length} ${family === "ipv4" ? "IPv4" : "IPv6"} prefixes of ${tag.global.name} lie outside it (${listSome(outside)})`);
  }
  if (own.length > 0) gaps.push(`the prefixes ${listSome([...own])} are not all in it`);
  if (gaps.length === 0) return entry(rule, "unsupported", "no route", fqdns.length > 0 ? fqdnOnlyWhy(fqdns, []) : "No destination of this requirement can be written as a route.");
  return entry(rule, "unsupported", "no route of the sample's list is known to carry it", `The sample's list (${short}) does not cover this requirement: ${gaps.join("; ")}; use the service-tag mode, or allow it on your firewall.`);
}

function planSample(rules: readonly ResolvedRule[], sample: RouteSample, family: "ipv4" | "ipv6"): { routes: Planned[]; coverage: CoverageEntry[] } {
  const routes = sample.prefixes.map((p, i): Planned => ({ name: sample.routeName.replace("{n}", String(i + 1)), addressPrefix: p, tag: false, ids: new Set() }));
  const coverage = rules.map((rule) => (rule.kind === "internal" ? entry(rule, "unsupported", "no route", INTERNAL_WHY) : planSampleCoverage(routes, rule, family, sample.commit)));
  return { routes, coverage };
}

/** Azure's limits on one route table: 400 routes, 25 of them with a service tag. */
function checkLimits(routes: readonly Planned[]): void {
  if (routes.length > ROUTE_TABLE_LIMITS.maxRoutes)
    throw new RangeError(`the route table would hold ${routes.length} routes; Azure allows at most ${ROUTE_TABLE_LIMITS.maxRoutes} per route table (use service tags or fewer prefixes)`);
  const tagged = routes.filter((r) => r.tag).length;
  if (tagged > ROUTE_TABLE_LIMITS.maxServiceTagRoutes)
    throw new RangeError(`the route table would hold ${tagged} routes with a service tag; Azure allows at most ${ROUTE_TABLE_LIMITS.maxServiceTagRoutes} per route table (use global tags or fewer regions)`);
  const names = new Set<string>();
  for (const r of routes) {
    if (names.has(r.name.toLowerCase())) throw new Error(`two routes would share the name "${r.name}"`);
    names.add(r.name.toLowerCase());
  }
}

/**
 * The route table: in `service-tags` mode a route per service tag (the global tag, or its regional forms
 * on request) and per prefix of the resolved rules, next hop Internet, in requirement order; in
 * `sample-prefixes` mode exactly the sample's routes, in its order and with its names. Coverage: host
 * names and internal ports cannot be served by a route. Throws a ResolvedRulesError on a value no route
 * may hold, a RangeError before an Azure limit would be crossed.
 */
export function planRouteTable(resolved: ResolvedRules, options: RouteTablePlanOptions): RouteTablePlan {
  checkResolvedRules(resolved);
  const rules = sortBy(resolved.rules, (r) => r.order, (r) => r.id);
  let planned: Planned[];
  let coverage: CoverageEntry[];
  if (options.mode === "sample-prefixes") {
    if (!options.sample) throw new Error('planRouteTable: mode "sample-prefixes" needs the sample\'s prefixes');
    ({ routes: planned, coverage } = planSample(rules, options.sample, resolved.subnet?.family === 6 ? "ipv6" : "ipv4"));
  } else {
    const routes = new Routes();
    coverage = rules.map((rule) => (rule.kind === "internal" ? entry(rule, "unsupported", "no route", INTERNAL_WHY) : planTagRoutes(routes, rule, options)));
    planned = [...routes.byPrefix.values()];
  }
  checkLimits(planned);
  const requirements: Record<string, readonly string[]> = {};
  for (const p of planned) requirements[p.name] = uniqueSorted(p.ids);
  const routes = planned.map((p): Known<Route> => ({ name: p.name, properties: { addressPrefix: p.addressPrefix, nextHopType: NEXT_HOP } }));
  return {
    routeTable: {
      name: options.routeTableName,
      ...(options.tags ? { tags: { ...options.tags } } : {}),
      properties: { disableBgpRoutePropagation: options.disableBgpRoutePropagation, routes },
    },
    coverage: sortBy(coverage, (c) => c.ruleId),
    requirements,
  };
}

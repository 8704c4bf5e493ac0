/**
 * The next hop of a flow as Azure chooses it: the longest prefix among the subnet's user routes and the
 * system routes; on equal prefixes a user route wins over a system route, an explicit prefix over a
 * service-tag route, and among tag routes a regional tag, then a global tag, then AzureCloud's regional
 * and global tags. A service-tag route is a route per prefix of the tag. System routes: the virtual
 * network's address space (VnetLocal), peered networks, service endpoints of the subnet, 0.0.0.0/0 and ::/0
 * to the Internet, and the private ranges outside the virtual network to None.
 */
import { ownValue } from "@cassandra-mi-netrules/core";
import { NEXT_HOP_TYPES, type MaybeList, type NextHopType, type Route, type RouteTable, type ServiceEndpoint } from "../model.js";
import { isUnknown } from "../unknown.js";
import { AddressSet, prefixSet, PRIVATE, PUBLIC } from "./address-set.js";
import { MATCH_NOTHING } from "./region.js";
import type { PathStep } from "./report.js";
import { describeUnknown, literalSet, project, type AddressContext } from "./terms.js";
import type { WalkRule } from "./walk.js";

export type RouteOutcome = NextHopType | "VNetPeering" | "ServiceEndpoint";
const ANY_HOP: readonly RouteOutcome[] = NEXT_HOP_TYPES;

interface Entry {
  readonly step: PathStep;
  readonly outcomes: readonly RouteOutcome[];
  /** Longest first; fractional positions place routes whose length is not known. */
  readonly len: number;
  readonly rank: number;
  readonly certain: AddressSet;
  readonly possible: AddressSet;
  readonly reasons: readonly string[];
}

/** Ranks on equal prefixes: user explicit, user tag (regional, global, AzureCloud regional, AzureCloud), system. */
function tagRank(tag: string, user: boolean): number {
  const lower = tag.toLowerCase();
  const base = lower.startsWith("azurecloud") ? (lower.includes(".") ? 3 : 4) : lower.includes(".") ? 1 : 2;
  return user ? base : 6;
}

function routeStep(table: string, name: string, prefix: string, hop: string, detail?: string): PathStep {
  return { layer: "route", resource: table, rule: name, action: hop, detail: detail ?? `address prefix ${prefix}` };
}

/** Entries for one destination (a CIDR or a service tag) with its next hop(s). */
function entriesFor(prefix: string, step: PathStep, outcomes: readonly RouteOutcome[], user: boolean, ctx: AddressContext): Entry[] {
  const literal = literalSet(prefix);
  if (literal && prefix.includes("/")) {
    const len = Number(prefix.slice(prefix.lastIndexOf("/") + 1));
    const p = project({ kind: "literal", text: prefix, set: literal }, ctx);
    return [{ step, outcomes, len, rank: user ? 0 : 5, certain: p.certain, possible: p.possible, reasons: p.reasons }];
  }
  const tags = ctx.tags;
  const set = tags.tag(prefix);
  const rank = tagRank(prefix, user);
  if (!set) {
    return [{ step, outcomes, len: 200, rank, certain: AddressSet.EMPTY, possible: PUBLIC.union(tags.allAtoms), reasons: [`route prefix ${JSON.stringify(prefix)} is neither a CIDR nor a tag of the ${tags.description}`] }];
  }
  const prefixes = tags.prefixes(prefix);
  if (tags.exact && prefixes) {
    const byLength = new Map<number, string[]>();
    for (const p of [...prefixes.ipv4, ...prefixes.ipv6]) {
      const len = Number(p.slice(p.lastIndexOf("/") + 1));
      byLength.set(len, [...(byLength.get(len) ?? []), p]);
    }
    return [...byLength].map(([len, ps]) => ({ step, outcomes, len, rank, certain: prefixSet(ps), possible: prefixSet(ps), reasons: [] }));
  }
  // Without a file the tag's prefixes (and their lengths) are not known: any address may be one, at any length.
  const why = `the prefixes of ${prefix} (and their lengths) are not known without a service-tags file`;
  return [
    { step, outcomes, len: 200, rank, certain: AddressSet.EMPTY, possible: PUBLIC, reasons: [why] },
    { step, outcomes, len: 0.5, rank, certain: set, possible: set, reasons: [] },
  ];
}

function hopOf(route: Route, reasons: string[]): readonly RouteOutcome[] {
  const hop = route.properties.nextHopType;
  if (isUnknown(hop)) {
    reasons.push(describeUnknown(hop));
    return ANY_HOP;
  }
  return [hop];
}

function userEntries(table: RouteTable, tableName: string, ctx: AddressContext): Entry[] {
  const out: Entry[] = [];
  const unknownAll = (name: string, reason: string): void => {
    out.push({ step: routeStep(tableName, name, "(unknown)", "(unknown)"), outcomes: ANY_HOP, len: 300, rank: 0, certain: AddressSet.EMPTY, possible: everythingOf(ctx), reasons: [reason] });
  };
  for (const r of table.properties.routes) {
    if (isUnknown(r)) {
      unknownAll("(unknown route)", describeUnknown(r));
      continue;
    }
    const name = isUnknown(r.name) ? "(unknown name)" : r.name;
    const prefix = r.properties.addressPrefix;
    if (isUnknown(prefix)) {
      unknownAll(name, describeUnknown(prefix));
      continue;
    }
    const reasons: string[] = [];
    const outcomes = hopOf(r, reasons);
    const hopIp = r.properties.nextHopIpAddress;
    const hopText = outcomes.length === 1 ? `${outcomes[0]}${outcomes[0] === "VirtualAppliance" && hopIp !== undefined ? ` ${isUnknown(hopIp) ? "(unknown address)" : hopIp}` : ""}` : "(unknown)";
    const step = routeStep(tableName, name, prefix, hopText);
    for (const e of entriesFor(prefix, step, outcomes, true, ctx)) out.push({ ...e, certain: outcomes.length === 1 ? e.certain : AddressSet.EMPTY, reasons: [...e.reasons, ...reasons] });
  }
  return out;
}

function everythingOf(ctx: AddressContext): AddressSet {
  return PUBLIC.union(PRIVATE).union(prefixSet(["0.0.0.0/0", "::/0"])).union(ctx.tags.allAtoms).union(ctx.subnet).union(ctx.peers);
}

/** Service endpoint services and the tag whose prefixes their system routes carry. */
const ENDPOINT_TAGS: Readonly<Record<string, string>> = {
  "microsoft.storage": "Storage",
  "microsoft.storage.global": "Storage",
  "microsoft.keyvault": "AzureKeyVault",
  "microsoft.eventhub": "EventHub",
  "microsoft.servicebus": "ServiceBus",
  "microsoft.sql": "Sql",
  "microsoft.azurecosmosdb": "AzureCosmosDB",
  "microsoft.azureactivedirectory": "AzureActiveDirectory.ServiceEndpoint",
};

function endpointEntries(endpoints: MaybeList<ServiceEndpoint> | undefined, subnetName: string, ctx: AddressContext): Entry[] {
  const out: Entry[] = [];
  for (const e of endpoints ?? []) {
    if (isUnknown(e) || isUnknown(e.service)) {
      out.push({ step: routeStep(subnetName, "(service endpoint)", "(unknown)", "ServiceEndpoint"), outcomes: ["ServiceEndpoint"], len: 200, rank: 6, certain: AddressSet.EMPTY, possible: PUBLIC.union(ctx.tags.allAtoms), reasons: [describeUnknown(isUnknown(e) ? e : (e.service as never))] });
      continue;
    }
    const service = e.service.toLowerCase();
    // Own keys only: a service named `constructor` is not one of the table's.
    const tag = ownValue(ENDPOINT_TAGS, service);
    if (!tag) continue;
    const locations = (e.locations ?? []).map((l) => (isUnknown(l) ? undefined : l.replace(/\s+/g, "").toLowerCase()));
    const forms = locations.length === 0 || locations.includes("*") ? [tag] : locations.map((l) => (l === undefined ? tag : `${tag}.${l}`));
    const step = routeStep(subnetName, `service endpoint ${e.service}`, forms.join(", "), "ServiceEndpoint", `system route of the subnet's service endpoint ${e.service}`);
    for (const form of forms) {
      const entries = ctx.tags.tag(form) ? entriesFor(form, step, ["ServiceEndpoint"], false, ctx) : entriesFor(tag, step, ["ServiceEndpoint"], false, ctx).map((x) => ({ ...x, certain: AddressSet.EMPTY, reasons: [...x.reasons, `service endpoint ${e.service} in ${form}: no such tag; which of ${tag} it carries is not known`] }));
      out.push(...entries);
    }
  }
  return out;
}

export interface RouteContext {
  readonly table?: RouteTable;
  readonly tableName?: string;
  /** Why the subnet's route table is not known (its reference is an Unknown, or it is not in the input). */
  readonly tableUnknown?: string;
  readonly subnetName: string;
  readonly subnetLength?: number;
  readonly peers: ReadonlyArray<{ readonly cidr: string; readonly set: AddressSet }>;
  readonly endpoints?: MaybeList<ServiceEndpoint>;
}

/** The routes of a subject as walk rules over destinations, longest prefix first. */
export function routeWalkRules(rc: RouteContext, ctx: AddressContext): WalkRule<RouteOutcome>[] {
  const entries: Entry[] = [];
  if (rc.tableUnknown) entries.push({ step: routeStep("(route table)", "(unknown route table)", "(unknown)", "(unknown)"), outcomes: ANY_HOP, len: 300, rank: 0, certain: AddressSet.EMPTY, possible: everythingOf(ctx), reasons: [rc.tableUnknown] });
  const user = rc.table ? userEntries(rc.table, rc.tableName ?? "(route table)", ctx) : [];
  entries.push(...user);
  entries.push(...endpointEntries(rc.endpoints, rc.subnetName, ctx));
  const system = (name: string, prefix: string, hop: RouteOutcome, detail: string): void => {
    entries.push(...entriesFor(prefix, routeStep("(system routes)", name, prefix, hop, detail), [hop], false, ctx));
  };
  // The virtual network's own space: at most as long as the subnet's prefix; a user route between the two lengths may win.
  const vnet = (name: string, set: AddressSet, len: number | undefined, hop: RouteOutcome, detail: string): void => {
    const step = routeStep("(system routes)", name, detail, hop, detail);
    entries.push({ step, outcomes: [hop], len: len ?? 0.75, rank: 5, certain: set, possible: set, reasons: [] });
    if (len === undefined) return;
    for (const u of user) {
      if (u.len > 0 && u.len < len && u.possible.overlaps(set)) {
        entries.push({ ...u, len, rank: 4.5, certain: AddressSet.EMPTY, possible: u.possible.intersect(set), reasons: [...u.reasons, `${u.step.rule} (/${u.len}) wins over the virtual network's route when the address space is not longer; the address space is not in the input`] });
      }
    }
  };
  vnet("virtual network", ctx.subnet, rc.subnetLength, "VnetLocal", "the virtual network's address space");
  for (const p of rc.peers) vnet(`peering ${p.cidr}`, p.set, Number(p.cidr.slice(p.cidr.lastIndexOf("/") + 1)), "VNetPeering", `peered network ${p.cidr}`);
  system("default", "0.0.0.0/0", "Internet", "0.0.0.0/0");
  system("default", "::/0", "Internet", "::/0");
  // Azure turns these into the virtual network's route where its address space lies in them.
  for (const p of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]) {
    const set = prefixSet([p]).subtract(ctx.subnet).subtract(ctx.peers);
    const len = Number(p.slice(p.indexOf("/") + 1));
    entries.push({ step: routeStep("(system routes)", "default", p, "None", `${p} (private range outside the virtual network)`), outcomes: ["None"], len, rank: 5, certain: set, possible: set, reasons: [] });
  }
  entries.sort((a, b) => b.len - a.len || a.rank - b.rank);
  let group = 0;
  let lastKey = "";
  return entries.map((e) => {
    const key = `${e.len}:${e.rank}`;
    if (key !== lastKey) {
      group++;
      lastKey = key;
    }
    const sure = e.outcomes.length === 1 && !e.certain.isEmpty();
    return {
      step: e.step,
      outcomes: e.outcomes,
      certain: sure ? [{ dst: e.certain }] : MATCH_NOTHING,
      possible: e.possible.isEmpty() ? MATCH_NOTHING : [{ dst: e.possible }],
      reasons: e.reasons,
      group,
    };
  });
}

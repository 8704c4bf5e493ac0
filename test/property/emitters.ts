/** Every emitter under test, with a generator of valid options for a given resolved input. */
import fc from "fast-check";
import { cidrContains, getUdrAdvice, type EmitResult, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitter as firewall, type FirewallPolicyOptions } from "@cassandra-mi-netrules/emit-azure-firewall";
import { emitter as iptables, type IptablesOptions } from "@cassandra-mi-netrules/emit-iptables";
import { emitter as nftables, type NftablesOptions } from "@cassandra-mi-netrules/emit-nftables";
import { emitter as markdown, type MarkdownOptions } from "@cassandra-mi-netrules/emit-markdown";
import { emitter as nsg, type NsgOptions } from "@cassandra-mi-netrules/emit-nsg";
import { emitter as opa, type OpaOptions } from "@cassandra-mi-netrules/emit-opa";
import { emitter as routeTable, type RouteTableOptions } from "@cassandra-mi-netrules/emit-route-table";
import { emitter as terraform, type TerraformOptions } from "@cassandra-mi-netrules/emit-terraform";

export interface EmitterCase {
  readonly name: string;
  emit(resolved: ResolvedRules, options: unknown): EmitResult;
  /** Valid options for this input (never an option the emitter must refuse). */
  options(resolved: ResolvedRules): fc.Arbitrary<Record<string, unknown>>;
}

/** Azure resource names: 1-80 of letters, digits, `_ . -`, not ending in `.` or `-`. */
const azureName: fc.Arbitrary<string> = fc
  .string({ unit: fc.constantFrom(..."abcXYZ019_.-".split("")), minLength: 1, maxLength: 80 })
  .map((s) => `n${s}`.slice(0, 80).replace(/[.-]+$/, ""))
  .filter((s) => /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/.test(s));

/** Drops undefined values, so an absent option is really absent. */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined, freq: 2 });

/** NSG options: the final deny on or off; host names handed to a firewall only with the deny. */
function nsgOptions(r: ResolvedRules): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      nsgName: maybe(azureName),
      regionalTags: maybe(fc.boolean()),
      internalScope: maybe(r.subnet ? fc.constantFrom("subnet", "vnet") : fc.constant("vnet")),
      denyInternetOutbound: maybe(fc.boolean()),
      hostNamesViaFirewall: maybe(fc.boolean()),
      priorityStart: maybe(fc.oneof(fc.constantFrom(100, 1000, 3000), fc.integer({ min: 100, max: 3000 }))),
      priorityStep: maybe(fc.integer({ min: 1, max: 10 })),
    })
    .map((o) => defined(o.denyInternetOutbound === false ? { ...o, hostNamesViaFirewall: undefined } : o));
}

/** Firewall policy options: the policy's own settings only when it is created, intrusion detection only on Premium. */
function firewallOptions(): fc.Arbitrary<Record<string, unknown>> {
  const mode = maybe(fc.constantFrom("Deny", "Alert", "Off"));
  return fc
    .record({
      policy: maybe(fc.constantFrom("create", "existing")),
      policyName: maybe(azureName),
      ruleCollectionGroupName: maybe(azureName),
      groupPriority: maybe(fc.oneof(fc.constantFrom(100, 65000), fc.integer({ min: 100, max: 65000 }))),
      tier: maybe(fc.constantFrom("Standard", "Premium")),
      regionalTags: maybe(fc.boolean()),
      fqdnNetworkRules: maybe(fc.boolean()),
      threatIntelMode: mode,
      intrusionDetection: mode,
    })
    .map((o) => {
      const created = o.policy !== "existing";
      return defined({ ...o, threatIntelMode: created ? o.threatIntelMode : undefined, intrusionDetection: created && o.tier === "Premium" ? o.intrusionDetection : undefined });
    });
}

/** Route table options (without the file form, which only the route-table target has). */
function routeTableOptions(r: ResolvedRules): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      routeTable: maybe(fc.constantFrom("create", "existing")),
      routeTableName: maybe(azureName),
      // The sample's prefix list only for a revision whose page links the sample.
      mode: getUdrAdvice(r.revision.id) ? maybe(fc.constantFrom("service-tags", "sample-prefixes")) : fc.constant(undefined),
      regionalTags: maybe(fc.boolean()),
      disableBgpRoutePropagation: maybe(fc.boolean()),
    })
    .map(defined);
}

const docV4 = fc.constantFrom("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "192.0.2.128/25", "203.0.113.7/32");
const docV6 = fc.constantFrom("2001:db8::/32", "2001:db8:1::/64", "2001:db8:ffff::/48");

/** Options of the Linux packet filters (shared plan): a subnet when the input has none, peers, switches. */
function linuxOptions(r: ResolvedRules): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      mode: maybe(fc.constantFrom("nva", "host")),
      subnets: r.subnet
        ? maybe(fc.uniqueArray(fc.oneof(docV4, docV6), { minLength: 1, maxLength: 2 }))
        : fc.uniqueArray(fc.oneof(docV4, docV6), { minLength: 1, maxLength: 2 }),
      peers: maybe(fc.uniqueArray(fc.oneof(docV4, docV6), { minLength: 1, maxLength: 3 })),
      fqdns: maybe(fc.boolean()),
      regionalTags: maybe(fc.boolean()),
    })
    .map(defined)
    .filter((o) => {
      // Overlapping subnets (192.0.2.0/24 and 192.0.2.128/25) are not a valid cluster layout.
      const s = (o.subnets as string[] | undefined) ?? [];
      return !s.some((a, i) => s.some((b, j) => i !== j && cidrContains(a, b)));
    });
}

export const EMITTERS: readonly EmitterCase[] = [
  {
    name: nsg.name,
    emit: (r, o) => nsg.emit(r, o as NsgOptions),
    options: nsgOptions,
  },
  {
    name: firewall.name,
    emit: (r, o) => firewall.emit(r, o as FirewallPolicyOptions),
    options: firewallOptions,
  },
  {
    name: routeTable.name,
    emit: (r, o) => routeTable.emit(r, o as RouteTableOptions),
    options: (r) => fc.tuple(routeTableOptions(r), maybe(fc.constantFrom("both", "arm", "az"))).map(([o, form]) => defined({ ...o, form })),
  },
  {
    name: terraform.name,
    emit: (r, o) => terraform.emit(r, o as TerraformOptions),
    // The layers in any valid combination (never the firewall with the route table), each with its options.
    options: (r) =>
      fc
        .record({
          layers: maybe(fc.constantFrom<string[]>(["nsg"], ["azure-firewall"], ["route-table"], ["nsg", "azure-firewall"], ["nsg", "route-table"])),
          regionalTags: maybe(fc.boolean()),
          nsg: maybe(nsgOptions(r)),
          azureFirewall: maybe(firewallOptions()),
          routeTable: maybe(routeTableOptions(r)),
        })
        .map((o) => {
          const layers = o.layers ?? ["nsg", "azure-firewall"];
          return defined({
            ...o,
            nsg: layers.includes("nsg") ? o.nsg : undefined,
            azureFirewall: layers.includes("azure-firewall") ? o.azureFirewall : undefined,
            routeTable: layers.includes("route-table") ? o.routeTable : undefined,
          });
        }),
  },
  {
    name: iptables.name,
    emit: (r, o) => iptables.emit(r, o as IptablesOptions),
    options: linuxOptions,
  },
  {
    name: nftables.name,
    emit: (r, o) => nftables.emit(r, o as NftablesOptions),
    options: (r) =>
      fc
        .tuple(linuxOptions(r), maybe(fc.constantFrom("cassandra_mi", "cmi", "t_9", "a2345678901234567890123456789012")))
        .map(([o, table]) => defined({ ...o, table })),
  },
  {
    name: opa.name,
    emit: (r, o) => opa.emit(r, o as OpaOptions),
    options: () => fc.record({ includeTests: maybe(fc.boolean()) }).map(defined),
  },
  {
    name: markdown.name,
    emit: (r, o) => markdown.emit(r, o as MarkdownOptions),
    options: () => fc.record({ locale: maybe(fc.constantFrom("en", "fr")), dir: maybe(fc.constantFrom("", "docs", "a/b")) }).map(defined),
  },
];

export function emitterCase(name: string): EmitterCase {
  const e = EMITTERS.find((x) => x.name === name);
  if (!e) throw new Error(`no emitter named ${name} under test (have: ${EMITTERS.map((x) => x.name).join(", ")})`);
  return e;
}

/**
 * Errors an emitter may raise for valid data because a target limit would be crossed (priorities, rule
 * counts, application-rule ports): they must be RangeErrors (or the core PriorityRangeError) that say
 * which limit. Anything else thrown on valid data is a bug.
 */
export function isLimitError(e: unknown): e is Error {
  return e instanceof Error && (e instanceof RangeError || e.name === "PriorityRangeError" || /limit|at most|exceed|would pass/i.test(e.message)) && /\d/.test(e.message);
}

/** Emits, turning a limit error into a value so properties can count it. */
export function tryEmit(e: EmitterCase, r: ResolvedRules, o: unknown): { ok: true; result: EmitResult } | { ok: false; error: Error } {
  try {
    return { ok: true, result: e.emit(r, o) };
  } catch (err) {
    if (isLimitError(err)) return { ok: false, error: err };
    throw err;
  }
}

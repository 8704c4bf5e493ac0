/**
 * @cassandra-mi-netrules/emit-nsg: the rules as an ARM template of a Network Security Group for the
 * cluster's delegated subnet. Pure: resolved rules in, template text and coverage out.
 */
import {
  allocatePriorities,
  armTemplateMetadata,
  artifactStamp,
  azureName,
  AZURE_NAME_PATTERN,
  chooseTagForms,
  escapeArmString,
  escapeArmStrings,
  formatPortRange,
  listSome,
  mergePortRanges,
  sortBy,
  uniqueSorted,
  type CoverageEntry,
  type EmitResult,
  type Emitter,
  type PortRange,
  type ResolvedRule,
  type ResolvedRules,
} from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };

export const version: string = pkg.version;

export interface NsgOptions {
  /** Default value of the template's `nsgName` parameter. Default `nsg-cassandra-mi`. */
  readonly nsgName?: string;
  /** Write regional service tags (`Storage.EastUS`) where every region has one usable in an NSG. Default false. */
  readonly regionalTags?: boolean;
  /** Where internal ports are allowed: the cluster subnet (default when a subnet is given) or `VirtualNetwork`. */
  readonly internalScope?: "subnet" | "vnet";
  /** Add a final rule that denies all other outbound traffic to `Internet`. Default false. */
  readonly denyInternetOutbound?: boolean;
  /** First priority of each direction. Default 100. */
  readonly priorityStart?: number;
  /** Gap between two priorities. Default 10. */
  readonly priorityStep?: number;
}

/** What Azure accepts in one NSG. */
export const NSG_LIMITS = { minPriority: 100, maxPriority: 4096, maxRules: 1000, maxNameLength: 80, maxDescriptionLength: 140 } as const;

export const NSG_API_VERSION = "2024-05-01";
const SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const GENERATOR = "@cassandra-mi-netrules/emit-nsg";
const OPTION_KEYS = ["nsgName", "regionalTags", "internalScope", "denyInternetOutbound", "priorityStart", "priorityStep"] as const;
const DENY_RULE_NAME = "cassandra-deny-internet-out";

export class NsgOptionError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`nsg option ${field}: ${reason} (value: ${JSON.stringify(value)})`);
    this.name = "NsgOptionError";
  }
}

type Direction = "Inbound" | "Outbound";

interface Planned {
  key: string;
  name: string;
  direction: Direction;
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

interface Settled {
  readonly nsgName: string;
  readonly regionalTags: boolean;
  readonly internalScope: "subnet" | "vnet";
  readonly denyInternetOutbound: boolean;
  readonly priorityStart: number;
  readonly priorityStep: number;
}

function settle(resolved: ResolvedRules, options: NsgOptions | undefined): Settled {
  const o = options ?? {};
  for (const k of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k)) throw new NsgOptionError(k, (o as Record<string, unknown>)[k], `unknown option; known: ${OPTION_KEYS.join(", ")}`);
  }
  const nsgName = o.nsgName ?? "nsg-cassandra-mi";
  if (typeof nsgName !== "string" || !AZURE_NAME_PATTERN.test(nsgName))
    throw new NsgOptionError("nsgName", nsgName, "1-80 letters, digits, _ . -; starting with a letter or digit, ending with a letter, digit or _");
  for (const k of ["regionalTags", "denyInternetOutbound"] as const) {
    if (o[k] !== undefined && typeof o[k] !== "boolean") throw new NsgOptionError(k, o[k], "must be true or false");
  }
  if (o.internalScope !== undefined && o.internalScope !== "subnet" && o.internalScope !== "vnet")
    throw new NsgOptionError("internalScope", o.internalScope, 'must be "subnet" or "vnet"');
  const internalScope = o.internalScope ?? (resolved.subnet ? "subnet" : "vnet");
  if (internalScope === "subnet" && !resolved.subnet) throw new NsgOptionError("internalScope", internalScope, "needs a subnet; give one or choose vnet");
  const priorityStart = o.priorityStart ?? NSG_LIMITS.minPriority;
  const priorityStep = o.priorityStep ?? 10;
  if (!Number.isInteger(priorityStart) || priorityStart < NSG_LIMITS.minPriority || priorityStart > NSG_LIMITS.maxPriority)
    throw new NsgOptionError("priorityStart", priorityStart, `must be an integer from ${NSG_LIMITS.minPriority} to ${NSG_LIMITS.maxPriority}`);
  if (!Number.isInteger(priorityStep) || priorityStep < 1) throw new NsgOptionError("priorityStep", priorityStep, "must be a positive integer");
  return {
    nsgName,
    regionalTags: o.regionalTags ?? false,
    internalScope,
    denyInternetOutbound: o.denyInternetOutbound ?? false,
    priorityStart,
    priorityStep,
  };
}

function portsText(ports: PortRange[] | "*"): string {
  return ports === "*" ? "any port" : `TCP ${ports.map((p) => formatPortRange(p)).join(", ")}`;
}

function fqdnsOf(rule: ResolvedRule): string[] {
  return uniqueSorted([...rule.fqdns.map((f) => f.fqdn), ...rule.unresolvedFqdns]);
}

/** Renders the rules as an ARM template (deploymentTemplate 2019-04-01) with one NSG, apiVersion 2024-05-01. */
export function emitNsgTemplate(resolved: ResolvedRules, options?: NsgOptions): EmitResult {
  const s = settle(resolved, options);
  const subnet = resolved.subnet?.cidr;
  const outboundSource = subnet ?? "VirtualNetwork";
  const internalAddress = s.internalScope === "subnet" && subnet ? subnet : "VirtualNetwork";
  const planned = new Map<string, Planned>();
  // What each requirement got, filled in once priorities are known.
  const claims: Array<{ rule: ResolvedRule; keys: string[]; status: "enforced" | "approximated" | "unsupported"; note: string; why: string }> = [];

  const plan = (p: Omit<Planned, "ids" | "ports"> & { ports: PortRange[] | "*" }, ruleId: string): string => {
    const existing = planned.get(p.key);
    if (existing) {
      existing.ids.add(ruleId);
      existing.order = Math.min(existing.order, p.order);
      if (existing.ports !== "*" && p.ports !== "*") existing.ports = mergePortRanges([...existing.ports, ...p.ports]);
    } else planned.set(p.key, { ...p, ids: new Set([ruleId]) });
    return p.key;
  };

  for (const rule of sortBy(resolved.rules, (r) => r.order, (r) => r.id)) {
    if (rule.kind === "internal") {
      const keys = (["Inbound", "Outbound"] as const).map((direction) =>
        plan(
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
      claims.push({ rule, keys, status: "enforced", note: "", why: "" });
      continue;
    }
    const fqdns = fqdnsOf(rule);
    const notes: string[] = [];
    let keys: string[] = [];
    let broader = false;
    let tagName = "";
    for (const tag of rule.serviceTags) {
      const choice = chooseTagForms(tag, "NSG", s.regionalTags);
      if (choice.scope === "none") {
        notes.push(choice.note);
        continue;
      }
      if (choice.note) notes.push(choice.note);
      broader = choice.broaderThanAsked;
      tagName = choice.names.join(", ");
      keys = choice.names.map((name) =>
        plan(
          {
            key: `tag:${name}`,
            name: azureName(`cassandra-out-${name.toLowerCase()}`),
            direction: "Outbound",
            access: "Allow",
            protocol: "Tcp",
            source: outboundSource,
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
    if (keys.length === 0) {
      for (const [family, list] of [
        ["ipv4", rule.prefixes.ipv4],
        ["ipv6", rule.prefixes.ipv6],
      ] as const) {
        if (list.length === 0) continue;
        const familyOfSubnet = resolved.subnet ? (resolved.subnet.family === 4 ? "ipv4" : "ipv6") : undefined;
        // An NSG rule cannot mix IPv4 and IPv6 addresses, so a prefix of the other family leaves from VirtualNetwork.
        const source = familyOfSubnet && familyOfSubnet !== family ? "VirtualNetwork" : outboundSource;
        const sorted = uniqueSorted(list);
        keys.push(
          plan(
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
    }
    const denyNote = s.denyInternetOutbound ? ` The rule ${DENY_RULE_NAME} of this template blocks it until you do.` : "";
    if (keys.length === 0) {
      const noTag = notes.length > 0 ? ` (${notes.join("; ")})` : "";
      claims.push({
        rule,
        keys,
        status: "unsupported",
        note: "",
        why:
          fqdns.length > 0
            ? `An NSG cannot match host names (${listSome(fqdns)}) and no service tag or address prefix usable in an NSG is documented for this requirement${noTag}; allow it with Azure Firewall application rules (emitter azure-firewall) or a network virtual appliance / proxy.${denyNote}`
            : `No destination of this requirement can be written in an NSG${noTag}; allow it with Azure Firewall or a network virtual appliance.${denyNote}`,
      });
      continue;
    }
    const reasons: string[] = [];
    if (fqdns.length > 0 && tagName)
      reasons.push(
        `An NSG cannot match host names: the service tag ${tagName} stands in for ${listSome(fqdns)} and admits every address of that service; to allow only these names use Azure Firewall application rules (emitter azure-firewall) or a network virtual appliance.`,
      );
    if (broader) reasons.push(`The requirement asks for the regional forms of the tag; the broader global tag is written (${notes.join("; ")}).`);
    claims.push({ rule, keys, status: reasons.length > 0 ? "approximated" : "enforced", note: notes.join("; "), why: reasons.join(" ") });
  }

  if (s.denyInternetOutbound) {
    planned.set("deny:internet", {
      key: "deny:internet",
      name: DENY_RULE_NAME,
      direction: "Outbound",
      access: "Deny",
      protocol: "*",
      source: outboundSource,
      destination: "Internet",
      ports: "*",
      ids: new Set(),
      order: Number.MAX_SAFE_INTEGER,
      what: "deny other outbound traffic to Internet",
      priority: NSG_LIMITS.maxPriority,
    });
  }

  const all = [...planned.values()];
  if (all.length > NSG_LIMITS.maxRules)
    throw new RangeError(`the NSG would hold ${all.length} security rules; Azure allows at most ${NSG_LIMITS.maxRules} per NSG (use fewer regions or global tags)`);
  // Azure counts IP addresses and ranges (not tags) given as destinations in one NSG: at most 4,000.
  const addresses = all.reduce((n, p) => n + (typeof p.destination === "string" ? (p.destination.includes("/") ? 1 : 0) : p.destination.length), 0);
  if (addresses > 4000) throw new RangeError(`the NSG would hold ${addresses} destination addresses and ranges; Azure allows at most 4,000 per NSG (use service tags or fewer prefixes)`);
  for (const direction of ["Inbound", "Outbound"] as const) {
    const group = sortBy(
      all.filter((p) => p.direction === direction && p.priority === undefined),
      (p) => p.order,
      (p) => p.name,
    );
    const max = s.denyInternetOutbound && direction === "Outbound" ? NSG_LIMITS.maxPriority - 1 : NSG_LIMITS.maxPriority;
    const priorities = allocatePriorities(group.length, { start: s.priorityStart, step: s.priorityStep, min: NSG_LIMITS.minPriority, max });
    group.forEach((p, i) => (p.priority = priorities[i]));
  }
  const names = new Map<string, string>();
  for (const p of all) {
    const clash = names.get(p.name.toLowerCase());
    if (clash !== undefined) throw new Error(`two NSG rules would share the name "${p.name}" (${clash} and ${p.key})`);
    names.set(p.name.toLowerCase(), p.key);
    if (!AZURE_NAME_PATTERN.test(p.name)) throw new Error(`NSG rule name ${JSON.stringify(p.name)} is not a valid Azure name`);
  }

  const ordered = sortBy(all, (p) => (p.direction === "Inbound" ? 0 : 1), (p) => p.priority ?? 0);
  const securityRules = ordered.map((p) => {
    const ids = uniqueSorted(p.ids);
    const desc = ids.length > 0 ? `Cassandra MI: ${ids.join(", ")}` : `Cassandra MI: ${p.what}`;
    const dest = typeof p.destination === "string" ? { destinationAddressPrefix: p.destination } : { destinationAddressPrefixes: [...p.destination] };
    const ports =
      p.ports === "*"
        ? { destinationPortRange: "*" }
        : p.ports.length === 1
          ? { destinationPortRange: formatPortRange(p.ports[0] as PortRange) }
          : { destinationPortRanges: p.ports.map((r) => formatPortRange(r)) };
    return {
      name: p.name,
      properties: {
        description: desc.length <= NSG_LIMITS.maxDescriptionLength ? desc : `Cassandra MI: ${ids.length} requirements, see the template metadata`,
        priority: p.priority,
        direction: p.direction,
        access: p.access,
        protocol: p.protocol,
        sourceAddressPrefix: p.source,
        sourcePortRange: "*",
        ...dest,
        ...ports,
      },
    };
  });

  const byKey = new Map(all.map((p) => [p.key, p]));
  const coverage: CoverageEntry[] = sortBy(claims, (c) => c.rule.id).map((c) => {
    if (c.keys.length === 0) return { ruleId: c.rule.id, status: c.status, how: "no NSG rule", why: c.why };
    const used = c.keys.map((k) => byKey.get(k) as Planned);
    const rulesText = used.map((p) => `${p.name} (${p.direction}, priority ${p.priority})`).join(", ");
    const first = used[0] as Planned;
    if (c.rule.kind === "internal") {
      const how = `NSG rules ${rulesText}: ${portsText([...c.rule.ports])} ${first.what}, both directions`;
      return { ruleId: c.rule.id, status: c.status, how, why: c.why };
    }
    const how = `NSG rule${used.length > 1 ? "s" : ""} ${rulesText}: ${used.map((p) => p.what).join(", ")}, ${portsText([...c.rule.ports])}, from ${first.source}${c.note ? `; ${c.note}` : ""}`;
    return { ruleId: c.rule.id, status: c.status, how, why: c.why };
  });

  const stamp = artifactStamp(resolved, GENERATOR, version);
  const requirements: Record<string, string[]> = {};
  for (const p of ordered) requirements[p.name] = uniqueSorted(p.ids);
  const template = {
    $schema: SCHEMA,
    contentVersion: "1.0.0.0",
    metadata: armTemplateMetadata(stamp, {
      options: { ...s },
      requirements,
      unsupported: coverage.filter((c) => c.status === "unsupported").map((c) => c.ruleId),
    }),
    parameters: {
      nsgName: { type: "string", defaultValue: escapeArmString(s.nsgName), metadata: { description: "Name of the network security group." } },
      location: { type: "string", defaultValue: "[resourceGroup().location]", metadata: { description: "Azure region of the network security group." } },
    },
    resources: [
      {
        type: "Microsoft.Network/networkSecurityGroups",
        apiVersion: NSG_API_VERSION,
        name: "[parameters('nsgName')]",
        location: "[parameters('location')]",
        tags: escapeArmStrings({
          generator: `${GENERATOR} ${version}`,
          "dataset-revision": stamp.revision,
          "data-sha256": stamp.dataHash,
        }),
        properties: { securityRules: escapeArmStrings(securityRules) },
      },
    ],
    outputs: {
      nsgId: { type: "string", value: "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('nsgName'))]" },
    },
  };
  return { files: [{ path: "nsg.json", content: `${JSON.stringify(template, null, 2)}\n` }], coverage };
}

export const emitter: Emitter<NsgOptions> = {
  name: "nsg",
  description: "Network Security Group for the cluster subnet, as an ARM template (Microsoft.Network/networkSecurityGroups 2024-05-01)",
  emit: emitNsgTemplate,
};

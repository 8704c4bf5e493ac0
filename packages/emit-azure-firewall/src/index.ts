/**
 * @cassandra-mi-netrules/emit-azure-firewall: the rules as an ARM template of an Azure Firewall Policy
 * rule collection group (and, by default, the policy itself). Pure: resolved rules in, text and coverage out.
 */
import {
  armTemplateMetadata,
  artifactStamp,
  AZURE_NAME_PATTERN,
  azureName,
  chooseTagForms,
  escapeArmString,
  escapeArmStrings,
  formatPortRange,
  listSome,
  sortBy,
  uniqueSorted,
  type CoverageEntry,
  type EmitResult,
  type Emitter,
  type ResolvedRule,
  type ResolvedRules,
} from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };

export const version: string = pkg.version;

export interface FirewallPolicyOptions {
  /** `create` (default): the template creates the policy and the group; `existing`: only the group, attached to a policy by name. */
  readonly policy?: "create" | "existing";
  /** Default value of the `firewallPolicyName` parameter. Default `fwp-cassandra-mi`. */
  readonly policyName?: string;
  /** Default value of the `ruleCollectionGroupName` parameter. Default `cassandra-mi`. */
  readonly ruleCollectionGroupName?: string;
  /** Rule collection group priority, 100-65000. Default 500. */
  readonly groupPriority?: number;
  /** Policy tier when the policy is created. Default `Standard`. */
  readonly tier?: "Standard" | "Premium";
  /** Write regional service tags where every region has one usable by Azure Firewall. Default false. */
  readonly regionalTags?: boolean;
  /** Put non-wildcard FQDNs in network rules (any TCP port) instead of application rules; turns the policy's DNS proxy on. Default false. */
  readonly fqdnNetworkRules?: boolean;
}

export const FIREWALL_LIMITS = { minPriority: 100, maxPriority: 65000, maxAppRulePort: 64000, maxNameLength: 80 } as const;
export const FIREWALL_API_VERSION = "2024-05-01";
export const NETWORK_COLLECTION = "cassandra-mi-network";
export const APPLICATION_COLLECTION = "cassandra-mi-application";
const NETWORK_COLLECTION_PRIORITY = 100;
const APPLICATION_COLLECTION_PRIORITY = 200;
const SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const GENERATOR = "@cassandra-mi-netrules/emit-azure-firewall";
const OPTION_KEYS = ["policy", "policyName", "ruleCollectionGroupName", "groupPriority", "tier", "regionalTags", "fqdnNetworkRules"] as const;
const SUBNET_PARAMETER = "clusterSubnet";
const NAME_RULE = "1-80 letters, digits, _ . -; starting with a letter or digit, ending with a letter, digit or _";

export class FirewallOptionError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`azure-firewall option ${field}: ${reason} (value: ${JSON.stringify(value)})`);
    this.name = "FirewallOptionError";
  }
}

interface Settled {
  readonly policy: "create" | "existing";
  readonly policyName: string;
  readonly ruleCollectionGroupName: string;
  readonly groupPriority: number;
  readonly tier: "Standard" | "Premium";
  readonly regionalTags: boolean;
  readonly fqdnNetworkRules: boolean;
}

function settle(options: FirewallPolicyOptions | undefined): Settled {
  const o = options ?? {};
  for (const k of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k)) throw new FirewallOptionError(k, (o as Record<string, unknown>)[k], `unknown option; known: ${OPTION_KEYS.join(", ")}`);
  }
  const policy = o.policy ?? "create";
  if (policy !== "create" && policy !== "existing") throw new FirewallOptionError("policy", policy, 'must be "create" or "existing"');
  const policyName = o.policyName ?? "fwp-cassandra-mi";
  if (typeof policyName !== "string" || !AZURE_NAME_PATTERN.test(policyName)) throw new FirewallOptionError("policyName", policyName, NAME_RULE);
  const ruleCollectionGroupName = o.ruleCollectionGroupName ?? "cassandra-mi";
  if (typeof ruleCollectionGroupName !== "string" || !AZURE_NAME_PATTERN.test(ruleCollectionGroupName))
    throw new FirewallOptionError("ruleCollectionGroupName", ruleCollectionGroupName, NAME_RULE);
  const groupPriority = o.groupPriority ?? 500;
  if (!Number.isInteger(groupPriority) || groupPriority < FIREWALL_LIMITS.minPriority || groupPriority > FIREWALL_LIMITS.maxPriority)
    throw new FirewallOptionError("groupPriority", groupPriority, `must be an integer from ${FIREWALL_LIMITS.minPriority} to ${FIREWALL_LIMITS.maxPriority}`);
  const tier = o.tier ?? "Standard";
  if (tier !== "Standard" && tier !== "Premium") throw new FirewallOptionError("tier", tier, 'must be "Standard" or "Premium"');
  for (const k of ["regionalTags", "fqdnNetworkRules"] as const) {
    if (o[k] !== undefined && typeof o[k] !== "boolean") throw new FirewallOptionError(k, o[k], "must be true or false");
  }
  return { policy, policyName, ruleCollectionGroupName, groupPriority, tier, regionalTags: o.regionalTags ?? false, fqdnNetworkRules: o.fqdnNetworkRules ?? false };
}

interface AppRule {
  ruleType: "ApplicationRule";
  name: string;
  description: string;
  sourceAddresses: string[];
  protocols: Array<{ protocolType: "Https"; port: number }>;
  targetFqdns: string[];
}
interface NetRule {
  ruleType: "NetworkRule";
  name: string;
  description: string;
  ipProtocols: ["TCP"];
  sourceAddresses: string[];
  destinationAddresses?: string[];
  destinationFqdns?: string[];
  destinationPorts: string[];
}

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

/** Renders the rules as an ARM template (deploymentTemplate 2019-04-01) with a firewall policy rule collection group, apiVersion 2024-05-01. */
export function emitFirewallPolicyTemplate(resolved: ResolvedRules, options?: FirewallPolicyOptions): EmitResult {
  const s = settle(options);
  // Data strings are escaped where they are placed, so the one expression (the subnet parameter) stays live.
  const source = resolved.subnet ? escapeArmString(resolved.subnet.cidr) : `[parameters('${SUBNET_PARAMETER}')]`;
  const sourceText = resolved.subnet ? resolved.subnet.cidr : `the ${SUBNET_PARAMETER} parameter`;
  const appRules: AppRule[] = [];
  const netRules: NetRule[] = [];
  const coverage: CoverageEntry[] = [];
  const requirements: Record<string, string[]> = {};
  let fqdnsInNetworkRules = false;
  const usedNames = new Set<string>();

  const nameFor = (rule: ResolvedRule, collection: string): string => {
    const name = azureName(rule.id);
    if (usedNames.has(`${collection}/${name.toLowerCase()}`)) throw new Error(`two firewall rules in ${collection} would share the name "${name}" (requirement ${rule.id})`);
    usedNames.add(`${collection}/${name.toLowerCase()}`);
    requirements[`${collection}/${name}`] = [rule.id];
    return name;
  };
  const description = (rule: ResolvedRule): string => escapeArmString(`Cassandra MI: ${rule.id}`);
  const esc = (items: readonly string[]): string[] => items.map((i) => escapeArmString(i));
  const portsText = (rule: ResolvedRule): string => rule.ports.map((p) => formatPortRange(p)).join(", ");
  /** Adds the network rule of `rule` to `destination` (addresses and tags, or FQDNs) and returns its name. */
  const addNetworkRule = (rule: ResolvedRule, destination: Pick<NetRule, "destinationAddresses"> | Pick<NetRule, "destinationFqdns">): string => {
    const name = nameFor(rule, NETWORK_COLLECTION);
    netRules.push({
      ruleType: "NetworkRule",
      name,
      description: description(rule),
      ipProtocols: ["TCP"],
      sourceAddresses: [source],
      ...destination,
      destinationPorts: rule.ports.map((p) => formatPortRange(p)),
    });
    return name;
  };

  for (const rule of sortBy(resolved.rules, (r) => r.id)) {
    if (rule.kind === "internal") {
      coverage.push({
        ruleId: rule.id,
        status: "unsupported",
        how: "no firewall rule",
        why: "Internal traffic between the cluster's nodes (and peered networks) stays inside the virtual network and does not cross the firewall; allow it in the subnet's NSG (emitter nsg).",
      });
      continue;
    }
    const concrete = uniqueSorted(rule.fqdns.map((f) => f.fqdn));
    const wild = concrete.filter((f) => f.startsWith("*."));
    const plain = concrete.filter((f) => !f.startsWith("*."));
    const portProblem = appPortProblem(rule);
    const appFit = rule.protocol === "HTTPS" && portProblem === "";
    // Names go to application rules when they can carry them, unless asked otherwise; wildcards can only go there.
    const toNetwork = appFit ? (s.fqdnNetworkRules && wild.length === 0 ? plain : []) : wild.length === 0 ? plain : [];
    const toApp = appFit && toNetwork.length === 0 ? concrete : [];
    const appMiss = rule.protocol === "HTTPS" ? portProblem : `protocol ${rule.protocol} is not HTTP(S)`;
    if (toApp.length > 0) {
      const name = nameFor(rule, APPLICATION_COLLECTION);
      appRules.push({
        ruleType: "ApplicationRule",
        name,
        description: description(rule),
        sourceAddresses: [source],
        protocols: appPorts(rule).map((port) => ({ protocolType: "Https", port })),
        targetFqdns: esc(toApp),
      });
      coverage.push({
        ruleId: rule.id,
        status: "enforced",
        how: `application rule ${APPLICATION_COLLECTION}/${name}: Https ${portsText(rule)} to ${listSome(toApp)}, from ${sourceText}`,
        why: "",
      });
      continue;
    }
    if (toNetwork.length > 0) {
      fqdnsInNetworkRules = true;
      const name = addNetworkRule(rule, { destinationFqdns: esc(toNetwork) });
      // Azure Firewall DNS settings: FQDN filtering in network rules needs DNS proxy and clients that resolve through the firewall.
      const dns = `${s.policy === "create" ? "DNS proxy enabled on the policy" : "needs DNS proxy enabled on the existing policy"}; the cluster's virtual network must use the firewall as its DNS server`;
      const not = appFit ? "" : `; not an application rule: ${appMiss}`;
      coverage.push({ ruleId: rule.id, status: "enforced", how: `network rule ${NETWORK_COLLECTION}/${name}: TCP ${portsText(rule)} to ${listSome(toNetwork)} (${dns}), from ${sourceText}${not}`, why: "" });
      continue;
    }
    const fqdnGap = [...rule.unresolvedFqdns, ...(concrete.length > 0 ? concrete : [])];
    const notes: string[] = [];
    let destinations: string[] = [];
    let what = "";
    let broader = false;
    for (const tag of rule.serviceTags) {
      const choice = chooseTagForms(tag, "FW", s.regionalTags);
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
      coverage.push({ ruleId: rule.id, status: "unsupported", how: "no firewall rule", why: `Not written: ${reason}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}.` });
      continue;
    }
    const name = addNetworkRule(rule, { destinationAddresses: esc(destinations) });
    const reasons: string[] = [];
    if (fqdnGap.length > 0) {
      const cause = rule.unresolvedFqdns.length > 0 ? "no region given for {region}" : `wildcards need an application rule, and ${appMiss}`;
      reasons.push(`The host names (${listSome(fqdnGap)}) could not be written (${cause}); the ${what} stands in for them and admits more addresses.`);
    }
    if (broader) reasons.push(`The requirement asks for the regional forms of the tag; the broader global tag is written (${notes.join("; ")}).`);
    coverage.push({
      ruleId: rule.id,
      status: reasons.length > 0 ? "approximated" : "enforced",
      how: `network rule ${NETWORK_COLLECTION}/${name}: TCP ${portsText(rule)} to ${what}, from ${sourceText}${notes.length > 0 && !broader ? `; ${notes.join("; ")}` : ""}`,
      why: reasons.join(" "),
    });
  }

  const ruleCollections = (
    [
      [NETWORK_COLLECTION, NETWORK_COLLECTION_PRIORITY, netRules],
      [APPLICATION_COLLECTION, APPLICATION_COLLECTION_PRIORITY, appRules],
    ] as const
  )
    .filter(([, , rules]) => rules.length > 0)
    .map(([name, priority, rules]) => ({
      ruleCollectionType: "FirewallPolicyFilterRuleCollection",
      name,
      priority,
      action: { type: "Allow" },
      rules: sortBy<AppRule | NetRule>(rules, (r) => r.name),
    }));

  // Azure Firewall limits: 20,000 unique source/destinations in network rules, 2 MB of rules per rule collection group.
  const netDestinations = netRules.reduce((n, r) => n + r.sourceAddresses.length * ((r.destinationAddresses?.length ?? 0) + (r.destinationFqdns?.length ?? 0)), 0);
  if (netDestinations > 20000) throw new RangeError(`the network rules would hold ${netDestinations} unique source/destinations; Azure Firewall allows at most 20,000 (use service tags or fewer prefixes)`);
  const groupBytes = new TextEncoder().encode(JSON.stringify(ruleCollections)).length;
  if (groupBytes > 2 * 1024 * 1024) throw new RangeError(`the rule collection group would hold ${groupBytes} bytes of rules; Azure Firewall allows at most 2 MB per group (use fewer host names or prefixes)`);
  const stamp = artifactStamp(resolved, GENERATOR, version);
  const sortedCoverage = sortBy(coverage, (c) => c.ruleId);
  const sortedRequirements: Record<string, string[]> = {};
  for (const k of Object.keys(requirements).sort()) sortedRequirements[k] = requirements[k] as string[];
  const tags = escapeArmStrings({ generator: `${GENERATOR} ${version}`, "dataset-revision": stamp.revision, "data-sha256": stamp.dataHash });

  const parameters: Record<string, unknown> = {
    firewallPolicyName: {
      type: "string",
      defaultValue: escapeArmString(s.policyName),
      metadata: { description: s.policy === "create" ? "Name of the firewall policy to create." : "Name of the existing firewall policy that receives the rule collection group." },
    },
    ruleCollectionGroupName: { type: "string", defaultValue: escapeArmString(s.ruleCollectionGroupName), metadata: { description: "Name of the rule collection group." } },
  };
  if (s.policy === "create")
    parameters.location = { type: "string", defaultValue: "[resourceGroup().location]", metadata: { description: "Azure region of the firewall policy." } };
  if (!resolved.subnet)
    parameters[SUBNET_PARAMETER] = { type: "string", metadata: { description: "The cluster's delegated subnet (CIDR): the source of every rule." } };

  const policyId = "[resourceId('Microsoft.Network/firewallPolicies', parameters('firewallPolicyName'))]";
  const resources: unknown[] = [];
  if (s.policy === "create")
    resources.push({
      type: "Microsoft.Network/firewallPolicies",
      apiVersion: FIREWALL_API_VERSION,
      name: "[parameters('firewallPolicyName')]",
      location: "[parameters('location')]",
      tags,
      properties: {
        sku: { tier: s.tier },
        threatIntelMode: "Alert",
        ...(fqdnsInNetworkRules ? { dnsSettings: { enableProxy: true, requireProxyForNetworkRules: true } } : {}),
      },
    });
  resources.push({
    type: "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
    apiVersion: FIREWALL_API_VERSION,
    name: "[format('{0}/{1}', parameters('firewallPolicyName'), parameters('ruleCollectionGroupName'))]",
    ...(s.policy === "create" ? { dependsOn: [policyId] } : {}),
    properties: { priority: s.groupPriority, ruleCollections },
  });

  const template = {
    $schema: SCHEMA,
    contentVersion: "1.0.0.0",
    metadata: armTemplateMetadata(stamp, {
      options: { ...s },
      dnsProxyRequired: fqdnsInNetworkRules,
      requirements: sortedRequirements,
      unsupported: sortedCoverage.filter((c) => c.status === "unsupported").map((c) => c.ruleId),
    }),
    parameters,
    resources,
    outputs: {
      firewallPolicyId: { type: "string", value: policyId },
    },
  };
  const text = JSON.stringify(template, null, 2);
  return { files: [{ path: "firewall-policy.json", content: `${text}\n` }], coverage: sortedCoverage };
}

export const emitter: Emitter<FirewallPolicyOptions> = {
  name: "azure-firewall",
  description: "Azure Firewall Policy rule collection group (and optionally the policy), as an ARM template (Microsoft.Network/firewallPolicies 2024-05-01)",
  emit: emitFirewallPolicyTemplate,
};

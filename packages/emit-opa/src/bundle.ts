/** The fixtures that ship with the bundle (opt-in), their expected verdicts, and the synthetic document they also run against. */
import { canonicalJson, cidrContains, resolveRules, uniqueSorted, type EmittedFile, type ResolvedRule, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { buildPolicyDocument, type Flow, type PolicyDocument } from "./document.js";
import { armSecurityRule, armRuleCollectionGroup, completeConfig, toArmTemplate, toAzJson, toTerraformPlan, type ConfigSpec, type Json, type NsgRuleSpec, type PortLeaf, type RuleCollectionGroupSpec } from "./fixtures.js";
import { tableRelation } from "./tag-table.js";
import { policyNonPublic, TEST_MODULE } from "./policy.js";

export type Verdict = "open" | "partly-open" | "blocked" | "unknown" | "not-auditable";

export interface FixtureExpectation {
  readonly format: "arm" | "az" | "tfplan";
  /** Status of every requirement. */
  readonly status: Readonly<Record<string, Verdict>>;
  /** Ids the `deny` set must name (blocked, partly open or unknown), sorted. */
  readonly deny: readonly string[];
  /** Whether `warn` holds a finding (an allow wider than needed). */
  readonly warn: boolean;
}

/** One operation of a JSON Patch (RFC 6902), as OPA's `json.patch` applies it. */
export type JsonPatchOperation =
  | { readonly op: "add" | "replace"; readonly path: string; readonly value: Json }
  | { readonly op: "remove"; readonly path: string };

export interface BundleFixture {
  /** Kebab-case; also the fixture's directory name. */
  readonly name: string;
  readonly description: string;
  /** The input the audit reads (for a patch fixture, the base fixture's input with the patch applied). */
  readonly input: unknown;
  /** A fixture that ships as a patch of another one's input: the other fixture's name. */
  readonly base?: string;
  readonly patch?: readonly JsonPatchOperation[];
  readonly expect: FixtureExpectation;
  /** A document the test evaluates instead of the bundle's own. */
  readonly doc?: PolicyDocument;
}

interface FixturePlan {
  readonly name: string;
  readonly description: string;
  readonly input?: Json;
  readonly base?: string;
  readonly patch?: readonly JsonPatchOperation[];
  readonly expect: FixtureExpectation;
}

/* ---------- the synthetic document ---------- */

function syntheticRules(): ResolvedRules {
  const base = resolveRules({ regions: ["eastus", "westeurope"], subnet: "198.51.100.0/24" });
  const template = base.rules.find((r) => r.kind !== "internal") as ResolvedRule;
  const rule = (id: string, order: number, over: Partial<ResolvedRule>): ResolvedRule => ({
    ...template,
    id,
    order,
    kind: "outbound",
    protocol: "HTTPS",
    ports: [{ from: 443, to: 443 }],
    fqdns: [],
    unresolvedFqdns: [],
    serviceTags: [],
    prefixes: { ipv4: [], ipv6: [] },
    ...over,
  });
  const storage = {
    tag: "Storage",
    global: { name: "Storage", networkFeatures: null },
    regional: [
      { name: "Storage.EastUS", region: "eastus", networkFeatures: null },
      { name: "Storage.WestEurope", region: "westeurope", networkFeatures: null },
    ],
    regionsWithoutForm: [],
    regionalOnly: false,
  };
  const fq = (fqdn: string) => ({ fqdn, pattern: fqdn, wildcard: fqdn.startsWith("*.") });
  return {
    ...base,
    revision: { ...base.revision, id: "synthetic" },
    dataHash: "0".repeat(64),
    rules: [
      rule("s-fqdn-or-tag", 1, { fqdns: [fq("a.example.com"), fq("*.b.example.com")], serviceTags: [storage] }),
      rule("s-fqdn-only", 2, { fqdns: [fq("c.example.net")] }),
      rule("s-prefixes", 3, { protocol: "TCP", ports: [{ from: 8000, to: 8001 }], prefixes: { ipv4: ["192.0.2.0/24"], ipv6: ["2001:db8::/32"] } }),
      { ...rule("s-internal", 4, { protocol: "TCP", ports: [{ from: 7001, to: 7001 }] }), kind: "internal" },
      rule("s-unresolved", 5, { unresolvedFqdns: ["d-{region}.example.org"] }),
    ],
  };
}

/**
 * A small fixed document with one requirement of every shape, so the shipped tests reach every
 * branch of the policy whatever the bundle's own requirements are (a VPN bundle has no outbound one).
 */
export const SYNTHETIC_DOCUMENT: PolicyDocument = buildPolicyDocument(syntheticRules(), "synthetic", "0");

/* ---------- expectations ---------- */

type FlowRule = (f: Flow) => Verdict;

/** All flows of an alternative are needed; any alternative suffices (the best); as the policy's README states. */
function requirementStatus(flows: readonly (readonly Verdict[])[]): Verdict {
  const alts = flows.map((vs): Verdict => {
    const a = vs.filter((v) => v !== "not-auditable");
    if (a.length === 0) return "not-auditable";
    if (a.every((v) => v === "open")) return "open";
    if (a.every((v) => v === "blocked")) return "blocked";
    // A part surely open and a part surely blocked: partly open, whatever the unknown parts.
    if (a.includes("partly-open") || (a.includes("open") && a.includes("blocked"))) return "partly-open";
    return "unknown";
  });
  for (const v of ["open", "unknown", "partly-open", "blocked"] as const) if (alts.includes(v)) return v;
  return "not-auditable";
}

function expectation(doc: PolicyDocument, format: FixtureExpectation["format"], rule: FlowRule, warn: boolean): FixtureExpectation {
  const status: Record<string, Verdict> = {};
  const deny: string[] = [];
  for (const id of uniqueSorted(Object.keys(doc.requirements))) {
    const req = doc.requirements[id];
    if (!req) continue;
    const s = requirementStatus(req.alternatives.map((a) => a.flows.map((f) => (f.notAuditable ? "not-auditable" : f.unknown ? "unknown" : rule(f)))));
    status[id] = s;
    if (s === "blocked" || s === "partly-open" || s === "unknown") deny.push(id);
  }
  return { deny, format, status, warn };
}

const isInternal = (f: Flow): boolean => f.kind === "internal";
const isOpaque = (f: Flow): boolean => "opaque" in f.dst;

const isNonPublic = (prefix: string): boolean => policyNonPublic().some((block) => cidrContains(block, prefix));

/**
 * A Deny of `tag` first in the NSG: by the containment table, each flow to tags is blocked, partly open or open; to
 * prefixes no tag holds (not public), open; by name or to other prefixes, unknown.
 */
function underTagDeny(tag: string, families: PolicyDocument["families"]): FlowRule {
  return (f) => {
    if (isInternal(f)) return "open";
    if ("prefixes" in f.dst && f.dst.prefixes.every(isNonPublic)) return "open";
    if (!("tags" in f.dst)) return "unknown";
    return { yes: "blocked", no: "open", maybe: "partly-open" }[tableRelation(tag, f.dst.tags, families)] as Verdict;
  };
}

/* ---------- the fixtures ---------- */

const DENY_FIRST: RuleCollectionGroupSpec = {
  name: "deny-first",
  priority: 100,
  collections: [
    { kind: "net", name: "deny-net", priority: 100, action: "Deny", rules: [{ name: "deny-all", sources: ["*"], destinations: ["*"], ports: ["*"], ipProtocols: ["Any"] }] },
    { kind: "app", name: "deny-app", priority: 200, action: "Deny", rules: [{ name: "deny-all", sources: ["*"], fqdns: ["*"], protocols: [{ type: "Https", port: 443 }] }] },
  ],
};

/** A network Deny-all in the group of lowest priority: network rules still come before every application rule. */
const DENY_NETWORK_LAST: RuleCollectionGroupSpec = {
  name: "deny-network-last",
  priority: 65000,
  collections: [{ kind: "net", name: "deny-net", priority: 65000, action: "Deny", rules: [{ name: "deny-all", sources: ["*"], destinations: ["*"], ports: ["*"], ipProtocols: ["Any"] }] }],
};

const DENY_NSG_FIRST: readonly NsgRuleSpec[] = [
  { name: "deny-first-inbound", priority: 100, direction: "Inbound", access: "Deny", protocol: "*", sources: ["*"], destinations: ["*"], ports: ["*"] },
  { name: "deny-first-outbound", priority: 100, direction: "Outbound", access: "Deny", protocol: "Tcp", sources: ["*"], destinations: ["*"], ports: ["0-65535"] },
];

/** Adds rule collection groups to the ARM template of `spec` (and the policy resource when it has none). */
function addGroupsPatch(spec: ConfigSpec, groups: readonly RuleCollectionGroupSpec[]): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  if (spec.groups.length === 0) {
    const policy = (toArmTemplate({ nsgs: [], groups: [DENY_FIRST] }) as { resources: Json[] }).resources[0] ?? null;
    ops.push({ op: "add", path: "/resources/-", value: policy });
  }
  for (const g of groups) ops.push({ op: "add", path: "/resources/-", value: armRuleCollectionGroup(g) });
  return ops;
}

/** The ARM template of `spec` turned into that of `shadowed(spec)`: Deny rules first in every NSG, a Deny-all group first. */
function shadowedPatch(spec: ConfigSpec): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  spec.nsgs.forEach((_, i) => {
    for (const r of [...DENY_NSG_FIRST].reverse()) ops.push({ op: "add", path: `/resources/${i}/properties/securityRules/0`, value: armSecurityRule(r) });
  });
  return [...ops, ...addGroupsPatch(spec, [DENY_FIRST])];
}

/** The ARM template of `spec` without its firewall policy and rule collection groups. */
function withoutFirewallPatch(spec: ConfigSpec): JsonPatchOperation[] {
  const count = spec.groups.length === 0 ? 0 : spec.groups.length + 1;
  const ops: JsonPatchOperation[] = [];
  for (let i = spec.nsgs.length + count - 1; i >= spec.nsgs.length; i--) ops.push({ op: "remove", path: `/resources/${i}` });
  return ops;
}

function allowAll(doc: PolicyDocument): ConfigSpec {
  const src = doc.subnet ?? "VirtualNetwork";
  return {
    nsgs: [
      {
        name: "nsg-open",
        rules: [
          { name: "allow-internet-out", priority: 100, direction: "Outbound", access: "Allow", protocol: "*", sources: [src], destinations: ["Internet"], ports: ["*"] },
          { name: "allow-any-out", priority: 110, direction: "Outbound", access: "Allow", protocol: "*", sources: ["*"], destinations: ["*"], ports: ["*"] },
          { name: "allow-any-in", priority: 100, direction: "Inbound", access: "Allow", protocol: "*", sources: ["*"], destinations: ["*"], ports: ["*"] },
        ],
      },
    ],
    groups: [
      {
        name: "open",
        priority: 100,
        collections: [
          { kind: "net", name: "any-address", priority: 100, action: "Allow", rules: [{ name: "any", sources: ["*"], destinations: ["*"], ports: ["*"], ipProtocols: ["Any"] }] },
          { kind: "app", name: "any-fqdn", priority: 200, action: "Allow", rules: [{ name: "any", sources: ["*"], fqdns: ["*"], protocols: [{ type: "Https", port: 443 }] }] },
        ],
      },
    ],
  };
}

/** A firewall policy alone whose one network rule allows everything: it also covers every FQDN. */
function firewallAllowAll(doc: PolicyDocument): ConfigSpec {
  const src = doc.subnet ?? "*";
  return {
    nsgs: [],
    groups: [
      {
        name: "open-network",
        priority: 100,
        collections: [{ kind: "net", name: "any", priority: 100, action: "Allow", rules: [{ name: "any", sources: [src], destinations: ["*"], ports: ["*"], ipProtocols: ["Any"] }] }],
      },
    ],
  };
}


function denyTagRule(tag: string): NsgRuleSpec {
  return { name: `deny-${tag.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`, priority: 100, direction: "Outbound", access: "Deny", protocol: "*", sources: ["*"], destinations: [tag], ports: ["*"] };
}

function plansFor(doc: PolicyDocument, denyTags: readonly string[]): FixturePlan[] {
  const complete = completeConfig(doc);
  const tfPorts: PortLeaf[] = [];
  const empty: ConfigSpec = { nsgs: [{ name: "nsg-empty", rules: [] }], groups: [{ name: "empty", priority: 100, collections: [] }] };
  const open = allowAll(doc);
  const openFirewall = firewallAllowAll(doc);
  const networkAllows = complete.groups.some((g) => g.collections.some((c) => c.kind === "net" && c.rules.length > 0));
  const all = (v: Verdict): FlowRule => () => v;
  const hasOutbound = Object.values(doc.requirements).some((r) => r.alternatives.some((a) => a.flows.some((f) => f.kind === "outbound" && !f.notAuditable)));
  const outbound = (v: Verdict, internal: Verdict): FlowRule => (f) => (isInternal(f) ? internal : v);
  const out: FixturePlan[] = [
    { name: "arm-complete", description: "ARM template (an NSG and a firewall policy) that allows every flow", input: toArmTemplate(complete), expect: expectation(doc, "arm", all("open"), false) },
    { name: "az-complete", description: "az JSON (nsg show + rule-collection-group show) that allows every flow", input: toAzJson(complete), expect: expectation(doc, "az", all("open"), false) },
    { name: "tfplan-complete", description: "Terraform plan that allows every flow", input: toTerraformPlan(complete, (p) => tfPorts.push(p)), expect: expectation(doc, "tfplan", all("open"), false) },
    {
      name: "arm-nsg-only",
      description: "arm-complete without the firewall: the NSG and its default rules let every flow out",
      base: "arm-complete",
      patch: withoutFirewallPatch(complete),
      expect: expectation(doc, "arm", all("open"), false),
    },
    { name: "arm-allow-all", description: "allow-all rules: every flow open, and warnings", input: toArmTemplate(open), expect: expectation(doc, "arm", all("open"), true) },
    {
      name: "arm-firewall-allow-all",
      description: "a firewall policy alone with rules to *: every outbound flow open, with warnings; internal flows cross no layer of the input",
      input: toArmTemplate(openFirewall),
      // Warnings only when some outbound flow goes through the allow-all rule (a VPN-only set has none).
      expect: expectation(doc, "arm", outbound("open", "not-auditable"), hasOutbound),
    },
    {
      name: "arm-empty",
      description: "an NSG and a rule collection group without rules: the firewall denies every outbound flow; Azure's default rules let the internal ones through",
      input: toArmTemplate(empty),
      expect: expectation(doc, "arm", outbound("blocked", "open"), false),
    },
    { name: "arm-shadowed", description: "arm-complete below Deny-all rules of higher priority: every flow blocked", base: "arm-complete", patch: shadowedPatch(complete), expect: expectation(doc, "arm", all("blocked"), false) },
    {
      name: "arm-network-deny-last",
      description: "arm-complete plus a network Deny-all in the group of lowest priority: network rules come before application rules, so a flow known only by name (no paired tag) may be denied",
      base: "arm-complete",
      patch: addGroupsPatch(complete, [DENY_NETWORK_LAST]),
      expect: expectation(doc, "arm", (f) => (isInternal(f) ? "open" : isOpaque(f) ? (networkAllows ? "unknown" : "blocked") : "open"), false),
    },
    {
      name: "tfplan-narrowed",
      description: "tfplan-complete with every Allow on the wrong ports: the firewall denies every outbound flow; the NSG's default rules let the internal ones through",
      base: "tfplan-complete",
      patch: narrowedPatch(tfPorts),
      expect: expectation(doc, "tfplan", outbound("blocked", "open"), false),
    },
  ];
  for (const tag of denyTags) {
    const name = `arm-deny-${tag.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
    out.push({
      name,
      description: `the NSG of arm-complete alone, below a Deny of ${tag}: flows to tags it holds are blocked, to tags it holds in part partly open; flows known by name or prefix unknown (no addresses without a service-tags file)`,
      base: "arm-complete",
      patch: [...withoutFirewallPatch(complete), { op: "add", path: "/resources/0/properties/securityRules/0", value: armSecurityRule(denyTagRule(tag)) }],
      expect: expectation(doc, "arm", underTagDeny(tag, doc.families), false),
    });
  }
  return out;
}

function shiftPort(p: string): string {
  const [a, b] = p.split("-").map(Number);
  if (a === undefined || Number.isNaN(a)) return p;
  // Just past the original range, so nothing of it stays open.
  const to = b ?? a;
  return b === undefined ? String(to + 1) : `${to + 1}-${to + 1 + (to - a)}`;
}

/** The rules' ports moved just past where they were: replace operations on the ports the renderer reported. */
function narrowedPatch(ports: readonly PortLeaf[]): JsonPatchOperation[] {
  return ports
    .filter((p) => p.allow)
    .map((p): JsonPatchOperation => {
      const v = p.value;
      const value = typeof v === "number" ? v + 1 : typeof v === "string" ? shiftPort(v) : Array.isArray(v) ? v.map((x) => (typeof x === "string" ? shiftPort(x) : x)) : v;
      return { op: "replace", path: p.path, value };
    });
}

/* ---------- JSON Patch, as json.patch applies it (the operations above only) ---------- */

function pointer(path: string): string[] {
  return path
    .split("/")
    .slice(1)
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function applyPatch(input: Json, patch: readonly JsonPatchOperation[]): Json {
  const root = structuredClone(input);
  for (const op of patch) {
    const keys = pointer(op.path);
    const last = keys.pop();
    let at: Json = root;
    for (const k of keys) {
      const next: Json | undefined = Array.isArray(at) ? at[Number(k)] : at !== null && typeof at === "object" ? at[k] : undefined;
      if (next === undefined) throw new Error(`patch: no ${op.path}`);
      at = next;
    }
    if (last === undefined || at === null || typeof at !== "object") throw new Error(`patch: cannot ${op.op} at ${op.path}`);
    const value = op.op === "remove" ? null : structuredClone(op.value);
    if (Array.isArray(at)) {
      const i = last === "-" ? at.length : Number(last);
      if (!Number.isInteger(i) || i < 0 || i > at.length || (op.op !== "add" && i === at.length)) throw new Error(`patch: no ${op.path}`);
      if (op.op === "add") at.splice(i, 0, value);
      else if (op.op === "remove") at.splice(i, 1);
      else at[i] = value;
    } else {
      if (op.op !== "add" && !(last in at)) throw new Error(`patch: no ${op.path}`);
      if (op.op === "remove") delete at[last];
      else at[last] = value;
    }
  }
  return root;
}

function materialize(plans: readonly FixturePlan[]): BundleFixture[] {
  const byName = new Map(plans.map((p) => [p.name, p]));
  return plans.map((p): BundleFixture => {
    if (p.input !== undefined) return { name: p.name, description: p.description, input: p.input, expect: p.expect };
    const base = byName.get(p.base ?? "")?.input;
    if (base === undefined || p.patch === undefined) throw new Error(`fixture ${p.name}: no base fixture ${String(p.base)} with an input`);
    return { name: p.name, description: p.description, input: applyPatch(base, p.patch), base: p.base, patch: p.patch, expect: p.expect };
  });
}

/* ---------- what ships ---------- */

const SYNTHETIC_PREFIX = "synthetic-";

/** Pretty, key-sorted JSON with a final newline: deterministic and readable in review. */
export function jsonFile(value: unknown): string {
  return `${canonicalJson(value, 2)}\n`;
}

function fixtureFile(p: FixturePlan, document?: string): EmittedFile {
  const body: Record<string, unknown> = { description: p.description, expect: p.expect };
  if (p.input !== undefined) body.input = p.input;
  else {
    body.base = p.base;
    body.patch = p.patch;
  }
  if (document) body.document = document;
  return { path: `cassandra_mi/fixtures/${p.name}/data.json`, content: jsonFile(body) };
}

// The synthetic document is the same for every bundle: its fixtures are written once per process.
let synthetic: { fixtures: BundleFixture[]; files: EmittedFile[] } | undefined;

function syntheticShipped(): { fixtures: BundleFixture[]; files: EmittedFile[] } {
  if (synthetic === undefined) {
    const plans = plansFor(SYNTHETIC_DOCUMENT, ["AzureCloud", "Storage.WestEurope"]).map((p) => ({ ...p, name: `${SYNTHETIC_PREFIX}${p.name}`, ...(p.base ? { base: `${SYNTHETIC_PREFIX}${p.base}` } : {}) }));
    synthetic = {
      fixtures: materialize(plans).map((f) => ({ ...f, doc: SYNTHETIC_DOCUMENT })),
      files: [{ path: "cassandra_mi/synthetic/data.json", content: jsonFile(SYNTHETIC_DOCUMENT) }, ...plans.map((p) => fixtureFile(p, "synthetic"))],
    };
  }
  return synthetic;
}

/** Every shipped fixture, in a fixed order: those of the document, then those of the synthetic one. */
export function bundleFixtures(doc: PolicyDocument): BundleFixture[] {
  return [...materialize(plansFor(doc, ["AzureCloud"])), ...syntheticShipped().fixtures];
}

/**
 * The test files of the bundle: `policy/cassandra_mi/network_test.rego`, the fixtures under
 * `cassandra_mi/fixtures/<name>/data.json` and the synthetic document in `cassandra_mi/synthetic/data.json`.
 */
export function testFiles(doc: PolicyDocument): EmittedFile[] {
  return [
    { path: "policy/cassandra_mi/network_test.rego", content: TEST_MODULE },
    ...plansFor(doc, ["AzureCloud"]).map((p) => fixtureFile(p)),
    ...syntheticShipped().files,
  ];
}

/** The fixtures that ship with the bundle, their expected verdicts, and the generated `_test.rego`. */
import { canonicalJson, uniqueSorted, type EmittedFile } from "@cassandra-mi-netrules/core";
import { LAYERS_FOR, type RequirementsDocument } from "./document.js";
import {
  armRuleCollectionGroup,
  armSecurityRule,
  azSecurityRule,
  completeConfig,
  toArmTemplate,
  toAzJson,
  toTerraformPlan,
  type ConfigSpec,
  type Json,
  type NsgRuleSpec,
  type NsgSpec,
  type PortLeaf,
  type RuleCollectionGroupSpec,
} from "./fixtures.js";

export type AuditStatus = "covered" | "partly-covered" | "missing";
type Layer = "nsg" | "firewall";

export interface FixtureExpectation {
  readonly format: "arm" | "az" | "tfplan";
  /** Status of every requirement. */
  readonly status: Readonly<Record<string, AuditStatus>>;
  /** Ids reported over-broad (an allow-all rule is among those that allow them), sorted. */
  readonly overBroad: readonly string[];
  /** Ids the `deny` set must name, sorted. */
  readonly deny: readonly string[];
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
  /** A requirements document the test evaluates instead of the bundle's own. */
  readonly doc?: RequirementsDocument;
}

/** A fixture as it ships: its whole input, or a patch of another fixture's input. */
interface FixturePlan {
  readonly name: string;
  readonly description: string;
  readonly input?: Json;
  readonly base?: string;
  readonly patch?: readonly JsonPatchOperation[];
  readonly expect: FixtureExpectation;
}

/**
 * A small fixed document with one requirement of every shape, so the shipped tests reach every
 * branch of the policy whatever the bundle's own requirements are (a VPN bundle has no outbound one).
 */
export const SYNTHETIC_DOCUMENT: RequirementsDocument = {
  stamp: {
    generator: "synthetic",
    generatorVersion: "0",
    coreVersion: "0",
    revision: "synthetic",
    dataHash: "0".repeat(64),
    regions: ["eastus", "westeurope"],
    subnet: "198.51.100.0/24",
    serviceTags: "none",
  },
  subnet: "198.51.100.0/24",
  requirements: {
    "s-fqdn-or-tag": {
      kind: "outbound",
      order: 1,
      unresolvedFqdns: [],
      alternatives: [
        {
          type: "fqdn",
          label: "FQDN a.example.com, *.b.example.com",
          checks: [
            { kind: "fqdn", label: "a.example.com https/443", fqdn: "a.example.com", from: 443, to: 443 },
            { kind: "fqdn", label: "*.b.example.com https/443", fqdn: "*.b.example.com", from: 443, to: 443 },
          ],
        },
        {
          type: "serviceTag",
          label: "service tag Storage",
          checks: [
            { kind: "tag", label: "Storage or Storage.EastUS tcp/443", names: ["Storage", "Storage.EastUS"], from: 443, to: 443 },
            { kind: "tag", label: "Storage or Storage.WestEurope tcp/443", names: ["Storage", "Storage.WestEurope"], from: 443, to: 443 },
          ],
        },
      ],
    },
    "s-fqdn-only": {
      kind: "outbound",
      order: 2,
      unresolvedFqdns: [],
      alternatives: [{ type: "fqdn", label: "FQDN c.example.net", checks: [{ kind: "fqdn", label: "c.example.net https/443", fqdn: "c.example.net", from: 443, to: 443 }] }],
    },
    "s-prefixes": {
      kind: "outbound",
      order: 3,
      unresolvedFqdns: [],
      alternatives: [
        {
          type: "prefixes",
          label: "prefixes 192.0.2.0/24, 2001:db8::/32",
          checks: [
            { kind: "prefix", label: "192.0.2.0/24 tcp/8000-8001", prefix: "192.0.2.0/24", from: 8000, to: 8001 },
            { kind: "prefix", label: "2001:db8::/32 tcp/8000-8001", prefix: "2001:db8::/32", from: 8000, to: 8001 },
          ],
        },
      ],
    },
    "s-internal": {
      kind: "internal",
      order: 4,
      unresolvedFqdns: [],
      alternatives: [
        {
          type: "internal",
          label: "NSG inbound and outbound rules within the subnet",
          checks: [
            { kind: "internal", label: "inbound tcp/7001", direction: "inbound", from: 7001, to: 7001 },
            { kind: "internal", label: "outbound tcp/7001", direction: "outbound", from: 7001, to: 7001 },
          ],
        },
      ],
    },
    "s-unresolved": { kind: "outbound", order: 5, unresolvedFqdns: ["d-{region}.example.org"], alternatives: [] },
  },
};

function layersOf(spec: ConfigSpec): Set<Layer> {
  const layers = new Set<Layer>();
  if (spec.nsgs.length > 0) layers.add("nsg");
  if (spec.groups.length > 0) layers.add("firewall");
  return layers;
}

function audited(doc: RequirementsDocument, id: string, layers: Set<Layer>): boolean {
  return (doc.requirements[id]?.alternatives ?? []).some((a) => LAYERS_FOR[a.type].some((l) => layers.has(l)));
}

const idsInOrder = new WeakMap<RequirementsDocument, readonly string[]>();

function sortedIds(doc: RequirementsDocument): readonly string[] {
  let ids = idsInOrder.get(doc);
  if (ids === undefined) idsInOrder.set(doc, (ids = uniqueSorted(Object.keys(doc.requirements))));
  return ids;
}

// Which requirements each combination of layers can audit, per document.
const auditedIds = new WeakMap<RequirementsDocument, Map<string, ReadonlySet<string>>>();

function auditedBy(doc: RequirementsDocument, layers: Set<Layer>): ReadonlySet<string> {
  let perLayers = auditedIds.get(doc);
  if (perLayers === undefined) auditedIds.set(doc, (perLayers = new Map()));
  const key = [...layers].sort().join("+");
  let ids = perLayers.get(key);
  if (ids === undefined) perLayers.set(key, (ids = new Set(Object.keys(doc.requirements).filter((id) => audited(doc, id, layers)))));
  return ids;
}

function expectation(
  doc: RequirementsDocument,
  format: FixtureExpectation["format"],
  spec: ConfigSpec,
  statusOf: (id: string) => AuditStatus,
  broad: boolean,
): FixtureExpectation {
  const auditable = auditedBy(doc, layersOf(spec));
  const status: Record<string, AuditStatus> = {};
  const overBroad: string[] = [];
  const deny: string[] = [];
  // In code-unit order: the lists come out sorted, and canonicalJson has no key to sort.
  for (const id of sortedIds(doc)) {
    const isAudited = auditable.has(id);
    const s = isAudited ? statusOf(id) : "missing";
    status[id] = s;
    if (isAudited && broad && s !== "missing") overBroad.push(id);
    if (isAudited && s !== "covered") deny.push(id);
  }
  return { deny, format, overBroad, status };
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

function shadowed(spec: ConfigSpec): ConfigSpec {
  return { nsgs: spec.nsgs.map((n) => ({ ...n, rules: [...DENY_NSG_FIRST, ...n.rules] })), groups: [DENY_FIRST, ...spec.groups] };
}

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

/** The rules of NSG `index` changed from those of `from` to those of `to` (matched by name), in ARM or az JSON. */
function nsgRulesPatch(format: "arm" | "az", index: number, from: NsgSpec, to: NsgSpec): JsonPatchOperation[] {
  const at = format === "arm" ? `/resources/${index}/properties/securityRules` : `/${index}/securityRules`;
  const kept = new Set(to.rules.map((r) => r.name));
  const had = new Set(from.rules.map((r) => r.name));
  const ops: JsonPatchOperation[] = [];
  for (let j = from.rules.length - 1; j >= 0; j--) if (!kept.has(from.rules[j]?.name ?? "")) ops.push({ op: "remove", path: `${at}/${j}` });
  for (const r of to.rules) {
    if (!had.has(r.name)) ops.push({ op: "add", path: `${at}/-`, value: format === "arm" ? armSecurityRule(r) : azSecurityRule(to.name, r) });
  }
  return ops;
}

function allowAll(doc: RequirementsDocument): ConfigSpec {
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
        collections: [{ kind: "app", name: "any-fqdn", priority: 100, action: "Allow", rules: [{ name: "any", sources: ["*"], fqdns: ["*"], protocols: [{ type: "Https", port: 443 }] }] }],
      },
    ],
  };
}

/** A firewall policy alone whose one network rule allows everything: it also covers every FQDN. */
function firewallAllowAll(doc: RequirementsDocument): ConfigSpec {
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

function plansFor(doc: RequirementsDocument): FixturePlan[] {
  const complete = completeConfig(doc);
  const tfPorts: PortLeaf[] = [];
  const nsgOnly: ConfigSpec = { nsgs: completeConfig(doc, { prefixesIn: "nsg" }).nsgs, groups: [] };
  const empty: ConfigSpec = { nsgs: [{ name: "nsg-empty", rules: [] }], groups: [{ name: "empty", priority: 100, collections: [] }] };
  const denyLast: ConfigSpec = { ...complete, groups: [...complete.groups, DENY_NETWORK_LAST] };
  const open = allowAll(doc);
  const openFirewall = firewallAllowAll(doc);
  const covered = (): AuditStatus => "covered";
  const missing = (): AuditStatus => "missing";
  const notOnlyFqdn = (id: string): AuditStatus => ((doc.requirements[id]?.alternatives ?? []).some((a) => a.type !== "fqdn") ? "covered" : "missing");
  const out: FixturePlan[] = [
    { name: "arm-complete", description: "ARM template that allows every requirement", input: toArmTemplate(complete), expect: expectation(doc, "arm", complete, covered, false) },
    { name: "az-complete", description: "az JSON (nsg show + rule-collection-group show) that allows every requirement", input: toAzJson(complete), expect: expectation(doc, "az", complete, covered, false) },
    {
      name: "tfplan-complete",
      description: "Terraform plan that allows every requirement",
      input: toTerraformPlan(complete, (p) => tfPorts.push(p)),
      expect: expectation(doc, "tfplan", complete, covered, false),
    },
    {
      name: "arm-nsg-only",
      description: "arm-complete with the prefixes in the NSG and no firewall: FQDN-only requirements are not auditable, the rest is covered",
      base: "arm-complete",
      patch: [...withoutFirewallPatch(complete), ...complete.nsgs.flatMap((n, i) => (nsgOnly.nsgs[i] ? nsgRulesPatch("arm", i, n, nsgOnly.nsgs[i]) : []))],
      expect: expectation(doc, "arm", nsgOnly, covered, false),
    },
    { name: "arm-allow-all", description: "allow-all rules: everything covered, everything over-broad", input: toArmTemplate(open), expect: expectation(doc, "arm", open, covered, true) },
    {
      name: "arm-firewall-allow-all",
      description: "a firewall policy alone with one network rule to *: every FQDN, tag and prefix covered and over-broad; internal ports not auditable",
      input: toArmTemplate(openFirewall),
      expect: expectation(doc, "arm", openFirewall, covered, true),
    },
    { name: "arm-empty", description: "an NSG and a rule collection group without rules: everything missing", input: toArmTemplate(empty), expect: expectation(doc, "arm", empty, missing, false) },
    {
      name: "arm-shadowed",
      description: "arm-complete below Deny-all rules of higher priority: everything missing",
      base: "arm-complete",
      patch: shadowedPatch(complete),
      expect: expectation(doc, "arm", shadowed(complete), missing, false),
    },
    {
      name: "arm-network-deny-last",
      description: "arm-complete plus a network Deny-all in the group of lowest priority: network rules are processed before application rules, so FQDN-only requirements are missing",
      base: "arm-complete",
      patch: addGroupsPatch(complete, [DENY_NETWORK_LAST]),
      expect: expectation(doc, "arm", denyLast, notOnlyFqdn, false),
    },
    {
      name: "tfplan-narrowed",
      description: "tfplan-complete with every Allow on the wrong ports: everything missing",
      base: "tfplan-complete",
      patch: narrowedPatch(tfPorts),
      expect: expectation(doc, "tfplan", complete, missing, false),
    },
  ];
  // Partial coverage needs a tag alternative with more than one regional check.
  const multi = (id: string): boolean => {
    const req = doc.requirements[id];
    const tag = req?.alternatives.find((a) => a.type === "serviceTag");
    return tag !== undefined && tag.checks.length > 1;
  };
  if (Object.keys(doc.requirements).some(multi)) {
    const partial = completeConfig(doc, { firstRegionOnly: true });
    out.push({
      name: "az-partial",
      description: "az-complete with the service tags of the first region only: those requirements are partly covered",
      base: "az-complete",
      patch: complete.nsgs.flatMap((n, i) => (partial.nsgs[i] ? nsgRulesPatch("az", i, n, partial.nsgs[i]) : [])),
      expect: expectation(doc, "az", partial, (id) => (multi(id) ? "partly-covered" : "covered"), false),
    });
  }
  return out;
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

function syntheticPlans(): FixturePlan[] {
  return plansFor(SYNTHETIC_DOCUMENT).map((p) => ({ ...p, name: `${SYNTHETIC_PREFIX}${p.name}`, ...(p.base ? { base: `${SYNTHETIC_PREFIX}${p.base}` } : {}) }));
}

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
let synthetic: { plans: FixturePlan[]; fixtures: BundleFixture[]; files: EmittedFile[] } | undefined;

function syntheticShipped(): { plans: FixturePlan[]; fixtures: BundleFixture[]; files: EmittedFile[] } {
  if (synthetic === undefined) {
    const plans = syntheticPlans();
    synthetic = {
      plans,
      fixtures: materialize(plans).map((f) => ({ ...f, doc: SYNTHETIC_DOCUMENT })),
      files: [{ path: "cassandra_mi/synthetic/data.json", content: jsonFile(SYNTHETIC_DOCUMENT) }, ...plans.map((p) => fixtureFile(p, "synthetic"))],
    };
  }
  return synthetic;
}

/** Every shipped fixture, in a fixed order: those of the document, then those of the synthetic one. */
export function bundleFixtures(doc: RequirementsDocument): BundleFixture[] {
  return [...materialize(plansFor(doc)), ...syntheticShipped().fixtures];
}

/**
 * The test files of the bundle: `policy/cassandra_mi/network_test.rego`, the fixtures under
 * `cassandra_mi/fixtures/<name>/data.json` and the synthetic document in `cassandra_mi/synthetic/data.json`.
 */
export function testFiles(doc: RequirementsDocument): EmittedFile[] {
  const plans = plansFor(doc);
  const shipped = syntheticShipped();
  return [
    { path: "policy/cassandra_mi/network_test.rego", content: testModule([...plans, ...shipped.plans]) },
    ...plans.map((p) => fixtureFile(p)),
    ...shipped.files.map((f) => ({ path: f.path, content: f.content })),
  ];
}

function ident(name: string): string {
  return name.replace(/-/g, "_");
}

/** The `_test.rego` module: one test per fixture, plus tests of the edge cases the fixtures do not reach. */
export function testModule(fixtures: readonly { readonly name: string }[]): string {
  const lines = [
    "# METADATA",
    "# title: Tests of cassandra_mi.network on the fixtures shipped with the bundle",
    "# description: Run with opa test . (or opa test -b .) in the bundle directory.",
    "package cassandra_mi.network_test",
    "",
    "import data.cassandra_mi.network",
    "",
    "fixtures := data.cassandra_mi.fixtures",
    "",
    "# A fixture holds its input, or a JSON Patch of another fixture's input.",
    "fixture_input(f) := json.patch(fixtures[f.base].input, f.patch) if {",
    "\tf.base",
    "} else := f.input",
    "",
    "# The synthetic document, or the bundle's own.",
    "fixture_document(f) := data.cassandra_mi.synthetic if {",
    "\tf.document == \"synthetic\"",
    "} else := data.cassandra_mi.requirements",
    "",
    "expected(f) if {",
    "\tdoc := fixture_document(f)",
    "\tinp := fixture_input(f)",
    "\trep := network.report with input as inp with data.cassandra_mi.requirements as doc",
    "\trep.format == f.expect.format",
    "\tcount(rep.requirements) == count(f.expect.status)",
    "\tevery id, st in f.expect.status {",
    "\t\trep.requirements[id].status == st",
    "\t}",
    "\t{id | some id, r in rep.requirements; r.overBroad} == {id | some id in f.expect.overBroad}",
    "\t{split(m, \":\")[0] | some m in rep.deny} == {id | some id in f.expect.deny}",
    "\tcount(rep.deny) == count(f.expect.deny)",
    "}",
  ];
  for (const f of fixtures) {
    lines.push("", `test_fixture_${ident(f.name)} if expected(fixtures["${f.name}"])`);
  }
  lines.push(
    "",
    "test_unknown_input_is_denied if {",
    '\tsome m in network.deny with input as {"kind": "something else"}',
    '\tstartswith(m, "input: ")',
    '\tnetwork.report.format == "unknown" with input as {"kind": "something else"}',
    "}",
    "",
    "test_port_ranges if {",
    '\tnetwork.port_range("*") == {"from": 0, "to": 65535}',
    '\tnetwork.port_range("8000-8100") == {"from": 8000, "to": 8100}',
    '\tnetwork.port_range("443") == {"from": 443, "to": 443}',
    "}",
    "",
    "test_fqdn_wildcards if {",
    '\tnetwork.fqdn_covers("*.blob.core.windows.net", "snovapeastus.blob.core.windows.net")',
    '\tnetwork.fqdn_covers("*.core.windows.net", "*.blob.core.windows.net")',
    '\tnot network.fqdn_covers("snovapeastus.blob.core.windows.net", "*.blob.core.windows.net")',
    '\tnot network.fqdn_covers("*.blob.core.windows.net", "blob.core.windows.net")',
    "}",
    "",
    "test_bare_addresses_and_subnet if {",
    '\tnetwork.as_cidr("192.0.2.1") == "192.0.2.1/32"',
    '\tnetwork.as_cidr("2001:db8::1") == "2001:db8::1/128"',
    `\tnetwork.holds_subnet("[parameters('subnet')]", "allow") with data.cassandra_mi.requirements.subnet as null`,
    '\tnetwork.holds_subnet("192.0.2.0/24", "allow") with data.cassandra_mi.requirements.subnet as "192.0.2.0/25"',
    '\tnot network.holds_subnet("192.0.2.0/25", "allow") with data.cassandra_mi.requirements.subnet as "192.0.2.0/24"',
    '\tnetwork.holds_subnet("192.0.2.0/25", "deny") with data.cassandra_mi.requirements.subnet as "192.0.2.0/24"',
    "}",
    "",
    "test_az_single_document if {",
    '\tnetwork.format == "az" with input as {"name": "nsg-x", "securityRules": []}',
    '\tnetwork.layers == {"nsg"} with input as {"name": "nsg-x", "securityRules": []}',
    "}",
    "",
    "test_deny_overlaps_either_way if {",
    '\tnetwork.covers_cidr("10.0.0.0/8", "10.1.0.0/16", "deny")',
    '\tnetwork.covers_cidr("10.1.0.0/16", "10.0.0.0/8", "deny")',
    '\tnot network.covers_cidr("10.1.0.0/16", "10.0.0.0/8", "allow")',
    "}",
    "",
    "test_firewall_order if {",
    '\tnetwork.fw_before({"kind": "app", "g": 100, "c": 100}, {"kind": "app", "g": 100, "c": 200})',
    '\tnot network.fw_before({"kind": "app", "g": 100, "c": 200}, {"kind": "app", "g": 100, "c": 100})',
    '\tnetwork.fw_before({"kind": "net", "g": 65000, "c": 65000}, {"kind": "app", "g": 100, "c": 100})',
    '\tnot network.fw_before({"kind": "app", "g": 100, "c": 100}, {"kind": "net", "g": 65000, "c": 65000})',
    "}",
    "",
    "test_fqdn_in_network_rule if {",
    '\trule := {"kind": "net", "ip_protocols": ["tcp"], "ports": [{"from": 443, "to": 443}], "src": ["*"], "dst": [], "fqdns": ["*.b.example.com"]}',
    '\tnetwork.fw_match(rule, {"kind": "fqdn", "fqdn": "x.b.example.com", "from": 443, "to": 443}, "allow")',
    '\tnot network.fw_match(rule, {"kind": "fqdn", "fqdn": "x.c.example.com", "from": 443, "to": 443}, "allow")',
    '\tnot network.fw_match(rule, {"kind": "fqdn", "fqdn": "x.b.example.com", "from": 8443, "to": 8443}, "allow")',
    "}",
    "",
    "test_arm_child_security_rules if {",
    "\tinp := {\"resources\": [{",
    '\t\t"type": "Microsoft.Network/networkSecurityGroups/securityRules",',
    '\t\t"name": "nsg-x/r1",',
    '\t\t"properties": {"priority": 100, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "destinationAddressPrefix": "Internet", "destinationPortRange": "*"},',
    "\t}]}",
    '\tnetwork.layers == {"nsg"} with input as inp',
    "\tcount(network.nsg_rules) == 1 with input as inp",
    "}",
    "",
  );
  return lines.join("\n");
}

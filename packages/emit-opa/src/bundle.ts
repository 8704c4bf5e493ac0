/** The fixtures that ship with the bundle, their expected verdicts, and the generated `_test.rego`. */
import { LAYERS_FOR, type RequirementsDocument } from "./document.js";
import {
  completeConfig,
  toArmTemplate,
  toAzJson,
  toTerraformPlan,
  type CollectionSpec,
  type ConfigSpec,
  type NsgRuleSpec,
  type RuleCollectionGroupSpec,
} from "./fixtures.js";

export type AuditStatus = "covered" | "partly-covered" | "missing";
type Layer = "nsg" | "firewall";

export interface FixtureExpectation {
  readonly format: "arm" | "az" | "tfplan";
  /** Status of every requirement. */
  readonly status: Readonly<Record<string, AuditStatus>>;
  readonly overBroad: Readonly<Record<string, boolean>>;
  /** Ids the `deny` set must name, sorted. */
  readonly deny: readonly string[];
}

export interface BundleFixture {
  /** Kebab-case; also the fixture's directory name. */
  readonly name: string;
  readonly description: string;
  readonly input: unknown;
  readonly expect: FixtureExpectation;
  /** A requirements document the test evaluates instead of the bundle's own. */
  readonly doc?: RequirementsDocument;
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

function expectation(
  doc: RequirementsDocument,
  format: FixtureExpectation["format"],
  spec: ConfigSpec,
  statusOf: (id: string) => AuditStatus,
  broad: boolean,
): FixtureExpectation {
  const layers = layersOf(spec);
  const status: Record<string, AuditStatus> = {};
  const overBroad: Record<string, boolean> = {};
  const deny: string[] = [];
  for (const id of Object.keys(doc.requirements)) {
    const isAudited = audited(doc, id, layers);
    const s = isAudited ? statusOf(id) : "missing";
    status[id] = s;
    overBroad[id] = isAudited && broad && s !== "missing";
    if (isAudited && s !== "covered") deny.push(id);
  }
  return { format, status, overBroad, deny: deny.sort() };
}

function shiftPort(p: string): string {
  const [a, b] = p.split("-").map(Number);
  if (a === undefined || Number.isNaN(a)) return p;
  // Just past the original range, so nothing of it stays open.
  const to = b ?? a;
  return b === undefined ? String(to + 1) : `${to + 1}-${to + 1 + (to - a)}`;
}

function narrowed(spec: ConfigSpec): ConfigSpec {
  return {
    nsgs: spec.nsgs.map((n) => ({ ...n, rules: n.rules.map((r): NsgRuleSpec => (r.access === "Allow" ? { ...r, ports: r.ports.map(shiftPort) } : r)) })),
    groups: spec.groups.map((g) => ({
      ...g,
      collections: g.collections.map((c): CollectionSpec =>
        c.kind === "app"
          ? { ...c, rules: c.rules.map((r) => ({ ...r, protocols: r.protocols.map((p) => ({ ...p, port: p.port + 1 })) })) }
          : { ...c, rules: c.rules.map((r) => ({ ...r, ports: r.ports.map(shiftPort) })) },
      ),
    })),
  };
}

const DENY_FIRST: RuleCollectionGroupSpec = {
  name: "deny-first",
  priority: 100,
  collections: [
    { kind: "net", name: "deny-net", priority: 100, action: "Deny", rules: [{ name: "deny-all", sources: ["*"], destinations: ["*"], ports: ["*"], ipProtocols: ["Any"] }] },
    { kind: "app", name: "deny-app", priority: 200, action: "Deny", rules: [{ name: "deny-all", sources: ["*"], fqdns: ["*"], protocols: [{ type: "Https", port: 443 }] }] },
  ],
};

function shadowed(spec: ConfigSpec): ConfigSpec {
  const deny: NsgRuleSpec[] = [
    { name: "deny-first-inbound", priority: 100, direction: "Inbound", access: "Deny", protocol: "*", sources: ["*"], destinations: ["*"], ports: ["*"] },
    { name: "deny-first-outbound", priority: 100, direction: "Outbound", access: "Deny", protocol: "Tcp", sources: ["*"], destinations: ["*"], ports: ["0-65535"] },
  ];
  return { nsgs: spec.nsgs.map((n) => ({ ...n, rules: [...deny, ...n.rules] })), groups: [DENY_FIRST, ...spec.groups] };
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

/** Every shipped fixture, in a fixed order: those of the document, then those of the synthetic one. */
export function bundleFixtures(doc: RequirementsDocument): BundleFixture[] {
  return [...fixturesFor(doc), ...fixturesFor(SYNTHETIC_DOCUMENT).map((f) => ({ ...f, name: `synthetic-${f.name}`, doc: SYNTHETIC_DOCUMENT }))];
}

function fixturesFor(doc: RequirementsDocument): BundleFixture[] {
  const complete = completeConfig(doc);
  const nsgOnly: ConfigSpec = { nsgs: completeConfig(doc, { prefixesIn: "nsg" }).nsgs, groups: [] };
  const empty: ConfigSpec = { nsgs: [{ name: "nsg-empty", rules: [] }], groups: [{ name: "empty", priority: 100, collections: [] }] };
  const covered = (): AuditStatus => "covered";
  const missing = (): AuditStatus => "missing";
  const out: BundleFixture[] = [
    { name: "arm-complete", description: "ARM template that allows every requirement", input: toArmTemplate(complete), expect: expectation(doc, "arm", complete, covered, false) },
    { name: "az-complete", description: "az JSON (nsg show + rule-collection-group show) that allows every requirement", input: toAzJson(complete), expect: expectation(doc, "az", complete, covered, false) },
    { name: "tfplan-complete", description: "Terraform plan that allows every requirement", input: toTerraformPlan(complete), expect: expectation(doc, "tfplan", complete, covered, false) },
    { name: "arm-nsg-only", description: "NSG only: FQDN-only requirements are not auditable, the rest is covered", input: toArmTemplate(nsgOnly), expect: expectation(doc, "arm", nsgOnly, covered, false) },
    { name: "arm-allow-all", description: "allow-all rules: everything covered, everything over-broad", input: toArmTemplate(allowAll(doc)), expect: expectation(doc, "arm", allowAll(doc), covered, true) },
    { name: "arm-empty", description: "an NSG and a rule collection group without rules: everything missing", input: toArmTemplate(empty), expect: expectation(doc, "arm", empty, missing, false) },
    { name: "arm-shadowed", description: "the complete rules below Deny-all rules of higher priority: everything missing", input: toArmTemplate(shadowed(complete)), expect: expectation(doc, "arm", shadowed(complete), missing, false) },
    { name: "tfplan-narrowed", description: "the complete rules on the wrong ports: everything missing", input: toTerraformPlan(narrowed(complete)), expect: expectation(doc, "tfplan", narrowed(complete), missing, false) },
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
      description: "service tags opened for the first region only: those requirements are partly covered",
      input: toAzJson(partial),
      expect: expectation(doc, "az", partial, (id) => (multi(id) ? "partly-covered" : "covered"), false),
    });
  }
  return out;
}

function ident(name: string): string {
  return name.replace(/-/g, "_");
}

/** The `_test.rego` module: one test per fixture, plus tests of the edge cases the fixtures do not reach. */
export function testModule(fixtures: readonly BundleFixture[]): string {
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
    "expected(f) if {",
    "\tdoc := object.get(f, \"doc\", data.cassandra_mi.requirements)",
    "\trep := network.report with input as f.input with data.cassandra_mi.requirements as doc",
    "\trep.format == f.expect.format",
    "\tevery id, st in f.expect.status {",
    "\t\trep.requirements[id].status == st",
    "\t}",
    "\tevery id, b in f.expect.overBroad {",
    "\t\trep.requirements[id].overBroad == b",
    "\t}",
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

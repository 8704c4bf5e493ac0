/**
 * Reads the three input shapes into one model, field for field as the Rego policy
 * (`cassandra_mi.network`) reads them. Malformed input throws an Error naming the field and value.
 * `readConfiguration` keeps the case as written (for `diff`); `parseConfiguration` lower-cases what the
 * policy lower-cases (for `audit`).
 */

export type InputFormat = "arm" | "az" | "tfplan";
export type Layer = "nsg" | "firewall";

export interface PortSpan {
  readonly from: number;
  readonly to: number;
}

export interface NsgRule {
  readonly nsg: string;
  readonly name: string;
  readonly priority: number;
  readonly direction: string;
  readonly access: string;
  readonly protocol: string;
  readonly src: readonly string[];
  readonly dst: readonly string[];
  readonly ports: readonly PortSpan[];
}

interface FwRuleBase {
  /** Rule collection group priority, then rule collection priority. */
  readonly g: number;
  readonly c: number;
  /** The rule collection's name ("" when it has none). */
  readonly collection: string;
  readonly action: string;
  readonly name: string;
  readonly src: readonly string[];
}
export interface FwAppRule extends FwRuleBase {
  readonly kind: "app";
  readonly fqdns: readonly string[];
  readonly protocols: readonly { readonly type: string; readonly port: number }[];
}
export interface FwNetRule extends FwRuleBase {
  readonly kind: "net";
  readonly dst: readonly string[];
  /** `destinationFqdns` (needs the policy's DNS proxy). */
  readonly fqdns: readonly string[];
  readonly ports: readonly PortSpan[];
  readonly ipProtocols: readonly string[];
}
export type FwRule = FwAppRule | FwNetRule;

export interface Configuration {
  readonly format: InputFormat;
  readonly layers: ReadonlySet<Layer>;
  readonly nsgRules: readonly NsgRule[];
  readonly fwRules: readonly FwRule[];
}

type Obj = Record<string, unknown>;

function show(v: unknown): string {
  return v === undefined ? "undefined" : JSON.stringify(v);
}

function fail(path: string, expected: string, v: unknown): never {
  throw new Error(`${path}: expected ${expected}, got ${show(v)}`);
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function obj(v: unknown, path: string): Obj {
  return isObj(v) ? v : fail(path, "an object", v);
}

function str(v: unknown, path: string): string {
  return typeof v === "string" ? v : fail(path, "a string", v);
}

function num(v: unknown, path: string): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fail(path, "a number", v);
}

/** An array, with null and a missing field read as empty (as the policy's `object.get(..., [])` does for a missing one). */
function list(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : fail(path, "an array", v);
}

/** A string or an array of strings; null or missing is empty. */
function strs(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.map((s, i) => str(s, `${path}[${i}]`));
  return fail(path, "a string or an array of strings", v);
}

function portNumber(s: string, path: string): number {
  const n = Number(s);
  if (s.trim() === "" || !Number.isInteger(n) || n < 0 || n > 65535) fail(path, "a port (0-65535), a range a-b or *", s);
  return n;
}

function portSpan(s: string, path: string): PortSpan {
  if (s === "*") return { from: 0, to: 65535 };
  const parts = s.split("-");
  if (parts.length === 2) return { from: portNumber(parts[0] ?? "", path), to: portNumber(parts[1] ?? "", path) };
  const n = portNumber(s, path);
  return { from: n, to: n };
}

function portSpans(values: readonly string[], path: string): PortSpan[] {
  return values.map((s, i) => portSpan(s, `${path}[${i}]`));
}

/** Field names of a dialect: ARM and az (camelCase, fields under `properties`) or a Terraform plan (snake_case, flat). */
interface Dialect {
  readonly underProperties: boolean;
  readonly srcPrefix: string;
  readonly srcPrefixes: string;
  readonly dstPrefix: string;
  readonly dstPrefixes: string;
  readonly dstPort: string;
  readonly dstPorts: string;
  readonly fwSrc: string;
  readonly appFqdns: string;
  readonly appProtocolType: string;
  readonly netDst: string;
  readonly netFqdns: string;
  readonly netPorts: string;
  readonly netProtocols: string;
}

const ARM: Dialect = {
  underProperties: true,
  srcPrefix: "sourceAddressPrefix",
  srcPrefixes: "sourceAddressPrefixes",
  dstPrefix: "destinationAddressPrefix",
  dstPrefixes: "destinationAddressPrefixes",
  dstPort: "destinationPortRange",
  dstPorts: "destinationPortRanges",
  fwSrc: "sourceAddresses",
  appFqdns: "targetFqdns",
  appProtocolType: "protocolType",
  netDst: "destinationAddresses",
  netFqdns: "destinationFqdns",
  netPorts: "destinationPorts",
  netProtocols: "ipProtocols",
};

const TERRAFORM: Dialect = {
  underProperties: false,
  srcPrefix: "source_address_prefix",
  srcPrefixes: "source_address_prefixes",
  dstPrefix: "destination_address_prefix",
  dstPrefixes: "destination_address_prefixes",
  dstPort: "destination_port_range",
  dstPorts: "destination_port_ranges",
  fwSrc: "source_addresses",
  appFqdns: "destination_fqdns",
  appProtocolType: "type",
  netDst: "destination_addresses",
  netFqdns: "destination_fqdns",
  netPorts: "destination_ports",
  netProtocols: "protocols",
};

/** `properties` when present (ARM, REST), else the object itself (az flattens). */
function props(o: Obj, path: string): [Obj, string] {
  return "properties" in o ? [obj(o.properties, `${path}.properties`), `${path}.properties`] : [o, path];
}

function both(p: Obj, path: string, one: string, many: string): string[] {
  return [...strs(p[one], `${path}.${one}`), ...strs(p[many], `${path}.${many}`)];
}

function nsgRule(nsg: string, name: string, p: Obj, path: string, d: Dialect): NsgRule {
  return {
    nsg,
    name,
    priority: num(p.priority, `${path}.priority`),
    direction: str(p.direction, `${path}.direction`),
    access: str(p.access, `${path}.access`),
    protocol: str(p.protocol, `${path}.protocol`),
    src: both(p, path, d.srcPrefix, d.srcPrefixes),
    dst: both(p, path, d.dstPrefix, d.dstPrefixes),
    ports: portSpans(both(p, path, d.dstPort, d.dstPorts), `${path}.${d.dstPort}`),
  };
}

function fwRule(kind: "app" | "net", base: Omit<FwRuleBase, "name" | "src">, r: Obj, path: string, d: Dialect): FwRule {
  const common = { ...base, name: str(r.name, `${path}.name`), src: strs(r[d.fwSrc], `${path}.${d.fwSrc}`) };
  if (kind === "app") {
    const protocols = list(r.protocols, `${path}.protocols`).map((x, k) => {
      const pp = `${path}.protocols[${k}]`;
      const o = obj(x, pp);
      return { type: str(o[d.appProtocolType], `${pp}.${d.appProtocolType}`), port: num(o.port, `${pp}.port`) };
    });
    return { kind, ...common, fqdns: strs(r[d.appFqdns], `${path}.${d.appFqdns}`), protocols };
  }
  return {
    kind,
    ...common,
    dst: strs(r[d.netDst], `${path}.${d.netDst}`),
    fqdns: strs(r[d.netFqdns], `${path}.${d.netFqdns}`),
    ports: portSpans(strs(r[d.netPorts], `${path}.${d.netPorts}`), `${path}.${d.netPorts}`),
    ipProtocols: strs(r[d.netProtocols], `${path}.${d.netProtocols}`),
  };
}

/** Collects what one input holds: the NSGs (by lower-cased name), their rules, the rule collection groups and their rules. */
class Collector {
  readonly #nsgs = new Set<string>();
  readonly #nsgRules: NsgRule[] = [];
  readonly #fwRules: FwRule[] = [];
  #groups = 0;

  nsg(name: string): void {
    this.#nsgs.add(name.toLowerCase());
  }

  /** The security rules of NSG `nsg` (a list: inline `securityRules` or a plan's `security_rule`). */
  securityRules(nsg: string, rules: unknown, path: string, d: Dialect): void {
    this.nsg(nsg);
    list(rules, path).forEach((raw, j) => {
      const sp = `${path}[${j}]`;
      const sr = obj(raw, sp);
      const [p, pp] = d.underProperties ? props(sr, sp) : [sr, sp];
      this.#nsgRules.push(nsgRule(nsg, str(sr.name, `${sp}.name`), p, pp, d));
    });
  }

  /** One security rule given as its own resource. */
  securityRule(nsg: string, name: string, p: Obj, path: string, d: Dialect): void {
    this.nsg(nsg);
    this.#nsgRules.push(nsgRule(nsg, name, p, path, d));
  }

  group(): void {
    this.#groups++;
  }

  /** The rules of one collection; `kindOf` says which are application or network rules (others are skipped). */
  collection(g: number, rc: Obj, rp: string, action: string, rulesKey: string, kindOf: (r: Obj) => "app" | "net" | undefined, d: Dialect): void {
    const base = { g, c: num(rc.priority, `${rp}.priority`), collection: typeof rc.name === "string" ? rc.name : "", action };
    list(rc[rulesKey], `${rp}.${rulesKey}`).forEach((raw, j) => {
      const p = `${rp}.${rulesKey}[${j}]`;
      const r = obj(raw, p);
      const kind = kindOf(r);
      if (kind !== undefined) this.#fwRules.push(fwRule(kind, base, r, p, d));
    });
  }

  /** The filter rule collections of an ARM or az rule collection group (`properties`, or az's flattened object). */
  armGroup(p: Obj, path: string): void {
    this.group();
    const g = p.priority === undefined ? 0 : num(p.priority, `${path}.priority`);
    list(p.ruleCollections, `${path}.ruleCollections`).forEach((raw, i) => {
      const rp = `${path}.ruleCollections[${i}]`;
      const rc = obj(raw, rp);
      if (rc.ruleCollectionType !== "FirewallPolicyFilterRuleCollection") return;
      const action = str(obj(rc.action, `${rp}.action`).type, `${rp}.action.type`);
      this.collection(g, rc, rp, action, "rules", (r) => (r.ruleType === "ApplicationRule" ? "app" : r.ruleType === "NetworkRule" ? "net" : undefined), ARM);
    });
  }

  /** `application_rule_collection` and `network_rule_collection` of an `azurerm_firewall_policy_rule_collection_group`. */
  terraformGroup(v: Obj, path: string): void {
    this.group();
    const g = num(v.priority, `${path}.priority`);
    for (const [key, kind] of [
      ["application_rule_collection", "app"],
      ["network_rule_collection", "net"],
    ] as const) {
      list(v[key], `${path}.${key}`).forEach((raw, i) => {
        const rp = `${path}.${key}[${i}]`;
        const rc = obj(raw, rp);
        this.collection(g, rc, rp, str(rc.action, `${rp}.action`), "rule", () => kind, TERRAFORM);
      });
    }
  }

  result(format: InputFormat): Configuration {
    const layers = new Set<Layer>();
    if (this.#nsgs.size > 0) layers.add("nsg");
    if (this.#groups > 0) layers.add("firewall");
    return { format, layers, nsgRules: this.#nsgRules, fwRules: this.#fwRules };
  }
}

const NSG_TYPE = "microsoft.network/networksecuritygroups";
const RULE_TYPE = "microsoft.network/networksecuritygroups/securityrules";
const RCG_TYPE = "microsoft.network/firewallpolicies/rulecollectiongroups";

function readArm(input: Obj): Configuration {
  const out = new Collector();
  list(input.resources, "resources").forEach((raw, i) => {
    const path = `resources[${i}]`;
    const res = obj(raw, path);
    const type = str(res.type, `${path}.type`).toLowerCase();
    if (type === NSG_TYPE) {
      const p = res.properties === undefined ? {} : obj(res.properties, `${path}.properties`);
      out.securityRules(str(res.name, `${path}.name`), p.securityRules, `${path}.properties.securityRules`, ARM);
    } else if (type === RULE_TYPE) {
      const name = str(res.name, `${path}.name`);
      const parts = name.split("/");
      if (parts.length < 2) fail(`${path}.name`, "nsgName/ruleName", name);
      out.securityRule(parts[0] ?? "", parts[1] ?? "", obj(res.properties, `${path}.properties`), `${path}.properties`, ARM);
    } else if (type === RCG_TYPE) {
      out.armGroup(obj(res.properties, `${path}.properties`), `${path}.properties`);
    }
  });
  return out.result("arm");
}

const AZ_KEYS = ["securityRules", "defaultSecurityRules", "ruleCollections"];
const AZ_EXPECTED = "the JSON of az network nsg show or az network firewall policy rule-collection-group show";

function isAzDoc(v: unknown): v is Obj {
  return isObj(v) && AZ_KEYS.some((k) => k in v);
}

function readAz(input: unknown): Configuration {
  const docs: Array<[Obj, string]> = [];
  if (Array.isArray(input)) {
    input.forEach((d, i) => docs.push([isAzDoc(d) ? d : fail(`[${i}]`, AZ_EXPECTED, d), `[${i}]`]));
  } else {
    docs.push([isAzDoc(input) ? input : fail("(input)", AZ_EXPECTED, input), "(input)"]);
  }
  const out = new Collector();
  for (const [d, path] of docs) {
    if ("ruleCollections" in d) out.armGroup(...props(d, path));
    else out.securityRules(str(d.name, `${path}.name`), d.securityRules, `${path}.securityRules`, ARM);
  }
  return out.result("az");
}

/** The managed resources of a plan module and its child modules. */
function tfResources(module: Obj, path: string, out: Array<[Obj, string]>): void {
  list(module.resources, `${path}.resources`).forEach((r, i) => {
    const o = obj(r, `${path}.resources[${i}]`);
    if (o.mode === "managed") out.push([o, `${path}.resources[${i}]`]);
  });
  list(module.child_modules, `${path}.child_modules`).forEach((m, i) => tfResources(obj(m, `${path}.child_modules[${i}]`), `${path}.child_modules[${i}]`, out));
}

function readTfplan(input: Obj): Configuration {
  const pv = obj(input.planned_values, "planned_values");
  const resources: Array<[Obj, string]> = [];
  if (pv.root_module !== undefined) tfResources(obj(pv.root_module, "planned_values.root_module"), "planned_values.root_module", resources);
  const out = new Collector();
  for (const [r, path] of resources) {
    const vp = `${path}.values`;
    if (r.type === "azurerm_network_security_group") {
      const v = obj(r.values, vp);
      out.securityRules(str(v.name, `${vp}.name`), v.security_rule, `${vp}.security_rule`, TERRAFORM);
    } else if (r.type === "azurerm_network_security_rule") {
      const v = obj(r.values, vp);
      out.securityRule(str(v.network_security_group_name, `${vp}.network_security_group_name`), str(v.name, `${vp}.name`), v, vp, TERRAFORM);
    } else if (r.type === "azurerm_firewall_policy_rule_collection_group") {
      out.terraformGroup(obj(r.values, vp), vp);
    }
  }
  return out.result("tfplan");
}

/** The format the policy would detect, or undefined. */
export function detectFormat(input: unknown): InputFormat | undefined {
  if (isObj(input) && isObj(input.planned_values)) return "tfplan";
  if (isObj(input) && Array.isArray(input.resources)) return "arm";
  if (Array.isArray(input) ? input.some(isAzDoc) : isAzDoc(input)) return "az";
  return undefined;
}

/** The rules of the input as written (case kept). */
export function readConfiguration(input: unknown, format?: InputFormat): Configuration {
  const f = format ?? detectFormat(input);
  if (f === undefined) {
    fail("(input)", "an ARM template (resources), a Terraform plan (planned_values) or az JSON (securityRules / ruleCollections)", isObj(input) ? `object with keys ${Object.keys(input).sort().join(", ")}` : input);
  }
  if (f === "arm") return readArm(obj(input, "(input)"));
  if (f === "tfplan") return readTfplan(obj(input, "(input)"));
  return readAz(input);
}

const lower = (values: readonly string[]): string[] => values.map((v) => v.toLowerCase());

/** The rules as the policy compares them: NSG names, directions, actions, protocols, addresses and FQDNs lower-cased. */
export function parseConfiguration(input: unknown, format?: InputFormat): Configuration {
  const c = readConfiguration(input, format);
  return {
    ...c,
    nsgRules: c.nsgRules.map((r) => ({
      ...r,
      nsg: r.nsg.toLowerCase(),
      direction: r.direction.toLowerCase(),
      access: r.access.toLowerCase(),
      protocol: r.protocol.toLowerCase(),
      src: lower(r.src),
      dst: lower(r.dst),
    })),
    fwRules: c.fwRules.map((r): FwRule => {
      const common = { action: r.action.toLowerCase(), src: lower(r.src), fqdns: lower(r.fqdns) };
      return r.kind === "app"
        ? { ...r, ...common, protocols: r.protocols.map((p) => ({ type: p.type.toLowerCase(), port: p.port })) }
        : { ...r, ...common, dst: lower(r.dst), ipProtocols: lower(r.ipProtocols) };
    }),
  };
}

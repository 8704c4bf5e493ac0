/**
 * Reads the three input shapes into one model, field for field as the Rego policy
 * (`cassandra_mi.network`) reads them. Malformed input throws an Error naming the field and value.
 */

export type InputFormat = "arm" | "az" | "tfplan";

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

export interface FwAppRule {
  readonly kind: "app";
  readonly g: number;
  readonly c: number;
  readonly action: string;
  readonly name: string;
  readonly src: readonly string[];
  readonly fqdns: readonly string[];
  readonly protocols: readonly { readonly type: string; readonly port: number }[];
}
export interface FwNetRule {
  readonly kind: "net";
  readonly g: number;
  readonly c: number;
  readonly action: string;
  readonly name: string;
  readonly src: readonly string[];
  readonly dst: readonly string[];
  /** `destinationFqdns` (needs the policy's DNS proxy). */
  readonly fqdns: readonly string[];
  readonly ports: readonly PortSpan[];
  readonly ipProtocols: readonly string[];
}
export type FwRule = FwAppRule | FwNetRule;

export interface Configuration {
  readonly format: InputFormat;
  readonly layers: ReadonlySet<"nsg" | "firewall">;
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

/** A string or an array of strings, lower-cased; null or missing is empty. */
function strs(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return [v.toLowerCase()];
  if (Array.isArray(v)) return v.map((s, i) => str(s, `${path}[${i}]`).toLowerCase());
  return fail(path, "a string or an array of strings", v);
}

function portNumber(s: string, path: string): number {
  const n = Number(s);
  if (s.trim() === "" || !Number.isInteger(n) || n < 0 || n > 65535) fail(path, "a port (0-65535), a range a-b or *", s);
  return n;
}

export function portSpan(s: string, path: string): PortSpan {
  if (s === "*") return { from: 0, to: 65535 };
  const parts = s.split("-");
  if (parts.length === 2) return { from: portNumber(parts[0] ?? "", path), to: portNumber(parts[1] ?? "", path) };
  const n = portNumber(s, path);
  return { from: n, to: n };
}

function portSpans(values: readonly string[], path: string): PortSpan[] {
  return values.map((s, i) => portSpan(s, `${path}[${i}]`));
}

function nsgRule(nsg: string, name: string, p: Obj, path: string, tf: boolean): NsgRule {
  const k = tf
    ? { sa: "source_address_prefix", sas: "source_address_prefixes", da: "destination_address_prefix", das: "destination_address_prefixes", dp: "destination_port_range", dps: "destination_port_ranges" }
    : { sa: "sourceAddressPrefix", sas: "sourceAddressPrefixes", da: "destinationAddressPrefix", das: "destinationAddressPrefixes", dp: "destinationPortRange", dps: "destinationPortRanges" };
  const ports = [...strs(p[k.dp], `${path}.${k.dp}`), ...strs(p[k.dps], `${path}.${k.dps}`)];
  return {
    nsg,
    name,
    priority: num(p.priority, `${path}.priority`),
    direction: str(p.direction, `${path}.direction`).toLowerCase(),
    access: str(p.access, `${path}.access`).toLowerCase(),
    protocol: str(p.protocol, `${path}.protocol`).toLowerCase(),
    src: [...strs(p[k.sa], `${path}.${k.sa}`), ...strs(p[k.sas], `${path}.${k.sas}`)],
    dst: [...strs(p[k.da], `${path}.${k.da}`), ...strs(p[k.das], `${path}.${k.das}`)],
    ports: portSpans(ports, `${path}.${k.dp}`),
  };
}

/** `properties` when present (ARM, REST), else the object itself (az flattens). */
function props(o: Obj, path: string): [Obj, string] {
  return "properties" in o ? [obj(o.properties, `${path}.properties`), `${path}.properties`] : [o, path];
}

function filterCollections(g: number, collections: unknown[], path: string): FwRule[] {
  const out: FwRule[] = [];
  collections.forEach((rcRaw, i) => {
    const rp = `${path}[${i}]`;
    const rc = obj(rcRaw, rp);
    if (rc.ruleCollectionType !== "FirewallPolicyFilterRuleCollection") return;
    const c = num(rc.priority, `${rp}.priority`);
    const action = str(obj(rc.action, `${rp}.action`).type, `${rp}.action.type`).toLowerCase();
    list(rc.rules, `${rp}.rules`).forEach((rRaw, j) => {
      const p = `${rp}.rules[${j}]`;
      const r = obj(rRaw, p);
      if (r.ruleType === "ApplicationRule") {
        out.push({
          kind: "app",
          g,
          c,
          action,
          name: str(r.name, `${p}.name`),
          src: strs(r.sourceAddresses, `${p}.sourceAddresses`),
          fqdns: strs(r.targetFqdns, `${p}.targetFqdns`),
          protocols: list(r.protocols, `${p}.protocols`).map((x, k) => {
            const o = obj(x, `${p}.protocols[${k}]`);
            return { type: str(o.protocolType, `${p}.protocols[${k}].protocolType`).toLowerCase(), port: num(o.port, `${p}.protocols[${k}].port`) };
          }),
        });
      } else if (r.ruleType === "NetworkRule") {
        out.push({
          kind: "net",
          g,
          c,
          action,
          name: str(r.name, `${p}.name`),
          src: strs(r.sourceAddresses, `${p}.sourceAddresses`),
          dst: strs(r.destinationAddresses, `${p}.destinationAddresses`),
          fqdns: strs(r.destinationFqdns, `${p}.destinationFqdns`),
          ports: portSpans(strs(r.destinationPorts, `${p}.destinationPorts`), `${p}.destinationPorts`),
          ipProtocols: strs(r.ipProtocols, `${p}.ipProtocols`),
        });
      }
    });
  });
  return out;
}

const NSG_TYPE = "microsoft.network/networksecuritygroups";
const RULE_TYPE = "microsoft.network/networksecuritygroups/securityrules";
const RCG_TYPE = "microsoft.network/firewallpolicies/rulecollectiongroups";

function parseArm(input: Obj): Configuration {
  const resources = list(input.resources, "resources");
  const keys = new Set<string>();
  const nsgRules: NsgRule[] = [];
  const fwRules: FwRule[] = [];
  let groups = 0;
  resources.forEach((resRaw, i) => {
    const path = `resources[${i}]`;
    const res = obj(resRaw, path);
    const type = str(res.type, `${path}.type`).toLowerCase();
    if (type === NSG_TYPE) {
      const key = str(res.name, `${path}.name`).toLowerCase();
      keys.add(key);
      const p = res.properties === undefined ? {} : obj(res.properties, `${path}.properties`);
      list(p.securityRules, `${path}.properties.securityRules`).forEach((srRaw, j) => {
        const sp = `${path}.properties.securityRules[${j}]`;
        const sr = obj(srRaw, sp);
        const [rp, rpath] = props(sr, sp);
        nsgRules.push(nsgRule(key, str(sr.name, `${sp}.name`), rp, rpath, false));
      });
    } else if (type === RULE_TYPE) {
      const name = str(res.name, `${path}.name`);
      const parts = name.split("/");
      if (parts.length < 2) fail(`${path}.name`, "nsgName/ruleName", name);
      const key = (parts[0] ?? "").toLowerCase();
      keys.add(key);
      nsgRules.push(nsgRule(key, parts[1] ?? "", obj(res.properties, `${path}.properties`), `${path}.properties`, false));
    } else if (type === RCG_TYPE) {
      groups++;
      const p = obj(res.properties, `${path}.properties`);
      const g = p.priority === undefined ? 0 : num(p.priority, `${path}.properties.priority`);
      fwRules.push(...filterCollections(g, list(p.ruleCollections, `${path}.properties.ruleCollections`), `${path}.properties.ruleCollections`));
    }
  });
  return { format: "arm", layers: layersOf(keys.size, groups), nsgRules, fwRules };
}

function layersOf(nsgs: number, groups: number): Set<"nsg" | "firewall"> {
  const layers = new Set<"nsg" | "firewall">();
  if (nsgs > 0) layers.add("nsg");
  if (groups > 0) layers.add("firewall");
  return layers;
}

const AZ_KEYS = ["securityRules", "defaultSecurityRules", "ruleCollections"];

function isAzDoc(v: unknown): v is Obj {
  return isObj(v) && AZ_KEYS.some((k) => k in v);
}

function parseAz(input: unknown): Configuration {
  const docs: Array<[Obj, string]> = [];
  if (Array.isArray(input)) {
    input.forEach((d, i) => {
      if (!isAzDoc(d)) fail(`[${i}]`, "the JSON of az network nsg show or az network firewall policy rule-collection-group show", d);
      docs.push([d, `[${i}]`]);
    });
  } else if (isAzDoc(input)) {
    docs.push([input, "(input)"]);
  } else {
    fail("(input)", "the JSON of az network nsg show or az network firewall policy rule-collection-group show", input);
  }
  const keys = new Set<string>();
  const nsgRules: NsgRule[] = [];
  const fwRules: FwRule[] = [];
  let groups = 0;
  for (const [d, path] of docs) {
    if ("ruleCollections" in d) {
      groups++;
      const [p, pp] = props(d, path);
      const g = p.priority === undefined ? 0 : num(p.priority, `${pp}.priority`);
      fwRules.push(...filterCollections(g, list(p.ruleCollections, `${pp}.ruleCollections`), `${pp}.ruleCollections`));
    } else {
      const key = str(d.name, `${path}.name`).toLowerCase();
      keys.add(key);
      list(d.securityRules, `${path}.securityRules`).forEach((srRaw, j) => {
        const sp = `${path}.securityRules[${j}]`;
        const sr = obj(srRaw, sp);
        const [rp, rpath] = props(sr, sp);
        nsgRules.push(nsgRule(key, str(sr.name, `${sp}.name`), rp, rpath, false));
      });
    }
  }
  return { format: "az", layers: layersOf(keys.size, groups), nsgRules, fwRules };
}

function tfResources(module: Obj, path: string, out: Array<[Obj, string]>): void {
  list(module.resources, `${path}.resources`).forEach((r, i) => {
    const o = obj(r, `${path}.resources[${i}]`);
    if (o.mode === "managed") out.push([o, `${path}.resources[${i}]`]);
  });
  list(module.child_modules, `${path}.child_modules`).forEach((m, i) => tfResources(obj(m, `${path}.child_modules[${i}]`), `${path}.child_modules[${i}]`, out));
}

function parseTfplan(input: Obj): Configuration {
  const pv = obj(input.planned_values, "planned_values");
  const resources: Array<[Obj, string]> = [];
  if (pv.root_module !== undefined) tfResources(obj(pv.root_module, "planned_values.root_module"), "planned_values.root_module", resources);
  const keys = new Set<string>();
  const nsgRules: NsgRule[] = [];
  const fwRules: FwRule[] = [];
  let groups = 0;
  for (const [r, path] of resources) {
    if (r.type === "azurerm_network_security_group") {
      const v = obj(r.values, `${path}.values`);
      const key = str(v.name, `${path}.values.name`).toLowerCase();
      keys.add(key);
      list(v.security_rule, `${path}.values.security_rule`).forEach((sr, j) => {
        const sp = `${path}.values.security_rule[${j}]`;
        const o = obj(sr, sp);
        nsgRules.push(nsgRule(key, str(o.name, `${sp}.name`), o, sp, true));
      });
    } else if (r.type === "azurerm_network_security_rule") {
      const v = obj(r.values, `${path}.values`);
      const key = str(v.network_security_group_name, `${path}.values.network_security_group_name`).toLowerCase();
      keys.add(key);
      nsgRules.push(nsgRule(key, str(v.name, `${path}.values.name`), v, `${path}.values`, true));
    } else if (r.type === "azurerm_firewall_policy_rule_collection_group") {
      groups++;
      const v = obj(r.values, `${path}.values`);
      const g = num(v.priority, `${path}.values.priority`);
      list(v.application_rule_collection, `${path}.values.application_rule_collection`).forEach((rcRaw, i) => {
        const rp = `${path}.values.application_rule_collection[${i}]`;
        const rc = obj(rcRaw, rp);
        const c = num(rc.priority, `${rp}.priority`);
        const action = str(rc.action, `${rp}.action`).toLowerCase();
        list(rc.rule, `${rp}.rule`).forEach((ruleRaw, j) => {
          const p = `${rp}.rule[${j}]`;
          const rule = obj(ruleRaw, p);
          fwRules.push({
            kind: "app",
            g,
            c,
            action,
            name: str(rule.name, `${p}.name`),
            src: strs(rule.source_addresses, `${p}.source_addresses`),
            fqdns: strs(rule.destination_fqdns, `${p}.destination_fqdns`),
            protocols: list(rule.protocols, `${p}.protocols`).map((x, k) => {
              const o = obj(x, `${p}.protocols[${k}]`);
              return { type: str(o.type, `${p}.protocols[${k}].type`).toLowerCase(), port: num(o.port, `${p}.protocols[${k}].port`) };
            }),
          });
        });
      });
      list(v.network_rule_collection, `${path}.values.network_rule_collection`).forEach((rcRaw, i) => {
        const rp = `${path}.values.network_rule_collection[${i}]`;
        const rc = obj(rcRaw, rp);
        const c = num(rc.priority, `${rp}.priority`);
        const action = str(rc.action, `${rp}.action`).toLowerCase();
        list(rc.rule, `${rp}.rule`).forEach((ruleRaw, j) => {
          const p = `${rp}.rule[${j}]`;
          const rule = obj(ruleRaw, p);
          fwRules.push({
            kind: "net",
            g,
            c,
            action,
            name: str(rule.name, `${p}.name`),
            src: strs(rule.source_addresses, `${p}.source_addresses`),
            dst: strs(rule.destination_addresses, `${p}.destination_addresses`),
            fqdns: strs(rule.destination_fqdns, `${p}.destination_fqdns`),
            ports: portSpans(strs(rule.destination_ports, `${p}.destination_ports`), `${p}.destination_ports`),
            ipProtocols: strs(rule.protocols, `${p}.protocols`),
          });
        });
      });
    }
  }
  return { format: "tfplan", layers: layersOf(keys.size, groups), nsgRules, fwRules };
}

/** The format the policy would detect, or undefined. */
export function detectFormat(input: unknown): InputFormat | undefined {
  if (isObj(input) && isObj(input.planned_values)) return "tfplan";
  if (isObj(input) && Array.isArray(input.resources)) return "arm";
  if (Array.isArray(input) ? input.some(isAzDoc) : isAzDoc(input)) return "az";
  return undefined;
}

export function parseConfiguration(input: unknown, format?: InputFormat): Configuration {
  const f = format ?? detectFormat(input);
  if (f === undefined) {
    fail("(input)", "an ARM template (resources), a Terraform plan (planned_values) or az JSON (securityRules / ruleCollections)", isObj(input) ? `object with keys ${Object.keys(input).sort().join(", ")}` : input);
  }
  if (f === "arm") return parseArm(obj(input, "(input)"));
  if (f === "tfplan") return parseTfplan(obj(input, "(input)"));
  return parseAz(input);
}

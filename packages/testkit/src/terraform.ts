/**
 * The real checks of a Terraform file the `terraform` target writes:
 * - `terraform fmt -check` with the real binary (a missing binary fails; scripts/setup-system.sh installs it);
 * - a real HCL parser (`@cdktn/hcl2json`: HashiCorp's hcl/v2 compiled to WebAssembly) turns the text into
 *   JSON, which `readTerraform` maps back into the azure package's model through the shared azurerm table;
 * - every resource's arguments against the azurerm schema vendored at 4.55.0 (vendor/azurerm/attributes.json):
 *   names, types, nesting, required arguments, allowed values, ranges, lengths;
 * - `terraformOutputs` evaluates strings with Terraform itself (init, apply with no provider, output -json).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  APPLICATION_PROTOCOL_FIELDS,
  AZURERM_RESOURCE,
  defaultSecurityRules,
  DNS_SETTINGS_FIELDS,
  FIREWALL_POLICY_FIELDS,
  FIREWALL_RULE_FIELDS,
  INTRUSION_DETECTION_FIELDS,
  modelValue,
  ROUTE_FIELDS,
  ROUTE_TABLE_FIELDS,
  RULE_COLLECTION_BLOCK,
  RULE_COLLECTION_FIELDS,
  SECURITY_RULE_FIELDS,
  setValueAt,
  unknownValue,
  type AzurermField,
  type FirewallPolicy,
  type FirewallPolicyRuleCollection,
  type FirewallPolicyRuleCollectionGroup,
  type NetworkSecurityGroup,
  type Parameter,
  type Route,
  type RouteTable,
  type Unknown,
} from "@cassandra-mi-netrules/azure";
import { parse } from "@cdktn/hcl2json";
import { VENDOR_DIR } from "./arm.js";

/* ------------------------------------------------------------------ terraform */

const ENV = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
let terraformVersionLine: string | undefined;

/** `terraform version`'s first line; throws when terraform is missing. */
export function terraformVersion(): string {
  if (terraformVersionLine !== undefined) return terraformVersionLine;
  const r = spawnSync("terraform", ["version"], { encoding: "utf8", env: ENV });
  if (r.error || r.status !== 0) throw new Error(`terraform is not on PATH (${r.error?.message ?? r.stderr}); run scripts/setup-system.sh`);
  terraformVersionLine = (r.stdout.split("\n")[0] ?? "").trim();
  return terraformVersionLine;
}

function terraform(args: readonly string[], cwd: string): { status: number; stdout: string; stderr: string } {
  terraformVersion();
  const r = spawnSync("terraform", [...args], { encoding: "utf8", cwd, env: ENV, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function withDir<T>(files: Readonly<Record<string, string>>, run: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "cmn-terraform-"));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `terraform fmt -check -diff` over the texts (one file each): the indices of those fmt would change, and its diff. */
export function terraformFmtCheck(texts: readonly string[]): { unformatted: number[]; diff: string } {
  return withDir(Object.fromEntries(texts.map((t, i) => [`f${i}.tf`, t])), (dir) => {
    const r = terraform(["fmt", "-check", "-list=true", "-diff", "-no-color"], dir);
    const unformatted = [...r.stdout.matchAll(/^f(\d+)\.tf$/gm)].map((m) => Number(m[1]));
    if (r.status !== 0 && unformatted.length === 0) throw new Error(`terraform fmt failed (exit ${r.status}): ${r.stderr || r.stdout}`);
    return { unformatted, diff: r.stdout };
  });
}

/** Terraform's own value of each string expression (HCL source of a quoted string): init and apply with no provider, then `output -json`. */
export function terraformOutputs(expressions: readonly string[]): string[] {
  const source = `output "values" {\n  value = [\n${expressions.map((e) => `    ${e},`).join("\n")}\n  ]\n}\n`;
  return withDir({ "main.tf": source }, (dir) => {
    for (const args of [["init", "-no-color"], ["apply", "-auto-approve", "-no-color"]]) {
      const r = terraform(args, dir);
      if (r.status !== 0) throw new Error(`terraform ${args[0]} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
    }
    const out = terraform(["output", "-json", "values"], dir);
    if (out.status !== 0) throw new Error(`terraform output failed: ${out.stderr}`);
    return JSON.parse(out.stdout) as string[];
  });
}

/* ---------------------------------------------------------------- the parser */

/** What `@cdktn/hcl2json` gives: Terraform's JSON syntax, blocks as lists of bodies. */
export type HclJson = Record<string, unknown>;

/** Parses HCL with hcl/v2 (WebAssembly); rejects with the parser's message (file, line, column) on a syntax error. */
export async function parseHcl(text: string, file = "main.tf"): Promise<HclJson> {
  return (await parse(file, text)) as HclJson;
}

/**
 * A string of Terraform's JSON syntax: a literal (its `$${` and `%%{` undone) or, when it holds an
 * interpolation or directive, an expression (`${var.x}` -> `var.x`; anything else as it is).
 */
export function jsonSyntaxString(s: string): { literal: string } | { expression: string } {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const two = s.slice(i, i + 2);
    if (s.slice(i, i + 3) === "$${" || s.slice(i, i + 3) === "%%{") {
      out += s.slice(i + 1, i + 3);
      i += 2;
    } else if (two === "${" || two === "%{") {
      const whole = /^\$\{([^{}]*)\}$/.exec(s);
      return { expression: whole ? (whole[1] as string).trim() : s };
    } else out += s[i];
  }
  return { literal: out };
}

/* -------------------------------------------------------- the azurerm schema */

interface AttributeSpec {
  readonly type: string;
  readonly required: boolean;
  readonly allowed?: readonly string[];
  readonly range?: readonly [number, number];
  readonly maxLength?: number;
  readonly hcl?: "block" | "attribute-as-blocks";
  readonly block?: Readonly<Record<string, AttributeSpec>>;
}

type ResourceSpec = Readonly<Record<string, AttributeSpec>>;

let schema: Readonly<Record<string, ResourceSpec>> | undefined;

/** vendor/azurerm/attributes.json: resource type -> argument -> spec. */
export function azurermSchema(): Readonly<Record<string, ResourceSpec>> {
  if (schema) return schema;
  const doc = JSON.parse(readFileSync(join(VENDOR_DIR, "azurerm", "attributes.json"), "utf8")) as Record<string, Record<string, unknown>>;
  schema = Object.fromEntries(
    Object.entries(doc)
      .filter(([k]) => k !== "_meta")
      .map(([k, v]) => [k, Object.fromEntries(Object.entries(v).filter(([a]) => a !== "_doc")) as unknown as ResourceSpec]),
  );
  return schema;
}

/** Terraform's meta-arguments, which every resource takes. */
const META_ARGUMENTS = new Set(["count", "for_each", "depends_on", "provider", "lifecycle"]);

const isExpression = (v: unknown): boolean => typeof v === "string" && "expression" in jsonSyntaxString(v);

function checkScalar(spec: AttributeSpec, value: unknown, at: string, problems: string[]): void {
  if (isExpression(value)) return;
  const want = spec.type === "list(string)" || spec.type === "map(string)" ? "string" : spec.type;
  const got = typeof value === "boolean" ? "bool" : typeof value;
  if (got !== want) {
    problems.push(`${at}: expected ${want}, got ${JSON.stringify(value)}`);
    return;
  }
  const text = typeof value === "string" ? (jsonSyntaxString(value) as { literal: string }).literal : undefined;
  if (spec.allowed && text !== undefined && !spec.allowed.includes(text)) problems.push(`${at}: ${JSON.stringify(text)} is not one of ${spec.allowed.join(", ")}`);
  if (spec.maxLength !== undefined && text !== undefined && text.length > spec.maxLength) problems.push(`${at}: longer than ${spec.maxLength} characters (${text.length})`);
  if (spec.range && typeof value === "number" && (value < spec.range[0] || value > spec.range[1] || !Number.isInteger(value)))
    problems.push(`${at}: ${value} is outside ${spec.range[0]}-${spec.range[1]}`);
}

function checkValue(spec: AttributeSpec, value: unknown, at: string, problems: string[]): void {
  if (spec.block) {
    if (!Array.isArray(value)) return void problems.push(`${at}: expected ${spec.hcl === "block" ? "a block" : "blocks"}, got ${JSON.stringify(value)}`);
    if (spec.type === "object" && value.length > 1) problems.push(`${at}: at most one block, got ${value.length}`);
    value.forEach((b, i) => checkBody(spec.block as ResourceSpec, b, `${at}[${i}]`, problems));
  } else if (spec.type.startsWith("list(")) {
    if (isExpression(value)) return;
    if (!Array.isArray(value)) return void problems.push(`${at}: expected a list, got ${JSON.stringify(value)}`);
    value.forEach((v, i) => checkScalar(spec, v, `${at}[${i}]`, problems));
  } else if (spec.type.startsWith("map(")) {
    if (isExpression(value)) return;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return void problems.push(`${at}: expected a map, got ${JSON.stringify(value)}`);
    for (const [k, v] of Object.entries(value)) checkScalar(spec, v, `${at}.${k}`, problems);
  } else checkScalar(spec, value, at, problems);
}

function checkBody(spec: ResourceSpec, body: unknown, at: string, problems: string[], meta = false): void {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return void problems.push(`${at}: expected a block body`);
  for (const [k, v] of Object.entries(body)) {
    if (meta && META_ARGUMENTS.has(k)) continue;
    const s = spec[k];
    if (!s) problems.push(`${at}.${k}: not an argument here in azurerm 4.55.0`);
    else checkValue(s, v, `${at}.${k}`, problems);
  }
  for (const [k, s] of Object.entries(spec)) if (s.required && !(k in body)) problems.push(`${at}: the required argument ${k} is missing`);
}

/**
 * Every resource of the file against the vendored azurerm schema, and every `var.x` and resource
 * reference against the file's own variables and resources. Returns the problems, each naming where.
 */
export function checkAzurermAttributes(doc: HclJson): string[] {
  const problems: string[] = [];
  const resources = (doc.resource ?? {}) as Record<string, Record<string, unknown[]>>;
  for (const [type, byLabel] of Object.entries(resources)) {
    const spec = azurermSchema()[type];
    if (!spec) {
      problems.push(`resource ${type}: not a resource type of the vendored azurerm schema`);
      continue;
    }
    for (const [label, bodies] of Object.entries(byLabel)) bodies.forEach((b) => checkBody(spec, b, `${type}.${label}`, problems, true));
  }
  const variables = new Set(Object.keys((doc.variable ?? {}) as object));
  const declared = new Set(Object.entries(resources).flatMap(([type, byLabel]) => Object.keys(byLabel).map((l) => `${type}.${l}`)));
  const walk = (v: unknown, at: string): void => {
    if (typeof v === "string") {
      const parsed = jsonSyntaxString(v);
      if (!("expression" in parsed)) return;
      for (const m of parsed.expression.matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_-]*)/g)) if (!variables.has(m[1] as string)) problems.push(`${at}: var.${m[1]} is not declared`);
      for (const m of parsed.expression.matchAll(/\b(azurerm_[a-z_]+)\.([A-Za-z_][A-Za-z0-9_-]*)\.id\b/g)) if (!declared.has(`${m[1]}.${m[2]}`)) problems.push(`${at}: ${m[1]}.${m[2]} is not declared`);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
  };
  walk(doc.resource, "resource");
  walk(doc.output, "output");
  return problems;
}

/* ---------------------------------------------------------- back to the model */

export interface TerraformReadOptions {
  /** Values given to variables (as a tfvars file would), by variable name. */
  readonly variables?: Readonly<Record<string, string>>;
}

/** What the file holds, in the azure package's model. */
export interface TerraformNetwork {
  readonly networkSecurityGroups: NetworkSecurityGroup[];
  readonly firewallPolicies: FirewallPolicy[];
  readonly firewallPolicyRuleCollectionGroups: FirewallPolicyRuleCollectionGroup[];
  readonly routeTables: RouteTable[];
  /** `azurerm_subnet_*_association` resources: which resource each associates, and under which `count`. */
  readonly associations: Array<{ readonly type: string; readonly target: string; readonly subnetId: string; readonly count: string | undefined }>;
  /** The `locals` block. */
  readonly locals: Readonly<Record<string, unknown>>;
}

const camel = (snake: string): string => snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

class Reader {
  constructor(
    readonly doc: HclJson,
    readonly given: Readonly<Record<string, string>>,
  ) {}

  variable(name: string): { default?: unknown; description?: string } | undefined {
    return ((this.doc.variable ?? {}) as Record<string, Array<{ default?: unknown; description?: string }>>)[name]?.[0];
  }

  /** A string value: a literal, a given or default variable value, a `Parameter` (a variable with neither), or an Unknown. */
  text(raw: unknown, at: string, asParameter: boolean): string | Parameter | Unknown {
    if (typeof raw !== "string") return unknownValue(at, `not a string: ${JSON.stringify(raw)}`);
    const v = jsonSyntaxString(raw);
    if ("literal" in v) return v.literal;
    const name = /^var\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(v.expression)?.[1];
    if (name === undefined) return unknownValue(at, `expression ${v.expression}`);
    if (this.given[name] !== undefined) return this.given[name] as string;
    const decl = this.variable(name);
    if (decl === undefined) return unknownValue(at, `var.${name} is not declared`);
    if (typeof decl.default === "string") return (jsonSyntaxString(decl.default) as { literal: string }).literal;
    if (asParameter) return { kind: "parameter", name: camel(name), description: (jsonSyntaxString(decl.description ?? "") as { literal: string }).literal };
    return unknownValue(at, `var.${name} has no default value and none was given`);
  }

  /** The model object of a body, from the fields of the shared table. */
  fields(fields: readonly AzurermField[], body: Record<string, unknown>, at: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const raw = body[f.azurerm];
      if (raw === undefined) continue;
      const where = `${at}.${f.azurerm}`;
      const one = (x: unknown, i?: number) => {
        const t = this.text(x, i === undefined ? where : `${where}[${i}]`, true);
        return typeof t === "string" ? modelValue(f, t) : t;
      };
      const list = (): unknown[] => (Array.isArray(raw) ? raw : [unknownValue(where, "not a list")]);
      const value: Record<typeof f.kind, () => unknown> = {
        string: () => one(raw),
        number: () => raw,
        bool: () => raw,
        negated: () => (typeof raw === "boolean" ? !raw : unknownValue(where, "not a boolean")),
        list: () => list().map((x, i) => one(x, i)),
        ids: () => list().map((x, i) => ({ id: one(x, i) })),
        first: () => [one(raw)],
        "number-text": () => (typeof raw === "number" ? String(raw) : unknownValue(where, "not a number")),
      };
      setValueAt(out, f.model, value[f.kind]());
    }
    return out;
  }

  resources(type: string): Array<[string, Record<string, unknown>]> {
    const byLabel = ((this.doc.resource ?? {}) as Record<string, Record<string, Array<Record<string, unknown>>>>)[type] ?? {};
    return Object.entries(byLabel).flatMap(([label, bodies]) => bodies.map((b) => [label, b] as [string, Record<string, unknown>]));
  }

  head(body: Record<string, unknown>, at: string): { name: unknown; location: unknown; tags?: Record<string, unknown> } {
    const tags = body.tags as Record<string, string> | undefined;
    return {
      name: this.text(body.name, `${at}.name`, false),
      location: this.text(body.location, `${at}.location`, false),
      ...(tags ? { tags: Object.fromEntries(Object.entries(tags).map(([k, v]) => [(jsonSyntaxString(k) as { literal: string }).literal, this.text(v, `${at}.tags`, false)])) } : {}),
    };
  }
}

const blocks = (body: Record<string, unknown>, key: string): Array<Record<string, unknown>> => (body[key] ?? []) as Array<Record<string, unknown>>;

function readNsg(r: Reader, label: string, body: Record<string, unknown>): NetworkSecurityGroup {
  const at = `${AZURERM_RESOURCE.networkSecurityGroup}.${label}`;
  const rules = blocks(body, "security_rule").map((b, i) => ({
    name: r.text(b.name, `${at}.security_rule[${i}].name`, false),
    properties: r.fields(SECURITY_RULE_FIELDS, b, `${at}.security_rule[${i}]`),
  }));
  return { ...r.head(body, at), properties: { securityRules: rules, defaultSecurityRules: defaultSecurityRules() } } as unknown as NetworkSecurityGroup;
}

function readPolicy(r: Reader, label: string, body: Record<string, unknown>): FirewallPolicy {
  const at = `${AZURERM_RESOURCE.firewallPolicy}.${label}`;
  const properties: Record<string, unknown> = r.fields(FIREWALL_POLICY_FIELDS, body, at);
  const dns = blocks(body, "dns")[0];
  if (dns) properties.dnsSettings = r.fields(DNS_SETTINGS_FIELDS, dns, `${at}.dns`);
  const idps = blocks(body, "intrusion_detection")[0];
  if (idps) properties.intrusionDetection = r.fields(INTRUSION_DETECTION_FIELDS, idps, `${at}.intrusion_detection`);
  return { ...r.head(body, at), properties } as unknown as FirewallPolicy;
}

function readGroup(r: Reader, label: string, body: Record<string, unknown>): FirewallPolicyRuleCollectionGroup {
  const at = `${AZURERM_RESOURCE.ruleCollectionGroup}.${label}`;
  const collections: unknown[] = [];
  for (const [ruleType, key] of Object.entries(RULE_COLLECTION_BLOCK) as Array<[keyof typeof RULE_COLLECTION_BLOCK, string]>) {
    blocks(body, key).forEach((c, i) => {
      const cat = `${at}.${key}[${i}]`;
      const rules = blocks(c, "rule").map((b, j) => {
        const rule: Record<string, unknown> = { ruleType, ...r.fields(FIREWALL_RULE_FIELDS[ruleType], b, `${cat}.rule[${j}]`) };
        if (ruleType === "ApplicationRule" && b.protocols !== undefined) rule.protocols = blocks(b, "protocols").map((p, k) => r.fields(APPLICATION_PROTOCOL_FIELDS, p, `${cat}.rule[${j}].protocols[${k}]`));
        return rule;
      });
      collections.push({ ruleCollectionType: ruleType === "NatRule" ? "FirewallPolicyNatRuleCollection" : "FirewallPolicyFilterRuleCollection", ...r.fields(RULE_COLLECTION_FIELDS, c, cat), rules });
    });
  }
  // The parser groups blocks by type, so the order of collections of different types is lost: Azure takes them by priority.
  collections.sort((a, b) => Number((a as { priority: unknown }).priority) - Number((b as { priority: unknown }).priority));
  // The parent policy: a resource of this file (its name), or an id given to the variable (its last segment).
  const ref = jsonSyntaxString(String(body.firewall_policy_id));
  const local = "expression" in ref ? /^azurerm_firewall_policy\.([A-Za-z_][A-Za-z0-9_-]*)\.id$/.exec(ref.expression)?.[1] : undefined;
  const policyBody = local ? r.resources(AZURERM_RESOURCE.firewallPolicy).find(([l]) => l === local)?.[1] : undefined;
  const id = policyBody ? undefined : r.text(body.firewall_policy_id, `${at}.firewall_policy_id`, false);
  const firewallPolicyName = policyBody ? r.text(policyBody.name, `${at}.firewall_policy_id`, false) : typeof id === "string" ? (id.split("/").at(-1) ?? id) : id;
  return {
    firewallPolicyName,
    name: r.text(body.name, `${at}.name`, false),
    properties: { priority: body.priority, ruleCollections: collections as FirewallPolicyRuleCollection[] },
  } as unknown as FirewallPolicyRuleCollectionGroup;
}

function readRoute(r: Reader, body: Record<string, unknown>, at: string): Route {
  return { name: r.text(body.name, `${at}.name`, false), properties: r.fields(ROUTE_FIELDS, body, at) } as unknown as Route;
}

function readRouteTables(r: Reader): RouteTable[] {
  const tables: RouteTable[] = r.resources(AZURERM_RESOURCE.routeTable).map(([label, body]) => {
    const at = `${AZURERM_RESOURCE.routeTable}.${label}`;
    const routes = blocks(body, "route").map((b, i) => readRoute(r, b, `${at}.route[${i}]`));
    return { ...r.head(body, at), properties: { ...r.fields(ROUTE_TABLE_FIELDS, body, at), routes } } as unknown as RouteTable;
  });
  // `azurerm_route` resources join their table by name; a table not in the file stands in with its name.
  for (const [label, body] of r.resources(AZURERM_RESOURCE.route)) {
    const at = `${AZURERM_RESOURCE.route}.${label}`;
    const tableName = r.text(body.route_table_name, `${at}.route_table_name`, false);
    let table = tables.find((t) => t.name === tableName);
    if (!table) {
      table = { name: tableName, properties: { routes: [] } } as unknown as RouteTable;
      tables.push(table);
    }
    (table.properties.routes as Route[]).push(readRoute(r, body, at));
  }
  return tables;
}

/** The file's resources as the model; values from `options.variables`, else the variables' defaults, else Parameters (in rules) or Unknowns. */
export function readTerraform(doc: HclJson, options: TerraformReadOptions = {}): TerraformNetwork {
  const r = new Reader(doc, options.variables ?? {});
  const expr = (v: unknown): string => {
    const s = jsonSyntaxString(String(v));
    return "expression" in s ? s.expression : s.literal;
  };
  const associations = [AZURERM_RESOURCE.subnetNsgAssociation, AZURERM_RESOURCE.subnetRouteTableAssociation].flatMap((type) =>
    r.resources(type).map(([, b]) => ({
      type,
      target: expr(b.network_security_group_id ?? b.route_table_id),
      subnetId: expr(b.subnet_id),
      count: b.count === undefined ? undefined : expr(b.count),
    })),
  );
  return {
    networkSecurityGroups: r.resources(AZURERM_RESOURCE.networkSecurityGroup).map(([l, b]) => readNsg(r, l, b)),
    firewallPolicies: r.resources(AZURERM_RESOURCE.firewallPolicy).map(([l, b]) => readPolicy(r, l, b)),
    firewallPolicyRuleCollectionGroups: r.resources(AZURERM_RESOURCE.ruleCollectionGroup).map(([l, b]) => readGroup(r, l, b)),
    routeTables: readRouteTables(r),
    associations,
    locals: literals(Object.assign({}, ...((doc.locals ?? []) as Array<Record<string, unknown>>))) as Record<string, unknown>,
  };
}

/** Every string and key of a JSON-syntax value as the literal it stands for. */
export function literals(v: unknown): unknown {
  if (typeof v === "string") {
    const s = jsonSyntaxString(v);
    return "literal" in s ? s.literal : `\${${s.expression}}`;
  }
  if (Array.isArray(v)) return v.map(literals);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [literals(k), literals(x)]));
  return v;
}

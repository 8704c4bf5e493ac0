/**
 * A Terraform plan (`terraform show -json PLAN`, or the state `terraform show -json` prints) into the
 * model. Values come from `resource_changes[].change.after`, with `after_unknown` marking what Terraform
 * knows only after apply: such a value is an `Unknown` naming it. A plan that lists no changes is read
 * from `planned_values`, which leaves out what is known only after apply. A reference the configuration makes to
 * another resource (`network_security_group_id = azurerm_network_security_group.x.id`) stands for that
 * resource's id, built from its name, so links survive the plan's unknown ids.
 */
import { ownValue } from "@cassandra-mi-netrules/core";
import { isUnknown, unknownValue } from "../unknown.js";
import type { JsonObject } from "./arm-values.js";
import { InputError, isObject } from "./input.js";
import { azurermId, readAzurerm, type TerraformResource } from "./terraform-azurerm.js";
import type { AzureNetwork } from "../model.js";

const AFTER_APPLY = "known only after apply";

/** `after` with every value `after_unknown` marks replaced by an Unknown at its path. */
function merge(after: unknown, unknown: unknown, path: string): unknown {
  if (unknown === true) return unknownValue(path, AFTER_APPLY);
  if (Array.isArray(after) || Array.isArray(unknown)) {
    const a = Array.isArray(after) ? after : [];
    const u = Array.isArray(unknown) ? unknown : [];
    return Array.from({ length: Math.max(a.length, u.length) }, (_, i) => merge(a[i], u[i], `${path}[${i}]`));
  }
  if (isObject(after) || isObject(unknown)) {
    const a = isObject(after) ? after : {};
    const u = isObject(unknown) ? unknown : {};
    return Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(u)])].map((k) => [k, merge(a[k], u[k], `${path}.${k}`)]));
  }
  return after;
}

interface PlanResource extends TerraformResource {
  readonly actions: readonly string[];
}

function moduleResources(mod: unknown, path: string, out: PlanResource[]): void {
  if (!isObject(mod)) return;
  (Array.isArray(mod.resources) ? mod.resources : []).forEach((r, i) => {
    if (isObject(r) && r.mode !== "data" && typeof r.type === "string" && isObject(r.values)) out.push({ address: String(r.address), type: r.type, values: r.values, path: `${path}.resources[${i}].values`, actions: [] });
  });
  (Array.isArray(mod.child_modules) ? mod.child_modules : []).forEach((m, i) => moduleResources(m, `${path}.child_modules[${i}]`, out));
}

/**
 * The plan's resources: from `resource_changes` when it lists any; else from `planned_values` (a plan
 * without changes, or one written without them), or `values` (a state), root module and child modules.
 * A document with none of these is an InputError naming the file.
 */
function planResources(doc: JsonObject, file: string): PlanResource[] {
  const out: PlanResource[] = [];
  if (Array.isArray(doc.resource_changes) && doc.resource_changes.length > 0) {
    doc.resource_changes.forEach((rc, i) => {
      if (!isObject(rc) || rc.mode === "data" || typeof rc.type !== "string" || !isObject(rc.change)) return;
      const actions = Array.isArray(rc.change.actions) ? rc.change.actions.map(String) : [];
      if (actions.length === 1 && actions[0] === "delete") return;
      const path = `resource_changes[${i}].change.after`;
      const values = merge(rc.change.after, rc.change.after_unknown, path);
      if (isObject(values)) out.push({ address: String(rc.address), type: rc.type, values, path, actions });
    });
    return out;
  }
  const [key, modules] = isObject(doc.planned_values) ? ["planned_values", doc.planned_values] : isObject(doc.values) ? ["values", doc.values] : [undefined, undefined];
  if (key === undefined) {
    const changes = Array.isArray(doc.resource_changes) ? "an empty resource_changes" : "no resource_changes";
    throw new InputError(file, "", `a Terraform plan with ${changes} and no planned_values (nor the values of a state): nothing says what the plan makes; give the output of 'terraform show -json PLANFILE'`, { detected: "tfplan" });
  }
  moduleResources(modules.root_module, `${key}.root_module`, out);
  return out;
}

/** The configuration's expressions of every resource, by address (root module and module calls). */
function configExpressions(doc: JsonObject): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  const walk = (mod: unknown, prefix: string): void => {
    if (!isObject(mod)) return;
    for (const r of Array.isArray(mod.resources) ? mod.resources : []) if (isObject(r) && isObject(r.expressions)) out.set(`${prefix}${String(r.address)}`, r.expressions);
    if (isObject(mod.module_calls)) for (const [name, call] of Object.entries(mod.module_calls)) if (isObject(call)) walk(call.module, `${prefix}module.${name}.`);
  };
  if (isObject(doc.configuration)) walk(doc.configuration.root_module, "");
  return out;
}

const BLOCK_LISTS: Readonly<Record<string, string>> = { azurerm_network_security_group: "security_rule", azurerm_route_table: "route", azurerm_virtual_network: "subnet" };

/**
 * Fills what the plan leaves unknown but the configuration decides: a reference to another resource's
 * id or name, and an inline block list the configuration does not set on a resource being created
 * (Azure then holds only what separate resources add: `azurerm_network_security_rule`...).
 */
function settleFromConfig(resources: readonly PlanResource[], expressions: Map<string, JsonObject>): PlanResource[] {
  const byAddress = new Map(resources.map((r) => [r.address.replace(/\[[^\]]*\]$/, ""), r]));
  const prefixOf = (address: string) => /^((?:module\.[^.]+\.)*)/.exec(address)?.[1] ?? "";
  return resources.map((r) => {
    const expr = expressions.get(r.address.replace(/\[[^\]]*\]$/, "")) ?? {};
    const values: JsonObject = { ...r.values };
    for (const [key, v] of Object.entries(values)) {
      if (!isUnknown(v)) continue;
      const e = ownValue(expr, key);
      const refs = isObject(e) && Array.isArray(e.references) ? e.references.map(String) : [];
      const listKey = ownValue(BLOCK_LISTS, r.type);
      if (key === listKey && e === undefined && r.actions.includes("create") && !r.actions.includes("delete")) {
        values[key] = [];
        continue;
      }
      for (const ref of refs) {
        const m = /^([a-z0-9_]+\.[A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.(id|name)$/.exec(ref);
        const target = m ? byAddress.get(`${prefixOf(r.address)}${m[1]}`) : undefined;
        if (!m || !target) continue;
        const value = m[2] === "id" ? azurermId(target.type, target.values) : target.values.name;
        if (typeof value === "string") values[key] = value;
        break;
      }
    }
    return { ...r, values };
  });
}

/** Reads a Terraform plan (or state) JSON document. */
export function readTerraformPlan(doc: JsonObject, file: string): { network: AzureNetwork; found: string[] } {
  const resources = settleFromConfig(planResources(doc, file), configExpressions(doc));
  return { network: readAzurerm(resources), found: resources.map((r) => r.type) };
}

/**
 * `az` JSON and Azure Resource Graph results into the model. Both print resources as Azure returns them:
 * `az network ... show` flattens `properties` into the object (`securityRules`, `defaultSecurityRules`,
 * `routes`, `ruleCollections` at top level), `az resource show`, `az rest` and Resource Graph keep them
 * under `properties`; both are read. Strings are data here, never ARM expressions. A resource's kind comes
 * from its `type`, else from its shape, else from its `id`; a child (a rule collection group, a security
 * rule, a subnet) finds its parent by the name in its `id`.
 */
import { unknownValue, type Maybe } from "../unknown.js";
import { FieldReader, LITERAL, type JsonObject } from "./arm-values.js";
import { isObject } from "./input.js";
import { CHILD_TYPES, FIREWALL, IP_GROUP, NetworkBuilder, NSG, ROUTE, ROUTE_TABLE, RULE_COLLECTION_GROUP, SECURITY_RULE, SUBNET, VNET } from "./network-builder.js";
import type { AzureNetwork } from "../model.js";
import { parseResourceId, type ResourceIdParts } from "./resource-id.js";

/** Whether `o` (or its `properties`) has any of `keys`. */
function has(o: JsonObject, ...keys: string[]): boolean {
  const p = isObject(o.properties) ? o.properties : o;
  return keys.some((k) => p[k] !== undefined || o[k] !== undefined);
}

/** The lower-case type of a resource object: its `type`, else its shape, else its `id`. */
export function resourceTypeOf(o: JsonObject): string | undefined {
  if (typeof o.type === "string" && o.type.includes("/")) return o.type.toLowerCase();
  if (has(o, "securityRules", "defaultSecurityRules")) return NSG;
  if (has(o, "ruleCollections")) return RULE_COLLECTION_GROUP;
  if (has(o, "applicationRuleCollections", "networkRuleCollections", "natRuleCollections")) return FIREWALL;
  if (has(o, "ipAddresses")) return IP_GROUP;
  if (has(o, "nextHopType")) return ROUTE;
  if (has(o, "priority") && has(o, "direction") && has(o, "access")) return SECURITY_RULE;
  if (has(o, "routes", "disableBgpRoutePropagation")) return ROUTE_TABLE;
  if (has(o, "subnets", "addressSpace")) return VNET;
  const fromId = typeof o.id === "string" ? parseResourceId(o.id)?.type.toLowerCase() : undefined;
  if (fromId !== undefined) return fromId;
  if (has(o, "addressPrefix", "addressPrefixes") && has(o, "networkSecurityGroup", "routeTable", "delegations", "serviceEndpoints", "ipConfigurations")) return SUBNET;
  return undefined;
}

/** The rows of an export's `data` array with their paths (`data[i]`), as they come. */
export function* dataRows(rows: Iterable<unknown>): Generator<[unknown, string]> {
  let i = 0;
  for (const row of rows) yield [row, `data[${i++}]`];
}

/** The resources of a Resource Graph result: `{ data: [...] }` (az graph query), the REST table form, or rows alone. */
export function graphRows(doc: unknown): Array<[unknown, string]> {
  if (Array.isArray(doc)) return doc.map((r, i) => [r, `[${i}]`]);
  if (!isObject(doc)) return [];
  const data = doc.data;
  if (Array.isArray(data)) return [...dataRows(data)];
  if (isObject(data) && Array.isArray(data.columns) && Array.isArray(data.rows)) {
    const names = data.columns.map((c) => (isObject(c) && typeof c.name === "string" ? c.name : ""));
    return data.rows.map((row, i) => [Array.isArray(row) ? Object.fromEntries(names.map((n, k) => [n, row[k]])) : row, `data.rows[${i}]`]);
  }
  return [[doc, ""]];
}

/** The objects of `az` output: one object, an array of them, or a list result (`{ value: [...] }`). */
export function azObjects(doc: unknown): Array<[unknown, string]> {
  if (Array.isArray(doc)) return doc.map((r, i) => [r, `[${i}]`]);
  if (isObject(doc) && Array.isArray(doc.value) && doc.type === undefined) return doc.value.map((r, i) => [r, `value[${i}]`]);
  return [[doc, ""]];
}

const join = (base: string, key: string): string => (base === "" ? key : `${base}.${key}`);

export interface ResourceListResult {
  readonly network: AzureNetwork;
  /** Lower-case types of the resources met ("" for an object of no known kind). */
  readonly found: readonly string[];
}

/** Reads resource objects as Azure returns them (az, Resource Graph) into the model. */
export function readResourceObjects(objects: Iterable<[unknown, string]>, onInvalid: (path: string, value: unknown, reason: string) => never): ResourceListResult {
  const reader = new FieldReader(LITERAL, true);
  const b = new NetworkBuilder();
  const found: string[] = [];
  for (const [o, path] of objects) {
    if (!isObject(o)) onInvalid(path, o, "expected a resource object");
    const type = resourceTypeOf(o);
    if (type === undefined) {
      found.push(typeof o.type === "string" ? o.type : "");
      continue;
    }
    found.push(type);
    // The id is parsed only when a name comes from it: a row of an export names itself.
    let parsed: { readonly id: ResourceIdParts | undefined } | undefined;
    const id = (): ResourceIdParts | undefined => (parsed ??= { id: typeof o.id === "string" ? parseResourceId(o.id) : undefined }).id;
    const name = (): Maybe<string> => reader.string(o.name ?? id()?.names.at(-1) ?? unknownValue(join(path, "name"), "not given"), join(path, "name"));
    const parentName = (): Maybe<string> => id()?.names[0] ?? unknownValue(join(path, "id"), "the parent is not named: no resource id");
    b.add({ res: o, path, type, reader, name, ...(CHILD_TYPES.has(type) ? { parentName } : {}) });
    // A firewall policy shown with its groups inline (full objects, not only ids) gives them too.
    const groups = isObject(o.properties) ? o.properties.ruleCollectionGroups : o.ruleCollectionGroups;
    if (type === "microsoft.network/firewallpolicies" && Array.isArray(groups)) {
      groups.forEach((g, i) => {
        if (isObject(g) && has(g, "ruleCollections")) {
          const at = `${join(path, isObject(o.properties) ? "properties.ruleCollectionGroups" : "ruleCollectionGroups")}[${i}]`;
          b.add({ res: g, path: at, type: RULE_COLLECTION_GROUP, reader, name: () => reader.string(g.name, `${at}.name`), parentName: name });
        }
      });
    }
  }
  return { network: b.result(), found };
}

/**
 * Resource ids: what `resourceId()` and its friends build, and the parts of an id, so that a subnet's
 * `networkSecurityGroup.id` finds its NSG whatever form wrote it (an ARM expression, `az` output, a
 * Terraform reference). A part the input does not decide is written as the REST reference writes a
 * path parameter: `{subscriptionId}`, `{resourceGroupName}`.
 */
import { notKnown, ok, type ArmJson, type DeploymentTarget, type Evaluation } from "./arm-expression.js";

export const SUBSCRIPTION_PLACEHOLDER = "{subscriptionId}";
export const RESOURCE_GROUP_PLACEHOLDER = "{resourceGroupName}";

export interface ResourceIdParts {
  /** Undefined when the id holds the placeholder (the deployment decides it). */
  readonly subscriptionId?: string;
  readonly resourceGroup?: string;
  /** `Microsoft.Network/virtualNetworks/subnets`, as written. */
  readonly type: string;
  /** One name per type segment after the namespace: `["vnet", "snet"]`. */
  readonly names: readonly string[];
}

/** The id of a resource of `type` named `names`, in the given subscription and resource group (placeholders where not known). */
export function resourceIdOf(type: string, names: readonly string[], at: DeploymentTarget = {}): string {
  const [namespace, ...types] = type.split("/");
  const path = types.map((t, i) => `${t}/${names[i] ?? ""}`).join("/");
  return `/subscriptions/${at.subscriptionId ?? SUBSCRIPTION_PLACEHOLDER}/resourceGroups/${at.resourceGroup ?? RESOURCE_GROUP_PLACEHOLDER}/providers/${namespace}/${path}`;
}

/** The parts of a resource id (`/subscriptions/../resourceGroups/../providers/Ns/type/name[/type/name]`), or undefined when it is not one. */
export function parseResourceId(id: string): ResourceIdParts | undefined {
  const segments = id.split("/");
  if (segments[0] !== "") return undefined;
  let i = 1;
  let subscriptionId: string | undefined;
  let resourceGroup: string | undefined;
  if (segments[i]?.toLowerCase() === "subscriptions") {
    subscriptionId = segments[i + 1];
    i += 2;
    if (segments[i]?.toLowerCase() === "resourcegroups") {
      resourceGroup = segments[i + 1];
      i += 2;
    }
  }
  if (segments[i]?.toLowerCase() !== "providers") return undefined;
  const namespace = segments[i + 1];
  const rest = segments.slice(i + 2);
  if (!namespace || rest.length < 2 || rest.length % 2 !== 0 || rest.some((s) => s === "")) return undefined;
  const types = rest.filter((_, k) => k % 2 === 0);
  const names = rest.filter((_, k) => k % 2 === 1);
  const known = (v: string | undefined, placeholder: string) => (v === undefined || v === placeholder ? undefined : v);
  const sub = known(subscriptionId, SUBSCRIPTION_PLACEHOLDER);
  const rg = known(resourceGroup, RESOURCE_GROUP_PLACEHOLDER);
  return { ...(sub !== undefined ? { subscriptionId: sub } : {}), ...(rg !== undefined ? { resourceGroup: rg } : {}), type: [namespace, ...types].join("/"), names };
}

/** Whether an id names a resource of `type` (case-insensitive, as Azure compares them); the names when it does. */
export function namesIn(id: string, type: string): readonly string[] | undefined {
  const parts = parseResourceId(id);
  return parts && parts.type.toLowerCase() === type.toLowerCase() ? parts.names : undefined;
}

/** `resourceId([subscriptionId], [resourceGroupName], type, names...)` and `subscriptionResourceId`, `tenantResourceId`. */
export function resourceIdFunction(fn: "resourceId" | "subscriptionResourceId" | "tenantResourceId", args: readonly ArmJson[], target: DeploymentTarget | undefined): Evaluation {
  if (!args.every((a) => typeof a === "string")) return notKnown(`${fn}() takes strings`);
  const strings = args as string[];
  const typeAt = strings.findIndex((s) => /^[^/]+\.[^/]+\/[^/]+/.test(s));
  if (typeAt < 0) return notKnown(`${fn}() has no resource type`);
  const type = strings[typeAt] as string;
  const names = strings.slice(typeAt + 1);
  if (names.length !== type.split("/").length - 1) return notKnown(`${fn}() of ${type} needs ${type.split("/").length - 1} name(s), got ${names.length}`);
  const before = strings.slice(0, typeAt);
  const [namespace, ...types] = type.split("/");
  const path = `providers/${namespace}/${types.map((t, i) => `${t}/${names[i]}`).join("/")}`;
  if (fn === "tenantResourceId") return ok(`/${path}`);
  if (fn === "subscriptionResourceId") return ok(`/subscriptions/${before[0] ?? target?.subscriptionId ?? SUBSCRIPTION_PLACEHOLDER}/${path}`);
  const [sub, rg] = before.length === 2 ? before : before.length === 1 ? [target?.subscriptionId, before[0]] : [target?.subscriptionId, target?.resourceGroup];
  return ok(resourceIdOf(type, names, { ...(sub !== undefined ? { subscriptionId: sub } : {}), ...(rg !== undefined ? { resourceGroup: rg } : {}) }));
}

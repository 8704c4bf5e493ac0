/** References between resources (ARM's SubResource ids) resolved to resources of the input by name. */
import type { SubResource } from "../model.js";
import { isUnknown } from "../unknown.js";
import { describeUnknown } from "./terms.js";

export interface RefName {
  /** The lower-case name the id ends with. */
  readonly name?: string;
  /** Why the name is not known. */
  readonly reason?: string;
}

/** The last segment of a resource id (`.../networkSecurityGroups/nsg-a` -> `nsg-a`), lower-cased. */
export function refName(ref: SubResource): RefName {
  if (isUnknown(ref.id)) return { reason: describeUnknown(ref.id) };
  const segments = ref.id.split("/").filter((s) => s !== "");
  const last = segments[segments.length - 1];
  return last === undefined ? { reason: `the resource id ${JSON.stringify(ref.id)} names no resource` } : { name: last.toLowerCase() };
}

/** The resource of `list` the reference names (names compared without regard to case). */
export function resolveRef<T extends { readonly name: unknown }>(ref: SubResource, list: readonly T[], what: string): { readonly found?: T; readonly name?: string; readonly reason?: string } {
  const r = refName(ref);
  if (r.name === undefined) return { reason: `the ${what} reference is not known: ${r.reason}` };
  const found = list.find((x) => typeof x.name === "string" && x.name.toLowerCase() === r.name);
  return found ? { found, name: found.name as string } : { name: r.name, reason: `${what} ${r.name} is not in the input` };
}

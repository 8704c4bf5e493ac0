/**
 * A flow's path as a chain of stages (NSG, routes, firewall, the subnet's way out, the destination's
 * NSG), each splitting the flow's region by what decides it. The result is the flow's region cut into
 * outcomes: passed, blocked (by which step) or either (a value the input does not give decides), with the
 * steps that decided each part.
 */
import type { FirewallOutcome } from "./firewall.js";
import type { NsgOutcome } from "./nsg.js";
import { intersect, isEmpty, type Region } from "./region.js";
import type { PathStep, UnknownCause } from "./report.js";
import type { RouteOutcome } from "./routes.js";
import { walkFirstMatch, type WalkRule } from "./walk.js";

/** 1: gets through; 2: blocked; 3: either, as values the input does not give decide. */
export type Fates = 1 | 2 | 3;

export interface Outcome {
  readonly region: Region;
  readonly fates: Fates;
  /** The steps that decided this part, in path order (for a blocked part, ending with the step that blocks). */
  readonly steps: readonly PathStep[];
  readonly blockedBy?: PathStep;
  readonly causes: readonly UnknownCause[];
  /** Whether a layer of the input decided anything on this part's path. */
  readonly fromInput: boolean;
}

export interface Trail {
  readonly steps: readonly PathStep[];
  readonly causes: readonly UnknownCause[];
  /** An earlier stage may have blocked this part (a value not known decides). */
  readonly maybeBlocked: boolean;
  readonly fromInput: boolean;
}

export const START: Trail = { steps: [], causes: [], maybeBlocked: false, fromInput: false };

export type Next = (region: Region, trail: Trail) => Outcome[];

/** The trail with more steps and causes (the lists are never changed: an empty addition keeps the trail's own). */
function extend(trail: Trail, steps: readonly PathStep[], causes: readonly UnknownCause[], maybeBlocked: boolean, fromInput: boolean): Trail {
  return {
    steps: steps.length === 0 ? trail.steps : trail.steps.length === 0 ? steps : [...trail.steps, ...steps],
    causes: causes.length === 0 ? trail.causes : trail.causes.length === 0 ? causes : [...trail.causes, ...causes],
    maybeBlocked: trail.maybeBlocked || maybeBlocked,
    fromInput: trail.fromInput || fromInput,
  };
}

export function blocked(region: Region, trail: Trail, by: PathStep, fromInput: boolean): Outcome[] {
  return isEmpty(region) ? [] : [{ region, fates: 2, steps: [...trail.steps, by], blockedBy: by, causes: trail.causes, fromInput: trail.fromInput || fromInput }];
}

/** The end of the path: what reaches it gets through (or may, when an earlier stage may have blocked it). */
export const arrive: Next = (region, trail) => (isEmpty(region) ? [] : [{ region, fates: trail.maybeBlocked ? 3 : 1, steps: trail.steps, causes: trail.causes, fromInput: trail.fromInput }]);

/** An allow/deny layer (NSG, firewall): allowed parts go on, denied parts stop, unsure parts go on marked. */
export function filterStage<O extends NsgOutcome | FirewallOutcome>(rules: readonly WalkRule<O>[], fromInput: boolean, next: Next): Next {
  return (region, trail) => {
    if (isEmpty(region)) return [];
    const walk = walkFirstMatch(region, rules);
    const out: Outcome[] = [];
    for (const d of walk.decided) {
      if (d.outcome === "Allow") out.push(...next(d.region, extend(trail, [d.step], [], false, fromInput)));
      else out.push(...blocked(d.region, trail, d.step, fromInput));
    }
    for (const u of walk.uncertain) {
      const mayPass = u.outcomes.includes("Allow" as O);
      const mayBlock = u.outcomes.includes("Deny" as O);
      const last = u.steps[u.steps.length - 1] as PathStep;
      if (!mayPass) out.push(...blocked(u.region, extend(trail, [], u.causes, false, fromInput), last, fromInput));
      else out.push(...next(u.region, extend(trail, u.steps, u.causes, mayBlock, fromInput)));
    }
    // Only without default rules (a layer that ends without a catch-all): nothing stopped it.
    if (!isEmpty(walk.rest)) out.push(...next(walk.rest, trail));
    return out;
  };
}

/** Combines what the branches of an unsure choice do with the same region: each part gets the union of their fates. */
export function overlay(branches: readonly Outcome[][]): Outcome[] {
  let acc = branches[0] ?? [];
  for (const b of branches.slice(1)) {
    const next: Outcome[] = [];
    for (const x of acc) {
      for (const y of b) {
        const r = intersect(x.region, y.region);
        if (isEmpty(r)) continue;
        const fates = (x.fates | y.fates) as Fates;
        const pick = x.fates === 2 || fates !== 2 ? x : y;
        next.push({ region: r, fates, steps: pick.steps, ...(pick.blockedBy ? { blockedBy: pick.blockedBy } : {}), causes: [...x.causes, ...y.causes], fromInput: x.fromInput || y.fromInput });
      }
    }
    acc = next;
  }
  return acc;
}

/** The route layer: each next hop leads to its own rest of the path. */
export function routeStage(rules: readonly WalkRule<RouteOutcome>[], fromInput: boolean, branch: (hop: RouteOutcome, step: PathStep) => Next): Next {
  return (region, trail) => {
    if (isEmpty(region)) return [];
    const walk = walkFirstMatch(region, rules);
    const out: Outcome[] = [];
    for (const d of walk.decided) out.push(...branch(d.outcome, d.step)(d.region, extend(trail, [d.step], [], false, fromInput)));
    for (const u of walk.uncertain) {
      const t = extend(trail, [], u.causes, false, fromInput);
      const last = u.steps[u.steps.length - 1] as PathStep;
      out.push(...overlay(u.outcomes.map((hop) => branch(hop, last)(u.region, extend(t, [last], [], false, false)))));
    }
    return out;
  };
}

/** Deterministic priority allocation shared by every target that orders rules by number. */

export interface PriorityPlan {
  /** First priority handed out. */
  readonly start: number;
  /** Gap between two consecutive priorities. */
  readonly step: number;
  /** Smallest allowed priority. */
  readonly min: number;
  /** Largest allowed priority. */
  readonly max: number;
}

export class PriorityRangeError extends Error {
  constructor(
    readonly needed: number,
    readonly plan: PriorityPlan,
  ) {
    super(
      `${needed} priorities from ${plan.start} in steps of ${plan.step} would pass ${plan.max} (allowed ${plan.min}-${plan.max}); lower the start or the step`,
    );
    this.name = "PriorityRangeError";
  }
}

/** Priorities for `count` items in order: start, start+step, ... Throws before any passes `max`. */
export function allocatePriorities(count: number, plan: PriorityPlan): number[] {
  if (!Number.isInteger(plan.start) || plan.start < plan.min || plan.start > plan.max)
    throw new RangeError(`priority start must be an integer from ${plan.min} to ${plan.max} (value: ${plan.start})`);
  if (!Number.isInteger(plan.step) || plan.step < 1) throw new RangeError(`priority step must be a positive integer (value: ${plan.step})`);
  if (count > 0 && plan.start + (count - 1) * plan.step > plan.max) throw new PriorityRangeError(count, plan);
  return Array.from({ length: count }, (_, i) => plan.start + i * plan.step);
}

/**
 * The oracle of the optimised evaluator: `src/evaluate/` as it was before it was optimised for scale
 * (commit 99185fa, issue 14 item 6), kept verbatim but for its import paths. It walks every rule of every
 * layer for every flow with the interval algebra and shares nothing between subjects: slow, and
 * straightforward. `evaluate-reference.property.test.ts` compares the optimised reports with its reports,
 * field by field, on generated networks. Do not optimise this copy.
 */
export { evaluateNetwork, evaluateWithTrace } from "./evaluate.js";

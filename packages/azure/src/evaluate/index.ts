/** The evaluator: what Azure does with each required flow (see the package README, "The evaluator"). */
export { audit, type AuditOptions } from "./audit.js";
export { evaluateNetwork } from "./evaluate.js";
export type * from "./report.js";
export { VERDICTS } from "./report.js";

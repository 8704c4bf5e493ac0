/** The evaluator: what Azure does with each required flow (see the package README, "The evaluator"). */
export { audit, auditSubjects, type AuditInput, type AuditOptions } from "./audit.js";
export { evaluateNetwork, evaluateSubjects } from "./evaluate.js";
export { failsAudit, summaryFails, type FailOn } from "./failure.js";
export type * from "./report.js";
export { VERDICTS } from "./report.js";

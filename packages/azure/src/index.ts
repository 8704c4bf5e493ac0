/**
 * @cassandra-mi-netrules/azure: one typed model of an Azure network (network security groups with Azure's
 * default rules, route tables, firewall policies and rule collection groups, classic Azure Firewall rules,
 * IP groups, subnets), the planners that write it from resolved rules, the renderers that turn it into ARM
 * templates and `az` scripts, and the readers that turn every input form (ARM, `az`, Resource Graph,
 * Terraform plans and HCL) back into it.
 */
export * from "./model.js";
export { assertKnown, isParameter, isUnknown, unknownsIn, unknownValue, UnknownValueError, type Known, type Maybe, type Parameter, type Unknown } from "./unknown.js";
export { AZURE_NAME_PATTERN, AZURE_NAME_RULE, azureName, FIREWALL_LIMITS, NSG_LIMITS, ROUTE_TABLE_LIMITS } from "./names.js";
export { chooseTagForms, type TagFeature, type TagFormChoice } from "./tags.js";
export { armStringLiteral, armTemplateMetadata, escapeArmString, escapeArmStrings, isArmExpression } from "./render/arm-strings.js";
export { DEPLOYMENT_TEMPLATE_SCHEMA, NETWORK_API_VERSION, type ArmRenderOptions } from "./render/arm-template.js";
export { planNsg, NSG_DENY_RULE_NAME, NSG_VIA_FIREWALL_RULE_NAME, type NsgPlan, type NsgPlanOptions } from "./plan/nsg.js";
export { checkResolvedRules, FQDN_PATTERN, ResolvedRulesError, SERVICE_TAG_PATTERN } from "./plan/check-rules.js";
export {
  FIREWALL_OPTION_KEYS,
  NSG_OPTION_KEYS,
  ROUTE_TABLE_OPTION_KEYS,
  settleFirewallPolicyOptions,
  settleNsgOptions,
  settleRouteTableOptions,
  type FirewallPolicyOptions,
  type NsgOptions,
  type OptionFailure,
  type RouteTableOptions,
} from "./plan/options.js";
export { APPLICATION_COLLECTION, CLUSTER_SUBNET_PARAMETER, NETWORK_COLLECTION, planFirewallPolicy, type FirewallPolicyPlan, type FirewallPolicyPlanOptions } from "./plan/firewall-policy.js";
export { renderNsgTemplate } from "./render/arm-nsg.js";
export { renderFirewallPolicyTemplate, type FirewallPolicyModel } from "./render/arm-firewall.js";
export { readArmTemplate, type ArmReadOptions } from "./read/arm.js";
export { ArmReadError, TemplateScope } from "./read/arm-values.js";
export { ArmExpressionError, evaluateArmExpression, parseArmExpression, type ArmExpressionNode, type ArmJson, type DeploymentTarget, type Evaluation, type ExpressionScope } from "./read/arm-expression.js";
export {
  detectJsonFormat,
  FORMAT_NAMES,
  INPUT_FORMATS,
  INPUT_LIMITS,
  InputError,
  namesIn,
  parseResourceId,
  readGraphExportPieces,
  readNetwork,
  RESOURCE_GROUP_PLACEHOLDER,
  resourceIdOf,
  SUBSCRIPTION_PLACEHOLDER,
  type InputDocument,
  type InputErrorDetails,
  type InputFormat,
  type InputLimit,
  type ReadOptions,
  type ReadResult,
  type ResourceIdParts,
} from "./read/index.js";
export { planRouteTable, type RouteSample, type RouteTablePlan, type RouteTablePlanOptions } from "./plan/route-table.js";
export { renderRouteTableTemplate, type RouteTableRenderOptions } from "./render/arm-route-table.js";
export { renderRouteTableAzScript, shellQuote, type RouteTableScriptOptions } from "./render/az-route-table.js";
export { NON_PUBLIC_PREFIXES } from "./evaluate/address-set.js";
export {
  audit,
  auditSubjects,
  evaluateNetwork,
  evaluateSubjects,
  failsAudit,
  summaryFails,
  VERDICTS,
  type AlternativeKind,
  type AlternativeVerdict,
  type AuditInput,
  type AuditOptions,
  type AuditOutline,
  type AuditReport,
  type AuditStatus,
  type AuditSummary,
  type BlockedPart,
  type EvaluateOptions,
  type FailOn,
  type Finding,
  type FlowVerdict,
  type PathStep,
  type RequirementVerdict,
  type SubjectReport,
  type SubjectStream,
  type UnknownCause,
  type Verdict,
} from "./evaluate/index.js";
/** The containment table of service tags (from the vendored service-tags file) the evaluator uses without a file; the OPA bundle ships a cut of it. */
export { BUNDLED_TAG_TABLE } from "./generated/tag-table.js";
export type { BundledTagTable } from "./evaluate/tag-table-types.js";
export * from "./azurerm.js";
export { attribute, blank, block, comment, escapeHclString, expression, HCL_IDENTIFIER, hclString, object, renderHcl, type HclAttribute, type HclBlock, type HclExpression, type HclItem, type HclObject, type HclValue } from "./render/hcl.js";
/** The HCL reader's parts the Terraform target's tests check its files with: HashiCorp's parser, its string templates, the locals. */
export { hclToJson } from "./read/hcl-parser.js";
export { readHclLocals, templateParts } from "./read/hcl.js";
export { renderTerraform, routeResourceLabels, TERRAFORM_RESOURCE_LABEL, type TerraformLocal, type TerraformModel, type TerraformRenderOptions } from "./render/terraform.js";

/**
 * @cassandra-mi-netrules/core: the network rules of Azure Managed Instance for Apache Cassandra as a
 * typed, versioned dataset, with every documented revision, a resolver and what emitters share.
 */
export * from "./types.js";
export {
  allRequirements,
  currentRevision,
  dataHash,
  features,
  getRegion,
  getRequirement,
  getRevision,
  regions,
  requiredRules,
  revisions,
  serviceTagCatalog,
  UnknownNameError,
  version,
  coreMajor,
} from "./dataset.js";
export { describeWireRule, diffRevisionData, diffRevisions, wireRule, type RequirementChange, type RevisionDiff, type RuleField, type WireDestination, type WireRule, type WordingChange } from "./diff.js";
export { ResolveError, resolveRules, SUBNET_PREFIX_LENGTHS } from "./resolve.js";
export { CidrError, cidrContains, formatAddress, isCidr, mergedPrefixFamily, mergePrefixes, parseCidr, splitByFamily, type ParsedCidr } from "./cidr.js";
/** @internal For the service-tags subpath, built apart from this entry: one registry of merged lists. Not in the typings. */
export { markMergedPrefixList } from "./cidr.js";
export { canonicalJson, compareStrings, sortBy, uniqueSorted } from "./order.js";
export { ownValue, ownValueAnyCase } from "./own.js";
export { nearest } from "./suggest.js";
export { formatPortRange, mergePortRanges, portsCover } from "./emit/ports.js";
export { allocatePriorities, PriorityRangeError, type PriorityPlan } from "./emit/priorities.js";
export { EmitterRegistry } from "./emit/registry.js";
export { EmitterOptionError, unknownOptionReason } from "./emit/option-error.js";
export { artifactStamp, stampLines, type ArtifactStamp } from "./emit/stamp.js";
export { listSome, shortHash } from "./emit/text.js";
export { getUdrAdvice, udrAdvice } from "./udr.js";

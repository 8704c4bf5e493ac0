/**
 * @cassandra-mi-netrules/emit-opa: an OPA policy bundle (Rego v1 + data document; tests and fixtures on
 * request) that audits an ARM template, `az` JSON or a Terraform plan against the resolved requirements.
 */
import { coreMajor, sortBy, type CoverageEntry, type EmitResult, type EmittedFile, type Emitter, type ResolvedRules } from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };
import { opaOptions } from "./options.js";
import { jsonFile as json, testFiles } from "./bundle.js";
import { buildPolicyDocument, type PolicyDocument } from "./document.js";
import { POLICY_MODULE, POLICY_PACKAGE } from "./policy.js";

export const version: string = pkg.version;

export interface OpaOptions {
  /** Ship the `_test.rego` module, the fixtures and the synthetic document they also test with (default false). */
  readonly includeTests?: boolean;
}

/** The policy's data document for these rules, as this package's version writes it (`data.cassandra_mi.requirements`). */
export function policyDocument(resolved: ResolvedRules): PolicyDocument {
  return buildPolicyDocument(resolved, "@cassandra-mi-netrules/emit-opa", version);
}

function coverageOf(doc: PolicyDocument): CoverageEntry[] {
  return Object.entries(doc.requirements).map(([ruleId, req]): CoverageEntry => {
    const checked = req.alternatives.filter((a) => a.flows.some((f) => !f.notAuditable));
    const how = `audited by data.${POLICY_PACKAGE}: ${checked.map((a) => a.label).join("; or ")}`;
    if (checked.length === 0) {
      return {
        ruleId,
        status: "unsupported",
        how: "not audited",
        why: `its only alternatives are FQDN patterns with {region} (${req.unresolvedFqdns.join(", ")}); give the regions to audit them`,
      };
    }
    if (req.unresolvedFqdns.length > 0) {
      return {
        ruleId,
        status: "approximated",
        how,
        why: `FQDN patterns ${req.unresolvedFqdns.join(", ")} are not checked because no region was given; give the regions to audit them`,
      };
    }
    return { ruleId, status: "enforced", how, why: "" };
  });
}

/**
 * Emits the bundle: `.manifest`, `data.json` (the flows and the containment table) and
 * `policy/cassandra_mi/network.rego`; with `includeTests`, also `policy/cassandra_mi/network_test.rego`,
 * the fixtures under `cassandra_mi/fixtures/<name>/data.json` (`data.cassandra_mi.fixtures`) and the
 * synthetic document they also test with (`cassandra_mi/synthetic/data.json`).
 */
export function emitOpaBundle(resolved: ResolvedRules, options: OpaOptions = {}): EmitResult {
  const settled = opaOptions.settle(options);
  const doc = policyDocument(resolved);
  const files: EmittedFile[] = [
    {
      path: ".manifest",
      content: json({ revision: `${doc.stamp.revision}+${doc.stamp.dataHash.slice(0, 12)}`, roots: ["cassandra_mi"], rego_version: 1, metadata: { stamp: doc.stamp } }),
    },
    { path: "data.json", content: json({ cassandra_mi: { requirements: doc } }) },
    { path: "policy/cassandra_mi/network.rego", content: POLICY_MODULE },
  ];
  if (settled.includeTests) files.push(...testFiles(doc));
  return { files: sortBy(files, (f) => f.path), coverage: coverageOf(doc) };
}

export const emitter: Emitter<OpaOptions> = {
  name: "opa",
  description: "OPA policy bundle (Rego v1 and its data document; tests and fixtures with includeTests) that audits an ARM template, az JSON or a Terraform plan",
  emit: emitOpaBundle,
  options: opaOptions,
  coreMajor,
  package: { name: "@cassandra-mi-netrules/emit-opa", version },
  files: [".manifest", "data.json", "policy/**", "cassandra_mi/**"],
};

export { buildPolicyDocument } from "./document.js";
export type { Alternative as PolicyAlternative, AlternativeType, DocumentRequirement as PolicyRequirement, Family, Flow, FlowDestination, PolicyDocument, TagEntry } from "./document.js";
export { bundleFixtures, SYNTHETIC_DOCUMENT, testFiles, type BundleFixture, type FixtureExpectation, type JsonPatchOperation, type Verdict } from "./bundle.js";
export { armRuleCollectionGroup, armSecurityRule, azSecurityRule, completeConfig, toArmTemplate, toAzJson, toTerraformPlan } from "./fixtures.js";
export type { AppRuleSpec, CollectionSpec, ConfigSpec, Json, NetRuleSpec, NsgRuleSpec, NsgSpec, PortLeaf, PortSink, RuleCollectionGroupSpec } from "./fixtures.js";
export { POLICY_MODULE, POLICY_PACKAGE, TEST_MODULE } from "./policy.js";
export { cutTable, decodeRuns, tableRelation, type CutTable, type TableEntry, type TagTable } from "./tag-table.js";

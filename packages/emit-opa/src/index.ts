/**
 * @cassandra-mi-netrules/emit-opa: an OPA policy bundle (Rego v1 + data document + tests + fixtures)
 * that audits an ARM template, `az` JSON or a Terraform plan against the resolved requirements.
 */
import { coreMajor, sortBy, type CoverageEntry, type EmitResult, type EmittedFile, type Emitter, type ResolvedRules } from "@cassandra-mi-netrules/core";
import pkg from "../package.json" with { type: "json" };
import { opaOptions } from "./options.js";
import { jsonFile as json, testFiles } from "./bundle.js";
import { buildRequirementsDocument, NEEDS_PHRASE, type RequirementsDocument } from "./document.js";
import { POLICY_PACKAGE, policyModule } from "./policy.js";

export const version: string = pkg.version;

export interface OpaOptions {
  /** Ship the fixtures and the `_test.rego` module (default true). */
  readonly includeTests?: boolean;
}

/** The requirements document for these rules, as this package's version writes it. */
export function requirementsDocument(resolved: ResolvedRules): RequirementsDocument {
  return buildRequirementsDocument(resolved, "@cassandra-mi-netrules/emit-opa", version);
}

function coverageOf(doc: RequirementsDocument): CoverageEntry[] {
  return Object.entries(doc.requirements).map(([ruleId, req]): CoverageEntry => {
    const how = `audited by data.${POLICY_PACKAGE}: ${req.alternatives.map((a) => `${a.label} (${NEEDS_PHRASE[a.type]})`).join("; or ")}`;
    if (req.alternatives.length === 0) {
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
 * Emits the bundle: `.manifest`, `data.json` (the requirements), `policy/cassandra_mi/network.rego`,
 * and unless `includeTests` is false, `policy/cassandra_mi/network_test.rego` with the fixtures under
 * `cassandra_mi/fixtures/<name>/data.json` (loaded as `data.cassandra_mi.fixtures`) and the synthetic
 * document they also test with (`cassandra_mi/synthetic/data.json`).
 */
export function emitOpaBundle(resolved: ResolvedRules, options: OpaOptions = {}): EmitResult {
  const settled = opaOptions.settle(options);
  const doc = requirementsDocument(resolved);
  const files: EmittedFile[] = [
    {
      path: ".manifest",
      content: json({ revision: `${doc.stamp.revision}+${doc.stamp.dataHash.slice(0, 12)}`, roots: ["cassandra_mi"], rego_version: 1, metadata: { stamp: doc.stamp } }),
    },
    { path: "data.json", content: json({ cassandra_mi: { requirements: doc } }) },
    { path: "policy/cassandra_mi/network.rego", content: policyModule(doc.stamp) },
  ];
  if (settled.includeTests) files.push(...testFiles(doc));
  return { files: sortBy(files, (f) => f.path), coverage: coverageOf(doc) };
}

export const emitter: Emitter<OpaOptions> = {
  name: "opa",
  description: "OPA policy bundle (Rego v1, data document, tests, fixtures) that audits an ARM template, az JSON or a Terraform plan",
  emit: emitOpaBundle,
  options: opaOptions,
  coreMajor,
  package: { name: "@cassandra-mi-netrules/emit-opa", version },
  files: [".manifest", "data.json", "policy/**", "cassandra_mi/**"],
};

export { buildRequirementsDocument, LAYERS_FOR, NEEDS_PHRASE } from "./document.js";
export type { Alternative, AlternativeType, Check, DocumentRequirement, FqdnCheck, InternalCheck, PrefixCheck, RequirementsDocument, TagCheck } from "./document.js";
export { bundleFixtures, SYNTHETIC_DOCUMENT, testFiles, testModule, type AuditStatus, type BundleFixture, type FixtureExpectation, type JsonPatchOperation } from "./bundle.js";
export { armRuleCollectionGroup, armSecurityRule, azSecurityRule, completeConfig, toArmTemplate, toAzJson, toTerraformPlan } from "./fixtures.js";
export type { AppRuleSpec, CollectionSpec, ConfigSpec, Json, NetRuleSpec, NsgRuleSpec, NsgSpec, PortLeaf, PortSink, RuleCollectionGroupSpec } from "./fixtures.js";
export { POLICY_BODY, POLICY_PACKAGE, policyModule } from "./policy.js";

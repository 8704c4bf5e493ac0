/** Shared inputs of the evaluator's tests: resolved rules, the vendored service tags, model builders. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolveRules, type ResolvedRules, type ServiceTagIndex } from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import { defaultSecurityRules, emptyNetwork, type AzureNetwork, type NetworkSecurityGroup, type SecurityRule } from "../src/model.js";
import type { AuditReport, RequirementVerdict, SubjectReport } from "../src/evaluate/report.js";

export const FIXTURES = fileURLToPath(new URL("./fixtures/audit/", import.meta.url));
export const TAGS_FILE = fileURLToPath(new URL("../../../vendor/service-tags/ServiceTags_Public_20251028.json", import.meta.url));

let index: ServiceTagIndex | undefined;
export function serviceTags(): ServiceTagIndex {
  index ??= loadServiceTags(readFileSync(TAGS_FILE, "utf8"), "ServiceTags_Public_20251028.json");
  return index;
}

export const eastus: ResolvedRules = resolveRules({ regions: ["eastus"], subnet: "10.10.2.0/24" });

export function fixture(name: string): { name: string; text: string } {
  return { name, text: readFileSync(`${FIXTURES}${name}`, "utf8") };
}

export function only(report: AuditReport): SubjectReport {
  if (report.subjects.length !== 1) throw new Error(`expected one subject, got ${report.subjects.length}`);
  return report.subjects[0] as SubjectReport;
}

export function byId(report: AuditReport): Record<string, RequirementVerdict> {
  return Object.fromEntries(only(report).requirements.map((r) => [r.ruleId, r]));
}

export function rule(name: string, priority: number, direction: "Inbound" | "Outbound", access: "Allow" | "Deny", dst: string | string[], ports: string | string[] = "*", src: string | string[] = "*", protocol: "Tcp" | "Udp" | "*" = "*"): SecurityRule {
  return {
    name,
    properties: {
      priority,
      direction,
      access,
      protocol,
      sourcePortRange: "*",
      ...(Array.isArray(src) ? { sourceAddressPrefixes: src } : { sourceAddressPrefix: src }),
      ...(Array.isArray(dst) ? { destinationAddressPrefixes: dst } : { destinationAddressPrefix: dst }),
      ...(Array.isArray(ports) ? { destinationPortRanges: ports } : { destinationPortRange: ports }),
    },
  };
}

export function nsg(name: string, rules: readonly SecurityRule[]): NetworkSecurityGroup {
  return { name, properties: { securityRules: rules, defaultSecurityRules: defaultSecurityRules() } };
}

export function network(parts: Partial<AzureNetwork>): AzureNetwork {
  return { ...emptyNetwork(), ...parts };
}

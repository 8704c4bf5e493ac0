// TypeScript (ESM, nodenext) consumer: the public types flow through the published .d.ts files.
import {
  requiredRules,
  resolveRules,
  type CoverageEntry,
  type Emitter,
  type Requirement,
  type ResolvedRules,
} from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import { emitter as nsg } from "@cassandra-mi-netrules/emit-nsg";
import { emitter as markdown } from "@cassandra-mi-netrules/emit-markdown";
import { isUnknown, planNsg, readArmTemplate, type Known, type NetworkSecurityGroup, type Unknown } from "@cassandra-mi-netrules/azure";

declare const console: { log(...values: unknown[]): void };

const first: Requirement | undefined = requiredRules[0];
// @ts-expect-error requirement kinds are a closed union
const wrongKind: Requirement["kind"] = "sideways";
const resolved: ResolvedRules = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
const coverage: readonly CoverageEntry[] = nsg.emit(resolved).coverage;
const generic: Emitter<never> = markdown;
const statuses: CoverageEntry["status"][] = coverage.map((c) => c.status);
// The Azure model: a plan is Known (no Unknown in it); what a reader reads may hold an Unknown anywhere.
const planned: Known<NetworkSecurityGroup> = planNsg(resolved, { nsgName: "n", regionalTags: false, internalScope: "subnet", denyInternetOutbound: true, hostNamesViaFirewall: false, priorityStart: 100, priorityStep: 10 }).networkSecurityGroup;
const readName: string | Unknown | undefined = readArmTemplate(nsg.emit(resolved).files[0]?.content ?? "{}").networkSecurityGroups[0]?.name;
// @ts-expect-error a planned priority is a number, never an Unknown
const notKnown: Unknown = planned.properties.securityRules[0]!.properties.priority;
// @ts-expect-error the resolver needs its regions
resolveRules({});
console.log(isUnknown(readName), notKnown);
console.log(first?.id, wrongKind, statuses.length, generic.name, typeof loadServiceTags);

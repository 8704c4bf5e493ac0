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

declare const console: { log(...values: unknown[]): void };

const first: Requirement | undefined = requiredRules[0];
// @ts-expect-error requirement kinds are a closed union
const wrongKind: Requirement["kind"] = "sideways";
const resolved: ResolvedRules = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
const coverage: readonly CoverageEntry[] = nsg.emit(resolved).coverage;
const generic: Emitter<never> = markdown;
const statuses: CoverageEntry["status"][] = coverage.map((c) => c.status);
// @ts-expect-error the resolver needs its regions
resolveRules({});
console.log(first?.id, wrongKind, statuses.length, generic.name, typeof loadServiceTags);

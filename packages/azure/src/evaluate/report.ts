/** The audit report: what Azure does with each required flow, per audited subnet, with the path that decides. */
import type { ResolvedRules, ServiceTagIndex } from "@cassandra-mi-netrules/core";

/**
 * - `open`: every address (and name, port, source node) of the flow gets through;
 * - `partly-open`: some get through and some are blocked (the count and an example say which);
 * - `blocked`: none gets through;
 * - `unknown`: the answer depends on a value the input does not give (the reason names it);
 * - `not-auditable`: no layer the input holds lies on the flow's path.
 */
export type Verdict = "open" | "partly-open" | "blocked" | "unknown" | "not-auditable";
export const VERDICTS: readonly Verdict[] = ["open", "partly-open", "blocked", "unknown", "not-auditable"];

/** One decision on a flow's path. */
export interface PathStep {
  readonly layer: "nsg" | "route" | "firewall" | "subnet";
  /** The NSG, route table, firewall (policy) or subnet. */
  readonly resource: string;
  /** The rule, route or collection/rule that decided; Azure's default rules by their names. */
  readonly rule: string;
  readonly priority?: number;
  readonly direction?: "Inbound" | "Outbound";
  /** `Allow`, `Deny`, a route's next hop type, or what the layer did. */
  readonly action: string;
  readonly detail?: string;
}

/** Why a verdict is `unknown`: the value (by its path in the input) or the fact the answer depends on. */
export interface UnknownCause {
  readonly reason: string;
  /** The rule or route whose decision depends on it. */
  readonly step?: PathStep;
}

/** The part of a flow that is blocked: where, by what, how much, and one example. */
export interface BlockedPart {
  readonly by: PathStep;
  /** Destination address, name or port blocked, e.g. `20.38.98.0` or `example.blob.core.windows.net`. */
  readonly example?: string;
  /** A source node address, when only part of the subnet is blocked. */
  readonly exampleSource?: string;
  /** How much of the destination is blocked, when it is counted (a service tag's prefixes, literal prefixes, ports). */
  readonly count?: { readonly blocked: number; readonly total: number; readonly unit: string; readonly inPart?: number };
}

/** One flow of an alternative: a direction, a port range, a destination. */
export interface FlowVerdict {
  /** e.g. `tcp/443 to Storage.EastUS`, `tcp/7001 within 10.9.0.0/24`. */
  readonly flow: string;
  readonly verdict: Verdict;
  /** For `unknown`: whether the flow may still be open (false: some part is surely blocked). */
  readonly mayBeOpen: boolean;
  /** The steps that let the flow (or its open part) through, in path order, each once. */
  readonly path: readonly PathStep[];
  /** Blocked parts, the largest first (at most 3). */
  readonly blocked: readonly BlockedPart[];
  readonly unknown: readonly UnknownCause[];
  /** How the flow was read: an FQDN taken as any address of a tag, a layer assumed, a count's scope. */
  readonly notes: readonly string[];
}

export type AlternativeKind = "fqdn" | "serviceTag" | "prefixes" | "internal";

export interface AlternativeVerdict {
  readonly kind: AlternativeKind;
  /** e.g. `service tag Storage.EastUS`, `FQDN snovapeastus.blob.core.windows.net`. */
  readonly label: string;
  readonly verdict: Verdict;
  /** For `unknown`: whether the alternative may still be open. */
  readonly mayBeOpen: boolean;
  readonly flows: readonly FlowVerdict[];
}

export interface RequirementVerdict {
  readonly ruleId: string;
  readonly kind: "outbound" | "internal";
  /**
   * The requirement's verdict, the best of its alternatives: open when one is open; unknown when one may
   * still be open; else partly open, unknown (at best partly open), blocked, not auditable.
   */
  readonly status: Verdict;
  /** One line that explains the status (what the table prints). */
  readonly detail: string;
  readonly alternatives: readonly AlternativeVerdict[];
}

/** An allow that opens more than the requirements need. */
export interface Finding {
  readonly level: "warn";
  readonly step: PathStep;
  /** The requirements whose flows it lets through (sorted). */
  readonly ruleIds: readonly string[];
  readonly message: string;
}

/** One audited place: a subnet of the input, or (without subnets) an NSG or route table taken as the cluster subnet's. */
export interface SubjectReport {
  readonly subject: string;
  readonly kind: "subnet" | "nsg" | "route-table" | "firewall" | "network";
  /** The layers on this subject's path and where they come from. */
  readonly layers: { readonly nsg?: string; readonly routeTable?: string; readonly firewall?: string; readonly subnet?: string };
  readonly requirements: readonly RequirementVerdict[];
  readonly findings: readonly Finding[];
  /** Assumptions and facts about the subject (e.g. which layers are not in the input). */
  readonly notes: readonly string[];
}

export interface AuditSummary {
  readonly open: number;
  readonly partlyOpen: number;
  readonly blocked: number;
  readonly unknown: number;
  readonly notAuditable: number;
  /** Over-broad allows. */
  readonly warnings: number;
}

/**
 * `pass`: every auditable requirement is open and no warning counts; `fail`: a requirement is not open
 * (partly open, blocked or unknown), or a warning with `failOn: "warn"`; `nothing-to-audit`: the input
 * holds no NSG, route table, firewall or subnet.
 */
export type AuditStatus = "pass" | "fail" | "nothing-to-audit";

export interface AuditReport {
  readonly status: AuditStatus;
  readonly revision: string;
  readonly regions: readonly string[];
  /** The cluster subnet the flows start from (`null`: not given and not in the input). */
  readonly subnet: string | null;
  readonly peers: readonly string[];
  /** Where service-tag addresses came from. */
  readonly serviceTags: { readonly source: "file" | "bundled-table"; readonly changeNumber: number; readonly name?: string };
  /** The input format, when `audit` read the input. */
  readonly format?: string;
  /** What the input holds, by resource type (what "nothing to audit" names). */
  readonly found: readonly string[];
  readonly subjects: readonly SubjectReport[];
  /** Counted over every subject's requirements. */
  readonly summary: AuditSummary;
}

/** The report without its subjects (same fields, same order): what a subject stream returns after its last subject. */
export type AuditOutline = Omit<AuditReport, "subjects">;

/**
 * The report subject by subject (`evaluateSubjects`, `auditSubjects`): yields each subject's report as it is
 * made, then returns the outline, whose status and summary count every subject yielded.
 */
export type SubjectStream = Generator<SubjectReport, AuditOutline, undefined>;

export interface EvaluateOptions {
  readonly resolved: ResolvedRules;
  /** Microsoft's service tags (`loadServiceTags`): exact address sets. Without it, the bundled tag table. */
  readonly serviceTags?: ServiceTagIndex;
  /** Networks the cluster reaches on the internal ports besides its subnet (peered VNets, on-premises). */
  readonly peers?: readonly string[];
  /** `warn`: an over-broad allow fails the audit too. Default `gap`. */
  readonly failOn?: "gap" | "warn";
}

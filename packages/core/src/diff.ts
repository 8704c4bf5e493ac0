/** Differences between two revisions of the dataset. */
import { getRevision } from "./dataset.js";
import { canonicalJson, compareStrings } from "./order.js";
import type { Requirement } from "./types.js";

export interface RequirementChange {
  readonly id: string;
  /** Top-level fields whose value differs as each revision states it (e.g. `provenance.asWritten`). */
  readonly fields: readonly string[];
}

export interface RevisionDiff {
  readonly from: string;
  readonly to: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly RequirementChange[];
}

/** What the requirement says as of one revision: the fields that can differ between revisions. */
function asOf(req: Requirement, revision: string): Record<string, unknown> {
  return {
    kind: req.kind,
    destinations: req.destinations,
    protocol: req.protocol,
    ports: req.ports,
    conditions: req.conditions,
    "provenance.asWritten": req.provenance.asWritten[revision] ?? null,
  };
}

export function diffRevisions(fromId: string, toId: string): RevisionDiff {
  const a = getRevision(fromId);
  const b = getRevision(toId);
  const inA = new Map(a.requirements.map((r) => [r.id, r]));
  const inB = new Map(b.requirements.map((r) => [r.id, r]));
  const added = [...inB.keys()].filter((id) => !inA.has(id)).sort(compareStrings);
  const removed = [...inA.keys()].filter((id) => !inB.has(id)).sort(compareStrings);
  const changed: RequirementChange[] = [];
  for (const [id, ra] of inA) {
    const rb = inB.get(id);
    if (!rb) continue;
    const va = asOf(ra, a.id);
    const vb = asOf(rb, b.id);
    const fields = Object.keys(va)
      .filter((k) => canonicalJson(va[k]) !== canonicalJson(vb[k]))
      .sort(compareStrings);
    if (fields.length > 0) changed.push({ id, fields });
  }
  changed.sort((x, y) => compareStrings(x.id, y.id));
  return { from: a.id, to: b.id, added, removed, changed };
}

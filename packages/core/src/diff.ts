/** Differences between two revisions of the dataset. */
import { getRevision } from "./dataset.js";
import { compareStrings } from "./order.js";

export interface RequirementChange {
  readonly id: string;
  /**
   * Fields whose value differs as each revision states it: `provenance.asWritten` when the data has the
   * row as written for both revisions and the two read differently once code spans, backslash escapes
   * and the spelling of the "Or ServiceTag -" connector are set aside (the 2021-09-13 spelling fix of
   * GuestAndHybridManagement). A copy known for one revision only says nothing about a change.
   */
  readonly fields: readonly string[];
}

export interface RevisionDiff {
  readonly from: string;
  readonly to: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly RequirementChange[];
}

/** The connector before a row's alternative, in English ("Or ServiceTag -") and French ("ou Étiquette de service :"). */
const ALTERNATIVE_CONNECTOR = /\s(?:or|ou)\s+(?:service\s*tag|étiquette\s+de\s+service)\s*[-–:]\s*/giu;

/** A row as a reader sees it: no code marks or escapes, one connector spelling, spaces collapsed. */
function asRead(written: string): string {
  return written
    .normalize("NFC")
    .replace(/[`\\]/gu, "")
    .replace(ALTERNATIVE_CONNECTOR, " or ")
    .replace(/\s+/gu, " ")
    .trim();
}

/**
 * Added, removed and changed requirement ids between two revisions. A requirement is one object in every
 * revision that lists it (a row whose destination, protocol or port changes becomes a new requirement),
 * so what can change between two revisions is how the page wrote the row: `provenance.asWritten`.
 */
export function diffRevisions(fromId: string, toId: string): RevisionDiff {
  const a = getRevision(fromId);
  const b = getRevision(toId);
  const inA = new Set(a.requirementIds);
  const inB = new Set(b.requirementIds);
  const added = b.requirementIds.filter((id) => !inA.has(id)).sort(compareStrings);
  const removed = a.requirementIds.filter((id) => !inB.has(id)).sort(compareStrings);
  const changed: RequirementChange[] = [];
  for (const req of a.requirements) {
    if (!inB.has(req.id)) continue;
    const before = req.provenance.asWritten[a.id];
    const after = req.provenance.asWritten[b.id];
    if (before !== undefined && after !== undefined && asRead(before) !== asRead(after)) {
      changed.push({ id: req.id, fields: ["provenance.asWritten"] });
    }
  }
  changed.sort((x, y) => compareStrings(x.id, y.id));
  return { from: a.id, to: b.id, added, removed, changed };
}

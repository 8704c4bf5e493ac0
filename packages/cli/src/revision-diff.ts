/** `diff`'s requirement-level text: what each added, removed or changed rule opens, and the wording changes apart. */
import { describeWireRule, type RevisionDiff } from "@cassandra-mi-netrules/core";

/** The lines `diff A B` prints before any `--target` section. */
export function formatRevisionDiff(d: RevisionDiff): string[] {
  const out = [
    `rules from ${d.from} to ${d.to}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed; ${d.wording.length} wording change${d.wording.length === 1 ? "" : "s"} (not rule changes)`,
  ];
  for (const r of d.rules.added) out.push(`+ ${r.id}: ${describeWireRule(r)}`);
  for (const r of d.rules.removed) out.push(`- ${r.id}: ${describeWireRule(r)}`);
  for (const c of d.changed) {
    out.push(`~ ${c.id} (was ${c.previousId}; ${c.fields.join(", ")} changed)`);
    out.push(`    before: ${describeWireRule(c.before)}`, `    after:  ${describeWireRule(c.after)}`);
  }
  if (d.wording.length > 0) {
    out.push("", `wording: ${d.wording.length} row${d.wording.length === 1 ? "" : "s"} the page rewrote without changing the rule (translation, names, punctuation)`);
    for (const w of d.wording) out.push(`= ${w.id}: ${JSON.stringify(w.before)} -> ${JSON.stringify(w.after)}`);
  }
  return out;
}

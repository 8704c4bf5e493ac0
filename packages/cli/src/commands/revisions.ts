/** `revisions`: every documented revision of the rules, oldest first. */
import { revisions } from "@cassandra-mi-netrules/core";
import type { Command } from "commander";
import { tableCommand, type CliContext } from "../context.js";
import { json, table } from "../format.js";

export function registerRevisions(program: Command, ctx: CliContext): void {
  tableCommand(program, ctx, "revisions", "every documented revision of the rules, oldest first", (asJson) => {
    const rows = revisions.map(({ requirements: _r, ...rest }) => rest);
    return asJson ? json(rows) : table(["id", "label", "date", "status", "rules", "summary"], rows.map((r) => [r.id, r.label, r.date, r.status, String(r.requirementIds.length), r.summary.en]));
  });
}

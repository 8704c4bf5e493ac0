/** `regions`: the Azure regions (ARM location names) the resolver accepts. */
import { regions } from "@cassandra-mi-netrules/core";
import type { Command } from "commander";
import { tableCommand, type CliContext } from "../context.js";
import { json, table } from "../format.js";

export function registerRegions(program: Command, ctx: CliContext): void {
  tableCommand(program, ctx, "regions", "the Azure regions (ARM location names) the resolver accepts", (asJson) =>
    asJson ? json(regions) : table(["name", "display name", "geography", "paired"], regions.map((r) => [r.name, r.displayName, r.geography ?? "", r.pairedRegion ?? ""])),
  );
}

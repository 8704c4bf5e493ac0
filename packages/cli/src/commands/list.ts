/** `list`: the requirements of a revision, resolved for regions, as a table or JSON. */
import { formatPortRange, type ResolvedRule } from "@cassandra-mi-netrules/core";
import type { Command } from "commander";
import { BIN, examples } from "../cli-options.js";
import { addConfigOptions, addResolveOptions, withConfig, type CliContext } from "../context.js";
import { json, table } from "../format.js";
import { resolveFrom, type ResolveFlags } from "../resolve-opts.js";

export function ports(rule: { ports: readonly { from: number; to: number }[] }): string {
  return rule.ports.map((p) => formatPortRange(p)).join(",") || "-";
}

/** Every alternative of a resolved rule, as one cell. */
export function destinations(rule: ResolvedRule): string {
  const parts: string[] = [];
  for (const f of rule.fqdns) parts.push(f.fqdn);
  for (const f of rule.unresolvedFqdns) parts.push(f);
  for (const t of rule.serviceTags) {
    if (t.regional.length > 0) parts.push(...t.regional.map((r) => r.name));
    if (!t.regionalOnly || t.regional.length === 0) parts.push(t.tag);
  }
  parts.push(...rule.prefixes.ipv4, ...rule.prefixes.ipv6);
  if (parts.length === 0) return rule.kind === "internal" ? "VirtualNetwork (between nodes)" : "-";
  return parts.join(" | ");
}

/** `GA` for a revision whose status says the same; `V1, preview` otherwise. */
export function revisionLabel(r: { label: string; status: string }): string {
  return r.label.toLowerCase() === r.status.toLowerCase() ? r.label : `${r.label}, ${r.status}`;
}

export function registerList(program: Command, ctx: CliContext): void {
  addConfigOptions(addResolveOptions(program.command("list").description("the requirements of a revision, resolved for regions, as a table or JSON")))
    .option("--json", "print the resolved rules as JSON")
    .addHelpText("after", examples([`${BIN} list`, `${BIN} list --region eastus,westeurope --json`, `${BIN} list --revision 2021-05-21`]))
    .action(async (opts: ResolveFlags & { json?: boolean }) => {
      const { io } = ctx;
      const resolved = await resolveFrom(io, withConfig(opts, ctx.config));
      if (opts.json) {
        io.stdout(json(resolved));
        return;
      }
      const r = resolved.revision;
      io.stdout(`revision ${r.id} (${revisionLabel(r)}), ${resolved.rules.length} requirements; regions: ${resolved.regions.join(", ") || "(none: {region} left unfilled)"}\n\n`);
      io.stdout(table(["id", "kind", "proto", "ports", "since", "destinations (any one)"], resolved.rules.map((x) => [x.id, x.kind, x.protocol, ports(x), x.provenance.since, destinations(x)])));
      for (const x of resolved.excluded) io.stdout(`excluded: ${x.id}: ${x.reason.en}\n`);
    });
}

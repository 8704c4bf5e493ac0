/** `audit <file>`: an existing configuration against the requirements; the work is in ../audit/. */
import { sortBy } from "@cassandra-mi-netrules/core";
import { Option, type Command } from "commander";
import { auditConfiguration } from "../audit/index.js";
import { BIN, examples } from "../cli-options.js";
import { addResolveOptions, type CliContext } from "../context.js";
import { CliError, shown } from "../errors.js";
import { clean, json, table } from "../format.js";
import { readText } from "../io.js";
import { parseJsonText } from "../json-input.js";
import { resolveFrom, type ResolveFlags } from "../resolve-opts.js";

export function registerAudit(program: Command, ctx: CliContext): void {
  addResolveOptions(program.command("audit").argument("<file>", "ARM template, `az network nsg show` output or `terraform show -json` plan; - for stdin"))
    .description("check an existing configuration against the requirements: covered, partly covered or missing per requirement (exit 1 if any audited requirement is missing or partly covered, 2 if the file holds nothing to audit)")
    .addOption(new Option("--format <format>", "input format (default: detected)").choices(["arm", "az", "tfplan"]))
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      examples([`${BIN} audit nsg.json --region eastus --subnet 10.9.0.0/24`, `${BIN} audit - --format az --region eastus < nsg-show.json`, `${BIN} audit plan.json --format tfplan --region eastus --subnet 10.9.0.0/24 --json`]),
    )
    .action(async (file: string, opts: ResolveFlags & { format?: "arm" | "az" | "tfplan"; json?: boolean }) => {
      const { io, outcome } = ctx;
      const text = readText(io, file, "<file>");
      const input = parseJsonText(text, `<file> ${shown(file)}`);
      const resolved = await resolveFrom(io, opts);
      let report: ReturnType<typeof auditConfiguration>;
      try {
        report = auditConfiguration(input, { ...(opts.format ? { format: opts.format } : {}), resolved });
      } catch (e) {
        throw new CliError(`<file> ${shown(file)}: ${(e as Error).message}`);
      }
      if (report.layers.length === 0) {
        throw new CliError(`<file> ${shown(file)}: read as ${report.format}, it holds no network security group, security rule or firewall policy rule collection group: nothing to audit`);
      }
      // A requirement the input's resource types cannot express (an FQDN in an NSG) is not audited, so not a gap.
      outcome.code = report.deny.length > 0 ? 1 : 0;
      if (opts.json) {
        io.stdout(json(report));
        return;
      }
      const results = sortBy([...report.results], (r) => r.ruleId);
      io.stdout(`audit of ${clean(file)} (format ${report.format}) against revision ${resolved.revision.id}\n\n`);
      const status = (r: (typeof results)[number]) => (r.audited ? r.status : "not audited");
      io.stdout(table(["rule", "status", "over-broad", "detail"], results.map((r) => [r.ruleId, status(r), r.overBroad ? "yes" : "", r.detail])));
      const count = (s: string) => results.filter((r) => status(r) === s).length;
      io.stdout(`\n${count("covered")} covered, ${count("partly-covered")} partly covered, ${count("missing")} missing, ${count("not audited")} not audited\n`);
      for (const d of report.deny) io.stdout(`deny: ${clean(d)}\n`);
    });
}

/** `audit <file...>`: what Azure does with each required flow in an existing configuration; the work is in ../audit/. */
import { Option, type Command } from "commander";
import { AUDIT_FORMATS, AUDIT_OUTPUTS, runAuditCommand, type AuditFlags } from "../audit/index.js";
import { BIN, examples } from "../cli-options.js";
import { addResolveOptions, type CliContext } from "../context.js";
import { collect } from "../resolve-opts.js";

export function registerAudit(program: Command, ctx: CliContext): void {
  addResolveOptions(program.command("audit").argument("<file...>", "ARM template, az JSON, Resource Graph export, Terraform plan JSON or HCL (several are audited together); - for stdin"))
    .description("what Azure does with each required flow: open, partly open, blocked, unknown or not auditable, with the rule that decides (exit 0 all open, 1 a gap or --fail-on warn, 2 input error, 3 nothing to audit)")
    .addOption(new Option("--format <format>", "input format (default: detected)").choices([...AUDIT_FORMATS]))
    .option("--parameters <file>", "ARM parameters file for the template(s)")
    .option("--peer <cidr>", "a network the nodes reach on the internal ports besides the subnet (repeatable)", collect)
    .addOption(new Option("-o, --output <format>", "report format (default: table)").choices([...AUDIT_OUTPUTS]))
    .option("--json", "same as --output json")
    .addOption(new Option("--fail-on <level>", "gap: exit 1 on a requirement not open; warn: also on an over-broad allow").choices(["gap", "warn"]).default("gap"))
    .addHelpText(
      "after",
      `${examples([
        `${BIN} audit nsg.json --region eastus --subnet 10.9.0.0/24 --service-tags ServiceTags_Public.json`,
        `${BIN} audit - --format az --region eastus --subnet 10.9.0.0/24 < nsg-show.json`,
        `${BIN} audit nsg.json firewall-policy.json --region eastus --subnet 10.9.0.0/24`,
        `${BIN} audit azuredeploy.json --parameters azuredeploy.parameters.json --region eastus --fail-on warn --output sarif > audit.sarif`,
        `${BIN} audit main.tf --format hcl --region eastus --subnet 10.9.0.0/24 --output junit > audit.xml`,
      ])}\nVerdicts: open, partly-open (counted, with an example address), blocked (with the rule and an example), unknown (naming the value the input does not give), not-auditable. Without --service-tags, tags are compared through the bundled tag table.\n`,
    )
    .action(async (files: string[], opts: AuditFlags) => {
      ctx.outcome.code = await runAuditCommand(ctx.io, files, opts);
    });
}

/** `check-source <page.md>`: a copy of the source page, its rule tables and its prose, against the dataset. */
import type { SourceComparison } from "@cassandra-mi-netrules/core/source";
import type { Command } from "commander";
import { BIN, examples, singleOption } from "../cli-options.js";
import type { CliContext } from "../context.js";
import { CliError, shown } from "../errors.js";
import { json } from "../format.js";
import { readText } from "../io.js";

export function registerCheckSource(program: Command, ctx: CliContext): void {
  program
    .command("check-source")
    .argument("<page.md>", "a copy of the network-rules page (Markdown), in English or a translation the locale catalogue knows; - for stdin")
    .addOption(singleOption("--revision <id>", "compare with this revision (default: the current one)"))
    .addOption(singleOption("--locale <code>", "the page's language (ISO 639-1: en, fr, de...) instead of its front matter's or its text's"))
    .option("--json", "print the comparison as JSON")
    .description("compare a copy of the source page, its rule tables and its prose, with the dataset (exit 0 match, 1 rule change, unreadable line or prose changed, 2 cannot read)")
    .addHelpText(
      "after",
      examples([
        `${BIN} check-source network-rules.md`,
        `${BIN} check-source page-2021-05-21.fr.md --revision 2021-05-21`,
        `${BIN} check-source network-rules.fr-fr.md --locale fr --json`,
        `${BIN} check-source - < network-rules.md`,
      ]),
    )
    .action(async (page: string, opts: { revision?: string; locale?: string; json?: boolean }) => {
      const { io, outcome } = ctx;
      if (opts.locale !== undefined && !/^[a-z]{2}$/u.test(opts.locale)) {
        throw new CliError(`--locale: expected an ISO 639-1 code such as fr or de (value: ${JSON.stringify(opts.locale)})`);
      }
      const markdown = readText(io, page, "<page.md>");
      // markdown-it and the page parser load only for this command.
      const { compareWithSource, formatSourceComparison } = await import("@cassandra-mi-netrules/core/source");
      let result: SourceComparison;
      try {
        result = compareWithSource(markdown, opts.revision, opts.locale === undefined ? {} : { locale: opts.locale });
      } catch (e) {
        throw new CliError(e instanceof Error && e.name === "UnknownNameError" ? `--revision: ${e.message}` : `<page.md> ${shown(page)}: ${(e as Error).message}`);
      }
      io.stdout(opts.json ? json(result) : `${formatSourceComparison(result).replace(/\n?$/, "\n")}`);
      outcome.code = result.matches ? 0 : 1;
    });
}

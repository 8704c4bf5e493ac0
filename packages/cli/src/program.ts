/** The command line: every command, its help with examples, and the mapping of outcomes to exit codes. */
import {
  compareStrings,
  diffRevisions,
  formatPortRange,
  getRequirement,
  nearest,
  regions,
  revisions,
  UnknownNameError,
  type CoverageEntry,
  type EmittedFile,
  type Locale,
  type Requirement,
  type ResolvedRule,
  type ResolvedRules,
} from "@cassandra-mi-netrules/core";
import type { SourceComparison } from "@cassandra-mi-netrules/core/source";
import { LinuxFirewallError } from "@cassandra-mi-netrules/linux";
import { Command, CommanderError, Option } from "commander";
import pkg from "../package.json" with { type: "json" };
import { AUDIT_FORMATS, AUDIT_OUTPUTS, runAuditCommand, type AuditFlags } from "./audit/index.js";
import { diffTarget, formatTargetDiff, type TargetDiff } from "./diff.js";
import { formatRevisionDiff } from "./revision-diff.js";
import { CliError, shown } from "./errors.js";
import { clean, json, table } from "./format.js";
import { readTemplateDir, readText, writeFilesAtomically, type CliIO } from "./io.js";
import { collect, readServiceTags, resolveFrom, type ResolveFlags } from "./resolve-opts.js";
import { getEmitter, optionsFor, registry, type TargetFlags } from "./targets.js";

export const version: string = pkg.version;
const BIN = "cassandra-mi-netrules";

interface Outcome {
  code: number;
}

function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** `--revision` (unless the command names its revisions), `--region`, `--subnet`, `--feature`, `--service-tags`. */
function addResolveOptions(cmd: Command, withRevision = true): Command {
  if (withRevision) cmd.option("--revision <id>", "dataset revision (default: the current one; see `revisions`)");
  return cmd
    .option("--region <name>", "datacenter region, ARM location name (repeatable, or comma-separated)", collect)
    .option("--subnet <cidr>", "the cluster's delegated subnet (IPv4 or IPv6 CIDR)")
    .option("--feature <id[=on|off]>", "feature switch, e.g. backup=off or vpn (repeatable)", collect)
    .option("--service-tags <file>", "Microsoft service-tags JSON file: attach the tags' address prefixes");
}

function addTargetOptions(cmd: Command): Command {
  return cmd
    .option("--nsg-priority-start <n>", "nsg: first rule priority (100-4096)")
    .option("--firewall-priority <n>", "azure-firewall: rule collection group priority (100-65000)")
    .addOption(new Option("--mode <mode>", "iptables/nftables: nva (forwarded traffic) or host (the host's own output)").choices(["nva", "host"]))
    .option("--regional-tags", "nsg/azure-firewall/route-table/iptables/nftables: use regional service tags (Storage.EastUS) where every region has one")
    .option("--peer <cidr>", "iptables/nftables: a network the cluster reaches on the internal ports (repeatable)", collect)
    .addOption(new Option("--locale <locale>", "markdown: language of the document").choices(["en", "fr"]))
    .option("--changelog [from]", "markdown: add changelog.md (every revision, or from this revision)")
    .option("--templates <dir>", "markdown: override bundled templates with DIR/pages/<page>.md.hbs and DIR/partials/<partial>.md.hbs")
    .option("-O, --option <target.key=value>", "any other emitter option, value read as JSON when it parses (repeatable)", (v: string, p: string[] | undefined) => [...(p ?? []), v]);
}

function targetNames(): string[] {
  return registry.names();
}

/** Resolves a target name given on the command line, with a did-you-mean. */
function checkTarget(name: string, allowAll: boolean): string[] {
  const known = targetNames();
  if (allowAll && name === "all") return known;
  if (known.includes(name)) return [name];
  const candidates = allowAll ? [...known, "all"] : known;
  throw new CliError(`<target>: ${new UnknownNameError("target", name, nearest(name, candidates), candidates).message}`);
}

function ports(rule: { ports: readonly { from: number; to: number }[] }): string {
  return rule.ports.map((p) => formatPortRange(p)).join(",") || "-";
}

function destinations(rule: ResolvedRule): string {
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

/** The "how / why" cell of a coverage table. */
function howWhy(entry: CoverageEntry): string {
  return entry.why ? `${entry.how} — ${entry.why}` : entry.how;
}

function coverageTable(rows: readonly { target: string; entry: CoverageEntry }[]): string {
  return table(
    ["target", "rule", "status", "how / why"],
    rows.map(({ target, entry }) => [target, entry.ruleId, entry.status, howWhy(entry)]),
  );
}

interface EmitRun {
  readonly target: string;
  readonly files: readonly EmittedFile[];
  readonly coverage: readonly CoverageEntry[];
}

/** The target flags with the files of `--templates DIR` read in (emitters read no files). */
function withTemplateFiles<T extends TargetFlags>(io: CliIO, flags: T): T {
  return flags.templates === undefined ? flags : { ...flags, templateFiles: readTemplateDir(io, flags.templates, `--templates`) };
}

function runEmitters(targets: readonly string[], resolved: ResolvedRules, flags: TargetFlags): EmitRun[] {
  const others: Record<string, readonly CoverageEntry[]> = {};
  const notRendered: Record<string, { needs?: "subnet"; message: string }> = {};
  if (targets.includes("markdown")) {
    // The docs' targets page says what each other target cannot do; markdown takes their coverage, and
    // the targets that cannot run with these inputs (each reports its error when it is asked for itself).
    for (const t of targetNames().filter((n) => n !== "markdown")) {
      try {
        others[t] = getEmitter(t).emit(resolved, optionsFor(t, flags)).coverage;
      } catch (e) {
        const needsSubnet = !resolved.subnet && e instanceof LinuxFirewallError && e.field === "options.subnets";
        notRendered[t] = { ...(needsSubnet ? { needs: "subnet" as const } : {}), message: (e as Error).message };
      }
    }
  }
  return targets.map((target) => {
    const options = target === "markdown" ? { coverage: others, notRendered, ...optionsFor(target, flags) } : optionsFor(target, flags);
    try {
      const result = getEmitter(target).emit(resolved, options);
      return { target, files: result.files, coverage: result.coverage };
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`${target}: ${(e as Error).message}`);
    }
  });
}

function describeRequirement(req: Requirement, locale: Locale): string[] {
  const out: string[] = [];
  out.push(`${req.id}: ${req.kind}, ${req.protocol}, port${req.ports.length === 1 && req.ports[0]?.from === req.ports[0]?.to ? "" : "s"} ${ports(req)}`);
  out.push(`purpose: ${req.purpose[locale]}`);
  if (req.destinations.length > 0) {
    out.push("alternatives (any one satisfies the requirement):");
    for (const d of req.destinations) {
      if (d.type === "fqdn") out.push(`  fqdn ${d.fqdn}`);
      else if (d.type === "serviceTag") out.push(`  service tag ${d.tag}${d.regional ? ` (regional forms exist${d.regionalOnly ? "; the row asks for them" : ""})` : ""}`);
      else out.push(`  prefixes ${d.prefixes.join(", ")}`);
    }
  } else out.push("alternatives: none (between the nodes of the cluster and its peers)");
  for (const c of req.conditions) out.push(`condition: when feature ${c.feature} is ${c.when}: ${c[locale]}`);
  const p = req.provenance;
  out.push(`provenance: table ${p.table}, since ${p.since}, listed in ${p.revisions.join(", ")}`);
  for (const rev of Object.keys(p.asWritten).sort(compareStrings)) out.push(`  as written in ${rev}: ${p.asWritten[rev]}`);
  for (const n of p.notes) out.push(`  note: ${n[locale]}`);
  if (req.inferred.length > 0) {
    out.push("inferences (the page is silent; this is ours):");
    for (const i of req.inferred) out.push(`  [${i.about}] ${i[locale]}`);
  }
  return out;
}

/** Builds the program; `outcome.code` carries the exit code out of the actions. */
export function buildProgram(io: CliIO, outcome: Outcome): Command {
  const program = new Command(BIN);
  program
    .description("The network rules of Azure Managed Instance for Apache Cassandra: list, explain, emit, diff, audit, check-source.")
    .version(version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride()
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .addHelpText(
      "after",
      `${examples([
        `${BIN} list --region eastus`,
        `${BIN} emit nsg --region eastus --subnet 10.9.0.0/24 > nsg.json`,
        `${BIN} emit all --region eastus --out artifacts/eastus`,
        `${BIN} audit nsg.json --region eastus --subnet 10.9.0.0/24`,
      ])}\nExit codes: 0 ok, 1 audit found gaps (or check-source found drift: a rule change, an unreadable line or changed prose), 2 usage or input error, 3 audit found nothing to audit.\n`,
    );

  /* list */
  addResolveOptions(program.command("list").description("the requirements of a revision, resolved for regions, as a table or JSON"))
    .option("--json", "print the resolved rules as JSON")
    .addHelpText("after", examples([`${BIN} list`, `${BIN} list --region eastus,westeurope --json`, `${BIN} list --revision 2021-05-21`]))
    .action(async (opts: ResolveFlags & { json?: boolean }) => {
      const resolved = await resolveFrom(io, opts);
      if (opts.json) {
        io.stdout(json(resolved));
        return;
      }
      const r = resolved.revision;
      io.stdout(
        `revision ${r.id} (${r.label}, ${r.status}), ${resolved.rules.length} requirements; regions: ${resolved.regions.join(", ") || "(none: {region} left unfilled)"}\n\n`,
      );
      io.stdout(table(["id", "kind", "proto", "ports", "since", "destinations (any one)"], resolved.rules.map((x) => [x.id, x.kind, x.protocol, ports(x), x.provenance.since, destinations(x)])));
      for (const x of resolved.excluded) io.stdout(`excluded: ${x.id}: ${x.reason.en}\n`);
    });

  /* revisions, regions */
  const tableCommand = (name: string, description: string, print: (asJson: boolean) => string) =>
    program
      .command(name)
      .description(description)
      .option("--json", "print JSON")
      .addHelpText("after", examples([`${BIN} ${name}`, `${BIN} ${name} --json`]))
      .action((opts: { json?: boolean }) => io.stdout(print(opts.json === true)));
  tableCommand("revisions", "every documented revision of the rules, oldest first", (asJson) => {
    const rows = revisions.map(({ requirements: _r, ...rest }) => rest);
    return asJson ? json(rows) : table(["id", "label", "date", "status", "rules", "summary"], rows.map((r) => [r.id, r.label, r.date, r.status, String(r.requirementIds.length), r.summary.en]));
  });
  tableCommand("regions", "the Azure regions (ARM location names) the resolver accepts", (asJson) =>
    asJson ? json(regions) : table(["name", "display name", "geography", "paired"], regions.map((r) => [r.name, r.displayName, r.geography ?? "", r.pairedRegion ?? ""])),
  );

  /* explain */
  addTargetOptions(addResolveOptions(program.command("explain").argument("<id>", "requirement id, e.g. storage-control-plane")))
    .description("one requirement: alternatives, provenance, inferences, and how each target enforces it")
    .option("--json", "print JSON")
    .addHelpText("after", examples([`${BIN} explain storage-control-plane --region eastus`, `${BIN} explain gossip --json`, `${BIN} explain key-vault --locale fr`]))
    .action(async (id: string, given: ResolveFlags & TargetFlags & { json?: boolean }) => {
      const opts = withTemplateFiles(io, given);
      let req: Requirement;
      try {
        req = getRequirement(id);
      } catch (e) {
        throw new CliError(`<id>: ${(e as Error).message}`);
      }
      const locale: Locale = opts.locale === "fr" ? "fr" : "en";
      const resolved = await resolveFrom(io, opts);
      const rule = resolved.rules.find((r) => r.id === id);
      const excluded = resolved.excluded.find((r) => r.id === id);
      const targets = rule
        ? targetNames().map((target) => {
            try {
              const [run] = runEmitters([target], resolved, opts);
              return { target, coverage: run?.coverage.find((c) => c.ruleId === id) ?? null, error: null };
            } catch (e) {
              // One target that needs more input (iptables without --subnet) must not hide the others.
              return { target, coverage: null, error: (e as Error).message };
            }
          })
        : [];
      const inRevision = rule !== undefined || excluded !== undefined;
      if (opts.json) {
        io.stdout(json({ requirement: req, revision: resolved.revision.id, inRevision, excluded: excluded ?? null, resolved: rule ?? null, targets }));
        return;
      }
      const lines = describeRequirement(req, locale);
      if (!inRevision) lines.push(`not in revision ${resolved.revision.id} (listed in ${req.provenance.revisions.join(", ")}); use --revision`);
      if (excluded) lines.push(`excluded with these features: ${excluded.reason[locale]}`);
      if (rule) {
        lines.push(`resolved for ${resolved.revision.id}, regions ${resolved.regions.join(", ") || "(none)"}: ${destinations(rule)}`);
        lines.push("", "how each target enforces it:");
        io.stdout(`${lines.map(clean).join("\n")}\n`);
        io.stdout(
          table(
            ["target", "status", "how / why"],
            targets.map((t) => [
              t.target,
              t.coverage?.status ?? (t.error ? "(cannot emit)" : "(no coverage entry)"),
              t.coverage ? howWhy(t.coverage) : (t.error ?? ""),
            ]),
          ),
        );
        return;
      }
      io.stdout(`${lines.map(clean).join("\n")}\n`);
    });

  /* emit */
  addTargetOptions(addResolveOptions(program.command("emit").argument("<target>", `one of ${targetNames().join(", ")}, or all`)))
    .description("render the rules for a target; one file goes to stdout, or every file into --out DIR (written atomically)")
    .option("--out <dir>", "write the files into this directory (with `all`: one sub-directory per target); all or nothing")
    .option("--clean", "with --out: delete the files this run does not write in the sub-directories it writes to (left by an earlier run; without --clean they are an error)")
    .option("--json", "print a JSON report (files and coverage) on stdout instead of the file and the coverage table")
    .addHelpText(
      "after",
      examples([
        `${BIN} emit nsg --region eastus --subnet 10.9.0.0/24 > nsg.json`,
        `${BIN} emit azure-firewall --region eastus --region eastus2 --out fw/`,
        `${BIN} emit iptables --mode host --region westeurope --subnet 10.9.0.0/24 --service-tags ServiceTags_Public.json --out fw/`,
        `${BIN} emit markdown --locale fr --changelog --out docs/`,
        `${BIN} emit markdown --region eastus --templates my-templates/ --out docs/`,
        `${BIN} emit all --region eastus --subnet 10.9.0.0/24 --out artifacts/eastus --clean`,
        `${BIN} emit nsg --region eastus -O nsg.denyInternetOutbound=true -O nsg.nsgName=nsg-prod`,
      ]),
    )
    .action(async (target: string, given: ResolveFlags & TargetFlags & { out?: string; clean?: boolean; json?: boolean }) => {
      const targets = checkTarget(target, true);
      if (given.clean && given.out === undefined) throw new CliError("--clean: only with --out DIR");
      const opts = withTemplateFiles(io, given);
      const resolved = await resolveFrom(io, opts);
      const runs = runEmitters(targets, resolved, opts);
      const prefix = (run: EmitRun, path: string) => (target === "all" ? `${run.target}/${path}` : path);
      const files = runs.flatMap((run) => run.files.map((f) => ({ path: prefix(run, f.path), content: f.content })));
      const coverage = runs.flatMap((run) => run.coverage.map((entry) => ({ target: run.target, entry })));
      if (opts.out === undefined && !opts.json && files.length !== 1) {
        throw new CliError(`${target} produces ${files.length} files (${files.map((f) => f.path).join(", ")}); pass --out DIR to write them, or --json`);
      }
      const written = opts.out !== undefined ? writeFilesAtomically(io, opts.out, files, { clean: opts.clean === true }) : undefined;
      if (opts.json) {
        io.stdout(
          json({
            revision: resolved.revision.id,
            regions: resolved.regions,
            dataHash: resolved.dataHash,
            targets: runs.map((run) => ({
              target: run.target,
              files: run.files.map((f) => (written ? { path: prefix(run, f.path), bytes: Buffer.byteLength(f.content) } : { path: f.path, content: f.content })),
              coverage: run.coverage,
            })),
            ...(written ? { removed: written.removed } : {}),
          }),
        );
        return;
      }
      if (!written) io.stdout(files[0]?.content ?? "");
      else {
        for (const w of written.written) io.stderr(`wrote ${clean(w)}\n`);
        for (const r of written.removed) io.stderr(`removed ${clean(r)} (--clean)\n`);
      }
      io.stderr(coverageTable(coverage));
    });

  /* diff */
  addTargetOptions(addResolveOptions(program.command("diff").argument("<revA>", "older revision id").argument("<revB>", "newer revision id"), false))
    .description("rules added, removed and changed between two revisions, each with what it opens (destination, protocol and port, direction, condition), and apart the rows only reworded; with --target, the concrete rules to add, remove or change")
    .option("--target <target>", "also compare what this target emits for both revisions")
    .option("--json", "print JSON")
    .addHelpText("after", examples([`${BIN} diff 2021-05-21 2021-11-02`, `${BIN} diff 2021-09-13 2021-11-02 --target nsg --region eastus --subnet 10.9.0.0/24`, `${BIN} diff 2021-08-14 2021-09-13 --json`]))
    .action(async (revA: string, revB: string, given: ResolveFlags & TargetFlags & { target?: string; json?: boolean }) => {
      const opts = withTemplateFiles(io, given);
      let d: ReturnType<typeof diffRevisions>;
      try {
        d = diffRevisions(revA, revB);
      } catch (e) {
        throw new CliError(`<revA>/<revB>: ${(e as Error).message}`);
      }
      let targetDiff: TargetDiff | undefined;
      if (opts.target !== undefined) {
        const [t = ""] = checkTarget(opts.target, false);
        const index = await readServiceTags(io, opts.serviceTags);
        const [a] = runEmitters([t], await resolveFrom(io, opts, d.from, index), opts);
        const [b] = runEmitters([t], await resolveFrom(io, opts, d.to, index), opts);
        if (a && b) targetDiff = diffTarget(t, a, b, d.from, d.to);
      }
      if (opts.json) {
        io.stdout(json({ ...d, ...(targetDiff ? { target: targetDiff } : {}) }));
        return;
      }
      const out = formatRevisionDiff(d);
      if (targetDiff) out.push(...formatTargetDiff(targetDiff));
      io.stdout(`${out.map(clean).join("\n")}\n`);
    });

  /* audit */
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
        `az network nsg show -g rg -n nsg | ${BIN} audit - --format az --region eastus`,
        `${BIN} audit vnet.json nsg.json routes.json --parameters vnet.parameters.json --output sarif > audit.sarif`,
        `${BIN} audit plan.json --format tfplan --fail-on warn --output junit > audit.xml`,
      ])}\nVerdicts: open, partly-open (counted, with an example address), blocked (with the rule and an example), unknown (naming the value the input does not give), not-auditable. Without --service-tags, tags are compared through the bundled tag table.\n`,
    )
    .action(async (files: string[], opts: AuditFlags) => {
      outcome.code = await runAuditCommand(io, files, opts);
    });

  /* check-source */
  program
    .command("check-source")
    .argument("<page.md>", "a copy of the network-rules page (Markdown), in English or a translation the locale catalogue knows")
    .option("--revision <id>", "compare with this revision (default: the current one)")
    .option("--locale <code>", "the page's language (ISO 639-1: en, fr, de...) instead of its front matter's or its text's")
    .option("--json", "print the comparison as JSON")
    .description("compare a copy of the source page, its rule tables and its prose, with the dataset (exit 0 match, 1 rule change, unreadable line or prose changed, 2 cannot read)")
    .addHelpText(
      "after",
      examples([
        `${BIN} check-source network-rules.md`,
        `${BIN} check-source old-page.md --revision 2021-09-13`,
        `${BIN} check-source network-rules.fr-fr.md --locale fr --json`,
      ]),
    )
    .action(async (page: string, opts: { revision?: string; locale?: string; json?: boolean }) => {
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

  return program;
}

/** Runs the CLI on `argv` (without node and script), writing through `io`; resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const outcome: Outcome = { code: 0 };
  const program = buildProgram(io, outcome);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return outcome.code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const message = e instanceof Error ? e.message : String(e);
    io.stderr(`${BIN}: error: ${clean(message)}\n`);
    if (!(e instanceof CliError) && process.env.CMN_DEBUG && e instanceof Error) io.stderr(`${e.stack}\n`);
    return 2;
  }
}

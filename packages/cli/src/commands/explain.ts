/** `explain <id>`: one requirement, its alternatives, provenance and inferences, and how each target enforces it. */
import { compareStrings, getRequirement, type Locale, type Requirement } from "@cassandra-mi-netrules/core";
import type { Command } from "commander";
import { BIN, examples } from "../cli-options.js";
import { addConfigOptions, addPluginOption, addResolveOptions, withConfig, type CliContext } from "../context.js";
import { howWhy } from "../coverage.js";
import { runEmitters } from "../emit-run.js";
import { CliError } from "../errors.js";
import { clean, json, table } from "../format.js";
import { resolveFrom, type ResolveFlags } from "../resolve-opts.js";
import { addTargetFlags, collectTargetOptions } from "../target-options.js";
import { destinations, ports } from "./list.js";

/** The sentences around the data, per locale; the data's own text (purpose, conditions, notes) is already in both. */
const TEXT = {
  en: {
    kind: { outbound: "outbound", internal: "internal" },
    port: (n: number) => (n === 1 ? "port" : "ports"),
    purpose: "purpose",
    alternatives: "alternatives (any one satisfies the requirement):",
    noAlternatives: "alternatives: none (between the nodes of the cluster and its peers)",
    fqdn: "fqdn",
    tag: "service tag",
    regional: (asked: boolean) => ` (regional forms exist${asked ? "; the row asks for them" : ""})`,
    prefixes: "prefixes",
    condition: (feature: string, when: string) => `condition: when feature ${feature} is ${when}`,
    provenance: (t: string, since: string, revs: string) => `provenance: table ${t}, since ${since}, listed in ${revs}`,
    asWritten: (rev: string) => `as written in ${rev}`,
    note: "note",
    inferences: "inferences (the page is silent; this is ours):",
    notIn: (rev: string, revs: string) => `not in revision ${rev} (listed in ${revs}); use --revision`,
    excluded: "excluded with these features",
    resolved: (rev: string, regions: string) => `resolved for ${rev}, regions ${regions}`,
    none: "(none)",
    how: "how each target enforces it:",
    headers: ["target", "status", "how / why"],
    cannot: "(cannot emit)",
    noEntry: "(no coverage entry)",
    targetsSay: "",
  },
  fr: {
    kind: { outbound: "sortante", internal: "interne" },
    port: (n: number) => (n === 1 ? "port" : "ports"),
    purpose: "objet",
    alternatives: "alternatives (une seule suffit) :",
    noAlternatives: "alternatives : aucune (entre les nœuds du cluster et ses pairs)",
    fqdn: "FQDN",
    tag: "étiquette de service",
    regional: (asked: boolean) => ` (des formes régionales existent${asked ? " ; la ligne les demande" : ""})`,
    prefixes: "préfixes",
    condition: (feature: string, when: string) => `condition : quand la fonctionnalité ${feature} est ${when === "enabled" ? "activée" : "désactivée"}`,
    provenance: (t: string, since: string, revs: string) => `provenance : tableau ${t}, depuis ${since}, présente dans ${revs}`,
    asWritten: (rev: string) => `telle qu'écrite en ${rev}`,
    note: "remarque",
    inferences: "déductions (la page ne dit rien ; elles sont de nous) :",
    notIn: (rev: string, revs: string) => `absente de la révision ${rev} (présente dans ${revs}) ; utilisez --revision`,
    excluded: "exclue avec ces fonctionnalités",
    resolved: (rev: string, regions: string) => `résolue pour ${rev}, régions ${regions}`,
    none: "(aucune)",
    how: "comment chaque cible l'applique :",
    headers: ["cible", "statut", "comment / pourquoi"],
    cannot: "(ne peut pas générer)",
    noEntry: "(aucune entrée de couverture)",
    targetsSay: "Les cibles décrivent leur couverture en anglais (statuts enforced, approximated, unsupported).",
  },
} as const;

const colon = (locale: Locale) => (locale === "fr" ? " : " : ": ");

function describeRequirement(req: Requirement, locale: Locale): string[] {
  const t = TEXT[locale];
  const c = colon(locale);
  const single = req.ports.length === 1 && req.ports[0]?.from === req.ports[0]?.to;
  const out = [`${req.id}${c}${t.kind[req.kind]}, ${req.protocol}, ${t.port(single ? 1 : 2)} ${ports(req)}`, `${t.purpose}${c}${req.purpose[locale]}`];
  if (req.destinations.length > 0) {
    out.push(t.alternatives);
    for (const d of req.destinations) {
      if (d.type === "fqdn") out.push(`  ${t.fqdn} ${d.fqdn}`);
      else if (d.type === "serviceTag") out.push(`  ${t.tag} ${d.tag}${d.regional ? t.regional(d.regionalOnly === true) : ""}`);
      else out.push(`  ${t.prefixes} ${d.prefixes.join(", ")}`);
    }
  } else out.push(t.noAlternatives);
  for (const cond of req.conditions) out.push(`${t.condition(cond.feature, cond.when)}${c}${cond[locale]}`);
  const p = req.provenance;
  out.push(t.provenance(p.table, p.since, p.revisions.join(", ")));
  for (const rev of Object.keys(p.asWritten).sort(compareStrings)) out.push(`  ${t.asWritten(rev)}${c}${p.asWritten[rev]}`);
  for (const n of p.notes) out.push(`  ${t.note}${c}${n[locale]}`);
  if (req.inferred.length > 0) {
    out.push(t.inferences);
    for (const i of req.inferred) out.push(`  [${i.about}] ${i[locale]}`);
  }
  return out;
}

export function registerExplain(program: Command, ctx: CliContext): void {
  const cmd = program.command("explain").argument("<id>", "requirement id, e.g. storage-control-plane");
  addPluginOption(addConfigOptions(addTargetFlags(addResolveOptions(cmd), ctx.flags)))
    .description("one requirement: alternatives, provenance, inferences, and how each target enforces it (in French with --locale fr)")
    .option("--json", "print JSON")
    .addHelpText("after", examples([`${BIN} explain storage-control-plane --region eastus`, `${BIN} explain gossip --json`, `${BIN} explain key-vault --locale fr`]))
    .action(async (id: string, opts: ResolveFlags & Record<string, unknown> & { json?: boolean }) => {
      const { io } = ctx;
      let req: Requirement;
      try {
        req = getRequirement(id);
      } catch (e) {
        throw new CliError(`<id>: ${(e as Error).message}`);
      }
      const locale: Locale = opts.locale === "fr" ? "fr" : "en";
      const t = TEXT[locale];
      const options = collectTargetOptions(io, ctx.registry, ctx.flags, opts, ctx.config ? { file: ctx.config.file, targets: ctx.config.targets ?? {} } : undefined);
      const resolved = await resolveFrom(io, withConfig(opts, ctx.config));
      const rule = resolved.rules.find((r) => r.id === id);
      const excluded = resolved.excluded.find((r) => r.id === id);
      const targets = rule
        ? ctx.registry.names().map((target) => {
            try {
              const [run] = runEmitters(ctx, [target], resolved, options);
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
      const c = colon(locale);
      if (!inRevision) lines.push(t.notIn(resolved.revision.id, req.provenance.revisions.join(", ")));
      if (excluded) lines.push(`${t.excluded}${c}${excluded.reason[locale]}`);
      if (!rule) return void io.stdout(`${lines.map(clean).join("\n")}\n`);
      lines.push(`${t.resolved(resolved.revision.id, resolved.regions.join(", ") || t.none)}${c}${destinations(rule)}`, "", t.how);
      if (t.targetsSay) lines.push(t.targetsSay);
      io.stdout(`${lines.map(clean).join("\n")}\n`);
      io.stdout(
        table(
          t.headers,
          targets.map((x) => [x.target, x.coverage?.status ?? (x.error ? t.cannot : t.noEntry), x.coverage ? howWhy(x.coverage) : (x.error ?? "")]),
        ),
      );
    });
}

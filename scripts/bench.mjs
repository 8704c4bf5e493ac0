// `npm run bench`: the six benchmarks of the project, side by side in one run, written to BENCHMARKS.md.
//   node scripts/bench.mjs                 all six, then BENCHMARKS.md
//   node scripts/bench.mjs import merge    only those (printed; BENCHMARKS.md is left alone)
//   options: --quick (fewer runs), --no-write, --own-ruleset (kernel: the bench's own set-based ruleset, not the emitter's)
// Needs the built packages (`npm run build`) and, for the kernel benchmark, root.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CORE_DIST, EMITTERS, ROOT, machine, requireBuilt } from "./bench/common.mjs";
import { COMMAND as AERLEON_CMD, benchAerleon } from "./bench/aerleon.mjs";
import { COMMAND as AUDIT_CMD, benchAudit } from "./bench/audit.mjs";
import { COMMAND as EMIT_CMD, benchEmit } from "./bench/emit.mjs";
import { COMMAND as IMPORT_CMD, benchImport } from "./bench/import.mjs";
import { COMMAND as KERNEL_CMD, benchKernel } from "./bench/kernel.mjs";
import { COMMAND as MERGE_CMD, benchMerge } from "./bench/merge.mjs";

const args = process.argv.slice(2);
const OPTIONS = ["--quick", "--no-write", "--own-ruleset", "--help", "-h"];
if (args.includes("--help") || args.includes("-h")) {
  console.log(`Usage: node scripts/bench.mjs [import|emit|merge|kernel|aerleon|audit ...] [--quick] [--no-write] [--own-ruleset]

Runs the project's benchmarks side by side in one run; with no name, all six, written to BENCHMARKS.md.

Examples:
  node scripts/bench.mjs                  all six, then BENCHMARKS.md (about 10 minutes; root for kernel and aerleon)
  node scripts/bench.mjs import emit      only those, printed (BENCHMARKS.md is left alone)
  node scripts/bench.mjs --quick          fewer runs of each, printed only`);
  process.exit(0);
}
for (const a of args) if (a.startsWith("-") && !OPTIONS.includes(a)) throw new Error(`unknown option "${a}"; known: ${OPTIONS.join(", ")}`);
const quick = args.includes("--quick");
const names = args.filter((a) => !a.startsWith("--"));
const ALL = ["import", "emit", "merge", "kernel", "aerleon", "audit"];
for (const n of names) if (!ALL.includes(n)) throw new Error(`unknown benchmark "${n}"; known: ${ALL.join(", ")}`);
const selected = names.length ? ALL.filter((n) => names.includes(n)) : ALL;
const write = selected.length === ALL.length && !args.includes("--no-write") && !quick;

const BENCHES = {
  import: { title: "1. Import: the built core against plain JSON", command: IMPORT_CMD, target: "ratio <= 1.1", run: () => benchImport({ runs: quick ? 10 : 60 }) },
  emit: { title: "2. Emission: every target for every region", command: EMIT_CMD, target: "< 0.5 s for all of it; the CLI's `emit all` with `--service-tags` <= 1.3x the same run without", run: () => benchEmit({ passes: quick ? 2 : 5, cliRuns: quick ? 4 : 25 }) },
  merge: { title: "3. Prefix merging: mergePrefixes against Python's ipaddress.collapse_addresses", command: MERGE_CMD, target: ">= 3x faster", run: () => benchMerge({ reps: quick ? 5 : 30 }) },
  kernel: { title: "4. Kernel: ipset-based ruleset against one rule per prefix", command: KERNEL_CMD, target: "eastus ruleset <= 16 rules; `iptables.sh` load <= 2x its raw inputs", run: () => benchKernel({ attempts: quick ? 300 : 2000, loads: quick ? 2 : 5, ownRuleset: args.includes("--own-ruleset") }) },
  aerleon: { title: "5. Side by side with aerleon: the same policy, generated and loaded", command: AERLEON_CMD, target: "generation <= 0.8x aerleon's, for iptables and nftables", run: () => benchAerleon({ runs: quick ? 3 : 9, attempts: quick ? 300 : 2000, loads: quick ? 2 : 5 }) },
  audit: { title: "6. Audit at scale: a Resource Graph export of 10,000 NSGs", command: AUDIT_CMD, target: "< 5 s and < 1 GiB peak RSS, with the service-tags file", run: () => benchAudit({ nsgs: quick ? 1000 : 10000 }) },
};

const stale = [];
const core = requireBuilt(CORE_DIST, "packages/core");
if (core.stale) stale.push("core");
for (const dir of EMITTERS) {
  try {
    if (requireBuilt(join(ROOT, "packages", dir, "dist/index.js"), `packages/${dir}`).stale) stale.push(dir);
  } catch {
    // The emission bench reports emitters that are not built.
  }
}
if (stale.length) console.warn(`bench: warning: built output older than its sources in ${stale.join(", ")}; run \`npm run build\` for current figures`);

const host = machine();
console.log(`bench: ${host.nproc} cpus (${host.cpu}), ${host.memory}, node ${host.node}, ${host.python}, kernel ${host.kernel}; load average ${host.load}`);
const started = new Date();
const outcomes = {};
for (const name of selected) {
  const b = BENCHES[name];
  console.log(`\n== ${b.title}\n   reproduce: ${b.command}`);
  try {
    outcomes[name] = await b.run();
    console.log(`   ${outcomes[name].summary}`);
  } catch (e) {
    outcomes[name] = { error: e.message };
    console.error(`   FAILED: ${e.message}`);
  }
}
const loadAfter = machine().load;

if (write) {
  writeFileSync(join(ROOT, "BENCHMARKS.md"), renderDoc());
  console.log("\nbench: wrote BENCHMARKS.md");
}
process.exitCode = Object.values(outcomes).some((o) => o.error) ? 1 : 0;

function verdict(name) {
  const o = outcomes[name];
  if (o.error) return "not measured (failed)";
  if (name === "kernel") return kernelMet(o.result) ? "**met**" : "**missed**";
  if (name === "aerleon") return aerleonMet(o.result) ? "**met**" : "**missed**";
  return o.result.met ? "**met**" : "**missed**";
}

function renderDoc() {
  const lines = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (`scripts/bench.mjs`); do not edit by hand. Absolute times on a shared machine are noisy, so every",
    "figure that matters is a ratio of two things measured side by side in the same run.",
    "",
    "## Machine",
    "",
    `- CPUs: ${host.nproc} (${host.cpu}); memory ${host.memory}`,
    `- node ${host.node}, ${host.python}, Linux ${host.kernel}`,
    `- ${host.iptables}; ${host.ipset}`,
    `- load average at the start: ${host.load}; at the end: ${loadAfter} (other work shared the machine)`,
    `- run on ${started.toISOString().slice(0, 10)}`,
    "",
    "## Commands",
    "",
    "```sh",
    "npm run build                            # the benches use the built packages (dist/)",
    "sudo npm run bench                       # all six, writes BENCHMARKS.md (root for the kernel and aerleon ones)",
    ...ALL.map((n) => `${BENCHES[n].command.padEnd(40)} # ${BENCHES[n].title.replace(/^\d\. /, "").split(":")[0].toLowerCase()} alone, printed only`),
    "node scripts/bench.mjs --quick           # fewer runs, printed only",
    "```",
    "",
  ];
  for (const name of ALL) {
    const b = BENCHES[name];
    const o = outcomes[name];
    lines.push(`## ${b.title}`, "", `Reproduce: \`${b.command}\`. Target: ${b.target}.`, "");
    lines.push(o.error ? `Not measured: ${o.error}` : o.markdown, "");
  }
  lines.push("## Targets", "", ...closing(), "");
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

function closing() {
  const rows = [
    `| import, core / JSON <= 1.1 | ${outcomes.import.error ? "-" : outcomes.import.result.ratio.toFixed(2)} | ${verdict("import")} |`,
    `| emission < 0.5 s | ${outcomes.emit.error ? "-" : `${(outcomes.emit.result.allMs / 1000).toFixed(2)} s`} | ${verdict("emit")} |`,
    `| CLI emit all, every region: --service-tags / without <= 1.3 | ${outcomes.emit.error ? "-" : outcomes.emit.result.cli.ratio.toFixed(2)} | ${outcomes.emit.error ? "not measured (failed)" : outcomes.emit.result.cli.met ? "**met**" : "**missed**"} |`,
    `| merging >= 3x Python | ${outcomes.merge.error ? "-" : `${outcomes.merge.result.groups.union.ratio.toFixed(1)}x`} | ${verdict("merge")} |`,
    `| kernel: eastus <= 16 rules, script load <= 2x raw | ${outcomes.kernel.error ? "-" : kernelFigure()} | ${verdict("kernel")} |`,
    `| generation <= 0.8x aerleon | ${outcomes.aerleon.error ? "-" : aerleonFigure()} | ${verdict("aerleon")} |`,
    `| audit of 10,000 NSGs < 5 s and < 1 GiB | ${outcomes.audit.error ? "-" : auditFigure()} | ${verdict("audit")} |`,
  ];
  return ["| target | measured | verdict |", "| --- | --- | --- |", ...rows, "", ...notes()];
}

function f1(x) {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

/** What each figure means and, for a missed target, what limits it: from this run's measurements and profile. */
function notes() {
  const out = [];
  const imp = outcomes.import;
  if (!imp.error) {
    const r = imp.result;
    const deps = r.deps.length === 0 ? "imports nothing at run time" : `still imports ${r.deps.map((d) => d.file).join(", ")}`;
    out.push(
      `- **Import** (${r.met ? "met" : "missed"}, ${r.ratio.toFixed(2)}): the core entry ${deps}${r.own.length === 1 ? " and is one file" : ""}. ` +
        "What made it cheaper: `cidr.ts` used to import ipaddr.js, a CommonJS module, and loading it from ESM (node's CommonJS export detection) cost about 35 ms of wall time per process, " +
        "a third of node's whole start-up, so that import alone made the ratio about 1.4; the deep freeze of the data at import made a function call for every string and number, where it now recurses into objects only (by index and for-in, no iterator or key array per object); " +
        "the generated modules hold the data as `JSON.parse('...')` of its JSON text, which V8 reads faster than the same object literal and compiles faster than the template literal it was (a template costs a cooked and a raw string), " +
        "in ASCII only (one other character made node decode the whole file as UTF-8 and V8 hold and scan it as two-byte text); the service-tag catalogue is parsed and frozen on first read of `serviceTagCatalog.tags` (a getter; the object keeps its shape), so the main entry only scans its text; " +
        "and the main entry is one file, which the subpaths import for the dataset, the classes and the helpers it holds (each module file costs node's loader a resolve, a package scope lookup, an asynchronous read on libuv's thread pool and a compile before its first line runs; the bundler used to make eight files, then two). " +
        `What is left is, first, node's cost for loading any ES module file, which reading JSON with \`readFileSync\` does not pay (node reads module files through \`fs/promises\`, which starts libuv's thread pool and waits on it for the open, the stat, the read and the close): the empty module file alone is ${f1(r.medians.moduleFile - r.medians.empty)} ms above the empty process, a ratio of ${(r.medians.moduleFile / r.medians.json).toFixed(2)} against JSON; ` +
        `then compiling and running the ${(r.coreBytes / 1024).toFixed(0)} KiB of the entry (the dataset, every revision, the regions, the catalogue's unparsed text and the resolver) and freezing the data: ${f1(r.inproc.core)} ms in-process against ${f1(r.inproc.json)} ms to read and parse the JSON, ` +
        `on top of node's own ${f1(r.medians.empty)} ms start-up and exit. The CPU-time ratio (${r.cpuRatio.toFixed(2)}) is steadier than the wall-time one on a loaded machine.` +
        (r.met ? "" : " What remains is compiling that code and parsing and freezing the requirements of every revision, which `revisions` and `allRequirements` export as plain values."),
    );
  }
  const em = outcomes.emit;
  if (!em.error) {
    const r = em.result;
    const t = r.results.prefixes.cold.perTarget;
    const byCost = Object.entries(t).sort((a, b) => b[1] - a[1]);
    const h = r.hotspots;
    const handlebars = h.packages.find((p) => p.where === "handlebars");
    const parserHot = h.functions.some((f) => f.where === "handlebars" && /^(parse|next|SourceNode|compile)/.test(f.fn));
    out.push(
      `- **Emission** (${r.met ? "met" : "missed"}, ${(r.allMs / 1000).toFixed(2)} s for loading the tags file and every target for every region, cold; ${(r.results.tags.cold.total / 1000).toFixed(2)} s with tags only). ` +
        `By target, with prefixes, cold: ${byCost.map(([n, v]) => `${n} ${f1(v)} ms`).join(", ")}. ` +
        `A profile of one more pass of both cases (${f1(h.totalMs)} ms of samples): ${h.packages.map((p) => `${p.where} ${f1(p.ms)} ms`).join(", ")}. ` +
        (parserHot && handlebars
          ? `Handlebars' template parser and compiler (${f1(handlebars.ms)} ms) run in every pass, warm ones included: the Markdown emitter compiles its templates on each call instead of once per process. `
          : "") +
        (h.cidrMs > 50
          ? `CIDR work in core (\`cidr.ts\`) takes ${f1(h.cidrMs)} ms, called from ${h.cidrCallers.map((c) => `${c.caller} ${f1(c.ms)} ms`).join(", ")}. `
          : "") +
        `Hottest functions: ${h.functions.slice(0, 6).map((f) => `${f.fn} [${f.where}] ${f1(f.ms)} ms`).join("; ")}. ` +
        (r.met
          ? ""
          : `Cold runs also pay for the JIT: the warm passes take ${(r.results.prefixes.warmTotal / 1000).toFixed(2)} s with prefixes and ${(r.results.tags.warmTotal / 1000).toFixed(2)} s tags-only. ` +
            `What limits it is the size of what is written, ${(r.results.tags.cold.bytes / 1e6).toFixed(0)} MB per pass tags-only and ${(r.results.prefixes.cold.bytes / 1e6).toFixed(0)} MB with prefixes (every prefix of every tag in each region's ipset and nft sets, and an OPA bundle with its fixtures per region): no single target dominates, and the same artifacts for all regions in one resolve take ${f1(r.results.oneBatch.cold.total)} ms. Reading the inputs takes ${f1(r.readInputs)} ms.`),
    );
  }
  if (!em.error) {
    const c = em.result.cli;
    out.push(
      `- **The CLI with and without \`--service-tags\`** (${c.met ? "met" : "missed"}, ${c.ratio.toFixed(2)}; ${c.medians.with.toFixed(0)} ms against ${c.medians.without.toFixed(0)} ms, medians of ${c.runs} interleaved runs): ` +
        "the file costs what cannot be lazy, reading and parsing its 4.1 MB (about 20 ms), then its envelope (3,039 names) and the 375 tags the run uses, each compared with the bundled file: a tag whose list is, as written, the bundled one takes the merge that ships with core instead of being read again. " +
        "The lists of the index are frozen and recorded (`mergedPrefixFamily`), and the Linux planner (`mergeChecked`) and the OPA document take a recorded list as it is instead of parsing every prefix again to check its family. " +
        `Output is ${(c.bytes.with / 1e6).toFixed(1)} MB against ${(c.bytes.without / 1e6).toFixed(1)} MB.`,
    );
  }
  const mg = outcomes.merge;
  if (!mg.error) {
    const r = mg.result;
    out.push(
      `- **Prefix merging** (${r.met ? "met" : "missed"}, ${r.groups.union.ratio.toFixed(1)}x, first call ${r.groups.union.firstRatio.toFixed(1)}x): \`mergePrefixes\` scans each prefix by hand into 32-bit words (no ipaddr.js, no BigInt), sorts them, folds contained and sibling blocks on a stack, and reuses the input text of every block that survives unchanged when that text is already canonical. Both sides give the same lists on every input.`,
    );
  }
  const kn = outcomes.kernel;
  if (!kn.error) {
    const r = kn.result;
    const set = r.rows.find((x) => x.key === "setRaw");
    const naive = r.rows.find((x) => x.key === "naive");
    out.push(
      `- **Kernel** (${kernelMet(r) ? "met" : "missed"}): the eastus ruleset holds ${set.rules} rules: identical matches are one rule listing every requirement it serves (the dnsmasq-filled FQDN set used to have one rule per requirement). The script loads in ${(r.rows.find((x) => x.key === "set").loadMs / set.loadMs).toFixed(2)}x the time of its raw inputs: one \`ipset restore\` per phase (list and fill, swap, destroy), the two \`-save\` runs, and for an IPv4-only plan one \`iptables-restore\` commit: the IPv4 restore is atomic, so it is committed first without a \`--test\` run, and the IPv6 rules are tested and committed only when the plan has an IPv6 subnet or chains of the script are left there (six tool runs, against ten before). With every prefix as its own rule the chain holds ${naive.rules} rules against ${set.rules}, loads ${(naive.loadMs / set.loadMs).toFixed(1)}x slower, and each new connection costs ${(((naive.traffic.ms - set.traffic.ms) * 1000) / r.attempts).toFixed(0)} us more (${(naive.traffic.ms / set.traffic.ms).toFixed(1)}x for ${r.attempts} connections), because its SYN walks every rule; a set is one hash lookup per rule. Microsoft's per-tag lists are already minimal (merging removes nothing per tag); merging pays off on unions of tags.`,
    );
  }
  const ae = outcomes.aerleon;
  if (!ae.error) {
    const g = ae.result.gen;
    out.push(
      `- **aerleon** (${aerleonMet(ae.result) ? "met" : "missed"}, iptables ${(g.oursIptables / g.aerleonIpset).toFixed(2)}x, nftables ${(g.oursNftables / g.aerleonNftables).toFixed(2)}x): each side is one cold process; ours reads, validates and merges Microsoft's whole service-tags file (the lazy loader of issue 19 item 1 lands separately in core), aerleon reads only the ${ae.result.prefixes} prefixes the bench extracted for it. In the kernel both are set-based; aerleon writes a set per term and repeats the subnet and a state match in every rule, the project dispatches on the subnet once.`,
    );
  }
  const au = outcomes.audit;
  if (!au.error) {
    const r = au.result;
    const s = (x) => `${(x / 1000).toFixed(1)} s`;
    out.push(
      `- **Audit at scale** (${r.met ? "met" : "missed"}, ${s(r.totalMs)} and ${(r.maxRssBytes / 1024 ** 2).toFixed(0)} MiB for ${r.nsgs} NSGs): reading the network took ${s(r.phases.read.wallMs)} (${s(r.phases.read.cpuMs)} CPU; \`JSON.parse\` of the file alone ${s(r.parseOnly.wallMs)}), evaluating it ${s(r.phases.evaluate.wallMs)} (${s(r.phases.evaluate.cpuMs)} CPU, ${r.perFlowUs.toFixed(0)} µs per flow for ${r.flows} flows); the run took ${Object.values(r.phases).reduce((n, p) => n + p.pageFaults, 0).toLocaleString("en-US")} page faults and ${s(Object.values(r.phases).reduce((n, p) => n + p.systemMs, 0))} of system time. ` +
        "Each NSG is its own subject and each of its flows is walked, first match, through its rules as boxes of (source, destination, port, name) over interval sets (numbers for IPv4, tag atoms, the cluster point and ports; BigInt for IPv6); a walk whose rules hold the flow's source and port whole or miss them (every walk of this export) is set operations on its destinations alone: the cost is per rule per flow, plus a fixed cost per subject and flow (the verdicts and the report's objects). " +
        "What the scale work changed (profiled with `node --cpu-prof`; every step checked byte-identical against the build before it on the 200-, 1,000- and 10,000-NSG exports and on every fixture and corpus input under 24 option sets): a relation between two sets is remembered whenever one of them is large, and decided skipping through both sets; each subject projects each rule's source and destination once; literal prefixes and address values share one set or term per text; flows of a subject that differ only in what no stage decides share one walk, and requirements naming the same service tag on the same ports share one alternative; intersections, differences and unions skip through the larger set by galloping search, copy untouched runs whole, and a box a rule holds whole or misses is kept as it is; IPv4 bounds are numbers (offset by 2**31 into small integers) instead of BigInt; a flow's verdict is made in one pass and each rule's step described once; what an allow opens beyond the requirements is worked out once per set, its example address found without making the difference; a walk looks at rules in order only while something remains, and each rule's reach into the flow's source is found once per subject; Azure's default rules are compiled once, and a rule on ports no flow of its direction carries is not projected; a list of values copies a large set once; blocked-prefix counts are made in one pass over bounds kept per list, for the three blocked parts a report keeps; the readers copy less (a rule's properties read into one object; in az and Resource Graph input a list of strings is kept as given); in the walk on destinations one relation decides a rule's sure match (a match that holds all that remains takes it whole, with no intersection or difference), which cut the intersections and differences of the audit by two thirds; address sets keep their memos on themselves, count their intervals once, and answer relations and overlaps from their ends when those decide; a rule's sides are read into terms only when a walk meets the rule, and a side of one value is that value's projection; a subject keeps its walks and alternatives in arrays numbered once per list of requirements, and a flow's verdict is made without wrapper objects; IPv6 sets have their own copy of the interval functions, generated from the one source with the bound type made BigInt, so that the comparisons on IPv4 addresses, tag atoms and ports never see a BigInt (evaluation about 14% faster); a Resource Graph export is parsed a row at a time, each row's objects dying young (read CPU 9% lower, peak RSS about 140 MiB lower); a possible match in the walk keeps the rule's own destinations instead of their intersection with what remains, and the verdicts keep step keys in plain maps let go before each subject (evaluation CPU about 6% lower); a plainly valid security rule of `az` or Resource Graph input is read without a path or a reader per field (any other rule by the general reader, with the same refusals), and an export's next row is found by the head of its separator (read CPU about 20% lower); a value's term keeps its projection on the address context met last, a literal skips the memo of other texts, and lists of tags are remembered in a trie by term instead of by a joined key string (evaluation CPU about 2.5% lower); a long run of intervals is pushed onto a longer result instead of concatenated (each `concat` copied the whole result, so a union or difference made of many runs copied it once per run: 172 M IPv6 and 27 M IPv4 bounds copied fell to 55 M and 13 M, and allocation during the run from about 5.5 GiB to 3.7 GiB), and a list's large sets are joined to each other before its small ones (evaluation CPU about 8% lower, 12 pairs, every pair lower); the CLI reads one export file 64 KiB at a time into the reader (`readGraphExportPieces`, which the whole text also goes through, as one piece), so neither the file's bytes nor its text is ever whole: the read about 0.15 s faster and the peak RSS about 200 MiB lower, but the evaluation then met a full collection it did not meet before (V8 sizes the old generation from what is live after the read, now much less), which gave back most of that time; then a set operation between two large sets is kept for the pair only from its second meeting on (most pairs meet once, and every kept result was promoted to the old generation: 244 MiB promoted over the run fell to 195, no full collection runs during the evaluation any more, evaluation CPU about 0.3 s lower over 5 pairs). The fixed cost per subject and flow fell about 5x (10,000 NSGs with no custom rule: from about 4.1 s to 0.75 s of CPU), the cost per rule by about 60% (0.29 s, then 0.18 s, now about 0.15 s of CPU per rule per 10,000 NSGs). " +
        "Memory: the audit hands out each subject's report as it is made (`evaluateSubjects`, which this bench uses, counting and keeping nothing; `cli audit` writes through spools), compiles each NSG only when its subject comes, lets go of each subject once evaluated, and bounds what it remembers across subjects; the bench, as the CLI, drops the export's text once read and the network once the stream has it. The live heap during the evaluation is about 130 MB (was about 385 MB); the peak RSS above it is node growing its heap between full collections, and it moves from run to run. " +
        "Tried and left out: remembering every intersection and difference with a large set (4% less CPU for 35 MiB more heap per 1,000 NSGs); remembering unions of prefix lists across NSGs (4,941 of 5,228 literal lists differ at 1,000 NSGs); separate code for number and BigInt bounds made by one factory (no gain: closures from one factory share their type feedback; the generated copy above is what works); unions that remember their parts (more lookups than they save); walking destinations as cells of the rules' sets (counted at 200 NSGs: after the prefilter a walk keeps 2 to 7 rules and its destination makes 1 to 3 cells, so the cells would cost the same relations). What is left for the time target (shares of a profile of the 10,000-NSG run after the latest round, taken beside other work): the walk on destinations (23% inclusive: overlaps, intersections and differences between a flow's tag set, up to 2,285 intervals, and the sets of the rules it meets), projecting the rules of each NSG (13%, of which unions of a rule's large tag sets 5%), garbage collection (12%), reading the export (10%, of which `JSON.parse` of the rows 7%), the findings (7%) and the verdicts (6%). Counted at 10,000 NSGs: 520,000 flows make 265,286 walks, which visit 2.3 M rules and touch 1.9 rules each on average; every walk ends when a rule takes all that remains. Also tried and left out this round: a rule side holding `*` taken as everything at once, and a list's tags joined onto its literals rather than onto each other (no gain beyond noise); one memo lookup per one-value side instead of two (it cost what the two did); never remembering relations (no gain beyond noise); scanning every character of the export to cut its rows (the scan cost what the younger garbage saved; finding the next row with `indexOf` is what works); `buffer.isUtf8` instead of the strict decoder (same CPU). Tried and left out in the latest round: a rule side's union of a large tag set and its few prefixes kept as its two parts until an operation needs its intervals (14,051 unions kept at 10,000 NSGs, about 2,100 built later; the walk's two operations on the parts cost what the copies saved: 5,764 against 5,739 ms of CPU, means of 12 pairs); each stage of the walk appending to one list of outcomes, and rule keys the findings cannot use left unmade (2.8% less allocation, 0.8% less CPU: within noise); an ASCII export decoded as latin1 (the decode 30 to 40 ms faster, but V8 parses the external string it gives more slowly and peak RSS grew about 55 MiB); reading the file in 8 MB chunks (slower, more memory); a larger memo for lists of tags (most of the 11,900 distinct lists at 10,000 NSGs are met once, and RSS grew). Tried and left out in the latest round, each measured side by side: a walk looping only over the rules whose source it meets (36% of the loop's iterations skipped; no gain beyond noise); reusing an earlier walk of the same rules, source and destination set (59,966 of 265,286 walks could, but they are the cheap ones: evaluation CPU 0.3 to 1.0 s higher, RSS up to 841 MiB); remembering what a rule takes of a large destination set by pair (22,781 of 44,905 partial takes repeat a pair, but the kept sets hold their memos: CPU higher, RSS up 20 to 200 MiB); reusing the walk's working arrays; relations remembered in a bounded `Map` by set number instead of a `WeakMap` (RSS about 590 MiB, CPU no lower); a list's large sets joined smallest first; a difference returning its input uncopied when nothing is removed (almost never fires); each large set keeping its bounds' outer neighbours for IPv6 differences (no gain beyond noise); a larger young generation (`--max-semi-space-size` 32 or 64: no gain, and the product runs without flags). " +
        "Measured in the latest round and left out (evaluation wall ms, pairs run one after the other): a sure rule of one outcome related to what remains at once, the relation telling whether they meet (3,987 to 4,029 against 3,857 to 4,158: a relation costs more than an overlap test that stops early, for the many rules that miss); memo lookups without a closure per call (within noise, 4 pairs); relations remembered only between two large sets (no gain, scavenges unchanged); a set operation whose every part is one of its inputs' returning that input (about 6,900 large unions were new wrappers of a set already made; within noise); intersections and differences between two large sets not remembered (6,569 and 6,774 of them are found in the memo: 4,254 to 4,457 against 4,100 to 4,224, worse); `--max-semi-space-size=64` again (2 to 3% at most). Counted: the evaluation asks 1.67 M overlaps (the walk and the findings), 92,186 of them between two large sets no memo knows, and 88,637 of those are distinct pairs: a rule's list of a tag and prefixes is a new set per NSG, so no memo can serve it. " +
        "Where the time goes besides the code (the phase table above counts each phase's system time and page faults), measured before the export was read in pieces: a run made about 184,000 page faults (0.47 s of system time in a 5.4-s run measured with `/usr/bin/time -v`): 89,000 while reading the file (its bytes and its decoded text, 169 MiB each), 32,000 while reading the network and 54,000 while the heap grew during the evaluation; 253 scavenges took 0.45 to 0.55 s, each promoting 0.6 to 0.8 MB. Read in 64 KiB pieces, the file and the network take about 38,000 page faults together instead of 121,000, and no large string is made; a decoder in streaming mode (`{ stream: true }`) took three times as long as decoding each piece alone up to its last whole character (200 ms against 64 for the file), so the CLI cuts the pieces itself. Side by side with the whole read (pairs, this machine): read 0.85 to 0.94 s against 1.0 to 1.11 s, evaluation 0.05 to 0.25 s longer in most pairs, with one more mark-compact during it (313 MB to 165 MB); the total within noise of the whole read. Sampled from the evaluation's start to its 6,000th subject, 80 MiB of what it allocated was still live after a forced full collection (about 13 KB kept per subject, mostly by the memos on sets) and 55 MiB more had been promoted and died; the memos of large pairs computed 10,426 differences for 17,200 calls, 9,888 intersections for 16,457 and 3,393 unions for 7,814, which is what keeping a result only at a pair's second meeting answers.",
    );
  }
  return out;
}

function auditFigure() {
  const r = outcomes.audit.result;
  return `${(r.totalMs / 1000).toFixed(1)} s, ${(r.maxRssBytes / 1024 ** 2).toFixed(0)} MiB; ${r.perFlowUs.toFixed(0)} µs CPU per flow`;
}

function kernelFigure() {
  const r = outcomes.kernel.result;
  const script = r.rows.find((x) => x.key === "set");
  const set = r.rows.find((x) => x.key === "setRaw");
  const naive = r.rows.find((x) => x.key === "naive");
  return `${set.rules} rules (naive: ${naive.rules}); \`iptables.sh\` ${script ? `${(script.loadMs / set.loadMs).toFixed(2)}x` : "-"} its raw inputs; new connections ${(naive.traffic.ms / set.traffic.ms).toFixed(1)}x slower through the naive chain`;
}

function kernelMet(r) {
  const script = r.rows.find((x) => x.key === "set");
  const set = r.rows.find((x) => x.key === "setRaw");
  return set.rules <= 16 && script !== undefined && script.loadMs <= 2 * set.loadMs;
}

function aerleonMet(r) {
  return r.gen.oursIptables <= 0.8 * r.gen.aerleonIpset && r.gen.oursNftables <= 0.8 * r.gen.aerleonNftables;
}

function aerleonFigure() {
  const g = outcomes.aerleon.result.gen;
  return `iptables ${(g.oursIptables / g.aerleonIpset).toFixed(2)}x, nftables ${(g.oursNftables / g.aerleonNftables).toFixed(2)}x (aerleon ${outcomes.aerleon.result.version})`;
}


// Benchmark 1: a fresh node process importing `requiredRules` from the built core, against a fresh
// process reading and parsing the same data as a plain JSON file. Interleaved runs, medians, ratio.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { CORE_DIST, ROOT, kib, median, ms, nowMs, quantile, ratio, run, table } from "./common.mjs";

export const COMMAND = "node scripts/bench.mjs import";
const TARGET = 1.1;

/** Every file a module loads at run time, following static imports (ESM) and requires (CJS). */
async function runtimeImports(entry) {
  const { init, parse } = await import(pathToFileURL(join(ROOT, "node_modules/es-module-lexer/dist/lexer.js")).href);
  await init;
  const seen = new Map();
  const visit = (file) => {
    if (seen.has(file)) return;
    const src = readFileSync(file, "utf8");
    seen.set(file, statSync(file).size);
    const req = createRequire(file);
    let specs = [];
    try {
      const [imports] = parse(src);
      specs = imports.filter((i) => i.d === -1 && i.n).map((i) => i.n);
    } catch {
      specs = [];
    }
    // CommonJS: its literal require() calls.
    if (specs.length === 0) specs = [...src.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    for (const s of specs) {
      if (s.startsWith("node:")) continue;
      let resolved;
      try {
        resolved = s.startsWith(".") ? join(dirname(file), s) : req.resolve(s);
      } catch {
        continue;
      }
      if (resolved.startsWith("/")) visit(resolved);
    }
  };
  visit(entry);
  return [...seen].map(([file, size]) => ({ file: relative(ROOT, file), size }));
}

export async function benchImport({ runs = 40 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "cmn-bench-import-"));
  try {
    const jsonFile = join(dir, "required-rules.json");
    const dump = run(process.execPath, [
      "--input-type=module",
      "-e",
      `import { requiredRules } from ${JSON.stringify(pathToFileURL(CORE_DIST).href)}; process.stdout.write(JSON.stringify(requiredRules));`,
    ]);
    writeFileSync(jsonFile, dump.stdout);
    // For scale: what node's loader costs for any ES module file, in a package scope of its own.
    const moduleFile = join(dir, "empty.js");
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    writeFileSync(moduleFile, "export {};\n");
    const variants = {
      core: `import { requiredRules } from ${JSON.stringify(pathToFileURL(CORE_DIST).href)}; if (requiredRules.length === 0) process.exit(3);`,
      json: `import { readFileSync } from "node:fs"; const requiredRules = JSON.parse(readFileSync(${JSON.stringify(jsonFile)}, "utf8")); if (requiredRules.length === 0) process.exit(3);`,
      empty: `import "node:fs";`,
      moduleFile: `import ${JSON.stringify(pathToFileURL(moduleFile).href)};`,
    };
    const names = Object.keys(variants);
    const times = Object.fromEntries(names.map((n) => [n, []]));
    const cpu = Object.fromEntries(names.map((n) => [n, []]));
    // Each child also prints its own CPU time (user + system, start-up included), which machine load disturbs less than wall time.
    const cpuTail = ` const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000));`;
    const once = (name) => {
      const start = nowMs();
      const r = run(process.execPath, ["--input-type=module", "-e", variants[name] + cpuTail]);
      return [nowMs() - start, Number(r.stdout)];
    };
    for (let i = 0; i < 3; i++) for (const n of names) once(n);
    for (let i = 0; i < runs; i++) {
      // Rotate the order each round so drift in machine load hits every variant alike.
      for (let k = 0; k < names.length; k++) {
        const n = names[(i + k) % names.length];
        const [wall, cpuMs] = once(n);
        times[n].push(wall);
        cpu[n].push(cpuMs);
      }
    }
    const med = Object.fromEntries(names.map((n) => [n, median(times[n])]));
    const cpuMed = Object.fromEntries(names.map((n) => [n, median(cpu[n])]));
    const r = med.core / med.json;
    // In-process view of the same costs, after importing the empty module file has set up node's ESM loader and its file reads: median of 9 processes.
    const inprocRuns = [];
    for (let i = 0; i < 9; i++) {
      inprocRuns.push(
        JSON.parse(
          run(process.execPath, [
            "--input-type=module",
            "-e",
            `const { readFileSync } = await import("node:fs");
             await import(${JSON.stringify(pathToFileURL(moduleFile).href)});
             let t = performance.now(); JSON.parse(readFileSync(${JSON.stringify(jsonFile)}, "utf8")); const json = performance.now() - t;
             t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(CORE_DIST).href)}); const core = performance.now() - t;
             if (!m.requiredRules.length) process.exit(3);
             process.stdout.write(JSON.stringify({ json, core }));`,
          ]).stdout,
        ),
      );
    }
    const inproc = { json: median(inprocRuns.map((x) => x.json)), core: median(inprocRuns.map((x) => x.core)) };
    const files = await runtimeImports(CORE_DIST);
    const coreDir = relative(ROOT, dirname(CORE_DIST));
    // The entry and the shared chunks of core's own build that it loads; deps: anything else.
    const own = files.filter((f) => f.file.startsWith(`${coreDir}/`));
    const deps = files.filter((f) => !f.file.startsWith(`${coreDir}/`));
    const coreSrc = Buffer.concat(own.map((f) => readFileSync(join(ROOT, f.file))));
    const ipaddrFile = join(ROOT, "node_modules/ipaddr.js/lib/ipaddr.js");
    const result = {
      runs,
      medians: med,
      p25: Object.fromEntries(names.map((n) => [n, quantile(times[n], 0.25)])),
      p75: Object.fromEntries(names.map((n) => [n, quantile(times[n], 0.75)])),
      ratio: r,
      met: r <= TARGET,
      cpu: cpuMed,
      cpuRatio: cpuMed.core / cpuMed.json,
      inproc,
      coreBytes: coreSrc.length,
      own,
      coreGzip: gzipSync(coreSrc).length,
      jsonBytes: Buffer.byteLength(dump.stdout),
      deps,
      ipaddrBytes: statSync(ipaddrFile).size,
    };
    return { result, markdown: render(result), summary: `import: core ${ms(med.core)} ms vs JSON ${ms(med.json)} ms, ratio ${ratio(r)} (target <= ${TARGET}) ${r <= TARGET ? "MET" : "MISSED"}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function render(r) {
  const row = (label, k) => [label, ms(r.medians[k]), `${ms(r.p25[k])}-${ms(r.p75[k])}`, ms(r.medians[k] - r.medians.empty), ms(r.cpu[k])];
  const rows = [
    row("`import { requiredRules }` from `packages/core/dist/index.js`", "core"),
    row("`JSON.parse(readFileSync(required-rules.json))`", "json"),
    row("empty process (`import \"node:fs\"`), for scale", "empty"),
    row("an empty ES module file (`export {};`), for scale: what node's loader costs for any module file", "moduleFile"),
  ];
  return [
    `Fresh \`node --input-type=module -e ...\` processes, ${r.runs} runs of each variant, interleaved (order rotated every round) after 3 warm-up rounds; wall time from spawn to exit.`,
    "",
    table(["process", "median wall ms", "p25-p75 wall ms", "wall above the empty process, ms", "median CPU ms (until the script's end)"], rows),
    "",
    `**Ratio core / JSON (median wall time): ${ratio(r.ratio)}** (target <= 1.1: ${r.met ? "met" : "missed"}). The same ratio on CPU time: ${ratio(r.cpuRatio)}. The empty module file alone against JSON: ${ratio(r.medians.moduleFile / r.medians.json)} (CPU ${ratio(r.cpu.moduleFile / r.cpu.json)}).`,
    "",
    `In one process (median of 9, node's ESM loader and its file reads already set up by importing the empty module file): importing the core module takes ${ms(r.inproc.core)} ms, reading and parsing the JSON ${ms(r.inproc.json)} ms; the rest of each figure above is node's own start-up, its first module file and its exit.`,
    "",
    `Sizes: the main entry loads ${r.own.map((f) => `\`${f.file}\` (${kib(f.size)})`).join(", ")}: ${kib(r.coreBytes)} in all (${kib(r.coreGzip)} gzipped), holding the whole dataset, every revision, the regions and the service-tag catalogue (its text only, parsed on first use); the same \`requiredRules\` as JSON: ${kib(r.jsonBytes)}. ` +
      (r.deps.length === 0
        ? `Nothing else is imported at run time (no \`node_modules\` file, no node built-in): the CIDR code no longer loads ipaddr.js (${kib(r.ipaddrBytes)}), whose CommonJS-from-ESM import alone cost about 35 ms per process before.`
        : `Run-time imports: ${r.deps.map((d) => `\`${d.file}\` ${kib(d.size)}`).join(", ")}.`),
  ].join("\n");
}

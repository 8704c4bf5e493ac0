// Child of benchmark 3: the built core's mergePrefixes on the inputs of INPUT.json, REPS timed
// repetitions after a first (cold) call. Usage: node scripts/bench/merge-run.mjs INPUT.json REPS
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { CORE_DIST, median, nowMs } from "./common.mjs";

const { mergePrefixes } = await import(pathToFileURL(CORE_DIST).href);
const doc = JSON.parse(readFileSync(process.argv[2], "utf8"));
const reps = Number(process.argv[3]);
const out = {};
for (const c of doc.cases) {
  const times = [];
  let result;
  for (let i = 0; i <= reps; i++) {
    const start = nowMs();
    const merged = c.lists.map((list) => {
      const m = mergePrefixes(list);
      return c.family === 4 ? m.ipv4 : m.ipv6;
    });
    times.push(nowMs() - start);
    result ??= merged;
  }
  out[c.id] = { first: times[0], median: median(times.slice(1)), result };
}
process.stdout.write(JSON.stringify({ cases: out }));

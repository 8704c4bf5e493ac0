/**
 * Build-time compiler of data/udr.yaml: validates it with zod, reads the vendored prefix lists it names,
 * and checks every link (the revision exists, the text is on the page copy, each prefix is a canonical
 * IPv4 CIDR, the counts match). Used by the generator and the tests; never imported at run time.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseCidr } from "../cidr.js";
import { UdrFileSchema } from "../schema.js";
import type { UdrAdvice } from "../types.js";
import { check, DatasetError, parseYaml } from "./compile.js";

/** Text as the checker compares it: Markdown links as their text, whitespace collapsed. */
function plainText(markdown: string): string {
  return markdown.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/\s+/g, " ");
}

function readPrefixList(repoRoot: string, file: string, expected: number, at: string, problems: string[]): string[] {
  let text: string;
  try {
    text = readFileSync(join(repoRoot, file), "utf8");
  } catch (e) {
    problems.push(`${at}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return [];
  }
  const lines = text.split("\n").filter((l, i, all) => !(l === "" && i === all.length - 1));
  lines.forEach((line, i) => {
    try {
      const cidr = parseCidr(line);
      if (cidr.family !== 4 || cidr.text !== line) problems.push(`${at}: ${file} line ${i + 1}: not a canonical IPv4 prefix (value: ${JSON.stringify(line)})`);
    } catch {
      problems.push(`${at}: ${file} line ${i + 1}: not a CIDR prefix (value: ${JSON.stringify(line)})`);
    }
  });
  if (new Set(lines).size !== lines.length) problems.push(`${at}: ${file} holds a prefix twice`);
  if (lines.length !== expected) problems.push(`${at}: ${file} holds ${lines.length} prefixes (value of prefixCount: ${expected})`);
  return lines;
}

/** Reads `dataDir/udr.yaml`; throws DatasetError listing every problem as `file: path: message (value: ...)`. */
export function compileUdrAdvice(dataDir: string, revisionIds: readonly string[], repoRoot: string): UdrAdvice[] {
  const problems: string[] = [];
  const file = join(dataDir, "udr.yaml");
  const where = relative(repoRoot, file) || file;
  const parsed = check(UdrFileSchema, parseYaml(file, where, problems), where, problems) ?? [];
  const seen = new Set<string>();
  const out = parsed.map((a, i): UdrAdvice => {
    const at = `${where}: [${i}]`;
    if (!revisionIds.includes(a.revision)) problems.push(`${at}.revision: unknown revision (value: "${a.revision}")`);
    if (seen.has(a.revision)) problems.push(`${at}.revision: advice given twice for this revision (value: "${a.revision}")`);
    seen.add(a.revision);
    let page = "";
    try {
      page = plainText(readFileSync(join(repoRoot, a.copy), "utf8"));
    } catch {
      problems.push(`${at}.copy: cannot read the page copy (value: "${a.copy}")`);
    }
    if (page !== "" && !page.includes(`## ${a.section} `)) problems.push(`${at}.section: no such heading in ${a.copy} (value: "${a.section}")`);
    if (page !== "" && !page.includes(plainText(a.asWritten))) problems.push(`${at}.asWritten: not the text of ${a.copy} (value: ${JSON.stringify(a.asWritten.slice(0, 60))}...)`);
    const prefixes = readPrefixList(repoRoot, a.sample.prefixesFile, a.sample.prefixCount, `${at}.sample.prefixesFile`, problems);
    a.sample.superseded.forEach((v, j) => readPrefixList(repoRoot, v.prefixesFile, v.prefixCount, `${at}.sample.superseded[${j}].prefixesFile`, problems));
    const { prefixesFile: _file, prefixCount: _count, superseded, ...sample } = a.sample;
    return {
      revision: a.revision,
      section: a.section,
      asWritten: a.asWritten,
      advice: a.advice,
      sample: { ...sample, prefixes, superseded: superseded.map((v) => ({ commit: v.commit, date: v.date, prefixCount: v.prefixCount })) },
      notes: a.notes ?? [],
    };
  });
  if (problems.length > 0) throw new DatasetError(problems);
  return out.sort((x, y) => (x.revision < y.revision ? -1 : 1));
}

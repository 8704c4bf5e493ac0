/** The corpus of real configurations (`corpus/`): its cases as `expected.json` lists them, and their files as documents. */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { InputDocument } from "@cassandra-mi-netrules/azure";

export const CORPUS_DIR: string = fileURLToPath(new URL("./corpus/", import.meta.url));
export const SERVICE_TAGS_FILE: string = fileURLToPath(new URL("../../../vendor/service-tags/ServiceTags_Public_20251028.json", import.meta.url));

export type Verdict = "open" | "partly-open" | "blocked" | "unknown" | "not-auditable";

export interface CorpusCase {
  readonly configuration: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly parameters?: string;
  readonly region: string;
  readonly subnet: string;
  readonly outcome: "audit" | "nothing-to-audit";
  /** The service-tags file the hand analysis counted prefixes with (repository-relative). */
  readonly serviceTags?: string;
  /** One verdict per requirement id of the revision. */
  readonly verdicts?: Readonly<Record<string, Verdict>>;
  readonly found?: readonly string[];
  /** Allows the hand analysis notes as wider than needed (its "Findings"); informational, the evaluator decides what it warns about. */
  readonly notedAllows?: readonly string[];
  readonly assumptions?: readonly string[];
}

export function corpusDocument(configuration: string, file: string): InputDocument {
  return { name: file, text: readFileSync(`${CORPUS_DIR}${configuration}/${file}`, "utf8") };
}

export function corpusConfigurations(): string[] {
  return readdirSync(CORPUS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function corpusCases(): CorpusCase[] {
  return corpusConfigurations().flatMap((configuration) => {
    const expected = JSON.parse(readFileSync(`${CORPUS_DIR}${configuration}/expected.json`, "utf8")) as { revision: string; cases: Omit<CorpusCase, "configuration">[] };
    return expected.cases.map((c) => ({ configuration, ...c }));
  });
}

/** The documents and parameters file of a case, as readNetwork and audit take them. */
export function caseInput(c: CorpusCase): { documents: InputDocument[]; parameters?: InputDocument } {
  const documents = c.inputs.map((f) => corpusDocument(c.configuration, f));
  return c.parameters ? { documents, parameters: corpusDocument(c.configuration, c.parameters) } : { documents };
}

/**
 * Prints the prose sections of a copy of the page as a data/source/prose/<revision>.<locale>.yaml skeleton:
 * the normalised text of each section, to which a maintainer adds the source and the requirements and
 * features each section states. Reads the page with the same parser as check-source.
 *
 *   npx tsx scripts/record-prose.ts PAGE.md REVISION [LOCALE] > data/source/prose/REVISION.LOCALE.yaml
 */
import { readFileSync } from "node:fs";
import { dump } from "js-yaml";
import { parseSourcePage } from "../src/source.js";

const [page, revision, locale] = process.argv.slice(2);
if (!page || !revision) {
  console.error("usage: tsx scripts/record-prose.ts PAGE.md REVISION [LOCALE]");
  process.exit(2);
}
const parsed = parseSourcePage(readFileSync(page, "utf8"), locale ? { locale } : {});
const doc = {
  revision,
  locale: parsed.locale,
  source: { repository: "OWNER/REPOSITORY", path: "articles/managed-instance-apache-cassandra/network-rules.md", commit: "0".repeat(40), what: "WHICH COPY" },
  sections: parsed.sections.map((s) => ({ id: s.id, heading: s.heading, text: s.text, requirements: [], features: [] })),
};
process.stdout.write(dump(doc, { lineWidth: -1, noRefs: true, flowLevel: 3 }));

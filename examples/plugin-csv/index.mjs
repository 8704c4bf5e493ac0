// An emitter plugin: the resolved rules as a CSV file (one line per requirement) for a review spreadsheet.
// Load it with `cassandra-mi-netrules emit csv --plugin ./index.mjs ...`; see README.md for the contract.
import { booleanOption, choiceOption, defineOptions } from "@cassandra-mi-netrules/core/options";

/** Its options, declared: the CLI builds `--csv-separator`, `-O csv.header=false` and the config keys from this. */
const options = defineOptions(
  "csv",
  {
    separator: choiceOption([",", ";"], "Field separator (; for spreadsheets that write decimals with a comma)", ","),
    header: booleanOption("Start with a header line", true),
  },
  { separator: { flag: { name: "csv-separator", value: "char" } } },
);

/** One cell: quoted, quotes doubled; a cell a spreadsheet would read as a formula (=, +, -, @) starts with ' instead. */
function cell(value) {
  const text = String(value).replace(/[\u0000-\u001f\u007f]/g, " ");
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll('"', '""')}"`;
}

function destinations(rule) {
  const tags = rule.serviceTags.flatMap((t) => [t.tag, ...t.regional.map((r) => r.name)]);
  return [...rule.fqdns.map((f) => f.fqdn), ...rule.unresolvedFqdns, ...tags, ...rule.prefixes.ipv4, ...rule.prefixes.ipv6].join(" ");
}

/** @type {import("@cassandra-mi-netrules/core").Emitter<{ separator?: "," | ";"; header?: boolean }>} */
export const emitter = {
  name: "csv",
  description: "The resolved rules as a CSV file for review: one line per requirement with its ports and destinations",
  coreMajor: 0,
  package: { name: "@cassandra-mi-netrules-examples/plugin-csv", version: "1.0.0" },
  files: ["rules.csv"],
  options,
  emit(resolved, given) {
    const { separator, header } = options.settle(given);
    // Sorted by id: the same input in any order gives the same bytes.
    const rules = [...resolved.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const lines = rules.map((r) => [r.id, r.kind, r.protocol, r.ports.map((p) => (p.from === p.to ? p.from : `${p.from}-${p.to}`)).join(" "), destinations(r), r.purpose.en]);
    if (header) lines.unshift(["id", "kind", "protocol", "ports", "destinations", "purpose"]);
    const content = `${lines.map((l) => l.map(cell).join(separator)).join("\r\n")}\r\n`;
    return {
      files: [{ path: "rules.csv", content }],
      coverage: resolved.rules.map((r) => ({ ruleId: r.id, status: "enforced", how: "listed in rules.csv (a review document: it enforces nothing)", why: "" })),
    };
  },
};

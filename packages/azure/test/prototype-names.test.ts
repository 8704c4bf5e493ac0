/**
 * Names Object.prototype holds (`constructor`, `__proto__`, `toString`...) as input text: a tag, region, resource
 * type, property, parameter, variable, function, local, HCL attribute, tfplan key, rule collection field, next hop
 * type, protocol, access, direction. Each word of a corpus input is replaced by such a name and, apart, by an unknown
 * name of the same shape (`qqqqqqqqqqq`); the audit must not crash (a reader's InputError naming the file is fine)
 * and must give the same verdicts either way: a table keyed by input text looked up as a plain object fails this.
 */
import { readFileSync } from "node:fs";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import { audit, InputError, type AuditReport, type InputDocument } from "@cassandra-mi-netrules/azure";
import { describe, expect, it } from "vitest";
import { caseInput, corpusCases, SERVICE_TAGS_FILE, type CorpusCase } from "./corpus.js";

const serviceTags = loadServiceTags(readFileSync(SERVICE_TAGS_FILE, "utf8"), "ServiceTags_Public_20251028.json");

/** An unknown name of the same shape: letters become q (case kept), the rest stays. */
const unknownLike = (name: string): string => name.replace(/[a-z]/g, "q").replace(/[A-Z]/g, "Q");

/** Replaced into every word of an input. */
const CORE_NAMES = ["constructor", "__proto__"];
/** Replaced into the words that are values (tags, regions, types, protocols...), with their unknown twins. */
const VALUE_NAMES: ReadonlyArray<readonly [string, string]> = [
  ...["toString", "valueOf", "hasOwnProperty", "prototype", "Constructor", "CONSTRUCTOR", "__PROTO__"].map((n) => [n, unknownLike(n)] as const),
  ["constructor.eastus", "qqqqqqqqqqq.eastus"],
  ["__proto__.eastus", "__qqqqq__.eastus"],
  ["Storage.constructor", "Storage.qqqqqqqqqqq"],
  ["AzureCloud.__proto__", "AzureCloud.__qqqqq__"],
];
/** Words that are values somewhere in the inputs below. */
const VALUE_WORDS = new Set(["Storage", "AzureCloud", "VirtualNetwork", "Internet", "AzureLoadBalancer", "eastus", "westus", "Tcp", "Udp", "Any", "Allow", "Deny", "Inbound", "Outbound", "VirtualAppliance", "VnetLocal", "None", "Http", "Https", "TCP", "UDP", "ApplicationRule", "NetworkRule", "FirewallPolicyFilterRuleCollection", "security_rule", "azurerm_network_security_group", "networkSecurityGroups", "routeTables", "ipGroups"]);

/** One input form: the corpus case it is audited in and the file whose words are replaced. */
const FORMS: ReadonlyArray<readonly [string, string, string]> = [
  ["ARM template, NSG rules in a copy loop, parameters, variables, functions", "bicep-loop-nsg", "main.json"],
  ["ARM template, firewall policy rules and IP groups", "quickstart-firewall-policy-ipgroups", "azuredeploy.json"],
  ["ARM parameters file", "avm-route-table", "name.parameters.json"],
  ["az JSON, NSG", "az-nsg-show-docs", "az-network-nsg-show.json"],
  ["az JSON, route table", "cassandra-udr-sample", "az-network-route-table-show.p1.derived.json"],
  ["az JSON, firewall policy and rule collection groups", "avm-firewall-policy", "az-firewall-policy-and-groups.derived.json"],
  ["az JSON, IP group", "avm-ip-group", "az-network-ip-group-show.derived.json"],
  ["Resource Graph export", "rest-api-examples", "az-graph-query.derived.json"],
  ["Terraform plan JSON", "tf-plan-regula-nsg", "security_group_no_inbound_3389_infra.json"],
  ["HCL, NSG and rules", "tf-plan-regula-nsg", "security_group_no_inbound_3389_infra.tf"],
  ["HCL, locals, variables, modules", "tf-avm-nsg", "main.registry-source.derived.tf"],
];

function caseWith(configuration: string, file: string): CorpusCase {
  const found = corpusCases().find((c) => c.configuration === configuration && (c.inputs.includes(file) || c.parameters === file));
  if (!found) throw new Error(`no corpus case of ${configuration} reads ${file}`);
  return found;
}

/** What must not change: the status and every verdict (a report's order and texts may name the name). */
function verdicts(report: AuditReport): unknown {
  return { status: report.status, subjects: report.subjects.map((s) => ({ subject: s.subject, requirements: s.requirements.map((r) => [r.ruleId, r.status, r.alternatives.map((a) => a.verdict)]) })) };
}

type Outcome = { crash: string } | { error: string } | { verdicts: unknown };

function outcome(c: CorpusCase, edit: (d: InputDocument) => InputDocument, region = c.region): Outcome {
  const { documents, parameters } = caseInput(c);
  let resolved: ReturnType<typeof resolveRules>;
  try {
    resolved = resolveRules({ revision: "2021-11-02", regions: [region], subnet: c.subnet });
  } catch (e) {
    // The CLI reports a region it does not know before reading any input.
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
  try {
    return { verdicts: verdicts(audit(documents.map(edit), { resolved, ...(parameters ? { parameters: edit(parameters) } : {}), ...(c.serviceTags ? { serviceTags } : {}) })) };
  } catch (e) {
    if (e instanceof InputError) return { error: e.message };
    return { crash: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

/** The outcome with `name` in place of `word` in `file`, its texts with `twin` for `name`. */
function replaced(c: CorpusCase, file: string, word: string, name: string, twin: string): Outcome {
  const pattern = new RegExp(`\\b${word}\\b`, "g");
  const got = outcome(c, (d) => (d.name === file ? { name: d.name, text: d.text.replace(pattern, () => name) } : d));
  if ("crash" in got) return got;
  const text = JSON.stringify(got).split(name).join(twin).split(name.toLowerCase()).join(twin.toLowerCase());
  return JSON.parse(text) as Outcome;
}

function expectSameAsUnknown(c: CorpusCase, file: string, word: string, name: string, twin: string): void {
  const what = `${file}: '${word}' as '${name}'`;
  const got = replaced(c, file, word, name, twin);
  expect("crash" in got ? got.crash : "", what).toBe("");
  if ("error" in got) expect(got.error, what).toMatch(/^[^:]+\.(json|tf): /);
  expect(got, what).toEqual(replaced(c, file, word, twin, twin));
}

const wordsOf = (text: string): string[] => [...new Set(text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])].filter((w) => w !== "true" && w !== "false" && w !== "null");

describe("names Object.prototype holds, as input text, audit like unknown names", () => {
  it.each(FORMS)("%s: every word as constructor and __proto__", (_, configuration, file) => {
    const c = caseWith(configuration, file);
    const text = [...(caseInput(c).parameters ? [caseInput(c).parameters as InputDocument] : []), ...caseInput(c).documents].find((d) => d.name === file)?.text ?? "";
    for (const word of wordsOf(text)) for (const name of CORE_NAMES) expectSameAsUnknown(c, file, word, name, unknownLike(name));
  });

  it.each(FORMS)("%s: values as toString, valueOf, hasOwnProperty, prototype, case variants, regional forms", (_, configuration, file) => {
    const c = caseWith(configuration, file);
    const text = [...(caseInput(c).parameters ? [caseInput(c).parameters as InputDocument] : []), ...caseInput(c).documents].find((d) => d.name === file)?.text ?? "";
    for (const word of wordsOf(text).filter((w) => VALUE_WORDS.has(w))) for (const [name, twin] of VALUE_NAMES) expectSameAsUnknown(c, file, word, name, twin);
  });

  it("a subnet's service endpoint whose service or location is named like an Object property", () => {
    const subnetFile = "az-network-vnet-subnet-show.derived.json";
    const c = caseWith("cassandra-udr-sample", subnetFile);
    const withEndpoint = (service: string, location: string) => (d: InputDocument) => (d.name === subnetFile ? { name: d.name, text: JSON.stringify({ ...(JSON.parse(d.text) as object), serviceEndpoints: [{ service, locations: [location] }] }) } : d);
    for (const name of [...CORE_NAMES, "toString", "hasOwnProperty", "valueOf", "prototype"]) {
      const twin = unknownLike(name);
      for (const [service, location] of [[name, "eastus"], ["Microsoft.Storage", name], [`microsoft.${name}`, "eastus"]] as const) {
        const norm = (o: Outcome) => JSON.parse(JSON.stringify(o).split(name).join(twin)) as Outcome;
        const got = norm(outcome(c, withEndpoint(service, location)));
        expect("crash" in got ? got.crash : "", `${service} ${location}`).toBe("");
        expect(got, `${service} ${location}`).toEqual(outcome(c, withEndpoint(service.replace(name, twin), location.replace(name, twin))));
      }
    }
  });

  it("the region audited (--region) named like an Object property", () => {
    const c = caseWith("az-nsg-show-docs", "az-network-nsg-show.json");
    for (const name of [...CORE_NAMES, "toString", "hasOwnProperty", "valueOf"]) {
      const twin = unknownLike(name);
      const norm = (o: Outcome) => JSON.parse(JSON.stringify(o).split(name).join(twin)) as Outcome;
      const got = norm(outcome(c, (d) => d, name));
      expect("crash" in got ? got.crash : "", name).toBe("");
      expect(got, name).toEqual(outcome(c, (d) => d, twin));
    }
  });
});

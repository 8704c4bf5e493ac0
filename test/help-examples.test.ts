/**
 * Every example every `--help` prints runs as written and exits 0: each in a fresh directory holding the
 * files the examples name (copies of vendored pages and service tags, and artifacts the CLI itself wrote),
 * with the repository's own bin on PATH.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { registry, starterConfig } from "@cassandra-mi-netrules/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, requireBuiltCli, ROOT, run, tempDir } from "./helpers.js";

let tmp = "";
let fixtures = "";

/** The `$ ...` lines of one help text. */
function examplesOf(help: string): string[] {
  return [...help.matchAll(/^ {2}\$ (.+)$/gm)].map((m) => m[1] ?? "");
}

const commands = (): string[] => {
  const help = cli(["--help"]).stdout;
  return [...help.slice(help.indexOf("Commands:")).matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1] ?? "").filter((c) => c !== "help");
};

beforeAll(() => {
  requireBuiltCli();
  tmp = tempDir("help-examples");
  fixtures = join(tmp, "fixtures");
  mkdirSync(fixtures);
  copyFileSync(join(ROOT, "vendor/service-tags/ServiceTags_Public_20251028.json"), join(fixtures, "ServiceTags_Public.json"));
  copyFileSync(join(ROOT, "vendor/pages/network-rules.en.2021-11-02.current.md"), join(fixtures, "network-rules.md"));
  copyFileSync(join(ROOT, "vendor/pages/network-rules.fr.2021-11-02.ga-handoff.md"), join(fixtures, "network-rules.fr-fr.md"));
  copyFileSync(join(ROOT, "vendor/pages/network-rules.fr.2021-05-21.seed.md"), join(fixtures, "page-2021-05-21.fr.md"));
  mkdirSync(join(fixtures, "my-templates/pages"), { recursive: true });
  writeFileSync(join(fixtures, "my-templates/pages/index.md.hbs"), '# Our runbook\n\nRevision {{md revision.id "code"}}.\n\n{{> stamp}}\n');
  writeFileSync(join(fixtures, "team.yaml"), starterConfig(registry, []));
  // What audit reads: the NSG the CLI emits for a subnet behind a firewall (its default final deny would leave the
  // host-name requirements closed, exit 1), the same rules as az prints them, a firewall policy and a Terraform file.
  const nsg = cli(["emit", "nsg", "--region", "eastus", "--subnet", "10.9.0.0/24", "--host-names-via-firewall"]);
  expect(nsg.code, nsg.stderr).toBe(0);
  writeFileSync(join(fixtures, "nsg.json"), nsg.stdout);
  writeFileSync(join(fixtures, "nsg-show.json"), `${JSON.stringify(azNsgShow(nsg.stdout), null, 2)}\n`);
  const firewall = cli(["emit", "azure-firewall", "--region", "eastus", "--subnet", "10.9.0.0/24"]);
  expect(firewall.code, firewall.stderr).toBe(0);
  writeFileSync(join(fixtures, "firewall-policy.json"), firewall.stdout);
  const terraform = cli(["emit", "terraform", "--region", "eastus", "--subnet", "10.9.0.0/24"]);
  expect(terraform.code, terraform.stderr).toBe(0);
  writeFileSync(join(fixtures, "main.tf"), terraform.stdout);
  // A real template with its parameters file (the Azure quickstart, vendored with its source and licence).
  for (const f of ["azuredeploy.json", "azuredeploy.parameters.json"]) copyFileSync(join(ROOT, "packages/azure/test/fixtures/audit/cassandra-quickstart", f), join(fixtures, f));
});

type ArmResource = { type: string; properties: { securityRules: { name: string; properties: object }[] } };

/** What `az network nsg show` prints for the NSG of an ARM template: the same rules, their properties flattened. */
function azNsgShow(template: string): object {
  const t = JSON.parse(template) as { parameters: { nsgName: { defaultValue: string } }; resources: ArmResource[] };
  const nsg = t.resources.find((r) => r.type === "Microsoft.Network/networkSecurityGroups");
  const securityRules = (nsg?.properties.securityRules ?? []).map((r) => ({ name: r.name, ...r.properties }));
  return { name: t.parameters.nsgName.defaultValue, location: "eastus", type: "Microsoft.Network/networkSecurityGroups", securityRules };
}

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("every example of every --help", () => {
  it("the help of the program and of every command has examples", () => {
    expect(commands()).toEqual(["list", "revisions", "regions", "explain", "emit", "diff", "audit", "check-source", "init"]);
    for (const c of ["", ...commands()]) expect(examplesOf(cli(c === "" ? ["--help"] : [c, "--help"]).stdout).length, c).toBeGreaterThan(0);
  });

  it("runs as written and exits 0", () => {
    const path = `${join(ROOT, "node_modules/.bin")}${delimiter}${process.env.PATH ?? ""}`;
    let n = 0;
    for (const c of ["", ...commands()]) {
      for (const example of examplesOf(cli(c === "" ? ["--help"] : [c, "--help"]).stdout)) {
        const work = join(tmp, `run-${n++}`);
        cpSync(fixtures, work, { recursive: true });
        const r = run("sh", ["-c", example], { cwd: work, env: { ...process.env, PATH: path } });
        expect(r.code, `${c || "(program)"}: $ ${example}\n${r.stderr}`).toBe(0);
      }
    }
    expect(n).toBeGreaterThan(25);
  });
});

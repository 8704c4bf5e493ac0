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
  // What audit reads: the NSG the CLI emits, and the complete az and Terraform plan fixtures of the OPA bundle it emits.
  const nsg = cli(["emit", "nsg", "--region", "eastus", "--subnet", "10.9.0.0/24"]);
  expect(nsg.code, nsg.stderr).toBe(0);
  writeFileSync(join(fixtures, "nsg.json"), nsg.stdout);
  const bundle = join(tmp, "bundle");
  expect(cli(["emit", "opa", "--region", "eastus", "--subnet", "10.9.0.0/24", "--out", bundle]).code).toBe(0);
  const input = (name: string) => `${JSON.stringify((JSON.parse(readFileSync(join(bundle, "cassandra_mi/fixtures", name, "data.json"), "utf8")) as { input: unknown }).input)}\n`;
  writeFileSync(join(fixtures, "nsg-show.json"), input("az-complete"));
  writeFileSync(join(fixtures, "plan.json"), input("tfplan-complete"));
});
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

/** The config file in-process: the same artifacts as the flags, errors naming the file, the key path and the value, init. */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { registry, run, starterConfig, type CliIO } from "@cassandra-mi-netrules/cli";

const dir = mkdtempSync(join(tmpdir(), `cmn-config-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SERVICE_TAGS = join(import.meta.dirname, "../../../vendor/service-tags/ServiceTags_Public_20251028.json");

async function cli(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), readStdin: () => "", cwd };
  return { code: await run(args, io), stdout, stderr };
}

/** Every file below `root`, with its content. */
function snapshot(root: string, rel = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const r = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) Object.assign(out, snapshot(root, r));
    else out[r] = readFileSync(join(root, r), "utf8");
  }
  return out;
}

function workdir(name: string, config?: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  if (config !== undefined) writeFileSync(join(d, "cassandra-mi-netrules.yaml"), config);
  return d;
}

const CONFIGURED: Readonly<Record<string, string>> = {
  nsg: "{ priorityStart: 300, nsgName: nsg-from-config }",
  "azure-firewall": "{ groupPriority: 700 }",
  iptables: "{ mode: nva }",
  markdown: "{ locale: fr, changelog: true }",
  opa: "{ includeTests: false }",
  "route-table": "{ form: arm }",
  // --nsg-priority-start and --firewall-priority set the Terraform file's layers too.
  terraform: "{ nsg: { priorityStart: 300 }, azureFirewall: { groupPriority: 700 } }",
};
/** Every key, and every registered target (those without options here as an empty entry), as emit all writes them. */
const FULL = `# every key
revision: 2021-09-13
regions: [westeurope, eastus]
subnet: 10.9.0.0/24
peers: [192.0.2.0/24]
features: { backup: false }
serviceTags: tags/ServiceTags_Public.json
out: out/artifacts
targets:
${registry
  .names()
  .map((t) => `  ${t}: ${CONFIGURED[t] ?? ""}`.trimEnd())
  .join("\n")}
`;

describe("emit with a config file", () => {
  it("writes the same artifacts as the equivalent flags, from --config FILE and from the default file", async () => {
    const d = workdir("same");
    mkdirSync(join(d, "tags"));
    copyFileSync(SERVICE_TAGS, join(d, "tags/ServiceTags_Public.json"));
    writeFileSync(join(d, "cmn.yaml"), FULL);
    const fromFile = await cli(d, ["emit", "--config", "cmn.yaml"]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const flags = await cli(d, [
      "emit", "all", "--revision", "2021-09-13", "--region", "westeurope", "--region", "eastus", "--subnet", "10.9.0.0/24", "--peer", "192.0.2.0/24",
      "--feature", "backup=off", "--service-tags", "tags/ServiceTags_Public.json", "--out", "out/flags",
      "--nsg-priority-start", "300", "-O", "nsg.nsgName=nsg-from-config", "--firewall-priority", "700", "--mode", "nva",
      "--locale", "fr", "--changelog", "-O", "opa.includeTests=false", "-O", "route-table.form=arm",
    ]);
    expect(flags.code, flags.stderr).toBe(0);
    const a = snapshot(join(d, "out/artifacts"));
    expect(Object.keys(a).length).toBeGreaterThan(10);
    expect(a).toEqual(snapshot(join(d, "out/flags")));
    expect(a["nsg/nsg.json"]).toContain("nsg-from-config");
    expect(a["markdown/fr/changelog.md"]).toBeDefined();
    expect(fromFile.stderr.replaceAll("out/artifacts", "out/flags")).toBe(flags.stderr);
    // The same file as ./cassandra-mi-netrules.yaml, read without --config.
    copyFileSync(join(d, "cmn.yaml"), join(d, "cassandra-mi-netrules.yaml"));
    rmSync(join(d, "out/artifacts"), { recursive: true });
    const fromDefault = await cli(d, ["emit"]);
    expect(fromDefault.code, fromDefault.stderr).toBe(0);
    expect(snapshot(join(d, "out/artifacts"))).toEqual(a);
    // --no-config ignores it.
    expect((await cli(d, ["emit", "--no-config"])).stderr).toContain("<target>: missing");
  });

  it("flags win over the file: a region, an option, the output directory", async () => {
    const d = workdir("override", "regions: [eastus]\nsubnet: 10.9.0.0/24\ntargets:\n  nsg: { priorityStart: 300 }\nout: from-file\n");
    const r = await cli(d, ["emit", "nsg", "--region", "westeurope", "--nsg-priority-start", "400", "--out", "from-flag"]);
    expect(r.code, r.stderr).toBe(0);
    const nsg = readFileSync(join(d, "from-flag/nsg.json"), "utf8");
    expect(nsg).toContain('"priority": 400');
    expect(nsg).toMatch(/"regions": \[\s*"westeurope"\s*\]/);
    expect(readdirSync(d).sort()).toEqual(["cassandra-mi-netrules.yaml", "from-flag"]);
  });

  it.each([
    ["an unknown key", "regoins: [eastus]\n", 'regoins: unknown key (keys: revision, regions, subnet, peers, features, serviceTags, plugins, out, targets); did you mean "regions"? (value: ["eastus"])'],
    ["a wrong type", "regions: eastus\n", 'regions: must be a list of region names (value: "eastus")'],
    ["a bad peer", "peers: [192.0.2.1/24]\n", 'peers[0]: must be a CIDR prefix such as 10.9.0.0/24, without host bits (value: "192.0.2.1/24")'],
    ["an unknown feature", "features: { bakup: true }\n", 'features.bakup: unknown feature (features: backup, vpn); did you mean "backup"? (value: true)'],
    ["a feature that is not a boolean", "features: { backup: maybe }\n", 'features.backup: must be true or false (value: "maybe")'],
    ["an unknown target", "targets: { nsgg: {} }\n", `targets.nsgg: unknown target (targets: ${registry.names().join(", ")}); did you mean "nsg"?`],
    ["an unknown option", "targets: { nftables: { tabel: x } }\n", 'targets.nftables.tabel: nftables has no option "tabel"'],
    ["a bad option value", "targets: { nsg: { priorityStart: 5000 } }\n", "targets.nsg.priorityStart: must be an integer from 100 to 4096 (value: 5000)"],
    ["a bad nested option value", "targets: { markdown: { locale: de } }\n", 'targets.markdown.locale: must be "en" or "fr" (value: "de")'],
    ["YAML that does not parse", "regions: [eastus\nsubnet: x\n", "not valid YAML at line"],
    ["YAML nested too deeply", `targets: { nsg: { nsgName: ${"[".repeat(150)}${"]".repeat(150)} } }\n`, "not valid YAML at line 1, column 125: nesting exceeded maxDepth (100)"],
  ])("%s is an error naming the file, the key path and the value", async (_name, config, message) => {
    const d = workdir(`bad-${_name.replace(/\W+/g, "-")}`);
    writeFileSync(join(d, "bad.yaml"), config);
    const r = await cli(d, ["emit", "nsg", "--config", "bad.yaml", "--region", "eastus"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`cassandra-mi-netrules: error: --config "bad.yaml": ${message}`);
  });

  it("an error shows the file's text only as a short escaped excerpt", async () => {
    const d = workdir("secret");
    writeFileSync(join(d, "c.yaml"), "subnet: [1, 2\npassword: SECRETSECRETSECRETSECRET\n");
    const r = await cli(d, ["list", "--config", "c.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("SECRETSECRETSECRET");
  });

  it("init writes a commented starter that emit reads as it is (and refuses to overwrite without --force)", async () => {
    const d = workdir("init");
    const made = await cli(d, ["init"]);
    expect(made.code, made.stderr).toBe(0);
    const text = readFileSync(join(d, "cassandra-mi-netrules.yaml"), "utf8");
    expect(text).toBe(starterConfig(registry, []));
    for (const t of registry.names()) expect(text).toContain(`\n  ${t}:\n`);
    expect(text).toContain("# priorityStart: 100");
    const emitted = await cli(d, ["emit"]);
    expect(emitted.code, emitted.stderr).toBe(0);
    expect(readdirSync(join(d, "artifacts")).sort()).toEqual(registry.names());
    const again = await cli(d, ["init"]);
    expect(again.stderr).toContain('init: cannot write "cassandra-mi-netrules.yaml": it exists; pass --force to replace it');
    expect((await cli(d, ["init", "--force"])).code).toBe(0);
  });

});

/** The CLI in-process (sources): the registry, option mapping from the declarations, terminal escaping, determinism. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { registry, run, targetFlags, version, type CliIO } from "@cassandra-mi-netrules/cli";
import { audit } from "@cassandra-mi-netrules/azure";
import { coreMajor, resolveRules } from "@cassandra-mi-netrules/core";
import { emitter as nsg } from "@cassandra-mi-netrules/emit-nsg";
import { emitter as nftables } from "@cassandra-mi-netrules/emit-nftables";
import { clean, table } from "../src/format.js";

const dir = mkdtempSync(join(tmpdir(), `cmn-cli-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), readStdin: () => stdin, cwd: dir };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

const PACKAGES = join(import.meta.dirname, "../..");
const cliManifest = JSON.parse(readFileSync(join(PACKAGES, "cli/package.json"), "utf8")) as { dependencies: Record<string, string> };

describe("registry and options", () => {
  it("registers every emitter package (packages/emit-*), each a dependency of the CLI, with its package and core major", () => {
    const emitPackages = readdirSync(PACKAGES).filter((d) => d.startsWith("emit-")).map((d) => `@cassandra-mi-netrules/${d}`).sort();
    const registered = registry.names().map((n) => registry.get(n)?.package?.name).sort();
    expect(registered).toEqual(emitPackages);
    for (const name of registry.names()) {
      const e = registry.get(name);
      expect(cliManifest.dependencies[e?.package?.name ?? ""], name).toBe(e?.package?.version);
      expect(e?.coreMajor, name).toBe(coreMajor);
      expect(e?.options?.keys.length, `${name} declares its options`).toBeGreaterThan(0);
    }
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("builds one flag per declared flag name; a flag several emitters declare sets each of them", () => {
    const flags = Object.fromEntries(targetFlags(registry).map((f) => [f.name, f]));
    expect(flags["nsg-priority-start"]).toMatchObject({ kind: "integer", value: "n", uses: [{ target: "nsg", key: { key: "priorityStart" } }, { target: "terraform", key: { key: "nsg" } }] });
    expect(flags["firewall-priority"]?.uses.map((u) => `${u.target}.${u.key.key}`)).toEqual(["azure-firewall.groupPriority", "terraform.azureFirewall"]);
    expect(flags["regional-tags"]?.uses.map((u) => u.target)).toEqual(["azure-firewall", "iptables", "nftables", "nsg", "route-table", "terraform"]);
    expect(flags["host-names-via-firewall"]).toMatchObject({ kind: "switch", uses: [{ target: "nsg", key: { key: "hostNamesViaFirewall" } }] });
    expect(flags.mode).toMatchObject({ choices: ["nva", "host"], uses: [{ target: "iptables" }, { target: "nftables" }] });
    expect(flags.peer?.kind).toBe("list");
    expect(flags.templates?.directory).toBe(true);
  });

  it("maps flags and -O to each emitter's options, checked by the declarations", async () => {
    const emitJson = async (args: string[]) => JSON.parse((await cli(["emit", "all", "--region", "eastus", "--subnet", "192.0.2.0/24", "--json", ...args])).stdout) as { targets: { target: string; files: { content: string }[] }[] };
    const report = await emitJson(["--nsg-priority-start", "200", "--firewall-priority", "700", "--mode", "host", "-O", 'nsg.nsgName="nsg-x"', "-O", "nsg.denyInternetOutbound=false", "-O", "nftables.table=t_x"]);
    const content = (t: string) => report.targets.find((x) => x.target === t)?.files[0]?.content ?? "";
    expect(content("nsg")).toContain('"priority": 200');
    expect(content("nsg")).toContain("nsg-x");
    // The default final deny, turned off by -O.
    expect(content("nsg")).not.toContain("cassandra-deny-internet-out");
    expect(content("azure-firewall")).toContain('"priority": 700');
    // The two priority flags reach the Terraform file's layers too.
    const firstPriority = (resource: string) => {
      const tf = content("terraform");
      return /priority\s+= (\d+)/.exec(tf.slice(tf.indexOf(`resource "${resource}"`)))?.[1];
    };
    expect(firstPriority("azurerm_network_security_group")).toBe("200");
    expect(firstPriority("azurerm_firewall_policy_rule_collection_group")).toBe("700");
    expect(content("iptables")).toContain("host mode");
    expect(content("nftables")).toContain("table inet t_x");
  });
});

describe("run()", () => {
  it("emits the same bytes twice, and -O options reach the artifact", async () => {
    const args = ["emit", "nsg", "--region", "eastus", "--subnet", "192.0.2.0/24", "-O", "nsg.nsgName=nsg-from-cli"];
    const a = await cli(args);
    const b = await cli(args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stderr).toBe(b.stderr);
    expect(a.stdout).toContain("nsg-from-cli");
  });

  it("adds nothing to what the library emits for the same inputs", async () => {
    const resolved = resolveRules({ regions: ["westeurope"], subnet: "192.0.2.0/24", features: { backup: false } });
    const cliNsg = await cli(["emit", "nsg", "--region", "westeurope", "--subnet", "192.0.2.0/24", "--feature", "backup=off", "--nsg-priority-start", "300"]);
    expect(cliNsg.stdout).toBe(nsg.emit(resolved, { priorityStart: 300 }).files[0]?.content);
    const cliNft = await cli(["emit", "nftables", "--region", "westeurope", "--subnet", "192.0.2.0/24", "--feature", "backup=off", "--mode", "host", "--json"]);
    const lib = nftables.emit(resolved, { mode: "host" });
    const report = JSON.parse(cliNft.stdout) as { targets: { files: { path: string; content: string }[]; coverage: unknown[] }[] };
    expect(report.targets[0]?.files).toEqual(lib.files.map((f) => ({ path: f.path, content: f.content })));
    expect(report.targets[0]?.coverage).toEqual(lib.coverage);
  });

  it("rejects an emitter's bad option value naming the flag, the option and the value, exit 2", async () => {
    const r = await cli(["emit", "nsg", "--region", "eastus", "--nsg-priority-start", "5000"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cassandra-mi-netrules: error: --nsg-priority-start: nsg option priorityStart: must be an integer from 100 to 4096 (value: 5000)\n");
    expect(r.stdout).toBe("");
  });

  it("reads audit input from stdin with -; the JSON is the library's report and its status is the exit code", async () => {
    const deny = { name: "deny-out", properties: { priority: 100, direction: "Outbound", access: "Deny", protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" } };
    const text = JSON.stringify({ $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "n", properties: { securityRules: [deny] } }] });
    const r = await cli(["audit", "-", "--json", "--region", "eastus"], text);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { format: string; status: string; exitCode: number };
    const lib = audit({ name: "(stdin)", text }, { resolved: resolveRules({ regions: ["eastus"] }) });
    expect(report).toEqual({ ...lib, exitCode: 1 });
    expect(report).toMatchObject({ format: "arm", status: "fail" });
  });

  it("escapes control characters that data or arguments could carry to the terminal", async () => {
    expect(clean("a\u001b[31mb\nc")).toBe("a\\u001b[31mb\\u000ac");
    expect(table(["h"], [["x\ry"]])).toBe("h\n-----\nx\\u000dy\n".replace("-----", "-".repeat("x\\u000dy".length)));
    const r = await cli(["explain", "gossip\u001b[2J"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("\u001b");
  });
});


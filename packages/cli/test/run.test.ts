/** The CLI in-process (sources): option mapping, atomic writes, terminal escaping, determinism. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { optionsFor, registry, run, version, type CliIO } from "@cassandra-mi-netrules/cli";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { emitter as nsg } from "@cassandra-mi-netrules/emit-nsg";
import { emitter as nftables } from "@cassandra-mi-netrules/emit-nftables";
import { clean, table } from "../src/format.js";
import { writeFilesAtomically } from "../src/io.js";

const dir = mkdtempSync(join(tmpdir(), `cmn-cli-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), readStdin: () => stdin, cwd: dir };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

describe("registry and options", () => {
  it("registers the six emitters by name", () => {
    expect(registry.names()).toEqual(["azure-firewall", "iptables", "markdown", "nftables", "nsg", "opa"]);
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("maps flags to each emitter's options and -O to the named target only", () => {
    const flags = { nsgPriorityStart: "200", firewallPriority: "700", mode: "host", locale: "fr", regionalTags: true, peer: ["192.0.2.0/24"], option: ["nsg.nsgName=\"nsg-x\"", "opa.foo=[1,2]", "nsg.denyInternetOutbound=true"] };
    expect(optionsFor("nsg", flags)).toEqual({ priorityStart: 200, regionalTags: true, nsgName: "nsg-x", denyInternetOutbound: true });
    expect(optionsFor("azure-firewall", flags)).toEqual({ groupPriority: 700, regionalTags: true });
    expect(optionsFor("iptables", flags)).toEqual({ mode: "host", regionalTags: true, peers: ["192.0.2.0/24"] });
    expect(optionsFor("markdown", { ...flags, changelog: "2021-09-13" })).toEqual({ locale: "fr", changelog: { from: "2021-09-13" } });
    expect(optionsFor("opa", flags)).toEqual({ foo: [1, 2] });
    expect(() => optionsFor("nsg", { option: ["nsg-nsgName=x"] })).toThrow('--option: expected target.key=value, e.g. nsg.priorityStart=200 (value: "nsg-nsgName=x")');
    expect(() => optionsFor("nsg", { option: ["nsq.nsgName=x"] })).toThrow('--option: unknown target "nsq"');
    expect(() => optionsFor("nsg", { nsgPriorityStart: "1e3" })).toThrow('--nsg-priority-start: expected an integer (value: "1e3")');
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

  it("rejects an emitter's bad option value with the emitter's message, exit 2", async () => {
    const r = await cli(["emit", "nsg", "--region", "eastus", "--nsg-priority-start", "5000"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cassandra-mi-netrules: error: nsg: .*priorityStart.*5000/);
    expect(r.stdout).toBe("");
  });

  it("reads audit input from stdin with -", async () => {
    const r = await cli(["audit", "-", "--json", "--region", "eastus"], JSON.stringify({ name: "n", securityRules: [] }));
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { format: string }).format).toBe("az");
  });

  it("escapes control characters that data or arguments could carry to the terminal", async () => {
    expect(clean("a\u001b[31mb\nc")).toBe("a\\u001b[31mb\\u000ac");
    expect(table(["h"], [["x\ry"]])).toBe("h\n-----\nx\\u000dy\n".replace("-----", "-".repeat("x\\u000dy".length)));
    const r = await cli(["explain", "gossip\u001b[2J"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("\u001b");
  });
});

describe("writeFilesAtomically", () => {
  const io: CliIO = { stdout: () => {}, stderr: () => {}, readStdin: () => "", cwd: dir };

  it("writes nested files and leaves no staging directory", () => {
    const out = join(dir, "ok");
    const written = writeFilesAtomically(io, out, [
      { path: "a.txt", content: "A" },
      { path: "sub/b.txt", content: "B" },
    ]);
    expect(written).toEqual([join(out, "a.txt"), join(out, "sub/b.txt")]);
    expect(readFileSync(join(out, "sub/b.txt"), "utf8")).toBe("B");
    expect(readdirSync(out).sort()).toEqual(["a.txt", "sub"]);
  });

  it("refuses paths that leave the output directory, and duplicates, before writing anything", () => {
    const out = join(dir, "unsafe");
    for (const path of ["../escape.txt", "/etc/passwd", "a/../../b", ""]) {
      expect(() => writeFilesAtomically(io, out, [{ path, content: "x" }])).toThrow("unsafe file path");
    }
    expect(() => writeFilesAtomically(io, out, [{ path: "a", content: "1" }, { path: "./a", content: "2" }])).toThrow("same path");
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, "escape.txt"))).toBe(false);
  });

  it("on a failed rename keeps the old file whole and removes the staging directory", () => {
    const out = join(dir, "partial");
    mkdirSync(join(out, "b.txt", "blocker"), { recursive: true });
    writeFileSync(join(out, "a.txt"), "old");
    expect(() => writeFilesAtomically(io, out, [{ path: "b.txt", content: "new" }])).toThrow(/--out: cannot write ".*b\.txt"/);
    expect(readFileSync(join(out, "a.txt"), "utf8")).toBe("old");
    expect(readdirSync(out).sort()).toEqual(["a.txt", "b.txt"]);
  });
});

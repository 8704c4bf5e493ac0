/** The CLI in-process (sources): option mapping, atomic writes, terminal escaping, determinism. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { optionsFor, registry, run, version, type CliIO } from "@cassandra-mi-netrules/cli";
import { audit } from "@cassandra-mi-netrules/azure";
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
  it("registers the seven emitters by name", () => {
    expect(registry.names()).toEqual(["azure-firewall", "iptables", "markdown", "nftables", "nsg", "opa", "route-table", "terraform"]);
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

describe("writeFilesAtomically", () => {
  const io: CliIO = { stdout: () => {}, stderr: () => {}, readStdin: () => "", cwd: dir };
  const listing = (out: string) => readdirSync(out, { recursive: true, encoding: "utf8" }).sort();

  it("writes nested files and leaves no staging directory", () => {
    const out = join(dir, "ok");
    const result = writeFilesAtomically(io, out, [
      { path: "a.txt", content: "A" },
      { path: "sub/b.txt", content: "B" },
    ]);
    expect(result).toEqual({ written: [join(out, "a.txt"), join(out, "sub/b.txt")], removed: [] });
    expect(readFileSync(join(out, "sub/b.txt"), "utf8")).toBe("B");
    expect(listing(out)).toEqual(["a.txt", "sub", join("sub", "b.txt")]);
  });

  it("refuses paths that leave the output directory, duplicates and file/directory clashes, before writing anything", () => {
    const out = join(dir, "unsafe");
    for (const path of ["../escape.txt", "/etc/passwd", "a/../../b", ""]) {
      expect(() => writeFilesAtomically(io, out, [{ path, content: "x" }])).toThrow("unsafe file path");
    }
    expect(() => writeFilesAtomically(io, out, [{ path: "a", content: "1" }, { path: "./a", content: "2" }])).toThrow("same path");
    expect(() => writeFilesAtomically(io, out, [{ path: "a", content: "1" }, { path: "a/b", content: "2" }])).toThrow('"a" would be both a file and a directory');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, "escape.txt"))).toBe(false);
  });

  it("refuses a directory where a file goes, changing nothing", () => {
    const out = join(dir, "in-the-way");
    mkdirSync(join(out, "b.txt", "blocker"), { recursive: true });
    expect(() => writeFilesAtomically(io, out, [{ path: "b.txt", content: "new" }])).toThrow(`--out: cannot write "${join(out, "b.txt")}": a directory is in the way`);
    expect(listing(out)).toEqual(["b.txt", join("b.txt", "blocker")]);
  });

  it("a failure at the 3rd of 5 files puts back the 2 already replaced and removes the directories it made", () => {
    const out = join(dir, "rollback");
    writeFilesAtomically(io, out, ["1", "2", "3", "4", "5"].map((n) => ({ path: `d/f${n}.txt`, content: `old ${n}` })));
    chmodSync(join(out, "d/f1.txt"), 0o750);
    // A name longer than the file system allows (ENAMETOOLONG) is only found out when the 3rd file is renamed
    // into place; with clean, d/f2 and d/f3 (not written by this run) have been moved aside by then too.
    const files = [
      { path: "d/f1.txt", content: "new 1" },
      { path: "d/new-dir/f2.txt", content: "new 2" },
      { path: `d/${"x".repeat(300)}.txt`, content: "new 3" },
      { path: "d/f4.txt", content: "new 4" },
      { path: "d/f5.txt", content: "new 5" },
    ];
    expect(() => writeFilesAtomically(io, out, files, { clean: true })).toThrow(/^--out: cannot write ".*rollback\/d\/xxxx.*: ENAMETOOLONG: name too long; nothing was changed$/);
    expect(listing(out)).toEqual(["d", ...["1", "2", "3", "4", "5"].map((n) => join("d", `f${n}.txt`))]);
    for (const n of ["1", "2", "3", "4", "5"]) expect(readFileSync(join(out, `d/f${n}.txt`), "utf8")).toBe(`old ${n}`);
    expect(statSync(join(out, "d/f1.txt")).mode & 0o777).toBe(0o750);
  });

  it("files it would not write in the directories it writes to are an error, unless clean deletes them; others stay", () => {
    const out = join(dir, "stale");
    writeFilesAtomically(io, out, [{ path: "sub/keep.txt", content: "1" }, { path: "sub/old/gone.txt", content: "2" }, { path: "mine.txt", content: "user" }, { path: "other/x.txt", content: "user" }]);
    chmodSync(join(out, "sub/keep.txt"), 0o700);
    const next = [{ path: "sub/keep.txt", content: "3" }];
    expect(() => writeFilesAtomically(io, out, next)).toThrow(`holds 1 file(s) this run would not write in the directories it writes to, which would pass for its output: "${join("sub", "old", "gone.txt")}"`);
    expect(readFileSync(join(out, "sub/keep.txt"), "utf8")).toBe("1");
    expect(writeFilesAtomically(io, out, next, { clean: true })).toEqual({ written: [join(out, "sub", "keep.txt")], removed: [join(out, "sub", "old", "gone.txt")] });
    expect(listing(out)).toEqual(["mine.txt", "other", join("other", "x.txt"), "sub", join("sub", "keep.txt")]);
    expect(readFileSync(join(out, "sub/keep.txt"), "utf8")).toBe("3");
    // The file replaced keeps its mode.
    expect(statSync(join(out, "sub/keep.txt")).mode & 0o777).toBe(0o700);
  });
});

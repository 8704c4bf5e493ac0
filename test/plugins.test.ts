/**
 * `--plugin`: the example plugin, copied into a directory outside the repository (core reached through that
 * directory's node_modules, as an install gives it), joins emit, emit all, explain and targets.md with no
 * edit to the repository; a name another emitter has is refused naming both.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, requireBuiltCli, ROOT, tempDir, tree, type Run } from "./helpers.js";

const EASTUS = ["--region", "eastus", "--subnet", "10.9.0.0/24"];
let outside = "";
let plugin = "";

/** The CLI run from the directory outside the repository. */
const there = (args: readonly string[]): Run => cli(args, { cwd: outside });

beforeAll(() => {
  requireBuiltCli();
  outside = tempDir("plugin");
  expect(outside.startsWith(ROOT)).toBe(false);
  // As `npm install` would leave it: the plugin as a package, and core (its peer dependency) beside it.
  mkdirSync(join(outside, "node_modules/@cassandra-mi-netrules"), { recursive: true });
  symlinkSync(join(ROOT, "packages/core"), join(outside, "node_modules/@cassandra-mi-netrules/core"));
  plugin = join(outside, "plugin-csv");
  cpSync(join(ROOT, "examples/plugin-csv"), plugin, { recursive: true });
  mkdirSync(join(outside, "node_modules/@cassandra-mi-netrules-examples"));
  symlinkSync(plugin, join(outside, "node_modules/@cassandra-mi-netrules-examples/plugin-csv"));
});
afterAll(() => {
  if (outside) rmSync(outside, { recursive: true, force: true });
});

describe("a plugin from outside the repository", () => {
  it("emit <name> (by path or by package name) with its declared flag and -O", () => {
    const byPath = there(["emit", "csv", "--plugin", "./plugin-csv/index.mjs", ...EASTUS]);
    expect(byPath.code, byPath.stderr).toBe(0);
    expect(byPath.stdout.split("\r\n")[0]).toBe('"id","kind","protocol","ports","destinations","purpose"');
    expect(byPath.stdout.split("\r\n").filter((l) => l !== "")).toHaveLength(32);
    expect(byPath.stderr).toMatch(/^csv +gossip +enforced +listed in rules\.csv/m);
    const byName = there(["emit", "csv", "--plugin", "@cassandra-mi-netrules-examples/plugin-csv", ...EASTUS, "--csv-separator", ";", "-O", "csv.header=false"]);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout.split("\r\n")[0]).toMatch(/^"[a-z0-9-]+";"(outbound|internal)";/);
    expect(there(["emit", "--help", "--plugin", "./plugin-csv/index.mjs"]).stdout).toMatch(/--csv-separator <char> +csv: field separator/);
  });

  it("emit all writes its sub-directory with the others'; explain shows its row; targets.md lists it", () => {
    const out = join(outside, "all");
    const r = there(["emit", "all", "--plugin", "./plugin-csv/index.mjs", ...EASTUS, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(tree(out)).toContain("csv/rules.csv");
    expect(tree(out).some((f) => f.startsWith("nsg/"))).toBe(true);
    expect(readFileSync(join(out, "markdown/en/targets.md"), "utf8")).toContain("## `csv`");
    const explain = there(["explain", "gossip", "--plugin", "./plugin-csv/index.mjs", ...EASTUS]);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toMatch(/^csv +enforced +listed in rules\.csv/m);
  });

  it("a config file names the plugin (read from the file's directory) and its target's options", () => {
    const dir = join(outside, "with-config");
    mkdirSync(dir);
    writeFileSync(join(dir, "cassandra-mi-netrules.yaml"), "plugins: [../plugin-csv/index.mjs]\nregions: [eastus]\nout: out\ntargets:\n  csv: { separator: ';' }\n  opa:\n");
    const r = cli(["emit"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(tree(join(dir, "out")).filter((f) => !f.startsWith("opa/"))).toEqual(["csv/rules.csv"]);
    expect(readFileSync(join(dir, "out/csv/rules.csv"), "utf8")).toMatch(/^"id";"kind";/);
    writeFileSync(join(dir, "bad.yaml"), "plugins: [../plugin-csv/index.mjs]\ntargets:\n  csv: { separator: '|' }\n");
    const bad = cli(["emit", "--config", "bad.yaml"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--config "bad.yaml": targets.csv.separator: must be "," or ";" (value: "|")');
  });

  it("a name another emitter has is refused, naming both; so are a wrong core major and a module without an emitter", () => {
    const clone = (file: string, body: string) => writeFileSync(join(outside, file), body);
    const emitterOf = (name: string, major = 0) =>
      `export const emitter = { name: ${JSON.stringify(name)}, description: "d", coreMajor: ${major}, emit: (r) => ({ files: [], coverage: r.rules.map((x) => ({ ruleId: x.id, status: "enforced", how: "h", why: "" })) }) };\n`;
    clone("nsg.mjs", emitterOf("nsg"));
    const builtIn = there(["emit", "nsg", "--plugin", "./nsg.mjs", ...EASTUS]);
    expect(builtIn.code).toBe(2);
    expect(builtIn.stderr).toContain('--plugin "./nsg.mjs": emitter name "nsg" of the plugin ./nsg.mjs collides with the emitter "nsg" of @cassandra-mi-netrules/emit-nsg: rename one of them');
    clone("csv-again.mjs", emitterOf("csv"));
    const twice = there(["emit", "csv", "--plugin", "./plugin-csv/index.mjs", "--plugin", "./csv-again.mjs", ...EASTUS]);
    expect(twice.stderr).toContain('emitter name "csv" of the plugin ./csv-again.mjs collides with the emitter "csv" of the plugin ./plugin-csv/index.mjs');
    clone("future.mjs", emitterOf("future", 7));
    expect(there(["emit", "future", "--plugin", "./future.mjs"]).stderr).toContain('emitter "future" is written for core major 7; this CLI runs core 0.1.0 (major 0)');
    clone("nothing.mjs", "export const x = 1;\n");
    expect(there(["emit", "x", "--plugin", "./nothing.mjs"]).stderr).toContain('--plugin "./nothing.mjs": exports no emitter');
    expect(there(["emit", "x", "--plugin", "./missing.mjs"]).stderr).toContain('--plugin "./missing.mjs": cannot load');
    expect(there(["emit", "x", "--plugin", "no-such-package"]).stderr).toContain('--plugin "no-such-package": no such package below');
  });

  it("without --plugin the target does not exist: nothing in the repository registers it", () => {
    expect(cli(["emit", "csv", ...EASTUS]).stderr).toContain('<target>: unknown target "csv"');
  });
});

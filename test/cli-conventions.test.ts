/**
 * The built CLI as a new user and hostile input find it: the repository's own bin, errors that never echo a
 * file, no writing through links, options checked for every target, options given once, diff --exit-code,
 * one error prefix, the coverage table on a terminal, the licence, and French that is French.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { registry } from "@cassandra-mi-netrules/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cli, expectCliError as expectInputError, requireBuiltCli, ROOT, run, tempDir, tree } from "./helpers.js";

const EASTUS = ["--region", "eastus", "--subnet", "10.9.0.0/24"];
const PREFIX = "cassandra-mi-netrules: error: ";
let tmp = "";

beforeAll(() => {
  requireBuiltCli();
  tmp = tempDir("conventions");
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("running from a clone (the packages are not published)", () => {
  it("the build links the repository's own bin: npx cassandra-mi-netrules runs it", () => {
    const bin = join(ROOT, "node_modules/.bin/cassandra-mi-netrules");
    expect(existsSync(bin), "node_modules/.bin/cassandra-mi-netrules: the CLI's build links it").toBe(true);
    const r = run(bin, ["--version"], { cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, "packages/cli/package.json"), "utf8")) as { version: string }).version);
  });

  it("no README tells anyone to install or npx the unpublished scope without saying it is unpublished", () => {
    for (const file of ["README.md", "packages/cli/README.md", "examples/consumer/README.md", ...tree(join(ROOT, "packages")).filter((f) => /^[^/]+\/README\.md$/.test(f)).map((f) => `packages/${f}`)]) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const m of text.matchAll(/^.*(npx|npm install|npm i) [^\n]*@cassandra-mi-netrules\/[^\n]*$/gm)) {
        // Allowed only inside a block or paragraph that says the packages are not published yet.
        const around = text.slice(Math.max(0, (m.index ?? 0) - 800), (m.index ?? 0) + 200);
        expect(around, `${file}: ${m[0]}`).toMatch(/not (yet )?published/);
      }
    }
  });
});

describe("error messages show no file content", () => {
  const SHADOW = "root:$6$salt$SECRETHASHVALUE:19976:0:99999:7:::\nuser:$6$x$OTHERSECRET:1:0:9:7:::\n";

  it("an audit input that is not JSON: the file, at most 16 escaped characters", () => {
    const file = join(tmp, "shadow");
    writeFileSync(file, SHADOW);
    const r = cli(["audit", file, ...EASTUS]);
    // The audit's reader names the first character it could not read, and nothing more of the file.
    expectInputError(r, `<file> "${file}": not valid JSON: unexpected "r"`);
    expect(r.stderr).not.toContain("SECRETHASHVALUE");
    expect(r.stderr).not.toContain("OTHERSECRET");
  });

  it("a binary file is refused as not text, showing none of it", () => {
    const file = join(tmp, "binary.bin");
    writeFileSync(file, Buffer.from([0x7b, 0x1b, 0x5b, 0x32, 0x4a, 0x00, 0xff, 0xfe, 0x41, 0x41]));
    for (const args of [["audit", file], ["check-source", file], ["emit", "nsg", ...EASTUS, "--service-tags", file]]) {
      const r = cli(args);
      expectInputError(r, `"${file}" is not a text file (a NUL byte at offset 5)`);
      expect(r.stderr).not.toContain("\u001b");
    }
    const latin1 = join(tmp, "latin1.md");
    writeFileSync(latin1, Buffer.from("caf\xe9 page\n", "latin1"));
    expectInputError(cli(["check-source", latin1]), `<page.md>: "${latin1}" is not a text file (not valid UTF-8)`);
  });

  it("input nested too deeply gets a plain error, not a stack overflow", () => {
    const file = join(tmp, "deep.json");
    writeFileSync(file, `{"resources": ${"[".repeat(20000)}${"]".repeat(20000)}}`);
    const r = cli(["audit", file, ...EASTUS]);
    expectInputError(r, `<file> "${file}": the input nests arrays and objects deeper than the limit of 100 levels`);
    expect(r.stderr).not.toContain("Maximum call stack");
  });
});

describe("--out and links", () => {
  it("a symlinked sub-directory of --out is refused: nothing lands outside the output directory", () => {
    const out = join(tmp, "linked-out");
    const elsewhere = join(tmp, "elsewhere");
    mkdirSync(elsewhere);
    expect(cli(["emit", "all", ...EASTUS, "--out", out]).code).toBe(0);
    rmSync(join(out, "opa"), { recursive: true });
    symlinkSync(elsewhere, join(out, "opa"));
    const before = tree(out);
    expectInputError(cli(["emit", "all", ...EASTUS, "--out", out, "--clean"]), `--out: "${join(out, "opa")}" is a symbolic link (to "${elsewhere}")`);
    expect(tree(elsewhere)).toEqual([]);
    expect(tree(out)).toEqual(before);
  });
});

describe("emitter options", () => {
  it.each([
    ["iptables", "-O iptables.tabel=x", 'iptables has no option "tabel"'],
    ["nftables", "-O nftables.tabel=x", 'nftables has no option "tabel" (options: mode, subnets, peers, fqdns, regionalTags, fqdnTimeout, table); did you mean "table"?'],
    ["opa", "-O opa.includeTest=false", 'opa has no option "includeTest" (options: includeTests); did you mean "includeTests"?'],
  ])("an unknown -O key of %s is refused", (_target, option, message) => {
    const [flag = "", value = ""] = option.split(" ");
    expectInputError(cli(["emit", "all", ...EASTUS, "--out", join(tmp, "never"), flag, value]), message);
    expect(existsSync(join(tmp, "never"))).toBe(false);
  });

  it("-O options of a target not being emitted are checked too: unknown keys and bad values", () => {
    expectInputError(cli(["emit", "nsg", ...EASTUS, "-O", "nftables.tabel=x"]), '-O nftables.tabel: nftables has no option "tabel"');
    expectInputError(cli(["emit", "nsg", ...EASTUS, "-O", "opa.includeTests=maybe"]), '-O opa.includeTests: opa option includeTests: must be true or false (value: "maybe")');
    expectInputError(cli(["emit", "nsg", ...EASTUS, "-O", "markdown.locale=de"]), '-O markdown.locale: markdown option locale: must be "en" or "fr" (value: "de")');
    expectInputError(cli(["emit", "nsg", ...EASTUS, "-O", "markdown.coverage={}"]), "-O markdown.coverage: markdown option coverage is set by the CLI itself");
  });
});

describe("options given once", () => {
  it.each([
    ["--subnet", ["emit", "nsg", "--region", "eastus", "--subnet", "10.9.0.0/24", "--subnet", "10.8.0.0/24"], '--subnet: given twice ("10.9.0.0/24", then "10.8.0.0/24"); give it once'],
    ["--revision", ["list", "--revision", "2021-05-21", "--revision", "2021-11-02"], '--revision: given twice ("2021-05-21", then "2021-11-02")'],
    ["--out", ["emit", "nsg", ...EASTUS, "--out", "a", "--out", "b"], '--out: given twice ("a", then "b")'],
    ["--nsg-priority-start", ["emit", "nsg", ...EASTUS, "--nsg-priority-start", "200", "--nsg-priority-start", "300"], '--nsg-priority-start: given twice (200, then "300")'],
    ["--service-tags", ["emit", "nsg", ...EASTUS, "--service-tags", "a.json", "--service-tags", "b.json"], '--service-tags: given twice ("a.json", then "b.json")'],
  ])("a repeated %s is refused, not the last one kept", (_flag, args, message) => {
    // In a scratch directory: a CLI that kept the last --out would write there.
    expectInputError(cli(args, { cwd: tmp }), message);
  });
});

describe("diff, check-source and stdin", () => {
  it("diff --exit-code exits 1 when rules differ and 0 when they do not, like git diff", () => {
    const changed = cli(["diff", "2021-09-13", "2021-11-02", "--exit-code"]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/^rules from 2021-09-13 to 2021-11-02: 3 added, 1 removed/);
    expect(cli(["diff", "2021-11-02", "2021-11-02", "--exit-code"]).code).toBe(0);
    expect(cli(["diff", "2021-09-13", "2021-11-02"]).code).toBe(0);
    expect(cli(["diff", "2021-09-13", "2021-11-02", "--exit-code", "--json"]).code).toBe(1);
  });

  it("check-source --json prints the comparison; - reads the page from stdin, as the help says", () => {
    const page = readFileSync(join(ROOT, "vendor/pages/network-rules.en.2021-11-02.current.md"), "utf8");
    const r = cli(["check-source", "-", "--json"], { input: page });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { matches: boolean }).matches).toBe(true);
    for (const [command, arg] of [["check-source", "page.md"], ["audit", "file"]] as const) {
      const help = cli([command, "--help"]).stdout.replace(/\s+/g, " ");
      const args = help.slice(help.indexOf("Arguments:"), help.indexOf("Options:"));
      expect(args, command).toMatch(new RegExp(`^Arguments: ${arg.replace(".", "\\.")} .*; - for stdin $`));
    }
  });
});

describe("an audit input that is a pipe", () => {
  it("is read once, whole (a regular file alone is read in pieces, and read again whole when it is not an export)", () => {
    const fixture = join(ROOT, "packages/azure/test/fixtures/audit/nsg-allows.json");
    const fromFile = cli(["audit", fixture, ...EASTUS, "--json"]);
    expect(fromFile.stdout).toContain('"format": "arm"');
    // A pipe, as `<(...)` or `cat file | cli audit /dev/stdin` gives it: it cannot be read twice.
    const fromPipe = run("sh", ["-c", 'cat "$1" | NO_COLOR=1 "$2" "$3" audit /dev/stdin "$4" "$5" "$6" "$7" --json', "sh", fixture, process.execPath, BIN, ...EASTUS], { cwd: ROOT });
    expect([fromPipe.code, fromPipe.stderr, fromPipe.stdout]).toEqual([fromFile.code, fromFile.stderr, fromFile.stdout]);
  });
});

describe("errors", () => {
  it("a target that needs the subnet says which flag to pass, not the library's option", () => {
    const r = cli(["emit", "all", "--region", "eastus", "--out", join(tmp, "no-subnet")]);
    expectInputError(r, "iptables: needs the cluster subnet: pass --subnet CIDR");
    expect(r.stderr).not.toContain("options.subnets");
    expect(existsSync(join(tmp, "no-subnet"))).toBe(false);
  });


  it("every error carries the program's name, commander's own too", () => {
    for (const args of [["list", "--colour"], ["lst"], ["emit"], ["explain"], ["emit", "nsg", "--mode", "router"], ["diff", "2021-05-21"]]) {
      const r = cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.startsWith(PREFIX), `${args.join(" ")}: ${r.stderr}`).toBe(true);
    }
  });

  it("help <unknown> is an error with a suggestion; help <command> prints that command's help", () => {
    expectInputError(cli(["help", "lst"]), 'help: unknown command "lst"; did you mean "list"?');
    const h = cli(["help", "emit"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("Usage: cassandra-mi-netrules emit");
    expect(cli(["help"]).stdout).toContain("Usage: cassandra-mi-netrules [options] [command]");
  });
});

describe("the coverage table on a terminal", () => {
  it("fits the terminal's width (a real pseudo-terminal of 100 columns) and ends with the counts", () => {
    const inner = [process.execPath, BIN, "emit", "nsg", ...EASTUS, "--out", join(tmp, "tty")].map((a) => `'${a}'`).join(" ");
    const r = run("script", ["-qec", `stty cols 100 rows 50; ${inner}`, "/dev/null"], { cwd: ROOT });
    expect(r.code, r.stdout).toBe(0);
    const lines = r.stdout.replace(/\r/g, "").split("\n");
    expect(lines.some((l) => l.startsWith("nsg "))).toBe(true);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(r.stdout).toMatch(/nsg: 31 rules: \d+ enforced, \d+ approximated, \d+ unsupported/);
  });
});

describe("licence and ignored output", () => {
  it("LICENSE is the MIT licence every package declares", () => {
    const license = readFileSync(join(ROOT, "LICENSE"), "utf8");
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) /);
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
    for (const f of tree(join(ROOT, "packages")).filter((p) => /^[^/]+\/package\.json$/.test(p))) {
      const m = JSON.parse(readFileSync(join(ROOT, "packages", f), "utf8")) as { license?: string; private?: boolean };
      if (!m.private) expect(m.license, f).toBe("MIT");
    }
  });

  it("the quick start's artifacts/ is ignored by git", () => {
    const r = run("git", ["check-ignore", "-v", "artifacts/eastus/nsg/nsg.json"], { cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(".gitignore");
  });
});

describe("small text defects", () => {
  it("list says the revision's label once: (GA), not (GA, ga)", () => {
    const r = cli(["list"]);
    expect(r.stdout).toMatch(/^revision 2021-11-02 \(GA\), 31 requirements/);
    expect(cli(["list", "--revision", "2021-05-21"]).stdout).toMatch(/^revision 2021-05-21 \(V1, preview\), 13 requirements/);
  });

  it("explain --locale fr has no English sentence around the data", () => {
    const r = cli(["explain", "storage-backup", ...EASTUS, "--locale", "fr"]);
    expect(r.code, r.stderr).toBe(0);
    const rowNames = ["storage-backup", ...registry.names()];
    const framing = r.stdout.split("\n").filter((l) => /^[a-zé]/.test(l) && !rowNames.some((n) => l === n || l.startsWith(`${n} `) || l.startsWith(`${n}:`)));
    expect(framing.length).toBeGreaterThan(4);
    for (const english of ["purpose", "alternatives (any one", "provenance: table", "as written in", "inferences (the page", "how each target", "when feature", "resolved for"]) {
      expect(r.stdout, english).not.toContain(english);
    }
    expect(r.stdout).toMatch(/^objet : /m);
    expect(r.stdout).toContain("comment chaque cible l'applique");
  });
});

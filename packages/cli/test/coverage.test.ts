/** The coverage table (one order, counts, a terminal's width) and what an error may show of an input file. */
import { describe, expect, it } from "vitest";
import { run, type CliIO } from "@cassandra-mi-netrules/cli";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { coverageSummary, coverageTable, orderRows } from "../src/coverage.js";
import { parseJsonText } from "../src/json-input.js";

async function emitStderr(args: string[], columns?: number): Promise<string> {
  let stderr = "";
  const io: CliIO = { stdout: () => {}, stderr: (s) => void (stderr += s), readStdin: () => "", cwd: "/", ...(columns ? { columns } : {}) };
  const code = await run(args, io);
  expect(code, stderr).toBe(0);
  return stderr;
}

const EASTUS = ["--region", "eastus", "--subnet", "10.9.0.0/24"];
const rowsOf = (table: string, target: string) =>
  table
    .split("\n")
    .filter((l) => l.startsWith(`${target} `))
    .map((l) => l.split(/\s+/)[1]);

describe("coverage table", () => {
  it("lists every target's rows in the revision's order of requirements, whatever order each emitter reported", async () => {
    const order = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" }).rules.map((r) => r.id);
    const table = await emitStderr(["emit", "all", ...EASTUS, "--json"].filter((a) => a !== "--json").concat(["--out", `/tmp/cmn-coverage-${process.pid}`, "--clean"]));
    for (const target of ["nsg", "azure-firewall", "iptables", "markdown", "opa", "route-table", "nftables"]) expect(rowsOf(table, target), target).toEqual(order);
  });

  it("ends with one line of counts per target", async () => {
    const stderr = await emitStderr(["emit", "nsg", ...EASTUS]);
    expect(stderr).toMatch(/\n\nnsg: 31 rules: \d+ enforced, \d+ approximated, \d+ unsupported\n$/);
    const [, enforced, approximated, unsupported] = /nsg: 31 rules: (\d+) enforced, (\d+) approximated, (\d+) unsupported/.exec(stderr) ?? [];
    const statuses = stderr.split("\n").filter((l) => l.startsWith("nsg ")).map((l) => l.split(/\s+/)[2]);
    expect([enforced, approximated, unsupported].map(Number)).toEqual(["enforced", "approximated", "unsupported"].map((s) => statuses.filter((x) => x === s).length));
  });

  it("on a terminal no line is wider than it: the last column wraps under itself; off a terminal a row is one line", async () => {
    const narrow = await emitStderr(["emit", "nsg", ...EASTUS], 100);
    expect(Math.max(...narrow.split("\n").map((l) => l.length))).toBeLessThanOrEqual(100);
    const wide = await emitStderr(["emit", "nsg", ...EASTUS]);
    expect(Math.max(...wide.split("\n").map((l) => l.length))).toBeGreaterThan(200);
    // The same text, only wrapped.
    const text = (s: string) => s.split("\n").filter((l) => !/^[- ]+$/.test(l)).join("").replace(/\s+/g, "");
    expect(text(narrow)).toEqual(text(wide));
  });

  it("orders, counts and wraps from the rows alone", () => {
    const entry = (ruleId: string, status: "enforced" | "unsupported", how = "x") => ({ ruleId, status, how, why: "" });
    const rows = orderRows([{ target: "b", entry: entry("r2", "enforced") }, { target: "a", entry: entry("r2", "unsupported") }, { target: "a", entry: entry("r1", "enforced") }], ["a", "b"], ["r1", "r2"]);
    expect(rows.map((r) => `${r.target}/${r.entry.ruleId}`)).toEqual(["a/r1", "a/r2", "b/r2"]);
    expect(coverageSummary(rows, ["a", "b"])).toEqual(["a: 2 rules: 1 enforced, 0 approximated, 1 unsupported", "b: 1 rule: 1 enforced, 0 approximated, 0 unsupported"]);
    const wrapped = coverageTable([{ target: "a", entry: entry("r1", "enforced", "one two three four five six seven eight nine ten eleven twelve") }], 50);
    expect(wrapped.split("\n").map((l) => l.length <= 50)).not.toContain(false);
    expect(wrapped.split("\n").length).toBeGreaterThan(4);
  });
});

describe("JSON input in error messages", () => {
  const SHADOW = "root:$6$salt$SECRETHASHVALUE:19976:0:99999:7:::\nuser:$6$x$OTHERSECRET:1:0:9:7:::\n";

  it("a file that is not JSON shows 16 characters of it at most, escaped", () => {
    expect(() => parseJsonText(SHADOW, '<file> "shadow"')).toThrow('<file> "shadow": not valid JSON (it starts "root:$6$salt$SEC")');
    expect(() => parseJsonText('{"a": 1,\n "b": [1, 2] x}', "<file>")).toThrow('<file>: not valid JSON at line 2, column 14 (at "x}")');
    expect(() => parseJsonText("\u001b[2J\u0007{", "<file>")).toThrow('(it starts "\\u001b[2J\\u0007{")');
    expect(() => parseJsonText('{"a": ', "<file>")).toThrow("<file>: not valid JSON: it ends too early");
  });

  it("input nested deeper than 100 levels is refused with a plain message", () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    expect(() => parseJsonText(deep, "<file>")).toThrow("<file>: nested more than 100 levels deep");
    expect(parseJsonText(`${"[".repeat(100)}${"]".repeat(100)}`, "<file>")).toBeDefined();
  });
});

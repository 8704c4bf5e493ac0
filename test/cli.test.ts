/** The built CLI as a process: exit code, stdout and stderr for every command, good and bad inputs. */
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { registry } from "@cassandra-mi-netrules/cli";
import { opaEval, opaReports } from "@cassandra-mi-netrules/testkit/opa";
import { PYTHON as PY } from "@cassandra-mi-netrules/testkit/netns";
import AjvDraft04Module from "ajv-draft-04";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cli, requireBuiltCli, ROOT, run, snapshot, tempDir, tree, type Run } from "./helpers.js";

const TARGETS = registry.names();
const COMMANDS = ["list", "revisions", "regions", "explain", "emit", "diff", "audit", "check-source", "init"];
// Under NodeNext-style typing the default import is the module namespace; the class is its `default`.
const AjvDraft04 = ((AjvDraft04Module as unknown as { default?: typeof AjvDraft04Module }).default ?? AjvDraft04Module) as typeof AjvDraft04Module;
const SERVICE_TAGS = join(ROOT, "vendor/service-tags/ServiceTags_Public_20251028.json");
const PAGE = join(ROOT, "vendor/pages/network-rules.en.2021-11-02.current.md");
const EASTUS = ["--region", "eastus", "--subnet", "10.9.0.0/24"];
let tmp = "";

beforeAll(() => {
  requireBuiltCli();
  tmp = tempDir("cli");
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** An input error: exit 2, nothing on stdout, and stderr holds every expected piece (the option or file, the field, the value). */
function expectInputError(r: Run, ...pieces: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  for (const p of pieces) expect(r.stderr).toContain(p);
}

/** The built CLI in a private mount namespace where `readOnly` (a directory) is bind-mounted read-only: a real EROFS/EXDEV, even for root. */
function cliWithReadOnly(readOnly: string, args: readonly string[]): Run {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return run("unshare", ["-m", "sh", "-c", `mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec ${quoted}`, readOnly], { cwd: ROOT });
}

describe("help and version", () => {
  it("--version prints the package version and exits 0", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "packages/cli/package.json"), "utf8")) as { version: string };
    const r = cli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("--help lists every command, examples and the exit codes", () => {
    const r = cli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of [...COMMANDS, "help"]) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, "m"));
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain("Exit codes: 0 ok, 1 audit found gaps");
  });

  it.each(COMMANDS)("%s --help shows usage and at least one example of that command", (command) => {
    const r = cli([command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: cassandra-mi-netrules ${command}`);
    expect(r.stdout).toMatch(new RegExp(`\\$ cassandra-mi-netrules ${command} `));
  });

  it("no command, an unknown command or an unknown option is a usage error (2)", () => {
    expect(cli([]).code).toBe(2);
    const unknown = cli(["lst"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'lst'");
    expect(unknown.stderr).toContain("Did you mean list?");
    const opt = cli(["list", "--colour"]);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain("unknown option '--colour'");
  });
});

describe("list, revisions, regions", () => {
  it("list prints the current revision's requirements as a table", () => {
    const r = cli(["list", "--region", "eastus"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^revision 2021-11-02 \(GA\), 31 requirements; regions: eastus/);
    expect(r.stdout).toContain("snovapeastus.blob.core.windows.net | Storage.EastUS | Storage");
    expect(r.stdout).toMatch(/^gossip +internal +TCP +7001 +2021-05-21 +VirtualNetwork/m);
  });

  it("list --json gives the resolved rules for a revision and regions", () => {
    const r = cli(["list", "--json", "--revision", "2021-05-21", "--region", "westeurope,eastus"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { revision: { id: string }; regions: string[]; rules: { id: string }[] };
    expect(doc.revision.id).toBe("2021-05-21");
    expect(doc.regions).toEqual(["eastus", "westeurope"]);
    expect(doc.rules).toHaveLength(13);
  });

  it("list with vpn enabled excludes every outbound requirement and says why", () => {
    const r = cli(["list", "--feature", "vpn"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("5 requirements");
    expect(r.stdout).toMatch(/^excluded: storage-control-plane: not needed with feature vpn enabled/m);
  });

  it("revisions and regions print tables and JSON", () => {
    const revs = cli(["revisions"]);
    expect(revs.code).toBe(0);
    expect(revs.stdout).toMatch(/^2021-11-02 +GA +2021-11-02 +ga +31 /m);
    const json = JSON.parse(cli(["revisions", "--json"]).stdout) as { id: string; requirementIds: string[] }[];
    expect(json.map((r) => [r.id, r.requirementIds.length])).toEqual([
      ["2021-05-21", 13],
      ["2021-08-14", 22],
      ["2021-09-13", 29],
      ["2021-11-02", 31],
    ]);
    const regs = cli(["regions"]);
    expect(regs.code).toBe(0);
    expect(regs.stdout).toMatch(/^westeurope +West Europe +Europe +northeurope$/m);
    expect((JSON.parse(cli(["regions", "--json"]).stdout) as unknown[]).length).toBe(62);
  });
});

describe("explain", () => {
  it("explains alternatives, provenance, inferences and each target's coverage", () => {
    const r = cli(["explain", "storage-control-plane", ...EASTUS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("alternatives (any one satisfies the requirement):");
    expect(r.stdout).toContain("fqdn snovap{region}.blob.core.windows.net");
    expect(r.stdout).toContain("as written in 2021-05-21:");
    expect(r.stdout).toContain("[fqdn.region]");
    for (const t of TARGETS) expect(r.stdout).toMatch(new RegExp(`^${t} +(enforced|approximated|unsupported) `, "m"));
  });

  it("explains in French and as JSON, and a requirement from an older revision", () => {
    const fr = cli(["explain", "gossip", "--locale", "fr"]);
    expect(fr.code).toBe(0);
    expect(fr.stdout).toMatch(/^objet : .*nœuds/m);
    const j = JSON.parse(cli(["explain", "key-vault", "--json", ...EASTUS]).stdout) as { targets: { target: string; coverage: { ruleId: string } | null }[] };
    expect(j.targets.map((t) => t.target)).toEqual(TARGETS);
    expect(j.targets.every((t) => t.coverage?.ruleId === "key-vault")).toBe(true);
    const old = cli(["explain", "tag-storage-regional"]);
    expect(old.code).toBe(0);
    expect(old.stdout).toContain("not in revision 2021-11-02 (listed in 2021-08-14, 2021-09-13)");
  });

  it("an unknown id is an input error with a suggestion", () => {
    expectInputError(cli(["explain", "gosip"]), '<id>: unknown requirement "gosip"; did you mean "gossip"?');
  });
});

describe("emit", () => {
  it("a single-file target goes to stdout, the coverage table to stderr", () => {
    const r = cli(["emit", "nsg", ...EASTUS]);
    expect(r.code).toBe(0);
    const template = JSON.parse(r.stdout) as { $schema: string; resources: unknown[] };
    expect(template.$schema).toContain("deploymentTemplate.json");
    expect(r.stderr).toMatch(/^target +rule +status +how \/ why$/m);
    // One coverage line per resolved rule: nothing dropped silently.
    expect(r.stderr.split("\n").filter((l) => l.startsWith("nsg "))).toHaveLength(31);
  });

  it("emit all --out writes every target's files; --json reports them; the output is deterministic", () => {
    const out = join(tmp, "all");
    const r = cli(["emit", "all", ...EASTUS, "--out", out]);
    expect(r.code).toBe(0);
    const files = tree(out);
    for (const t of TARGETS) expect(files.some((f) => f.startsWith(`${t}/`))).toBe(true);
    expect(files.some((f) => f.includes(".cassandra-mi-netrules-tmp"))).toBe(false);
    for (const f of files) expect(r.stderr).toContain(`wrote ${join(out, f)}`);
    const again = cli(["emit", "all", ...EASTUS, "--json"]);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as { targets: { target: string; files: { path: string; content: string }[]; coverage: unknown[] }[] };
    expect(report.targets.map((t) => t.target)).toEqual(TARGETS);
    for (const t of report.targets) {
      expect(t.coverage).toHaveLength(31);
      for (const f of t.files) expect(readFileSync(join(out, t.target, f.path), "utf8")).toBe(f.content);
    }
  });

  it("target options reach the emitters (markdown in French differs from English)", () => {
    const en = cli(["emit", "markdown", "--region", "eastus", "--json"]);
    const fr = cli(["emit", "markdown", "--region", "eastus", "--locale", "fr", "--json"]);
    expect(en.code).toBe(0);
    expect(fr.code).toBe(0);
    expect(fr.stdout).not.toBe(en.stdout);
    expect(fr.stdout).toContain("nœuds");
  });

  it("--templates DIR overrides a bundled page; a directory without templates or an unknown name is an input error", () => {
    const dir = join(tmp, "templates");
    mkdirSync(join(dir, "pages"), { recursive: true });
    writeFileSync(join(dir, "pages/index.md.hbs"), "# Our runbook\n\nRevision {{md revision.id \"code\"}}.\n\n{{> stamp}}\n");
    type Report = { targets: { files: { path: string; content: string }[] }[] };
    const r = cli(["emit", "markdown", "--region", "eastus", "--templates", dir, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const files = (JSON.parse(r.stdout) as Report).targets[0]?.files ?? [];
    const index = files.find((f) => f.path === "en/index.md")?.content ?? "";
    expect(index).toMatch(/^# Our runbook\n\nRevision `2021-11-02`\.\n/);
    // The other pages keep the bundled templates.
    const plain = (JSON.parse(cli(["emit", "markdown", "--region", "eastus", "--json"]).stdout) as Report).targets[0]?.files ?? [];
    expect(files.find((f) => f.path === "en/network-rules.md")?.content).toBe(plain.find((f) => f.path === "en/network-rules.md")?.content);
    expect(index).not.toBe(plain.find((f) => f.path === "en/index.md")?.content);

    const empty = join(tmp, "no-templates");
    mkdirSync(empty, { recursive: true });
    expectInputError(cli(["emit", "markdown", "--templates", empty]), `--templates "${empty}": holds no template: pages/<page>.md.hbs or partials/<partial>.md.hbs`);
    expectInputError(cli(["emit", "markdown", "--templates", join(tmp, "missing-dir")]), `--templates: cannot read directory "${join(tmp, "missing-dir")}"`);
    writeFileSync(join(dir, "pages/indx.md.hbs"), "x\n");
    expectInputError(cli(["emit", "markdown", "--templates", dir]), `--templates "${dir}": unknown page template (value: "pages/indx.md.hbs"`);
  });

  it("--service-tags attaches prefixes from the vendored file", () => {
    type Report = { targets: { coverage: { ruleId: string; status: string }[] }[] };
    const status = (r: { stdout: string }) => (JSON.parse(r.stdout) as Report).targets[0]?.coverage.find((c) => c.ruleId === "tag-storage")?.status;
    const args = ["emit", "iptables", ...EASTUS, "--json"];
    const without = cli(args);
    const withTags = cli([...args, "--service-tags", SERVICE_TAGS]);
    expect(without.code).toBe(0);
    expect(withTags.code).toBe(0);
    expect(status(without)).toBe("unsupported");
    expect(status(withTags)).toBe("enforced");
  });

  it("regions as az writes them and --revision latest resolve to ARM names and the current revision", () => {
    const r = cli(["list", "--json", "--revision", "latest", "--region", "East US", "--region", "WestEurope"]);
    expect(r.code, r.stderr).toBe(0);
    const resolved = JSON.parse(r.stdout) as { regions: string[]; revision: { id: string } };
    expect(resolved.regions).toEqual(["eastus", "westeurope"]);
    expect(resolved.revision.id).toBe("2021-11-02");
  });

  it("--revision, several --region and -O reach the artifact", () => {
    const r = cli(["emit", "nsg", "--revision", "2021-08-14", "--region", "eastus", "--region", "westeurope", "--subnet", "10.9.0.0/24", "-O", "nsg.nsgName=nsg-from-cli"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("2021-08-14");
    expect(r.stdout).toMatch(/"eastus",\s*"westeurope"/);
    expect(r.stdout).toContain("nsg-from-cli");
    expect(r.stderr.split("\n").filter((l) => l.startsWith("nsg "))).toHaveLength(22);
  });

  it("several files without --out is a usage error", () => {
    const r = cli(["emit", "all", ...EASTUS]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/all produces \d+ files .*pass --out DIR/);
  });

  it.each([
    ["unknown target", ["emit", "nsgg", "--region", "eastus"], ['<target>: unknown target "nsgg"; did you mean "nsg"?']],
    ["unknown region", ["emit", "nsg", "--region", "westeurop"], ['--region: unknown region "westeurop"; did you mean "westeurope"?']],
    ["bad subnet", ["emit", "nsg", "--region", "eastus", "--subnet", "10.0.0.0/33"], ["--subnet:", '"10.0.0.0/33"']],
    ["subnet wider than Azure allows", ["emit", "nsg", "--region", "eastus", "--subnet", "0.0.0.0/0"], ["--subnet: /0 is wider than any Azure subnet", "/2 to /29 for IPv4", '"0.0.0.0/0"']],
    ["empty region", ["emit", "nsg", "--region", "", "--subnet", "10.9.0.0/24"], ['--region: empty region name; pass no region at all to leave {region} unfilled (value: "")']],
    ["bad feature value", ["emit", "nsg", "--feature", "backup=maybe"], ['--feature: backup: expected on or off (value: "maybe")']],
    ["bad priority", ["emit", "nsg", "--nsg-priority-start", "ten"], ['--nsg-priority-start: expected an integer (value: "ten")']],
    ["bad mode", ["emit", "iptables", "--mode", "router"], ["'router' is invalid"]],
    ["--clean without --out", ["emit", "nsg", ...EASTUS, "--clean"], ["--clean: only with --out DIR"]],
  ])("bad input: %s is an input error (2) naming the option and the value", (_name, args, pieces) => {
    expectInputError(cli(args), ...pieces);
  });

  it("unreadable, malformed and invalid service-tags files name the file, field and value", () => {
    const missing = join(tmp, "nope.json");
    expectInputError(cli(["emit", "nsg", "--region", "eastus", "--service-tags", missing]), `--service-tags: cannot read file "${missing}"`, "ENOENT");
    expectInputError(cli(["emit", "nsg", "--region", "eastus", "--service-tags", tmp]), `--service-tags: cannot read file "${tmp}"`, "EISDIR");
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, "{ not json");
    expectInputError(cli(["emit", "nsg", "--region", "eastus", "--service-tags", bad]), `--service-tags: ${bad}: (root): not valid JSON`);
    const wrong = join(tmp, "wrong.json");
    const tag = { name: "Storage", id: "Storage", properties: { changeNumber: 1, region: "", regionId: 0, platform: "Azure", systemService: "AzureStorage", addressPrefixes: ["10.0.0.0/99"], networkFeatures: [] } };
    writeFileSync(wrong, JSON.stringify({ changeNumber: 1, cloud: "Public", values: [tag] }));
    expectInputError(cli(["emit", "nsg", "--region", "eastus", "--service-tags", wrong]), `--service-tags: ${wrong}: values[0].properties.addressPrefixes[0]`, '(value: "10.0.0.0/99")');
  });
});

describe("--service-tags: compared with Microsoft's file, bounded, never echoed", () => {
  const vendored = () => JSON.parse(readFileSync(SERVICE_TAGS, "utf8")) as { changeNumber: number | string; values: { name: string; properties: { changeNumber: number | string; addressPrefixes: string[] } }[] };

  it("a 200 MB file is refused before it is read, naming the limit", () => {
    const big = join(tmp, "huge-service-tags.json");
    run("truncate", ["-s", "200M", big]);
    const r = cli(["emit", "nsg", ...EASTUS, "--service-tags", big]);
    expectInputError(r, `--service-tags: file "${big}" is 209715200 bytes, over the limit of 33554432 bytes (32 MiB)`);
    rmSync(big);
  });

  it("a Storage tag given 0.0.0.0/0 is refused: exit 2, the file, the field, the tag and the value", () => {
    const doc = vendored();
    const at = doc.values.findIndex((v) => v.name === "Storage");
    doc.values[at]?.properties.addressPrefixes.push("0.0.0.0/0");
    const file = join(tmp, "storage-everything.json");
    writeFileSync(file, JSON.stringify(doc));
    const r = cli(["emit", "iptables", ...EASTUS, "--service-tags", file]);
    expectInputError(r, `--service-tags: ${file}: values[${at}].properties.addressPrefixes[`, "tag Storage: no service tag holds a prefix wider than /8", '(value: "0.0.0.0/0")');
  });

  it("a file that is no JSON shows 16 characters of it at most", () => {
    const file = join(tmp, "shadow");
    writeFileSync(file, "root:$6$salt$SECRETHASHVALUE:19976:0:99999:7:::\nuser:$6$x$OTHERSECRET:1:0:9:7:::\n");
    const r = cli(["emit", "nsg", ...EASTUS, "--service-tags", file]);
    expectInputError(r, `--service-tags: ${file}: (root): not valid JSON`, '(value: "root:$6$salt$SEC")');
    expect(r.stderr).not.toContain("SECRETHASHVALUE");
    expect(r.stderr).not.toContain("OTHERSECRET");
  });

  it("takes the az network list-service-tags format, and says on stderr how the file differs from the bundled one", () => {
    const doc = vendored();
    const az = { ...doc, changeNumber: "300", values: doc.values.map((v) => ({ ...v, properties: { ...v.properties, changeNumber: String(v.properties.changeNumber) } })) };
    const file = join(tmp, "az-service-tags.json");
    writeFileSync(file, JSON.stringify(az, null, 4));
    const r = cli(["emit", "iptables", ...EASTUS, "--service-tags", file, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { targets: { coverage: { ruleId: string; status: string }[] }[] };
    expect(report.targets[0]?.coverage.find((c) => c.ruleId === "tag-storage")?.status).toBe("enforced");
    expect(r.stderr).toContain(`cassandra-mi-netrules: --service-tags "${file}": changeNumber 300 is older than the bundled ServiceTags_Public_20251028.json (375)`);
    expect(cli(["emit", "iptables", ...EASTUS, "--service-tags", SERVICE_TAGS, "--json"]).stderr).toBe("");
  });
});

describe("emit --out: all or nothing", () => {
  it("an --out below a file, or a directory where a file goes, fails (2) before anything is written", () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "x");
    const under = cli(["emit", "all", ...EASTUS, "--out", join(file, "sub")]);
    expectInputError(under, `--out: cannot write "${join(file, "sub")}"`, "ENOTDIR");
    const out = join(tmp, "blocked");
    mkdirSync(join(out, "nsg.json", "taken"), { recursive: true });
    expectInputError(cli(["emit", "nsg", ...EASTUS, "--out", out]), `--out: cannot write "${join(out, "nsg.json")}": a directory is in the way`);
    expect(tree(out)).toEqual([]);
    expect(readdirSync(out)).toEqual(["nsg.json"]);
  });

  it("a read-only --out (a real read-only mount) fails (2) naming it, and stays empty", () => {
    const out = join(tmp, "read-only");
    mkdirSync(out);
    const r = cliWithReadOnly(out, ["emit", "all", ...EASTUS, "--out", out]);
    expectInputError(r, `--out: cannot write "${out}": EROFS: read-only file system; nothing was changed`);
    expect(readdirSync(out)).toEqual([]);
  });

  it("when a file in the middle cannot be written, the files already replaced are put back: the directory is byte for byte as before", () => {
    const out = join(tmp, "rollback");
    const before = cli(["emit", "all", "--revision", "2021-09-13", ...EASTUS, "--out", out]);
    expect(before.code, before.stderr).toBe(0);
    chmodSync(join(out, "iptables/iptables.sh"), 0o755);
    const old = snapshot(out);
    // markdown/ is the 3rd target: azure-firewall (1 file) and iptables (2) are renamed into place first.
    const r = cliWithReadOnly(join(out, "markdown"), ["emit", "all", ...EASTUS, "--out", out]);
    expectInputError(r, `--out: cannot write "${join(out, "markdown/en/index.md")}"`, "nothing was changed");
    expect(snapshot(out)).toEqual(old);
    expect(statSync(join(out, "iptables/iptables.sh")).mode & 0o777).toBe(0o755);
    // Without the read-only mount the same run succeeds, replaces every file and keeps the script's mode.
    const after = cli(["emit", "all", ...EASTUS, "--out", out]);
    expect(after.code, after.stderr).toBe(0);
    const now = snapshot(out);
    expect(Object.keys(now)).toEqual(Object.keys(old));
    expect(now["azure-firewall/firewall-policy.json"]).not.toBe(old["azure-firewall/firewall-policy.json"]);
    expect(now["azure-firewall/firewall-policy.json"]).toContain('"revision": "2021-11-02"');
    expect(statSync(join(out, "iptables/iptables.sh")).mode & 0o777).toBe(0o755);
  });

  it("files an earlier run left in the directories this run writes to are refused (2, nothing changed); --clean deletes them", () => {
    const out = join(tmp, "stale");
    expect(cli(["emit", "all", ...EASTUS, "--changelog", "--out", out]).code).toBe(0);
    writeFileSync(join(out, "opa", "old-policy.rego"), "package old\n");
    // A file directly in --out is not one of this run's directories: it stays, with or without --clean.
    writeFileSync(join(out, "README.md"), "# my notes\n");
    const old = snapshot(out);
    expect(Object.keys(old)).toContain("markdown/en/changelog.md");
    const refused = cli(["emit", "all", ...EASTUS, "--out", out]);
    expectInputError(refused, `--out: "${out}" holds 2 file(s) this run would not write`, '"markdown/en/changelog.md"', '"opa/old-policy.rego"', "--clean");
    expect(snapshot(out)).toEqual(old);
    const cleaned = cli(["emit", "all", ...EASTUS, "--out", out, "--clean"]);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(cleaned.stderr).toContain(`removed ${join(out, "markdown/en/changelog.md")} (--clean)`);
    expect(cleaned.stderr).toContain(`removed ${join(out, "opa/old-policy.rego")} (--clean)`);
    const fresh = join(tmp, "fresh");
    expect(cli(["emit", "all", ...EASTUS, "--out", fresh]).code).toBe(0);
    expect(snapshot(out)).toEqual({ ...snapshot(fresh), "README.md": "# my notes\n" });
    // A single-file target into a directory of other files: nothing of theirs is in its way.
    expect(cli(["emit", "nsg", ...EASTUS, "--out", out]).code).toBe(0);
    const again = cli(["emit", "all", ...EASTUS, "--out", out, "--json"]);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { removed: string[] }).removed).toEqual([]);
  });
});

describe("diff", () => {
  it("lists requirements added, removed and changed between revisions", () => {
    const r = cli(["diff", "2021-08-14", "2021-11-02"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rules from 2021-08-14 to 2021-11-02: 10 added, 1 removed, 0 changed; 1 wording change \(not rule changes\)$/m);
    expect(r.stdout).toContain("+ microsoft-prefixes: ");
    expect(r.stdout).toContain("- tag-storage-regional: ");
  });

  it("--target nsg and azure-firewall give the concrete rules to remove, add and change", () => {
    const r = cli(["diff", "2021-09-13", "2021-11-02", "--target", "nsg", ...EASTUS, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    type Diff = {
      added: string[];
      removed: string[];
      target: { target: string; coverage: { ruleId: string; before: unknown; after: unknown }[]; files: { path: string; unit: string; added: string[]; removed: string[]; changed: { rule: string; before: string; after: string }[] }[] };
    };
    const d = JSON.parse(r.stdout) as Diff;
    expect(d.added).toEqual(["microsoft-prefixes", "tag-azure-front-door-first-party", "tag-azure-resource-manager"]);
    expect(d.removed).toEqual(["tag-storage-regional"]);
    expect(d.target.target).toBe("nsg");
    expect(d.target.coverage.find((c) => c.ruleId === "tag-storage-regional")?.after).toBeNull();
    expect(d.target.coverage.find((c) => c.ruleId === "microsoft-prefixes")?.before).toBeNull();
    const [nsg] = d.target.files;
    expect(d.target.files.map((f) => [f.path, f.unit])).toEqual([["nsg.json", "rules"]]);
    expect(nsg?.removed).toEqual(["cassandra-out-storage.eastus: Outbound Allow Tcp from 10.9.0.0/24 to Storage.EastUS port 443, priority 180"]);
    expect(nsg?.added).toContain("cassandra-out-microsoft-prefixes-ipv4: Outbound Allow Tcp from 10.9.0.0/24 to 104.40.0.0/13,13.104.0.0/14,40.64.0.0/10 port 443, priority 190");
    // A rule kept under its name whose priority moves is a change, not a removal and an addition.
    const moved = nsg?.changed.find((c) => c.rule === "cassandra-out-apimanagement");
    expect(moved?.before).toMatch(/to ApiManagement port 443, priority 170$/);
    expect(moved?.after).toMatch(/to ApiManagement port 443, priority 180$/);
    const fw = cli(["diff", "2021-09-13", "2021-11-02", "--target", "azure-firewall", ...EASTUS]);
    expect(fw.code, fw.stderr).toBe(0);
    expect(fw.stdout).toMatch(/^azure-firewall: firewall-policy\.json: 1 to remove, 3 to add, 0 to change \(rules\)$/m);
    expect(fw.stdout).toContain("- cassandra-mi-network/tag-storage-regional: network rule, Allow, TCP from 10.9.0.0/24 to Storage.EastUS port 443");
    expect(fw.stdout).toContain("+ cassandra-mi-network/tag-azure-resource-manager: network rule, Allow, TCP from 10.9.0.0/24 to AzureResourceManager port 443");
  });

  it("--target route-table gives the routes to remove and add, read by the ARM reader", () => {
    const r = cli(["diff", "2021-09-13", "2021-11-02", "--target", "route-table", ...EASTUS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^route-table: route-table\.json: 1 to remove, 4 to add, 0 to change \(rules\)$/m);
    expect(r.stdout).toContain("- cassandra-storage.eastus: route to Storage.EastUS, next hop Internet");
    expect(r.stdout).toContain("+ cassandra-104.40.0.0-13: route to 104.40.0.0/13, next hop Internet");
  });

  it("--target for a script or text target gives the lines to remove and add", () => {
    const text = cli(["diff", "2021-09-13", "2021-11-02", "--target", "iptables", ...EASTUS]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^iptables: iptables\.sh: \d+ to remove, \d+ to add \(lines\)$/m);
    expect(text.stdout).toMatch(/^\+ -A CMI-EGRESS .*--match-set cmi4-req_microsoft_prefixes dst .*--dport 443 .*-j ACCEPT$/m);
    // The revision stamp in each header is not reported as a change.
    expect(text.stdout).not.toMatch(/^[+-] .*dataset revision/m);
  });

  it("an unknown revision or target is an input error", () => {
    const r = cli(["diff", "2021-08-14", "2021-11-2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown revision "2021-11-2"; did you mean "2021-11-02"?');
    const t = cli(["diff", "2021-08-14", "2021-11-02", "--target", "all"]);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('unknown target "all"');
    // The two revisions are the arguments: --revision would be ignored, so it is refused.
    const rev = cli(["diff", "2021-08-14", "2021-11-02", "--revision", "2021-05-21"]);
    expect(rev.code).toBe(2);
    expect(rev.stderr).toContain("unknown option '--revision'");
  });
});

describe("audit", () => {
  type Report = {
    status: string;
    exitCode: number;
    format: string;
    found: string[];
    summary: { open: number; partlyOpen: number; blocked: number; unknown: number; notAuditable: number; warnings: number };
    subjects: { subject: string; layers: Record<string, string>; requirements: { ruleId: string; status: string; detail: string }[]; findings: { message: string }[] }[];
  };
  const FIX = join(ROOT, "packages/azure/test/fixtures/audit");
  const TAGS = ["--service-tags", SERVICE_TAGS];
  const SUBNET = ["--region", "eastus", "--subnet", "10.10.2.0/24"];
  /** The table's rows of the first subject: rule -> status. */
  const tableRows = (stdout: string): Record<string, string> =>
    Object.fromEntries([...stdout.matchAll(/^([a-z0-9-]+) {2,}(open|partly-open|blocked|unknown|not-auditable) /gm)].map((m) => [m[1] as string, m[2] as string]));

  // The host-name requirements (FQDN only, no service tag): an NSG cannot name them, so its coverage says unsupported.
  const HOST_NAME_ONLY = ["crl", "dsms-global", "dsms-regional", "logging-gcs", "metrics-global", "security-scanner-definitions", "security-scanner-download", "vmss-information"];

  it("an NSG emitted for the same inputs without the final deny (-O nsg.denyInternetOutbound=false): every requirement open, exit 0", () => {
    const file = join(tmp, "nsg-open-internet.json");
    writeFileSync(file, cli(["emit", "nsg", ...EASTUS, "-O", "nsg.denyInternetOutbound=false"]).stdout);
    const r = cli(["audit", file, ...EASTUS, ...TAGS, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report).toMatchObject({ status: "pass", exitCode: 0, format: "arm", found: ["Microsoft.Network/networkSecurityGroups"] });
    expect(report.summary).toEqual({ open: 31, partlyOpen: 0, blocked: 0, unknown: 0, notAuditable: 0, warnings: 0 });
  });

  it("the default NSG alone (final deny to Internet): exactly the host-name requirements are not open, exit 1", () => {
    const file = join(tmp, "nsg.json");
    writeFileSync(file, cli(["emit", "nsg", ...EASTUS]).stdout);
    const coverage = (JSON.parse(cli(["emit", "nsg", ...EASTUS, "--json"]).stdout) as { targets: { coverage: { ruleId: string; status: string }[] }[] }).targets[0]!.coverage;
    expect(coverage.filter((c) => c.status === "unsupported").map((c) => c.ruleId)).toEqual(HOST_NAME_ONLY);
    const r = cli(["audit", file, ...EASTUS, ...TAGS, "--json"]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report).toMatchObject({ status: "fail", exitCode: 1 });
    const notOpen = report.subjects[0]!.requirements.filter((x) => x.status !== "open");
    expect(notOpen.map((x) => x.ruleId).sort()).toEqual(HOST_NAME_ONLY);
    // Their addresses are not known offline, and the NSG allows some public addresses and denies the rest: unknown, not open.
    for (const x of notOpen) expect(x.status, x.ruleId).toBe("unknown");
    expect(report.summary).toEqual({ open: 31 - HOST_NAME_ONLY.length, partlyOpen: 0, blocked: 0, unknown: HOST_NAME_ONLY.length, notAuditable: 0, warnings: 0 });
    const table = cli(["audit", file, ...EASTUS, ...TAGS]);
    expect(table.code).toBe(1);
    expect(Object.entries(tableRows(table.stdout)).filter(([, status]) => status !== "open").map(([id]) => id).sort()).toEqual(HOST_NAME_ONLY);
  });

  it("a broader Deny above the allows: blocked and partly open rows, exit 1; --json's status is the table's on every row", () => {
    const file = join(FIX, "nsg-deny-azurecloud.json");
    const table = cli(["audit", file, ...SUBNET, ...TAGS]);
    expect(table.code, table.stderr).toBe(1);
    expect(table.stderr).toBe("");
    expect(table.stdout).toMatch(/^key-vault +blocked +blocked: service tag AzureKeyVault\.EastUS: 6 of 6 IPv4 prefixes of AzureKeyVault\.EastUS blocked by NSG nsg-coscas outbound rule nsgr-coscas-deny-azurecloud \(100\) Deny, e\.g\. /m);
    expect(table.stdout).toMatch(/^tag-storage +partly-open +partly open: service tag Storage: 494 of 495 IPv4 prefixes of Storage \(4 of them in part\) blocked/m);
    expect(table.stdout).toMatch(/^31 requirement verdicts: \d+ open, \d+ partly open, \d+ blocked, \d+ unknown, 0 not auditable; 0 warnings \(over-broad allows\)$/m);
    expect(table.stdout).toMatch(/^status: fail$/m);
    const json = JSON.parse(cli(["audit", file, ...SUBNET, ...TAGS, "--json"]).stdout) as Report;
    const rows = tableRows(table.stdout);
    expect(Object.keys(rows)).toHaveLength(31);
    expect(Object.fromEntries(json.subjects[0]!.requirements.map((x) => [x.ruleId, x.status]))).toEqual(rows);
    const counted = Object.values(rows);
    expect(json.summary).toMatchObject({ open: counted.filter((x) => x === "open").length, partlyOpen: counted.filter((x) => x === "partly-open").length, blocked: counted.filter((x) => x === "blocked").length, unknown: counted.filter((x) => x === "unknown").length });
  });

  it("the default rules decide: internal ports open through AllowVnetOutBound/AllowVnetInBound, warnings for SSH and HTTP from the Internet", () => {
    const r = cli(["audit", join(FIX, "nsg-docs-ssh-web.json"), ...SUBNET, ...TAGS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^gossip +open +open: between the nodes .*AllowVnetOutBound \(65000\) Allow, NSG myNetworkSecurityGroup inbound rule AllowVnetInBound \(65000\) Allow/m);
    expect(r.stdout).toMatch(/^warn: NSG myNetworkSecurityGroup inbound rule myNetworkSecurityGroupRuleSSH \(1000\) Allow lets traffic in from public addresses on ports 22/m);
    expect(r.stdout).toMatch(/; 2 warnings \(over-broad allows\)$/m);
  });

  it("Allow * -> * in both directions: open, but the warnings are counted, and --fail-on warn makes them fail", () => {
    const file = join(FIX, "nsg-allow-all.json");
    const r = cli(["audit", file, ...SUBNET, ...TAGS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^31 requirement verdicts: 31 open, 0 partly open, 0 blocked, 0 unknown, 0 not auditable; 2 warnings \(over-broad allows\)$/m);
    expect(r.stdout).toMatch(/^warn: NSG nsg-wide-open outbound rule allow-all-out \(100\) Allow opens ports \*/m);
    const strict = cli(["audit", file, ...SUBNET, ...TAGS, "--fail-on", "warn", "--json"]);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout)).toMatchObject({ status: "fail", exitCode: 1, summary: { warnings: 2 } });
  });

  it("nothing to audit: exit 3, naming what the input holds", () => {
    const file = join(FIX, "storage-account-only.json");
    const r = cli(["audit", file, ...SUBNET]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("nothing to audit in");
    expect(r.stderr).toContain("it holds Microsoft.Storage/storageAccounts; expected a network security group, route table, firewall (policy or rule collection group) or subnet");
    expect(JSON.parse(cli(["audit", file, ...SUBNET, "--json"]).stdout)).toMatchObject({ status: "nothing-to-audit", exitCode: 3 });
  });

  it("a real template with its parameters file (the Azure quickstart): the subnet without NSG, every flow open; from stdin too", () => {
    const dir = join(FIX, "cassandra-quickstart");
    const args = ["--parameters", join(dir, "azuredeploy.parameters.json"), "--region", "eastus", ...TAGS, "--json"];
    const r = cli(["audit", join(dir, "azuredeploy.json"), ...args]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.subjects.map((s) => [s.subject, s.layers])).toEqual([["cassandra-vnet1/subnet", { subnet: "cassandra-vnet1/subnet" }]]);
    expect(report.summary.open).toBe(31);
    const piped = cli(["audit", "-", ...args], { input: readFileSync(join(dir, "azuredeploy.json"), "utf8") });
    expect(JSON.parse(piped.stdout)).toEqual(report);
  });

  it("several files are audited together: an NSG and a firewall policy", () => {
    const nsg = join(tmp, "together-nsg.json");
    const fw = join(tmp, "together-fw.json");
    // The NSG lets the host names through to Internet, for the firewall to narrow by name.
    writeFileSync(nsg, cli(["emit", "nsg", ...EASTUS, "--host-names-via-firewall"]).stdout);
    writeFileSync(fw, cli(["emit", "azure-firewall", ...EASTUS]).stdout);
    const r = cli(["audit", nsg, fw, ...EASTUS, ...TAGS, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.subjects.map((s) => s.layers)).toEqual([{ nsg: "nsg-cassandra-mi", firewall: "fwp-cassandra-mi" }]);
    expect(report.status).toBe("pass");
    expect(report.summary).toMatchObject({ open: 31, partlyOpen: 0, blocked: 0, unknown: 0, notAuditable: 0 });
    // Without --host-names-via-firewall the NSG's final deny stops them before the firewall sees them.
    const denied = join(tmp, "together-nsg-default.json");
    writeFileSync(denied, cli(["emit", "nsg", ...EASTUS]).stdout);
    const blocked = cli(["audit", denied, fw, ...EASTUS, ...TAGS, "--json"]);
    expect(blocked.code).toBe(1);
    expect((JSON.parse(blocked.stdout) as Report).subjects[0]!.requirements.filter((x) => x.status !== "open").map((x) => x.ruleId).sort()).toEqual(HOST_NAME_ONLY);
  });

  it("--output sarif validates against the SARIF 2.1.0 schema and carries one result per requirement", () => {
    const ajv = new AjvDraft04({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, "vendor/sarif/sarif-2.1.0-rtm.5.json"), "utf8")) as object);
    for (const fixture of ["nsg-deny-azurecloud.json", "nsg-allow-all.json"]) {
      const r = cli(["audit", join(FIX, fixture), ...SUBNET, ...TAGS, "--output", "sarif"]);
      const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; level: string; kind: string }[]; tool: { driver: { rules: unknown[] } } }[] };
      expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
      const results = sarif.runs[0]!.results;
      expect(results.filter((x) => x.ruleId !== "over-broad-allow")).toHaveLength(31);
      expect(sarif.runs[0]!.tool.driver.rules).toHaveLength(32);
      if (fixture === "nsg-deny-azurecloud.json") expect(results.find((x) => x.ruleId === "key-vault")).toMatchObject({ kind: "fail", level: "error" });
      else expect(results.filter((x) => x.ruleId === "over-broad-allow")).toHaveLength(2);
    }
    // An invalid document is refused: the check can fail.
    expect(validate({ version: "2.1.0", runs: [{ tool: {} }] })).toBe(false);
  });

  it("--output junit is well-formed XML (a real parser) with a test case per requirement, failures for the gaps", () => {
    const r = cli(["audit", join(FIX, "nsg-deny-azurecloud.json"), ...SUBNET, ...TAGS, "--output", "junit"]);
    expect(r.code).toBe(1);
    const parsed = run(PY, ["-c", "import sys, json, xml.etree.ElementTree as ET\nroot = ET.fromstring(sys.stdin.read())\nprint(json.dumps({'tag': root.tag, 'tests': root.get('tests'), 'failures': root.get('failures'), 'cases': [[c.get('name'), [x.tag for x in c]] for c in root.iter('testcase')]}))"], { input: r.stdout });
    expect(parsed.code, parsed.stderr).toBe(0);
    const doc = JSON.parse(parsed.stdout) as { tag: string; tests: string; failures: string; cases: [string, string[]][] };
    expect(doc.tag).toBe("testsuites");
    expect(doc.cases).toHaveLength(31);
    const failed = doc.cases.filter(([, kids]) => kids.includes("failure")).map(([n]) => n);
    expect(failed).toContain("key-vault");
    expect(Number(doc.failures)).toBe(failed.length);
    expect(doc.cases.find(([n]) => n === "gossip")?.[1]).toEqual(["system-out"]);
    // The parser refuses what is not well formed: the check can fail.
    expect(run(PY, ["-c", "import sys, xml.etree.ElementTree as ET\nET.fromstring(sys.stdin.read())"], { input: "<a><b></a>" }).code).not.toBe(0);
  });

  it("a report past the spool's memory (a temporary file): whole through a slow pipe, and a pipe closed early ends it quietly, leaving no file", async () => {
    // 450 NSGs: about 19 MB of JSON, past the 16 Mi characters a spool keeps in memory.
    const { graphExport } = (await import(pathToFileURL(join(ROOT, "scripts/bench/graph-export.mjs")).href)) as { graphExport: (o: { nsgs: number; rulesPerNsg: number }) => string };
    const file = join(tmp, "graph-450.json");
    writeFileSync(file, graphExport({ nsgs: 450, rulesPerNsg: 30 }));
    const spoolDir = join(tmp, "spool-tmp");
    mkdirSync(spoolDir);
    const env = { ...process.env, TMPDIR: spoolDir };
    const args = ["audit", file, "--region", "eastus", ...TAGS, "--json"];
    const whole = await new Promise<{ code: number | null; text: string }>((done) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "ignore"] });
      const chunks: Buffer[] = [];
      // A reader slower than the writer: at the first bytes it stops reading for a second, the pipe fills, the CLI waits on it.
      child.stdout.on("data", (c: Buffer) => {
        if (chunks.length === 0) {
          child.stdout.pause();
          setTimeout(() => child.stdout.resume(), 1000);
        }
        chunks.push(c);
      });
      child.on("close", (code) => done({ code, text: Buffer.concat(chunks).toString("utf8") }));
    });
    expect(whole.code).toBe(1);
    expect(whole.text.length).toBeGreaterThan(16 * 1024 * 1024);
    const report = JSON.parse(whole.text) as Report;
    expect(report.subjects).toHaveLength(450);
    expect(report.exitCode).toBe(1);
    expect(readdirSync(spoolDir)).toEqual([]);
    const closed = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "ignore"] });
      child.stdout.once("data", () => child.stdout.destroy());
      child.on("close", (code) => done(code));
    });
    expect(closed).toBe(0);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it.each([
    ["not JSON", "{ resources: ", "not valid JSON"],
    ["no known shape", JSON.stringify({ hello: "world" }), "not a format this reader knows: expected an ARM template"],
    ["a wrong field", JSON.stringify({ $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "n", properties: { securityRules: [{ name: "a", properties: { priority: "high", direction: "Outbound", access: "Allow", protocol: "Tcp" } }] } }] }), "resources[0].properties.securityRules[0].properties.priority"],
  ])("malformed audit input (%s) is an input error (2) naming the file, the field and the value", (_name, content, piece) => {
    const file = join(tmp, "malformed-audit.json");
    writeFileSync(file, content);
    expectInputError(cli(["audit", file]), `<file> "${file}": `, piece);
  });

  it("usage errors: an unknown --format or --output, --json with --output sarif, a bad --peer, an unreadable file", () => {
    const file = join(FIX, "nsg-allows.json");
    expectInputError(cli(["audit", file, "--format", "yaml"]), "'yaml' is invalid");
    expectInputError(cli(["audit", file, "--output", "html"]), "'html' is invalid");
    expectInputError(cli(["audit", file, "--json", "--output", "sarif"]), "--json and --output sarif");
    expectInputError(cli(["audit", file, "--peer", "10.0.0.5/8"]), "--peer:", "host bits are set");
    const missing = join(tmp, "missing.json");
    expectInputError(cli(["audit", missing]), `<file>: cannot read file "${missing}": ENOENT`);
    // A file past the readers' limit is refused before it is read (a sparse file: no disk is used).
    const big = join(tmp, "big.json");
    writeFileSync(big, "");
    truncateSync(big, 300 * 1024 * 1024);
    expectInputError(cli(["audit", big]), `<file> "${big}": 314572800 bytes, more than the limit of 268435456 characters`);
    rmSync(big);
  });
});

describe("check-source", () => {
  it("the vendored current page matches the dataset (0); an edited copy drifts (1); a missing file is 2", () => {
    const ok = cli(["check-source", PAGE]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^The page \(en, \d+ rows\) matches revision 2021-11-02 \(\d+ rows\)\./);
    const edited = join(tmp, "page.md");
    writeFileSync(edited, readFileSync(PAGE, "utf8").replace("management.azure.com", "management.example.com"));
    const drift = cli(["check-source", edited]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain("management.example.com");
    const badRevision = cli(["check-source", PAGE, "--revision", "2021-11-3"]);
    expect(badRevision.code).toBe(2);
    expect(badRevision.stderr).toContain('--revision: unknown revision "2021-11-3"; did you mean "2021-11-02"?');
    const missing = cli(["check-source", join(tmp, "none.md")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("<page.md>: cannot read file");
  });
});

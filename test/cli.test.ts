/** The built CLI as a process: exit code, stdout and stderr for every command, good and bad inputs. */
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { registry } from "@cassandra-mi-netrules/cli";
import { opaEval, opaReports } from "@cassandra-mi-netrules/testkit/opa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cli, requireBuiltCli, ROOT, run, snapshot, tempDir, tree, type Run } from "./helpers.js";

const TARGETS = registry.names();
const COMMANDS = ["list", "revisions", "regions", "explain", "emit", "diff", "audit", "check-source", "init"];
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
  type Report = { format: string; layers: string[]; deny: string[]; results: { ruleId: string; status: string; detail: string; overBroad: boolean; audited: boolean }[] };

  it("an NSG emitted for the same inputs covers everything it can express: exit 0, empty deny", () => {
    const emitted = cli(["emit", "nsg", ...EASTUS]);
    const file = join(tmp, "nsg.json");
    writeFileSync(file, emitted.stdout);
    const r = cli(["audit", file, "--format", "arm", ...EASTUS, "--json"]);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.format).toBe("arm");
    expect(report.layers).toEqual(["nsg"]);
    expect(report.results).toHaveLength(31);
    expect(report.deny).toEqual([]);
    expect(r.code).toBe(0);
    // FQDN-only requirements cannot be expressed in an NSG: not audited, never reported as covered.
    const notAudited = report.results.filter((x) => !x.audited).map((x) => x.ruleId);
    expect(notAudited).toContain("security-scanner-definitions");
    expect(report.results.filter((x) => x.audited).every((x) => x.status === "covered")).toBe(true);
  });

  it("an empty NSG misses everything: exit 1, table on stdout; input from stdin", () => {
    const empty = JSON.stringify({ name: "nsg", securityRules: [], defaultSecurityRules: [] });
    const r = cli(["audit", "-", "--format", "az", ...EASTUS], { input: empty });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^gossip +missing /m);
    expect(r.stdout).toMatch(/^0 covered, 0 partly covered, 23 missing, 8 not audited$/m);
    expect(r.stdout).toMatch(/^deny: gossip: missing: nothing allows /m);
  });

  it("every fixture of the bundle the CLI emits, and the CLI's own templates: the same verdicts as the real opa, format detected", () => {
    const bundle = join(tmp, "opa-bundle");
    expect(cli(["emit", "opa", ...EASTUS, "--out", bundle]).code).toBe(0);
    const fixtures = tree(join(bundle, "cassandra_mi/fixtures"))
      .map((f) => ({
        name: f,
        key: f.slice(0, f.indexOf("/")),
        data: JSON.parse(readFileSync(join(bundle, "cassandra_mi/fixtures", f), "utf8")) as { document?: string; input?: unknown; base?: string; patch?: unknown; expect: { format: string; deny: string[] } },
      }))
      .filter((f) => f.data.document === undefined); // the others audit a synthetic document, compared in emit-opa's differential test
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
    // Variants ship as a JSON Patch of their base fixture: opa applies it, as the bundle's own tests do.
    const patched = opaEval(bundle, "{k: json.patch(data.cassandra_mi.fixtures[f.base].input, f.patch) | some k, f in data.cassandra_mi.fixtures; f.base}", {}) as Record<string, unknown>;
    expect(fixtures.filter((f) => f.data.base !== undefined).length).toBeGreaterThan(0);
    const inputs: Record<string, unknown> = Object.fromEntries(fixtures.map((f) => [f.name, f.data.input ?? patched[f.key]]));
    for (const [name, input] of Object.entries(inputs)) expect(input, name).toBeDefined();
    for (const t of ["nsg", "azure-firewall"]) inputs[`emitted ${t}`] = JSON.parse(cli(["emit", t, ...EASTUS]).stdout);
    const opa = opaReports(bundle, inputs) as Record<string, { format: string; deny: string[]; requirements: Record<string, { status: string; detail: string; overBroad: boolean; audited: boolean }> }>;
    expect(Object.keys(opa).sort()).toEqual(Object.keys(inputs).sort());
    const formats = new Set<string>();
    let verdicts = 0;
    for (const [name, input] of Object.entries(inputs)) {
      const file = join(tmp, "audit-input.json");
      writeFileSync(file, JSON.stringify(input));
      const r = cli(["audit", file, ...EASTUS, "--json"]);
      const report = JSON.parse(r.stdout) as Report;
      const fromOpa = opa[name]!;
      expect(report.format, name).toBe(fromOpa.format);
      expect(report.deny, name).toEqual([...fromOpa.deny].sort());
      expect(Object.fromEntries(report.results.map(({ ruleId, ...v }) => [ruleId, v])), name).toEqual(fromOpa.requirements);
      expect(r.code, name).toBe(report.deny.length > 0 ? 1 : 0);
      const fixture = fixtures.find((f) => f.name === name);
      if (fixture) expect(report.deny.map((d) => d.slice(0, d.indexOf(":")))).toEqual(fixture.data.expect.deny);
      formats.add(report.format);
      verdicts += report.results.length;
    }
    expect([...formats].sort()).toEqual(["arm", "az", "tfplan"]);
    expect(verdicts).toBe(31 * Object.keys(inputs).length);
  });

  it("--format reads the input as that format; the wrong one is an input error naming the field", () => {
    const file = join(tmp, "az.json");
    writeFileSync(file, JSON.stringify({ name: "nsg", securityRules: [] }));
    expect((JSON.parse(cli(["audit", file, "--format", "az", "--json"]).stdout) as Report).format).toBe("az");
    expectInputError(cli(["audit", file, "--format", "tfplan"]), `<file> "${file}": planned_values: expected an object, got undefined`);
    expectInputError(cli(["audit", file, "--format", "yaml"]), "'yaml' is invalid");
  });

  it.each([
    ["not JSON", "{ resources: ", "not valid JSON"],
    ["no known shape", JSON.stringify({ hello: "world" }), "(input): expected an ARM template (resources), a Terraform plan (planned_values) or az JSON"],
    ["a wrong field", JSON.stringify({ resources: [{ type: "Microsoft.Network/networkSecurityGroups", name: "n", properties: { securityRules: [{ name: "a", properties: { priority: "100" } }] } }] }), 'resources[0].properties.securityRules[0].properties.priority: expected a number, got "100"'],
    ["nothing to audit", JSON.stringify({ resources: [{ type: "Microsoft.Storage/storageAccounts", name: "s" }] }), "read as arm, it holds no network security group, security rule or firewall policy rule collection group: nothing to audit"],
  ])("malformed audit input (%s) is an input error (2) naming the file, the field and the value", (_name, content, piece) => {
    const file = join(tmp, "malformed-audit.json");
    writeFileSync(file, content);
    expectInputError(cli(["audit", file]), `<file> "${file}": ${piece}`);
  });

  it("an unreadable audit input is an input error naming the file", () => {
    const missing = join(tmp, "missing.json");
    expectInputError(cli(["audit", missing]), `<file>: cannot read file "${missing}": ENOENT`);
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

/** The built CLI as a process: exit code, stdout and stderr for every command, good and bad inputs. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, requireBuiltCli, ROOT, tempDir } from "./helpers.js";

const TARGETS = ["azure-firewall", "iptables", "markdown", "nftables", "nsg", "opa"];
const COMMANDS = ["list", "revisions", "regions", "explain", "emit", "diff", "audit", "check-source"];
const SERVICE_TAGS = join(ROOT, "vendor/service-tags/ServiceTags_Public_20251028.json");
const PAGE = join(ROOT, "vendor/pages/network-rules.en.2021-11-02.current.md");
let tmp = "";

beforeAll(() => {
  requireBuiltCli();
  tmp = tempDir("cli");
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Every file below `dir`, relative, sorted. */
function tree(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tree(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
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
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, "m"));
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
    expect(r.stdout).toMatch(/^revision 2021-11-02 \(GA, ga\), 31 requirements; regions: eastus/);
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
    const r = cli(["explain", "storage-control-plane", "--region", "eastus", "--subnet", "10.9.0.0/24"]);
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
    expect(fr.stdout).toMatch(/^purpose: .*nœuds/m);
    const j = JSON.parse(cli(["explain", "key-vault", "--json", "--region", "eastus", "--subnet", "10.9.0.0/24"]).stdout) as { targets: { target: string; coverage: { ruleId: string } | null }[] };
    expect(j.targets.map((t) => t.target)).toEqual(TARGETS);
    expect(j.targets.every((t) => t.coverage?.ruleId === "key-vault")).toBe(true);
    const old = cli(["explain", "tag-storage-regional"]);
    expect(old.code).toBe(0);
    expect(old.stdout).toContain("not in revision 2021-11-02 (listed in 2021-08-14, 2021-09-13)");
  });

  it("an unknown id is an input error with a suggestion", () => {
    const r = cli(["explain", "gosip"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('<id>: unknown requirement "gosip"; did you mean "gossip"?');
  });
});

describe("emit", () => {
  it("a single-file target goes to stdout, the coverage table to stderr", () => {
    const r = cli(["emit", "nsg", "--region", "eastus", "--subnet", "10.9.0.0/24"]);
    expect(r.code).toBe(0);
    const template = JSON.parse(r.stdout) as { $schema: string; resources: unknown[] };
    expect(template.$schema).toContain("deploymentTemplate.json");
    expect(r.stderr).toMatch(/^target +rule +status +how \/ why$/m);
    // One coverage line per resolved rule: nothing dropped silently.
    expect(r.stderr.split("\n").filter((l) => l.startsWith("nsg "))).toHaveLength(31);
  });

  it("emit all --out writes every target's files; --json reports them; the output is deterministic", () => {
    const out = join(tmp, "all");
    const r = cli(["emit", "all", "--region", "eastus", "--subnet", "10.9.0.0/24", "--out", out]);
    expect(r.code).toBe(0);
    const files = tree(out);
    for (const t of TARGETS) expect(files.some((f) => f.startsWith(`${t}/`))).toBe(true);
    expect(files.some((f) => f.includes(".cassandra-mi-netrules-tmp"))).toBe(false);
    for (const f of files) expect(r.stderr).toContain(`wrote ${join(out, f)}`);
    const again = cli(["emit", "all", "--region", "eastus", "--subnet", "10.9.0.0/24", "--json"]);
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

  it("--service-tags attaches prefixes from the vendored file", () => {
    type Report = { targets: { coverage: { ruleId: string; status: string }[] }[] };
    const status = (r: { stdout: string }) => (JSON.parse(r.stdout) as Report).targets[0]?.coverage.find((c) => c.ruleId === "tag-storage")?.status;
    const args = ["emit", "iptables", "--region", "eastus", "--subnet", "10.9.0.0/24", "--json"];
    const without = cli(args);
    const withTags = cli([...args, "--service-tags", SERVICE_TAGS]);
    expect(without.code).toBe(0);
    expect(withTags.code).toBe(0);
    expect(status(without)).toBe("unsupported");
    expect(status(withTags)).toBe("enforced");
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
    const r = cli(["emit", "all", "--region", "eastus", "--subnet", "10.9.0.0/24"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/all produces \d+ files .*pass --out DIR/);
  });

  it("bad inputs: unknown target, unknown region, bad subnet, bad feature, bad option value", () => {
    const target = cli(["emit", "nsgg", "--region", "eastus"]);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain('<target>: unknown target "nsgg"; did you mean "nsg"?');
    const region = cli(["emit", "nsg", "--region", "westeurop"]);
    expect(region.code).toBe(2);
    expect(region.stderr).toContain('--region: unknown region "westeurop"; did you mean "westeurope"?');
    const subnet = cli(["emit", "nsg", "--region", "eastus", "--subnet", "10.0.0.0/33"]);
    expect(subnet.code).toBe(2);
    expect(subnet.stderr).toContain("--subnet:");
    expect(subnet.stderr).toContain('"10.0.0.0/33"');
    const feature = cli(["emit", "nsg", "--feature", "backup=maybe"]);
    expect(feature.code).toBe(2);
    expect(feature.stderr).toContain('--feature: backup: expected on or off (value: "maybe")');
    const prio = cli(["emit", "nsg", "--nsg-priority-start", "ten"]);
    expect(prio.code).toBe(2);
    expect(prio.stderr).toContain('--nsg-priority-start: expected an integer (value: "ten")');
    const mode = cli(["emit", "iptables", "--mode", "router"]);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain("'router' is invalid");
    for (const r of [target, region, subnet, feature, prio, mode]) expect(r.stdout).toBe("");
  });

  it("unreadable, malformed and invalid service-tags files name the file, field and value", () => {
    const missing = join(tmp, "nope.json");
    const r1 = cli(["emit", "nsg", "--region", "eastus", "--service-tags", missing]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(`--service-tags: cannot read file "${missing}"`);
    expect(r1.stderr).toContain("ENOENT");
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, "{ not json");
    const r2 = cli(["emit", "nsg", "--region", "eastus", "--service-tags", bad]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`--service-tags: ${bad}: (root): not valid JSON`);
    const wrong = join(tmp, "wrong.json");
    writeFileSync(wrong, JSON.stringify({ changeNumber: 1, cloud: "Public", values: [{ name: "Storage", id: "Storage", properties: { changeNumber: 1, addressPrefixes: ["10.0.0.0/99"] } }] }));
    const r3 = cli(["emit", "nsg", "--region", "eastus", "--service-tags", wrong]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain(`--service-tags: ${wrong}: values[0]`);
    for (const r of [r1, r2, r3]) expect(r.stdout).toBe("");
  });

  it("an unwritable --out fails with 2 and leaves nothing half-written", () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "x");
    const r = cli(["emit", "all", "--region", "eastus", "--subnet", "10.9.0.0/24", "--out", join(file, "sub")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--out: cannot write "${join(file, "sub")}"`);
    expect(r.stderr).toContain("ENOTDIR");
    // A target path taken by a directory: the rename fails; no staging directory stays behind.
    const out = join(tmp, "blocked");
    mkdirSync(join(out, "nsg.json", "taken"), { recursive: true });
    const r2 = cli(["emit", "nsg", "--region", "eastus", "--out", out]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("--out: cannot write");
    expect(readdirSync(out).filter((f) => f.startsWith(".cassandra-mi-netrules-tmp"))).toEqual([]);
  });
});

describe("diff", () => {
  it("lists requirements added, removed and changed between revisions", () => {
    const r = cli(["diff", "2021-08-14", "2021-11-02"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^requirements from 2021-08-14 to 2021-11-02: 10 added, 1 removed, \d+ changed$/m);
    expect(r.stdout).toContain("+ microsoft-prefixes");
    expect(r.stdout).toContain("- tag-storage-regional");
  });

  it("--target gives the concrete rules to add and remove", () => {
    const r = cli(["diff", "2021-09-13", "2021-11-02", "--target", "nsg", "--region", "eastus", "--json"]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { added: string[]; removed: string[]; target: { target: string; coverage: { ruleId: string; before: unknown; after: unknown }[]; files: { added: string[]; removed: string[] }[] } };
    expect(d.added).toEqual(["microsoft-prefixes", "tag-azure-front-door-first-party", "tag-azure-resource-manager"]);
    expect(d.removed).toEqual(["tag-storage-regional"]);
    expect(d.target.target).toBe("nsg");
    expect(d.target.coverage.find((c) => c.ruleId === "tag-storage-regional")?.after).toBeNull();
    expect(d.target.coverage.find((c) => c.ruleId === "microsoft-prefixes")?.before).toBeNull();
    expect(d.target.files.some((f) => f.added.length > 0 && f.removed.length > 0)).toBe(true);
    const text = cli(["diff", "2021-09-13", "2021-11-02", "--target", "iptables", "--region", "eastus", "--subnet", "10.9.0.0/24"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^iptables: .+: \d+ lines to remove, \d+ to add$/m);
  });

  it("an unknown revision or target is an input error", () => {
    const r = cli(["diff", "2021-08-14", "2021-11-2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown revision "2021-11-2"; did you mean "2021-11-02"?');
    const t = cli(["diff", "2021-08-14", "2021-11-02", "--target", "all"]);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('unknown target "all"');
  });
});

describe("audit", () => {
  it("an NSG emitted for the same inputs covers everything it can express: exit 0, empty deny", () => {
    const emitted = cli(["emit", "nsg", "--region", "eastus", "--subnet", "10.9.0.0/24"]);
    const file = join(tmp, "nsg.json");
    writeFileSync(file, emitted.stdout);
    const r = cli(["audit", file, "--format", "arm", "--region", "eastus", "--subnet", "10.9.0.0/24", "--json"]);
    const report = JSON.parse(r.stdout) as { format: string; deny: string[]; results: { ruleId: string; status: string; audited: boolean }[] };
    expect(report.format).toBe("arm");
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
    const r = cli(["audit", "-", "--format", "az", "--region", "eastus", "--subnet", "10.9.0.0/24"], { input: empty });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^gossip +missing /m);
    expect(r.stdout).toMatch(/\d+ covered, \d+ partly covered, [1-9]\d* missing, \d+ not audited/);
  });

  it("malformed audit input is an input error naming the file", () => {
    const bad = join(tmp, "bad-audit.json");
    writeFileSync(bad, "{ resources: ");
    const r = cli(["audit", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`<file> "${bad}": not valid JSON`);
    const odd = join(tmp, "odd-audit.json");
    writeFileSync(odd, JSON.stringify({ hello: "world" }));
    const r2 = cli(["audit", odd, "--format", "tfplan"]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`<file> "${odd}":`);
    const r3 = cli(["audit", join(tmp, "missing.json")]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain("<file>: cannot read file");
    const r4 = cli(["audit", bad, "--format", "yaml"]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain("'yaml' is invalid");
  });
});

describe("check-source", () => {
  it("the vendored current page matches the dataset (0); an edited copy drifts (1); a missing file is 2", () => {
    const ok = cli(["check-source", PAGE]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.length).toBeGreaterThan(0);
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

/**
 * The README's two commands: the quick start (run here exactly as `npm run quickstart` runs it, after the
 * build) and the CI command (what `.ci/run` runs). The committed example artifacts must not drift from
 * what the CLI generates.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, requireBuiltCli, ROOT, run, snapshot, tempDir, tree } from "./helpers.js";

const TARGETS = ["azure-firewall", "iptables", "markdown", "nftables", "nsg", "opa", "route-table", "terraform"];
const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
let tmp = "";

/** What the CLI just wrote into `dir` equals the committed examples/artifacts/<region>, file for file and byte for byte. */
function expectNoDrift(dir: string, region: string): void {
  const hint = "examples/artifacts drifted from the CLI: run `npm run build && npm run examples:artifacts` and review the diff";
  const example = join(ROOT, "examples/artifacts", region);
  for (const t of TARGETS) expect(tree(dir).some((f) => f.startsWith(`${t}/`)), t).toBe(true);
  expect(tree(dir), hint).toEqual(tree(example));
  const written = snapshot(dir);
  const committed = snapshot(example);
  for (const f of Object.keys(written)) expect(written[f], `${f}: ${hint}`).toBe(committed[f]);
}

beforeAll(() => {
  requireBuiltCli();
  tmp = tempDir("quickstart");
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("README commands", () => {
  it("README's first command is the quick start, its second exactly what .ci/run runs", () => {
    const ciRun = readFileSync(join(ROOT, ".ci/run"), "utf8").trim().split("\n").at(-1) ?? "";
    expect(ciRun).toBe("npm ci && npm run ci");
    const blocks = [...readme.matchAll(/```sh\n([^`]*?)\n```/g)].map((m) => m[1]);
    expect(blocks[0]).toBe("npm ci && npm run quickstart");
    expect(blocks[1]).toBe(ciRun);
    expect(scripts.ci).toMatch(/npm run build && .*npm run lint:pkg && npm run semver-guard && npm run test:ci/);
  });

  it("the quick start writes every target's artifacts for the default region, equal to examples/artifacts/eastus", () => {
    const [build, ...rest] = (scripts.quickstart ?? "").split(" && ");
    expect(build).toBe("npm run build");
    const emit = rest.join(" && ");
    expect(emit).toBe("node packages/cli/dist/bin.js emit all --region eastus --subnet 10.9.0.0/24 --out artifacts/eastus --clean");
    // Same relative paths, run in a scratch directory so the repository stays clean.
    const work = join(tmp, "clone");
    mkdirSync(work);
    symlinkSync(join(ROOT, "packages"), join(work, "packages"));
    symlinkSync(join(ROOT, "node_modules"), join(work, "node_modules"));
    const r = run("sh", ["-c", emit], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expectNoDrift(join(work, "artifacts/eastus"), "eastus");
  });

  it("examples/artifacts/westeurope has not drifted from the CLI", () => {
    expect(scripts["examples:artifacts"]).toContain("--region westeurope --subnet 10.9.0.0/24 --out examples/artifacts/westeurope");
    const out = join(tmp, "westeurope");
    const r = cli(["emit", "all", "--region", "westeurope", "--subnet", "10.9.0.0/24", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expectNoDrift(out, "westeurope");
  });
});

describe("documentation", () => {
  it("README, the CLI README and the consumer README pass markdownlint", () => {
    const files = ["README.md", "packages/cli/README.md", "examples/consumer/README.md"];
    const r = run(process.execPath, [join(ROOT, "node_modules/markdownlint-cli2/markdownlint-cli2-bin.mjs"), "--no-globs", ...files], { cwd: ROOT });
    expect(r.stdout + r.stderr).toContain(`Linting: ${files.length} file(s)`);
    expect(r.stdout + r.stderr).toContain("Summary: 0 error(s)");
    expect(r.code).toBe(0);
  });

  it("README has a limits section for every emitter and documents every CLI command", () => {
    for (const t of TARGETS) {
      expect(readme).toContain(`<!-- section:emit-${t} -->`);
      expect(readme).toContain(`<!-- /section:emit-${t} -->`);
    }
    const cliSection = readme.slice(readme.indexOf("## The command line"), readme.indexOf("## The library"));
    const rows = cliSection.split("\n").filter((l) => l.startsWith("| `"));
    for (const c of ["list", "revisions", "regions", "explain", "emit", "diff", "audit", "check-source"]) {
      expect(rows.some((row) => new RegExp(`\`${c}[\` ]`).test(row.split(" | ")[0] ?? "")), c).toBe(true);
    }
    expect(readme).toContain("## Data semver policy");
    expect(readme).toContain("## Pinning a version");
  });
});

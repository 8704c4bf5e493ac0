/**
 * The README's two commands: the quick start (run here exactly as `npm run quickstart` runs it, after the
 * build) and the CI command (what `.ci/run` runs). The committed example artifacts must not drift from
 * what the CLI generates.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, requireBuiltCli, ROOT, run, tempDir } from "./helpers.js";

const TARGETS = ["azure-firewall", "iptables", "markdown", "nftables", "nsg", "opa"];
const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
let tmp = "";

function tree(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tree(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
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
    expect(emit).toBe("node packages/cli/dist/bin.js emit all --region eastus --subnet 10.9.0.0/24 --out artifacts/eastus");
    // Same relative paths, run in a scratch directory so the repository stays clean.
    const work = join(tmp, "clone");
    mkdirSync(work);
    symlinkSync(join(ROOT, "packages"), join(work, "packages"));
    symlinkSync(join(ROOT, "node_modules"), join(work, "node_modules"));
    const r = run("sh", ["-c", emit], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    const written = tree(join(work, "artifacts/eastus"));
    for (const t of TARGETS) expect(written.some((f) => f.startsWith(`${t}/`)), t).toBe(true);
    const example = join(ROOT, "examples/artifacts/eastus");
    const hint = "examples/artifacts drifted from the CLI: run `npm run build && npm run examples:artifacts` and review the diff";
    expect(written, hint).toEqual(tree(example));
    for (const f of written) expect(readFileSync(join(work, "artifacts/eastus", f), "utf8"), `${f}: ${hint}`).toBe(readFileSync(join(example, f), "utf8"));
  });

  it("examples/artifacts/westeurope has not drifted from the CLI", () => {
    const out = join(tmp, "westeurope");
    const r = cli(["emit", "all", "--region", "westeurope", "--subnet", "10.9.0.0/24", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const example = join(ROOT, "examples/artifacts/westeurope");
    const written = tree(out);
    const hint = "examples/artifacts drifted from the CLI: run `npm run build && npm run examples:artifacts` and review the diff";
    expect(written, hint).toEqual(tree(example));
    for (const f of written) expect(readFileSync(join(out, f), "utf8"), `${f}: ${hint}`).toBe(readFileSync(join(example, f), "utf8"));
    expect(scripts["examples:artifacts"]).toContain("--region westeurope --subnet 10.9.0.0/24 --out examples/artifacts/westeurope");
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
    for (const c of ["list", "revisions", "regions", "explain", "emit", "diff", "audit", "check-source"]) expect(readme).toContain(`\`${c}`);
    expect(readme).toContain("## Data semver policy");
    expect(readme).toContain("## Pinning a version");
  });
});

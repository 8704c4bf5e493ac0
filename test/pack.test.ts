/**
 * Release engineering: `npm pack` every publishable package, install the tarballs into a fresh project
 * outside the workspace (external dependencies from the npm cache, or the registry when missing there), then run the CLI and the ESM, CJS and TypeScript
 * imports from there.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuiltCli, ROOT, run, tempDir, tree } from "./helpers.js";

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

const publishable: Manifest[] = readdirSync(join(ROOT, "packages"))
  .map((d) => join(ROOT, "packages", d, "package.json"))
  .filter((p) => existsSync(p))
  .map((p) => JSON.parse(readFileSync(p, "utf8")) as Manifest)
  .filter((m) => !m.private)
  .sort((a, b) => (a.name < b.name ? -1 : 1));

let dir = "";
let tarballs: string[] = [];

beforeAll(() => {
  requireBuiltCli();
  dir = tempDir("consumer");
  const pack = run("npm", ["pack", "--json", "--pack-destination", dir, ...publishable.flatMap((m) => ["-w", m.name])], { cwd: ROOT });
  expect(pack.code, pack.stderr).toBe(0);
  tarballs = (JSON.parse(pack.stdout) as { filename: string }[]).map((t) => t.filename).sort();
  const template = join(ROOT, "examples/consumer/template");
  const manifest = JSON.parse(readFileSync(join(template, "package.json.tmpl"), "utf8")) as Manifest;
  // The template pins exact versions; they must be the versions being packed.
  for (const m of publishable) expect(manifest.dependencies?.[m.name], m.name).toBe(m.version);
  for (const f of ["index.mjs", "index.cjs", "index.ts", "index.cts", "tsconfig.json"]) copyFileSync(join(template, f), join(dir, f));
  // Not published yet: the pinned versions come from the tarballs.
  manifest.dependencies = Object.fromEntries(publishable.map((m) => [m.name, `file:./${tarballs.find((t) => t.startsWith(m.name.replace("@", "").replace("/", "-")))}`]));
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"], {
    cwd: dir,
    env: { ...process.env, npm_config_workspaces: "false" },
  });
  expect(install.code, install.stderr).toBe(0);
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("npm pack and a fresh consumer", () => {
  it("packs every publishable package with only dist, README and the manifest", () => {
    expect(tarballs).toHaveLength(publishable.length);
    expect(publishable.map((m) => m.name)).toContain("@cassandra-mi-netrules/cli");
    for (const m of publishable) {
      const installed = JSON.parse(readFileSync(join(dir, "node_modules", m.name, "package.json"), "utf8")) as Manifest;
      expect(installed.version).toBe(m.version);
      const files = readdirSync(join(dir, "node_modules", m.name)).sort();
      expect(files.filter((f) => !["dist", "README.md", "package.json", "LICENSE"].includes(f))).toEqual([]);
    }
    // No way back into the workspace: the consumer lives outside it and has its own node_modules.
    expect(dir.startsWith(ROOT)).toBe(false);
  });

  it("runs the installed CLI", () => {
    const bin = join(dir, "node_modules/.bin/cassandra-mi-netrules");
    const v = run(bin, ["--version"], { cwd: dir });
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(publishable.find((m) => m.name === "@cassandra-mi-netrules/cli")?.version);
    const nsg = run(bin, ["emit", "nsg", "--region", "eastus", "--subnet", "10.9.0.0/24"], { cwd: dir });
    expect(nsg.code, nsg.stderr).toBe(0);
    expect((JSON.parse(nsg.stdout) as { $schema: string }).$schema).toContain("deploymentTemplate");
    const bad = run(bin, ["emit", "nsg", "--region", "eastuss"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('did you mean "eastus"?');
    // The consumer's own script: every target written by the installed bin (templates and all come from the tarballs).
    const artifacts = run("npm", ["run", "--silent", "artifacts"], { cwd: dir, env: { ...process.env, npm_config_workspaces: "false" } });
    expect(artifacts.code, artifacts.stderr).toBe(0);
    const written = tree(join(dir, "artifacts/eastus"));
    for (const t of ["azure-firewall", "iptables", "markdown", "nftables", "nsg", "opa", "terraform"]) expect(written.some((f) => f.startsWith(`${t}/`)), t).toBe(true);
    expect(artifacts.stderr).toContain(`wrote ${join("artifacts/eastus", "nsg/nsg.json")}`);
  });

  it("imports from ESM and CJS and gets the same data", () => {
    const esm = run(process.execPath, ["index.mjs"], { cwd: dir });
    const cjs = run(process.execPath, ["index.cjs"], { cwd: dir });
    expect(esm.code, esm.stderr).toBe(0);
    expect(cjs.code, cjs.stderr).toBe(0);
    const a = JSON.parse(esm.stdout) as { format: string; requirements: number; emitters: Record<string, { coverage: number }> };
    const b = JSON.parse(cjs.stdout) as typeof a;
    expect(a.format).toBe("esm");
    expect(b.format).toBe("cjs");
    expect(a.requirements).toBe(31);
    expect(Object.keys(a.emitters).sort()).toEqual(["azure-firewall", "iptables", "markdown", "nftables", "nsg", "opa", "route-table", "terraform"]);
    for (const e of Object.values(a.emitters)) expect(e.coverage).toBe(31);
    expect({ ...b, format: "esm" }).toEqual(a);
  });

  it("type-checks a TypeScript consumer (ESM and CJS, nodenext) against the published .d.ts", () => {
    const tsc = run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: dir });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);
  });
});

/**
 * The committed OPA artifact (examples/artifacts/eastus/opa) run as policy users run it: with conftest,
 * the version `npm run setup` installs (github.com/open-policy-agent/conftest v0.71.1, read from the
 * binary with `go version -m`, since a go-installed conftest reports "dev"). conftest's failures are the
 * policy's `deny` and its warnings the policy's `warn`, message for message, and its exit code says
 * whether anything failed.
 */
import { opaReport } from "@cassandra-mi-netrules/testkit/opa";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { OpaReport } from "./helpers.js";

const CONFTEST_MODULE = "v0.71.1";
const root = fileURLToPath(new URL("../../../", import.meta.url));
const artifact = `${root}examples/artifacts/eastus/opa`;
const fixture = (path: string): string => `${root}${path}`;

interface ConftestResult {
  readonly filename: string;
  readonly namespace: string;
  readonly failures?: readonly { readonly msg: string }[] | null;
  readonly warnings?: readonly { readonly msg: string }[] | null;
}

function conftest(file: string): { status: number | null; results: ConftestResult[]; stderr: string } {
  const run = spawnSync("conftest", ["test", file, "-p", "policy", "-d", "data.json", "--namespace", "cassandra_mi.network", "--output", "json", "--no-color"], { cwd: artifact, encoding: "utf8" });
  if (run.error) throw new Error(`conftest could not run (npm run setup installs it): ${run.error.message}`);
  return { status: run.status, results: JSON.parse(run.stdout) as ConftestResult[], stderr: run.stderr };
}

const messages = (xs: readonly { readonly msg: string }[] | null | undefined): string[] => (xs ?? []).map((x) => x.msg).sort();

describe("conftest runs the OPA artifact", () => {
  it(`is the version setup installs (${CONFTEST_MODULE})`, () => {
    const which = spawnSync("sh", ["-c", "command -v conftest"], { encoding: "utf8" }).stdout.trim();
    expect(which, "conftest on PATH (npm run setup installs it)").not.toBe("");
    const info = spawnSync("go", ["version", "-m", which], { encoding: "utf8" }).stdout;
    expect(info).toMatch(new RegExp(`^\\s+mod\\s+github\\.com/open-policy-agent/conftest\\s+${CONFTEST_MODULE.replace(/\./g, "\\.")}\\s`, "m"));
  });

  it.each([
    ["the NSG artifact alone: host names it cannot decide fail as unknown", "examples/artifacts/eastus/nsg/nsg.json", 1],
    ["the firewall policy artifact alone: every outbound flow open, nothing fails", "examples/artifacts/eastus/azure-firewall/firewall-policy.json", 0],
    ["an az NSG with a Deny above its allows and an allow to Internet: failures and warnings", "packages/emit-opa/test/fixtures/az-nsg-show.json", 1],
  ])("%s", (_what, path, exit) => {
    const file = fixture(path);
    const run = conftest(file);
    expect(run.results).toHaveLength(1);
    const [result] = run.results as [ConftestResult];
    expect(result.namespace).toBe("cassandra_mi.network");
    const report = opaReport(artifact, JSON.parse(readFileSync(file, "utf8"))) as OpaReport;
    expect(messages(result.failures)).toEqual([...report.deny].sort());
    expect(messages(result.warnings)).toEqual([...report.warn].sort());
    expect(run.status, run.stderr).toBe(exit);
    expect(messages(result.failures).length > 0).toBe(exit === 1);
  });

  it("the az NSG's failures name the blocking rule, and its warnings the over-broad allow", () => {
    const [result] = conftest(fixture("packages/emit-opa/test/fixtures/az-nsg-show.json")).results as [ConftestResult];
    expect(messages(result.failures)).toContain("tag-storage: blocked: service tag Storage.EastUS: tcp/443 to Storage.EastUS blocked by NSG nsg-cassandra outbound rule DenyStorage (90) Deny");
    expect(messages(result.warnings).some((w) => w.startsWith("NSG nsg-cassandra outbound rule AllowHttpsOut (100) Allow opens destinations Internet"))).toBe(true);
  });
});

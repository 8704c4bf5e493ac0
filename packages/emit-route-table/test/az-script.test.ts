/**
 * The `az` script: shellcheck on every golden script, and the script run by bash against a stand-in `az`
 * (Azure is not reachable from the tests) that keeps the route table's state on disk and records every
 * call, so the test sees what the script asks of `az`: each route put once, updated on a second run,
 * every value passed as one argument.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { emitRouteTable, type RouteTableOptions } from "@cassandra-mi-netrules/emit-route-table";
import { afterAll, describe, expect, it } from "vitest";

const golden = new URL("./__golden__/", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "cmn-route-table-az-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The stand-in: state in $AZ_STATE (table, routes/<name> = "<prefix> <hop>"), every call's arguments one per line in $AZ_STATE/calls. */
const AZ_STUB = `#!/usr/bin/env bash
set -euo pipefail
{ printf 'call'; printf '\\t%s' "$@"; printf '\\n'; } >> "$AZ_STATE/calls"
args=("$@")
get() { local i; for ((i = 0; i < \${#args[@]}; i++)); do if [[ "\${args[$i]}" == "$1" ]]; then printf '%s' "\${args[$((i + 1))]}"; return; fi; done; }
case "$1 $2 $3 \${4:-}" in
  "network route-table show "*) [[ -e "$AZ_STATE/table" ]] || { echo "ERROR: (ResourceNotFound)" >&2; exit 3; } ;;
  "network route-table create "* | "network route-table update "*) printf '%s' "$(get --disable-bgp-route-propagation)" > "$AZ_STATE/table" ;;
  "network route-table route show") [[ -e "$AZ_STATE/routes/$(get --name)" ]] || exit 3 ;;
  "network route-table route create" | "network route-table route update")
    mkdir -p "$AZ_STATE/routes"
    printf '%s %s\\n' "$(get --address-prefix)" "$(get --next-hop-type)" > "$AZ_STATE/routes/$(get --name)" ;;
  *) echo "unexpected az call: $*" >&2; exit 9 ;;
esac
`;

function setup(name: string, options: RouteTableOptions): { dir: string; script: string; state: string } {
  const dir = join(work, name);
  const state = join(dir, "state");
  mkdirSync(join(dir, "bin"), { recursive: true });
  mkdirSync(state);
  writeFileSync(join(dir, "bin", "az"), AZ_STUB);
  chmodSync(join(dir, "bin", "az"), 0o755);
  const script = emitRouteTable(resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" }), options).files.find((f) => f.path === "route-table.sh")?.content ?? "";
  writeFileSync(join(dir, "route-table.sh"), script);
  return { dir, script: join(dir, "route-table.sh"), state };
}

function run(dir: string, script: string, state: string, env: Record<string, string>) {
  const r = spawnSync("bash", [script], { env: { PATH: `${join(dir, "bin")}:/usr/bin:/bin`, AZ_STATE: state, ...env }, encoding: "utf8" });
  return { code: r.status, stderr: r.stderr };
}

function calls(state: string): string[][] {
  return existsSync(join(state, "calls"))
    ? readFileSync(join(state, "calls"), "utf8")
        .trim()
        .split("\n")
        .map((l) => l.split("\t").slice(1))
    : [];
}

const verbs = (cs: string[][]) => cs.map((c) => c.slice(0, c[2] === "route" ? 4 : 3).join(" "));
const routesIn = (state: string) => Object.fromEntries(readdirSync(join(state, "routes")).map((f) => [f, readFileSync(join(state, "routes", f), "utf8").trim()]));

describe("route-table.sh", () => {
  it("every golden script passes shellcheck and bash -n", () => {
    const scripts = readdirSync(golden).filter((f) => f.endsWith(".sh"));
    expect(scripts.length).toBeGreaterThanOrEqual(5);
    const sc = spawnSync("shellcheck", ["--shell=bash", ...scripts.map((s) => join(golden, s))], { encoding: "utf8" });
    expect(sc.stdout + sc.stderr).toBe("");
    expect(sc.status).toBe(0);
    for (const s of scripts) expect(spawnSync("bash", ["-n", join(golden, s)]).status, s).toBe(0);
  });

  it("creates the table and each route once; a second run updates them and creates nothing", () => {
    const { dir, script, state } = setup("create", {});
    expect(run(dir, script, state, { RESOURCE_GROUP: "rg-cassandra" })).toEqual({ code: 0, stderr: "" });
    const first = verbs(calls(state));
    expect(first.filter((v) => v === "network route-table create")).toHaveLength(1);
    expect(first.filter((v) => v === "network route-table route create")).toHaveLength(12);
    expect(first.filter((v) => v.endsWith(" update"))).toEqual([]);
    const routes = routesIn(state);
    expect(routes["cassandra-storage"]).toBe("Storage Internet");
    expect(routes["cassandra-104.40.0.0-13"]).toBe("104.40.0.0/13 Internet");
    expect(Object.keys(routes)).toHaveLength(12);
    expect(readFileSync(join(state, "table"), "utf8")).toBe("false");

    rmSync(join(state, "calls"));
    expect(run(dir, script, state, { RESOURCE_GROUP: "rg-cassandra" }).code).toBe(0);
    const second = verbs(calls(state));
    expect(second.filter((v) => v.endsWith(" create"))).toEqual([]);
    expect(second.filter((v) => v === "network route-table route update")).toHaveLength(12);
    expect(routesIn(state)).toEqual(routes);
  });

  it("passes every value as one argument, whatever ROUTE_TABLE and RESOURCE_GROUP hold", () => {
    const { dir, script, state } = setup("hostile", { mode: "sample-prefixes" });
    const hostile = `rt $(touch ${join(state, "pwned")}) 'x' "y" \`z\` ;`;
    expect(run(dir, script, state, { RESOURCE_GROUP: "rg with spaces", ROUTE_TABLE: hostile, LOCATION: "eastus" }).code).toBe(0);
    expect(existsSync(join(state, "pwned"))).toBe(false);
    const all = calls(state);
    const create = all.find((c) => c.slice(0, 3).join(" ") === "network route-table create") ?? [];
    expect(create).toEqual(["network", "route-table", "create", "--resource-group", "rg with spaces", "--name", hostile, "--location", "eastus", "--disable-bgp-route-propagation", "false", "--output", "none"]);
    expect(all.filter((c) => c[3] === "create")).toHaveLength(52);
    for (const c of all.filter((x) => x[2] === "route")) expect(c.slice(c.indexOf("--route-table-name"), c.indexOf("--route-table-name") + 2)).toEqual(["--route-table-name", hostile]);
  });

  it("refuses to run without RESOURCE_GROUP, before any az call", () => {
    const { dir, script, state } = setup("no-group", {});
    const r = run(dir, script, state, {});
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("set RESOURCE_GROUP to the resource group of the route table");
    expect(calls(state)).toEqual([]);
  });

  it("routes only, into an existing table: stops when the table is missing, and never creates one", () => {
    const { dir, script, state } = setup("existing", { routeTable: "existing" });
    const r = run(dir, script, state, { RESOURCE_GROUP: "rg" });
    expect(r.code).not.toBe(0);
    expect(verbs(calls(state))).toEqual(["network route-table show"]);
    writeFileSync(join(state, "table"), "");
    expect(run(dir, script, state, { RESOURCE_GROUP: "rg" }).code).toBe(0);
    expect(verbs(calls(state)).filter((v) => v.startsWith("network route-table create") || v.startsWith("network route-table update"))).toEqual([]);
    expect(Object.keys(routesIn(state))).toHaveLength(12);
  });
});

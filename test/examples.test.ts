/** The committed example artifacts pass each target's real validator (the drift check is in quickstart.test.ts). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { planTerraform } from "@cassandra-mi-netrules/emit-terraform";
import { validateArmTemplate } from "@cassandra-mi-netrules/testkit/arm";
import { expectFormatted, expectTerraformIsPlan } from "@cassandra-mi-netrules/testkit/terraform-emitter";
import { lintMarkdownFiles } from "@cassandra-mi-netrules/testkit/markdownlint";
import { opaCheckStrict } from "@cassandra-mi-netrules/testkit/opa";
import { describe, expect, it } from "vitest";
import { ROOT, run } from "./helpers.js";

const REGIONS = ["eastus", "westeurope"];
const dir = (region: string, target: string) => join(ROOT, "examples/artifacts", region, target);

describe.each(REGIONS)("examples/artifacts/%s", (region) => {
  it("the NSG, Azure Firewall and route table templates pass the ARM schemas and the semantic checks", () => {
    for (const file of [join(dir(region, "nsg"), "nsg.json"), join(dir(region, "azure-firewall"), "firewall-policy.json"), join(dir(region, "route-table"), "route-table.json")]) {
      const result = validateArmTemplate(readFileSync(file, "utf8"));
      expect(result.errors, file).toEqual([]);
      expect(result.ok).toBe(true);
    }
  });

  it("the Terraform file passes terraform fmt -check, parses, matches the azurerm schema and reads back as the plan", () => {
    const text = readFileSync(join(dir(region, "terraform"), "main.tf"), "utf8");
    expectFormatted([text]);
    expectTerraformIsPlan(text, planTerraform(resolveRules({ regions: [region], subnet: "10.9.0.0/24" })).model);
  });

  it("the route table's az script passes shellcheck and bash -n", () => {
    const script = join(dir(region, "route-table"), "route-table.sh");
    const sc = run("shellcheck", [script]);
    expect(sc.stdout + sc.stderr).toBe("");
    expect(sc.code).toBe(0);
    expect(run("bash", ["-n", script]).code).toBe(0);
  });

  it("the iptables script passes shellcheck and its own --check (ipset + iptables-restore --test in a private namespace)", () => {
    const script = join(dir(region, "iptables"), "iptables.sh");
    const sc = run("shellcheck", [script]);
    expect(sc.stdout + sc.stderr).toBe("");
    expect(sc.code).toBe(0);
    const check = run("bash", [script, "--check"]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });

  it("the nftables ruleset passes nft -c in a fresh network namespace", () => {
    const r = run("unshare", ["-n", "nft", "-c", "-f", join(dir(region, "nftables"), "nftables.nft")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("the OPA bundle passes opa check --strict and is the policy and its data (tests and fixtures are opt-in)", () => {
    const check = opaCheckStrict(dir(region, "opa"));
    expect(check.stdout + check.stderr).toBe("");
    expect(check.status).toBe(0);
    const files = readdirSync(dir(region, "opa"), { recursive: true, encoding: "utf8" }).filter((f) => /\.(rego|json)$|manifest$/.test(f));
    expect(files.sort()).toEqual([".manifest", "data.json", join("policy", "cassandra_mi", "network.rego")]);
  });

  it("the Markdown pages pass markdownlint", () => {
    const md = readdirSync(dir(region, "markdown"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".md"))
      .map((f) => join("examples/artifacts", region, "markdown", f));
    expect(md.length).toBeGreaterThan(0);
    const r = lintMarkdownFiles(md);
    expect(r.issues).toEqual([]);
    expect(r.filesLinted).toBe(md.length);
    expect(r.exitCode).toBe(0);
  });
});

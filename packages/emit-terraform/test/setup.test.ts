/** scripts/setup-terraform.sh (run by `npm run setup`): a missing terraform fails the setup with a clear message, never a skip. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../../../scripts/setup-terraform.sh", import.meta.url));

describe("setup: terraform", () => {
  it("fails, naming what to install, when neither terraform nor go (to build it) is on PATH", () => {
    const r = spawnSync("/bin/bash", [script], { encoding: "utf8", env: { PATH: "/nonexistent" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^setup-terraform: terraform is not on PATH and go is not there to build it; install Terraform 1\.11\.4/);
  });

  it("passes and prints the version where terraform is installed", () => {
    const r = spawnSync("/bin/bash", [script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^setup-terraform: Terraform v\d+\.\d+\.\d+/);
  });
});

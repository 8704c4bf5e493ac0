/**
 * The Linux failures of the deep property run (issue 21: 3 and 4) and the Linux defects found by hand
 * (issue 16), each as a small readable case. Every one failed on the code before its fix.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { emitIptablesScript } from "@cassandra-mi-netrules/emit-iptables";
import { emitNftablesRuleset } from "@cassandra-mi-netrules/emit-nftables";
import { KERNEL_LIMITS } from "@cassandra-mi-netrules/linux";
import { backendPath, Netns } from "@cassandra-mi-netrules/testkit/netns";
import { cli, requireBuiltCli } from "../helpers.js";
import { SHARD_SCRIPT } from "./linux-harness.js";

const eastus = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
let dir = "";
let ns: Netns | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cmn-regressions-linux-"));
  ns = Netns.create("regressions");
});
afterAll(() => {
  ns?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `count` tables, each with one base chain on the forward hook, as the property tests' nft files have. */
function tablesWithForwardChains(count: number): string {
  return Array.from({ length: count }, (_, i) => `table inet t${i} {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n\t}\n}`).join("\n");
}

describe("issue 21, failure 3: the kernel refused the combined nftables file of 2,000 cases", () => {
  it(`one transaction of more than ${KERNEL_LIMITS.hooksPerHookPoint} base chains on one hook fails with E2BIG, "Argument list too long"`, () => {
    writeFileSync(join(dir, "over.nft"), tablesWithForwardChains(KERNEL_LIMITS.hooksPerHookPoint + 1));
    const r = (ns as Netns).bash(`nft -f "${dir}/over.nft"; echo "rc=$?"; nft flush ruleset`, [], { timeoutMs: 300_000 });
    expect(r.stdout.trim()).toBe("rc=1");
    expect(r.stderr).toContain("Could not process rule: Argument list too long");
  });

  it("the same tables in transactions of hooksPerHookPoint / 4, as the property tests now load them, all load", () => {
    const batch = Math.floor(KERNEL_LIMITS.hooksPerHookPoint / 4);
    writeFileSync(join(dir, "batch.nft"), tablesWithForwardChains(batch));
    for (let k = 0; k < 5; k++) {
      const r = (ns as Netns).bash(`nft flush ruleset && nft -f "${dir}/batch.nft" && nft list tables | wc -l`, [], { timeoutMs: 300_000 });
      expect(r.stdout.trim(), r.stderr).toBe(String(batch));
    }
    (ns as Netns).bash("nft flush ruleset");
  });
});

describe("issue 21, failure 4 and issue 16 item 8: a namespace command hung until the harness timed out", () => {
  /**
   * The script the iptables emitter wrote before, cut down: the jump check ran inside the pipe into
   * iptables-restore, after the rules (whose length gave iptables-restore the time to take the lock).
   */
  const NESTED_CHECK = String.raw`set -euo pipefail
rules4() {
  printf '*filter\n:CMI-FORWARD - [0:0]\n'
  sleep 1
  if ! iptables -w -C FORWARD -j CMI-FORWARD 2>/dev/null; then echo "-I FORWARD 1 -j CMI-FORWARD"; fi
  echo COMMIT
}
rules4 | iptables-restore -w --noflush
`;

  it("on the legacy backend, the old script waits for ever on the xtables lock; the harness now names it as a hang over its limit, and today's script loads", () => {
    const cases = [
      ["0", NESTED_CHECK],
      ["1", emitIptablesScript(eastus).files[0]?.content ?? ""],
    ] as const;
    for (const [i, script] of cases) {
      mkdirSync(join(dir, `case-${i}`), { recursive: true });
      writeFileSync(join(dir, `case-${i}`, "iptables.sh"), script);
    }
    writeFileSync(join(dir, "list"), "0 nva\n1 nva\n");
    writeFileSync(join(dir, "shard.sh"), SHARD_SCRIPT);
    (ns as Netns).execOk("env", [backendPath("legacy"), "bash", join(dir, "shard.sh"), dir, join(dir, "list"), "5"], { timeoutMs: 120_000 });
    const [hungRc, hungMs] = readFileSync(join(dir, "case-0", "ipt.rc"), "utf8").trim().split(" ").map(Number);
    expect(hungRc).toBe(124);
    expect(hungMs).toBeGreaterThanOrEqual(5000);
    expect(readFileSync(join(dir, "case-1", "ipt.rc"), "utf8")).toMatch(/^0 \d+\n$/);
    expect(readFileSync(join(dir, "case-1", "v4.txt"), "utf8")).toContain("-A FORWARD -j CMI-FORWARD");
  });
});

describe("issue 16: the Linux emitters", () => {
  it("item 10: a reload of the nftables file keeps what dnsmasq put in the FQDN sets", () => {
    const path = join(dir, "eastus.nft");
    writeFileSync(path, emitNftablesRuleset(eastus).files[0]?.content ?? "");
    const r = (ns as Netns).bash(
      `nft -f "${path}" && nft add element inet cassandra_mi fqdn_tcp443_v4 '{ 203.0.113.20 }' && nft -f "${path}" && nft list set inet cassandra_mi fqdn_tcp443_v4; nft flush ruleset`,
    );
    expect(r.stdout, r.stderr).toMatch(/elements = \{ 203\.0\.113\.20 expires /);
  });

  it("item 22: a wildcard FQDN admits its bare parent domain, so it is approximated, with the reason", () => {
    for (const out of [emitIptablesScript(eastus), emitNftablesRuleset(eastus)]) {
      const backup = out.coverage.find((c) => c.ruleId === "storage-backup");
      expect(backup?.status).toBe("approximated");
      expect(backup?.why).toContain("blob.core.windows.net itself");
    }
  });

  it("item 23: no `dnsmasq_s` in the comments", () => {
    for (const out of [emitIptablesScript(eastus), emitNftablesRuleset(eastus)]) for (const f of out.files) expect(f.content).not.toContain("_s ");
  });
});

describe("issue 16 through the CLI (the built one)", () => {
  beforeAll(() => requireBuiltCli());
  const EASTUS = ["--region", "eastus", "--subnet", "10.9.0.0/24"];

  it("item 12: -O nftables.tabel=x fails naming the key", () => {
    const r = cli(["emit", "nftables", ...EASTUS, "-O", "nftables.tabel=x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("options.tabel: unknown option; known: mode, subnets, peers, fqdns, regionalTags, fqdnTimeout, table");
    expect(cli(["emit", "iptables", ...EASTUS, "-O", "iptables.tabel=x"]).stderr).toContain("options.tabel: unknown option");
  });

  it("item 1: --peer 0.0.0.0/0 and ::/0 fail naming the option and the value", () => {
    for (const [target, peer] of [
      ["iptables", "0.0.0.0/0"],
      ["nftables", "::/0"],
    ] as const) {
      const r = cli(["emit", target, ...EASTUS, "--peer", peer]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`options.peers[0]: is wider than`);
      expect(r.stderr).toContain(JSON.stringify(peer));
    }
  });
});

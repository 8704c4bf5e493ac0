/**
 * The CLI's audit of an NSG whose rules name what Object.prototype holds (`constructor`, `__proto__`, `toString`):
 * no crash, and the same exit code and verdicts as the same NSG with unknown names of the same shape. The readers'
 * and the evaluator's side of this is packages/azure/test/prototype-names.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { AuditReport } from "@cassandra-mi-netrules/azure";
import { run, type CliIO } from "@cassandra-mi-netrules/cli";

/** An unknown name of the same shape: letters become q (case kept), the rest stays. */
const unknownLike = (name: string): string => name.replace(/[a-z]/g, "q").replace(/[A-Z]/g, "Q");

function verdicts(report: AuditReport): unknown {
  return { status: report.status, subjects: report.subjects.map((s) => ({ subject: s.subject, requirements: s.requirements.map((r) => [r.ruleId, r.status, r.alternatives.map((a) => a.verdict)]) })) };
}

describe("audit: input text named like an Object property", () => {
  it("the CLI's audit of an NSG whose rules name constructor, __proto__ and toString: the same exit and verdicts as unknown names", async () => {
    const cli = async (text: string) => {
      let stdout = "";
      let stderr = "";
      const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), readStdin: () => text, cwd: process.cwd() };
      const code = await run(["audit", "-", "--json", "--region", "eastus"], io);
      return { code, stdout, stderr };
    };
    const nsg = (prefix: string, protocol: string) => JSON.stringify({ name: "n", securityRules: [{ name: "r", priority: 100, direction: "Outbound", access: "Allow", protocol, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: prefix, destinationPortRange: "443" }], defaultSecurityRules: [] });
    for (const name of ["constructor", "__proto__", "toString", "constructor.eastus"]) {
      const twin = name === "constructor.eastus" ? "qqqqqqqqqqq.eastus" : unknownLike(name);
      for (const [prefix, protocol] of [[name, "Tcp"], ["Storage", name]] as const) {
        const got = await cli(nsg(prefix, protocol));
        const want = await cli(nsg(prefix === name ? twin : prefix, protocol === name ? twin : protocol));
        expect(got.stderr, name).not.toMatch(/TypeError|is not a function|Cannot read/);
        expect(got.code, name).toBe(want.code);
        const strip = (s: string) => (s === "" ? {} : verdicts(JSON.parse(s) as AuditReport));
        expect(JSON.parse(JSON.stringify(strip(got.stdout)).split(name).join(twin)), name).toEqual(strip(want.stdout));
      }
    }
  });
});

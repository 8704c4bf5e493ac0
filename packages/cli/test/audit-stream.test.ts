/**
 * `cli audit` writes its report subject by subject (spools, writers.ts): the bytes must be those the CLI
 * printed when it held the whole report (recorded under fixtures/audit-stream), in every format, whether
 * the spools stay in memory or spill to a temporary file; a failure prints nothing and leaves no file.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import AjvDraft04Module from "ajv-draft-04";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditSubjects, type SubjectReport, type SubjectStream } from "@cassandra-mi-netrules/azure";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import { run, type CliIO } from "@cassandra-mi-netrules/cli";
import { PYTHON } from "@cassandra-mi-netrules/testkit/netns";
import { AUDIT_OUTPUTS, printReport, reportWriter, writePieces, type AuditOutput } from "../src/audit/index.js";
import { Spool } from "../src/audit/spool.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const GOLDEN = join(import.meta.dirname, "fixtures/audit-stream");
const FIX = "packages/azure/test/fixtures/audit";
const TAG_FILE = "vendor/service-tags/ServiceTags_Public_20251028.json";
const SCOPE = ["--region", "eastus", "--subnet", "10.10.2.0/24"];
const CASES = {
  gaps: { files: [`${FIX}/nsg-allow-all.json`, `${FIX}/nsg-allows.json`, `${FIX}/nsg-deny-azurecloud.json`, `${FIX}/nsg-docs-ssh-web.json`], flags: ["--service-tags", TAG_FILE], code: 1 },
  warn: { files: [`${FIX}/nsg-allow-all.json`, "packages/cli/test/fixtures/audit-stream/nsg-allow-all-2.json"], flags: ["--service-tags", TAG_FILE, "--fail-on", "warn"], code: 1 },
  none: { files: [`${FIX}/storage-account-only.json`], flags: [], code: 3 },
} as const;
type CaseName = keyof typeof CASES;

function golden(name: CaseName, output: AuditOutput): { stdout: string; stderr: string } {
  const err = join(GOLDEN, `${name}.${output}.stderr`);
  return { stdout: gunzipSync(readFileSync(join(GOLDEN, `${name}.${output}.gz`))).toString("utf8"), stderr: existsSync(err) ? readFileSync(err, "utf8") : "" };
}

function capture(): { io: CliIO; out: { stdout: string; stderr: string; writes: number } } {
  const out = { stdout: "", stderr: "", writes: 0 };
  const io: CliIO = { stdout: (s) => void ((out.stdout += s), (out.writes += 1)), stderr: (s) => void (out.stderr += s), readStdin: () => "", cwd: ROOT };
  return { io, out };
}

const AjvDraft04 = ((AjvDraft04Module as unknown as { default?: typeof AjvDraft04Module }).default ?? AjvDraft04Module) as typeof AjvDraft04Module;

// A temporary directory of this file's own: the spools it counts are its own, whatever else runs beside it.
const SYSTEM_TMPDIR = process.env.TMPDIR;
let privateTmp = "";
beforeAll(() => {
  privateTmp = mkdtempSync(join(tmpdir(), "cmn-audit-stream-test-"));
  process.env.TMPDIR = privateTmp;
});
afterAll(() => {
  if (SYSTEM_TMPDIR === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = SYSTEM_TMPDIR;
  rmSync(privateTmp, { recursive: true, force: true });
});

const TAGS = loadServiceTags(readFileSync(join(ROOT, TAG_FILE), "utf8"), TAG_FILE);

function stream(name: CaseName): SubjectStream {
  const c = CASES[name];
  const withTags = c.flags.length > 0;
  const resolved = resolveRules({ regions: ["eastus"], subnet: "10.10.2.0/24", ...(withTags ? { serviceTags: TAGS } : {}) });
  const docs = c.files.map((f) => ({ name: f, text: readFileSync(join(ROOT, f), "utf8") }));
  return auditSubjects(docs, { resolved, ...(withTags ? { serviceTags: TAGS } : {}), failOn: name === "warn" ? "warn" : "gap" });
}

describe("cli audit streams its report with the bytes of the whole-report output", () => {
  for (const name of Object.keys(CASES) as CaseName[]) {
    for (const output of AUDIT_OUTPUTS) {
      it(`${name}, --output ${output}: the CLI`, async () => {
        const c = CASES[name];
        const { io, out } = capture();
        const code = await run(["audit", ...c.files, ...SCOPE, ...c.flags, "--output", output], io);
        const want = golden(name, output);
        expect(out.stderr).toBe(want.stderr);
        expect(out.stdout === want.stdout, "stdout differs from the recorded whole-report output").toBe(true);
        expect(code).toBe(c.code);
      });

      it(`${name}, --output ${output}: spools spilled to a temporary file, removed after`, async () => {
        const c = CASES[name];
        const resolved = resolveRules({ regions: ["eastus"], subnet: "10.10.2.0/24", ...(c.flags.length > 0 ? { serviceTags: TAGS } : {}) });
        const writer = reportWriter(output, { inputs: c.files, tagFile: c.flags.length > 0 ? TAG_FILE : undefined, resolved, failOn: name === "warn" ? "warn" : "gap", spoolMemory: 1000 });
        const { io, out } = capture();
        const before = tempSpools();
        const code = await printReport(stream(name), writer, io);
        expect(out.stdout === golden(name, output).stdout, "stdout differs from the recorded whole-report output").toBe(true);
        expect(code).toBe(c.code);
        expect(tempSpools()).toEqual(before);
      });
    }
  }

  it("a failure after some subjects prints nothing on stdout and removes the temporary file", async () => {
    for (const output of AUDIT_OUTPUTS) {
      const resolved = resolveRules({ regions: ["eastus"], subnet: "10.10.2.0/24", serviceTags: TAGS });
      const writer = reportWriter(output, { inputs: CASES.gaps.files, tagFile: TAG_FILE, resolved, failOn: "gap", spoolMemory: 1 });
      const { io, out } = capture();
      const before = tempSpools();
      const spilled: string[][] = [];
      const failing = (function* (): SubjectStream {
        const inner = stream("gaps");
        for (let i = 0; i < 3; i++) {
          const next = inner.next();
          if (!next.done) yield next.value as SubjectReport;
          spilled.push(tempSpools().filter((d) => !before.includes(d)));
        }
        throw new Error("evaluator failed");
      })();
      await expect(printReport(failing, writer, io), output).rejects.toThrow("evaluator failed");
      expect(spilled.at(-1)?.length, `${output}: the spool had spilled to a file`).toBeGreaterThan(0);
      expect(out.stdout, output).toBe("");
      expect(out.writes, output).toBe(0);
      expect(tempSpools(), output).toEqual(before);
    }
  });
});

describe("printReport during a long evaluation", () => {
  it("lets the event loop run (a signal's handler with it) every few milliseconds, not once per subject", async () => {
    const resolved = resolveRules({ regions: ["eastus"], subnet: "10.10.2.0/24", serviceTags: TAGS });
    const reports: SubjectReport[] = [];
    const inner = stream("gaps");
    let next = inner.next();
    for (; !next.done; next = inner.next()) reports.push(next.value);
    const outline = next.value;
    const SUBJECTS = 3000;
    let made = 0;
    let timerAt: number | undefined;
    // Each subject takes a tenth of a millisecond of synchronous work: 300 ms in all, about 30 turns of 10 ms.
    const slow = (function* (): SubjectStream {
      for (; made < SUBJECTS; made++) {
        // A timer set in the middle of the evaluation: it runs once the loop turns again.
        if (made === 100) setTimeout(() => void (timerAt = made), 0);
        const until = performance.now() + 0.1;
        while (performance.now() < until);
        yield reports[made % reports.length] as SubjectReport;
      }
      return outline;
    })();
    // Iterations of the loop: an immediate that sets the next one runs once an iteration.
    let iterations = 0;
    let counting = true;
    const count = () => void (counting && (iterations++, setImmediate(count)));
    setImmediate(count);
    const writer = reportWriter("table", { inputs: CASES.gaps.files, tagFile: TAG_FILE, resolved, failOn: "gap" });
    expect(await printReport(slow, writer, capture().io)).toBe(1);
    counting = false;
    expect(timerAt, "the timer waited for the last subject").toBeDefined();
    expect(timerAt).toBeLessThan(SUBJECTS / 2);
    // A turn (two iterations) per subject would make 6,000 and more; one every 10 ms, about 60 here, more on a loaded machine.
    expect(iterations).toBeGreaterThan(2);
    expect(iterations).toBeLessThan(SUBJECTS);
  });
});

/** The requirement verdicts of a recorded whole-report output, as its format's validator reads it; throws what the validator says. */
function validatedVerdicts(output: Exclude<AuditOutput, "table">, text: string): number {
  if (output === "json") return (JSON.parse(text) as { subjects: { requirements: unknown[] }[] }).subjects.reduce((n, s) => n + s.requirements.length, 0);
  if (output === "sarif") {
    const ajv = new AjvDraft04({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, "vendor/sarif/sarif-2.1.0-rtm.5.json"), "utf8")) as object);
    const log = JSON.parse(text) as { runs: { results: { ruleId: string }[] }[] };
    if (!validate(log)) throw new Error(JSON.stringify(validate.errors));
    return (log.runs[0]?.results ?? []).filter((r) => r.ruleId !== "over-broad-allow").length;
  }
  const script = "import sys, xml.etree.ElementTree as ET\nprint(len([c for c in ET.fromstring(sys.stdin.read()).iter('testcase') if not c.get('name').startswith('over-broad:')]))";
  const parsed = spawnSync(PYTHON, ["-c", script], { input: text, encoding: "utf8" });
  if (parsed.status !== 0) throw new Error(parsed.stderr);
  return Number(parsed.stdout);
}

describe("the recorded whole-report outputs", () => {
  it("are what their formats' validators accept (JSON.parse, the SARIF 2.1.0 schema, an XML parser), with the same verdicts", () => {
    for (const name of ["gaps", "warn"] as const) {
      const json = JSON.parse(golden(name, "json").stdout) as { subjects: unknown[]; exitCode: number };
      expect(json.subjects, name).toHaveLength(CASES[name].files.length);
      expect(json.exitCode, name).toBe(CASES[name].code);
      const verdicts = validatedVerdicts("json", golden(name, "json").stdout);
      expect(verdicts, name).toBeGreaterThan(0);
      for (const output of ["sarif", "junit"] as const) expect(validatedVerdicts(output, golden(name, output).stdout), `${name} ${output}`).toBe(verdicts);
    }
    expect(JSON.parse(golden("none", "json").stdout)).toMatchObject({ status: "nothing-to-audit", subjects: [], exitCode: 3 });
    // The validators refuse what is broken: two streamed elements without their comma, an unclosed suite.
    const broken = (output: "json" | "sarif" | "junit") => (output === "junit" ? golden("gaps", output).stdout.replace("</testsuite>", "</testsuit>") : golden("gaps", output).stdout.replace("},\n", "}\n"));
    for (const output of ["json", "sarif", "junit"] as const) expect(() => validatedVerdicts(output, broken(output)), output).toThrow();
  });
});

/** The CLI's spool directories in the (test's own) temporary directory. */
function tempSpools(): string[] {
  return readdirSync(tmpdir()).filter((d) => d.startsWith("cassandra-mi-netrules-audit-"));
}

describe("Spool", () => {
  it("hands back what was written, in order, across the temporary file's read pieces and multi-byte characters, as bytes and as text", async () => {
    const spool = new Spool(100);
    const MiB = 1024 * 1024;
    // The file is read 4 MiB at a time: a 2-byte character across the first edge, a 4-byte one across the second.
    const pieces = ["a".repeat(4 * MiB - 1), "é", "b".repeat(4 * MiB - 3), "😀", "c".repeat(1000), ...Array.from({ length: 1000 }, (_, i) => `é${i}😀\n`)];
    try {
      for (const p of pieces) spool.write(p);
      spool.write("tail in memory");
      const want = `${pieces.join("")}tail in memory`;
      // Through a paced stdout (the pieces as they are: bytes cut anywhere, then text) and through an in-process one (text).
      const bytes: Buffer[] = [];
      await writePieces(spool.pieces(), { ...capture().io, stdoutPaced: async (s) => void bytes.push(Buffer.from(s)) });
      expect(bytes.length).toBeGreaterThan(2);
      expect(Buffer.concat(bytes).toString("utf8") === want).toBe(true);
      const { io, out } = capture();
      await writePieces(spool.pieces(), io);
      expect(Buffer.byteLength(out.stdout)).toBeGreaterThan(8 * MiB);
      expect(out.writes).toBeGreaterThan(2);
      expect(out.stdout === want, "the text differs (a character cut between two pieces?)").toBe(true);
      expect(spool.isEmpty).toBe(false);
    } finally {
      spool.close();
    }
    expect(new Spool().isEmpty).toBe(true);
  });

  it("keeps small output in memory: no temporary file", () => {
    const before = tempSpools();
    const spool = new Spool();
    spool.write("a");
    expect(tempSpools()).toEqual(before);
    const text = [...spool.pieces()].join("");
    expect(text).toBe("a");
    spool.close();
  });
});

describe("writePieces without a paced stdout", () => {
  it("decodes bytes cut inside a character, and lets no byte the decoder held go unwritten", async () => {
    const written = async (pieces: Array<string | Uint8Array>): Promise<string> => {
      const out: string[] = [];
      await writePieces(pieces, { stdout: (t: string) => void out.push(t) } as unknown as CliIO);
      return out.join("");
    };
    const e = Buffer.from("é€", "utf8");
    expect(await written(["a", e.subarray(0, 1), e.subarray(1, 3), e.subarray(3), "b"])).toBe("aé€b");
    // A truncated character (never in a spool's file) still shows, before the text after it and at the end.
    expect(await written([e.subarray(0, 1), "b", e.subarray(2, 3)])).toBe("\ufffdb\ufffd");
  });
});

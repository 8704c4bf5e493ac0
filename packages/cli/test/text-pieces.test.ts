/**
 * `cli audit FILE` reads one regular file a piece at a time (io.ts `textPieces`) as a Resource Graph export:
 * the pieces make the text `readText` gives (characters across the 64 KiB cuts, byte order marks), bytes that
 * are not text stop the pieces and the file is refused in `readText`'s words, and the report is the library's
 * for the whole text.
 */
import * as fs from "node:fs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { run, type CliIO } from "@cassandra-mi-netrules/cli";
import { audit } from "@cassandra-mi-netrules/azure";
import { resolveRules } from "@cassandra-mi-netrules/core";
import { readText, textPieces } from "../src/io.js";

// Watched, not replaced: which reads the CLI makes of a file.
vi.mock("node:fs", async (original) => {
  const real = await original<typeof import("node:fs")>();
  return { ...real, readSync: vi.fn(real.readSync), readFileSync: vi.fn(real.readFileSync) };
});

const dir = mkdtempSync(join(tmpdir(), `cmn-pieces-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io: CliIO = { stdout: () => undefined, stderr: () => undefined, readStdin: () => "", cwd: dir };
const PIECE = 64 * 1024;
const BOM = "\ufeff";

function file(name: string, content: string | Buffer): string {
  writeFileSync(join(dir, name), content);
  return name;
}

describe("textPieces", () => {
  // A character of 2, 3 and 4 bytes ending at each byte of the first cut, and the byte order marks around it.
  const cases: Array<[string, string]> = [];
  for (const char of ["é", "€", "😀"]) for (let shift = 0; shift < 5; shift++) cases.push([`${char} ${shift} bytes before the cut`, `${"a".repeat(PIECE - shift)}${char.repeat(3)}${"b".repeat(PIECE)}${char}`]);
  cases.push(["a byte order mark", `${BOM}{"a": 1}`], ["two byte order marks", `${BOM}${BOM}x`], ["a byte order mark at the cut", `${"a".repeat(PIECE)}${BOM}z`], ["nothing", ""], ["a byte order mark alone", BOM]);

  it.each(cases)("%s: the pieces make readText's text", (name, content) => {
    const path = file(`text-${cases.findIndex(([n]) => n === name)}`, content);
    const pieces = [...textPieces(io, path)];
    expect(pieces.join("")).toBe(readText(io, path, "<file>"));
    if (content.length > PIECE) expect(pieces.length).toBeGreaterThan(2);
  });

  it.each([
    ["a NUL byte after the first piece", Buffer.concat([Buffer.alloc(PIECE + 10, 0x61), Buffer.from([0])])],
    ["a byte that is not UTF-8", Buffer.concat([Buffer.alloc(PIECE * 2, 0x61), Buffer.from([0xff, 0x61])])],
    ["a character cut short at the end", Buffer.concat([Buffer.alloc(10, 0x61), Buffer.from([0xe2, 0x82])])],
    ["a character cut short at a piece's end", Buffer.concat([Buffer.alloc(PIECE - 1, 0x61), Buffer.from([0xe2, 0x61, 0x61])])],
  ])("%s: the pieces stop, and readText refuses the file", (_, bytes) => {
    const path = file("bad", bytes);
    expect(() => [...textPieces(io, path)]).toThrow();
    expect(() => readText(io, path, "<file>")).toThrow(/not a text file/);
  });
});

describe("cli audit of a Resource Graph export file", () => {
  const ID = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups";
  const rule = (n: number, access: string) => ({ name: `r${n}`, properties: { priority: 100 + n, direction: "Outbound", access, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: n % 2 === 0 ? "AzureCloud" : "203.0.113.0/24", destinationPortRange: "443", description: "règle 😀 ".repeat(n % 7) } });
  const row = (n: number) => ({ id: `${ID}/nsg-${n}`, name: `nsg-${n}`, type: "microsoft.network/networksecuritygroups", tenantId: "t", subscriptionId: "s", properties: { securityRules: [rule(n, n % 3 === 0 ? "Deny" : "Allow"), rule(n + 1, "Allow")] } });
  const text = `${BOM}${JSON.stringify({ count: 300, data: Array.from({ length: 300 }, (_, n) => row(n)), skip_token: null, total_records: 300 }, null, 2)}`;

  it("the report is the library's for the whole text (the file spans many pieces)", async () => {
    const path = file("export.json", text);
    expect(Buffer.byteLength(text)).toBeGreaterThan(4 * PIECE);
    let stdout = "";
    vi.mocked(fs.readFileSync).mockClear();
    vi.mocked(fs.readSync).mockClear();
    const code = await run(["audit", path, "--json", "--region", "eastus"], { ...io, stdout: (s) => void (stdout += s) });
    // Read in pieces, never whole.
    expect(vi.mocked(fs.readSync).mock.calls.length).toBeGreaterThan(4);
    expect(vi.mocked(fs.readFileSync).mock.calls.map(([f]) => String(f))).not.toContainEqual(join(dir, path));
    const lib = audit({ name: path, text: text.slice(1) }, { resolved: resolveRules({ regions: ["eastus"] }) });
    expect(JSON.parse(stdout)).toEqual({ ...lib, exitCode: code });
    expect(lib.format).toBe("resource-graph");
  });

  it("a NUL byte past the first piece is refused as readText refuses it", async () => {
    const path = file("export-nul.json", Buffer.concat([Buffer.from(text.slice(0, PIECE * 2)), Buffer.from([0]), Buffer.from(text.slice(PIECE * 2))]));
    let stderr = "";
    const code = await run(["audit", path, "--region", "eastus"], { ...io, stderr: (s) => void (stderr += s) });
    expect(code).toBe(2);
    expect(stderr).toContain(`"${path}" is not a text file (a NUL byte at offset ${Buffer.byteLength(text.slice(0, PIECE * 2))})`);
  });
});

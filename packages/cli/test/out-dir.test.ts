/** --out in-process: all or nothing, no writing through links, interrupted runs rolled back. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIO } from "@cassandra-mi-netrules/cli";
import { STAGING_PREFIX, writeFilesAtomically } from "../src/out-dir.js";

const dir = mkdtempSync(join(tmpdir(), `cmn-out-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeFilesAtomically", () => {
  const io: CliIO = { stdout: () => {}, stderr: () => {}, readStdin: () => "", cwd: dir };
  const listing = (out: string) => readdirSync(out, { recursive: true, encoding: "utf8" }).sort();

  it("writes nested files and leaves no staging directory", () => {
    const out = join(dir, "ok");
    const result = writeFilesAtomically(io, out, [
      { path: "a.txt", content: "A" },
      { path: "sub/b.txt", content: "B" },
    ]);
    expect(result).toEqual({ written: [join(out, "a.txt"), join(out, "sub/b.txt")], removed: [], recovered: [] });
    expect(readFileSync(join(out, "sub/b.txt"), "utf8")).toBe("B");
    expect(listing(out)).toEqual(["a.txt", "sub", join("sub", "b.txt")]);
  });

  it("refuses paths that leave the output directory, duplicates and file/directory clashes, before writing anything", () => {
    const out = join(dir, "unsafe");
    for (const path of ["../escape.txt", "/etc/passwd", "a/../../b", ""]) {
      expect(() => writeFilesAtomically(io, out, [{ path, content: "x" }])).toThrow("unsafe file path");
    }
    expect(() => writeFilesAtomically(io, out, [{ path: "a", content: "1" }, { path: "./a", content: "2" }])).toThrow("same path");
    expect(() => writeFilesAtomically(io, out, [{ path: "a", content: "1" }, { path: "a/b", content: "2" }])).toThrow('"a" would be both a file and a directory');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, "escape.txt"))).toBe(false);
  });

  it("refuses a directory where a file goes, changing nothing", () => {
    const out = join(dir, "in-the-way");
    mkdirSync(join(out, "b.txt", "blocker"), { recursive: true });
    expect(() => writeFilesAtomically(io, out, [{ path: "b.txt", content: "new" }])).toThrow(`--out: cannot write "${join(out, "b.txt")}": a directory is in the way`);
    expect(listing(out)).toEqual(["b.txt", join("b.txt", "blocker")]);
  });

  it("a failure at the 3rd of 5 files puts back the 2 already replaced and removes the directories it made", () => {
    const out = join(dir, "rollback");
    writeFilesAtomically(io, out, ["1", "2", "3", "4", "5"].map((n) => ({ path: `d/f${n}.txt`, content: `old ${n}` })));
    chmodSync(join(out, "d/f1.txt"), 0o750);
    // A name longer than the file system allows (ENAMETOOLONG) is only found out when the 3rd file is renamed
    // into place; with clean, d/f2 and d/f3 (not written by this run) have been moved aside by then too.
    const files = [
      { path: "d/f1.txt", content: "new 1" },
      { path: "d/new-dir/f2.txt", content: "new 2" },
      { path: `d/${"x".repeat(300)}.txt`, content: "new 3" },
      { path: "d/f4.txt", content: "new 4" },
      { path: "d/f5.txt", content: "new 5" },
    ];
    expect(() => writeFilesAtomically(io, out, files, { clean: true })).toThrow(/^--out: cannot write ".*rollback\/d\/xxxx.*: ENAMETOOLONG: name too long; nothing was changed$/);
    expect(listing(out)).toEqual(["d", ...["1", "2", "3", "4", "5"].map((n) => join("d", `f${n}.txt`))]);
    for (const n of ["1", "2", "3", "4", "5"]) expect(readFileSync(join(out, `d/f${n}.txt`), "utf8")).toBe(`old ${n}`);
    expect(statSync(join(out, "d/f1.txt")).mode & 0o777).toBe(0o750);
  });

  it("files it would not write in the directories it writes to are an error, unless clean deletes them; others stay", () => {
    const out = join(dir, "stale");
    writeFilesAtomically(io, out, [{ path: "sub/keep.txt", content: "1" }, { path: "sub/old/gone.txt", content: "2" }, { path: "mine.txt", content: "user" }, { path: "other/x.txt", content: "user" }]);
    chmodSync(join(out, "sub/keep.txt"), 0o700);
    const next = [{ path: "sub/keep.txt", content: "3" }];
    expect(() => writeFilesAtomically(io, out, next)).toThrow(`holds 1 file(s) this run would not write in the directories it writes to, which would pass for its output: "${join("sub", "old", "gone.txt")}"`);
    expect(readFileSync(join(out, "sub/keep.txt"), "utf8")).toBe("1");
    expect(writeFilesAtomically(io, out, next, { clean: true })).toEqual({ written: [join(out, "sub", "keep.txt")], removed: [join(out, "sub", "old", "gone.txt")], recovered: [] });
    expect(listing(out)).toEqual(["mine.txt", "other", join("other", "x.txt"), "sub", join("sub", "keep.txt")]);
    expect(readFileSync(join(out, "sub/keep.txt"), "utf8")).toBe("3");
    // The file replaced keeps its mode.
    expect(statSync(join(out, "sub/keep.txt")).mode & 0o777).toBe(0o700);
  });

  it("never writes through a symbolic link in --out: a linked sub-directory, or a linked file, is refused and the target stays untouched", () => {
    const out = join(dir, "linked");
    const elsewhere = join(dir, "elsewhere");
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, "keep.rego"), "package keep\n");
    writeFilesAtomically(io, out, [{ path: "data.json", content: "{}" }]);
    symlinkSync(elsewhere, join(out, "policy"));
    const files = [{ path: "data.json", content: "{1}" }, { path: "policy/network.rego", content: "package new\n" }];
    expect(() => writeFilesAtomically(io, out, files)).toThrow(`--out: "${join(out, "policy")}" is a symbolic link (to "${elsewhere}"); files are never written through a link`);
    expect(() => writeFilesAtomically(io, out, files, { clean: true })).toThrow("is a symbolic link");
    expect(readdirSync(elsewhere)).toEqual(["keep.rego"]);
    expect(readFileSync(join(out, "data.json"), "utf8")).toBe("{}");
    // A link where a file goes is refused too: replacing it would hide where the user pointed it.
    const file = join(dir, "outside.txt");
    writeFileSync(file, "outside\n");
    symlinkSync(file, join(out, "nsg.json"));
    expect(() => writeFilesAtomically(io, out, [{ path: "nsg.json", content: "{}" }])).toThrow(`"${join(out, "nsg.json")}" is a symbolic link`);
    expect(readFileSync(file, "utf8")).toBe("outside\n");
  });

  it("a link left in a directory this run owns is a stale entry: reported, and --clean removes the link itself, not what it points to", () => {
    const out = join(dir, "stale-link");
    const target = join(dir, "stale-link-target");
    mkdirSync(target);
    writeFileSync(join(target, "x"), "x");
    writeFilesAtomically(io, out, [{ path: "opa/data.json", content: "{}" }]);
    symlinkSync(target, join(out, "opa", "old"));
    expect(() => writeFilesAtomically(io, out, [{ path: "opa/data.json", content: "{2}" }])).toThrow(`holds 1 file(s) this run would not write in the directories it writes to, which would pass for its output: "${join("opa", "old")}"`);
    expect(writeFilesAtomically(io, out, [{ path: "opa/data.json", content: "{2}" }], { clean: true }).removed).toEqual([join(out, "opa", "old")]);
    expect(readdirSync(join(out, "opa"))).toEqual(["data.json"]);
    expect(readdirSync(target)).toEqual(["x"]);
  });

  /** A run killed half-way: its staging directory and journal, as the writer leaves them, under a pid that no longer runs. */
  function interrupted(out: string, steps: object[], pid = 2 ** 22 + 17): string {
    const staging = join(out, `${STAGING_PREFIX}${pid}-deadbeef`);
    mkdirSync(join(staging, "old"), { recursive: true });
    mkdirSync(join(staging, "new"));
    writeFileSync(join(staging, "journal"), `${steps.map((s) => JSON.stringify(s)).join("\n")}\n{"op":"repl`);
    return staging;
  }

  it("the next run rolls back a run killed half-way (its journal), then writes: the old files come back, no staging directory stays", () => {
    const out = join(dir, "killed");
    writeFilesAtomically(io, out, [{ path: "a/one.txt", content: "old 1" }, { path: "a/two.txt", content: "old 2" }]);
    // The killed run had replaced one.txt (old copy kept aside), created three.txt in a new directory, and not reached two.txt.
    const staging = interrupted(out, []);
    writeFileSync(join(staging, "old", "0"), "old 1");
    writeFileSync(join(out, "a/one.txt"), "new 1");
    mkdirSync(join(out, "b"));
    writeFileSync(join(out, "b/three.txt"), "new 3");
    writeFileSync(
      join(staging, "journal"),
      [
        { op: "replace", path: join("a", "one.txt"), kept: join(staging, "old", "0") },
        { op: "mkdir", path: "b" },
        { op: "create", path: join("b", "three.txt") },
      ]
        .map((s) => JSON.stringify(s))
        .join("\n") + "\n",
    );
    const result = writeFilesAtomically(io, out, [{ path: "c.txt", content: "c" }]);
    expect(result.recovered).toEqual([`"${join(out, `${STAGING_PREFIX}${2 ** 22 + 17}-deadbeef`)}": an interrupted run was rolled back`]);
    expect(readdirSync(out).sort()).toEqual(["a", "c.txt"]);
    expect(readFileSync(join(out, "a/one.txt"), "utf8")).toBe("old 1");
    expect(readFileSync(join(out, "a/two.txt"), "utf8")).toBe("old 2");
  });

  it("a staging directory of a run that had committed, or of an older version without a journal, is removed; a live run's is left alone", () => {
    const out = join(dir, "leftovers");
    writeFilesAtomically(io, out, [{ path: "x.txt", content: "x" }]);
    interrupted(out, [{ op: "commit" }], 2 ** 22 + 18);
    mkdirSync(join(out, `${STAGING_PREFIX}${2 ** 22 + 19}-0000aaaa`, "old"), { recursive: true });
    const live = join(out, `${STAGING_PREFIX}${process.pid}-feedf00d`);
    mkdirSync(live);
    const result = writeFilesAtomically(io, out, [{ path: "x.txt", content: "y" }]);
    expect(result.recovered).toEqual([
      `"${join(out, `${STAGING_PREFIX}${2 ** 22 + 18}-deadbeef`)}": removed, left by a run that had written everything`,
      `"${join(out, `${STAGING_PREFIX}${2 ** 22 + 19}-0000aaaa`)}": removed, left by an interrupted run without a journal`,
    ]);
    expect(readdirSync(out).sort()).toEqual([`${STAGING_PREFIX}${process.pid}-feedf00d`, "x.txt"]);
    expect(existsSync(live)).toBe(true);
  });
});

/** The data-semver guard on fixtures: each kind of data change against each declared bump. */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as core from "@cassandra-mi-netrules/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script, no declarations
import * as guard from "../scripts/semver-guard.mjs";
import { ROOT, run, tempDir } from "./helpers.js";

interface Snapshot {
  version: string;
  current: string;
  revisions: { id: string; requirementIds: string[] }[];
  requirements: Record<string, Record<string, unknown>>;
  features: Record<string, unknown>[];
}
interface Verdict {
  ok: boolean;
  baseline: boolean;
  required: string;
  declared: string;
  changes: { level: string; text: string }[];
}
const g = guard as {
  snapshotOf(c: typeof core): Snapshot;
  verdict(released: Snapshot | undefined, current: Snapshot, changesets: { file: string; text: string }[]): Verdict;
};

const base = g.snapshotOf(core);
const clone = (): Snapshot => JSON.parse(JSON.stringify(base)) as Snapshot;
const changeset = (level: string, pkg = "@cassandra-mi-netrules/core") => ({ file: `.changeset/${level}.md`, text: `---\n"${pkg}": ${level}\n---\n\nA change.\n` });

/** Fixtures: a mutation of the released dataset and the bump it needs. */
const fixtures: { name: string; needs: string; mutate: (s: Snapshot) => void }[] = [
  { name: "nothing changed", needs: "none", mutate: () => {} },
  {
    name: "a requirement removed",
    needs: "major",
    mutate: (s) => {
      delete s.requirements.jmx;
      for (const r of s.revisions) r.requirementIds = r.requirementIds.filter((id) => id !== "jmx");
    },
  },
  {
    name: "a requirement renamed",
    needs: "major",
    mutate: (s) => {
      s.requirements["cassandra-gossip"] = { ...s.requirements.gossip, id: "cassandra-gossip" };
      delete s.requirements.gossip;
      for (const r of s.revisions) r.requirementIds = r.requirementIds.map((id) => (id === "gossip" ? "cassandra-gossip" : id));
    },
  },
  {
    name: "a requirement added",
    needs: "minor",
    mutate: (s) => {
      s.requirements["new-endpoint"] = { ...s.requirements.crl, id: "new-endpoint" };
      s.revisions.at(-1)?.requirementIds.push("new-endpoint");
    },
  },
  {
    name: "a revision added",
    needs: "minor",
    mutate: (s) => {
      s.revisions.push({ id: "2026-01-01", requirementIds: [...(s.revisions.at(-1)?.requirementIds ?? [])] });
      s.current = "2026-01-01";
    },
  },
  { name: "ports changed", needs: "major", mutate: (s) => void ((s.requirements.cql ?? {}).ports = [{ from: 9043, to: 9043 }]) },
  { name: "an alternative destination dropped", needs: "major", mutate: (s) => void ((s.requirements["key-vault"] ?? {}).destinations = []) },
  { name: "purpose reworded", needs: "patch", mutate: (s) => void ((s.requirements.cql ?? {}).purpose = { en: "CQL.", fr: "CQL." }) },
  { name: "a field removed", needs: "major", mutate: (s) => void delete (s.requirements.cql ?? {}).inferred },
  { name: "a feature removed", needs: "major", mutate: (s) => void (s.features = s.features.slice(1)) },
];
const levels = ["none", "patch", "minor", "major"];
const fixture = (name: string) => fixtures.find((f) => f.name === name)!;

describe("semver guard verdicts", () => {
  it.each(fixtures)("$name needs $needs", ({ needs, mutate }) => {
    const current = clone();
    mutate(current);
    for (const declared of levels) {
      const v = g.verdict(base, current, declared === "none" ? [] : [changeset(declared), changeset("major", "@cassandra-mi-netrules/emit-nsg")]);
      expect(v.required).toBe(needs);
      expect(v.declared).toBe(declared);
      expect(v.ok, `${needs} with ${declared}`).toBe(levels.indexOf(declared) >= levels.indexOf(needs));
      if (needs !== "none") expect(v.changes.length).toBeGreaterThan(0);
    }
  });

  it("the first release is the baseline", () => {
    expect(g.verdict(undefined, clone(), [])).toMatchObject({ ok: true, baseline: true });
  });
});

describe("semver guard as a script", () => {
  let dir = "";
  beforeAll(() => {
    dir = tempDir("semver");
    writeFileSync(join(dir, "released.json"), JSON.stringify(clone()));
    for (const [file, name] of [
      ["current.json", "a requirement removed"],
      ["added.json", "a requirement added"],
      ["renamed.json", "a requirement renamed"],
    ] as const) {
      const current = clone();
      fixture(name).mutate(current);
      writeFileSync(join(dir, file), JSON.stringify(current));
    }
    for (const level of ["patch", "minor", "major"]) {
      mkdirSync(join(dir, level));
      writeFileSync(join(dir, level, "README.md"), "# not a changeset\n");
      writeFileSync(join(dir, level, "x.md"), changeset(level).text);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const guardRun = (...args: string[]) => run(process.execPath, [join(ROOT, "scripts/semver-guard.mjs"), ...args], { cwd: ROOT });

  it("fails (1) when the changesets bump less than a removal needs, naming the change", () => {
    const r = guardRun("--released", join(dir, "released.json"), "--current", join(dir, "current.json"), "--changesets", join(dir, "minor"));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("major requirement jmx removed or renamed");
    expect(r.stderr).toContain('need major, changesets declare minor. Add a changeset with "@cassandra-mi-netrules/core": major');
  });

  it("fails (1) when a rename is declared minor, and when an added requirement is declared patch", () => {
    const renamed = guardRun("--released", join(dir, "released.json"), "--current", join(dir, "renamed.json"), "--changesets", join(dir, "minor"));
    expect(renamed.code).toBe(1);
    expect(renamed.stdout).toContain("major requirement gossip removed or renamed");
    expect(renamed.stdout).toContain("minor requirement cassandra-gossip added");
    expect(renamed.stderr).toContain("need major, changesets declare minor");
    const added = guardRun("--released", join(dir, "released.json"), "--current", join(dir, "added.json"), "--changesets", join(dir, "patch"));
    expect(added.code).toBe(1);
    expect(added.stdout).toContain("minor requirement new-endpoint added");
    expect(added.stderr).toContain('need minor, changesets declare patch. Add a changeset with "@cassandra-mi-netrules/core": minor');
    const enough = guardRun("--released", join(dir, "released.json"), "--current", join(dir, "added.json"), "--changesets", join(dir, "minor"));
    expect(enough.code).toBe(0);
    expect(enough.stdout).toContain("need minor, changesets declare minor");
  });

  it("passes (0) with a major changeset, and with no released snapshot (baseline)", () => {
    const ok = guardRun("--released", join(dir, "released.json"), "--current", join(dir, "current.json"), "--changesets", join(dir, "major"));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("semver-guard: ok:");
    const first = guardRun("--released", join(dir, "none.json"), "--current", join(dir, "current.json"), "--changesets", join(dir, "minor"));
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("first release, the baseline");
  });

  it("--write-snapshot records the dataset that --current then compares equal to", () => {
    const snap = join(dir, "snap", "dataset.json");
    expect(guardRun("--write-snapshot", "--released", snap, "--current", join(dir, "current.json")).code).toBe(0);
    const r = guardRun("--released", snap, "--current", join(dir, "current.json"), "--changesets", join(dir, "none"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("0 data change(s)");
  });
});

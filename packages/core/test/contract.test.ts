// The emitter contract's checks catch what they claim to: each broken emitter below fails the check named.
import { describe, expect, it } from "vitest";
import { coreMajor, type EmitResult, type Emitter, type ResolvedRules } from "@cassandra-mi-netrules/core";
import { emitterContract, matchesPath, withHostileText } from "@cassandra-mi-netrules/core/contract";
import { booleanOption, defineOptions } from "@cassandra-mi-netrules/core/options";

const options = defineOptions("good", { header: booleanOption("A header", true) });

/** A correct little emitter: one file, one coverage entry per rule, sorted, options checked. */
function good(overrides: Partial<Emitter<{ header?: boolean }>> = {}): Emitter<{ header?: boolean }> {
  return {
    name: "good",
    description: "a list of rule ids",
    coreMajor,
    options,
    files: ["out/*.txt"],
    emit(resolved: ResolvedRules, given?: { header?: boolean }): EmitResult {
      const { header } = options.settle(given);
      const ids = resolved.rules.map((r) => r.id).sort();
      return { files: [{ path: "out/ids.txt", content: `${header ? "ids\n" : ""}${ids.join("\n")}\n` }], coverage: ids.map((ruleId) => ({ ruleId, status: "enforced", how: "listed", why: "" })) };
    },
    ...overrides,
  };
}

async function failures(emitter: Emitter<never>, validate?: (r: EmitResult) => void): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const check of emitterContract(emitter, validate ? { validate } : {})) {
    try {
      await check.run();
    } catch (e) {
      out[check.name.split(":")[0] ?? check.name] = (e as Error).message;
    }
  }
  return out;
}

describe("emitterContract", () => {
  it("a correct emitter passes every check", async () => {
    expect(await failures(good() as Emitter<never>)).toEqual({});
  });

  it("catches output that depends on the order of the input rules", async () => {
    const e = good({ emit: (r) => ({ files: [{ path: "out/ids.txt", content: r.rules.map((x) => x.id).join("\n") }], coverage: r.rules.map((x) => ({ ruleId: x.id, status: "enforced", how: "listed", why: "" })) }) });
    expect(Object.values(await failures(e as Emitter<never>))).toContain('good: scenario "eastus, IPv4 subnet": the output depends on the order of the input rules');
  });

  it("catches a rule dropped from the coverage, and an unsupported entry without why", async () => {
    const dropped = good({ emit: (r) => ({ ...good().emit(r), coverage: good().emit(r).coverage.slice(1) }) });
    expect(Object.values(await failures(dropped as Emitter<never>)).join("\n")).toMatch(/coverage rule ids .* are not one per resolved rule/);
    const noWhy = good({ emit: (r) => ({ ...good().emit(r), coverage: good().emit(r).coverage.map((c) => ({ ...c, status: "unsupported" as const })) }) });
    expect(Object.values(await failures(noWhy as Emitter<never>)).join("\n")).toContain("unsupported without why");
  });

  it("catches unsafe or undeclared paths, and a validator's refusal", async () => {
    const escape = good({ emit: (r) => ({ ...good().emit(r), files: [{ path: "../ids.txt", content: "" }] }) });
    expect(Object.values(await failures(escape as Emitter<never>)).join("\n")).toContain('unsafe path "../ids.txt"');
    const undeclared = good({ files: ["*.csv"] });
    expect(Object.values(await failures(undeclared as Emitter<never>)).join("\n")).toContain('out/ids.txt matches none of its declared paths ["*.csv"]');
    const refused = await failures(good() as Emitter<never>, () => {
      throw new Error("schema says no");
    });
    expect(Object.values(refused).join("\n")).toContain("the target's validator refused the output: schema says no");
  });

  it("catches an option emit does not check, and an unknown key emit accepts", async () => {
    const lax = good({ emit: (r) => good().emit(r, {}) });
    expect(Object.values(await failures(lax as Emitter<never>)).join("\n")).toContain('emit accepted header: "yes"');
  });

  it("catches a missing core major and an emitter that throws on hostile text", async () => {
    const { coreMajor: _m, ...noMajor } = good();
    expect(Object.values(await failures(noMajor as Emitter<never>)).join("\n")).toContain(`coreMajor is undefined; this core's major is ${coreMajor}`);
    const fragile = good({
      emit: (r) => {
        if (r.rules.some((x) => x.purpose.en.includes("$("))) throw new Error("cannot handle $(");
        return good().emit(r);
      },
    });
    expect(Object.values(await failures(fragile as Emitter<never>)).join("\n")).toContain("emit threw: cannot handle $(");
  });

  it("puts hostile text in every free-text field, and matches declared paths", () => {
    expect(matchesPath("**/*.md", "en/index.md")).toBe(true);
    expect(matchesPath("**/*.md", "index.md")).toBe(true);
    expect(matchesPath("policy/**", "policy/a/b.rego")).toBe(true);
    expect(matchesPath("*.json", "a/b.json")).toBe(false);
    expect(matchesPath(".manifest", ".manifest")).toBe(true);
  });
});

describe("withHostileText", () => {
  it("changes only the free-text fields", async () => {
    const { resolveRules } = await import("@cassandra-mi-netrules/core");
    const r = resolveRules({ regions: ["eastus"] });
    const h = withHostileText(r, ["$(x)"]);
    expect(h.rules.map((x) => x.id)).toEqual(r.rules.map((x) => x.id));
    expect(h.rules.every((x) => x.purpose.en === "$(x)" && x.purpose.fr === "$(x)")).toBe(true);
    expect(h.rules.map((x) => x.fqdns)).toEqual(r.rules.map((x) => x.fqdns));
  });
});

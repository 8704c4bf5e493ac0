// The emitter contract's declared options (core/options) and the registry: one error class, names refused twice.
import { describe, expect, it } from "vitest";
import { EmitterOptionError, EmitterRegistry, resolveRules, type Emitter } from "@cassandra-mi-netrules/core";
import { booleanOption, choiceOption, cidrListOption, defineOptions, integerOption, stringOption, z } from "@cassandra-mi-netrules/core/options";

const declared = defineOptions(
  "demo",
  {
    name: stringOption("A name", /^[a-z]+$/, "must be lower-case letters", "abc"),
    on: booleanOption("A switch", false),
    level: integerOption("A level", { min: 1, max: 9 }),
    mode: choiceOption(["a", "b"], "A mode", "a"),
    peers: cidrListOption("Networks"),
    hook: z.custom<unknown>(() => true).optional().describe("Set in-process"),
  },
  { level: { flag: { name: "demo-level", value: "n" } }, hook: { internal: true } },
);

describe("defineOptions", () => {
  it("settles options with their declared defaults", () => {
    expect(declared.settle(undefined)).toEqual({ name: "abc", on: false, mode: "a" });
    expect(declared.settle({ level: 3, peers: ["192.0.2.0/24"] })).toEqual({ name: "abc", on: false, mode: "a", level: 3, peers: ["192.0.2.0/24"] });
  });

  it.each([
    [{ level: 0 }, "demo option level: must be an integer from 1 to 9 (value: 0)"],
    [{ level: 2.5 }, "demo option level: must be an integer from 1 to 9 (value: 2.5)"],
    [{ level: "3" }, 'demo option level: must be an integer from 1 to 9 (value: "3")'],
    [{ on: "yes" }, 'demo option on: must be true or false (value: "yes")'],
    [{ mode: "c" }, 'demo option mode: must be "a" or "b" (value: "c")'],
    [{ name: "A B" }, 'demo option name: must be lower-case letters (value: "A B")'],
    [{ peers: ["192.0.2.1/24"] }, 'demo option peers[0]: must be a CIDR prefix such as 192.0.2.0/24, without host bits (value: "192.0.2.1/24")'],
    [{ levle: 3 }, 'demo option levle: unknown option (known: name, on, level, mode, peers, hook); did you mean "level"? (value: 3)'],
    [[], "demo option (options): must be an object of options (value: [])"],
  ])("refuses %j naming the target, the option and the value", (options, message) => {
    expect(() => declared.settle(options as never)).toThrow(EmitterOptionError);
    expect(() => declared.settle(options as never)).toThrow(message);
  });

  it("the unknown key is reported before a bad value: a typo is the likelier mistake", () => {
    expect(() => declared.settle({ level: 0, lvl: 1 } as never)).toThrow("demo option lvl: unknown option");
  });

  it("lists every key with its description, JSON Schema (default included), flag and whether it is internal", () => {
    expect(declared.keys.map((k) => k.key)).toEqual(["name", "on", "level", "mode", "peers", "hook"]);
    const byKey = Object.fromEntries(declared.keys.map((k) => [k.key, k]));
    expect(byKey.level).toMatchObject({ description: "A level", schema: { type: "integer", minimum: 1, maximum: 9 }, flag: { name: "demo-level", value: "n" } });
    expect(byKey.name?.schema).toMatchObject({ type: "string", default: "abc" });
    expect(byKey.mode?.schema).toMatchObject({ enum: ["a", "b"], default: "a" });
    expect(byKey.peers?.schema).toMatchObject({ type: "array", items: { type: "string" } });
    expect(byKey.hook?.internal).toBe(true);
    expect(byKey.on?.flag).toBeUndefined();
  });

  it("a key without a description, or a flag that is not kebab-case, is refused when declared", () => {
    expect(() => defineOptions("x", { a: z.boolean().optional() })).toThrow("x options: a has no description");
    expect(() => defineOptions("x", { a: booleanOption("A") }, { a: { flag: { name: "--a" } } })).toThrow("x options: a: flag name must be kebab-case");
    expect(() => defineOptions("x", { a: booleanOption("A") }, { b: { internal: true } } as never)).toThrow("x options: extras for b, which the schema does not declare");
  });
});

describe("EmitterRegistry", () => {
  const resolved = resolveRules({ regions: ["eastus"] });
  const emitter = (name: string, pkg?: string): Emitter => ({
    name,
    description: "d",
    emit: () => ({ files: [], coverage: resolved.rules.map((r) => ({ ruleId: r.id, status: "enforced" as const, how: "", why: "" })) }),
    ...(pkg ? { package: { name: pkg, version: "1.0.0" } } : {}),
  });

  it("refuses a second emitter of the same name, naming both origins", () => {
    const r = new EmitterRegistry().register(emitter("nsg", "@cassandra-mi-netrules/emit-nsg"));
    expect(() => r.register(emitter("nsg"), "the plugin ./my-nsg.mjs")).toThrow('emitter name "nsg" of the plugin ./my-nsg.mjs collides with the emitter "nsg" of @cassandra-mi-netrules/emit-nsg: rename one of them');
    expect(() => r.register(emitter("Bad_Name"))).toThrow('emitter name must be kebab-case (value: "Bad_Name")');
  });

  it("a clone takes more emitters without changing the original", () => {
    const r = new EmitterRegistry().register(emitter("a"));
    const c = r.clone().register(emitter("b"), "x");
    expect(r.names()).toEqual(["a"]);
    expect(c.names()).toEqual(["a", "b"]);
    expect(c.origin("b")).toBe("x");
  });
});

/**
 * @cassandra-mi-netrules/core/contract: the checks every emitter must pass, a plugin's too, as plain
 * functions any test runner can call (the repository's testkit wraps them for vitest). Each check throws
 * ContractError saying what broke. A target's own validator (the ARM schemas, the kernel, opa,
 * markdownlint, an HCL parser) plugs in as `validate` and sees every output, hostile input included.
 */
import { coreMajor } from "./dataset.js";
import { resolveRules } from "./resolve.js";
import type { CoverageEntry, EmitResult, Emitter, EmitterOptionKey, JsonSchema, ResolvedRule, ResolvedRules, ResolveOptions } from "./types.js";

export class ContractError extends Error {
  constructor(
    readonly emitter: string,
    message: string,
  ) {
    super(`${emitter}: ${message}`);
    this.name = "ContractError";
  }
}

/** Inputs every emitter must render. */
export interface ContractScenario {
  readonly name: string;
  readonly resolve: ResolveOptions;
  /** Options for this scenario (default: none). */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** A target's own validator: throws (or rejects) when an output is not valid for that target. */
export type FamilyValidator = (result: EmitResult, scenario: string) => void | Promise<void>;

export interface ContractOptions {
  readonly scenarios?: readonly ContractScenario[];
  readonly validate?: FamilyValidator;
}

export interface ContractCheck {
  readonly name: string;
  run(): Promise<void>;
}

export const DEFAULT_SCENARIOS: readonly ContractScenario[] = [
  { name: "eastus, IPv4 subnet", resolve: { regions: ["eastus"], subnet: "10.9.0.0/24" } },
  { name: "two regions, IPv6 subnet", resolve: { regions: ["westeurope", "eastus2"], subnet: "2001:db8:1::/64" } },
  { name: "first revision, backup off", resolve: { revision: "2021-05-21", regions: ["eastus"], subnet: "10.9.0.0/24", features: { backup: false } } },
];

/** Text a free-text field of the data may hold; an emitter writes it as data in any of them, or refuses the input naming the field. */
export const HOSTILE_TEXTS: readonly string[] = [
  "[concat('a','b')]",
  "$(touch /tmp/pwned) `id` ${HOME}",
  "'; DROP TABLE x; --",
  'a "quoted" \\ back\\slash',
  "line one\n-A INPUT -j ACCEPT\n# next",
  "</script><script>alert(1)</script>",
  "{{md revision.id}} {{{raw}}} | pipe | *star* _under_",
  "\u001b[31mred\u001b[0m\u0007 \u202eevil\u202c",
  "ünïcødé — 日本語 ✓",
  `long ${"x".repeat(4000)}`,
];

/** The resolved rules with hostile text in every free-text field: each rule's purpose, conditions, inferences, notes and rows as written. */
export function withHostileText(resolved: ResolvedRules, texts: readonly string[] = HOSTILE_TEXTS): ResolvedRules {
  const rules = resolved.rules.map((r, i): ResolvedRule => {
    const t = texts[i % texts.length] ?? "";
    const both = { en: t, fr: t };
    return {
      ...r,
      purpose: both,
      conditions: r.conditions.map((c) => ({ ...c, ...both })),
      inferred: r.inferred.map((x) => ({ ...x, ...both })),
      provenance: { ...r.provenance, notes: [both], asWritten: Object.fromEntries(Object.keys(r.provenance.asWritten).map((k) => [k, t])) },
    };
  });
  return { ...resolved, rules, excluded: resolved.excluded.map((x, i) => ({ ...x, reason: { en: texts[i % texts.length] ?? "", fr: texts[i % texts.length] ?? "" } })) };
}

/** Whether `path` matches a declared pattern: `*` is one path segment (or part of one: `*.md`), `**` any number of segments. */
export function matchesPath(pattern: string, path: string): boolean {
  const match = (p: readonly string[], s: readonly string[]): boolean => {
    if (p.length === 0) return s.length === 0;
    const [head, ...rest] = p;
    if (head === "**") return match(rest, s) || (s.length > 0 && match(p, s.slice(1)));
    if (s.length === 0) return false;
    const re = new RegExp(`^${(head ?? "").replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*")}$`);
    return re.test(s[0] ?? "") && match(rest, s.slice(1));
  };
  return match(pattern.split("/"), path.split("/"));
}

const byPath = (r: EmitResult) => [...r.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
const byRule = (c: readonly CoverageEntry[]) => [...c].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
const same = (a: EmitResult, b: EmitResult) => JSON.stringify([byPath(a), byRule(a.coverage)]) === JSON.stringify([byPath(b), byRule(b.coverage)]);

/** Values a key's JSON Schema rules out: each must be refused by the declaration and by `emit`. */
function badValues(schema: JsonSchema): unknown[] {
  if (Array.isArray(schema.enum)) return ["__no_such_value__", 1];
  switch (schema.type) {
    case "boolean":
      return ["yes", 1];
    case "integer":
      return [1.5, "7", ...(typeof schema.minimum === "number" ? [schema.minimum - 1] : []), ...(typeof schema.maximum === "number" ? [schema.maximum + 1] : [])];
    case "number":
      return ["x"];
    case "string":
      return [12345, ...(typeof schema.pattern === "string" ? ["bad value! $(x)"] : [])];
    case "array":
      return ["not-a-list", [12345]];
    default:
      return [];
  }
}

/** The checks of the emitter contract, for `emitter`. */
export function emitterContract<O>(emitter: Emitter<O>, options: ContractOptions = {}): ContractCheck[] {
  const e = emitter as unknown as Emitter<Record<string, unknown>>;
  const name = typeof e?.name === "string" ? e.name : "(unnamed)";
  const fail = (message: string): never => {
    throw new ContractError(name, message);
  };
  const scenarios = options.scenarios ?? DEFAULT_SCENARIOS;
  const emitIn = (s: ContractScenario, resolved = resolveRules(s.resolve), extra: Record<string, unknown> = {}) => {
    try {
      return e.emit(resolved, { ...s.options, ...extra });
    } catch (err) {
      return fail(`scenario "${s.name}": emit threw: ${(err as Error).message}`);
    }
  };
  const validate = async (result: EmitResult, scenario: string) => {
    if (!options.validate) return;
    try {
      await options.validate(result, scenario);
    } catch (err) {
      fail(`scenario "${scenario}": the target's validator refused the output: ${(err as Error).message}`);
    }
  };
  const settableKeys = (): EmitterOptionKey[] => (e.options?.keys ?? []).filter((k) => !k.internal);
  const refuses = (what: string, act: () => unknown, key: string) => {
    let error: unknown;
    try {
      act();
    } catch (err) {
      error = err;
    }
    if (error === undefined) fail(`${what} accepted ${key}`);
    return error as Error;
  };

  return [
    {
      name: "declares its contract: a kebab-case name, a description, the core major, described options, paths",
      async run() {
        if (!/^[a-z][a-z0-9-]*$/.test(name)) fail("name must be kebab-case");
        if (typeof e.description !== "string" || e.description.trim() === "") fail("description must be a non-empty string");
        if (typeof e.emit !== "function") fail("emit must be a function");
        if (e.coreMajor !== coreMajor) fail(`coreMajor is ${JSON.stringify(e.coreMajor)}; this core's major is ${coreMajor}`);
        for (const k of e.options?.keys ?? []) {
          if (k.description.trim() === "") fail(`option ${k.key} has no description`);
          if (k.flag && !/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(k.flag.name)) fail(`option ${k.key}: flag ${JSON.stringify(k.flag.name)} is not kebab-case`);
        }
        for (const p of e.files ?? []) if (typeof p !== "string" || p === "" || p.startsWith("/")) fail(`files: ${JSON.stringify(p)} is not a relative path pattern`);
      },
    },
    {
      name: "gives the same bytes for the same input, whatever the order of the input rules",
      async run() {
        for (const s of scenarios) {
          const resolved = resolveRules(s.resolve);
          const first = emitIn(s, resolved);
          if (!same(first, emitIn(s, resolved))) fail(`scenario "${s.name}": two runs differ`);
          const reversed = { ...resolved, rules: [...resolved.rules].reverse(), excluded: [...resolved.excluded].reverse() };
          if (!same(first, emitIn(s, reversed))) fail(`scenario "${s.name}": the output depends on the order of the input rules`);
        }
      },
    },
    {
      name: "reports one coverage entry per resolved rule, each with how and (unless enforced) why",
      async run() {
        for (const s of scenarios) {
          const resolved = resolveRules(s.resolve);
          const { coverage } = emitIn(s, resolved);
          const got = coverage.map((c) => c.ruleId).sort();
          const want = resolved.rules.map((r) => r.id).sort();
          if (JSON.stringify(got) !== JSON.stringify(want)) fail(`scenario "${s.name}": coverage rule ids ${JSON.stringify(got)} are not one per resolved rule ${JSON.stringify(want)}`);
          for (const c of coverage) {
            if (!["enforced", "approximated", "unsupported"].includes(c.status)) fail(`${c.ruleId}: status ${JSON.stringify(c.status)}`);
            if (typeof c.how !== "string" || c.how.trim() === "") fail(`${c.ruleId}: how must say how the target handles it`);
            if (typeof c.why !== "string" || (c.status !== "enforced" && c.why.trim() === "")) fail(`${c.ruleId}: ${c.status} without why`);
          }
        }
      },
    },
    {
      name: "writes its files under relative paths it declares, and the target's validator takes every output",
      async run() {
        for (const s of scenarios) {
          const result = emitIn(s);
          const paths = result.files.map((f) => f.path);
          if (new Set(paths).size !== paths.length) fail(`scenario "${s.name}": a path is written twice`);
          for (const f of result.files) {
            const bad = typeof f.path !== "string" || f.path === "" || f.path.startsWith("/") || f.path.includes("\\") || f.path.split("/").some((seg) => seg === "" || seg === "." || seg === "..");
            if (bad) fail(`scenario "${s.name}": unsafe path ${JSON.stringify(f.path)}`);
            if (typeof f.content !== "string" || f.content.includes("\u0000")) fail(`${f.path}: content must be text without NUL`);
            if (e.files && !e.files.some((p) => matchesPath(p, f.path))) fail(`${f.path} matches none of its declared paths ${JSON.stringify(e.files)}`);
          }
          await validate(result, s.name);
        }
      },
    },
    {
      name: "writes hostile text in the data's free-text fields as data: deterministic, valid for the target",
      async run() {
        const s = scenarios[0] ?? DEFAULT_SCENARIOS[0];
        if (!s) return;
        const hostile = withHostileText(resolveRules(s.resolve));
        const result = emitIn(s, hostile);
        if (!same(result, emitIn(s, hostile))) fail("hostile text: two runs differ");
        for (const f of result.files) if (f.content.includes("\u0000")) fail(`${f.path}: holds a NUL`);
        await validate(result, `${s.name}, hostile text`);
      },
    },
    {
      name: "checks its options: every declared key's bad values refused by the declaration and by emit, unknown keys too",
      async run() {
        const s = scenarios[0] ?? DEFAULT_SCENARIOS[0];
        if (!s || !e.options) return;
        const declared = e.options;
        const resolved = resolveRules(s.resolve);
        declared.settle(undefined);
        emitIn(s, resolved, {});
        for (const k of settableKeys()) {
          if ("default" in k.schema) {
            declared.settle({ [k.key]: k.schema.default });
            emitIn(s, resolved, { [k.key]: k.schema.default });
          }
          for (const v of Array.isArray(k.schema.enum) ? k.schema.enum : []) declared.settle({ [k.key]: v });
          for (const bad of badValues(k.schema)) {
            const shown = `${k.key}: ${JSON.stringify(bad)}`;
            const err = refuses("the declaration", () => declared.settle({ [k.key]: bad }), shown);
            if (err.name !== "EmitterOptionError" || !err.message.includes(k.key)) fail(`the declaration refused ${shown} without an EmitterOptionError naming the key: ${err.message}`);
            refuses("emit", () => e.emit(resolved, { ...s.options, [k.key]: bad }), shown);
          }
        }
        refuses("the declaration", () => declared.settle({ __unknown__: true }), "an unknown key");
        refuses("emit", () => e.emit(resolved, { ...s.options, __unknown__: true }), "an unknown key");
      },
    },
  ];
}

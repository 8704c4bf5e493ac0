/**
 * The test code the ARM emitters' suites share (emit-nsg, emit-azure-firewall, emit-route-table): emit one template
 * and check it, golden files read back from disk, the matrix over every vendored region x revision x
 * option set, determinism under shuffled input, the fast-check property, the artifact stamp, and the
 * table of golden-file mutations that must make the validators fail. What each emitter enforces is
 * checked by its own `roundTrip`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  EmitterRegistry,
  regions,
  resolveRules,
  revisions,
  type CoverageEntry,
  type CoverageStatus,
  type EmitResult,
  type Emitter,
  type ResolvedRule,
  type ResolvedRules,
} from "@cassandra-mi-netrules/core";
import fc from "fast-check";
import { expect, it } from "vitest";
import { validateArmSchemaWhole, validateArmTemplate, vendoredServiceTags, VENDOR_DIR } from "./arm.js";

export interface ArmEmitterUnderTest<O> {
  /** The package name the template's stamp names. */
  readonly generator: string;
  readonly version: string;
  /** The template the emitter writes, e.g. `nsg.json`. */
  readonly file: string;
  /** Every file the emitter writes with its default options, when it writes more than the template (default: the template alone). */
  readonly files?: readonly string[];
  /** The named function (`emitNsgTemplate`...). */
  emit(resolved: ResolvedRules, options?: O): EmitResult;
  /** The package's `emitter` export and the registry name it must carry. */
  readonly emitter: Emitter<O>;
  readonly registryName: string;
  /** Reads the template back and checks it allows what the coverage claims; returns the claims checked. */
  roundTrip(resolved: ResolvedRules, options: O, content: string, coverage: readonly CoverageEntry[]): number;
}

export interface Emitted {
  readonly content: string;
  readonly coverage: readonly CoverageEntry[];
}

/** The template among the files an emitter wrote. */
export function templateOf<O>(target: ArmEmitterUnderTest<O>, out: EmitResult): string {
  const file = out.files.find((f) => f.path === target.file);
  if (!file) throw new Error(`${target.registryName} wrote no ${target.file} (files: ${out.files.map((f) => f.path).join(", ")})`);
  return file.content;
}

/** Emits the files, among them the template, which must pass the validators and read back as its coverage claims. */
export function emitChecked<O>(target: ArmEmitterUnderTest<O>, resolved: ResolvedRules, options: O): Emitted {
  const out = target.emit(resolved, options);
  expect(out.files.map((f) => f.path)).toEqual(target.files ?? [target.file]);
  const content = templateOf(target, out);
  expect(validateArmTemplate(content).errors).toEqual([]);
  target.roundTrip(resolved, options, content, out.coverage);
  return { content, coverage: out.coverage };
}

export interface GoldenScenario<O> {
  readonly name: string;
  readonly resolve: Parameters<typeof resolveRules>[0];
  readonly options: O;
}

/**
 * One test per scenario: the template and its coverage match `<name>.<file>` and `<name>.coverage.json`
 * in `goldenDir`, and the file on disk (not only the string in memory) passes the validators and the
 * official deploymentTemplate.json as published.
 */
export function goldenTests<O>(target: ArmEmitterUnderTest<O>, goldenDir: URL, scenarios: ReadonlyArray<GoldenScenario<O>>): void {
  for (const s of scenarios) {
    it(`${s.name}: matches the golden file, validates, reads back as the coverage claims`, async () => {
      const { content, coverage } = emitChecked(target, resolveRules(s.resolve), s.options);
      const templatePath = new URL(`${s.name}.${target.file}`, goldenDir).pathname;
      await expect(content).toMatchFileSnapshot(templatePath);
      await expect(`${JSON.stringify(coverage, null, 2)}\n`).toMatchFileSnapshot(new URL(`${s.name}.coverage.json`, goldenDir).pathname);
      const onDisk = readFileSync(templatePath, "utf8");
      expect(validateArmTemplate(onDisk).errors).toEqual([]);
      expect(validateArmSchemaWhole(JSON.parse(onDisk))).toBe(true);
    });
  }
}

/** ARM location names of the physical regions in the vendored region list, sorted. */
export function vendoredPhysicalRegions(): string[] {
  const doc = JSON.parse(readFileSync(join(VENDOR_DIR, "regions", "locations.tf.json"), "utf8")) as {
    locals: { locations_cached: { value: Array<{ name: string; metadata?: { regionType?: string } }> } };
  };
  return doc.locals.locations_cached.value
    .filter((l) => l.metadata?.regionType === "Physical")
    .map((l) => l.name)
    .sort();
}

export interface MatrixOptionSet<O> {
  readonly subnet?: string;
  readonly options: O;
  /** The revisions the option set applies to (default: every revision). */
  readonly revisions?: readonly string[];
}

/**
 * Every vendored region x every revision x every option set: each template passes the validators and
 * the whole official schema, and reads back as its coverage claims. Returns how many templates it
 * checked and the fewest claims one of them read back.
 */
export function runArmMatrix<O>(target: ArmEmitterUnderTest<O>, optionSets: ReadonlyArray<MatrixOptionSet<O>>): { templates: number; fewestClaims: number } {
  // The regions the resolver knows are every physical region of the vendored list, no fewer.
  expect(regions.map((r) => r.name).sort()).toEqual(vendoredPhysicalRegions());
  let templates = 0;
  let fewestClaims = Number.POSITIVE_INFINITY;
  for (const rev of revisions) {
    for (const region of regions) {
      for (const set of optionSets) {
        if (set.revisions && !set.revisions.includes(rev.id)) continue;
        const resolved = resolveRules({ revision: rev.id, regions: [region.name], ...(set.subnet ? { subnet: set.subnet } : {}) });
        const out = target.emit(resolved, set.options);
        const content = templateOf(target, out);
        const where = `${rev.id} ${region.name} ${JSON.stringify(set)}`;
        const result = validateArmTemplate(content);
        if (!result.ok) throw new Error(`${where}:\n${result.errors.join("\n")}`);
        if (!validateArmSchemaWhole(JSON.parse(content))) throw new Error(`${where}: rejected by deploymentTemplate.json as published`);
        fewestClaims = Math.min(fewestClaims, target.roundTrip(resolved, set.options, content, out.coverage));
        templates++;
      }
    }
  }
  return { templates, fewestClaims };
}

/**
 * Checks the destinations written for an outbound requirement (over all the rules that serve it) are
 * exactly one of its alternatives: one service tag as its global form or as all its regional forms,
 * each listing `feature` (`NSG`, `FW`, `UDR`) in the vendored service-tags file; or else its address prefixes.
 * Returns whether the global tag is written and the status the coverage must give (a tag standing in
 * for host names, or the global tag for a regional-only row, is `approximated`).
 */
export function expectAlternativeWritten(rule: ResolvedRule, destinations: readonly string[], feature: "NSG" | "FW" | "UDR"): { global: boolean; status: CoverageStatus } {
  const written = [...destinations].sort();
  const tag = rule.serviceTags.find((t) => written.includes(t.global.name) || t.regional.some((r) => written.includes(r.name)));
  if (!tag) {
    const prefixes = [...rule.prefixes.ipv4, ...rule.prefixes.ipv6].sort();
    expect(prefixes.length, `${rule.id}: destinations ${written.join(", ")} are none of its alternatives`).toBeGreaterThan(0);
    expect(written, `${rule.id}: its prefixes`).toEqual(prefixes);
    return { global: false, status: "enforced" };
  }
  const features = vendoredServiceTags();
  for (const d of written) expect(features.get(d) ?? [], `${rule.id}: ${d} lists ${feature} in networkFeatures`).toContain(feature);
  const global = written.includes(tag.global.name);
  expect(written, `${rule.id}: one form of ${tag.tag}`).toEqual(global ? [tag.global.name] : tag.regional.map((r) => r.name).sort());
  return { global, status: rule.fqdns.length + rule.unresolvedFqdns.length > 0 || (tag.regionalOnly && global) ? "approximated" : "enforced" };
}

/** A permutation of `items` that depends only on `seed`. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The same input gives the same files and coverage, in any order of the input rules. */
export function expectDeterministic<O>(target: ArmEmitterUnderTest<O>, resolved: ResolvedRules, options: O): void {
  const first = target.emit(resolved, options);
  expect(target.emit(resolved, options)).toEqual(first);
  for (let seed = 1; seed <= 5; seed++) expect(target.emit({ ...resolved, rules: shuffle(resolved.rules, seed) }, options)).toEqual(first);
}

/**
 * The emitter contract: registered under its name, `emitter.emit` renders what the named function does,
 * and the template's metadata and its first resource's tags name the generator, its version, the
 * revision and the data hash.
 */
export function contractTests<O>(target: ArmEmitterUnderTest<O>): void {
  const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
  it(`registers as ${target.registryName}; emitter.emit is the named function`, () => {
    expect(new EmitterRegistry().register(target.emitter).names()).toEqual([target.registryName]);
    expect(target.emitter.name).toBe(target.registryName);
    expect(target.emitter.emit(resolved)).toEqual(target.emit(resolved));
  });
  it("the metadata block and the first resource's tags name generator, version, revision and data hash", () => {
    const content = templateOf(target, target.emit(resolved));
    const doc = JSON.parse(content) as { metadata: Record<string, unknown>; resources: Array<{ tags?: Record<string, string> }> };
    expect(doc.metadata["cassandra-mi-netrules"]).toMatchObject({
      generator: target.generator,
      generatorVersion: target.version,
      revision: resolved.revision.id,
      dataHash: resolved.dataHash,
    });
    expect(doc.resources[0]?.tags).toEqual({ generator: `${target.generator} ${target.version}`, "dataset-revision": resolved.revision.id, "data-sha256": resolved.dataHash });
  });
}

const numRuns = Number(process.env.FC_NUM_RUNS ?? 60);

/**
 * Any revision, up to three regions, with or without a subnet, any options from `extra`, one rule id
 * made hostile (`[id]`, an ARM expression if left unescaped): the template is valid, reads back as its
 * coverage claims, and does not depend on the order of the input rules.
 */
export function checkArmProperty<O, X>(
  target: ArmEmitterUnderTest<O>,
  extra: fc.Arbitrary<X>,
  toOptions: (x: X, subnet: string | undefined) => O,
  revisionApplies: (revision: string) => boolean = () => true,
): void {
  const input = fc.record({
    revision: fc.constantFrom(...revisions.map((r) => r.id).filter(revisionApplies)),
    regions: fc.subarray(
      regions.map((r) => r.name),
      { minLength: 0, maxLength: 3 },
    ),
    subnet: fc.option(fc.constantFrom("10.9.0.0/24", "192.0.2.0/26", "198.51.100.0/25", "2001:db8:1::/64"), { nil: undefined }),
    seed: fc.integer(),
    hostile: fc.nat(),
    extra,
  });
  fc.assert(
    fc.property(input, (g) => {
      const base = resolveRules({ revision: g.revision, regions: g.regions, ...(g.subnet ? { subnet: g.subnet } : {}) });
      const victim = g.hostile % base.rules.length;
      const resolved: ResolvedRules = { ...base, rules: base.rules.map((r, i) => (i === victim ? { ...r, id: `[${r.id}]` } : r)) };
      const options = toOptions(g.extra, g.subnet);
      const out = target.emit(resolved, options);
      const content = templateOf(target, out);
      expect(validateArmTemplate(content).errors).toEqual([]);
      target.roundTrip(resolved, options, content, out.coverage);
      expect(target.emit({ ...resolved, rules: shuffle(resolved.rules, g.seed) }, options)).toEqual(out);
    }),
    { numRuns },
  );
}

export interface ArmMutation<D> {
  readonly name: string;
  readonly mutate: (doc: D) => void;
  /** What one of the errors must say: the field and the fault. */
  readonly field: RegExp;
  /** Which resource that same error must name, when the field alone does not say it. */
  readonly resource?: RegExp;
}

/** Where every validator message starts: the template, or a resource by index, type and name. */
const LOCATED = /^(?:template: |resources\[\d+\](?:\.resources\[\d+\])? Microsoft\.Network\/\S+ '|NSG ')/;

/**
 * The validator itself is tested: the golden file passes as it is, and each mutation of it fails with
 * an error naming the resource and the field; every error says where it is.
 */
export function mutationTests<D>(goldenText: string, mutations: ReadonlyArray<ArmMutation<D>>): void {
  it("the unmutated golden file passes", () => {
    expect(validateArmTemplate(goldenText)).toEqual({ ok: true, errors: [] });
  });
  for (const m of mutations) {
    it(`fails on: ${m.name}`, () => {
      const doc = JSON.parse(goldenText) as D;
      m.mutate(doc);
      const result = validateArmTemplate(doc);
      expect(result.ok).toBe(false);
      const hit = result.errors.find((e) => m.field.test(e) && (m.resource?.test(e) ?? true));
      expect(hit, `no error matches ${m.resource ?? ""} ${m.field}; got:\n${result.errors.join("\n")}`).toBeDefined();
      for (const e of result.errors) expect(e).toMatch(LOCATED);
    });
  }
}

/**
 * Terraform files over generated datasets and hostile strings: every file of the `terraform` target
 * (any valid layers and options, some requirement ids made hostile) parses with hcl/v2, passes the
 * azurerm 4.55.0 schema, reads back as the plan it was rendered from, and passes `terraform fmt -check`;
 * any string placed in the model reads back as itself, and Terraform itself evaluates each escaped
 * string to the original.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultSecurityRules, hclString, renderTerraform, type NetworkSecurityGroup, type Known, type SecurityRule } from "@cassandra-mi-netrules/azure";
import { compareStrings } from "@cassandra-mi-netrules/core";
import { planTerraform } from "@cassandra-mi-netrules/emit-terraform";
import { readTerraform, terraformLocals, terraformOutputs } from "@cassandra-mi-netrules/testkit/terraform";
import { expectFormatted, expectTerraformIsPlan, nfc } from "@cassandra-mi-netrules/testkit/terraform-emitter";
import { hostileText, numRuns, resolvedRules, seed } from "./arbitraries.js";
import { emitterCase, tryEmit } from "./emitters.js";

const FMT_BATCH = 400;

describe("property: Terraform files (terraform target)", () => {
  it("parse, pass the azurerm schema, read back as their plan, pass terraform fmt -check; hostile ids stay data", { timeout: 3_600_000 }, () => {
    const e = emitterCase("terraform");
    let cases = 0;
    let checked = 0;
    const limits = new Map<string, number>();
    const texts: string[] = [];
    fc.assert(
      fc.property(
        resolvedRules().chain((r) => fc.tuple(fc.constant(r), e.options(r), fc.array(fc.tuple(fc.nat(), hostileText), { maxLength: 2 }))),
        ([base, options, hostile]) => {
          cases++;
          // Some requirement ids made hostile (a prefix keeps them unique): they reach descriptions, locals and comments.
          const victims = new Map(hostile.map(([n, text]) => [n % base.rules.length, text] as const));
          const r = { ...base, rules: base.rules.map((x, i) => (victims.has(i) ? { ...x, id: `${victims.get(i)} ${x.id}` } : x)) };
          const out = tryEmit(e, r, options);
          if (!out.ok) {
            const key = out.error.message.replace(/\d+/g, "N");
            limits.set(key, (limits.get(key) ?? 0) + 1);
            return;
          }
          const text = (out.result.files[0] as { content: string }).content;
          const plan = planTerraform(r, options);
          expectTerraformIsPlan(text, plan.model);
          expect(out.result.coverage.map((c) => c.ruleId)).toEqual(r.rules.map((x) => x.id).sort(compareStrings));
          for (const c of out.result.coverage) {
            if (plan.layers.length > 1) for (const l of plan.layers) expect(c.how).toContain(`${l.layer} (`);
            // Together, the layers enforce exactly only where one of them does.
            if (c.status === "enforced") expect(plan.layers.some((l) => l.coverage.find((x) => x.ruleId === c.ruleId)?.status === "enforced")).toBe(true);
          }
          texts.push(text);
          if (texts.length >= FMT_BATCH) expectFormatted(texts.splice(0));
          checked++;
        },
      ),
      { numRuns: numRuns(), seed: seed() },
    );
    expectFormatted(texts);
    console.log(`property: terraform ${cases} cases (${checked} parsed back, schema-checked and fmt-checked; ${cases - checked} stopped by a target limit)`);
    for (const [k, n] of limits) console.log(`  terraform limit error x${n}: ${k}`);
    expect(checked).toBeGreaterThanOrEqual(Math.floor(cases * 0.85));
  });
});

describe("property: HCL string escaping", () => {
  it("any string in a name, a tag key or value, or a description reads back as itself; Terraform evaluates the escaped string to it", { timeout: 3_600_000 }, () => {
    const strings: string[] = [];
    const texts: string[] = [];
    const text = fc.oneof(hostileText, fc.string(), fc.string({ unit: "grapheme" }), fc.string().map((s) => `\${${s}}`), fc.string().map((s) => `%{${s}}`), fc.string().map((s) => `$\${${s}`));
    fc.assert(
      fc.property(text, text, (a, b) => {
        strings.push(a, b);
        // A rule with no destination is one Azure refuses (and the reader says so): an empty b stands for "*" there.
        const rule: Known<SecurityRule> = {
          name: "probe",
          properties: { description: a, priority: 100, direction: "Outbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: b === "" ? "*" : b, destinationPortRange: "443" },
        };
        const nsg: Known<NetworkSecurityGroup> = { name: b, tags: { [a]: b, key: a }, properties: { securityRules: [rule], defaultSecurityRules: defaultSecurityRules() as Known<SecurityRule>[] } };
        const hcl = renderTerraform({ networkSecurityGroup: nsg }, { header: [a, b], locals: { name: "probe", value: { [b]: [a, b] } } });
        texts.push(hcl);
        const read = readTerraform(hcl);
        const { location: _location, ...back } = read.networkSecurityGroups[0] as NetworkSecurityGroup;
        // HCL reads every string in Unicode Normalization Form C: the same text, in that form. An empty optional
        // string is an argument azurerm leaves unset, and the reader reads it so (the name and tags stay as they are).
        const set = Object.fromEntries(Object.entries(rule.properties).filter(([, v]) => v !== ""));
        expect(back).toEqual(nfc({ ...nsg, properties: { ...nsg.properties, securityRules: [{ ...rule, properties: set }] } }));
        expect(terraformLocals(hcl).probe).toEqual(nfc({ [b]: [a, b] }));
        if (texts.length >= FMT_BATCH) expectFormatted(texts.splice(0));
      }),
      { numRuns: numRuns(), seed: seed() },
    );
    expectFormatted(texts);
    // Terraform's own reading of every escaped string, in one run.
    expect(terraformOutputs(strings.map(hclString))).toEqual(strings.map((s) => s.normalize("NFC")));
    console.log(`property: hcl-escape ${strings.length} strings`);
  });
});

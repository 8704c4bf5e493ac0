/**
 * NSG, Azure Firewall Policy and route table templates over generated datasets: each output passes the
 * official ARM schemas plus testkit's semantic checks, and reads back (through the azure package's ARM
 * reader) into exactly what the coverage claims.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeArmString, escapeArmStrings } from "@cassandra-mi-netrules/azure";
import { checkArmSemantics, isArmExpression, parseNsgTemplate, validateArmTemplate } from "@cassandra-mi-netrules/testkit/arm";
import { firewallGrants, nsgGrants, routeTableProblems } from "./adapters-arm.js";
import { hostileText, numRuns, resolvedRules, seed } from "./arbitraries.js";
import { emitterCase, tryEmit } from "./emitters.js";
import { checkGrants } from "./model.js";

const targets = [
  { name: "nsg", parse: nsgGrants },
  { name: "azure-firewall", parse: firewallGrants },
] as const;

describe("property: ARM templates (nsg, azure-firewall, route-table)", () => {
  it("pass the ARM schemas and semantic checks, and parse back into what the coverage claims", { timeout: 3_600_000 }, () => {
    const emitters = [...targets, { name: "route-table", parse: undefined }].map((t) => ({ ...t, e: emitterCase(t.name), cases: 0, validated: 0, limits: new Map<string, number>() }));
    fc.assert(
      fc.property(
        resolvedRules().chain((r) => fc.tuple(fc.constant(r), fc.tuple(...emitters.map((t) => t.e.options(r))))),
        ([r, opts]) => {
          emitters.forEach((t, i) => {
            const o = opts[i];
            t.cases++;
            const out = tryEmit(t.e, r, o);
            if (!out.ok) {
              const key = out.error.message.replace(/requirement [a-z0-9-]+/, "requirement X").replace(/\d+/g, "N");
              t.limits.set(key, (t.limits.get(key) ?? 0) + 1);
              return;
            }
            expect(out.result.files.length).toBeGreaterThan(0);
            const templates = out.result.files.filter((f) => f.path.endsWith(".json"));
            for (const f of templates) {
              const v = validateArmTemplate(f.content);
              expect(v.errors, `${t.name} ${f.path} with options ${JSON.stringify(o)}`).toEqual([]);
            }
            if (t.parse === undefined) {
              // A route carries every port: it grants no allowance to compare; its routes are checked against the coverage.
              if (templates[0]) expect(routeTableProblems(templates[0].content, r, out.result.coverage, o as Record<string, unknown>)).toEqual([]);
            } else {
              const { grants, problems } = t.parse(out.result.files[0]?.content ?? "", r);
              expect([...problems, ...checkGrants(t.name, r, out.result.coverage, grants)]).toEqual([]);
            }
            t.validated++;
          });
        },
      ),
      { numRuns: numRuns(), seed: seed() },
    );
    for (const t of emitters) {
      console.log(`property: ${t.name} ${t.cases} cases (${t.validated} validated by ajv + semantic checks and parsed back; ${t.cases - t.validated} stopped by a target limit)`);
      for (const [k, n] of t.limits) console.log(`  ${t.name} limit error x${n}: ${k}`);
      expect(t.validated).toBeGreaterThanOrEqual(Math.floor(t.cases * 0.85));
    }
  });
});

describe("property: ARM string escaping", () => {
  it("any data string placed in a template reads back as the literal, never as an expression", { timeout: 3_600_000 }, () => {
    let cases = 0;
    fc.assert(
      fc.property(fc.oneof(hostileText, fc.string(), fc.string().map((s) => `[${s}]`), fc.string().map((s) => `[${s}`)), (s) => {
        cases++;
        const escaped = escapeArmString(s);
        expect(isArmExpression(escaped)).toBe(false);
        // A template that carries the string in metadata, a tag and a rule description.
        const template = escapeArmStrings({
          $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          contentVersion: "1.0.0.0",
          metadata: { note: s },
          resources: [
            {
              type: "Microsoft.Network/networkSecurityGroups",
              apiVersion: "2024-05-01",
              name: "nsg-probe",
              location: "eastus",
              tags: { note: s },
              properties: {
                securityRules: [
                  {
                    name: "probe",
                    properties: {
                      description: s.slice(0, 139),
                      priority: 100,
                      direction: "Outbound",
                      access: "Allow",
                      protocol: "Tcp",
                      sourceAddressPrefix: "VirtualNetwork",
                      sourcePortRange: "*",
                      destinationAddressPrefix: "Storage",
                      destinationPortRange: "443",
                    },
                  },
                ],
              },
            },
          ],
        });
        expect(checkArmSemantics(template)).toEqual([]);
        expect(parseNsgTemplate(template)[0]?.description).toBe(s.slice(0, 139));
      }),
      { numRuns: numRuns(), seed: seed() },
    );
    console.log(`property: arm-escape ${cases} cases`);
  });
});

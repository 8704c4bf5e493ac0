/** The evaluator's memos compute once, keep null, nest by key and stay bounded; each NSG is compiled only when its subject is evaluated. */
import { describe, expect, it } from "vitest";
import { BoundedMemo, memoized, submap } from "../src/evaluate/memo.js";
import { evaluateSubjects } from "../src/evaluate/evaluate.js";
import { subjectsOf } from "../src/evaluate/subjects.js";
import { readNetwork } from "../src/read/index.js";
import { resolveRules } from "@cassandra-mi-netrules/core";

describe("memoized and submap", () => {
  it("compute once per key, keep null as a value, and nest one map per key", () => {
    const memo = new WeakMap<object, WeakMap<object, string | null>>();
    const [a, b, x] = [{}, {}, {}];
    let calls = 0;
    const get = (outer: object, inner: object, value: string | null): string | null =>
      memoized(submap(memo, outer), inner, () => {
        calls++;
        return value;
      });
    expect(get(a, x, "ax")).toBe("ax");
    expect(get(a, x, "other")).toBe("ax");
    expect(get(b, x, null)).toBeNull();
    expect(get(b, x, "other")).toBeNull();
    expect(calls).toBe(2);
    expect(submap(memo, a)).toBe(submap(memo, a));
  });
});

describe("BoundedMemo", () => {
  it("computes a key once, remembers undefined too, and forgets everything once full", () => {
    const memo = new BoundedMemo<string, number | undefined>(3);
    let calls = 0;
    const compute = (k: string): number | undefined => {
      calls++;
      return k === "none" ? undefined : k.length;
    };
    expect(memo.get("a", compute)).toBe(1);
    expect(memo.get("a", compute)).toBe(1);
    expect(memo.get("none", compute)).toBeUndefined();
    expect(memo.get("none", compute)).toBeUndefined();
    expect(calls).toBe(2);
    expect(memo.get("abc", compute)).toBe(3);
    expect(memo.size).toBe(3);
    expect(memo.get("abcd", compute)).toBe(4);
    expect(memo.size).toBe(1);
    expect(memo.get("a", compute)).toBe(1);
    expect(calls).toBe(5);
  });
});

describe("subjects", () => {
  const nsg = (name: string) => ({
    type: "Microsoft.Network/networkSecurityGroups",
    apiVersion: "2023-09-01",
    name,
    location: "eastus",
    properties: { securityRules: [{ name: "AllowStorage", properties: { priority: 100, direction: "Outbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "Storage", destinationPortRange: "443" } }] },
  });
  const text = JSON.stringify({ $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", contentVersion: "1.0.0.0", resources: [nsg("nsg-a"), nsg("nsg-b")] });

  it("leave each NSG uncompiled until the stream comes to it", () => {
    const { network } = readNetwork({ name: "t.json", text });
    const resolved = resolveRules({ regions: ["eastus"] });
    const plans = subjectsOf(network, resolved);
    expect(plans.map((p) => p.name)).toEqual(["nsg-a", "nsg-b"]);
    for (const p of plans) expect("nsg" in p).toBe(false);
    const stream = evaluateSubjects(network, { resolved });
    const first = stream.next();
    expect(first.done).toBe(false);
    if (!first.done) expect(first.value.layers.nsg).toBe("nsg-a");
  });
});

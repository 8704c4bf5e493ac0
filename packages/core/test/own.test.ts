import { describe, expect, it } from "vitest";
import { ownValue, ownValueAnyCase } from "@cassandra-mi-netrules/core";

describe("ownValue", () => {
  const table: Record<string, number> = { tcp: 6, udp: 17 };

  it("gives the table's own entries", () => {
    expect(ownValue(table, "tcp")).toBe(6);
    expect(ownValue(table, "icmp")).toBeUndefined();
  });

  it("takes no name Object.prototype holds for an entry", () => {
    for (const name of ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf"]) expect(ownValue(table, name)).toBeUndefined();
  });

  it("gives an own entry named like an Object property", () => {
    const own = JSON.parse('{"__proto__": 1, "constructor": 2}') as Record<string, number>;
    expect(ownValue(own, "__proto__")).toBe(1);
    expect(ownValue(own, "constructor")).toBe(2);
  });
});

describe("ownValueAnyCase", () => {
  const table: Record<string, number> = { Location: 1, location: 2, "": 3 };

  it("takes the key itself first, else the first own key equal to it ignoring case", () => {
    expect(ownValueAnyCase(table, "location")).toBe(2);
    expect(ownValueAnyCase(table, "LOCATION")).toBe(1);
  });

  it("gives nothing for a key it does not hold, not the entry named by the empty string", () => {
    expect(ownValueAnyCase(table, "sku")).toBeUndefined();
    expect(ownValueAnyCase(table, "")).toBe(3);
  });

  it("takes no name Object.prototype holds for an entry, in any case", () => {
    for (const name of ["constructor", "CONSTRUCTOR", "__proto__", "toString"]) expect(ownValueAnyCase({ a: 1 }, name)).toBeUndefined();
  });
});

import { checkArmProperty } from "@cassandra-mi-netrules/testkit/arm-emitter";
import fc from "fast-check";
import { describe, it } from "vitest";
import { nsgUnderTest } from "./roundtrip.js";

const options = fc.record({
  regionalTags: fc.boolean(),
  denyInternetOutbound: fc.boolean(),
  viaFirewall: fc.boolean(),
  vnet: fc.boolean(),
  priorityStart: fc.integer({ min: 100, max: 400 }),
  priorityStep: fc.integer({ min: 1, max: 25 }),
});

describe("nsg properties", () => {
  it("any revision, regions, subnet and options: valid, read back as the coverage claims, independent of rule order", () => {
    checkArmProperty(nsgUnderTest, options, ({ vnet, viaFirewall, ...o }, subnet) => ({
      ...o,
      hostNamesViaFirewall: viaFirewall && o.denyInternetOutbound,
      internalScope: vnet || !subnet ? ("vnet" as const) : ("subnet" as const),
    }));
  });
});

import { checkArmProperty } from "@cassandra-mi-netrules/testkit/arm-emitter";
import fc from "fast-check";
import { describe, it } from "vitest";
import { firewallUnderTest } from "./roundtrip.js";

const options = fc.record({
  policy: fc.constantFrom("create" as const, "existing" as const),
  groupPriority: fc.integer({ min: 100, max: 65000 }),
  tier: fc.constantFrom("Standard" as const, "Premium" as const),
  regionalTags: fc.boolean(),
  fqdnNetworkRules: fc.boolean(),
  threatIntelMode: fc.option(fc.constantFrom("Deny" as const, "Alert" as const, "Off" as const), { nil: undefined }),
  intrusionDetection: fc.option(fc.constantFrom("Deny" as const, "Alert" as const, "Off" as const), { nil: undefined }),
});

describe("azure-firewall properties", () => {
  it("any revision, regions, subnet and options: valid, read back as the coverage claims, independent of rule order", () => {
    // The policy's own settings only where the policy is created, intrusion detection only on Premium.
    checkArmProperty(firewallUnderTest, options, ({ threatIntelMode, intrusionDetection, ...o }) => ({
      ...o,
      ...(o.policy === "create" && threatIntelMode ? { threatIntelMode } : {}),
      ...(o.policy === "create" && o.tier === "Premium" && intrusionDetection ? { intrusionDetection } : {}),
    }));
  });
});

import { udrAdvice } from "@cassandra-mi-netrules/core";
import { checkArmProperty } from "@cassandra-mi-netrules/testkit/arm-emitter";
import fc from "fast-check";
import { describe, it } from "vitest";
import { routeTableUnderTest } from "./roundtrip.js";

const options = fc.record({
  regionalTags: fc.boolean(),
  existing: fc.boolean(),
  disableBgpRoutePropagation: fc.boolean(),
});

describe("route-table properties", () => {
  it("any revision, regions, subnet and options: valid, read back as the coverage claims, independent of rule order", () => {
    // Up to three regions with regional tags stay within 25 service-tag routes.
    checkArmProperty(routeTableUnderTest, options, ({ existing, ...o }) => ({ ...o, routeTable: existing ? ("existing" as const) : ("create" as const) }));
  });

  it("sample-prefixes mode on the revisions whose page links the sample", () => {
    const revisions = new Set(udrAdvice.map((a) => a.revision));
    checkArmProperty(routeTableUnderTest, fc.boolean(), (existing) => ({ mode: "sample-prefixes" as const, routeTable: existing ? ("existing" as const) : ("create" as const) }), (revision) => revisions.has(revision));
  });
});

/** Address values read into terms once per text, and projected per address context: the memos never mix contexts or texts. */
import { describe, expect, it } from "vitest";
import { AddressSet, prefixSet } from "../src/evaluate/address-set.js";
import { bundledTagSpace } from "../src/evaluate/tag-space.js";
import { addressTerm, CLUSTER_POINT, literalSet, project, projectAll, type AddressContext } from "../src/evaluate/terms.js";

function context(subnet: AddressSet): AddressContext {
  return { tags: bundledTagSpace(), subnet, peers: AddressSet.EMPTY, virtualNetworkMaybe: AddressSet.EMPTY, virtualNetworkWhy: "test" };
}

describe("addressTerm", () => {
  it("reads a literal once per text, shared with literalSet, and a padded literal as its trimmed text", () => {
    const term = addressTerm("10.1.0.0/16", "sourceAddressPrefix");
    expect(term).toMatchObject({ kind: "literal", text: "10.1.0.0/16" });
    expect(addressTerm("10.1.0.0/16", "sourceAddressPrefix")).toBe(term);
    expect(term.kind === "literal" && term.set).toBe(literalSet("10.1.0.0/16"));
    expect(addressTerm("10.1.0.0/16 ", "sourceAddressPrefix")).toMatchObject({ kind: "literal", text: "10.1.0.0/16" });
  });

  it("names the field and the value's place only in an unknown term's reason", () => {
    expect(addressTerm("10.1.0.0/33", "sourceAddressPrefixes", 2)).toMatchObject({ kind: "unknown", reason: 'sourceAddressPrefixes[2] "10.1.0.0/33" is not an address, range or service tag' });
    expect(addressTerm("1nope", "destinationAddressPrefix")).toMatchObject({ kind: "unknown", reason: 'destinationAddressPrefix "1nope" is not an address, range or service tag' });
  });

  it("reads a value named like an Object property as any other text, never as a virtual tag", () => {
    for (const name of ["constructor", "Constructor", "hasOwnProperty"]) expect(addressTerm(name, "sourceAddressPrefix")).toMatchObject({ kind: "tag", text: name });
    expect(addressTerm("__proto__", "sourceAddressPrefix")).toMatchObject({ kind: "unknown", text: "__proto__" });
  });
});

describe("project", () => {
  it("keeps each address context's projection apart when contexts alternate", () => {
    const a = context(prefixSet(["10.0.0.0/24"]));
    const b = context(CLUSTER_POINT);
    const term = addressTerm("VirtualNetwork", "sourceAddressPrefix");
    const onA = project(term, a);
    const onB = project(term, b);
    expect(onA.certain.equals(a.subnet)).toBe(true);
    expect(onB.certain.equals(CLUSTER_POINT)).toBe(true);
    for (let i = 0; i < 3; i++) {
      expect(project(term, a)).toBe(onA);
      expect(project(term, b)).toBe(onB);
    }
  });

  it("remembers a list's union per context, and a list with a term made afresh is still projected", () => {
    const a = context(prefixSet(["10.0.0.0/24"]));
    const b = context(CLUSTER_POINT);
    const terms = ["VirtualNetwork", "Internet"].map((v) => addressTerm(v, "sourceAddressPrefixes"));
    const onA = projectAll(terms, a);
    expect(projectAll(terms, b)).not.toBe(onA);
    expect(projectAll(terms, a)).toBe(onA);
    const unknown = [...terms, addressTerm("not an address", "sourceAddressPrefixes", 2)];
    const withUnknown = projectAll(unknown, a);
    expect(withUnknown.reasons).toContain('sourceAddressPrefixes[2] "not an address" is not an address, range or service tag');
    expect(withUnknown.possible.isEmpty()).toBe(false);
  });
});

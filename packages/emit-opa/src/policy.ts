/** The Rego policy and its tests: `templates/rego/cassandra_mi/*.rego`, bundled at build; static text, driven by the data document. */
import { POLICY_REGO, TEST_REGO } from "./generated/rego.js";

export const POLICY_PACKAGE = "cassandra_mi.network";

/** `policy/cassandra_mi/network.rego`, byte for byte the repository's `templates/rego/cassandra_mi/network.rego`. */
export const POLICY_MODULE: string = POLICY_REGO;

/** `policy/cassandra_mi/network_test.rego`: the tests over the shipped fixtures and the synthetic document. */
export const TEST_MODULE: string = TEST_REGO;

let nonPublic: readonly string[] | undefined;
/** The policy's `non_public` blocks (no service tag and no `Internet` holds them), read from its text on first use: one list. */
export function policyNonPublic(): readonly string[] {
  nonPublic ??= [...(/^non_public := \[([^\]]*)\]/m.exec(POLICY_MODULE)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
  return nonPublic;
}

/**
 * The emitter contract on every registered emitter and on the example plugin, each with its target's own
 * validator where the repository has one: determinism, one coverage entry per resolved rule, hostile text,
 * options checked by the declaration and by emit, files under declared paths.
 */
import { registry } from "@cassandra-mi-netrules/cli";
import type { FamilyValidator } from "@cassandra-mi-netrules/core/contract";
import { allOf, armFamily, describeEmitterContract, markdownFamily, nftFamily, opaFamily, shellFamily } from "@cassandra-mi-netrules/testkit/contract";
import { emitter as csv } from "../examples/plugin-csv/index.mjs";

/** The validators of the built-in targets' families; a target without one gets the generic checks. */
const FAMILY: Readonly<Record<string, FamilyValidator>> = {
  nsg: armFamily,
  "azure-firewall": armFamily,
  "route-table": allOf(armFamily, shellFamily),
  iptables: shellFamily,
  nftables: nftFamily,
  markdown: markdownFamily,
  opa: opaFamily,
};

for (const name of registry.names()) {
  const emitter = registry.get(name);
  if (emitter) describeEmitterContract(emitter, { ...(FAMILY[name] ? { validate: FAMILY[name] } : {}) });
}
describeEmitterContract(csv);

// ESM consumer: the pinned dataset, the resolver, a subpath and every emitter.
import { currentRevision, requiredRules, resolveRules, version } from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";
import * as azureFirewall from "@cassandra-mi-netrules/emit-azure-firewall";
import * as iptables from "@cassandra-mi-netrules/emit-iptables";
import * as markdown from "@cassandra-mi-netrules/emit-markdown";
import * as nftables from "@cassandra-mi-netrules/emit-nftables";
import * as nsg from "@cassandra-mi-netrules/emit-nsg";
import * as opa from "@cassandra-mi-netrules/emit-opa";
import * as routeTable from "@cassandra-mi-netrules/emit-route-table";
import * as terraform from "@cassandra-mi-netrules/emit-terraform";

const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
const emitters = {};
for (const mod of [azureFirewall, iptables, markdown, nftables, nsg, opa, routeTable, terraform]) {
  const out = mod.emitter.emit(resolved);
  emitters[mod.emitter.name] = { version: mod.version, files: out.files.map((f) => f.path), coverage: out.coverage.length };
}
console.log(
  JSON.stringify({
    format: "esm",
    core: version,
    revision: currentRevision.id,
    requirements: requiredRules.length,
    loadServiceTags: typeof loadServiceTags,
    resolved: resolved.rules.length,
    emitters,
  }),
);

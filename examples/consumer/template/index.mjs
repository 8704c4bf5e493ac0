// ESM consumer: the pinned dataset, the resolver, a subpath, and every target the pinned command line registers.
import { registry } from "@cassandra-mi-netrules/cli";
import { currentRevision, requiredRules, resolveRules, version } from "@cassandra-mi-netrules/core";
import { loadServiceTags } from "@cassandra-mi-netrules/core/service-tags";

const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
const emitters = {};
for (const name of registry.names()) {
  const emitter = registry.get(name);
  const out = emitter.emit(resolved);
  emitters[name] = { version: emitter.package.version, files: out.files.map((f) => f.path), coverage: out.coverage.length };
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

// CommonJS consumer: the same checks through require().
const { registry } = require("@cassandra-mi-netrules/cli");
const { currentRevision, requiredRules, resolveRules, version } = require("@cassandra-mi-netrules/core");
const { loadServiceTags } = require("@cassandra-mi-netrules/core/service-tags");

const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
const emitters = {};
for (const name of registry.names()) {
  const emitter = registry.get(name);
  const out = emitter.emit(resolved);
  emitters[name] = { version: emitter.package.version, files: out.files.map((f) => f.path), coverage: out.coverage.length };
}
console.log(
  JSON.stringify({
    format: "cjs",
    core: version,
    revision: currentRevision.id,
    requirements: requiredRules.length,
    loadServiceTags: typeof loadServiceTags,
    resolved: resolved.rules.length,
    emitters,
  }),
);

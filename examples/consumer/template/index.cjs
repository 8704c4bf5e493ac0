// CommonJS consumer: the same checks through require().
const { currentRevision, requiredRules, resolveRules, version } = require("@cassandra-mi-netrules/core");
const { loadServiceTags } = require("@cassandra-mi-netrules/core/service-tags");

const resolved = resolveRules({ regions: ["eastus"], subnet: "10.9.0.0/24" });
const emitters = {};
for (const name of ["emit-azure-firewall", "emit-iptables", "emit-markdown", "emit-nftables", "emit-nsg", "emit-opa", "emit-route-table", "emit-terraform"]) {
  const mod = require(`@cassandra-mi-netrules/${name}`);
  const out = mod.emitter.emit(resolved);
  emitters[mod.emitter.name] = { version: mod.version, files: out.files.map((f) => f.path), coverage: out.coverage.length };
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

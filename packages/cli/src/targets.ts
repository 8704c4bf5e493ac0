// The built-in targets: one line per emitter package (registry.ts registers them in name order). A new target
// is its package plus one line here and the package in this package's dependencies; everything else (flags,
// help, config keys, documentation) comes from the emitter's declaration.
export { emitter as azureFirewall } from "@cassandra-mi-netrules/emit-azure-firewall";
export { emitter as iptables } from "@cassandra-mi-netrules/emit-iptables";
export { emitter as markdown } from "@cassandra-mi-netrules/emit-markdown";
export { emitter as nftables } from "@cassandra-mi-netrules/emit-nftables";
export { emitter as nsg } from "@cassandra-mi-netrules/emit-nsg";
export { emitter as opa } from "@cassandra-mi-netrules/emit-opa";
export { emitter as routeTable } from "@cassandra-mi-netrules/emit-route-table";
export { emitter as terraform } from "@cassandra-mi-netrules/emit-terraform";

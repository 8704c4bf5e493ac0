# METADATA
# title: Tests of cassandra_mi.network on the fixtures shipped with the bundle
# description: Run with opa test . (or opa test -b .) in the bundle directory.
package cassandra_mi.network_test

import data.cassandra_mi.network

fixtures := data.cassandra_mi.fixtures

# A fixture holds its input, or a JSON Patch of another fixture's input.
fixture_input(f) := json.patch(fixtures[f.base].input, f.patch) if {
	f.base
} else := f.input

# The synthetic document, or the bundle's own.
fixture_document(f) := data.cassandra_mi.synthetic if {
	f.document == "synthetic"
} else := data.cassandra_mi.requirements

expected(f) if {
	doc := fixture_document(f)
	inp := fixture_input(f)
	rep := network.report with input as inp with data.cassandra_mi.requirements as doc
	rep.format == f.expect.format
	count(rep.requirements) == count(f.expect.status)
	every id, st in f.expect.status {
		rep.requirements[id].status == st
	}
	{id | some id, r in rep.requirements; r.overBroad} == {id | some id in f.expect.overBroad}
	{split(m, ":")[0] | some m in rep.deny} == {id | some id in f.expect.deny}
	count(rep.deny) == count(f.expect.deny)
}

test_fixture_arm_complete if expected(fixtures["arm-complete"])

test_fixture_az_complete if expected(fixtures["az-complete"])

test_fixture_tfplan_complete if expected(fixtures["tfplan-complete"])

test_fixture_arm_nsg_only if expected(fixtures["arm-nsg-only"])

test_fixture_arm_allow_all if expected(fixtures["arm-allow-all"])

test_fixture_arm_firewall_allow_all if expected(fixtures["arm-firewall-allow-all"])

test_fixture_arm_empty if expected(fixtures["arm-empty"])

test_fixture_arm_shadowed if expected(fixtures["arm-shadowed"])

test_fixture_arm_network_deny_last if expected(fixtures["arm-network-deny-last"])

test_fixture_tfplan_narrowed if expected(fixtures["tfplan-narrowed"])

test_fixture_synthetic_arm_complete if expected(fixtures["synthetic-arm-complete"])

test_fixture_synthetic_az_complete if expected(fixtures["synthetic-az-complete"])

test_fixture_synthetic_tfplan_complete if expected(fixtures["synthetic-tfplan-complete"])

test_fixture_synthetic_arm_nsg_only if expected(fixtures["synthetic-arm-nsg-only"])

test_fixture_synthetic_arm_allow_all if expected(fixtures["synthetic-arm-allow-all"])

test_fixture_synthetic_arm_firewall_allow_all if expected(fixtures["synthetic-arm-firewall-allow-all"])

test_fixture_synthetic_arm_empty if expected(fixtures["synthetic-arm-empty"])

test_fixture_synthetic_arm_shadowed if expected(fixtures["synthetic-arm-shadowed"])

test_fixture_synthetic_arm_network_deny_last if expected(fixtures["synthetic-arm-network-deny-last"])

test_fixture_synthetic_tfplan_narrowed if expected(fixtures["synthetic-tfplan-narrowed"])

test_fixture_synthetic_az_partial if expected(fixtures["synthetic-az-partial"])

test_unknown_input_is_denied if {
	some m in network.deny with input as {"kind": "something else"}
	startswith(m, "input: ")
	network.report.format == "unknown" with input as {"kind": "something else"}
}

test_port_ranges if {
	network.port_range("*") == {"from": 0, "to": 65535}
	network.port_range("8000-8100") == {"from": 8000, "to": 8100}
	network.port_range("443") == {"from": 443, "to": 443}
}

test_fqdn_wildcards if {
	network.fqdn_covers("*.blob.core.windows.net", "snovapeastus.blob.core.windows.net")
	network.fqdn_covers("*.core.windows.net", "*.blob.core.windows.net")
	not network.fqdn_covers("snovapeastus.blob.core.windows.net", "*.blob.core.windows.net")
	not network.fqdn_covers("*.blob.core.windows.net", "blob.core.windows.net")
}

test_bare_addresses_and_subnet if {
	network.as_cidr("192.0.2.1") == "192.0.2.1/32"
	network.as_cidr("2001:db8::1") == "2001:db8::1/128"
	network.holds_subnet("[parameters('subnet')]", "allow") with data.cassandra_mi.requirements.subnet as null
	network.holds_subnet("192.0.2.0/24", "allow") with data.cassandra_mi.requirements.subnet as "192.0.2.0/25"
	not network.holds_subnet("192.0.2.0/25", "allow") with data.cassandra_mi.requirements.subnet as "192.0.2.0/24"
	network.holds_subnet("192.0.2.0/25", "deny") with data.cassandra_mi.requirements.subnet as "192.0.2.0/24"
}

test_az_single_document if {
	network.format == "az" with input as {"name": "nsg-x", "securityRules": []}
	network.layers == {"nsg"} with input as {"name": "nsg-x", "securityRules": []}
}

test_deny_overlaps_either_way if {
	network.covers_cidr("10.0.0.0/8", "10.1.0.0/16", "deny")
	network.covers_cidr("10.1.0.0/16", "10.0.0.0/8", "deny")
	not network.covers_cidr("10.1.0.0/16", "10.0.0.0/8", "allow")
}

test_firewall_order if {
	network.fw_before({"kind": "app", "g": 100, "c": 100}, {"kind": "app", "g": 100, "c": 200})
	not network.fw_before({"kind": "app", "g": 100, "c": 200}, {"kind": "app", "g": 100, "c": 100})
	network.fw_before({"kind": "net", "g": 65000, "c": 65000}, {"kind": "app", "g": 100, "c": 100})
	not network.fw_before({"kind": "app", "g": 100, "c": 100}, {"kind": "net", "g": 65000, "c": 65000})
}

test_fqdn_in_network_rule if {
	rule := {"kind": "net", "ip_protocols": ["tcp"], "ports": [{"from": 443, "to": 443}], "src": ["*"], "dst": [], "fqdns": ["*.b.example.com"]}
	network.fw_match(rule, {"kind": "fqdn", "fqdn": "x.b.example.com", "from": 443, "to": 443}, "allow")
	not network.fw_match(rule, {"kind": "fqdn", "fqdn": "x.c.example.com", "from": 443, "to": 443}, "allow")
	not network.fw_match(rule, {"kind": "fqdn", "fqdn": "x.b.example.com", "from": 8443, "to": 8443}, "allow")
}

test_arm_child_security_rules if {
	inp := {"resources": [{
		"type": "Microsoft.Network/networkSecurityGroups/securityRules",
		"name": "nsg-x/r1",
		"properties": {"priority": 100, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "destinationAddressPrefix": "Internet", "destinationPortRange": "*"},
	}]}
	network.layers == {"nsg"} with input as inp
	count(network.nsg_rules) == 1 with input as inp
}

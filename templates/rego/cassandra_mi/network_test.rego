# METADATA
# title: Tests of cassandra_mi.network on the fixtures shipped with the bundle
# description: Run with opa test . (or opa test -b .) in a bundle emitted with includeTests.
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
	{id: v.status | some id, v in rep.verdicts} == f.expect.status
	{split(m, ":")[0] | some m in rep.deny} == {id | some id in f.expect.deny}
	count(rep.deny) == count(f.expect.deny)
	count(rep.warn) > 0 == f.expect.warn
}

# One test per fixture: each has the time budget of one test.
shipped := {"arm-complete", "az-complete", "tfplan-complete", "arm-nsg-only", "arm-allow-all", "arm-firewall-allow-all", "arm-empty", "arm-shadowed", "arm-network-deny-last", "tfplan-narrowed", "arm-deny-azurecloud", "synthetic-arm-complete", "synthetic-az-complete", "synthetic-tfplan-complete", "synthetic-arm-nsg-only", "synthetic-arm-allow-all", "synthetic-arm-firewall-allow-all", "synthetic-arm-empty", "synthetic-arm-shadowed", "synthetic-arm-network-deny-last", "synthetic-tfplan-narrowed", "synthetic-arm-deny-azurecloud", "synthetic-arm-deny-storage-westeurope"}

test_every_fixture_has_a_test if {
	{name | some name, _ in fixtures} == shipped
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

test_fixture_arm_deny_azurecloud if expected(fixtures["arm-deny-azurecloud"])

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

test_fixture_synthetic_arm_deny_azurecloud if expected(fixtures["synthetic-arm-deny-azurecloud"])

test_fixture_synthetic_arm_deny_storage_westeurope if expected(fixtures["synthetic-arm-deny-storage-westeurope"])

test_unknown_input_is_denied if {
	some m in network.deny with input as {"kind": "something else"}
	startswith(m, "input: not an ARM template")
	network.report.format == "unknown" with input as {"kind": "something else"}
}

test_nothing_to_audit_is_denied if {
	some m in network.deny with input as {"resources": []}
	startswith(m, "input: nothing to audit")
	statuses := {v.status | some v in network.verdicts} with input as {"resources": []}
	statuses == {"not-auditable"}
}

test_port_ranges if {
	network.port_range("*") == [0, 65535]
	network.port_range("8000-8100") == [8000, 8100]
	network.port_range("443") == [443, 443]
	not network.port_range("[parameters('port')]")
	network.port_spec(["443", 7000, "x"]) == {"ranges": [[443, 443], [7000, 7000]], "unknown": true}
}

test_names if {
	network.name_covers("*.blob.core.windows.net", "snovapeastus.blob.core.windows.net")
	network.name_covers("*.core.windows.net", "*.blob.core.windows.net")
	not network.name_covers("snovapeastus.blob.core.windows.net", "*.blob.core.windows.net")
	not network.name_covers("*.blob.core.windows.net", "blob.core.windows.net")
}

test_address_terms if {
	network.as_cidr("192.0.2.1") == "192.0.2.1/32"
	network.as_cidr("2001:db8::1") == "2001:db8::1/128"
	network.address_term("AzureLoadBalancer") == {"k": "cidr", "v": "168.63.129.16/32"}
	network.address_term("[parameters('x')]").k == "unknown"
	network.address_term("Internet") == {"k": "internet"}
	network.address_term("VirtualNetwork") == {"k": "vnet"}
}

test_terms_against_pieces if {
	atom := {"k": "atom", "fam": 4, "sig": {"storage"}}
	network.holds({"k": "cidr", "v": "0.0.0.0/0"}, atom) == "yes"
	network.holds({"k": "cidr", "v": "13.64.0.0/11"}, atom) == "maybe"
	network.holds({"k": "cidr", "v": "10.0.0.0/8"}, atom) == "no"
	network.holds({"k": "tag", "v": "storage"}, atom) == "yes"
	network.holds({"k": "tag", "v": "sql"}, atom) == "no"
	network.holds({"k": "internet"}, {"k": "local", "v": "10.9.0.0/24"}) == "no"
	network.holds({"k": "vnet"}, {"k": "local", "v": "10.9.0.0/24"}) == "yes"
	network.holds({"k": "cidr", "v": "10.9.0.0/16"}, {"k": "local", "v": "10.9.0.0/24"}) == "yes"
	network.holds({"k": "cidr", "v": "10.9.0.0/16"}, {"k": "local", "v": null}) == "maybe"
	network.holds({"k": "cidr", "v": "13.64.0.0/11"}, {"k": "cidr", "v": "13.64.0.0/16", "tag": null}) == "yes"
	network.holds({"k": "internet"}, {"k": "opaque", "fam": 4}) == "yes"
	network.holds({"k": "cidr", "v": "0.0.0.0/0"}, {"k": "opaque", "fam": 4}) == "yes"
	network.holds({"k": "unknown"}, atom) == "maybe"
	network.holds({"k": "none"}, atom) == "no"
}

test_tri_logic if {
	network.all_of(["yes", "maybe"]) == "maybe"
	network.all_of(["yes", "no", "maybe"]) == "no"
	network.any_of({"no", "maybe"}) == "maybe"
	network.side([], false, {"k": "local", "v": null}) == "maybe"
	network.ports_match({"ranges": [], "unknown": true}, [443, 443]) == "maybe"
	network.ports_match({"ranges": [[440, 450]], "unknown": false}, [443, 444]) == "yes"
	network.ports_match({"ranges": [[444, 450]], "unknown": false}, [443, 444]) == "maybe"
	network.ports_match({"ranges": [[500, 600]], "unknown": false}, [443, 444]) == "no"
}

test_rule_values if {
	network.access_of("Allow") == ["allow"]
	network.access_of("[parameters('access')]") == ["allow", "deny"]
	network.direction_of(7) == null
	network.nsg_protocol("Udp") == "no"
	network.nsg_protocol("[parameters('p')]") == "maybe"
	network.nsg_protocol(null) == "maybe"
	network.source_ports(["1024-2048"]) == "maybe"
	network.priority_of("[add(111, copyIndex())]") == -1
}

test_az_single_document if {
	network.format == "az" with input as {"name": "nsg-x", "securityRules": []}
	network.subjects == [{"name": "nsg-x", "nsg": "nsg-x"}] with input as {"name": "nsg-x", "securityRules": []}
}

test_default_rules_are_always_there if {
	rules := network.nsg_rules["nsg-x"] with input as {"name": "nsg-x", "securityRules": []}
	[r.name | some r in rules] == ["AllowVnetInBound", "AllowAzureLoadBalancerInBound", "DenyAllInBound", "AllowVnetOutBound", "AllowInternetOutBound", "DenyAllOutBound"]
}

test_arm_child_security_rules if {
	inp := {"resources": [{
		"type": "Microsoft.Network/networkSecurityGroups/securityRules",
		"name": "nsg-x/r1",
		"properties": {"priority": 100, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "destinationAddressPrefix": "Internet", "destinationPortRange": "*"},
	}]}
	network.nsg_keys == {"nsg-x"} with input as inp
	count(network.custom_nsg_rules) == 1 with input as inp
}

test_dns_proxy if {
	network.dns_proxy == "maybe" with input as {"resources": []}
	network.dns_proxy == "no" with input as {"resources": [{"type": "Microsoft.Network/firewallPolicies", "name": "p", "properties": {}}]}
	network.dns_proxy == "yes" with input as {"resources": [{"type": "Microsoft.Network/firewallPolicies", "name": "p", "properties": {"dnsSettings": {"enableProxy": true}}}]}
}

test_ipv6_pieces if {
	network.family("2001:db8::/32") == 6
	network.holds({"k": "cidr", "v": "::/0"}, {"k": "atom", "fam": 6, "sig": set()}) == "yes"
	network.atom_family(5) == 6 with data.cassandra_mi.requirements as {"atoms": {"v4": 3, "v6": 4}}
}

test_tags_that_hold_no_flow_address if {
	other := {"tags": {}, "otherTags": {"suffixes": "eastus westus", "names": {"sql": "- 0"}}}
	network.address_term("Sql") == {"k": "none"} with data.cassandra_mi.requirements as other
	network.address_term("Sql.EastUS") == {"k": "none"} with data.cassandra_mi.requirements as other
	network.address_term("Sql.NorthEurope").k == "unknown" with data.cassandra_mi.requirements as other
	network.holds({"k": "none"}, {"k": "opaque", "fam": 6}) == "maybe"
	network.holds({"k": "none"}, {"k": "cidr", "v": "20.1.0.0/16", "tag": null}) == "maybe"
	network.holds({"k": "none"}, {"k": "cidr", "v": "10.1.0.0/16", "tag": null}) == "no"
	network.holds({"k": "none"}, {"k": "cidr", "v": "20.1.0.0/16", "tag": "storage"}) == "no"
	network.holds({"k": "tag", "v": "storage"}, {"k": "cidr", "v": "10.1.0.0/16", "tag": null}) == "no"
}

test_internet_and_vnet_against_prefixes if {
	network.holds({"k": "internet"}, {"k": "cidr", "v": "10.1.0.0/16", "tag": null}) == "no"
	network.holds({"k": "vnet"}, {"k": "cidr", "v": "10.1.0.0/16", "tag": null}) == "maybe"
	network.holds({"k": "vnet"}, {"k": "cidr", "v": "20.1.0.0/16", "tag": null}) == "no"
	network.holds({"k": "cidr", "v": "13.64.0.0/16"}, {"k": "cidr", "v": "13.64.0.0/11", "tag": null}) == "maybe"
}

# A virtual network may use public addresses: those of the cluster subnet are VirtualNetwork, not Internet.
test_public_subnet if {
	public := {"subnet": "2001:4860:4::/64", "tags": {}}
	network.holds({"k": "internet"}, {"k": "opaque", "fam": 6}) == "maybe" with data.cassandra_mi.requirements as public
	network.holds({"k": "vnet"}, {"k": "opaque", "fam": 6}) == "maybe" with data.cassandra_mi.requirements as public
	network.holds({"k": "internet"}, {"k": "opaque", "fam": 4}) == "yes" with data.cassandra_mi.requirements as public
	network.holds({"k": "vnet"}, {"k": "opaque", "fam": 4}) == "no" with data.cassandra_mi.requirements as public
	network.holds({"k": "internet"}, {"k": "cidr", "v": "2001:4860:4::/96", "tag": null}) == "no" with data.cassandra_mi.requirements as public
	network.holds({"k": "vnet"}, {"k": "cidr", "v": "2001:4860:4::/96", "tag": null}) == "yes" with data.cassandra_mi.requirements as public
	network.holds({"k": "internet"}, {"k": "cidr", "v": "2001:4860::/32", "tag": null}) == "maybe" with data.cassandra_mi.requirements as public
	network.holds({"k": "vnet"}, {"k": "cidr", "v": "2001:4860::/32", "tag": null}) == "maybe" with data.cassandra_mi.requirements as public
	network.holds({"k": "internet"}, {"k": "cidr", "v": "2a01:111::/32", "tag": null}) == "yes" with data.cassandra_mi.requirements as public
	network.holds({"k": "vnet"}, {"k": "cidr", "v": "2a01:111::/32", "tag": null}) == "no" with data.cassandra_mi.requirements as public
	network.holds({"k": "vnet"}, {"k": "cidr", "v": "10.9.1.0/24", "tag": null}) == "yes" with data.cassandra_mi.requirements as {"subnet": "10.9.0.0/16"}
	network.holds({"k": "internet"}, {"k": "opaque", "fam": 4}) == "yes" with data.cassandra_mi.requirements as {"subnet": "10.9.0.0/16"}
}

# With a service-tags file the data document carries each tag's prefixes: tags are compared as prefixes.
test_tag_prefixes_from_a_file if {
	prefixed := {"tags": {"storage": {"atoms": "", "prefixes": ["20.1.0.0/16", "20.2.0.0/24"]}}}
	network.holds({"k": "tag", "v": "storage"}, {"k": "cidr", "v": "20.1.0.0/24", "tag": null}) == "yes" with data.cassandra_mi.requirements as prefixed
	network.holds({"k": "tag", "v": "storage"}, {"k": "cidr", "v": "20.2.0.0/16", "tag": null}) == "maybe" with data.cassandra_mi.requirements as prefixed
	network.holds({"k": "tag", "v": "storage"}, {"k": "cidr", "v": "21.0.0.0/8", "tag": null}) == "no" with data.cassandra_mi.requirements as prefixed
	pieces := network.tag_pieces(["Storage"]) with data.cassandra_mi.requirements as prefixed with network.cut_cidrs as set()
	pieces == {
		{"k": "cidr", "v": "20.1.0.0/16", "tag": "storage", "of": "20.1.0.0/16"},
		{"k": "cidr", "v": "20.2.0.0/24", "tag": "storage", "of": "20.2.0.0/24"},
	}
}

# Without a file, a prefix of a tag the rules name is compared through the containment table.
test_tag_relation_in_the_table if {
	table := {"tags": {"azurecloud": {"atoms": "0-3"}, "storage": {"atoms": "1-2"}, "sql": {"atoms": "5"}, "half": {"atoms": "2 5"}, "empty": {"atoms": ""}}}
	network.holds({"k": "tag", "v": "azurecloud"}, {"k": "cidr", "v": "20.0.0.0/24", "tag": "storage"}) == "yes" with data.cassandra_mi.requirements as table
	network.holds({"k": "tag", "v": "sql"}, {"k": "cidr", "v": "20.0.0.0/24", "tag": "storage"}) == "no" with data.cassandra_mi.requirements as table
	network.holds({"k": "tag", "v": "half"}, {"k": "cidr", "v": "20.0.0.0/24", "tag": "storage"}) == "maybe" with data.cassandra_mi.requirements as table
	network.tag_relation("azurecloud", "empty") == "maybe" with data.cassandra_mi.requirements as table
}

test_rule_fields if {
	network.nsg_ports({}) == {"ranges": [[0, 65535]], "unknown": false}
	network.list_or_one(null) == []
	network.list_or_one(["7000"]) == ["7000"]
	network.fw_protocol("network", {"ipProtocols": ["UDP"]}) == "no"
	network.direction_match(null, "outbound") == "maybe"
}

tf_firewall_policy(dns) := {"planned_values": {"root_module": {"resources": [{"mode": "managed", "type": "azurerm_firewall_policy", "values": {"dns": dns}}]}}}

test_dns_proxy_in_a_plan if {
	network.dns_proxy == "yes" with input as tf_firewall_policy([{"proxy_enabled": true}])
	network.dns_proxy == "no" with input as tf_firewall_policy([])
}

test_cuts_and_pieces if {
	network.cidr_parts("20.0.0.0/23") == {"20.0.0.0/24", "20.0.1.0/24"} with network.cut_cidrs as {"20.0.0.0/24", "20.0.1.0/24"}
	network.cidr_parts("20.0.0.0/23") == {"20.0.0.0/23", "20.0.0.0/24"} with network.cut_cidrs as {"20.0.0.0/24"}
	network.local_parts == {null} with data.cassandra_mi.requirements as {"subnet": null}
	network.port_pieces({"ports": [[440, 450]]}) == {[440, 442], [443, 450]} with network.rule_bounds as {443}
}

test_firewall_targets if {
	network.name_covers("*", "a.example.com")
	network.by_address({"dst": [], "dst_asg": false}, {"k": "local", "v": null}) == "no"
	network.app_names({"names": [], "names_maybe": true}, {"name": "a.example.com"}) == "maybe"
	rule := {"names": ["a.example.com"]}
	network.by_name(rule, {"name": "a.example.com"}) == "no" with network.dns_proxy as "no"
	network.by_name(rule, {"all": true}) == "maybe" with network.dns_proxy as "yes"
	network.by_name(rule, {"name": "b.example.com"}) == "no" with network.dns_proxy as "yes"
	network.by_name(rule, {"name": "a.example.com"}) == "yes" with network.dns_proxy as "yes"
}

test_verdict_texts if {
	network.subjects == [] with input as {"resources": []}
	network.flow_result({"name": "x", "nsg": "x"}, {"unknown": "no address"}) == {"status": "unknown", "why": "no address", "mayBeOpen": true}
	network.example([{"fates": {"deny"}}], [{"dst": {"k": "cidr", "v": "20.0.0.0/24"}}]) == ", e.g. 20.0.0.0/24"
	network.default_note({"default": true}) == " (Azure default rule)"
	network.subject_prefix("a") == "a: " with network.subjects as [{"name": "a"}, {"name": "b"}]
	network.detail_text("not-auditable", [], []) == "not auditable: no alternative"
	network.flow_text("blocked", {"label": "tcp/443 to X", "status": "unknown"}) == "tcp/443 to X is unknown"
}

test_warning_terms if {
	network.public_term({"k": "cidr", "v": "20.0.0.0/8"}) with data.cassandra_mi.requirements as {"subnet": "10.9.0.0/24"}
	network.port_label([80, 80]) == "80"
	network.t_text({"k": "cidr", "v": "192.0.2.0/24"}) == "192.0.2.0/24"
	network.inside_subnet({"k": "vnet"})
}

# As the evaluator: a part surely open and a part surely blocked is partly open, whatever the unknown parts.
test_partly_open_beside_unknown_parts if {
	rule := {"layer": "firewall", "kind": "none", "name": "r", "key": [9, 0, 0]}
	open := {"fates": {"allow"}, "allows": set(), "maybe": [], "blocked_by": []}
	either := {"fates": {"allow", "deny"}, "allows": set(), "maybe": [rule], "blocked_by": []}
	shut := {"fates": {"deny"}, "allows": set(), "maybe": [], "blocked_by": [rule]}
	network.flow_verdict([open, either, shut], []).status == "partly-open"
	network.flow_verdict([either, shut], []).status == "unknown"
	network.alternative_status([{"status": "open"}, {"status": "unknown"}, {"status": "blocked"}]) == "partly-open"
	network.alternative_status([{"status": "partly-open"}, {"status": "unknown"}]) == "partly-open"
	network.alternative_status([{"status": "open"}, {"status": "unknown"}]) == "unknown"
}

test_best_alternative if {
	network.best([]) == "not-auditable"
	network.best([{"status": "unknown", "mayBeOpen": false}, {"status": "partly-open"}]) == "partly-open"
	network.best([{"status": "unknown", "mayBeOpen": true}, {"status": "partly-open"}]) == "unknown"
	network.best([{"status": "unknown", "mayBeOpen": false}, {"status": "blocked"}]) == "unknown"
	network.may_be_open([{"fates": {"allow", "deny"}}, {"fates": {"deny"}}]) == false
	network.alternative_may_be_open([{"status": "unknown", "mayBeOpen": true}, {"status": "open"}])
	network.alternative_may_be_open([{"status": "blocked"}]) == false
}

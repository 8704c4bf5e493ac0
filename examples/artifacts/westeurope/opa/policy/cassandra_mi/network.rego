# METADATA
# title: Azure Managed Instance for Apache Cassandra network requirements
# description: >-
#   Audits an ARM template, the JSON of az network nsg show and
#   az network firewall policy rule-collection-group show, or a Terraform
#   plan, and says per requirement whether the rules allow it.
# custom:
#   generator: "@cassandra-mi-netrules/emit-opa 0.1.0"
#   core: "0.1.0"
#   revision: "2021-11-02"
#   dataSha256: "ee1f98a6dbc4bb167289f09467b0564294d4f3e858ca0fc2160e9b4a30b758cf"
#   regions: ["westeurope"]
#   subnet: "10.9.0.0/24"
#   serviceTags: "catalog changeNumber 375 (names only)"
package cassandra_mi.network

doc := data.cassandra_mi.requirements

allow_all := {"*", "any", "internet", "0.0.0.0/0", "::/0"}

tcp_protocols := {"tcp", "*", "any"}

# METADATA
# title: input format
# description: arm, az or tfplan, detected from the shape of the input.
format := "tfplan" if {
	is_object(input)
	is_object(input.planned_values)
} else := "arm" if {
	is_object(input)
	is_array(input.resources)
} else := "az" if {
	count(az_docs) > 0
}

format_name := f if {
	f := format
} else := "unknown"

az_doc(d) if {
	is_object(d)
	some k in ["securityRules", "defaultSecurityRules", "ruleCollections"]
	k in object.keys(d)
}

az_docs := [d | some d in input; az_doc(d)] if {
	is_array(input)
} else := [input] if {
	az_doc(input)
} else := []

# ---------- helpers ----------

strs(v) := [lower(v)] if is_string(v)

strs(v) := [lower(s) | some s in v; is_string(s)] if is_array(v)

strs(v) := [] if {
	not is_string(v)
	not is_array(v)
}

field(o, k) := object.get(o, k, null)

port_range(s) := {"from": 0, "to": 65535} if {
	s == "*"
} else := {"from": to_number(parts[0]), "to": to_number(parts[1])} if {
	parts := split(s, "-")
	count(parts) == 2
} else := {"from": to_number(s), "to": to_number(s)}

port_ranges(vs) := [port_range(s) | some s in vs]

# A CIDR, or a bare address taken as a host prefix.
as_cidr(s) := s if {
	contains(s, "/")
	net.cidr_is_valid(s)
} else := concat("", [s, "/128"]) if {
	contains(s, ":")
	net.cidr_is_valid(concat("", [s, "/128"]))
} else := concat("", [s, "/32"]) if {
	net.cidr_is_valid(concat("", [s, "/32"]))
}

covers_cidr(outer, inner, "allow") if net.cidr_contains(as_cidr(outer), as_cidr(inner))

covers_cidr(outer, inner, "deny") if net.cidr_contains(as_cidr(outer), as_cidr(inner))

covers_cidr(outer, inner, "deny") if net.cidr_contains(as_cidr(inner), as_cidr(outer))

# ---------- NSG rules, normalized ----------

nsg_norm(key, name, p) := {
	"nsg": key,
	"name": name,
	"priority": p.priority,
	"direction": lower(p.direction),
	"access": lower(p.access),
	"protocol": lower(p.protocol),
	"src": array.concat(strs(field(p, "sourceAddressPrefix")), strs(field(p, "sourceAddressPrefixes"))),
	"dst": array.concat(strs(field(p, "destinationAddressPrefix")), strs(field(p, "destinationAddressPrefixes"))),
	"ports": port_ranges(array.concat(strs(field(p, "destinationPortRange")), strs(field(p, "destinationPortRanges")))),
}

tf_nsg_norm(key, r) := {
	"nsg": key,
	"name": r.name,
	"priority": r.priority,
	"direction": lower(r.direction),
	"access": lower(r.access),
	"protocol": lower(r.protocol),
	"src": array.concat(strs(field(r, "source_address_prefix")), strs(field(r, "source_address_prefixes"))),
	"dst": array.concat(strs(field(r, "destination_address_prefix")), strs(field(r, "destination_address_prefixes"))),
	"ports": port_ranges(array.concat(strs(field(r, "destination_port_range")), strs(field(r, "destination_port_ranges")))),
}

arm_type(res, t) if lower(res.type) == t

nsg_keys contains lower(res.name) if {
	format == "arm"
	some res in input.resources
	arm_type(res, "microsoft.network/networksecuritygroups")
}

nsg_keys contains lower(split(res.name, "/")[0]) if {
	format == "arm"
	some res in input.resources
	arm_type(res, "microsoft.network/networksecuritygroups/securityrules")
}

nsg_keys contains lower(d.name) if {
	format == "az"
	some d in az_docs
	not "ruleCollections" in object.keys(d)
}

nsg_keys contains lower(r.values.name) if {
	some r in tf_resources
	r.type == "azurerm_network_security_group"
}

nsg_keys contains lower(r.values.network_security_group_name) if {
	some r in tf_resources
	r.type == "azurerm_network_security_rule"
}

nsg_rules contains nsg_norm(lower(res.name), sr.name, object.get(sr, "properties", sr)) if {
	format == "arm"
	some res in input.resources
	arm_type(res, "microsoft.network/networksecuritygroups")
	some sr in object.get(object.get(res, "properties", {}), "securityRules", [])
}

nsg_rules contains nsg_norm(lower(parts[0]), parts[1], res.properties) if {
	format == "arm"
	some res in input.resources
	arm_type(res, "microsoft.network/networksecuritygroups/securityrules")
	parts := split(res.name, "/")
}

nsg_rules contains nsg_norm(lower(d.name), sr.name, object.get(sr, "properties", sr)) if {
	format == "az"
	some d in az_docs
	some sr in object.get(d, "securityRules", [])
}

nsg_rules contains tf_nsg_norm(lower(r.values.name), sr) if {
	some r in tf_resources
	r.type == "azurerm_network_security_group"
	some sr in object.get(r.values, "security_rule", [])
}

nsg_rules contains tf_nsg_norm(lower(r.values.network_security_group_name), r.values) if {
	some r in tf_resources
	r.type == "azurerm_network_security_rule"
}

tf_resources contains r if {
	format == "tfplan"
	walk(input.planned_values, [path, r])
	count(path) >= 2
	path[count(path) - 2] == "resources"
	r.mode == "managed"
}

# ---------- Azure Firewall policy rules, normalized ----------

fw_groups contains {"priority": object.get(res.properties, "priority", 0), "collections": object.get(res.properties, "ruleCollections", [])} if {
	format == "arm"
	some res in input.resources
	arm_type(res, "microsoft.network/firewallpolicies/rulecollectiongroups")
}

fw_groups contains {"priority": object.get(p, "priority", 0), "collections": object.get(p, "ruleCollections", [])} if {
	format == "az"
	some d in az_docs
	"ruleCollections" in object.keys(d)
	p := object.get(d, "properties", d)
}

fw_rules contains fw_norm(g.priority, rc, r) if {
	some g in fw_groups
	some rc in g.collections
	rc.ruleCollectionType == "FirewallPolicyFilterRuleCollection"
	some r in rc.rules
}

fw_norm(gp, rc, r) := {
	"kind": "app",
	"g": gp,
	"c": rc.priority,
	"action": lower(rc.action.type),
	"name": r.name,
	"src": strs(field(r, "sourceAddresses")),
	"fqdns": strs(field(r, "targetFqdns")),
	"protocols": [{"type": lower(p.protocolType), "port": p.port} | some p in object.get(r, "protocols", [])],
} if {
	r.ruleType == "ApplicationRule"
} else := {
	"kind": "net",
	"g": gp,
	"c": rc.priority,
	"action": lower(rc.action.type),
	"name": r.name,
	"src": strs(field(r, "sourceAddresses")),
	"dst": strs(field(r, "destinationAddresses")),
	"fqdns": strs(field(r, "destinationFqdns")),
	"ports": port_ranges(strs(field(r, "destinationPorts"))),
	"ip_protocols": strs(field(r, "ipProtocols")),
} if {
	r.ruleType == "NetworkRule"
}

fw_group_present if count(fw_groups) > 0

fw_group_present if {
	some r in tf_resources
	r.type == "azurerm_firewall_policy_rule_collection_group"
}

fw_rules contains {
	"kind": "app",
	"g": r.values.priority,
	"c": rc.priority,
	"action": lower(rc.action),
	"name": rule.name,
	"src": strs(field(rule, "source_addresses")),
	"fqdns": strs(field(rule, "destination_fqdns")),
	"protocols": [{"type": lower(p.type), "port": p.port} | some p in object.get(rule, "protocols", [])],
} if {
	some r in tf_resources
	r.type == "azurerm_firewall_policy_rule_collection_group"
	some rc in object.get(r.values, "application_rule_collection", [])
	some rule in rc.rule
}

fw_rules contains {
	"kind": "net",
	"g": r.values.priority,
	"c": rc.priority,
	"action": lower(rc.action),
	"name": rule.name,
	"src": strs(field(rule, "source_addresses")),
	"dst": strs(field(rule, "destination_addresses")),
	"fqdns": strs(field(rule, "destination_fqdns")),
	"ports": port_ranges(strs(field(rule, "destination_ports"))),
	"ip_protocols": strs(field(rule, "protocols")),
} if {
	some r in tf_resources
	r.type == "azurerm_firewall_policy_rule_collection_group"
	some rc in object.get(r.values, "network_rule_collection", [])
	some rule in rc.rule
}

layers contains "nsg" if count(nsg_keys) > 0

layers contains "firewall" if fw_group_present

layers_for := {
	"fqdn": {"firewall"},
	"serviceTag": {"nsg", "firewall"},
	"prefixes": {"nsg", "firewall"},
	"internal": {"nsg"},
}

needs_phrase := {
	"fqdn": "an Azure Firewall application rule",
	"serviceTag": "an NSG or Azure Firewall network rule",
	"prefixes": "an NSG or Azure Firewall network rule",
	"internal": "an NSG",
}

# ---------- matching ----------

# The address entry holds the cluster subnet; without a subnet in the data, sources are not checked.
holds_subnet(e, _) if e in {"*", "any", "virtualnetwork", "0.0.0.0/0", "::/0"}

holds_subnet(_, _) if doc.subnet == null

holds_subnet(e, mode) if {
	doc.subnet != null
	covers_cidr(e, doc.subnet, mode)
}

ports_match(ranges, chk, "allow") if {
	some r in ranges
	r.from <= chk.from
	chk.to <= r.to
}

ports_match(ranges, chk, "deny") if {
	some r in ranges
	r.from <= chk.to
	chk.from <= r.to
}

dest_match(d, _, _) if d in allow_all

dest_match(d, chk, _) if {
	chk.kind == "tag"
	some n in chk.names
	lower(n) == d
}

dest_match(d, chk, mode) if {
	chk.kind == "prefix"
	covers_cidr(d, chk.prefix, mode)
}

fqdn_covers(t, _) if t == "*"

fqdn_covers(t, f) if t == f

fqdn_covers(t, f) if {
	startswith(t, "*.")
	endswith(f, substring(t, 1, -1))
}

nsg_match(r, chk, mode) if {
	chk.kind in {"tag", "prefix"}
	r.direction == "outbound"
	r.protocol in tcp_protocols
	ports_match(r.ports, chk, mode)
	some s in r.src
	holds_subnet(s, mode)
	some d in r.dst
	dest_match(d, chk, mode)
}

nsg_match(r, chk, mode) if {
	chk.kind == "internal"
	r.direction == chk.direction
	r.protocol in tcp_protocols
	ports_match(r.ports, chk, mode)
	some s in r.src
	holds_subnet(s, mode)
	some d in r.dst
	holds_subnet(d, mode)
}

nsg_broad(r, chk) if {
	chk.kind == "internal"
	some e in array.concat(r.src, r.dst)
	e in allow_all
}

nsg_broad(r, chk) if {
	chk.kind != "internal"
	some e in r.dst
	e in allow_all
}

nsg_shadowed(a, chk) if {
	some d in nsg_rules
	d.nsg == a.nsg
	d.access == "deny"
	d.priority < a.priority
	nsg_match(d, chk, "deny")
}

nsg_allowing(chk) := {a |
	some a in nsg_rules
	a.access == "allow"
	nsg_match(a, chk, "allow")
	not nsg_shadowed(a, chk)
}

fw_match(r, chk, mode) if {
	chk.kind == "fqdn"
	r.kind == "app"
	some s in r.src
	holds_subnet(s, mode)
	some t in r.fqdns
	fqdn_covers(t, lower(chk.fqdn))
	app_ports_match(r, chk, mode)
}

# An application rule has one protocol entry per port: it allows a range when every port of it has an
# Https entry, and a deny rule meets the range when one of its Https entries falls in it.
app_https_ports(r, chk) := {p.port |
	some p in r.protocols
	p.type == "https"
	chk.from <= p.port
	p.port <= chk.to
}

app_ports_match(r, chk, "allow") if count(app_https_ports(r, chk)) == (chk.to - chk.from) + 1

app_ports_match(r, chk, "deny") if count(app_https_ports(r, chk)) > 0

# A network rule whose protocols, ports and sources take in the check.
fw_net_reaches(r, chk, mode) if {
	r.kind == "net"
	some proto in r.ip_protocols
	proto in tcp_protocols
	ports_match(r.ports, chk, mode)
	some s in r.src
	holds_subnet(s, mode)
}

# FQDNs in network rules (they need the policy's DNS proxy).
fw_match(r, chk, mode) if {
	chk.kind == "fqdn"
	fw_net_reaches(r, chk, mode)
	some t in r.fqdns
	fqdn_covers(t, lower(chk.fqdn))
}

# A network rule to every address matches the traffic to any FQDN, whatever its addresses.
fw_match(r, chk, mode) if {
	chk.kind == "fqdn"
	fw_net_reaches(r, chk, mode)
	some d in r.dst
	d in allow_all
}

fw_match(r, chk, mode) if {
	chk.kind in {"tag", "prefix"}
	fw_net_reaches(r, chk, mode)
	some d in r.dst
	dest_match(d, chk, mode)
}

fw_broad(r, _) if "*" in r.fqdns

fw_broad(r, _) if {
	r.kind == "net"
	some e in r.dst
	e in allow_all
}

# Network rules are processed before application rules whatever the priorities; within a rule
# type, by rule collection group priority, then rule collection priority.
fw_before(d, a) if {
	d.kind == "net"
	a.kind == "app"
}

fw_before(d, a) if {
	d.kind == a.kind
	d.g < a.g
}

fw_before(d, a) if {
	d.kind == a.kind
	d.g == a.g
	d.c < a.c
}

fw_shadowed(a, chk) if {
	some d in fw_rules
	d.action == "deny"
	fw_before(d, a)
	fw_match(d, chk, "deny")
}

fw_allowing(chk) := {a |
	some a in fw_rules
	a.action == "allow"
	fw_match(a, chk, "allow")
	not fw_shadowed(a, chk)
}

# Allowed, and whether an allow-all rule is among those that allow it; computed once per check.
verdict(chk) := {
	"allowed": (count(na) + count(fa)) > 0,
	"broad": (count([a | some a in na; nsg_broad(a, chk)]) + count([a | some a in fa; fw_broad(a, chk)])) > 0,
} if {
	na := nsg_allowing(chk)
	fa := fw_allowing(chk)
}

verdicts[id] := [[verdict(c) | some c in alt.checks] | some alt in req.alternatives] if {
	some id, req in doc.requirements
}

# ---------- verdicts ----------

auditable(alt) if {
	some l in layers_for[alt.type]
	l in layers
}

alternatives[id] := [{
	"index": i,
	"label": alt.label,
	"total": count(alt.checks),
	"allowed": count([j | some j, v in verdicts[id][i]; v.allowed]),
	"missing": [c.label | some j, c in alt.checks; not verdicts[id][i][j].allowed],
	"broad": count([j | some j, v in verdicts[id][i]; v.allowed; v.broad]) > 0,
} |
	some i, alt in req.alternatives
	auditable(alt)
] if {
	some id, req in doc.requirements
}

status(alts) := "covered" if {
	some a in alts
	a.allowed == a.total
} else := "partly-covered" if {
	some a in alts
	a.allowed > 0
} else := "missing"

detail(id, alts) := "not auditable: no alternative can be checked (FQDN patterns with {region} need a region)" if {
	count(doc.requirements[id].alternatives) == 0
} else := sprintf("not auditable: needs %s, which the input does not hold", [concat(" or ", sort({needs_phrase[alt.type] | some alt in doc.requirements[id].alternatives}))]) if {
	count(alts) == 0
} else := sprintf("covered by %s", [best.label]) if {
	status(alts) == "covered"
	i := min({a.index | some a in alts; a.allowed == a.total})
	some best in alts
	best.index == i
} else := sprintf("partly covered by %s; missing %s", [best.label, concat(", ", best.missing)]) if {
	status(alts) == "partly-covered"
	most := max({a.allowed | some a in alts})
	i := min({a.index | some a in alts; a.allowed == most})
	some best in alts
	best.index == i
} else := sprintf("missing: nothing allows %s", [concat(" or ", [a.label | some a in alts])])

# METADATA
# title: report
# description: Per requirement id, its status (covered, partly-covered, missing), a detail, whether an allow-all rule matches, and whether the input could express it.
report := {
	"format": format_name,
	"revision": doc.stamp.revision,
	"requirements": {id: {
		"status": status(alts),
		"detail": detail(id, alts),
		"overBroad": count([a | some a in alts; a.broad]) > 0,
		"audited": count(alts) > 0,
	} |
		some id, alts in alternatives
	},
	"deny": deny,
}

# METADATA
# title: deny
# description: One message per requirement the input does not cover, naming the requirement id and what is missing.
deny contains sprintf("%s: %s", [id, detail(id, alts)]) if {
	some id, alts in alternatives
	count(alts) > 0
	status(alts) != "covered"
}

deny contains "input: not an ARM template, the JSON of az network nsg show or az network firewall policy rule-collection-group show, or a Terraform plan" if {
	not format
}

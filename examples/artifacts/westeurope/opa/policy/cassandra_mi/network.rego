# METADATA
# title: Azure Managed Instance for Apache Cassandra network requirements
# description: >-
#   Audits an ARM template, the JSON of az network nsg show and
#   az network firewall policy rule-collection-group show, or a Terraform
#   plan: per required flow, what Azure does with it (NSG first match with
#   the default rules, then the Azure Firewall: network rules before
#   application rules). Driven by data.cassandra_mi.requirements.
# custom:
#   generator: "@cassandra-mi-netrules/emit-opa"
package cassandra_mi.network

doc := data.cassandra_mi.requirements

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

# ---------- values ----------

strs(v) := [v] if is_string(v)

strs(v) := [s | some s in v; is_string(s)] if is_array(v)

strs(v) := [] if {
	not is_string(v)
	not is_array(v)
}

# A field as ARM and az (camelCase) or Terraform (snake_case) write it.
field(o, camel, snake) := object.get(o, camel, object.get(o, snake, null))

# An ARM expression: a string that starts with [ (a literal [ is written [[).
expression(s) if {
	is_string(s)
	startswith(s, "[")
	not startswith(s, "[[")
}

# ---------- ports ----------

port_range(s) := [0, 65535] if {
	s in {"*", "any", "Any"}
} else := [to_number(parts[0]), to_number(parts[1])] if {
	parts := split(s, "-")
	count(parts) == 2
	regex.match(`^[0-9]{1,5}$`, parts[0])
	regex.match(`^[0-9]{1,5}$`, parts[1])
} else := [to_number(s), to_number(s)] if {
	regex.match(`^[0-9]{1,5}$`, s)
}

port_text(v) := v if is_string(v)

port_text(v) := format_int(v, 10) if is_number(v)

# The port values of a rule: ranges, and whether some value is not a port (then the rule may match any port).
port_spec(values) := {
	"ranges": [port_range(port_text(v)) | some v in values; port_range(port_text(v))],
	"unknown": count([v | some v in values; not port_range(port_text(v))]) > 0,
}

# ---------- addresses ----------

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

family(c) := 6 if contains(c, ":")

family(c) := 4 if not contains(c, ":")

whole_family(c, 4) if net.cidr_contains(c, "0.0.0.0/0")

whole_family(c, 6) if net.cidr_contains(c, "::/0")

# Address space that is not public: no service tag holds it, Internet does not hold it (the evaluator's NON_PUBLIC).
non_public := [
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
	"203.0.113.0/24", "224.0.0.0/3", "::/8", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
	"2002::/16", "fc00::/7", "fe80::/10", "ff00::/8",
]

private(c) if {
	some b in non_public
	net.cidr_contains(b, c)
}

# Azure's virtual tags, as the addresses they stand for: no service tag holds them.
virtual_tags := {
	"azureloadbalancer": "168.63.129.16/32",
	"azureplatformdns": "168.63.129.16/32",
	"azureplatformimds": "169.254.169.254/32",
}

# Tag names of the vendored service-tags file that share no address with the requirements' tags (base.suffix, compact: the
# suffixes once, each base with the decimal indexes of its suffixes, - for the bare base).
suffix_index := {s: format_int(i, 10) | some i, s in split(doc.otherTags.suffixes, " ")}

other_tag(n) if "-" in split(doc.otherTags.names[n], " ")

other_tag(n) if {
	parts := split(n, ".")
	count(parts) > 1
	base := concat(".", array.slice(parts, 0, count(parts) - 1))
	suffix_index[parts[count(parts) - 1]] in split(doc.otherTags.names[base], " ")
}

# One address value of a rule, read into a term.
address_term(s) := {"k": "any"} if {
	lower(s) in {"*", "any"}
} else := {"k": "internet"} if {
	lower(s) == "internet"
} else := {"k": "vnet"} if {
	lower(s) == "virtualnetwork"
} else := {"k": "cidr", "v": virtual_tags[lower(s)]} if {
	virtual_tags[lower(s)]
} else := {"k": "cidr", "v": as_cidr(s)} if {
	as_cidr(s)
} else := {"k": "tag", "v": lower(s)} if {
	doc.tags[lower(s)]
} else := {"k": "none"} if {
	other_tag(lower(s))
} else := {"k": "unknown", "why": sprintf("%s is not an address, a prefix or a service tag the data knows", [s])}

# yes, no or maybe: whether the term holds the whole piece of a flow.
holds(t, p) := "yes" if {
	t.k == "any"
} else := holds_other_tag(p) if {
	t.k == "none"
} else := "maybe" if {
	t.k == "unknown"
} else := holds_internet(p) if {
	t.k == "internet"
} else := holds_vnet(p) if {
	t.k == "vnet"
} else := holds_cidr(t.v, p) if {
	t.k == "cidr"
} else := holds_tag(t.v, p)

# Internet is the public space less the virtual network's: a public subnet takes its addresses out of it.
holds_internet(p) := "no" if {
	p.k == "local"
} else := "no" if {
	p.k == "cidr"
	private(p.v)
} else := invert(in_public_subnet(p))

holds_vnet(p) := "yes" if {
	p.k == "local"
} else := "yes" if {
	p.k == "cidr"
	doc.subnet != null
	net.cidr_contains(doc.subnet, p.v)
} else := "maybe" if {
	p.k == "cidr"
	private(p.v)
} else := in_public_subnet(p)

invert(v) := {"yes": "no", "no": "yes", "maybe": "maybe"}[v]

# The cluster subnet when it holds public addresses (Azure lets a virtual network use them).
public_subnet := doc.subnet if {
	doc.subnet != null
	not private(doc.subnet)
}

# Whether the piece lies in a public cluster subnet; one unknown public address of its family may.
in_public_subnet(p) := "maybe" if {
	p.k == "opaque"
	family(public_subnet) == p.fam
} else := "yes" if {
	p.k == "cidr"
	net.cidr_contains(public_subnet, p.v)
} else := "maybe" if {
	p.k == "cidr"
	net.cidr_intersects(public_subnet, p.v)
} else := "no"

holds_cidr(c, p) := "yes" if {
	p.k in {"atom", "opaque"}
	whole_family(c, p.fam)
} else := "maybe" if {
	p.k in {"atom", "opaque"}
	family(c) == p.fam
	not private(c)
} else := "yes" if {
	p.k in {"cidr", "local"}
	p.v != null
	net.cidr_contains(c, p.v)
} else := "maybe" if {
	p.k in {"cidr", "local"}
	p.v != null
	net.cidr_intersects(c, p.v)
} else := "maybe" if {
	p.k == "local"
	p.v == null
} else := "no"

holds_tag(name, p) := "yes" if {
	p.k == "atom"
	name in p.sig
} else := "no" if {
	p.k in {"atom", "local"}
} else := holds_tag_prefixes(doc.tags[name].prefixes, p) if {
	p.k == "cidr"
	doc.tags[name].prefixes
} else := tag_relation(name, p.tag) if {
	p.k == "cidr"
	p.tag != null
} else := "no" if {
	p.k == "cidr"
	private(p.v)
} else := "maybe"

# A tag of none of the requirements' tags: it shares no atom with them, but may hold any other public address.
holds_other_tag(p) := "maybe" if {
	p.k == "opaque"
} else := "maybe" if {
	p.k == "cidr"
	p.tag == null
	not private(p.v)
} else := "no"

holds_tag_prefixes(prefixes, p) := "yes" if {
	some q in prefixes
	net.cidr_contains(q, p.v)
} else := "maybe" if {
	some q in prefixes
	net.cidr_intersects(q, p.v)
} else := "no"

tag_atoms[name] := {a |
	some run in split(t.atoms, " ")
	run != ""
	bounds := split(run, "-")
	some a in numbers.range(to_number(bounds[0]), to_number(bounds[count(bounds) - 1]))
} if {
	some name, t in doc.tags
}

# How tag t relates to tag r in the containment table: holds all of it, none of it, or part.
tag_relation(t, r) := "maybe" if {
	count(object.get(tag_atoms, r, set())) == 0
} else := "yes" if {
	count(tag_atoms[r] - tag_atoms[t]) == 0
} else := "no" if {
	count(tag_atoms[r] & tag_atoms[t]) == 0
} else := "maybe"

# ---------- tri-valued logic ----------

all_of(vals) := "no" if {
	"no" in vals
} else := "yes" if {
	every v in vals {
		v == "yes"
	}
} else := "maybe"

any_of(vals) := "yes" if {
	"yes" in vals
} else := "maybe" if {
	"maybe" in vals
} else := "no"

# The rule's address values against a piece; application security groups make it unknown.
side(terms, asg, p) := "maybe" if {
	count(terms) == 0
} else := any_of({v | some t in terms; v := holds(t, p)} | {"maybe" | asg})

ports_match(spec, pr) := "yes" if {
	some r in spec.ranges
	r[0] <= pr[0]
	pr[1] <= r[1]
} else := "maybe" if {
	spec.unknown
} else := "maybe" if {
	some r in spec.ranges
	r[0] <= pr[1]
	pr[0] <= r[1]
} else := "no"

# ---------- NSG rules, normalized ----------

nsg_rule(nsg, name, p) := {
	"layer": "nsg",
	"nsg": nsg,
	"name": name,
	"default": false,
	"key": [prio, name],
	"priority": prio,
	"direction": direction,
	"accesses": accesses,
	"sure": all_true([prio >= 0, count(accesses) == 1, direction != null, proto != "maybe"]),
	"proto": proto,
	"srcports": srcports,
	"src": [address_term(s) | some s in array.concat(strs(field(p, "sourceAddressPrefix", "source_address_prefix")), strs(field(p, "sourceAddressPrefixes", "source_address_prefixes")))],
	"dst": [address_term(s) | some s in array.concat(strs(field(p, "destinationAddressPrefix", "destination_address_prefix")), strs(field(p, "destinationAddressPrefixes", "destination_address_prefixes")))],
	"src_asg": count(array.concat(list(field(p, "sourceApplicationSecurityGroups", "source_application_security_group_ids")), [])) > 0,
	"dst_asg": count(array.concat(list(field(p, "destinationApplicationSecurityGroups", "destination_application_security_group_ids")), [])) > 0,
	"ports": nsg_ports(p),
} if {
	prio := priority_of(field(p, "priority", "priority"))
	accesses := access_of(field(p, "access", "access"))
	direction := direction_of(field(p, "direction", "direction"))
	proto := nsg_protocol(field(p, "protocol", "protocol"))
	srcports := source_ports(array.concat(strs(field(p, "sourcePortRange", "source_port_range")), strs(field(p, "sourcePortRanges", "source_port_ranges"))))
}

all_true(xs) := count([x | some x in xs; x != true]) == 0

list(v) := v if is_array(v)

list(v) := [] if not is_array(v)

priority_of(v) := v if is_number(v)

priority_of(v) := -1 if not is_number(v)

access_of(v) := [lower(v)] if {
	is_string(v)
	lower(v) in {"allow", "deny"}
} else := ["allow", "deny"]

direction_of(v) := lower(v) if {
	is_string(v)
	lower(v) in {"inbound", "outbound"}
} else := null

nsg_protocol(v) := "yes" if {
	is_string(v)
	lower(v) in {"tcp", "*", "any"}
} else := "maybe" if {
	not is_string(v)
} else := "maybe" if {
	expression(v)
} else := "no"

# The flow's source port is an ephemeral port: a rule decides it only for every source port.
source_ports(values) := "yes" if {
	every v in values {
		v in {"*", "0-65535"}
	}
} else := "maybe"

nsg_ports(p) := port_spec(values) if {
	values := array.concat(list_or_one(field(p, "destinationPortRange", "destination_port_range")), list(field(p, "destinationPortRanges", "destination_port_ranges")))
	count(values) > 0
} else := {"ranges": [[0, 65535]], "unknown": false}

list_or_one(v) := [] if v == null

list_or_one(v) := v if is_array(v)

list_or_one(v) := [v] if {
	v != null
	not is_array(v)
}

# Azure's default rules: always there after the custom rules, whatever the input lists.
default_rules(nsg) := [default_rule(nsg, d) | some d in [
	["AllowVnetInBound", 65000, "inbound", "allow", "VirtualNetwork", "VirtualNetwork"],
	["AllowAzureLoadBalancerInBound", 65001, "inbound", "allow", "AzureLoadBalancer", "*"],
	["DenyAllInBound", 65500, "inbound", "deny", "*", "*"],
	["AllowVnetOutBound", 65000, "outbound", "allow", "VirtualNetwork", "VirtualNetwork"],
	["AllowInternetOutBound", 65001, "outbound", "allow", "*", "Internet"],
	["DenyAllOutBound", 65500, "outbound", "deny", "*", "*"],
]]

default_rule(nsg, d) := {
	"layer": "nsg",
	"nsg": nsg,
	"name": d[0],
	"default": true,
	"key": [d[1], d[0]],
	"priority": d[1],
	"direction": d[2],
	"accesses": [d[3]],
	"sure": true,
	"proto": "yes",
	"srcports": "yes",
	"src": [address_term(d[4])],
	"dst": [address_term(d[5])],
	"src_asg": false,
	"dst_asg": false,
	"ports": {"ranges": [[0, 65535]], "unknown": false},
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

custom_nsg_rules contains nsg_rule(lower(res.name), sr.name, object.get(sr, "properties", sr)) if {
	format == "arm"
	some res in input.resources
	arm_type(res, "microsoft.network/networksecuritygroups")
	some sr in object.get(object.get(res, "properties", {}), "securityRules", [])
}

custom_nsg_rules contains nsg_rule(lower(parts[0]), parts[1], res.properties) if {
	format == "arm"
	some res in input.resources
	arm_type(res, "microsoft.network/networksecuritygroups/securityrules")
	parts := split(res.name, "/")
}

# az prints Azure's default rules under defaultSecurityRules: the policy adds its own copy to every NSG.
custom_nsg_rules contains nsg_rule(lower(d.name), sr.name, object.get(sr, "properties", sr)) if {
	format == "az"
	some d in az_docs
	some sr in object.get(d, "securityRules", [])
}

custom_nsg_rules contains nsg_rule(lower(r.values.name), sr.name, sr) if {
	some r in tf_resources
	r.type == "azurerm_network_security_group"
	some sr in object.get(r.values, "security_rule", [])
}

custom_nsg_rules contains nsg_rule(lower(r.values.network_security_group_name), r.values.name, r.values) if {
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

# Each NSG's rules: custom then default, in the order Azure evaluates them.
nsg_rules[k] := array.concat([r | some r in custom_nsg_rules; r.nsg == k], default_rules(k)) if some k in nsg_keys

# ---------- Azure Firewall policy rules, normalized ----------

fw_groups contains {"priority": object.get(res.properties, "priority", null), "name": res.name, "collections": object.get(res.properties, "ruleCollections", [])} if {
	format == "arm"
	some res in input.resources
	arm_type(res, "microsoft.network/firewallpolicies/rulecollectiongroups")
}

fw_groups contains {"priority": object.get(p, "priority", null), "name": object.get(d, "name", "group"), "collections": object.get(p, "ruleCollections", [])} if {
	format == "az"
	some d in az_docs
	"ruleCollections" in object.keys(d)
	p := object.get(d, "properties", d)
}

fw_rules contains fw_norm(g, rc, r) if {
	some g in fw_groups
	some rc in g.collections
	rc.ruleCollectionType == "FirewallPolicyFilterRuleCollection"
	some r in rc.rules
	r.ruleType in {"ApplicationRule", "NetworkRule"}
}

fw_norm(g, rc, r) := {
	"layer": "firewall",
	"kind": kind,
	"name": sprintf("%s/%s/%s", [g.name, rc.name, r.name]),
	"key": [phase, priority_of(g.priority), priority_of(rc.priority)],
	"priority": priority_of(rc.priority),
	"accesses": accesses,
	"sure": all_true([is_number(g.priority), is_number(rc.priority), count(accesses) == 1]),
	"src": [address_term(s) | some s in strs(field(r, "sourceAddresses", "source_addresses"))],
	"src_asg": count(list(object.get(r, "sourceIpGroups", []))) > 0,
	"dst": [address_term(s) | some s in strs(object.get(r, "destinationAddresses", []))],
	"dst_asg": count(list(object.get(r, "destinationIpGroups", []))) > 0,
	"names": [lower(s) | some s in strs(object.get(r, "targetFqdns", object.get(r, "destinationFqdns", [])))],
	"names_maybe": count(array.concat(list(object.get(r, "fqdnTags", [])), list(object.get(r, "webCategories", [])))) > 0,
	"ports": fw_ports(kind, r),
	"proto": fw_protocol(kind, r),
} if {
	kind := {"ApplicationRule": "application", "NetworkRule": "network"}[r.ruleType]
	phase := {"network": 1, "application": 2}[kind]
	accesses := access_of(object.get(object.get(rc, "action", {}), "type", null))
}

fw_ports("application", r) := port_spec([p.port | some p in list(object.get(r, "protocols", [])); lower(object.get(p, "protocolType", object.get(p, "type", ""))) == "https"])

fw_ports("network", r) := port_spec(list(object.get(r, "destinationPorts", object.get(r, "destination_ports", []))))

fw_protocol("application", _) := "yes"

fw_protocol("network", r) := "yes" if {
	some p in strs(object.get(r, "ipProtocols", object.get(r, "protocols", [])))
	upper(p) in {"TCP", "ANY"}
} else := "no"

tf_fw_rule(g, rc, rule, kind) := {
	"layer": "firewall",
	"kind": kind,
	"name": sprintf("%s/%s/%s", [g.name, rc.name, rule.name]),
	"key": [{"network": 1, "application": 2}[kind], priority_of(g.priority), priority_of(rc.priority)],
	"priority": priority_of(rc.priority),
	"accesses": accesses,
	"sure": all_true([is_number(g.priority), is_number(rc.priority), count(accesses) == 1]),
	"src": [address_term(s) | some s in strs(object.get(rule, "source_addresses", []))],
	"src_asg": count(list(object.get(rule, "source_ip_groups", []))) > 0,
	"dst": [address_term(s) | some s in strs(object.get(rule, "destination_addresses", []))],
	"dst_asg": count(list(object.get(rule, "destination_ip_groups", []))) > 0,
	"names": [lower(s) | some s in strs(object.get(rule, "destination_fqdns", []))],
	"names_maybe": count(array.concat(list(object.get(rule, "destination_fqdn_tags", [])), list(object.get(rule, "web_categories", [])))) > 0,
	"ports": tf_fw_ports(kind, rule),
	"proto": tf_fw_protocol(kind, rule),
} if {
	accesses := access_of(rc.action)
}

tf_fw_ports("application", rule) := port_spec([p.port | some p in list(object.get(rule, "protocols", [])); lower(object.get(p, "type", "")) == "https"])

tf_fw_ports("network", rule) := port_spec(list(object.get(rule, "destination_ports", [])))

tf_fw_protocol("application", _) := "yes"

tf_fw_protocol("network", rule) := fw_protocol("network", {"ipProtocols": object.get(rule, "protocols", [])})

tf_groups contains r.values if {
	some r in tf_resources
	r.type == "azurerm_firewall_policy_rule_collection_group"
}

fw_rules contains tf_fw_rule(g, rc, rule, "application") if {
	some g in tf_groups
	some rc in object.get(g, "application_rule_collection", [])
	some rule in rc.rule
}

fw_rules contains tf_fw_rule(g, rc, rule, "network") if {
	some g in tf_groups
	some rc in object.get(g, "network_rule_collection", [])
	some rule in rc.rule
}

fw_present if count(fw_groups) > 0

fw_present if count(tf_groups) > 0

# Whether the policy's DNS proxy is on (FQDNs in network rules match only then).
dns_proxy := "yes" if {
	some res in input.resources
	arm_type(res, "microsoft.network/firewallpolicies")
	object.get(res, ["properties", "dnsSettings", "enableProxy"], false) == true
} else := "yes" if {
	some r in tf_resources
	r.type == "azurerm_firewall_policy"
	some d in object.get(r.values, "dns", [])
	d.proxy_enabled == true
} else := "no" if {
	some res in input.resources
	arm_type(res, "microsoft.network/firewallpolicies")
} else := "no" if {
	some r in tf_resources
	r.type == "azurerm_firewall_policy"
} else := "maybe"

# ---------- the flows' pieces ----------

# Every CIDR a rule names, and the prefixes the data carries for the tags the rules name: the flows' prefixes are cut along them.
named_tags := {t.v | some r in all_rules; some t in array.concat(r.src, r.dst); t.k == "tag"}

all_rules := array.concat([r | some r in custom_nsg_rules], [r | some r in fw_rules])

cut_cidrs := {t.v | some r in all_rules; some t in array.concat(r.src, r.dst); t.k == "cidr"} | {q |
	some n in named_tags
	some q in object.get(doc.tags[n], "prefixes", [])
}

strictly_inside(inner, outer) if {
	net.cidr_contains(outer, inner)
	not net.cidr_contains(inner, outer)
}

# The parts of prefix x that the rules tell apart: x and each cut inside it, less the cuts inside those.
cidr_parts(x) := {y |
	some y in ({x} | {c | some c in cut_cidrs; strictly_inside(c, x)})
	not covered_by_cuts(y)
}

covered_by_cuts(y) if {
	inner := {c | some c in cut_cidrs; strictly_inside(c, y)}
	count(inner) > 0
	net.cidr_merge(inner) == net.cidr_merge({y})
}

atom_family(a) := 4 if a < doc.atoms.v4

atom_family(a) := 6 if a >= doc.atoms.v4

atom_piece(a) := {"k": "atom", "fam": atom_family(a), "sig": {n | some n in named_tags; a in tag_atoms[n]}}

dst_pieces(f) := {{"k": "local", "v": v} | some v in local_parts} if {
	f.kind == "internal"
} else := {{"k": "opaque", "fam": fam} | some fam in doc.families} if {
	f.dst.opaque
} else := {{"k": "cidr", "v": y, "tag": null, "of": x} | some x in f.dst.prefixes; some y in cidr_parts(x)} if {
	f.dst.prefixes
} else := tag_pieces(f.dst.tags)

tag_pieces(tags) := {{"k": "cidr", "v": y, "tag": t, "of": x} |
	some name in tags
	t := lower(name)
	some x in doc.tags[t].prefixes
	some y in cidr_parts(x)
} if {
	every name in tags {
		doc.tags[lower(name)].prefixes
	}
} else := {atom_piece(a) | some name in tags; some a in tag_atoms[lower(name)]}

local_parts := {y | some y in cidr_parts(doc.subnet)} if {
	doc.subnet != null
} else := {null}

src_pieces := {{"k": "local", "v": v} | some v in local_parts}

# Host names: a flow known by name is cut along the names rules give inside it.
name_covers(t, _) if t == "*"

name_covers(t, f) if t == f

name_covers(t, f) if {
	startswith(t, "*.")
	endswith(f, substring(t, 1, -1))
}

name_pieces(f) := {{"name": n} | some n in ({f.name} | {t | some r in fw_rules; some t in r.names; t != f.name; name_covers(f.name, t)})} if {
	f.name
} else := {{"all": true}}

# A flow's ports cut at every bound a rule gives inside them.
port_pieces(f) := {[c[i], bound - 1] |
	some pr in f.ports
	c := sort({pr[0]} | {b | some b in rule_bounds; pr[0] < b; b <= pr[1]})
	some i, _ in c
	bound := ends(c, i, pr[1] + 1)
}

ends(c, i, _) := c[i + 1] if i + 1 < count(c)

ends(c, i, last) := last if i + 1 == count(c)

rule_bounds := {b | some r in all_rules; some pr in r.ports.ranges; some b in [pr[0], pr[1] + 1]}

cells(f) := {{"src": s, "dst": d, "name": n, "port": p} |
	some s in src_pieces
	some d in dst_pieces(f)
	some n in name_pieces(f)
	some p in port_pieces(f)
}

# ---------- first match ----------

nsg_match(r, dir, c) := all_of([
	direction_match(r.direction, dir),
	r.proto,
	r.srcports,
	ports_match(r.ports, c.port),
	side(r.src, r.src_asg, c.src),
	side(r.dst, r.dst_asg, c.dst),
])

direction_match(null, _) := "maybe"

direction_match(d, dir) := "yes" if d == dir

direction_match(d, dir) := "no" if {
	d != null
	d != dir
}

fw_match(r, f, c) := "no" if {
	r.kind == "application"
	not f.https
} else := all_of([r.proto, ports_match(r.ports, c.port), side(r.src, r.src_asg, c.src), fw_target(r, c)])

fw_target(r, c) := app_names(r, c.name) if {
	r.kind == "application"
} else := any_of({by_address(r, c.dst), by_name(r, c.name)})

by_address(r, p) := "no" if {
	count(r.dst) == 0
	not r.dst_asg
} else := side(r.dst, r.dst_asg, p)

app_names(r, n) := "yes" if {
	some t in r.names
	name_matches(t, n)
} else := "maybe" if {
	r.names_maybe
} else := "maybe" if {
	n.all
	count(r.names) > 0
} else := "no"

name_matches(t, _) if t == "*"

name_matches(t, n) if name_covers(t, n.name)

# FQDNs in network rules: resolved by the firewall's DNS proxy, so they decide only with it on.
by_name(r, n) := "no" if {
	count(r.names) == 0
} else := "no" if {
	dns_proxy == "no"
} else := "maybe" if {
	n.all
} else := "no" if {
	count([t | some t in r.names; name_covers(t, n.name)]) == 0
} else := dns_proxy

# The first rule that surely matches decides; rules before it that may match add their outcomes.
first_match(rules, matches) := {"fates": fates, "by": decider, "maybe": before} if {
	first := min({r.key | some i, r in rules; matches[i] == "yes"; r.sure})
	decider := [r | some i, r in rules; matches[i] == "yes"; r.sure; r.key == first][0]
	before := [r | some i, r in rules; matches[i] != "no"; r.key < first]
	fates := {a | some a in decider.accesses} | {a | some r in before; some a in r.accesses}
}

nsg_stage(k, dir, c) := first_match(rules, [nsg_match(r, dir, c) | some r in rules]) if {
	rules := nsg_rules[k]
}

fw_sorted := [r | some r in fw_rules]

implicit_deny := {"layer": "firewall", "kind": "none", "name": "(no rule matches: denied)", "key": [9, 0, 0], "priority": null, "accesses": ["deny"], "sure": true}

fw_stage(f, c) := first_match(rules, [m | some r in rules; m := fw_rule_match(r, f, c)]) if {
	rules := array.concat(fw_sorted, [implicit_deny])
}

fw_rule_match(r, f, c) := "yes" if {
	r.kind == "none"
} else := fw_match(r, f, c)

# The stages a flow crosses in a subject: the NSG outbound (then inbound, within the subnet), the firewall outbound.
stages(s, f, c) := array.concat(nsg_out, fw_part) if {
	f.kind == "outbound"
	nsg_out := [x | s.nsg != null; x := nsg_stage(s.nsg, "outbound", c)]
	fw_part := [x | fw_present; x := fw_stage(f, c)]
} else := [nsg_stage(s.nsg, "outbound", c), nsg_stage(s.nsg, "inbound", c)] if {
	# An internal flow with no NSG on its path never gets here (flow_result: not on its path).
	s.nsg != null
}

on_path(s, _) if s.nsg != null

on_path(_, f) if {
	f.kind == "outbound"
	fw_present
}

# Through every stage in turn: blocked where a stage it may reach denies, through where every stage allows.
outcome(st) := {
	"fates": ({"deny" | some i, x in st; "deny" in x.fates; reached(st, i)} | {"allow" | every x in st {
		"allow" in x.fates
	}}),
	"blocked_by": [x.by | some i, x in st; x.fates == {"deny"}; reached(st, i)],
	"maybe": [r | some i, x in st; reached(st, i); some r in x.maybe],
	"allows": {x.by | some i, x in st; reached(st, i); "allow" in x.fates; x.by.accesses == ["allow"]},
}

# A stage is reached when every stage before it may let the flow through.
reached(st, i) if count([j | some j, x in st; j < i; not "allow" in x.fates]) == 0

# ---------- verdicts ----------

# What is audited: each NSG as the cluster subnet's (with the firewall on its way out), or the firewall alone.
subjects := [{"name": k, "nsg": k} | some k in sort(nsg_keys)] if {
	count(nsg_keys) > 0
} else := [{"name": "firewall", "nsg": null}] if {
	fw_present
} else := []

flow_result(s, f) := {"status": "not-auditable", "why": f.notAuditable} if {
	f.notAuditable
} else := {"status": "unknown", "why": f.unknown, "mayBeOpen": true} if {
	f.unknown
} else := {"status": "not-auditable", "why": "no layer of the input lies on its path"} if {
	not on_path(s, f)
} else := flow_verdict([outcome(stages(s, f, c)) | some c in cells(f)], [c | some c in cells(f)])

# A part surely open and a part surely blocked make it partly open, whatever its unknown parts (as the evaluator).
flow_verdict(outs, cs) := {"status": "open", "allows": allows(outs)} if {
	every o in outs {
		o.fates == {"allow"}
	}
} else := {"status": "blocked", "by": by(outs), "allows": allows(outs)} if {
	every o in outs {
		o.fates == {"deny"}
	}
} else := {"status": "partly-open", "by": by(outs), "example": example(outs, cs), "allows": allows(outs)} if {
	# The set of fates once: a pair of loops over the parts is quadratic in them.
	fates := {o.fates | some o in outs}
	{"allow"} in fates
	{"deny"} in fates
} else := {"status": "unknown", "why": why(outs), "mayBeOpen": may_be_open(outs), "allows": allows(outs)}

allows(outs) := {r | some o in outs; some r in o.allows}

# An unknown flow may still be open unless some part of it is surely blocked.
may_be_open(outs) := false if {
	some o in outs
	o.fates == {"deny"}
} else := true

by(outs) := step_text(r) if {
	rs := {r | some o in outs; some r in o.blocked_by}
	first := min({r.key | some r in rs})
	some r in rs
	r.key == first
}

why(outs) := min({sprintf("%s may or may not apply to it", [step_text(r)]) |
	some o in outs
	o.fates == {"allow", "deny"}
	some r in o.maybe
})

# One address (a prefix of the flow) that is blocked, when the flow's parts are prefixes.
example(outs, cs) := sprintf(", e.g. %s", [min({c.dst.v | some i, o in outs; o.fates == {"deny"}; c := cs[i]; c.dst.k == "cidr"})]) if {
	some i, o in outs
	o.fates == {"deny"}
	cs[i].dst.k == "cidr"
} else := ""

step_text(r) := sprintf("NSG %s %s rule %s (%v) %s%s", [r.nsg, r.direction, r.name, r.priority, access_text(r.accesses), default_note(r)]) if {
	r.layer == "nsg"
} else := sprintf("firewall %s", [r.name]) if {
	r.kind == "none"
} else := sprintf("firewall %s rule %s (%v) %s", [r.kind, r.name, r.priority, access_text(r.accesses)])

access_text(accesses) := concat(" or ", [{"allow": "Allow", "deny": "Deny"}[a] | some a in accesses])

default_note(r) := " (Azure default rule)" if r.default

default_note(r) := "" if not r.default

results[[s.name, id, i, j]] := flow_result(s, f) if {
	some s in subjects
	some id, req in doc.requirements
	some i, alt in req.alternatives
	some j, f in alt.flows
}

# All flows of an alternative are needed; some surely open and some surely blocked make it partly open.
alternative_status(flows) := "not-auditable" if {
	every f in flows {
		f.status == "not-auditable"
	}
} else := "open" if {
	every f in flows {
		f.status in {"open", "not-auditable"}
	}
} else := "blocked" if {
	every f in flows {
		f.status in {"blocked", "not-auditable"}
	}
} else := "partly-open" if {
	some f in flows
	f.status == "partly-open"
} else := "partly-open" if {
	statuses := {f.status | some f in flows}
	"open" in statuses
	"blocked" in statuses
} else := "unknown"

flow_may_be_open(f) if f.status in {"open", "not-auditable"}

flow_may_be_open(f) if {
	f.status == "unknown"
	f.mayBeOpen
}

alternative_may_be_open(flows) if {
	every f in flows {
		flow_may_be_open(f)
	}
} else := false

# Any alternative suffices: the best of them. An unknown one that may still be open ranks above partly open;
# one with a part surely blocked is at best partly open, so it ranks below.
rank(a) := 1 if {
	a.status == "unknown"
	a.mayBeOpen
} else := 3 if {
	a.status == "unknown"
} else := {"open": 0, "partly-open": 2, "blocked": 4, "not-auditable": 5}[a.status]

best(alts) := "not-auditable" if count(alts) == 0

best(alts) := a.status if {
	first := min({rank(x) | some x in alts})
	some a in alts
	rank(a) == first
}

# Across subjects, the worst.
worst(statuses) := [v | some v in ["blocked", "partly-open", "unknown", "open", "not-auditable"]; v in statuses][0]

subject_alternatives(s, id) := [{
	"type": alt.type,
	"label": alt.label,
	"status": alternative_status(flows),
	"mayBeOpen": alternative_may_be_open(flows),
	"flows": flows,
} |
	some i, alt in doc.requirements[id].alternatives
	flows := [object.union(results[[s.name, id, i, j]], {"label": f.label}) | some j, f in alt.flows]
]

subject_verdict(s, id) := {"status": best(alts), "alternatives": alts} if {
	alts := subject_alternatives(s, id)
}

# METADATA
# title: verdicts
# description: >-
#   Per requirement id: status (open, partly-open, blocked, unknown,
#   not-auditable), a one-line detail, and the status per audited subject.
verdicts[id] := {
	"status": status,
	"detail": detail(id, status, per),
	"subjects": {name: v.status | some name, v in per},
} if {
	some id, _ in doc.requirements
	count(subjects) > 0
	per := {s.name: subject_verdict(s, id) | some s in subjects}
	status := worst({v.status | some v in per})
}

verdicts[id] := {"status": "not-auditable", "detail": "not auditable: nothing to audit in the input", "subjects": {}} if {
	some id, _ in doc.requirements
	count(subjects) == 0
}

detail(id, status, per) := concat("", [prefix, text]) if {
	some name, v in per
	v.status == status
	prefix := subject_prefix(name)
	text := detail_text(status, v.alternatives, doc.requirements[id].alternatives)
}

subject_prefix(name) := sprintf("%s: ", [name]) if count(subjects) > 1

subject_prefix(_) := "" if count(subjects) <= 1

detail_text("not-auditable", alts, _) := "not auditable: no alternative" if {
	count(alts) == 0
} else := sprintf("not auditable: %s", [[f.why | some a in alts; some f in a.flows; f.status == "not-auditable"][0]])

detail_text(status, alts, _) := sprintf("open: %s", [[a.label | some a in alts; a.status == status][0]]) if status == "open"

detail_text(status, alts, _) := sprintf("%s: %s: %s", [status, a.label, flow_text(status, f)]) if {
	status in {"blocked", "partly-open", "unknown"}
	a := [x | some x in alts; x.status == status][0]
	f := [x | some x in a.flows; x.status != "open"; x.status != "not-auditable"][0]
}

flow_text("unknown", f) := sprintf("%s: %s", [f.label, f.why]) if f.status == "unknown"

flow_text(_, f) := sprintf("%s blocked by %s%s", [f.label, f.by, object.get(f, "example", "")]) if f.status in {"blocked", "partly-open"}

flow_text(status, f) := sprintf("%s is %s", [f.label, f.status]) if {
	status != f.status
	not f.status in {"blocked", "partly-open"}
}

# ---------- conftest ----------

# METADATA
# title: deny
# description: One message per requirement whose flows are blocked, partly open or unknown, and for input the policy cannot audit.
deny contains sprintf("%s: %s", [id, v.detail]) if {
	some id, v in verdicts
	v.status in {"blocked", "partly-open", "unknown"}
}

deny contains "input: not an ARM template, the JSON of az network nsg show or az network firewall policy rule-collection-group show, or a Terraform plan" if {
	not format
}

deny contains "input: nothing to audit: no network security group or firewall policy rule collection group in the input" if {
	format
	count(subjects) == 0
}

# METADATA
# title: warn
# description: Allows wider than the requirements need, and NSG rules that let traffic in from public addresses.
warn contains sprintf("%s opens %s, which no requirement needs (it serves %s)", [step_text(r), concat("; ", sort(wide)), concat(", ", sort(ids))]) if {
	some r in allowing_rules
	ids := {id | some k, res in results; r in res.allows; id := k[1]}
	kinds := {doc.requirements[k[1]].kind | some k, res in results; r in res.allows}
	wide := {w | some kind in kinds; some w in wider(r, kind)}
	count(wide) > 0
}

warn contains sprintf("%s lets traffic in from public addresses; no requirement needs it", [step_text(r)]) if {
	some r in custom_nsg_rules
	r.direction == "inbound"
	r.accesses == ["allow"]
	some t in r.src
	public_term(t)
}

allowing_rules := {r | some res in results; some r in res.allows; not r.default}

public_term(t) if t.k in {"any", "internet", "tag"}

public_term(t) if {
	t.k == "cidr"
	not private(t.v)
	not inside_subnet(t)
}

wider(r, kind) := {sprintf("ports %s", [concat(",", [port_label(pr) | some pr in r.ports.ranges; not needed_port(kind, pr)])])} | wider_addresses(r, kind) if {
	some pr in r.ports.ranges
	not needed_port(kind, pr)
} else := wider_addresses(r, kind)

port_label(pr) := format_int(pr[0], 10) if pr[0] == pr[1]

port_label(pr) := sprintf("%d-%d", pr) if pr[0] != pr[1]

needed_port(kind, pr) if {
	some n in doc.needs[kind].ports
	n[0] <= pr[0]
	pr[1] <= n[1]
}

wider_addresses(r, "outbound") := {sprintf("destinations %s", [concat(", ", sort(d))]) | d := {t_text(t) | some t in r.dst; not needed_destination(t)}; count(d) > 0} | {sprintf("host names %s", [concat(", ", sort(n))]) | n := {t | some t in r.names; not needed_name(t)}; count(n) > 0}

wider_addresses(r, "internal") := {sprintf("%s %s", [side_name, concat(", ", sort(d))]) |
	some side_name, terms in {"sources": r.src, "destinations": r.dst}
	d := {t_text(t) | some t in terms; not inside_subnet(t)}
	count(d) > 0
}

t_text(t) := t.v if t.k in {"cidr", "tag"}

t_text(t) := {"any": "*", "internet": "Internet", "vnet": "VirtualNetwork", "none": "(a tag)", "unknown": "(a value not known)"}[t.k] if not t.k in {"cidr", "tag"}

needed_destination(t) if {
	t.k == "cidr"
	some p in doc.needs.outbound.prefixes
	net.cidr_contains(p, t.v)
}

needed_destination(t) if {
	t.k == "tag"
	not doc.tags[t.v].beyond
}

needed_name(t) if {
	some n in doc.needs.outbound.names
	name_covers(n, t)
}

inside_subnet(t) if t.k == "vnet"

inside_subnet(t) if {
	t.k == "cidr"
	doc.subnet != null
	net.cidr_contains(doc.subnet, t.v)
}

# METADATA
# title: report
# description: The verdicts, deny and warn together, with what was audited.
report := {
	"format": format_name,
	"revision": doc.stamp.revision,
	"serviceTags": doc.serviceTags,
	"subjects": [s.name | some s in subjects],
	"verdicts": verdicts,
	"deny": deny,
	"warn": warn,
}

// A generated Azure Resource Graph export of NSGs, as `az graph query -q "resources | where type =~
// 'microsoft.network/networksecuritygroups'"` returns it (`{ count, data, skip_token, total_records }`, each row
// with its default rules, ids and provisioning states, rules as the REST API's examples show them), written
// compact (as the REST API sends it; az's own printing indents it, which makes it 1.6x larger). Seeded and
// deterministic: the same arguments give the same bytes. Rules mix allows and denies over service tags of
// the vendored file (global and regional forms), public and private prefixes, VirtualNetwork, Internet,
// AzureLoadBalancer and *, on single ports, ranges and lists, TCP, UDP and *.
import { readFileSync } from "node:fs";
import { SERVICE_TAGS_FILE } from "./common.mjs";

/** mulberry32: a small seeded generator, enough for test data. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOCATIONS = ["eastus", "eastus2", "westus2", "westeurope", "northeurope", "centralus", "southeastasia", "uksouth"];
/** Tags a Cassandra cluster's NSG names (the revision's own), and broad ones that hold them. */
const CORE_TAGS = ["Storage", "AzureKeyVault", "EventHub", "AzureMonitor", "AzureActiveDirectory", "AzureResourceManager", "ApiManagement", "GuestAndHybridManagement", "AzureFrontDoor.FirstParty", "AzureCloud", "Sql"];
const DEFAULTS = [
  ["AllowVnetInBound", "Allow inbound traffic from all VMs in VNET", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Inbound"],
  ["AllowAzureLoadBalancerInBound", "Allow inbound traffic from azure load balancer", "AzureLoadBalancer", "*", "Allow", 65001, "Inbound"],
  ["DenyAllInBound", "Deny all inbound traffic", "*", "*", "Deny", 65500, "Inbound"],
  ["AllowVnetOutBound", "Allow outbound traffic from all VMs to all VMs in VNET", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Outbound"],
  ["AllowInternetOutBound", "Allow outbound traffic from all VMs to Internet", "*", "Internet", "Allow", 65001, "Outbound"],
  ["DenyAllOutBound", "Deny all outbound traffic", "*", "*", "Deny", 65500, "Outbound"],
];

function loadTags() {
  const doc = JSON.parse(readFileSync(SERVICE_TAGS_FILE, "utf8"));
  const names = doc.values.map((v) => v.name);
  const v4 = new Map(doc.values.map((v) => [v.name, v.properties.addressPrefixes.filter((p) => !p.includes(":"))]));
  return { names, v4 };
}

const hex = (rand, n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
const guid = (rand) => `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`;

/** The export's text. `nsgs` rows of `rulesPerNsg` custom rules each. */
export function graphExport({ nsgs = 10000, rulesPerNsg = 30, seed = 20251028 } = {}) {
  const rand = prng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const tags = loadTags();
  const regional = tags.names.filter((n) => CORE_TAGS.some((t) => n.startsWith(`${t}.`)));
  const withV4 = tags.names.filter((n) => (tags.v4.get(n)?.length ?? 0) > 0);
  const tenant = guid(rand);
  const subscriptions = Array.from({ length: 20 }, () => guid(rand));
  const tag = () => {
    const r = rand();
    return r < 0.45 ? pick(CORE_TAGS) : r < 0.8 ? pick(regional) : pick(withV4);
  };
  /** A prefix near a tag's prefixes (its own, or a parent up to 6 bits shorter), a private one, or a broad public one. */
  const prefix = () => {
    const r = rand();
    if (r < 0.5) {
      const list = tags.v4.get(pick(CORE_TAGS)) ?? [];
      const [addr, len] = pick(list).split("/");
      const l = Math.max(8, Number(len) - Math.floor(rand() * 7));
      const n = addr.split(".").reduce((a, o) => a * 256 + Number(o), 0);
      const masked = l === 0 ? 0 : Math.floor(n / 2 ** (32 - l)) * 2 ** (32 - l);
      return `${[24, 16, 8, 0].map((s) => Math.floor(masked / 2 ** s) % 256).join(".")}/${l}`;
    }
    if (r < 0.8) return `10.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.0/${pick([16, 20, 24, 26])}`;
    return pick(["13.64.0.0/11", "20.0.0.0/8", "40.64.0.0/10", "52.0.0.0/8", "104.40.0.0/13", "0.0.0.0/0", "192.168.0.0/16", "172.16.0.0/12"]);
  };
  const address = (outbound, side) => {
    const r = rand();
    // Outbound destinations and inbound sources are where tags and prefixes matter.
    const far = outbound ? side === "dst" : side === "src";
    if (!far) return r < 0.4 ? "*" : r < 0.75 ? "VirtualNetwork" : r < 0.95 ? prefix() : "AzureLoadBalancer";
    return r < 0.45 ? tag() : r < 0.75 ? prefix() : r < 0.85 ? "Internet" : r < 0.93 ? "*" : "VirtualNetwork";
  };
  const port = () => {
    const r = rand();
    if (r < 0.2) return "*";
    if (r < 0.6) return pick(["443", "80", "22", "3389", "9042", "7001", "7000", "8443", "1433", "5671", "445", "53"]);
    if (r < 0.9) {
      const from = pick([0, 80, 443, 1024, 7000, 8000, 9000, 30000]);
      return `${from}-${from + pick([1, 10, 100, 1000, 20000])}`;
    }
    return pick(["1024-65535", "0-65535", "440-450"]);
  };
  const many = (one, max) => {
    const n = 1 + Math.floor(rand() * max);
    return [...new Set(Array.from({ length: n }, one))];
  };

  const rows = [];
  for (let i = 0; i < nsgs; i++) {
    const sub = pick(subscriptions);
    const rg = `rg-${String(i % 400).padStart(3, "0")}`;
    const name = `nsg-${String(i).padStart(5, "0")}`;
    const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkSecurityGroups/${name}`;
    const priorities = new Set();
    while (priorities.size < rulesPerNsg) priorities.add(100 + Math.floor(rand() * 3997));
    const securityRules = [...priorities]
      .sort((a, b) => a - b)
      .map((priority, k) => {
        const outbound = rand() < 0.6;
        const access = rand() < 0.7 ? "Allow" : "Deny";
        const protocol = pick(["Tcp", "Tcp", "Tcp", "*", "*", "Udp", "Icmp"]);
        const props = { provisioningState: "Succeeded", ...(rand() < 0.25 ? { description: `${access} ${outbound ? "outbound" : "inbound"} rule ${k + 1}` } : {}), protocol, sourcePortRange: rand() < 0.97 ? "*" : "1024-65535" };
        const dstPorts = rand() < 0.25 ? many(port, 4) : [port()];
        if (dstPorts.length > 1) props.destinationPortRanges = dstPorts;
        else props.destinationPortRange = dstPorts[0];
        for (const side of ["src", "dst"]) {
          const key = side === "src" ? "source" : "destination";
          const values = rand() < 0.2 ? many(() => address(outbound, side), 4) : [address(outbound, side)];
          if (values.length > 1) props[`${key}AddressPrefixes`] = values;
          else props[`${key}AddressPrefix`] = values[0];
        }
        Object.assign(props, { access, priority, direction: outbound ? "Outbound" : "Inbound" });
        const ruleName = `${access.toLowerCase()}-${outbound ? "out" : "in"}-${priority}`;
        return { name: ruleName, id: `${id}/securityRules/${ruleName}`, properties: props };
      });
    const defaultSecurityRules = DEFAULTS.map(([n, description, src, dst, access, priority, direction]) => ({
      name: n,
      id: `${id}/defaultSecurityRules/${n}`,
      properties: { provisioningState: "Succeeded", description, protocol: "*", sourcePortRange: "*", destinationPortRange: "*", sourceAddressPrefix: src, destinationAddressPrefix: dst, access, priority, direction },
    }));
    rows.push({
      id,
      name,
      type: "microsoft.network/networksecuritygroups",
      tenantId: tenant,
      kind: "",
      location: pick(LOCATIONS),
      resourceGroup: rg,
      subscriptionId: sub,
      managedBy: "",
      sku: null,
      plan: null,
      properties: { provisioningState: "Succeeded", resourceGuid: guid(rand), securityRules, defaultSecurityRules },
      etag: `W/"${guid(rand)}"`,
      tags: {},
      identity: null,
      zones: null,
      extendedLocation: null,
    });
  }
  return `${JSON.stringify({ count: rows.length, data: rows, skip_token: null, total_records: rows.length })}\n`;
}

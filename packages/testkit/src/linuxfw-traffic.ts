/**
 * Traffic through an emitted Linux firewall, the same for iptables and nftables: namespaces the test
 * makes, addresses from the documentation ranges only, TCP probes measured once before the rules load
 * (every one connects, so a later timeout is the rules' doing, not a missing listener or route) and
 * once after.
 */
import { join } from "node:path";
import { normaliseAddresses } from "./linuxfw.js";
import {
  buildHostTopology,
  buildNvaTopology,
  dnsQuery,
  HOST_ADDRESSES,
  NVA_ADDRESSES,
  startDaemon,
  startTcpServer,
  tcpProbe,
  waitForDns,
  type Netns,
  type ProbeResult,
} from "./netns.js";

/** What the traffic tests need of one emitter's output. */
export interface FirewallUnderTest {
  /** Namespace name tag, `iptables` or `nftables`. */
  readonly pkg: string;
  /** Loads an emitted artifact (its text) in the namespace; throws when the load fails. */
  load(ns: Netns, artifact: string): void;
  /** Adds an address to the dnsmasq-filled tcp/443 set of its family, as dnsmasq does for an answer. */
  addToFqdnSet(ns: Netns, address: string): void;
  /** What the dnsmasq-filled tcp/443 sets of both families hold (addresses, prefixes or ranges). */
  fqdnSetMembers(ns: Netns): string[];
}

type Stoppable = { stop(): void };
type Probes = Record<string, readonly [from: "client" | "managed" | "node", address: string, port: number]>;
export type ProbeResults = Record<string, ProbeResult>;

function probeAll(probes: Probes, nsOf: (from: "client" | "managed" | "node") => Netns): ProbeResults {
  return Object.fromEntries(Object.entries(probes).map(([name, [from, address, port]]) => [name, tcpProbe(nsOf(from), address, port)]));
}

/** Every probe connected: what `before` must be. */
export function allConnected(results: ProbeResults): ProbeResults {
  return Object.fromEntries(Object.keys(results).map((k) => [k, "connected"]));
}

/** In `Storage` of the doc-range file (192.0.2.0/27, 2001:db8:10::/48); outside every set; not in any tag. */
const NVA = {
  tag4: "192.0.2.10",
  tag6: "2001:db8:10::10",
  outside4: "203.0.113.10",
  outside6: "2001:db8:ff::10",
  fqdn4: "203.0.113.20",
  fqdn6: "2001:db8:ff::20",
} as const;

const NVA_RULES_PROBES: Probes = {
  tag4on443: ["client", NVA.tag4, 443],
  tag4on8443: ["client", NVA.tag4, 8443],
  outside4on443: ["client", NVA.outside4, 443],
  tag6on443: ["client", NVA.tag6, 443],
  tag6on8443: ["client", NVA.tag6, 8443],
  outside6on443: ["client", NVA.outside6, 443],
  fqdn4BeforeDns: ["client", NVA.fqdn4, 443],
  fqdn6BeforeDns: ["client", NVA.fqdn6, 443],
};
const NVA_DNS_PROBES: Probes = {
  fqdn4AfterDns: ["client", NVA.fqdn4, 443],
  fqdn4OtherPort: ["client", NVA.fqdn4, 8443],
  fqdn6AfterDns: ["client", NVA.fqdn6, 443],
};

export const NVA_TRAFFIC_EXPECTED: ProbeResults = {
  tag4on443: "connected",
  tag4on8443: "timeout",
  outside4on443: "timeout",
  tag6on443: "connected",
  tag6on8443: "timeout",
  outside6on443: "timeout",
  fqdn4BeforeDns: "timeout",
  fqdn6BeforeDns: "timeout",
  fqdn4AfterDns: "connected",
  fqdn4OtherPort: "timeout",
  fqdn6AfterDns: "connected",
};

/**
 * client -> appliance (the emitted `nva` rules) -> destination listening on 443 and 8443 at a tag
 * address, an address outside every set and an address an FQDN resolves to, both families; the FQDN
 * address is put in the dnsmasq-filled set by hand halfway.
 */
export async function nvaTraffic(fw: FirewallUnderTest, artifact: string): Promise<{ before: ProbeResults; after: ProbeResults }> {
  const a = NVA;
  const topo = buildNvaTopology(fw.pkg, [`${a.tag4}/32`, `${a.outside4}/32`, `${a.fqdn4}/32`, `${a.tag6}/128`, `${a.outside6}/128`, `${a.fqdn6}/128`]);
  const servers: Stoppable[] = [];
  try {
    servers.push(await startTcpServer(topo.destination, [443, 8443]));
    const nsOf = (): Netns => topo.client;
    const before = probeAll({ ...NVA_RULES_PROBES, ...NVA_DNS_PROBES }, nsOf);
    fw.load(topo.appliance, artifact);
    const after = probeAll(NVA_RULES_PROBES, nsOf);
    fw.addToFqdnSet(topo.appliance, a.fqdn4);
    fw.addToFqdnSet(topo.appliance, a.fqdn6);
    return { before, after: { ...after, ...probeAll(NVA_DNS_PROBES, nsOf) } };
  } finally {
    for (const x of servers) x.stop();
    topo.destroy();
  }
}

/** Names the appliance's dnsmasq must fill the set for (one listed, one under a listed wildcard) and one it must not. */
const DNS = {
  listedName: "management.azure.com",
  wildcardName: "backup7.blob.core.windows.net",
  unlistedName: "example.org",
  listed4: "203.0.113.20",
  wildcard4: "203.0.113.21",
  unlisted4: "203.0.113.22",
  listed6: "2001:db8:ff::20",
} as const;

const DNS_PROBES: Probes = {
  listed: ["client", DNS.listed4, 443],
  listedOtherPort: ["client", DNS.listed4, 8443],
  wildcard: ["client", DNS.wildcard4, 443],
  listed6: ["client", DNS.listed6, 443],
  unlisted: ["client", DNS.unlisted4, 443],
};

export const DNSMASQ_TRAFFIC_EXPECTED = {
  beforeDns: { listed: "timeout", listedOtherPort: "timeout", wildcard: "timeout", listed6: "timeout", unlisted: "timeout" },
  answers: { listedA: 1, listedAAAA: 1, wildcardA: 1, unlistedA: 1 },
  setMembers: normaliseAddresses([DNS.listed4, DNS.wildcard4, DNS.listed6]),
  afterDns: { listed: "connected", listedOtherPort: "timeout", wildcard: "connected", listed6: "connected", unlisted: "timeout" },
} as const;

/**
 * The same topology with a real dnsmasq on the appliance, loaded with the emitted configuration, in
 * front of an upstream dnsmasq in the destination namespace that answers for every name (documentation
 * addresses only, no upstream of its own).
 */
export async function dnsmasqTraffic(
  fw: FirewallUnderTest,
  artifact: string,
  dnsmasqConfPath: string,
  workDir: string,
): Promise<{ before: ProbeResults; beforeDns: ProbeResults; answers: Record<string, number>; setMembers: string[]; afterDns: ProbeResults }> {
  const a = NVA_ADDRESSES;
  const d = DNS;
  const topo = buildNvaTopology(fw.pkg, [`${d.listed4}/32`, `${d.wildcard4}/32`, `${d.unlisted4}/32`, `${d.listed6}/128`]);
  const daemons: Stoppable[] = [];
  try {
    daemons.push(await startTcpServer(topo.destination, [443, 8443]));
    const nsOf = (): Netns => topo.client;
    const before = probeAll(DNS_PROBES, nsOf);
    const common = ["-k", "--log-facility=-", "-u", "root", "--no-resolv", "--no-hosts", "--bind-interfaces"];
    daemons.push(
      startDaemon(topo.destination, "dnsmasq", [
        ...common,
        `--listen-address=${a.dest4}`,
        `--pid-file=${join(workDir, `upstream-${fw.pkg}.pid`)}`,
        "--conf-file=/dev/null",
        `--address=/${d.listedName}/${d.listed4}`,
        `--address=/${d.listedName}/${d.listed6}`,
        `--address=/${d.wildcardName}/${d.wildcard4}`,
        `--address=/${d.unlistedName}/${d.unlisted4}`,
      ]),
    );
    await waitForDns(topo.appliance, a.dest4, d.unlistedName);
    fw.load(topo.appliance, artifact);
    daemons.push(
      startDaemon(topo.appliance, "dnsmasq", [
        ...common,
        `--listen-address=${a.applianceClient4}`,
        `--server=${a.dest4}`,
        `--pid-file=${join(workDir, `resolver-${fw.pkg}.pid`)}`,
        `--conf-file=${dnsmasqConfPath}`,
      ]),
    );
    await waitForDns(topo.client, a.applianceClient4, d.unlistedName);
    const beforeDns = probeAll(DNS_PROBES, nsOf);
    const answers = {
      listedA: dnsQuery(topo.client, a.applianceClient4, d.listedName),
      listedAAAA: dnsQuery(topo.client, a.applianceClient4, d.listedName, 28),
      wildcardA: dnsQuery(topo.client, a.applianceClient4, d.wildcardName),
      unlistedA: dnsQuery(topo.client, a.applianceClient4, d.unlistedName),
    };
    const setMembers = normaliseAddresses(fw.fqdnSetMembers(topo.appliance));
    return { before, beforeDns, answers, setMembers, afterDns: probeAll(DNS_PROBES, nsOf) };
  } finally {
    for (const x of daemons.reverse()) x.stop();
    topo.destroy();
  }
}

const HOST_PROBES: Probes = {
  in4cql: ["managed", HOST_ADDRESSES.node4, 9042],
  in4other: ["managed", HOST_ADDRESSES.node4, 8080],
  in6cql: ["managed", HOST_ADDRESSES.node6, 9042],
  in6other: ["managed", HOST_ADDRESSES.node6, 8080],
  out4gossip: ["node", HOST_ADDRESSES.managed4, 7001],
  out4other: ["node", HOST_ADDRESSES.managed4, 8080],
  out6gossip: ["node", HOST_ADDRESSES.managed6, 7001],
  out6other: ["node", HOST_ADDRESSES.managed6, 8080],
};

export const HOST_TRAFFIC_EXPECTED: ProbeResults = {
  in4cql: "connected",
  in4other: "timeout",
  in6cql: "connected",
  in6other: "timeout",
  out4gossip: "connected",
  out4other: "timeout",
  out6gossip: "connected",
  out6other: "timeout",
};

/** A managed node (in the cluster subnet) and the self-hosted node running the emitted `host` rules, each listening on an internal port and 8080. */
export async function hostTraffic(fw: FirewallUnderTest, artifact: string): Promise<{ before: ProbeResults; after: ProbeResults }> {
  const topo = buildHostTopology(fw.pkg);
  const servers: Stoppable[] = [];
  try {
    servers.push(await startTcpServer(topo.node, [9042, 8080]), await startTcpServer(topo.managed, [7001, 8080]));
    const nsOf = (from: "client" | "managed" | "node"): Netns => (from === "node" ? topo.node : topo.managed);
    const before = probeAll(HOST_PROBES, nsOf);
    fw.load(topo.node, artifact);
    return { before, after: probeAll(HOST_PROBES, nsOf) };
  } finally {
    for (const s of servers) s.stop();
    topo.destroy();
  }
}

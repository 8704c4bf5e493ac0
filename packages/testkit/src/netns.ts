/**
 * Network namespaces for kernel and traffic tests: create and destroy them, run commands inside, wire
 * them with veth pairs, serve and probe TCP. Every name is `cmn-<pkg>-<pid>-<n>`; nothing here touches
 * the host's own namespace except `ip netns add/del`. Tools missing make the calls throw (tests fail).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly input?: string;
  /** Kill the command after this many milliseconds (default 60 000). */
  readonly timeoutMs?: number;
}

/**
 * Runs a command; throws when it cannot be started (a missing tool) or outlives its time limit. The limit
 * is kept by coreutils `timeout`, which kills the command's whole process group: a hung grandchild (an
 * `iptables-restore` holding the xtables lock, which every namespace shares) must not outlive the test.
 */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): RunResult {
  const limitMs = options.timeoutMs ?? 60_000;
  const r = spawnSync("timeout", ["-k", "5", `${limitMs / 1000}s`, cmd, ...args], { input: options.input, encoding: "utf8", timeout: limitMs + 15_000, maxBuffer: 256 * 1024 * 1024 });
  const what = `${cmd} ${args.join(" ")}`;
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status === null) throw new Error(`${what}: killed by ${r.signal ?? "a signal"}`);
  if (r.status === 124 || r.status === 137) throw new Error(`${what}: did not finish within ${limitMs / 1000} s (a hang; killed with its children)\n${r.stderr}`.trim());
  if (r.status === 127 && /^timeout: failed to run command/.test(r.stderr)) throw new Error(`${what}: ${r.stderr.trim()}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command and throws with its output unless it exits 0. */
export function runOk(cmd: string, args: readonly string[], options: RunOptions = {}): RunResult {
  const r = run(cmd, args, options);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}\n${r.stderr}\n${r.stdout}`.trim());
  return r;
}

export const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

/** The two iptables backends a host may use: the kernel's nf_tables, or the legacy x_tables with its lock. */
export type IptablesBackend = "nf_tables" | "legacy";
export const IPTABLES_BACKENDS: readonly IptablesBackend[] = ["nf_tables", "legacy"];

const backendDirs = new Map<IptablesBackend, string>();

/**
 * A directory holding `iptables`, `ip6tables` and their `-save` / `-restore` as the given backend's
 * binaries (`iptables-legacy`, `iptables-nft`...), to put first on PATH; made once per process.
 */
export function iptablesBackendDir(backend: IptablesBackend): string {
  const made = backendDirs.get(backend);
  if (made) return made;
  const suffix = backend === "legacy" ? "legacy" : "nft";
  const parent = mkdtempSync(join(tmpdir(), "cmn-iptables-backend-"));
  process.once("exit", () => rmSync(parent, { recursive: true, force: true }));
  const dir = join(parent, backend);
  mkdirSync(dir);
  for (const tool of ["iptables", "ip6tables"]) {
    for (const verb of ["", "-save", "-restore"]) {
      const real = runOk("bash", ["-c", `command -v ${tool}-${suffix}${verb}`]).stdout.trim();
      symlinkSync(real, join(dir, `${tool}${verb}`));
    }
  }
  backendDirs.set(backend, dir);
  return dir;
}

/** The environment assignment that runs a command under the given backend: `PATH=<backend dir>:<PATH>`. */
export function backendPath(backend: IptablesBackend): string {
  return `PATH=${iptablesBackendDir(backend)}:${process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin"}`;
}

let counter = 0;

/** A network namespace made by `ip netns add`; `destroy()` kills what still runs in it and deletes it. */
export class Netns {
  private constructor(readonly name: string) {}

  /** Creates `cmn-<pkg>-<pid>-<n>` with its loopback up. */
  static create(pkg: string): Netns {
    if (!/^[a-z0-9-]{1,20}$/.test(pkg)) throw new Error(`namespace tag must be [a-z0-9-]{1,20} (value: ${JSON.stringify(pkg)})`);
    counter += 1;
    const ns = new Netns(`cmn-${pkg}-${process.pid}-${counter}`);
    runOk("ip", ["netns", "add", ns.name]);
    try {
      ns.execOk("ip", ["link", "set", "lo", "up"]);
    } catch (e) {
      ns.destroy();
      throw e;
    }
    return ns;
  }

  exec(cmd: string, args: readonly string[] = [], options: RunOptions = {}): RunResult {
    return run("ip", ["netns", "exec", this.name, cmd, ...args], options);
  }

  execOk(cmd: string, args: readonly string[] = [], options: RunOptions = {}): RunResult {
    return runOk("ip", ["netns", "exec", this.name, cmd, ...args], options);
  }

  /** Runs a bash script (given as text on stdin) inside the namespace. */
  bash(script: string, args: readonly string[] = [], options: Omit<RunOptions, "input"> = {}): RunResult {
    return this.exec("bash", ["-s", "--", ...args], { ...options, input: script });
  }

  sysctl(key: string, value: string): void {
    this.execOk("sysctl", ["-q", "-w", `${key}=${value}`]);
  }

  /** Kills every process still in the namespace, then deletes it. Safe to call twice. */
  destroy(): void {
    const pids = run("ip", ["netns", "pids", this.name]);
    if (pids.status === 0) {
      for (const pid of pids.stdout.split(/\s+/).filter((p) => /^\d+$/.test(p))) run("kill", ["-9", pid]);
    }
    run("ip", ["netns", "del", this.name]);
  }
}

/** A veth pair `aIf` (in `a`) <-> `bIf` (in `b`), both up. */
export function veth(a: Netns, aIf: string, b: Netns, bIf: string): void {
  runOk("ip", ["link", "add", aIf, "netns", a.name, "type", "veth", "peer", "name", bIf, "netns", b.name]);
  a.execOk("ip", ["link", "set", aIf, "up"]);
  b.execOk("ip", ["link", "set", bIf, "up"]);
}

/** Adds an address (IPv6 without duplicate address detection, so it is usable at once). */
export function addAddress(ns: Netns, dev: string, cidr: string): void {
  ns.execOk("ip", ["addr", "add", cidr, "dev", dev, ...(cidr.includes(":") ? ["nodad"] : [])]);
}

export function addRoute(ns: Netns, prefix: string, via: string): void {
  ns.execOk("ip", [...(via.includes(":") ? ["-6"] : []), "route", "add", prefix, "via", via]);
}

const SERVER = `
import select, socket, sys
socks = []
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", int(p)))
    s.listen(64)
    socks.append(s)
print("ready", flush=True)
while True:
    ready, _, _ = select.select(socks, [], [])
    for s in ready:
        c, _ = s.accept()
        c.close()
`;

export interface TcpServer {
  stop(): void;
}

/** Listens on every address of the namespace (IPv4 and IPv6) on the given TCP ports; resolves once listening. */
export function startTcpServer(ns: Netns, ports: readonly number[]): Promise<TcpServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn("ip", ["netns", "exec", ns.name, PYTHON, "-c", SERVER, ...ports.map(String)], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`TCP server in ${ns.name} did not start: ${err}`));
    }, 10_000);
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`TCP server in ${ns.name} exited ${code}: ${err}`));
    });
    child.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve({ stop: () => void child.kill("SIGKILL") });
      }
    });
  });
}

export type ProbeResult = "connected" | "refused" | "timeout" | "unreachable";

const PROBE = `
import errno, socket, sys
addr, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(timeout)
try:
    s.connect((addr, port))
    print("connected")
except socket.timeout:
    print("timeout")
except ConnectionRefusedError:
    print("refused")
except OSError as e:
    print("unreachable" if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM) else "error %d" % e.errno)
`;

/** One TCP connect from `ns` with a short timeout: a dropped SYN gives `timeout`, a listener `connected`. */
export function tcpProbe(ns: Netns, address: string, port: number, timeoutSeconds = 1): ProbeResult {
  const r = ns.execOk(PYTHON, ["-c", PROBE, address, String(port), String(timeoutSeconds)], { timeoutMs: (timeoutSeconds + 10) * 1000 });
  const out = r.stdout.trim();
  if (out === "connected" || out === "refused" || out === "timeout" || out === "unreachable") return out;
  throw new Error(`probe ${address}:${port} from ${ns.name}: ${out} ${r.stderr}`);
}

/**
 * Resolves neighbours before any firewall is loaded (a connect to a closed port answers with a reset),
 * so a first SYN is never lost to neighbour discovery and a timeout always means a drop.
 */
function warmNeighbours(pairs: ReadonlyArray<readonly [Netns, string]>): void {
  for (const [ns, address] of pairs) {
    const r = tcpProbe(ns, address, 9, 3);
    if (r !== "refused") throw new Error(`topology: ${ns.name} cannot reach ${address} (${r})`);
  }
}

/** Addresses of the appliance topology (documentation ranges only). */
export const NVA_ADDRESSES = {
  clientSubnet4: "198.51.100.0/25",
  clientSubnet6: "2001:db8:c::/64",
  client4: "198.51.100.10",
  client6: "2001:db8:c::10",
  applianceClient4: "198.51.100.1",
  applianceClient6: "2001:db8:c::1",
  applianceDest4: "198.51.100.129",
  applianceDest6: "2001:db8:d::1",
  dest4: "198.51.100.130",
  dest6: "2001:db8:d::2",
} as const;

export interface NvaTopology {
  readonly client: Netns;
  readonly appliance: Netns;
  readonly destination: Netns;
  destroy(): void;
}

/** Makes `count` namespaces and wires them; on any error destroys what it made before rethrowing. */
function buildNamespaces<T extends object>(pkg: string, count: number, wire: (made: readonly Netns[]) => T): T & { destroy(): void } {
  const made: Netns[] = [];
  const destroy = (): void => {
    for (const ns of [...made].reverse()) ns.destroy();
  };
  try {
    for (let i = 0; i < count; i++) made.push(Netns.create(pkg));
    return { ...wire(made), destroy };
  } catch (e) {
    destroy();
    throw e;
  }
}

/**
 * client (cluster subnet 198.51.100.0/25, 2001:db8:c::/64) -> appliance (forwarding) -> destination,
 * which holds `destinationAddresses` (e.g. 192.0.2.10/32) on its link. The client and destination
 * route everything through the appliance; the appliance routes 192.0.2.0/24, 203.0.113.0/24 and
 * 2001:db8::/32 to the destination. No namespace has a link or route out of the three.
 */
export function buildNvaTopology(pkg: string, destinationAddresses: readonly string[]): NvaTopology {
  return buildNamespaces(pkg, 3, ([client, appliance, destination]) => {
    if (!client || !appliance || !destination) throw new Error("topology: namespaces missing");
    const a = NVA_ADDRESSES;
    veth(client, "eth0", appliance, "c0");
    veth(appliance, "d0", destination, "eth0");
    addAddress(client, "eth0", `${a.client4}/25`);
    addAddress(client, "eth0", `${a.client6}/64`);
    addAddress(appliance, "c0", `${a.applianceClient4}/25`);
    addAddress(appliance, "c0", `${a.applianceClient6}/64`);
    addAddress(appliance, "d0", `${a.applianceDest4}/25`);
    addAddress(appliance, "d0", `${a.applianceDest6}/64`);
    addAddress(destination, "eth0", `${a.dest4}/25`);
    addAddress(destination, "eth0", `${a.dest6}/64`);
    for (const addr of destinationAddresses) addAddress(destination, "eth0", addr);
    addRoute(client, "default", a.applianceClient4);
    addRoute(client, "default", a.applianceClient6);
    addRoute(destination, "default", a.applianceDest4);
    addRoute(destination, "default", a.applianceDest6);
    for (const p of ["192.0.2.0/24", "203.0.113.0/24"]) addRoute(appliance, p, a.dest4);
    addRoute(appliance, "2001:db8::/32", a.dest6);
    appliance.sysctl("net.ipv4.ip_forward", "1");
    appliance.sysctl("net.ipv6.conf.all.forwarding", "1");
    warmNeighbours([
      [client, a.applianceClient4],
      [client, a.applianceClient6],
      [appliance, a.client4],
      [appliance, a.client6],
      [appliance, a.dest4],
      [appliance, a.dest6],
      [destination, a.applianceDest4],
      [destination, a.applianceDest6],
    ]);
    return { client, appliance, destination };
  });
}

/** Addresses of the host topology: a managed node in the cluster subnet and a self-hosted node outside it. */
export const HOST_ADDRESSES = {
  clusterSubnet4: "198.51.100.0/25",
  clusterSubnet6: "2001:db8:c::/120",
  managed4: "198.51.100.10",
  managed6: "2001:db8:c::10",
  node4: "198.51.100.200",
  node6: "2001:db8:c::1:200",
} as const;

export interface HostTopology {
  readonly managed: Netns;
  readonly node: Netns;
  destroy(): void;
}

/** `managed` (in the cluster subnet) and `node` (the self-hosted node, outside it) on one link. */
export function buildHostTopology(pkg: string): HostTopology {
  return buildNamespaces(pkg, 2, ([managed, node]) => {
    if (!managed || !node) throw new Error("topology: namespaces missing");
    const h = HOST_ADDRESSES;
    veth(managed, "eth0", node, "eth0");
    addAddress(managed, "eth0", `${h.managed4}/24`);
    addAddress(managed, "eth0", `${h.managed6}/64`);
    addAddress(node, "eth0", `${h.node4}/24`);
    addAddress(node, "eth0", `${h.node6}/64`);
    warmNeighbours([
      [managed, h.node4],
      [managed, h.node6],
      [node, h.managed4],
      [node, h.managed6],
    ]);
    return { managed, node };
  });
}

export interface Daemon {
  stop(): void;
  /** What it printed on stderr so far (dnsmasq logs there with --log-facility=-). */
  log(): string;
}

/** Starts a long-running command inside the namespace (killed by `stop()` or by `Netns.destroy()`). */
export function startDaemon(ns: Netns, cmd: string, args: readonly string[]): Daemon {
  const child = spawn("ip", ["netns", "exec", ns.name, cmd, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  child.on("error", (e) => (log += `spawn error: ${e.message}`));
  return { stop: () => void child.kill("SIGKILL"), log: () => log };
}

const DNS_QUERY = `
import socket, struct, sys
name, server, qtype = sys.argv[1], sys.argv[2], int(sys.argv[3])
q = struct.pack(">HHHHHH", 0x4321, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\\0" + struct.pack(">HH", qtype, 1)
s = socket.socket(socket.AF_INET6 if ":" in server else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
try:
    s.sendto(q, (server, 53))
    d, _ = s.recvfrom(4096)
    print("answers %d rcode %d" % (struct.unpack(">H", d[6:8])[0], d[3] & 15))
except socket.timeout:
    print("timeout")
`;

/** Sends one DNS query (A = 1, AAAA = 28) over UDP; returns the answer count, or -1 on timeout. */
export function dnsQuery(ns: Netns, server: string, name: string, type: 1 | 28 = 1): number {
  const out = ns.execOk(PYTHON, ["-c", DNS_QUERY, name, server, String(type)]).stdout.trim();
  const m = /^answers (\d+) rcode (\d+)$/.exec(out);
  return m ? Number(m[1]) : -1;
}

/** Polls with DNS queries until the server answers (at most ~5 s). */
export async function waitForDns(ns: Netns, server: string, name: string): Promise<void> {
  for (let i = 0; i < 25; i++) {
    if (dnsQuery(ns, server, name) >= 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no DNS answer from ${server} in ${ns.name}`);
}

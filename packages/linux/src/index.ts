/**
 * @cassandra-mi-netrules/linux: the one plan of a Linux packet filter that the iptables and nftables
 * emitters render, with the checks and the kernel limits both respect.
 */
export { checkRuleId, commentChunks, dnsmasqDomain, LinuxFirewallError, safeCommentText } from "./checks.js";
export { DEFAULT_FQDN_TIMEOUT_SECONDS, KERNEL_LIMITS, WIDEST_NETWORK } from "./limits.js";
export {
  LINUX_OPTION_KEYS,
  linuxStampLines,
  planLinuxFirewall,
  type DnsmasqDomain,
  type FirewallChain,
  type FirewallRule,
  type FirewallSet,
  type LinuxFirewallMode,
  type LinuxFirewallNaming,
  type LinuxFirewallOptions,
  type LinuxFirewallPlan,
  type LinuxFirewallPlanning,
} from "./plan.js";

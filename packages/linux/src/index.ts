/**
 * @cassandra-mi-netrules/linux: the one plan of a Linux packet filter that the iptables and nftables
 * emitters render, with the checks and the kernel limits both respect.
 */
export {
  checkRuleId,
  dnsmasqDomain,
  linuxStampLines,
  LinuxFirewallError,
  planLinuxFirewall,
  safeCommentText,
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

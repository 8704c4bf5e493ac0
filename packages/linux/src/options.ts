/**
 * @cassandra-mi-netrules/linux/options: the declared options of the Linux plan, which both Linux emitters
 * take (iptables, nftables): their shape for `defineOptions`, and their flags. Loads zod; the main entry does not.
 */
import { booleanOption, choiceOption, cidrListOption, integerOption, type OptionExtras } from "@cassandra-mi-netrules/core/options";
import { DEFAULT_FQDN_TIMEOUT_SECONDS, KERNEL_LIMITS } from "./limits.js";

/** The shape of the Linux plan's options (LinuxFirewallOptions), for an emitter's `defineOptions`. */
export function linuxFirewallOptionShape() {
  return {
    mode: choiceOption(["nva", "host"], "nva: filter the subnet's forwarded egress on a Linux appliance; host: the internal ports on a self-hosted node", "nva"),
    subnets: cidrListOption("The cluster subnet(s), at most one per family helps; default: the subnet given to the resolver (--subnet)"),
    peers: cidrListOption("nva mode: networks the cluster reaches on the internal ports (other datacenters, clients, hybrid nodes)"),
    fqdns: booleanOption("Allow FQDN alternatives through dnsmasq-filled sets", true),
    regionalTags: booleanOption("Write regional service tags (Storage.EastUS) where every region has one the target can use", false),
    fqdnTimeout: integerOption(
      "Seconds an address dnsmasq put in an FQDN set stays there, so addresses DNS no longer returns expire",
      { min: 1, max: KERNEL_LIMITS.maxSetTimeoutSeconds },
      DEFAULT_FQDN_TIMEOUT_SECONDS,
    ),
  };
}

/** Their flags: `--mode`, `--peer` (repeatable), `--regional-tags`. */
export const linuxFirewallOptionExtras: { readonly mode: OptionExtras; readonly peers: OptionExtras; readonly regionalTags: OptionExtras } = {
  mode: { flag: { name: "mode", value: "mode" } },
  peers: { flag: { name: "peer", value: "cidr" } },
  regionalTags: { flag: { name: "regional-tags" } },
};

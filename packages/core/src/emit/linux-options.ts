/** The declared options both Linux packet-filter emitters take (the plan's options; see LinuxFirewallOptions). */
import { booleanOption, choiceOption, cidrListOption, type OptionExtras } from "../options.js";

/** The shape of the Linux plan's options, for an emitter's `defineOptions`. */
export function linuxFirewallOptionShape() {
  return {
    mode: choiceOption(["nva", "host"], "nva: filter the subnet's forwarded egress on a Linux appliance; host: the internal ports on a self-hosted node", "nva"),
    subnets: cidrListOption("The cluster subnet(s), at most one per family helps; default: the subnet given to the resolver (--subnet)"),
    peers: cidrListOption("nva mode: networks the cluster reaches on the internal ports (other datacenters, clients, hybrid nodes)"),
    fqdns: booleanOption("Allow FQDN alternatives through dnsmasq-filled sets", true),
    regionalTags: booleanOption("Write regional service tags (Storage.EastUS) where every region has one the target can use", false),
  };
}

/** Their flags: `--mode`, `--peer` (repeatable), `--regional-tags`. */
export const linuxFirewallOptionExtras: { readonly mode: OptionExtras; readonly peers: OptionExtras; readonly regionalTags: OptionExtras } = {
  mode: { flag: { name: "mode", value: "mode" } },
  peers: { flag: { name: "peer", value: "cidr" } },
  regionalTags: { flag: { name: "regional-tags" } },
};

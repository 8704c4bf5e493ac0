/** The options of the iptables emitter, declared: the CLI's flags, `-O iptables.key=value`, the config file and the docs come from here. */
import { defineOptions } from "@cassandra-mi-netrules/core/options";
import { linuxFirewallOptionExtras, linuxFirewallOptionShape } from "@cassandra-mi-netrules/linux/options";

export const iptablesOptions = defineOptions("iptables", linuxFirewallOptionShape(), linuxFirewallOptionExtras);

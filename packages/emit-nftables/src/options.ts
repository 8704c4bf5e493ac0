/** The options of the nftables emitter, declared: the CLI's flags, `-O nftables.key=value`, the config file and the docs come from here. */
import { defineOptions, stringOption } from "@cassandra-mi-netrules/core/options";
import { linuxFirewallOptionExtras, linuxFirewallOptionShape } from "@cassandra-mi-netrules/linux/options";

export const nftablesOptions = defineOptions(
  "nftables",
  {
    ...linuxFirewallOptionShape(),
    table: stringOption(
      "Name of the inet table the file owns and replaces",
      /^[a-z][a-z0-9_]{0,31}$/,
      "must be a lower-case identifier of [a-z0-9_], at most 32 characters, starting with a letter",
      "cassandra_mi",
    ),
  },
  linuxFirewallOptionExtras,
);

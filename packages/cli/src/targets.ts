/** The emitters, registered by name, and how CLI flags map to each one's options. */
import { EmitterRegistry, type Emitter } from "@cassandra-mi-netrules/core";
import { emitter as azureFirewall } from "@cassandra-mi-netrules/emit-azure-firewall";
import { emitter as iptables } from "@cassandra-mi-netrules/emit-iptables";
import { emitter as markdown, templateOverridesFromFiles } from "@cassandra-mi-netrules/emit-markdown";
import { emitter as nftables } from "@cassandra-mi-netrules/emit-nftables";
import { emitter as nsg } from "@cassandra-mi-netrules/emit-nsg";
import { emitter as opa } from "@cassandra-mi-netrules/emit-opa";
import { emitter as routeTable } from "@cassandra-mi-netrules/emit-route-table";
import { emitter as terraform } from "@cassandra-mi-netrules/emit-terraform";
import { CliError, shown } from "./errors.js";

export const registry: EmitterRegistry = new EmitterRegistry()
  .register(nsg)
  .register(azureFirewall)
  .register(iptables)
  .register(nftables)
  .register(markdown)
  .register(opa)
  .register(routeTable)
  .register(terraform);

/** Target-specific flags as commander parsed them (all optional). */
export interface TargetFlags {
  readonly nsgPriorityStart?: string;
  readonly firewallPriority?: string;
  readonly mode?: string;
  readonly locale?: string;
  readonly regionalTags?: boolean;
  readonly peer?: readonly string[];
  readonly changelog?: boolean | string;
  /** `--templates DIR`, as given. */
  readonly templates?: string;
  /** The files of that directory (read by the CLI's I/O layer), keyed by path relative to it. */
  readonly templateFiles?: Readonly<Record<string, string>>;
  /** `-O target.key=value`, repeatable. */
  readonly option?: readonly string[];
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new CliError(`${flag}: expected an integer (value: ${shown(value)})`);
  return Number(value);
}

function oneOf(flag: string, value: string | undefined, allowed: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value)) throw new CliError(`${flag}: expected one of ${allowed.join(", ")} (value: ${shown(value)})`);
  return value;
}

/** `-O nsg.priorityStart=200`: the value is read as JSON when it parses, else as a string. */
function genericOptions(target: string, raw: readonly string[] | undefined, targets: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of raw ?? []) {
    const m = /^([a-z][a-z0-9-]*)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/s.exec(item);
    if (!m) throw new CliError(`--option: expected target.key=value, e.g. nsg.priorityStart=200 (value: ${shown(item)})`);
    const [, t = "", key = "", value = ""] = m;
    if (!targets.includes(t)) throw new CliError(`--option: unknown target ${shown(t)} (known: ${targets.join(", ")})`);
    if (t !== target) continue;
    let parsed: unknown = value;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = value;
    }
    out[key] = parsed;
  }
  return out;
}

/** The options object passed to one emitter. */
export function optionsFor(target: string, flags: TargetFlags): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) o[key] = value;
  };
  switch (target) {
    case "nsg":
      set("priorityStart", integer("--nsg-priority-start", flags.nsgPriorityStart));
      set("regionalTags", flags.regionalTags);
      break;
    case "azure-firewall":
      set("groupPriority", integer("--firewall-priority", flags.firewallPriority));
      set("regionalTags", flags.regionalTags);
      break;
    case "route-table":
      set("regionalTags", flags.regionalTags);
      break;
    case "terraform":
      set("regionalTags", flags.regionalTags);
      if (flags.nsgPriorityStart !== undefined) set("nsg", { priorityStart: integer("--nsg-priority-start", flags.nsgPriorityStart) });
      if (flags.firewallPriority !== undefined) set("azureFirewall", { groupPriority: integer("--firewall-priority", flags.firewallPriority) });
      break;
    case "iptables":
    case "nftables":
      set("mode", oneOf("--mode", flags.mode, ["nva", "host"]));
      set("regionalTags", flags.regionalTags);
      set("peers", flags.peer);
      break;
    case "markdown":
      set("locale", oneOf("--locale", flags.locale, ["en", "fr"]));
      set("changelog", typeof flags.changelog === "string" ? { from: flags.changelog } : flags.changelog);
      if (flags.templateFiles) {
        try {
          set("templates", templateOverridesFromFiles(flags.templateFiles));
        } catch (e) {
          throw new CliError(`--templates ${shown(flags.templates ?? "")}: ${(e as Error).message}`);
        }
      }
      break;
    default:
      break;
  }
  return { ...o, ...genericOptions(target, flags.option, registry.names()) };
}

export function getEmitter(name: string): Emitter<Record<string, unknown>> {
  const e = registry.get(name);
  if (!e) throw new CliError(`unknown target ${shown(name)}`);
  return e as unknown as Emitter<Record<string, unknown>>;
}

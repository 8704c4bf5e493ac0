/** What every command's options share: values given once, repeatable lists, examples in the help. */
import { Option } from "commander";
import { CliError, shown } from "./errors.js";
import { collect } from "./resolve-opts.js";

export const BIN = "cassandra-mi-netrules";

/** The "Examples:" block of a command's help; a test runs every line of it. */
export function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** The long flag of an option, for messages: `--subnet`. */
function longFlag(flags: string): string {
  return /--[a-z0-9-]+/.exec(flags)?.[0] ?? flags;
}

/**
 * An option that takes one value: given twice, it is an error rather than the last one silently winning.
 * `parse` turns the text into the value (and throws CliError naming the flag).
 */
export function singleOption(flags: string, description: string, parse: (value: string, flag: string) => unknown = (v) => v): Option {
  const flag = longFlag(flags);
  return new Option(flags, description).argParser((value: string, previous: unknown) => {
    if (previous !== undefined) throw new CliError(`${flag}: given twice (${shown(previous)}, then ${shown(value)}); give it once`);
    return parse(value, flag);
  });
}

/** A repeatable option whose values are collected (comma-separated values split). */
export function listOption(flags: string, description: string): Option {
  return new Option(flags, description).argParser(collect);
}

/** `-O target.key=value`, repeatable, kept as given. */
export function keepAll(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parses an integer flag value; anything else is an error naming the flag. */
export function integerValue(value: string, flag: string): number {
  if (!/^-?\d+$/.test(value)) throw new CliError(`${flag}: expected an integer (value: ${shown(value)})`);
  return Number(value);
}

/** Parses a number flag value. */
export function numberValue(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new CliError(`${flag}: expected a number (value: ${shown(value)})`);
  return n;
}

/** ARM template strings: escaping data, recognising expressions, the metadata block every ARM renderer writes. */
import type { ArtifactStamp } from "@cassandra-mi-netrules/core";

/** A string that starts with `[` is an ARM expression; a literal one must be written `[[`. */
export function escapeArmString(value: string): string {
  return value.startsWith("[") ? `[${value}` : value;
}

/** Escapes every string in a JSON value (object keys are never evaluated by ARM and stay as they are). */
export function escapeArmStrings<T>(value: T): T {
  if (typeof value === "string") return escapeArmString(value) as T;
  if (Array.isArray(value)) return value.map((v) => escapeArmStrings(v)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeArmStrings(v)])) as T;
  }
  return value;
}

/** A string ARM evaluates: starts with `[` (not `[[`) and ends with `]`. */
export function isArmExpression(value: string): boolean {
  return value.startsWith("[") && !value.startsWith("[[") && value.endsWith("]");
}

/** A string as an ARM expression string literal: `'it''s'`. */
export function armStringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The template `metadata` every ARM emitter writes: the generator, then the stamp followed by the
 * emitter's own facts (options, requirements...), every data string escaped.
 */
export function armTemplateMetadata(stamp: ArtifactStamp, extra: Record<string, unknown>): Record<string, unknown> {
  return escapeArmStrings({
    _generator: { name: stamp.generator, version: stamp.generatorVersion },
    "cassandra-mi-netrules": { ...stamp, regions: [...stamp.regions], ...extra },
  });
}

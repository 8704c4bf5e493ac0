/** Small text helpers every emitter shares: stable name suffixes and short lists in coverage text. */

/** FNV-1a 32-bit as 8 hex digits: a short, stable, dependency-free name suffix. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (const ch of new TextEncoder().encode(text)) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** At most `max` items joined by commas, then how many more there are: lists in coverage `how` and `why`. */
export function listSome(items: readonly string[], max = 3): string {
  return items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

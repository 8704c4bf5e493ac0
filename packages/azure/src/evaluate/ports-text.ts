/** Port sets as text: `443`, `8000-8100`, joined by commas. */
import type { Ranges } from "./ranges.js";

export function formatRanges(r: Ranges): string {
  const parts: string[] = [];
  for (let i = 0; i < r.length; i += 2) {
    const a = r[i] as bigint;
    const b = r[i + 1] as bigint;
    parts.push(a === b ? String(a) : a === 0n && b === 65535n ? "*" : `${a}-${b}`);
  }
  return parts.join(",");
}

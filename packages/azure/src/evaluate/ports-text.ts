/** Port sets as text: `443`, `8000-8100`, joined by commas. */
import type { NumRanges } from "./ranges.js";

export function formatRanges(r: NumRanges): string {
  const parts: string[] = [];
  for (let i = 0; i < r.length; i += 2) {
    const a = r[i] as number;
    const b = r[i + 1] as number;
    parts.push(a === b ? String(a) : a === 0 && b === 65535 ? "*" : `${a}-${b}`);
  }
  return parts.join(",");
}

import type { PortRange } from "../types.js";

/** Sorts and merges overlapping or adjacent ranges. */
export function mergePortRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from || a.to - b.to);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) out[out.length - 1] = { from: last.from, to: Math.max(last.to, r.to) };
    else out.push({ from: r.from, to: r.to });
  }
  return out;
}

/** `443` or `8000-8100`, or with another separator such as `:` (`8000:8100`). */
export function formatPortRange(r: PortRange, separator = "-"): string {
  return r.from === r.to ? String(r.from) : `${r.from}${separator}${r.to}`;
}

/** Whether every port of `inner` lies in one of `outer`. */
export function portsCover(outer: readonly PortRange[], inner: readonly PortRange[]): boolean {
  const merged = mergePortRanges(outer);
  return inner.every((i) => merged.some((o) => o.from <= i.from && i.to <= o.to));
}

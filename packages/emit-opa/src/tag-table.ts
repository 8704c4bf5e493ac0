/**
 * The containment table of service tags, from the vendored service-tags file (the one @cassandra-mi-netrules/azure
 * generates and its evaluator uses):
 * tags as sets of atoms, cut down to what one bundle's flows need. Two tags relate in the table as they do
 * in Microsoft's file (AzureCloud holds every Azure service tag, a regional tag sits inside its global tag),
 * so a broader Deny is never missed, without shipping a single address.
 */
import { BUNDLED_TAG_TABLE as TAG_TABLE, type BundledTagTable } from "@cassandra-mi-netrules/azure";

/** The table @cassandra-mi-netrules/azure generates from the vendored service-tags file (one table for the evaluator and the policy). */
export type TagTable = BundledTagTable;

/** `gap.length` runs in base 36 back into atom ids. */
export function decodeRuns(text: string): number[] {
  if (text === "") return [];
  const out: number[] = [];
  let end = -1;
  for (const run of text.split(",")) {
    const [gap = "0", length = "1"] = run.split(".");
    const start = end + 1 + parseInt(gap, 36);
    end = start + parseInt(length, 36) - 1;
    for (let i = start; i <= end; i++) out.push(i);
  }
  return out;
}

interface DecodedTag {
  readonly name: string;
  readonly v4: readonly number[];
  readonly v6: readonly number[];
}

let decoded: Map<string, DecodedTag> | undefined;

/** Every tag of the table by lower-case name, decoded once per process. */
function tags(): Map<string, DecodedTag> {
  decoded ??= new Map(TAG_TABLE.names.map((name, i) => [name.toLowerCase(), { name, v4: decodeRuns(TAG_TABLE.v4[i] ?? ""), v6: decodeRuns(TAG_TABLE.v6[i] ?? "") }]));
  return decoded;
}

export function tableHas(name: string): boolean {
  return tags().has(name.toLowerCase());
}

export const TABLE_SOURCE: { readonly source: string; readonly changeNumber: number } = { source: TAG_TABLE.source, changeNumber: TAG_TABLE.changeNumber };

export interface TableEntry {
  /** Atom ids of the cut table (IPv4 first, from 0, then IPv6) as space-separated runs `a` or `a-b`. */
  readonly atoms: string;
  /** The tag holds addresses beyond every flow's: an allow to it is wider than needed. */
  readonly beyond: boolean;
}

export interface CutTable {
  readonly atoms: { readonly v4: number; readonly v6: number };
  readonly tags: Readonly<Record<string, TableEntry>>;
  /** The table's tags that hold none of the flows' addresses: see `OtherTags`. */
  readonly otherTags: OtherTags;
}

/**
 * Lower-case tag names, compact: each name is `base` or `base.suffix`; `suffixes` lists every suffix once
 * (space-separated) and `names[base]` the decimal indexes of its suffixes (Rego's format_int has no base 36), `-` standing for the bare base.
 */
export interface OtherTags {
  readonly suffixes: string;
  readonly names: Readonly<Record<string, string>>;
}

function compactNames(names: readonly string[]): OtherTags {
  const split = names.map((n) => {
    const dot = n.lastIndexOf(".");
    return dot < 0 ? { base: n, suffix: undefined } : { base: n.slice(0, dot), suffix: n.slice(dot + 1) };
  });
  const suffixes = [...new Set(split.flatMap((x) => (x.suffix === undefined ? [] : [x.suffix])))].sort();
  const index = new Map(suffixes.map((x, i) => [x, String(i)]));
  const byBase = new Map<string, string[]>();
  for (const x of split) byBase.set(x.base, [...(byBase.get(x.base) ?? []), x.suffix === undefined ? "-" : (index.get(x.suffix) as string)]);
  const out: Record<string, string> = {};
  for (const base of [...byBase.keys()].sort()) out[base] = (byBase.get(base) ?? []).join(" ");
  return { suffixes: suffixes.join(" "), names: out };
}

/** Sorted ids as space-separated runs `a` or `a-b`. */
export function runsText(ids: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === (ids[j] as number) + 1) j++;
    out.push(i === j ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return out.join(" ");
}

/**
 * The table restricted to the atoms of `flowTags` in the given families: every tag that holds some of
 * them, its atoms renumbered (IPv4 from 0, then IPv6), and the names of the others.
 */
export function cutTable(flowTags: Iterable<string>, families: readonly (4 | 6)[]): CutTable {
  const all = tags();
  const u4 = new Set<number>();
  const u6 = new Set<number>();
  for (const name of flowTags) {
    const t = all.get(name.toLowerCase());
    if (!t) continue;
    if (families.includes(4)) t.v4.forEach((a) => u4.add(a));
    if (families.includes(6)) t.v6.forEach((a) => u6.add(a));
  }
  const id4 = new Map([...u4].sort((a, b) => a - b).map((a, i) => [a, i]));
  const id6 = new Map([...u6].sort((a, b) => a - b).map((a, i) => [a, i + id4.size]));
  const out: Record<string, TableEntry> = {};
  const others: string[] = [];
  for (const [lower, t] of all) {
    const atoms = [...t.v4.flatMap((a) => (id4.has(a) ? [id4.get(a) as number] : [])), ...t.v6.flatMap((a) => (id6.has(a) ? [id6.get(a) as number] : []))];
    if (atoms.length === 0) {
      others.push(lower);
      continue;
    }
    const held = (families.includes(4) ? t.v4.length : 0) + (families.includes(6) ? t.v6.length : 0);
    out[lower] = { atoms: runsText(atoms.sort((a, b) => a - b)), beyond: held > atoms.length };
  }
  return { atoms: { v4: id4.size, v6: id6.size }, tags: out, otherTags: compactNames(others.sort()) };
}

/** How `tag` relates to the union of `inner` in the table, in the families: holds it all, none of it, or part. */
export function tableRelation(tag: string, inner: readonly string[], families: readonly (4 | 6)[]): "yes" | "no" | "maybe" {
  const all = tags();
  const atomsOf = (name: string): string[] => {
    const t = all.get(name.toLowerCase());
    return t ? [...(families.includes(4) ? t.v4.map((a) => `4:${a}`) : []), ...(families.includes(6) ? t.v6.map((a) => `6:${a}`) : [])] : [];
  };
  const outer = new Set(atomsOf(tag));
  const want = inner.flatMap(atomsOf);
  const held = want.filter((a) => outer.has(a)).length;
  return held === want.length ? "yes" : held === 0 ? "no" : "maybe";
}

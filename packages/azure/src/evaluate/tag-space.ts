/**
 * Service tags as address sets: exactly, from a service-tags file (`loadServiceTags`), or, without one,
 * as atoms of the bundled tag table (tags related to each other as the bundled file relates them; their
 * addresses unknown).
 */
import type { ServiceTagIndex } from "@cassandra-mi-netrules/core";
import { BUNDLED_TAG_TABLE } from "../generated/tag-table.js";
import { AddressSet, prefixSet } from "./address-set.js";
import { NO_RANGES, rangesOf, single, type NumRanges } from "./ranges.js";
import type { BundledTagTable } from "./tag-table-types.js";

export interface TagSpace {
  /** True with a service-tags file: tags are addresses. */
  readonly exact: boolean;
  readonly description: string;
  readonly changeNumber: number;
  readonly fileName?: string;
  /** The tag's set, or undefined when the file (or table) has no such tag. Case-insensitive. */
  tag(name: string): AddressSet | undefined;
  /** The tag's name as the file writes it. */
  canonical(name: string): string | undefined;
  /** Every atom (empty with a file): what `*` and `Internet` hold besides addresses. */
  readonly allAtoms: AddressSet;
  /** The tag's prefixes, IPv4 and IPv6 (with a file only), to count blocked prefixes. */
  prefixes(name: string): { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] } | undefined;
}

export function fileTagSpace(index: ServiceTagIndex, fileName?: string): TagSpace {
  const cache = new Map<string, AddressSet | undefined>();
  return {
    exact: true,
    description: `service-tags file${fileName ? ` ${fileName}` : ""} (changeNumber ${index.changeNumber})`,
    changeNumber: index.changeNumber,
    ...(fileName ? { fileName } : {}),
    tag(name) {
      const key = name.toLowerCase();
      if (!cache.has(key)) {
        const info = index.get(name);
        cache.set(key, info ? prefixSet([...info.prefixes.ipv4, ...info.prefixes.ipv6]) : undefined);
      }
      return cache.get(key);
    },
    canonical: (name) => index.get(name)?.name,
    allAtoms: AddressSet.EMPTY,
    prefixes: (name) => index.get(name)?.prefixes,
  };
}

/** `gap.length` runs in base 36 back into atom ids. */
export function decodeRuns(text: string): NumRanges {
  if (text === "") return NO_RANGES;
  const pairs: Array<[number, number]> = [];
  let end = -1;
  for (const run of text.split(",")) {
    const [gap = "0", length = "1"] = run.split(".");
    const start = end + 1 + parseInt(gap, 36);
    end = start + parseInt(length, 36) - 1;
    pairs.push([start, end]);
  }
  return rangesOf(pairs);
}

export function bundledTagSpace(table: BundledTagTable = BUNDLED_TAG_TABLE): TagSpace {
  const byName = new Map<string, number>();
  table.names.forEach((n, i) => byName.set(n.toLowerCase(), i));
  const cache = new Map<number, AddressSet>();
  const allAtoms = AddressSet.of({ t4: single(0, table.atoms.v4 - 1), t6: single(0, table.atoms.v6 - 1) });
  return {
    exact: false,
    description: `bundled tag table of ${table.source} (changeNumber ${table.changeNumber}); no service-tags file given`,
    changeNumber: table.changeNumber,
    tag(name) {
      const i = byName.get(name.toLowerCase());
      if (i === undefined) return undefined;
      let set = cache.get(i);
      if (!set) {
        set = AddressSet.of({ t4: decodeRuns(table.v4[i] ?? ""), t6: decodeRuns(table.v6[i] ?? "") });
        cache.set(i, set);
      }
      return set;
    },
    canonical(name) {
      const i = byName.get(name.toLowerCase());
      return i === undefined ? undefined : table.names[i];
    },
    allAtoms,
    prefixes: () => undefined,
  };
}

const FILE_SPACES = new WeakMap<ServiceTagIndex, TagSpace>();
let bundled: TagSpace | undefined;

/** One tag space per service-tags index (and one for the bundled table), so that sets are shared across audits. */
export function tagSpaceFor(index: ServiceTagIndex | undefined): TagSpace {
  if (!index) return (bundled ??= bundledTagSpace());
  let space = FILE_SPACES.get(index);
  if (!space) {
    space = fileTagSpace(index);
    FILE_SPACES.set(index, space);
  }
  return space;
}

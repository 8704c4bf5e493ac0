/** The shape of the bundled tag table (`src/generated/tag-table.ts`, built by `scripts/tag-table.ts`). */
export interface BundledTagTable {
  /** The service-tags file it was built from, its changeNumber and cloud. */
  readonly source: string;
  readonly changeNumber: number;
  readonly cloud: string;
  readonly names: readonly string[];
  /** How many atoms each family has. */
  readonly atoms: { readonly v4: number; readonly v6: number };
  /** Per tag (order of `names`): its atoms as runs `gap.length` in base 36, comma-separated. */
  readonly v4: readonly string[];
  readonly v6: readonly string[];
}

/** Which form of a service tag a network feature (NSG, FW, UDR) can use, from the tag's `networkFeatures`. */
import { uniqueSorted, type ResolvedServiceTag } from "@cassandra-mi-netrules/core";

/** The `networkFeatures` values of Microsoft's service-tags file that the planners ask for. */
export type TagFeature = "NSG" | "FW" | "UDR";

export interface TagFormChoice {
  /** Tag names to write, sorted; empty when the target cannot use the tag at all. */
  readonly names: readonly string[];
  readonly scope: "regional" | "global" | "none";
  /** Why the preferred form was not used ("" when it was). */
  readonly note: string;
  /** The row asks for regional forms but the broader global tag is written instead. */
  readonly broaderThanAsked: boolean;
}

function hasFeature(features: readonly string[] | null, feature: string): boolean {
  return features !== null && features.includes(feature);
}

/**
 * Picks the regional forms (`Storage.EastUS`) when they are wanted (`preferRegional`, or the row asks
 * for them) and every requested region has one listing `feature` in its `networkFeatures`; otherwise the
 * global tag when it lists `feature`; otherwise nothing.
 */
export function chooseTagForms(tag: ResolvedServiceTag, feature: TagFeature, preferRegional: boolean): TagFormChoice {
  const wantRegional = preferRegional || tag.regionalOnly;
  const notes: string[] = [];
  if (wantRegional) {
    const regionCount = tag.regional.length + tag.regionsWithoutForm.length;
    const lacking = tag.regional.filter((r) => !hasFeature(r.networkFeatures, feature)).map((r) => r.name);
    if (regionCount > 0 && lacking.length === 0 && tag.regionsWithoutForm.length === 0) {
      return { names: uniqueSorted(tag.regional.map((r) => r.name)), scope: "regional", note: "", broaderThanAsked: false };
    }
    if (regionCount === 0) notes.push("no region given");
    if (lacking.length > 0) notes.push(`${uniqueSorted(lacking).join(", ")} ${lacking.length === 1 ? "does" : "do"} not list ${feature} in networkFeatures`);
    if (tag.regionsWithoutForm.length > 0) notes.push(`no regional form of ${tag.tag} in ${uniqueSorted(tag.regionsWithoutForm).join(", ")}`);
  }
  if (hasFeature(tag.global.networkFeatures, feature)) {
    const note = notes.length > 0 ? `global tag ${tag.global.name} used: ${notes.join("; ")}` : "";
    return { names: [tag.global.name], scope: "global", note, broaderThanAsked: tag.regionalOnly };
  }
  notes.push(`${tag.global.name} does not list ${feature} in networkFeatures`);
  return { names: [], scope: "none", note: notes.join("; "), broaderThanAsked: false };
}

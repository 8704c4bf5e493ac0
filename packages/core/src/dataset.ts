/** The compiled dataset, frozen, with lookups. Imports no YAML parser and no zod. */
import { DATA_HASH, FEATURES, REQUIREMENTS, REVISIONS } from "./generated/dataset.js";
import { REGIONS } from "./generated/regions.js";
import { SERVICE_TAG_CATALOG_CHANGE_NUMBER, SERVICE_TAG_CATALOG_SOURCE, serviceTagCatalogTags } from "./generated/service-tag-catalog.js";
import { CORE_VERSION } from "./generated/version.js";
import { nearest } from "./suggest.js";
import type { Feature, Region, Requirement, Revision, ServiceTagCatalog } from "./types.js";

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  Object.freeze(value);
  // Recurse only into objects: a call per string or number made freezing the data a third of the import time.
  // Index and for-in loops: no iterator and no key array per object (the data is plain JSON, own keys only).
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === "object" && v !== null) deepFreeze(v);
    }
  } else {
    for (const k in value) {
      const v = (value as Record<string, unknown>)[k];
      if (typeof v === "object" && v !== null) deepFreeze(v);
    }
  }
  return value;
}

/** sha256 of the canonical JSON of requirements, revisions and features. */
export const dataHash: string = DATA_HASH;
/** Version of this package. */
export const version: string = CORE_VERSION;
/** The major version of this package: what an emitter's `coreMajor` must equal. */
export const coreMajor: number = Number(CORE_VERSION.split(".")[0]);

/** Every requirement of every revision, in page order. */
export const allRequirements: readonly Requirement[] = deepFreeze(REQUIREMENTS);
const byId = new Map(allRequirements.map((r) => [r.id, r]));

/** Every documented rule-changing state of the page, oldest first. */
export const revisions: readonly Revision[] = deepFreeze(
  REVISIONS.map((rev) => ({
    ...rev,
    requirements: rev.requirementIds.map((id) => byId.get(id) as Requirement),
  })),
);

/** The newest revision. */
export const currentRevision: Revision = revisions[revisions.length - 1] as Revision;
/** The current revision's requirements: what tools import and pin. */
export const requiredRules: readonly Requirement[] = currentRevision.requirements;

export const features: readonly Feature[] = deepFreeze(FEATURES);
/** Physical Azure regions (ARM location names), sorted by name. */
export const regions: readonly Region[] = deepFreeze(REGIONS);
let catalogTags: ServiceTagCatalog["tags"] | undefined;
/** Tag names, their regional forms and network features, from the vendored service-tags file. */
export const serviceTagCatalog: ServiceTagCatalog = Object.freeze({
  source: SERVICE_TAG_CATALOG_SOURCE,
  changeNumber: SERVICE_TAG_CATALOG_CHANGE_NUMBER,
  // Parsed on first read: importing `requiredRules` alone should not pay for every tag's regional forms.
  get tags(): ServiceTagCatalog["tags"] {
    catalogTags ??= deepFreeze(serviceTagCatalogTags());
    return catalogTags;
  },
});

export class UnknownNameError extends Error {
  constructor(
    readonly what: string,
    readonly value: string,
    readonly suggestion: string | undefined,
    known: readonly string[],
  ) {
    super(
      `unknown ${what} "${value}"${suggestion ? `; did you mean "${suggestion}"?` : ""} (known: ${
        known.length > 12 ? `${known.slice(0, 12).join(", ")}, ... ${known.length} in all` : known.join(", ")
      })`,
    );
    this.name = "UnknownNameError";
  }
}

/** Names a revision may go by besides its date: `latest`, and its label in any case (`GA`, `ga`, `V1`). */
function revisionByAlias(name: string): Revision | undefined {
  if (name === "latest") return currentRevision;
  const wanted = name.toLowerCase();
  return revisions.find((r) => r.label.toLowerCase() === wanted);
}

/** A revision by its date id, `latest`, or its label (`GA`, `V1`... in any case). */
export function getRevision(id: string): Revision {
  const rev = revisions.find((r) => r.id === id) ?? revisionByAlias(id);
  if (!rev) {
    const ids = [...revisions.map((r) => r.id), "latest"];
    throw new UnknownNameError("revision", id, nearest(id, ids), ids);
  }
  return rev;
}

export function getRequirement(id: string): Requirement {
  const req = byId.get(id);
  if (!req) {
    const ids = [...byId.keys()];
    throw new UnknownNameError("requirement", id, nearest(id, ids), ids);
  }
  return req;
}

/** How `az` compares location names: case and spaces do not count, so `EastUS`, `East US` and `eastus` are one. */
function regionKey(name: string): string {
  return name.toLowerCase().replace(/\s+/g, "");
}

let regionsByKey: Map<string, Region> | undefined;

/**
 * The region, named as `az` accepts it (the ARM name in any case and spacing, `EastUS`, `East US 2`, or
 * its display name), or an UnknownNameError with the nearest valid ARM name.
 */
export function getRegion(name: string): Region {
  regionsByKey ??= new Map(regions.flatMap((r) => [[regionKey(r.displayName), r] as const, [regionKey(r.name), r] as const]));
  const region = regionsByKey.get(regionKey(name));
  if (!region) {
    const names = regions.map((r) => r.name);
    throw new UnknownNameError("region", name, nearest(regionKey(name), names), names);
  }
  return region;
}

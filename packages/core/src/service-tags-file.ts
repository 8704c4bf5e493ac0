/**
 * The shape of a service-tags file, checked by hand: the download file (ServiceTags_Public_YYYYMMDD.json)
 * and what the REST API and `az network list-service-tags` return (`changeNumber` as a string). The same
 * rules as `ServiceTagsFileSchema` in schema.ts, which stays the published definition; a property test
 * holds the two to the same verdicts and fields. By hand because importing zod alone took longer than
 * everything else `--service-tags` costs (about 50 ms of a 0.3 s run).
 */

/** A problem at a field of the file: where (`["values", 3, "properties", "region"]`) and why. */
export class ShapeProblem {
  constructor(
    readonly path: readonly (string | number)[],
    readonly reason: string,
  ) {}
}

/** One entry of `values`, as the loader keeps it until the tag is used. */
export interface RawServiceTag {
  readonly name: string;
  readonly id: string;
  readonly properties: {
    readonly changeNumber: number;
    readonly region: string;
    readonly addressPrefixes: readonly string[];
    readonly networkFeatures: readonly string[] | null;
  };
}

export interface ServiceTagsShape {
  readonly changeNumber: number;
  readonly cloud: string;
  readonly values: readonly RawServiceTag[];
}

type Check<T> = T | ShapeProblem;

function isProblem<T>(x: Check<T>): x is ShapeProblem {
  return x instanceof ShapeProblem;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An integer, or (REST API, `az`) a string of decimal digits. */
function changeNumber(v: unknown, path: (string | number)[]): Check<number> {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "string" && /^\d{1,15}$/.test(v)) return Number(v);
  return new ShapeProblem(path, "must be an integer, or a string of decimal digits");
}

function text(v: unknown, path: (string | number)[], nonEmpty = false): Check<string> {
  if (typeof v !== "string") return new ShapeProblem(path, "must be a string");
  if (nonEmpty && v === "") return new ShapeProblem(path, "must not be empty");
  return v;
}

function strings(v: unknown, path: (string | number)[]): Check<readonly string[]> {
  if (!Array.isArray(v)) return new ShapeProblem(path, "must be an array of strings");
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return new ShapeProblem([...path, i], "must be a string");
  return v as string[];
}

/** The optional fields the loader does not use, checked for their type only. */
function optionalFields(p: Record<string, unknown>, at: (string | number)[]): ShapeProblem | undefined {
  if (p.regionId !== undefined && !(typeof p.regionId === "number" && Number.isInteger(p.regionId))) return new ShapeProblem([...at, "regionId"], "must be an integer");
  for (const key of ["platform", "systemService"] as const) {
    if (p[key] !== undefined && typeof p[key] !== "string") return new ShapeProblem([...at, key], "must be a string");
  }
  return undefined;
}

function properties(v: unknown, at: (string | number)[]): Check<RawServiceTag["properties"]> {
  if (!isObject(v)) return new ShapeProblem(at, "must be an object");
  const cn = changeNumber(v.changeNumber, [...at, "changeNumber"]);
  if (isProblem(cn)) return cn;
  const region = v.region === undefined ? "" : text(v.region, [...at, "region"]);
  if (isProblem(region)) return region;
  const extra = optionalFields(v, at);
  if (extra) return extra;
  const prefixes = strings(v.addressPrefixes, [...at, "addressPrefixes"]);
  if (isProblem(prefixes)) return prefixes;
  const nf = v.networkFeatures;
  const features = nf === undefined || nf === null ? null : strings(nf, [...at, "networkFeatures"]);
  if (features !== null && isProblem(features)) return features;
  return { changeNumber: cn, region, addressPrefixes: prefixes, networkFeatures: features };
}

/** One entry of `values`: its name (needed to index it) and the rest, field by field in the schema's order. */
export function checkServiceTagEntry(v: unknown, i: number): RawServiceTag | ShapeProblem {
  const at = ["values", i];
  if (!isObject(v)) return new ShapeProblem(at, "must be an object");
  const name = text(v.name, [...at, "name"], true);
  if (isProblem(name)) return name;
  const id = text(v.id, [...at, "id"], true);
  if (isProblem(id)) return id;
  const props = properties(v.properties, [...at, "properties"]);
  if (isProblem(props)) return props;
  return { name, id, properties: props };
}

export interface ServiceTagsEnvelope {
  readonly changeNumber: number;
  readonly cloud: string;
  /** The entries as parsed, unchecked but for their name. */
  readonly values: readonly unknown[];
  readonly names: readonly string[];
  /** The names in lower case, for case-insensitive lookup. */
  readonly lowerNames: readonly string[];
}

/** `changeNumber`, `cloud` and that `values` is an array: what both checks below start with. */
function checkHead(doc: unknown): { changeNumber: number; cloud: string; values: readonly unknown[] } | ShapeProblem {
  if (!isObject(doc)) return new ShapeProblem([], "must be an object with changeNumber, cloud and values");
  const cn = changeNumber(doc.changeNumber, ["changeNumber"]);
  if (isProblem(cn)) return cn;
  const cloud = text(doc.cloud, ["cloud"]);
  if (isProblem(cloud)) return cloud;
  if (!Array.isArray(doc.values)) return new ShapeProblem(["values"], "must be an array of service tags");
  return { changeNumber: cn, cloud, values: doc.values };
}

/**
 * The envelope of a parsed file (`changeNumber`, `cloud`, `values` an array of objects with a non-empty
 * string `name`), checked in the schema's order; the rest of each entry is left for `checkServiceTagEntry`.
 */
export function checkServiceTagsEnvelope(doc: unknown): ServiceTagsEnvelope | ShapeProblem {
  const head = checkHead(doc);
  if (head instanceof ShapeProblem) return head;
  const names: string[] = new Array(head.values.length);
  const lowerNames: string[] = new Array(head.values.length);
  for (let i = 0; i < head.values.length; i++) {
    const v: unknown = head.values[i];
    if (!isObject(v)) return new ShapeProblem(["values", i], "must be an object");
    if (typeof v.name !== "string" || v.name === "") return new ShapeProblem(["values", i, "name"], typeof v.name === "string" ? "must not be empty" : "must be a string");
    names[i] = v.name;
    lowerNames[i] = v.name.toLowerCase();
  }
  return { ...head, names, lowerNames };
}

/**
 * Checks a parsed file field by field, in the order of the schema (so the first problem is the one zod
 * would report first), and returns it normalised (`changeNumber` a number, `region` "" when absent,
 * `networkFeatures` null when absent). Prefixes are checked to be strings; their CIDR text is read when a
 * tag is used. The loader checks the envelope at once and each entry when it is first used.
 */
export function checkServiceTagsShape(doc: unknown): ServiceTagsShape | ShapeProblem {
  const head = checkHead(doc);
  if (head instanceof ShapeProblem) return head;
  const values: RawServiceTag[] = new Array(head.values.length);
  for (let i = 0; i < head.values.length; i++) {
    const e = checkServiceTagEntry(head.values[i], i);
    if (isProblem(e)) return e;
    values[i] = e;
  }
  return { changeNumber: head.changeNumber, cloud: head.cloud, values };
}

/**
 * Rule values as the evaluator compares them: an address value (prefix, IP, range, service tag,
 * `VirtualNetwork`, `Internet`, `*`, a value the input does not give) read once into a term, then projected
 * onto the subject's address space as a sure part and a possible part. Where the two differ, the match is
 * not known and the reason says why.
 */
import { ownValue } from "@cassandra-mi-netrules/core";
import { isParameter, isUnknown, type Maybe, type Parameter, type Unknown } from "../unknown.js";
import type { AddressValue } from "../model.js";
import { CLUSTER_SUBNET_PARAMETER } from "../plan/firewall-policy.js";
import { addressAsSet, ALL_ADDRESSES, AddressSet, prefixSet, PUBLIC, rangeAsSet } from "./address-set.js";
import { BoundedMemo, memoized, submap } from "./memo.js";
import * as V6 from "../generated/ranges-v6.js";
import { NO_RANGES, rangesContain, rangesOf, rangesOverlap, single, type NumRanges } from "./ranges.js";
import type { TagSpace } from "./tag-space.js";

export type AddressTerm = (
  | { readonly kind: "any"; readonly text: string }
  | { readonly kind: "literal"; readonly text: string; readonly set: AddressSet }
  | { readonly kind: "tag"; readonly text: string }
  | { readonly kind: "virtual-network"; readonly text: string }
  | { readonly kind: "internet"; readonly text: string }
  | { readonly kind: "cluster"; readonly text: string }
  | { readonly kind: "unknown"; readonly text: string; readonly reason: string }
) & {
  /** Set on the terms read from a value's text (shared by every rule that writes it): their projection on the address context met last. */
  readonly last?: LastProjection;
};

/** A term's projection on one address context: subject after subject shares one context, so most lookups stop here. */
interface LastProjection {
  ctx: AddressContext | undefined;
  projected: Projected | undefined;
}

/**
 * Addresses of Azure's virtual tags (not in the service-tags file): the host's virtual IP for the load
 * balancer probes and platform DNS, the instance metadata service. No service tag holds them.
 */
const VIRTUAL_TAGS: Readonly<Record<string, string>> = {
  azureloadbalancer: "168.63.129.16/32",
  azureplatformdns: "168.63.129.16/32",
  azureplatformimds: "169.254.169.254/32",
};

export function describeUnknown(u: Unknown): string {
  return `${u.path} is not known (${u.reason})`;
}

/** Terms by the value's text (undefined for a text that is none: its term names the field), but for literals (`LITERALS`): rules repeat the same values NSG after NSG. */
const TERMS = new BoundedMemo<string, AddressTerm | undefined>(1 << 16);

/** Reads one address value of a rule (NSG prefix, firewall address) into a term; `index`, when given, is the value's place in the field's list (named only in a reason). */
export function addressTerm(value: Maybe<AddressValue>, field: string, index?: number): AddressTerm {
  if (isUnknown(value)) return { kind: "unknown", text: "(unknown)", reason: describeUnknown(value) };
  if (isParameter(value)) return parameterTerm(value, fieldAt(field, index));
  const term = startsAsLiteral(value) ? literalTerm(value) : TERMS.get(value, textTerm);
  return term ?? { kind: "unknown", text: value.trim(), reason: `${fieldAt(field, index)} ${JSON.stringify(value.trim())} is not an address, range or service tag` };
}

function fieldAt(field: string, index: number | undefined): string {
  return index === undefined ? field : `${field}[${index}]`;
}

/**
 * Whether the text starts with a digit and ends with neither space nor control character: it is read as `textTerm` would read it,
 * as a literal or nothing (no keyword or tag starts with a digit), and it skips the memo of other texts (most literals come once).
 */
function startsAsLiteral(value: string): boolean {
  const first = value.charCodeAt(0);
  const end = value.charCodeAt(value.length - 1);
  return first >= 0x30 && first <= 0x39 && end > 0x20 && end < 0x7f;
}

function newLast(): LastProjection {
  return { ctx: undefined, projected: undefined };
}

function textTerm(value: string): AddressTerm | undefined {
  const text = value.trim();
  const lower = text.toLowerCase();
  if (lower === "*" || lower === "any") return { kind: "any", text, last: newLast() };
  if (lower === "virtualnetwork") return { kind: "virtual-network", text, last: newLast() };
  if (lower === "internet") return { kind: "internet", text, last: newLast() };
  // Own keys only: `constructor` or `__proto__` is a tag's name (not in the table), not Object's.
  const virtual = ownValue(VIRTUAL_TAGS, lower);
  if (virtual) return { kind: "literal", text, set: literalSet(virtual) as AddressSet, last: newLast() };
  const literal = literalTerm(text);
  if (literal) return literal;
  if (/^[A-Za-z][A-Za-z0-9.-]*$/.test(text) && !text.includes("..")) return { kind: "tag", text, last: newLast() };
  return undefined;
}

function parameterTerm(p: Parameter, field: string): AddressTerm {
  if (p.name === CLUSTER_SUBNET_PARAMETER.name) return { kind: "cluster", text: `[parameters('${p.name}')]` };
  return { kind: "unknown", text: `[parameters('${p.name}')]`, reason: `${field} is the deployment's parameter ${p.name}` };
}

type LiteralTerm = Extract<AddressTerm, { readonly kind: "literal" }>;

/** Literals by text: one term and set per distinct value, so relations with it are remembered across rules and NSGs. */
const LITERALS = new BoundedMemo<string, LiteralTerm | undefined>(1 << 18);

function literalTerm(text: string): LiteralTerm | undefined {
  return LITERALS.get(text, readLiteral);
}

function readLiteral(text: string): LiteralTerm | undefined {
  const set = parseLiteral(text);
  return set && { kind: "literal", text, set, last: newLast() };
}

/** A CIDR (host bits tolerated), an address or an `a-b` range. */
export function literalSet(text: string): AddressSet | undefined {
  return literalTerm(text)?.set;
}

function parseLiteral(text: string): AddressSet | undefined {
  if (text.includes("/")) {
    try {
      return prefixSet([text]);
    } catch {
      return undefined;
    }
  }
  return addressAsSet(text) ?? rangeAsSet(text);
}

export interface Projected {
  readonly certain: AddressSet;
  readonly possible: AddressSet;
  /** Why `possible` holds more than `certain`. */
  readonly reasons: readonly string[];
}

/** What the subject knows of its own addresses. */
export interface AddressContext {
  readonly tags: TagSpace;
  /** The cluster subnet: its prefixes, or the cluster point when they are not known. */
  readonly subnet: AddressSet;
  readonly peers: AddressSet;
  /** What `VirtualNetwork` may hold beyond the subnet and peers (private space, user routes' prefixes). */
  readonly virtualNetworkMaybe: AddressSet;
  readonly virtualNetworkWhy: string;
}

export const CLUSTER_POINT: AddressSet = AddressSet.of({ cluster: single(0, 0) });

const EVERYTHING = new WeakMap<AddressContext, AddressSet>();
/**
 * Projections of lists of terms, per address context (shared by the subjects of one space), in a trie by the terms read from texts
 * (one term per text: no key is built per list). Bounded: lists of tags are as varied as the NSGs that write them, and each
 * remembered union of tags is a large set.
 */
const PROJECTIONS = new WeakMap<AddressContext, ListTrie>();
const PROJECTIONS_MAX = 1 << 10;

interface ListNode {
  next: Map<AddressTerm, ListNode> | undefined;
  projected: Projected | undefined;
}

interface ListTrie {
  root: ListNode;
  /** How many projections it holds. */
  size: number;
}

export function everything(ctx: AddressContext): AddressSet {
  let e = EVERYTHING.get(ctx);
  if (!e) {
    e = ALL_ADDRESSES.union(ctx.tags.allAtoms).union(CLUSTER_POINT);
    EVERYTHING.set(ctx, e);
  }
  return e;
}

function sure(set: AddressSet): Projected {
  return { certain: set, possible: set, reasons: [] };
}

/** The address context whose trie was met last, and that trie. */
let lastTrie: { readonly ctx: AddressContext; readonly trie: ListTrie } | undefined;

function trieOf(ctx: AddressContext): ListTrie {
  if (lastTrie?.ctx === ctx) return lastTrie.trie;
  let trie = PROJECTIONS.get(ctx);
  if (!trie) {
    trie = { root: { next: undefined, projected: undefined }, size: 0 };
    PROJECTIONS.set(ctx, trie);
  }
  lastTrie = { ctx, trie };
  return trie;
}

/** The projection of a list of terms, remembered per address context when every term is read from a text (others are made afresh each time, so never met again). */
function rememberedProjection(terms: readonly AddressTerm[], ctx: AddressContext, compute: () => Projected): Projected {
  for (const t of terms) if (t.last === undefined) return compute();
  const trie = trieOf(ctx);
  if (trie.size >= PROJECTIONS_MAX) {
    trie.root = { next: undefined, projected: undefined };
    trie.size = 0;
  }
  let node = trie.root;
  for (const t of terms) {
    node.next ??= new Map();
    let next = node.next.get(t);
    if (!next) {
      next = { next: undefined, projected: undefined };
      node.next.set(t, next);
    }
    node = next;
  }
  if (node.projected) return node.projected;
  const projected = compute();
  node.projected = projected;
  trie.size += 1;
  return projected;
}

/** Projections of one term, per address context, by term: rules share their values' terms (`addressTerm`), and a term lets go of its projection. */
const TERM_PROJECTIONS = new WeakMap<AddressContext, WeakMap<AddressTerm, Projected>>();

/** The address context projected onto last, and its projections: subject after subject shares one context. */
let lastContext: { readonly ctx: AddressContext; readonly projections: WeakMap<AddressTerm, Projected> } | undefined;

/** The term on the subject's addresses (memoised per address context: rules share their values). */
export function project(term: AddressTerm, ctx: AddressContext): Projected {
  const last = term.last;
  if (last === undefined) return memoized(projectionsOn(ctx), term, () => projectTerm(term, ctx));
  if (last.ctx === ctx) return last.projected as Projected;
  // Another context: the slot's projection goes to its context's memo (a term's memo entry is made only when contexts alternate).
  if (last.ctx !== undefined) projectionsOn(last.ctx).set(term, last.projected as Projected);
  const projected = projectionsOn(ctx).get(term) ?? projectTerm(term, ctx);
  last.ctx = ctx;
  last.projected = projected;
  return projected;
}

function projectionsOn(ctx: AddressContext): WeakMap<AddressTerm, Projected> {
  if (lastContext?.ctx !== ctx) lastContext = { ctx, projections: submap(TERM_PROJECTIONS, ctx) };
  return lastContext.projections;
}

/** Tags do not depend on the subject (unless its subnet is not known): shared per tag space. */
const SHARED = new WeakMap<TagSpace, Map<string, Projected>>();

function projectTerm(term: AddressTerm, ctx: AddressContext): Projected {
  if (term.kind === "tag" && ctx.subnet.part("cluster").length === 0) {
    let shared = SHARED.get(ctx.tags);
    if (!shared) {
      shared = new Map();
      SHARED.set(ctx.tags, shared);
    }
    const key = `${term.kind}\u0000${term.text}`;
    let p = shared.get(key);
    if (!p) {
      p = projectTag(term.text, ctx);
      shared.set(key, p);
    }
    return p;
  }
  switch (term.kind) {
    case "any":
      return sure(everything(ctx));
    case "cluster":
      return sure(ctx.subnet);
    case "internet":
      return sure(PUBLIC.subtract(ctx.subnet).subtract(ctx.peers).union(ctx.tags.allAtoms));
    case "virtual-network": {
      const certain = ctx.subnet.union(ctx.peers);
      return { certain, possible: certain.union(ctx.virtualNetworkMaybe), reasons: [ctx.virtualNetworkWhy] };
    }
    case "literal":
      return projectLiteral(term.text, term.set, ctx);
    case "tag":
      return projectTag(term.text, ctx);
    case "unknown":
      return { certain: AddressSet.EMPTY, possible: everything(ctx), reasons: [term.reason] };
  }
}

/** Whether one family's addresses hold all of its public addresses, some or none (`contain` and `overlap`: that family's interval functions). */
function publicReach<R>(addresses: R, publicOnes: R, contain: (a: R, b: R) => boolean, overlap: (a: R, b: R) => boolean): "all" | "some" | "none" {
  return contain(addresses, publicOnes) ? "all" : overlap(addresses, publicOnes) ? "some" : "none";
}

function projectLiteral(text: string, set: AddressSet, ctx: AddressContext): Projected {
  let certain = set;
  let possible = set;
  const reasons: string[] = [];
  if (!ctx.tags.exact) {
    // Tags hold public addresses; which ones, the bundled table does not say.
    for (const [reach, t] of [[publicReach(set.v4, PUBLIC.v4, rangesContain, rangesOverlap), "t4"], [publicReach(set.v6, PUBLIC.v6, V6.rangesContain, V6.rangesOverlap), "t6"]] as const) {
      const atoms = AddressSet.of({ [t]: ctx.tags.allAtoms.part(t) });
      if (reach === "all") certain = certain.union(atoms);
      else if (reach === "some") {
        possible = possible.union(atoms);
        reasons.push(`how ${text} relates to service tags is not known without a service-tags file`);
      }
    }
    possible = possible.union(certain);
  }
  if (ctx.subnet.part("cluster").length === 0 || set.isEmpty()) return { certain, possible, reasons };
  reasons.push(`whether ${text} holds the cluster subnet is not known (no subnet given)`);
  return { certain, possible: possible.union(CLUSTER_POINT), reasons };
}

function projectTag(name: string, ctx: AddressContext): Projected {
  const set = ctx.tags.tag(name);
  if (!set) {
    const possible = PUBLIC.union(ctx.tags.allAtoms);
    return { certain: AddressSet.EMPTY, possible, reasons: [`service tag ${name} is not in the ${ctx.tags.description}`] };
  }
  if (ctx.tags.exact) return sure(set);
  return { certain: set, possible: set.union(PUBLIC), reasons: [`the addresses of ${name} are not known without a service-tags file`] };
}

export function projectAll(terms: readonly AddressTerm[], ctx: AddressContext): Projected {
  if (terms.length === 1) return project(terms[0] as AddressTerm, ctx);
  // A list with a literal is rarely shared between NSGs: remembering it would keep its large unions alive.
  if (terms.some((t) => t.kind === "literal")) return unionOf(terms, ctx);
  return rememberedProjection(terms, ctx, () => unionOf(terms, ctx));
}

/** What each term may hold beyond its sure part (empty for a sure term), by projection: small beside a tag's sure set. */
const BEYOND_SURE = new WeakMap<Projected, AddressSet>();

function beyondSure(p: Projected): AddressSet {
  return p.certain === p.possible ? AddressSet.EMPTY : memoized(BEYOND_SURE, p, () => p.possible.subtract(p.certain));
}

/**
 * The union of the terms. The small sets (a rule's few prefixes, `VirtualNetwork`) are joined apart and then to the large
 * ones (tags, joined to each other first, as remembered pairs): a large set is copied once, not once per small one. The
 * possible part is the sure union plus what each term may hold beyond its sure part.
 */
function unionOf(terms: readonly AddressTerm[], ctx: AddressContext): Projected {
  let large = AddressSet.EMPTY;
  let small = AddressSet.EMPTY;
  let beyond = AddressSet.EMPTY;
  const reasons: string[] = [];
  for (const t of terms) {
    const p = project(t, ctx);
    if (p.certain.size() > SMALL_SET) large = large.union(p.certain);
    else small = small.union(p.certain);
    if (p.certain !== p.possible) {
      beyond = beyond.union(beyondSure(p));
      reasons.push(...p.reasons);
    }
  }
  const certain = large.union(small);
  return { certain, possible: certain.union(beyond), reasons };
}

/** A set of at most this many intervals is small: copying it costs little beside a tag's thousands. */
const SMALL_SET = 16;

/* ------------------------------------------------------------------ ports */

export const ALL_PORTS: NumRanges = single(0, 65535);

export interface PortTerms {
  readonly certain: NumRanges;
  readonly possible: NumRanges;
  readonly reasons: readonly string[];
}

/** `*`, `443`, `8000-8100` (one value of a port list); undefined when it is none of them. */
export function portRange(text: string): NumRanges | undefined {
  const t = text.trim();
  if (t === "*" || t.toLowerCase() === "any") return ALL_PORTS;
  const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(t);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > 65535 || to > 65535 || from > to) return undefined;
  return single(from, to);
}

export function portTerms(values: ReadonlyArray<Maybe<string | number>>, field: string): PortTerms {
  const certain: Array<[number, number]> = [];
  let possibleAll = false;
  const reasons: string[] = [];
  for (const v of values) {
    if (isUnknown(v)) {
      possibleAll = true;
      reasons.push(describeUnknown(v));
      continue;
    }
    const r = portRange(String(v));
    if (!r) {
      possibleAll = true;
      reasons.push(`${field} ${JSON.stringify(String(v))} is not a port, a range or *`);
      continue;
    }
    certain.push([r[0] as number, r[1] as number]);
  }
  const c = rangesOf(certain);
  return { certain: c, possible: possibleAll ? ALL_PORTS : c, reasons };
}

export const NO_PORTS: PortTerms = { certain: NO_RANGES, possible: NO_RANGES, reasons: [] };

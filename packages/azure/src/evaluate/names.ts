/**
 * Sets of host names, as Azure Firewall matches them: an exact name, `*.suffix` (every name below
 * `suffix`, at any depth), or `*` (every name). Two such patterns either nest or are disjoint, so a set is
 * a list of disjoint terms "pattern minus a few patterns inside it", closed under intersection and
 * difference. Names compare without regard to case.
 */

export interface NamePattern {
  /** Lower-case name, or the suffix below which a wildcard matches ("" with `wildcard` for `*`). */
  readonly suffix: string;
  readonly wildcard: boolean;
}

interface Term {
  readonly pattern: NamePattern;
  /** Patterns strictly inside `pattern`, taken out. */
  readonly except: readonly NamePattern[];
}

export function namePattern(text: string): NamePattern {
  const t = text.trim().toLowerCase().replace(/\.$/, "");
  if (t === "*") return { suffix: "", wildcard: true };
  if (t.startsWith("*.")) return { suffix: t.slice(2), wildcard: true };
  return { suffix: t, wildcard: false };
}

export function showPattern(p: NamePattern): string {
  return p.wildcard ? (p.suffix === "" ? "*" : `*.${p.suffix}`) : p.suffix;
}

/** Whether every name of `inner` is in `outer`. */
export function patternContains(outer: NamePattern, inner: NamePattern): boolean {
  if (!outer.wildcard) return !inner.wildcard && inner.suffix === outer.suffix;
  if (outer.suffix === "") return true;
  if (inner.wildcard && inner.suffix === outer.suffix) return true;
  return inner.suffix.endsWith(`.${outer.suffix}`);
}

function narrowest(a: NamePattern, b: NamePattern): NamePattern | undefined {
  if (patternContains(a, b)) return b;
  if (patternContains(b, a)) return a;
  return undefined;
}

function term(pattern: NamePattern, except: readonly NamePattern[]): Term | undefined {
  const inside: NamePattern[] = [];
  for (const e of except) {
    if (patternContains(e, pattern)) return undefined;
    if (patternContains(pattern, e) && !inside.some((x) => patternContains(x, e))) {
      for (let i = inside.length - 1; i >= 0; i--) if (patternContains(e, inside[i] as NamePattern)) inside.splice(i, 1);
      inside.push(e);
    }
  }
  return { pattern, except: inside };
}

export class NameSet {
  private constructor(private readonly terms: readonly Term[]) {}

  static readonly EMPTY = new NameSet([]);
  static readonly ALL = new NameSet([{ pattern: { suffix: "", wildcard: true }, except: [] }]);

  static of(patterns: Iterable<NamePattern>): NameSet {
    let out = NameSet.EMPTY;
    for (const p of patterns) out = out.union(new NameSet([{ pattern: p, except: [] }]));
    return out;
  }

  isEmpty(): boolean {
    return this.terms.length === 0;
  }

  isAll(): boolean {
    return this.terms.length === 1 && this.terms[0]?.pattern.wildcard === true && this.terms[0].pattern.suffix === "" && this.terms[0].except.length === 0;
  }

  intersect(other: NameSet): NameSet {
    if (this === other) return this;
    const out: Term[] = [];
    for (const a of this.terms) {
      for (const b of other.terms) {
        const p = narrowest(a.pattern, b.pattern);
        const t = p && term(p, [...a.except, ...b.except]);
        if (t) out.push(t);
      }
    }
    return new NameSet(out);
  }

  subtract(other: NameSet): NameSet {
    let terms = this.terms;
    for (const b of other.terms) terms = terms.flatMap((a) => subtractTerm(a, b));
    return new NameSet(terms);
  }

  union(other: NameSet): NameSet {
    return new NameSet([...this.terms, ...other.subtract(this).terms]);
  }

  contains(other: NameSet): boolean {
    return other.subtract(this).isEmpty();
  }

  /** One name of the set: the name itself, or a name below a wildcard that no exception takes out. */
  example(): string | undefined {
    const t = this.terms[0];
    if (!t) return undefined;
    if (!t.pattern.wildcard) return t.pattern.suffix;
    // Finitely many exceptions: some label (or, below `*`, some top-level domain) escapes them all.
    for (let i = 0; ; i++) {
      const label = `example${i === 0 ? "" : i}`;
      const name = t.pattern.suffix === "" ? `example.${i === 0 ? "com" : `tld${i}`}` : `${label}.${t.pattern.suffix}`;
      if (!t.except.some((e) => patternContains(e, { suffix: name, wildcard: false }))) return name;
    }
  }

  describe(): string {
    return this.terms.map((t) => (t.except.length === 0 ? showPattern(t.pattern) : `${showPattern(t.pattern)} except ${t.except.map(showPattern).join(", ")}`)).join(", ");
  }
}

/** a \ b for one term of each set. */
function subtractTerm(a: Term, b: Term): Term[] {
  if (patternContains(b.pattern, a.pattern)) {
    // a lies inside b's pattern: only what b takes out of its pattern survives.
    return b.except.flatMap((e) => {
      const p = narrowest(e, a.pattern);
      const t = p && term(p, a.except);
      return t ? [t] : [];
    });
  }
  if (patternContains(a.pattern, b.pattern)) {
    const out: Term[] = [];
    const rest = term(a.pattern, [...a.except, b.pattern]);
    if (rest) out.push(rest);
    for (const e of b.except) {
      const t = term(e, a.except);
      if (t) out.push(t);
    }
    return out;
  }
  return [a];
}

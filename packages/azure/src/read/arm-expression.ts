/**
 * ARM template expressions (`[concat(parameters('a'), '-x')]`): a parser and an evaluator of the
 * functions whose value a template alone decides. What depends on the deployment (`resourceGroup()`,
 * `subscription()`, `resourceId()`, `reference()`...) or on a function this evaluator does not know is
 * not evaluated: the result says why, and the reader records an `Unknown`. This is the one place to
 * teach the reader more functions.
 */

export type ArmJson = string | number | boolean | null | ArmJson[] | { [key: string]: ArmJson };

/** Either the value, or why it cannot be known from the template. */
export type Evaluation = { readonly ok: true; readonly value: ArmJson } | { readonly ok: false; readonly reason: string };

/** What an expression can refer to. */
export interface ExpressionScope {
  parameter(name: string): Evaluation;
  variable(name: string): Evaluation;
  /** A string as written in the template (which may itself be an expression) as its value. */
  settle(raw: string): Evaluation;
}

export class ArmExpressionError extends Error {
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(`not a valid ARM expression: ${reason} (value: ${JSON.stringify(expression)})`);
    this.name = "ArmExpressionError";
  }
}

export type ArmExpressionNode =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly ArmExpressionNode[] }
  | { readonly kind: "property"; readonly target: ArmExpressionNode; readonly name: string }
  | { readonly kind: "index"; readonly target: ArmExpressionNode; readonly index: ArmExpressionNode };

type Token = { readonly type: "ident" | "string" | "number" | "punct"; readonly text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) i++;
    else if (ch === "'") {
      let text = "";
      i++;
      for (;;) {
        if (i >= source.length) throw new ArmExpressionError(source, "a string is not closed");
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += source[i];
        i++;
      }
      tokens.push({ type: "string", text });
    } else if (/[0-9-]/.test(ch)) {
      const m = /^-?\d+(\.\d+)?/.exec(source.slice(i));
      if (!m) throw new ArmExpressionError(source, `unexpected ${JSON.stringify(ch)}`);
      tokens.push({ type: "number", text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ type: "ident", text: m[0] });
      i += m[0].length;
    } else if ("(),.[]".includes(ch)) {
      tokens.push({ type: "punct", text: ch });
      i++;
    } else throw new ArmExpressionError(source, `unexpected ${JSON.stringify(ch)}`);
  }
  return tokens;
}

/** Parses the text between the outer brackets of an expression. */
export function parseArmExpression(source: string): ArmExpressionNode {
  const tokens = tokenize(source);
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const expect = (text: string): void => {
    if (tokens[at]?.text !== text) throw new ArmExpressionError(source, `expected "${text}"`);
    at++;
  };
  const expression = (): ArmExpressionNode => {
    const t = tokens[at++];
    if (!t) throw new ArmExpressionError(source, "it ends too early");
    let node: ArmExpressionNode;
    if (t.type === "string") node = { kind: "string", value: t.text };
    else if (t.type === "number") node = { kind: "number", value: Number(t.text) };
    else if (t.type === "ident") {
      expect("(");
      const args: ArmExpressionNode[] = [];
      if (peek()?.text !== ")") {
        args.push(expression());
        while (peek()?.text === ",") {
          at++;
          args.push(expression());
        }
      }
      expect(")");
      node = { kind: "call", name: t.text, args };
    } else throw new ArmExpressionError(source, `unexpected "${t.text}"`);
    for (;;) {
      if (peek()?.text === ".") {
        at++;
        const name = tokens[at++];
        if (name?.type !== "ident") throw new ArmExpressionError(source, "a property name must follow '.'");
        node = { kind: "property", target: node, name: name.text };
      } else if (peek()?.text === "[") {
        at++;
        const index = expression();
        expect("]");
        node = { kind: "index", target: node, index };
      } else return node;
    }
  };
  const node = expression();
  if (at !== tokens.length) throw new ArmExpressionError(source, `unexpected "${tokens[at]?.text}" after the expression`);
  return node;
}

const ok = (value: ArmJson): Evaluation => ({ ok: true, value });
const notKnown = (reason: string): Evaluation => ({ ok: false, reason });

/** Functions whose value depends on the deployment, not on the template. */
const DEPLOYMENT_FUNCTIONS = new Set(["resourcegroup", "subscription", "tenant", "managementgroup", "deployment", "environment", "resourceid", "subscriptionresourceid", "tenantresourceid", "extensionresourceid", "reference", "list", "listkeys", "utcnow", "newguid", "uniquestring", "guid", "pickzones"]);

function asString(v: ArmJson): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function formatText(fmt: string, args: readonly ArmJson[]): Evaluation {
  let bad = "";
  const text = fmt.replace(/\{(\d+)(?::[^}]*)?\}|\{\{|\}\}/g, (m, i: string | undefined) => {
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    const v = args[Number(i)];
    if (v === undefined) bad = `format() has no argument {${i}}`;
    return v === undefined ? "" : asString(v);
  });
  return bad ? notKnown(bad) : ok(text);
}

type Fn = (args: readonly ArmJson[]) => Evaluation;

/** The template functions this evaluator knows, by lower-case name (ARM function names are case-insensitive). */
const FUNCTIONS: Readonly<Record<string, Fn>> = {
  concat: (a) => (a.every(Array.isArray) ? ok((a as ArmJson[][]).flat()) : ok(a.map(asString).join(""))),
  format: (a) => (typeof a[0] === "string" ? formatText(a[0], a.slice(1)) : notKnown("format() needs a format string")),
  tolower: (a) => ok(asString(a[0] ?? "").toLowerCase()),
  toupper: (a) => ok(asString(a[0] ?? "").toUpperCase()),
  replace: (a) => ok(asString(a[0] ?? "").split(asString(a[1] ?? "")).join(asString(a[2] ?? ""))),
  string: (a) => ok(asString(a[0] ?? "")),
  int: (a) => (Number.isInteger(Number(a[0])) ? ok(Number(a[0])) : notKnown(`int() of ${JSON.stringify(a[0])}`)),
  bool: (a) => ok(a[0] === true || (typeof a[0] === "string" && a[0].toLowerCase() === "true") || a[0] === 1),
  true: () => ok(true),
  false: () => ok(false),
  null: () => ok(null),
  // Arrays hold template text, so literal strings that start with `[` are escaped as a template writes them.
  createarray: (a) => ok(a.map((x) => (typeof x === "string" && x.startsWith("[") ? `[${x}` : x))),
  array: (a) => ok(Array.isArray(a[0]) ? a[0] : [a[0] ?? null]),
  equals: (a) => ok(JSON.stringify(a[0]) === JSON.stringify(a[1])),
  not: (a) => ok(a[0] !== true),
  and: (a) => ok(a.every((x) => x === true)),
  or: (a) => ok(a.some((x) => x === true)),
  if: (a) => ok(a[0] === true ? (a[1] ?? null) : (a[2] ?? null)),
  coalesce: (a) => ok(a.find((x) => x !== null) ?? null),
  empty: (a) => ok(a[0] === null || a[0] === "" || (Array.isArray(a[0]) && a[0].length === 0) || (typeof a[0] === "object" && a[0] !== null && Object.keys(a[0]).length === 0)),
  length: (a) => ok(typeof a[0] === "string" || Array.isArray(a[0]) ? a[0].length : typeof a[0] === "object" && a[0] !== null ? Object.keys(a[0]).length : 0),
};

function evaluateNode(node: ArmExpressionNode, scope: ExpressionScope): Evaluation {
  if (node.kind === "string" || node.kind === "number") return ok(node.value);
  if (node.kind === "property" || node.kind === "index") {
    const target = evaluateNode(node.target, scope);
    if (!target.ok) return target;
    const key = node.kind === "property" ? ok(node.name) : evaluateNode(node.index, scope);
    if (!key.ok) return key;
    const t = target.value;
    const value = Array.isArray(t) && typeof key.value === "number" ? t[key.value] : t !== null && typeof t === "object" && !Array.isArray(t) ? t[String(key.value)] : undefined;
    if (value === undefined) return notKnown(`${JSON.stringify(key.value)} is not in the value`);
    // Objects and arrays hold template text: a string picked out of them is evaluated like any field.
    return typeof value === "string" ? scope.settle(value) : ok(value);
  }
  const name = node.name.toLowerCase();
  if (DEPLOYMENT_FUNCTIONS.has(name)) return notKnown(`${node.name}() depends on the deployment`);
  const args: ArmJson[] = [];
  for (const a of node.args) {
    const v = evaluateNode(a, scope);
    if (!v.ok) return v;
    args.push(v.value);
  }
  if (name === "parameters" || name === "variables") {
    if (typeof args[0] !== "string") return notKnown(`${node.name}() needs a name`);
    return name === "parameters" ? scope.parameter(args[0]) : scope.variable(args[0]);
  }
  const fn = FUNCTIONS[name];
  return fn ? fn(args) : notKnown(`the function ${node.name}() is not evaluated by this reader`);
}

/** Evaluates the text between the brackets of an ARM expression. Throws ArmExpressionError on bad syntax. */
export function evaluateArmExpression(source: string, scope: ExpressionScope): Evaluation {
  return evaluateNode(parseArmExpression(source), scope);
}

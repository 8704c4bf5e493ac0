/**
 * ARM template expressions (`[concat(parameters('a'), '-x')]`): a parser and an evaluator of the
 * functions whose value a template alone decides. What depends on the deployment (`resourceGroup()`,
 * `subscription()`, `reference()`...) or on a function this evaluator does not know is not evaluated:
 * the result says why, and the reader records an `Unknown`. The functions live in `arm-functions.ts`,
 * the one place to teach the reader more of them.
 */
import { ownValueAnyCase } from "@cassandra-mi-netrules/core";
import { isUnknown } from "../unknown.js";
import { callFunction, LAZY_FUNCTIONS } from "./arm-functions.js";

export type ArmJson = string | number | boolean | null | ArmJson[] | { [key: string]: ArmJson };

/** Either the value, or why it cannot be known from the template. */
export type Evaluation = { readonly ok: true; readonly value: ArmJson } | { readonly ok: false; readonly reason: string };

/** Where the deployment puts its resources, when the template says (a nested deployment's `resourceGroup`). */
export interface DeploymentTarget {
  readonly subscriptionId?: string;
  readonly resourceGroup?: string;
}

/** What an expression can refer to. */
export interface ExpressionScope {
  parameter(name: string): Evaluation;
  variable(name: string): Evaluation;
  /** A string as written in the template (which may itself be an expression) as its value. */
  settle(raw: string): Evaluation;
  /** `copyIndex()` (the resource loop) or `copyIndex('name')`, inside a copy loop. */
  copyIndex?(loop: string | undefined): Evaluation;
  /** The subscription and resource group of the deployment, where the template gives them. */
  readonly target?: DeploymentTarget;
}

export class ArmExpressionError extends Error {
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(`not a valid ARM expression: ${reason} (value: ${JSON.stringify(expression.length > 80 ? `${expression.slice(0, 77)}...` : expression)})`);
    this.name = "ArmExpressionError";
  }
}

export type ArmExpressionNode =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly ArmExpressionNode[] }
  | { readonly kind: "property"; readonly target: ArmExpressionNode; readonly name: string; readonly optional?: boolean }
  | { readonly kind: "index"; readonly target: ArmExpressionNode; readonly index: ArmExpressionNode; readonly optional?: boolean };

type Token = { readonly type: "ident" | "string" | "number" | "punct"; readonly text: string };

/** Deeper nesting than this is refused: no template needs it, and it keeps the recursive parser off the stack limit. */
export const MAX_EXPRESSION_DEPTH = 64;

function readString(source: string, start: number): [string, number] {
  let text = "";
  let i = start + 1;
  for (;;) {
    if (i >= source.length) throw new ArmExpressionError(source, "a string is not closed");
    if (source[i] === "'") {
      if (source[i + 1] !== "'") return [text, i + 1];
      text += "'";
      i += 2;
    } else text += source[i++];
  }
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) i++;
    else if (ch === "'") {
      const [text, next] = readString(source, i);
      tokens.push({ type: "string", text });
      i = next;
    } else if (/[0-9-]/.test(ch)) {
      const m = /^-?\d+(\.\d+)?/.exec(source.slice(i, i + 40));
      if (!m) throw new ArmExpressionError(source, `unexpected ${JSON.stringify(ch)}`);
      tokens.push({ type: "number", text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(ch)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$.]*/.exec(source.slice(i, i + 200)) as RegExpExecArray;
      // A dotted name is a namespaced user function (`ns.fn(`) only when a call follows; otherwise the dots are property access.
      const dotted = m[0];
      const call = source[i + dotted.length] === "(" && dotted.includes(".");
      const text = call ? dotted : (dotted.split(".")[0] as string);
      tokens.push({ type: "ident", text });
      i += text.length;
    } else if ("(),.[]?".includes(ch)) {
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
  const expression = (depth: number): ArmExpressionNode => {
    if (depth > MAX_EXPRESSION_DEPTH) throw new ArmExpressionError(source, `nested deeper than ${MAX_EXPRESSION_DEPTH} levels`);
    const t = tokens[at++];
    if (!t) throw new ArmExpressionError(source, "it ends too early");
    let node: ArmExpressionNode;
    if (t.type === "string") node = { kind: "string", value: t.text };
    else if (t.type === "number") node = { kind: "number", value: Number(t.text) };
    else if (t.type === "ident") {
      expect("(");
      const args: ArmExpressionNode[] = [];
      if (peek()?.text !== ")") {
        args.push(expression(depth + 1));
        while (peek()?.text === ",") {
          at++;
          args.push(expression(depth + 1));
        }
      }
      expect(")");
      node = { kind: "call", name: t.text, args };
    } else throw new ArmExpressionError(source, `unexpected "${t.text}"`);
    for (;;) {
      // `.?name` and `[?index]`: the safe-dereference forms, null where the member is missing.
      if (peek()?.text === ".") {
        at++;
        const optional = peek()?.text === "?";
        if (optional) at++;
        const name = tokens[at++];
        if (name?.type !== "ident") throw new ArmExpressionError(source, "a property name must follow '.'");
        node = { kind: "property", target: node, name: name.text, ...(optional ? { optional } : {}) };
      } else if (peek()?.text === "[") {
        at++;
        const optional = peek()?.text === "?";
        if (optional) at++;
        const index = expression(depth + 1);
        expect("]");
        node = { kind: "index", target: node, index, ...(optional ? { optional } : {}) };
      } else return node;
    }
  };
  const node = expression(0);
  if (at !== tokens.length) throw new ArmExpressionError(source, `unexpected "${tokens[at]?.text}" after the expression`);
  return node;
}

export const ok = (value: ArmJson): Evaluation => ({ ok: true, value });
export const notKnown = (reason: string): Evaluation => ({ ok: false, reason });

/** Lambda variables in force, by name. */
export type LambdaFrame = ReadonlyMap<string, ArmJson>;

/** One evaluation: the scope, the lambda variables in force; `evaluate` evaluates a node in it. */
export interface EvaluationContext {
  readonly scope: ExpressionScope;
  readonly lambdas: LambdaFrame;
  evaluate(node: ArmExpressionNode, lambdas?: LambdaFrame): Evaluation;
}

/** A value picked out of an object or array: template text, so a string is settled; an unknown marker stays unknown. */
export function picked(scope: ExpressionScope, value: ArmJson | undefined, what: string): Evaluation {
  if (value === undefined) return notKnown(`${what} is not in the value`);
  if (isUnknown(value)) return notKnown(value.reason);
  return typeof value === "string" ? scope.settle(value) : ok(value);
}

function member(ctx: EvaluationContext, node: Extract<ArmExpressionNode, { kind: "property" | "index" }>): Evaluation {
  const target = ctx.evaluate(node.target);
  if (!target.ok) return target;
  const key = node.kind === "property" ? ok(node.name) : ctx.evaluate(node.index);
  if (!key.ok) return key;
  const t = target.value;
  if (t === null && node.optional) return ok(null);
  let value: ArmJson | undefined;
  if (Array.isArray(t) && typeof key.value === "number") value = t[key.value];
  else if (t !== null && typeof t === "object" && !Array.isArray(t)) {
    // ARM property names are case-insensitive.
    value = ownValueAnyCase(t, String(key.value));
  }
  if (value === undefined && node.optional) return ok(null);
  return picked(ctx.scope, value, JSON.stringify(key.value));
}

function evaluateIn(scope: ExpressionScope, node: ArmExpressionNode, lambdas: LambdaFrame): Evaluation {
  const ctx: EvaluationContext = { scope, lambdas, evaluate: (n, l) => evaluateIn(scope, n, l ?? lambdas) };
  if (node.kind === "string" || node.kind === "number") return ok(node.value);
  if (node.kind === "property" || node.kind === "index") return member(ctx, node);
  const name = node.name.toLowerCase();
  if (LAZY_FUNCTIONS.has(name)) return callFunction(ctx, name, node);
  const args: ArmJson[] = [];
  for (const a of node.args) {
    const v = ctx.evaluate(a);
    if (!v.ok) return v;
    args.push(v.value);
  }
  return callFunction(ctx, name, node, args);
}

/** Evaluates the text between the brackets of an ARM expression. Throws ArmExpressionError on bad syntax. */
export function evaluateArmExpression(source: string, scope: ExpressionScope): Evaluation {
  return evaluateIn(scope, parseArmExpression(source), new Map());
}

/**
 * What a template may contain. Checked at build time on the bundled templates and at run time on every
 * user override, so data can only reach a page through the escaping helper `md`.
 */
import { handlebars } from "./handlebars.js";

/** Block helpers a template may use (Handlebars built-ins that output nothing themselves). */
const BLOCK_HELPERS = new Set(["if", "unless", "each", "with"]);

export class TemplatePolicyError extends Error {
  constructor(template: string, line: number, message: string) {
    super(`template "${template}" line ${line}: ${message}`);
    this.name = "TemplatePolicyError";
  }
}

export interface TemplateFacts {
  /** Catalogue keys the template uses through `t`. */
  readonly keys: readonly string[];
  /** Partials the template includes. */
  readonly partials: readonly string[];
}

type Node = hbs.AST.Node;

function lineOf(node: Node): number {
  return node.loc?.start.line ?? 0;
}

function describe(node: Node): string {
  const p = (node as hbs.AST.MustacheStatement).path as hbs.AST.PathExpression | undefined;
  return p && typeof p.original === "string" ? p.original : node.type;
}

/**
 * Parses a template and checks it. Allowed: text; comments; `{{md <path|subexpression> ["context"]}}`;
 * `{{t "literal.key"}}`; `{{#if}}`/`{{#unless}}`/`{{#each}}`/`{{#with}}` blocks; `{{> partial-name}}`.
 * Anything else (a bare `{{field}}`, another helper, a dynamic partial) throws, naming the template.
 */
export function checkTemplate(name: string, source: string): TemplateFacts {
  let ast: hbs.AST.Program;
  try {
    ast = handlebars().parse(source);
  } catch (e) {
    throw new TemplatePolicyError(name, 0, `does not parse: ${(e as Error).message.split("\n")[0] ?? ""}`);
  }
  const keys = new Set<string>();
  const partials = new Set<string>();

  const checkExpr = (node: Node): void => {
    if (node.type === "SubExpression") {
      const sub = node as hbs.AST.SubExpression;
      throw new TemplatePolicyError(name, lineOf(node), `sub-expression "(${sub.path.original} ...)" is not allowed`);
    }
  };

  const walk = (program: hbs.AST.Program | undefined): void => {
    if (!program) return;
    for (const node of program.body) {
      switch (node.type) {
        case "ContentStatement":
        case "CommentStatement":
          break;
        case "MustacheStatement": {
          const m = node as hbs.AST.MustacheStatement;
          const head = m.path.type === "PathExpression" ? (m.path as hbs.AST.PathExpression).original : m.path.type;
          if ((m.hash?.pairs.length ?? 0) > 0) throw new TemplatePolicyError(name, lineOf(node), `"{{${head} ...}}" takes no hash arguments`);
          if (head === "md") {
            const [value, context, ...rest] = m.params;
            if (!value || rest.length > 0) throw new TemplatePolicyError(name, lineOf(node), `"md" takes a value and an optional context`);
            if (value.type !== "PathExpression") throw new TemplatePolicyError(name, lineOf(node), `"md" takes a field path (got ${value.type})`);
            if (context && context.type !== "StringLiteral") {
              throw new TemplatePolicyError(name, lineOf(node), `the context of "md" must be a string literal`);
            }
            break;
          }
          if (head === "t") {
            const [key, ...rest] = m.params;
            if (!key || key.type !== "StringLiteral" || rest.length > 0) {
              throw new TemplatePolicyError(name, lineOf(node), `"t" takes one string literal key`);
            }
            keys.add((key as hbs.AST.StringLiteral).value);
            break;
          }
          throw new TemplatePolicyError(
            name,
            lineOf(node),
            `"{{${head}}}" would write data unescaped: use {{md ${head}}} (or {{t "key"}} for catalogue text)`,
          );
        }
        case "BlockStatement": {
          const b = node as hbs.AST.BlockStatement;
          if (!BLOCK_HELPERS.has(b.path.original)) {
            throw new TemplatePolicyError(name, lineOf(node), `block "{{#${b.path.original}}}" is not allowed (allowed: ${[...BLOCK_HELPERS].join(", ")})`);
          }
          b.params.forEach(checkExpr);
          walk(b.program);
          walk(b.inverse);
          break;
        }
        case "PartialStatement": {
          const p = node as hbs.AST.PartialStatement;
          if (p.name.type !== "PathExpression" || p.params.length > 0 || (p.hash?.pairs.length ?? 0) > 0) {
            throw new TemplatePolicyError(name, lineOf(node), `partials must be included by plain name, without arguments`);
          }
          partials.add(p.name.original);
          break;
        }
        default:
          throw new TemplatePolicyError(name, lineOf(node), `"${describe(node)}" (${node.type}) is not allowed`);
      }
    }
  };
  walk(ast);
  return { keys: [...keys].sort(), partials: [...partials].sort() };
}

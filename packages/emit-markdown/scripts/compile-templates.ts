/**
 * Compiles the bundled templates, at build time, into plain TypeScript functions
 * (`src/generated/renderers.ts`), so rendering the default pages needs neither the Handlebars parser
 * nor its runtime. It takes Handlebars' own AST (whitespace control applied by `Handlebars.parse`) and
 * accepts only what the template policy allows; anything else stops the build, naming the template.
 * Overrides still go through Handlebars at run time; a test requires both paths to give the same bytes.
 */
import Handlebars from "handlebars";
import { MARKDOWN_CONTEXTS } from "../src/escape.js";

type Node = hbs.AST.Node;

class Unsupported extends Error {
  constructor(template: string, node: Node, what: string) {
    super(`template "${template}" line ${node.loc?.start.line ?? 0}: ${what} is not supported by the build-time compiler`);
  }
}

/** The TypeScript name of a template's function. */
export function functionName(kind: "page" | "partial", name: string): string {
  return `${kind === "page" ? "page" : "partial"}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
}

interface Scope {
  readonly context: string;
  readonly data: string;
}

/**
 * One template as a JavaScript arrow function `(c0, d0, h) => string` (context, data frame, helpers) that
 * calls `lookup`, `truthy`, `each`, `withContext` and `indentLines` from src/render-runtime.ts, and the
 * partial functions `partialFunction` names.
 */
export function compileTemplate(template: string, source: string, partialFunction: (name: string) => string | undefined): string {
  const ast = Handlebars.parse(source);
  let counter = 0;
  const fresh = (): number => ++counter;

  const path = (node: hbs.AST.PathExpression, scope: Scope): string => {
    if (node.depth > 0) throw new Unsupported(template, node, `the parent path "${node.original}"`);
    let expr = node.data ? scope.data : scope.context;
    for (const part of node.parts) expr = `lookup(${expr}, ${JSON.stringify(part)})`;
    return expr;
  };

  const value = (node: hbs.AST.Expression, scope: Scope): string => {
    switch (node.type) {
      case "PathExpression":
        return path(node as hbs.AST.PathExpression, scope);
      case "StringLiteral":
        return JSON.stringify((node as hbs.AST.StringLiteral).value);
      case "NumberLiteral":
        return String((node as hbs.AST.NumberLiteral).value);
      case "BooleanLiteral":
        return String((node as hbs.AST.BooleanLiteral).value);
      case "UndefinedLiteral":
        return "undefined";
      case "NullLiteral":
        return "null";
      default:
        throw new Unsupported(template, node, `the expression ${node.type}`);
    }
  };

  /** Statements appending the program's output to `out`. */
  const program = (prog: hbs.AST.Program | undefined, scope: Scope, out: string): string[] => {
    const lines: string[] = [];
    for (const node of prog?.body ?? []) {
      switch (node.type) {
        case "ContentStatement": {
          const text = (node as hbs.AST.ContentStatement).value;
          if (text) lines.push(`${out} += ${JSON.stringify(text)};`);
          break;
        }
        case "CommentStatement":
          break;
        case "MustacheStatement": {
          const m = node as hbs.AST.MustacheStatement;
          const head = m.path.type === "PathExpression" ? (m.path as hbs.AST.PathExpression).original : m.path.type;
          if ((m.hash?.pairs.length ?? 0) > 0) throw new Unsupported(template, node, "a hash argument");
          const [first, second, ...rest] = m.params;
          if (head === "md" && first && rest.length === 0) {
            const context = second === undefined ? "text" : second.type === "StringLiteral" ? (second as hbs.AST.StringLiteral).value : undefined;
            if (context === undefined || !(MARKDOWN_CONTEXTS as readonly string[]).includes(context)) {
              throw new Unsupported(template, node, `the md context ${JSON.stringify(context ?? second?.type)} (contexts: ${MARKDOWN_CONTEXTS.join(", ")})`);
            }
            lines.push(`${out} += h.md(${value(first, scope)}, ${JSON.stringify(context)});`);
          } else if (head === "t" && first?.type === "StringLiteral" && !second) {
            lines.push(`${out} += h.t(${JSON.stringify((first as hbs.AST.StringLiteral).value)});`);
          } else throw new Unsupported(template, node, `"{{${head} ...}}"`);
          break;
        }
        case "BlockStatement": {
          const b = node as hbs.AST.BlockStatement;
          const helper = b.path.original;
          if (b.params.length !== 1 || (b.hash?.pairs.length ?? 0) > 0 || (b.program?.blockParams?.length ?? 0) > 0) {
            throw new Unsupported(template, node, `"{{#${helper}}}" with other than one argument (or with hash or block parameters)`);
          }
          const arg = value(b.params[0] as hbs.AST.Expression, scope);
          if (helper === "if" || helper === "unless") {
            lines.push(`if (${helper === "unless" ? "!" : ""}truthy(${arg}, ${scope.context})) {`);
            lines.push(...program(b.program, scope, out).map((l) => `  ${l}`));
            const inverse = program(b.inverse, scope, out);
            if (inverse.length > 0) lines.push("} else {", ...inverse.map((l) => `  ${l}`));
            lines.push("}");
          } else if (helper === "each" || helper === "with") {
            const n = fresh();
            const inner: Scope = { context: `c${n}`, data: helper === "each" ? `d${n}` : scope.data };
            const body = program(b.program, inner, `o${n}`);
            const inverse = program(b.inverse, scope, `o${n}`);
            const closure = (params: string, stmts: string[]): string =>
              stmts.length === 0 ? `(${params}) => ""` : `(${params}) => {\n  let o${n} = "";\n${stmts.map((l) => `  ${l}`).join("\n")}\n  return o${n};\n}`;
            const fnParams = helper === "each" ? `${inner.context}, ${inner.data}` : inner.context;
            const call =
              helper === "each"
                ? `each(${arg}, ${scope.context}, ${scope.data}, ${closure(fnParams, body)}, ${closure("", inverse)})`
                : `withContext(${arg}, ${scope.context}, ${closure(fnParams, body)}, ${closure("", inverse)})`;
            lines.push(...`${out} += ${call};`.split("\n"));
          } else throw new Unsupported(template, node, `the block "{{#${helper}}}"`);
          break;
        }
        case "PartialStatement": {
          const p = node as hbs.AST.PartialStatement;
          const name = p.name.type === "PathExpression" ? (p.name as hbs.AST.PathExpression).original : undefined;
          const target = name === undefined ? undefined : partialFunction(name);
          if (!target || p.params.length > 0 || (p.hash?.pairs.length ?? 0) > 0) throw new Unsupported(template, node, `the partial "${name ?? p.name.type}" (unknown, or with arguments)`);
          const call = `${target}(${scope.context}, ${scope.data}, h)`;
          const indent = (p as hbs.AST.PartialStatement & { indent?: string }).indent ?? "";
          lines.push(`${out} += ${indent ? `indentLines(${call}, ${JSON.stringify(indent)})` : call};`);
          break;
        }
        default:
          throw new Unsupported(template, node, node.type);
      }
    }
    return lines;
  };

  const body = program(ast, { context: "c0", data: "d0" }, "o");
  return ["(c0, d0, h) => {", '  let o = "";', ...body.map((l) => `  ${l}`), "  return o;", "}"].join("\n");
}

/** What compiled templates may call from src/render-runtime.ts. */
const RUNTIME = ["each", "indentLines", "lookup", "truthy", "withContext"] as const;

/** The text of `src/generated/renderers.ts` for the given pages and partials. */
export function compileRenderers(pages: Readonly<Record<string, string>>, partials: Readonly<Record<string, string>>): string {
  const partialFunction = (name: string): string | undefined => (name in partials ? functionName("partial", name) : undefined);
  const names = (r: Readonly<Record<string, string>>): string[] => Object.keys(r).sort();
  // Constants are initialised before any render runs, so a partial may be defined after its callers.
  const functions = [
    ...names(partials).map((n) => `const ${functionName("partial", n)}: CompiledTemplate = ${compileTemplate(`partials/${n}`, partials[n] as string, partialFunction)};`),
    ...names(pages).map((n) => `const ${functionName("page", n)}: CompiledTemplate = ${compileTemplate(`pages/${n}`, pages[n] as string, partialFunction)};`),
  ];
  return [
    "// Generated by packages/emit-markdown/scripts/bundle-templates.ts from templates/markdown/. Do not edit;",
    "// run `npm run build -w @cassandra-mi-netrules/emit-markdown` (a test fails when this file is stale).",
    "// The bundled templates compiled to functions (scripts/compile-templates.ts): no template parsing at run time.",
    `import { ${[...RUNTIME.filter((f) => functions.some((code) => code.includes(`${f}(`))), "type CompiledTemplate"].join(", ")} } from "../render-runtime.js";`,
    "",
    ...functions.flatMap((f) => [f, ""]),
    "export const compiledPages = {",
    ...names(pages).map((n) => `  ${JSON.stringify(n)}: ${functionName("page", n)},`),
    "} as const satisfies Record<string, CompiledTemplate>;",
    "",
  ].join("\n");
}

/**
 * What a template may contain. Checked at build time on the bundled templates and at run time on every
 * user override, so data can only reach a page through the escaping helper `md`.
 */
import { escapeMarkdown } from "./escape.js";
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
  /** The keys among them used inside a ```mermaid block: their messages must be Mermaid-safe in every locale. */
  readonly mermaidKeys: readonly string[];
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

// A fence line: up to three spaces, then three or more backticks or tildes, then the info string.
const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** Where the text written so far stands: at a line start or not, and inside which fence (if any). */
interface FenceState {
  lineStart: boolean;
  /** The open fence's marker and whether it is a Mermaid block; null outside fences. */
  fence: { readonly marker: string; readonly mermaid: boolean } | null;
}

/** Advances `state` over literal template text, opening and closing fences at line starts. */
function scanText(text: string, state: FenceState): void {
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const complete = i < lines.length - 1;
    if ((state.lineStart || i > 0) && complete) {
      const m = FENCE_LINE.exec(line);
      if (m) {
        const marker = m[1] as string;
        if (state.fence === null) state.fence = { marker, mermaid: (m[2] ?? "").trim().split(/\s/)[0] === "mermaid" };
        else if (marker[0] === state.fence.marker[0] && marker.length >= state.fence.marker.length && (m[2] ?? "").trim() === "") state.fence = null;
      }
    }
    if (i > 0 || complete) state.lineStart = complete ? true : line === "";
    else if (line !== "") state.lineStart = false;
  });
}

/**
 * Parses a template and checks it. Allowed: text; comments; `{{md <path|subexpression> ["context"]}}`;
 * `{{t "literal.key"}}`; `{{#if}}`/`{{#unless}}`/`{{#each}}`/`{{#with}}` blocks; `{{> partial-name}}`.
 * Inside a ```mermaid block, `md` must use the `mermaid` context (and only there), no partial may be
 * included, and a block may not open or close the fence.
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
  const mermaidKeys = new Set<string>();
  const partials = new Set<string>();
  const state: FenceState = { lineStart: true, fence: null };
  const inMermaid = (): boolean => state.fence?.mermaid === true;

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
          scanText((node as hbs.AST.ContentStatement).value, state);
          break;
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
            const mermaidContext = (context as hbs.AST.StringLiteral | undefined)?.value === "mermaid";
            if (inMermaid() && !mermaidContext) throw new TemplatePolicyError(name, lineOf(node), `inside a \`\`\`mermaid block, "md" must use the "mermaid" context`);
            if (!inMermaid() && mermaidContext) throw new TemplatePolicyError(name, lineOf(node), `the "mermaid" context of "md" is only for a \`\`\`mermaid block`);
            state.lineStart = false;
            break;
          }
          if (head === "t") {
            const [key, ...rest] = m.params;
            if (!key || key.type !== "StringLiteral" || rest.length > 0) {
              throw new TemplatePolicyError(name, lineOf(node), `"t" takes one string literal key`);
            }
            keys.add((key as hbs.AST.StringLiteral).value);
            if (inMermaid()) mermaidKeys.add((key as hbs.AST.StringLiteral).value);
            state.lineStart = false;
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
          const before = state.fence;
          for (const branch of [b.program, b.inverse]) {
            walk(branch);
            if (state.fence !== before) throw new TemplatePolicyError(name, lineOf(node), `a code fence must open and close outside "{{#${b.path.original}}}" blocks`);
          }
          break;
        }
        case "PartialStatement": {
          const p = node as hbs.AST.PartialStatement;
          if (p.name.type !== "PathExpression" || p.params.length > 0 || (p.hash?.pairs.length ?? 0) > 0) {
            throw new TemplatePolicyError(name, lineOf(node), `partials must be included by plain name, without arguments`);
          }
          if (inMermaid()) throw new TemplatePolicyError(name, lineOf(node), `no partial may be included inside a \`\`\`mermaid block`);
          partials.add(p.name.original);
          break;
        }
        default:
          throw new TemplatePolicyError(name, lineOf(node), `"${describe(node)}" (${node.type}) is not allowed`);
      }
    }
  };
  walk(ast);
  if (state.fence !== null) throw new TemplatePolicyError(name, source.split("\n").length, "a code fence is not closed");
  return { keys: [...keys].sort(), mermaidKeys: [...mermaidKeys].sort(), partials: [...partials].sort() };
}

/**
 * Catalogue messages used inside a ```mermaid block are trusted text too, but must hold no character
 * Mermaid reads (they go in unescaped): each must be what the `mermaid` context leaves unchanged.
 */
export function checkMermaidMessages(template: string, keys: readonly string[], catalogues: Readonly<Record<string, Readonly<Record<string, string>>>>): void {
  for (const [locale, catalogue] of Object.entries(catalogues)) {
    for (const key of keys) {
      const message = catalogue[key];
      if (message !== undefined && escapeMarkdown(message, "mermaid") !== message) {
        throw new TemplatePolicyError(template, 0, `catalogue ${locale} key "${key}" is used in a \`\`\`mermaid block but holds characters Mermaid would read (value: ${JSON.stringify(message)}; allowed: letters, digits, space and . , / ( ) * ' + - _ ? ! @)`);
      }
    }
  }
}

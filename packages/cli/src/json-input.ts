/** JSON read from a file: an error says where and shows a short escaped excerpt at most; input nested too deeply is refused. */
import { CliError, excerpt } from "./errors.js";

/** How deep an input may nest: far beyond any real template or plan, well within the stack of the code that walks it. */
export const MAX_DEPTH = 100;

/** The deepest nesting of arrays and objects in a value, counted without recursion. */
export function deepestLevel(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Line and column (1-based) of an offset. */
function lineColumn(text: string, at: number): string {
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  return `line ${line}, column ${at - before.lastIndexOf("\n")}`;
}

/** Parses a file's text as JSON; `label` names the argument and the file (`<file> "plan.json"`). */
export function parseJsonText(text: string, label: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text around the error: only its position is kept.
    const message = (e as Error).message;
    const at = /at position (\d+)/.exec(message)?.[1];
    if (at !== undefined) throw new CliError(`${label}: not valid JSON at ${lineColumn(text, Number(at))} (at ${excerpt(text, Number(at))})`);
    if (/end of JSON input/.test(message)) throw new CliError(`${label}: not valid JSON: it ends too early`);
    throw new CliError(`${label}: not valid JSON (it starts ${excerpt(text)})`);
  }
  if (deepestLevel(value) > MAX_DEPTH) throw new CliError(`${label}: nested more than ${MAX_DEPTH} levels deep`);
  return value;
}

/**
 * A Resource Graph export's text cut into its root and its rows, so that a large export is parsed one row
 * at a time: each row's objects die young once read, where one JSON.parse of the whole text keeps every
 * object alive through the read (much of the read's garbage collection, and ~150 MiB at the peak).
 * The cut is only a guess at the structure: the root and every row go through JSON.parse and the depth
 * check, and the caller reads the whole text as before when anything fails, so what it refuses and why stays the same.
 */
import { INPUT_LIMITS, nestsDeeper } from "./input.js";

export interface GraphExportText {
  /** The root parsed with the rows left out (`"data": []`). */
  readonly root: unknown;
  /** Each row parsed, in order; throws when the rows are not each one JSON value (the whole read says why). */
  readonly rows: () => Generator<unknown>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** Characters of the next row a separator is recognised by (after the first two rows): `},{"id":"/subscri`. */
const ROW_OPENING = 16;
/** Closing brackets of the root tried, from the end, as the close of `data`. */
const TAIL_TRIES = 8;

/** Whether the code is JSON whitespace (space, tab, line feed, carriage return). */
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The index of the quote that closes the string opening at `open`, or -1: the first quote after an even run of backslashes. */
function stringEnd(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end > 0) {
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/** Where the array element starting at `from` ends: the comma after it at its own level, or `to`; -1 when a string does not close. */
function elementEnd(text: string, from: number, to: number): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      if (i < 0) return -1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
    else if (c === COMMA && depth === 0) return i;
  }
  return to;
}

/**
 * The keys of the root object in text[from, to), `depth` being the level at `from` (1 in the root); stops at
 * the array that is the value of the first `data` key and says where it opens. undefined when a key has an
 * escape (it could spell `data`), a string does not close, or the brackets go past the limit or below the root.
 */
function rootKeys(text: string, from: number, to: number, depth: number, stopAtData: boolean): { readonly data: number; readonly keys: number } | undefined {
  let level = depth;
  let previous = level === 1 ? OPEN_OBJECT : CLOSE_ARRAY;
  let dataKeys = 0;
  let dataNext = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) continue;
    if (dataNext && c !== COLON) {
      if (c === OPEN_ARRAY) return { data: i, keys: dataKeys };
      return undefined;
    }
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      if (level === 1 && (previous === OPEN_OBJECT || previous === COMMA)) {
        const key = text.slice(i + 1, end);
        if (key.includes("\\")) return undefined;
        if (key === "data") {
          dataKeys += 1;
          dataNext = stopAtData;
        }
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++level > INPUT_LIMITS.maxDepth) return undefined;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--level < 0) return undefined;
    }
    previous = c;
  }
  return stopAtData ? undefined : { data: -1, keys: dataKeys };
}

/**
 * `{ ..., "data": [rows], ... }` cut at the rows, or undefined when the text is not plainly that: another root,
 * a `data` key given twice or spelled with an escape, or `data` not an array.
 */
export function splitGraphExport(text: string): GraphExportText | undefined {
  const start = skipSpace(text, 0);
  if (text.charCodeAt(start) !== OPEN_OBJECT) return undefined;
  const head = rootKeys(text, start + 1, text.length, 1, true);
  if (head === undefined) return undefined;
  const open = head.data;
  // The close of `data`: a closing bracket near the end after which the root parses and names no other `data`.
  let close = text.length;
  for (let tries = 0; tries < TAIL_TRIES; tries++) {
    close = text.lastIndexOf("]", close - 1);
    if (close <= open) return undefined;
    const root = parsed(`${text.slice(0, open + 1)}${text.slice(close)}`);
    if (root === NOT_JSON) continue;
    const tail = rootKeys(text, close + 1, text.length, 1, false);
    if (tail === undefined || tail.keys > 0) return undefined;
    const end = close;
    return { root, rows: () => parsedRows(text, open + 1, end) };
  }
  return undefined;
}

const NOT_JSON = Symbol("not JSON");

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** The longest pattern V8's indexOf finds by memchr on its first character (a longer one takes a search some twice as slow here). */
const MEMCHR_PATTERN = 6;

/** text.indexOf(pattern, from), found by the pattern's first characters and then checked whole. */
export function indexOfLong(text: string, pattern: string, from: number): number {
  const head = pattern.slice(0, MEMCHR_PATTERN);
  for (let at = text.indexOf(head, from); at >= 0; at = text.indexOf(head, at + 1)) if (text.startsWith(pattern, at)) return at;
  return -1;
}

/**
 * Each element of text[from, to) parsed. After the first row, the text around its separator (the row's last
 * character, the comma, the next row's opening) finds each next row's end without reading its characters;
 * a guess is kept only when JSON.parse takes the slice whole (so it is exactly one value), and a guess that
 * fails stops the guessing.
 */
function* parsedRows(text: string, from: number, to: number): Generator<unknown> {
  let at = skipSpace(text, from);
  if (at === to) return;
  let separator: string | undefined;
  let guessing = true;
  for (;;) {
    let end = -1;
    let row: unknown;
    const found = separator === undefined ? -1 : indexOfLong(text, separator, at);
    if (found >= 0 && found < to) {
      try {
        row = JSON.parse(text.slice(at, found + 1));
        end = found + 1;
      } catch {
        guessing = false;
        separator = undefined;
      }
    }
    if (end < 0) {
      const comma = elementEnd(text, at, to);
      if (comma < 0) throw new SyntaxError("a string does not close");
      end = comma;
      while (end > at && isSpace(text.charCodeAt(end - 1))) end--;
      row = JSON.parse(text.slice(at, end));
    }
    if (row !== null && typeof row === "object" && nestsDeeper(row, 3)) throw new RangeError("nested too deep");
    yield row;
    const next = skipSpace(text, end);
    if (next === to) return;
    if (text.charCodeAt(next) !== COMMA) throw new SyntaxError("expected a comma between rows");
    const nextRow = skipSpace(text, next + 1);
    if (nextRow >= to) throw new SyntaxError("a comma after the last row");
    if (guessing && separator === undefined) separator = text.slice(end - 1, Math.min(nextRow + ROW_OPENING, to));
    at = nextRow;
  }
}

/**
 * A Resource Graph export's text read a row at a time, from pieces (a file read in chunks, each chunk decoded)
 * or from one piece (the whole text): each row's objects die young once read, where one JSON.parse of the whole
 * text keeps every object alive through the read, and from pieces neither the file's bytes nor its text is ever
 * whole (169 MiB each for 10,000 NSGs: the peak RSS about 200 MiB lower, and the pages they took). The cut is only a guess at the structure: the root
 * without its rows and every row go through JSON.parse and the depth check, and anything in doubt answers
 * undefined, the caller then reading the whole text as before, so what it refuses and why stays the same.
 */
import { INPUT_LIMITS, nestsDeeper } from "./input.js";

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

/** Whether the code is JSON whitespace (space, tab, line feed, carriage return). */
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** The index of the quote that closes the string opening at `open`, or -1: the first quote after an even run of backslashes (from `from` on). */
function stringEnd(text: string, open: number, from = open + 1): number {
  let end = text.indexOf('"', from);
  while (end > 0) {
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
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

/** Characters of the root read at most before its rows, and after them (an export has a few keys there). */
const ROOT_LIMIT = 1 << 20;
const BYTE_ORDER_MARK = 0xfeff;

/** The text is not plainly an export, or cannot be read: the read answers undefined. */
class Doubt extends Error {}

/** The text of the pieces read so far. Positions count from the start of the whole text; what is before `keep` may be let go. */
class PieceText {
  #text = "";
  /** The position of `#text`'s first character. */
  #base = 0;
  #characters = 0;
  #done = false;

  constructor(private readonly source: Iterator<string>) {}

  /** Where the text read so far ends. */
  get end(): number {
    return this.#base + this.#text.length;
  }

  /** Whether the text reaches `pos`, reading pieces until it does. */
  has(pos: number, keep: number): boolean {
    while (pos >= this.end) if (!this.#more(keep)) return false;
    return true;
  }

  code(pos: number): number {
    return this.#text.charCodeAt(pos - this.#base);
  }

  slice(from: number, to: number): string {
    return this.#text.slice(from - this.#base, to - this.#base);
  }

  /** The position of `pattern` at `from` or after, reading pieces until it is there; -1 when the text ends first. */
  find(pattern: string, from: number, keep: number): number {
    let start = from;
    for (;;) {
      const at = indexOfLong(this.#text, pattern, start - this.#base);
      if (at >= 0) return at + this.#base;
      start = Math.max(start, this.end - pattern.length + 1);
      if (!this.#more(keep)) return -1;
    }
  }

  /** The quote that closes the string opening at `open`; -1 when the text ends first. */
  stringEnd(open: number, keep: number): number {
    // The quotes before `from` are escaped ones: when more text comes, the search goes on from there.
    let from = open + 1;
    for (;;) {
      const end = stringEnd(this.#text, open - this.#base, from - this.#base);
      if (end >= 0) return end + this.#base;
      from = Math.max(from, this.end);
      if (!this.#more(keep)) return -1;
    }
  }

  /** Pieces until the text kept has at least doubled (each character is copied a bounded number of times); false when none is left. */
  #more(keep: number): boolean {
    if (this.#done) return false;
    if (keep < this.#base) throw new Doubt("text let go is asked for");
    const kept = this.#text.slice(keep - this.#base);
    let text = kept;
    while (text.length === kept.length || text.length < 2 * kept.length) {
      const next = this.source.next();
      if (next.done === true) {
        this.#done = true;
        break;
      }
      this.#characters += next.value.length;
      if (this.#characters > INPUT_LIMITS.maxCharacters) throw new Doubt("over the size limit");
      text += next.value;
    }
    this.#base = keep;
    this.#text = text;
    return text.length > kept.length;
  }
}

/** The first position at `from` or after that is not JSON whitespace; throws when the text ends first. */
function skipSpace(text: PieceText, from: number, keep: number): number {
  let pos = from;
  while (text.has(pos, keep) && isSpace(text.code(pos))) pos++;
  if (!text.has(pos, keep)) throw new Doubt("the text ends early");
  return pos;
}

/** Where the element at `from` ends: the first comma at its own level, or the first closing bracket below it; throws when the text ends first. */
function elementEnd(text: PieceText, from: number): number {
  let depth = 0;
  for (let pos = from; text.has(pos, from); pos++) {
    const c = text.code(pos);
    if (c === QUOTE) {
      pos = text.stringEnd(pos, from);
      if (pos < 0) break;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--depth < 0) return pos;
    } else if (c === COMMA && depth === 0) return pos;
  }
  throw new Doubt("the text ends inside a row");
}

/** The root up to its `data` array (`{ ..., "data": [`), and where that bracket is: pieces are read until it is found, up to `ROOT_LIMIT` characters. */
function headOf(text: PieceText): { readonly head: string; readonly open: number } {
  const start = text.has(0, 0) && text.code(0) === BYTE_ORDER_MARK ? 1 : 0;
  for (;;) {
    const window = text.slice(start, Math.min(ROOT_LIMIT, text.end));
    let first = 0;
    while (first < window.length && isSpace(window.charCodeAt(first))) first++;
    if (first < window.length && window.charCodeAt(first) !== OPEN_OBJECT) throw new Doubt("not an object");
    // undefined too when the window ends before the bracket: more pieces may bring it.
    const keys = first < window.length ? rootKeys(window, first + 1, window.length, 1, true) : undefined;
    if (keys !== undefined) return { head: window.slice(0, keys.data + 1), open: start + keys.data };
    if (text.end >= ROOT_LIMIT || !text.has(text.end, 0)) throw new Doubt("no plain data array");
  }
}

/** The rows from `from` (after the `[` of `data`), each parsed; `close` is set to the `]` that ends them. */
function* rowsOf(text: PieceText, from: number, close: { at: number }): Generator<unknown> {
  let at = skipSpace(text, from, from);
  if (text.code(at) === CLOSE_ARRAY) {
    close.at = at;
    return;
  }
  let separator: string | undefined;
  let guessing = true;
  for (;;) {
    let end = -1;
    let row: unknown;
    const found = separator === undefined ? -1 : text.find(separator, at, at);
    if (found >= 0) {
      try {
        row = JSON.parse(text.slice(at, found + 1));
        end = found + 1;
      } catch {
        guessing = false;
        separator = undefined;
      }
    }
    if (end < 0) {
      end = elementEnd(text, at);
      while (end > at && isSpace(text.code(end - 1))) end--;
      row = JSON.parse(text.slice(at, end));
    }
    if (row !== null && typeof row === "object" && nestsDeeper(row, 3)) throw new Doubt("nested too deep");
    yield row;
    // The row's last character is kept: it begins the separator.
    const next = skipSpace(text, end, end - 1);
    if (text.code(next) === CLOSE_ARRAY) {
      close.at = next;
      return;
    }
    if (text.code(next) !== COMMA) throw new Doubt("expected a comma between rows");
    const nextRow = skipSpace(text, next + 1, end - 1);
    if (text.code(nextRow) === CLOSE_ARRAY) throw new Doubt("a comma after the last row");
    if (guessing && separator === undefined) {
      text.has(nextRow + ROW_OPENING - 1, end - 1);
      separator = text.slice(end - 1, Math.min(nextRow + ROW_OPENING, text.end));
    }
    at = nextRow;
  }
}

/** The root parsed with the rows left out (`"data": []`), from its head and the text after the rows' `]`. */
function rootOf(text: PieceText, head: string, close: number): unknown {
  if (text.has(close + 1 + ROOT_LIMIT, close)) throw new Doubt("too much text after the rows");
  const tail = text.slice(close + 1, text.end);
  const root = parsed(`${head}]${tail}`);
  if (root === NOT_JSON) throw new Doubt("the root is not JSON");
  const keys = rootKeys(tail, 0, tail.length, 1, false);
  if (keys === undefined || keys.keys > 0) throw new Doubt("data given twice, or a key past the limits");
  return root;
}

/** What `readRows` made of the rows, and the root without them. */
export interface GraphExportPieces<T> {
  readonly root: unknown;
  readonly read: T;
}

/**
 * `{ ..., "data": [rows], ... }` read from its pieces in order: `readRows` is given each row parsed as it comes,
 * and must read them all. undefined when the text is not plainly that (see graph-text.ts), cannot be read (the
 * source throws), or `readRows` throws.
 */
export function readGraphPieces<T>(pieces: Iterable<string>, readRows: (rows: Iterable<unknown>) => T): GraphExportPieces<T> | undefined {
  const source = pieces[Symbol.iterator]();
  try {
    const text = new PieceText(source);
    const { head, open } = headOf(text);
    const close = { at: -1 };
    const read = readRows(rowsOf(text, open + 1, close));
    if (close.at < 0) return undefined;
    return { root: rootOf(text, head, close.at), read };
  } catch {
    return undefined;
  } finally {
    source.return?.();
  }
}

/**
 * A JSON document as `json` prints it, with one of its arrays written element by element into a spool as
 * the elements come: the same bytes as printing the whole document, without holding the array.
 */
import { json } from "../format.js";
import type { OutputPiece, Spool } from "./spool.js";

/** Stands for the streamed array in the document printed around it. */
const MARKER = "\u0000streamed array\u0000";

export class JsonArraySpool {
  private count = 0;
  private readonly prefix: string;
  private readonly suffix: string;

  /** `depth`: how many arrays and objects hold the array in the document (its elements are printed at depth + 1). */
  constructor(
    private readonly spool: Spool,
    private readonly depth: number,
  ) {
    const levels = Array.from({ length: depth + 1 }, (_, k) => "  ".repeat(k));
    this.prefix = levels.map((pad) => `${pad}[\n`).join("");
    this.suffix = [...levels].reverse().map((pad) => `\n${pad}]`).join("");
  }

  add(element: unknown): void {
    // Printed inside as many arrays as hold it in the document: indented as there, in one string (no copy to re-indent).
    let wrapped: unknown = element;
    for (let k = 0; k <= this.depth; k++) wrapped = [wrapped];
    const text = JSON.stringify(wrapped, null, 2);
    if (!text.startsWith(this.prefix) || !text.endsWith(this.suffix)) throw new Error("an element of the streamed array is not printed as expected");
    if (this.count > 0) this.spool.write(",\n");
    this.spool.write(text.slice(this.prefix.length, text.length - this.suffix.length));
    this.count += 1;
  }

  /** `document(marker)` with the array in the marker's place, in pieces. */
  *pieces(document: (marker: string) => unknown): Generator<OutputPiece, void, undefined> {
    const text = json(document(MARKER));
    const quoted = JSON.stringify(MARKER);
    const at = text.indexOf(quoted);
    const indent = /^ */.exec(text.slice(text.lastIndexOf("\n", at) + 1))?.[0].length;
    if (at < 0 || text.indexOf(quoted, at + 1) >= 0 || indent !== 2 * this.depth) throw new Error(`the streamed array is not where it was expected (depth ${this.depth})`);
    yield text.slice(0, at);
    if (this.count === 0) yield "[]";
    else {
      yield "[\n";
      yield* this.spool.pieces();
      yield `\n${"  ".repeat(this.depth)}]`;
    }
    yield text.slice(at + quoted.length);
  }
}

/**
 * A JSON document as `json` prints it, with one of its arrays written element by element into a spool as
 * the elements come: the same bytes as printing the whole document, without holding the array.
 */
import { json } from "../format.js";
import type { Spool } from "./spool.js";

/** Stands for the streamed array in the document printed around it. */
const MARKER = "\u0000streamed array\u0000";

export class JsonArraySpool {
  private count = 0;
  private readonly indent: string;

  /** `depth`: how many arrays and objects hold the array in the document (its elements are printed at depth + 1). */
  constructor(
    private readonly spool: Spool,
    private readonly depth: number,
  ) {
    this.indent = "  ".repeat(depth + 1);
  }

  add(element: unknown): void {
    const text = JSON.stringify(element, null, 2).replace(/\n/g, `\n${this.indent}`);
    this.spool.write(`${this.count === 0 ? "" : ",\n"}${this.indent}${text}`);
    this.count += 1;
  }

  /** Writes `document(marker)` with the array in the marker's place. */
  print(document: (marker: string) => unknown, out: (text: string) => void): void {
    const text = json(document(MARKER));
    const quoted = JSON.stringify(MARKER);
    const at = text.indexOf(quoted);
    const indent = /^ */.exec(text.slice(text.lastIndexOf("\n", at) + 1))?.[0].length;
    if (at < 0 || text.indexOf(quoted, at + 1) >= 0 || indent !== 2 * this.depth) throw new Error(`the streamed array is not where it was expected (depth ${this.depth})`);
    out(text.slice(0, at));
    if (this.count === 0) out("[]");
    else {
      out("[\n");
      this.spool.drain(out);
      out(`\n${"  ".repeat(this.depth)}]`);
    }
    out(text.slice(at + quoted.length));
  }
}

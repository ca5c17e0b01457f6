/**
 * `Lines`: C text being built, line by line, with the current indentation.
 *
 * @module
 */

/** Lines of C being built, with the current indentation. */
export class Lines {
  /** The lines. */
  readonly lines: string[] = [];
  private depth = 1;

  /** Add a line at the current indentation. */
  add(line: string): void {
    this.lines.push("  ".repeat(this.depth) + line);
  }

  /** Add `open`, the lines `body` adds one level deeper, then `close`. */
  block(open: string, body: () => void, close = "}"): void {
    this.add(open);
    this.depth++;
    body();
    this.depth--;
    if (close) this.add(close);
  }
}

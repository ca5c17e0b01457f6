/**
 * Declarations of the script form: buffer types with their options (`BUFFER_OPTIONS`) and
 * annotations (`@{key: value, …}`).
 *
 * @module
 */
import type { AnnotationValue, Buffer, BufferOptions } from "../stmt.ts";
import { decl } from "../stmt.ts";
import { BUFFER_OPTIONS } from "./grammar.ts";
import type { Token } from "./lexer.ts";
import { readNumber } from "./literal.ts";
import { ExprParser } from "./parse_expr.ts";

/** Buffer declarations and annotations. */
export class DeclParser extends ExprParser {
  /** Build a node over `[start, end)`: IR errors become parse errors there; the span is kept. */
  protected made<T extends object>(start: number, end: number, make: () => T): T {
    return this.mark(this.guard(start, end, make), start, end);
  }

  /** `NAME: buffer<DTYPE>[shape](options)`; the buffer is not declared yet. */
  protected bufferDecl(): { tok: Token; buffer: Buffer } {
    const tok = this.ident("a buffer name");
    this.expect(":");
    return { tok, buffer: this.bufferType(tok) };
  }

  /** `buffer<DTYPE>[shape](options)` for the buffer named by `tok`. */
  protected bufferType(tok: Token): Buffer {
    const start = this.expect("buffer", `"buffer"`).offset;
    this.expect("<");
    const dtype = this.dtype();
    this.expect(">");
    this.expect("[");
    const shape = this.list("]", () => this.expr().e);
    const options: Record<string, unknown> = {};
    if (this.accept("(")) {
      this.list(")", () => {
        const kt = this.ident("a buffer option (strides, offset, scope, align)");
        const opt = BUFFER_OPTIONS.find((o) => o.key === kt.text);
        if (!opt) {
          this.pos--;
          this.unexpected("a buffer option (strides, offset, scope, align)");
        }
        this.expect("=");
        options[opt.field] = opt.spec === "exprs"
          ? (this.expect("["), this.list("]", () => this.expr().e))
          : opt.spec === "expr"
          ? this.expr().e
          : opt.spec === "string"
          ? this.string("a scope name")
          : this.integer("an alignment in bytes");
      });
    }
    return this.made(
      start,
      this.prevEnd(),
      () => decl(tok.text, shape, dtype, options as BufferOptions),
    );
  }

  /** `@{key: value, …}` or nothing. */
  protected annotations(): Record<string, AnnotationValue> {
    const out: Record<string, AnnotationValue> = {};
    if (!this.accept("@")) return out;
    this.expect("{");
    this.list("}", () => {
      const kt = this.peek();
      const key = kt.kind === "string"
        ? this.string("a key")
        : this.ident("an annotation key").text;
      if (Object.hasOwn(out, key)) {
        this.fail("PARSE_DUPLICATE_NAME", `Cannot annotate "${key}" twice`, kt.offset, kt.end);
      }
      this.expect(":");
      const value = this.annotationValue();
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    });
    return out;
  }

  protected annotationValue(): AnnotationValue {
    const t = this.peek();
    if (t.kind === "string") return this.string("a value");
    if (this.accept("true")) return true;
    if (this.accept("false")) return false;
    const negative = this.accept("-");
    const nt = this.peek();
    if (nt.kind !== "number") return this.unexpected("a string, a number, true or false");
    this.next();
    const n = readNumber(nt.text);
    if (typeof n === "string" || n.dtype !== undefined) {
      return this.fail(
        "PARSE_BAD_LITERAL",
        `Cannot read annotation value "${nt.text}": annotation numbers take no dtype suffix`,
        nt.offset,
        nt.end,
      );
    }
    return negative ? -n.raw : n.raw;
  }
}

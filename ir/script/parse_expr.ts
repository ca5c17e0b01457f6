/**
 * Expressions of the script form: precedence climbing over the `INFIX` table, the `CALL_FORMS`
 * table for call-like forms, literals by `literal.ts`. Untyped literals (no suffix) adapt to the
 * dtype of the operand they meet (`x + 1` with `x: int64` reads `1` as `1i64`).
 *
 * @module
 */
import { type DType, elementOf, lanesOf } from "../dtype.ts";
import { bool, CALL_OPS, int, type PrimExpr } from "../expr.ts";
import type { Range } from "../stmt.ts";
import { rawBinary, rawCall, rawLet, rawLoad, rawNot } from "./build.ts";
import {
  CALL_FORM_BY_NAME,
  type CallForm,
  INFIX,
  INFIX_BY_TOKEN,
  type ParsedFields,
  PREC,
} from "./grammar.ts";
import { makeLiteral, type NumberText, readNumber } from "./literal.ts";
import { ParserBase } from "./parser.ts";

/** A parsed expression with its extent in the text; `lit` is set for untyped literals. */
export interface PExpr {
  /** The expression. */
  readonly e: PrimExpr;
  /** Offset of its first character. */
  readonly start: number;
  /** Offset past its last character. */
  readonly end: number;
  /** The literal as written, when it has no dtype suffix. */
  readonly lit?: NumberText;
}

/** The expression parser. */
export class ExprParser extends ParserBase {
  /** A full expression. */
  expr(): PExpr {
    return this.binary(PREC.or);
  }

  /** A full expression, with untyped literals adapted to `dtype` if it is given. */
  exprAs(dtype?: DType): PExpr {
    const p = this.expr();
    return dtype === undefined ? p : this.adapt(p, dtype);
  }

  protected build(start: number, make: () => PrimExpr, lit?: NumberText): PExpr {
    const end = this.prevEnd();
    const e = this.guard(start, end, make);
    if (e.kind !== "Var") this.mark(e, start, end);
    return { e, start, end, lit };
  }

  /** Give an untyped literal the dtype `dtype` (scalar dtypes only). */
  protected adapt(p: PExpr, dtype: DType): PExpr {
    if (!p.lit || p.e.dtype === dtype || lanesOf(dtype) !== 1) return p;
    const c = makeLiteral(p.lit.raw, p.lit.floatText, dtype);
    if (typeof c === "string") return this.fail("PARSE_DTYPE_MISMATCH", c, p.start, p.end);
    this.mark(c, p.start, p.end);
    return { ...p, e: c };
  }

  /** Make untyped literals among `ps` take the dtype of the first typed one. */
  protected unify(ps: PExpr[]): PExpr[] {
    const typed = ps.find((p) => !p.lit);
    if (typed) return ps.map((p) => this.adapt(p, elementOf(typed.e.dtype)));
    // Only untyped literals: `1 + 2.5` is a float32 sum.
    return ps.some((p) => p.lit!.floatText) ? ps.map((p) => this.adapt(p, "float32")) : ps;
  }

  private binary(minPrec: number): PExpr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const op = t.kind === "punct" ? INFIX_BY_TOKEN.get(t.text) : undefined;
      if (op === undefined || INFIX[op]!.prec < minPrec) return left;
      this.next();
      const right = this.binary(INFIX[op]!.prec + 1);
      const [a, b] = this.unify([left, right]);
      left = this.build(left.start, () => rawBinary(op, a.e, b.e));
    }
  }

  private unary(): PExpr {
    const t = this.peek();
    if (this.accept("!")) {
      const a = this.unary();
      return this.build(t.offset, () => rawNot(a.e));
    }
    if (this.accept("-")) {
      if (this.peek().kind === "number") return this.literal(t.offset, true);
      const a = this.unary();
      const zero = makeLiteral(0, false, a.e.dtype);
      if (typeof zero === "string") return this.fail("PARSE_DTYPE_MISMATCH", zero, a.start, a.end);
      return this.build(t.offset, () => rawBinary("sub", zero, a.e));
    }
    return this.primary();
  }

  private literal(start: number, negative: boolean): PExpr {
    const t = this.next();
    const n = readNumber(t.text);
    if (typeof n === "string") return this.fail("PARSE_BAD_LITERAL", n, t.offset, t.end);
    const raw = negative ? -n.raw : n.raw;
    const dtype = n.dtype ?? (n.floatText ? "float32" : "int32");
    const c = makeLiteral(raw, n.floatText, dtype);
    if (typeof c === "string") return this.fail("PARSE_BAD_LITERAL", c, start, t.end);
    this.mark(c, start, t.end);
    return { e: c, start, end: t.end, lit: n.dtype ? undefined : { ...n, raw } };
  }

  private primary(): PExpr {
    const t = this.peek();
    if (t.kind === "number") return this.literal(t.offset, false);
    if (this.accept("(")) {
      const inner = this.expr();
      this.expect(")");
      return { ...inner, start: t.offset, end: this.prevEnd() };
    }
    if (t.kind !== "ident") return this.unexpected("an expression");
    this.next();
    if (t.text === "true" || t.text === "false") {
      return this.build(t.offset, () => bool(t.text === "true"));
    }
    if (t.text === "let") return this.letExpr(t.offset);
    if (this.at("[")) {
      const buf = this.useBuffer(t);
      this.next();
      const idx = this.list("]", () => this.expr()).map((p) => p.e);
      return this.build(t.offset, () => rawLoad(buf, idx));
    }
    const form = CALL_FORM_BY_NAME.get(t.text);
    if (form && (this.at("(") || (form.dtype && this.at("<")))) {
      return this.callForm(form, t.offset);
    }
    if (this.at("(")) {
      if (CALL_OPS[t.text] === undefined) {
        this.fail(
          "PARSE_UNKNOWN_NAME",
          `Cannot call "${t.text}": no such function`,
          t.offset,
          t.end,
          `intrinsics are written call<dtype>("${t.text}", …)`,
        );
      }
      this.next();
      const args = this.unify(this.list(")", () => this.expr())).map((p) => p.e);
      return this.build(t.offset, () => rawCall(t.text, args));
    }
    const v = this.useVar(t);
    return { e: v, start: t.offset, end: t.end };
  }

  /** Items separated by commas up to the closing token (which is consumed). */
  protected list<T>(close: string, item: () => T): T[] {
    const out: T[] = [];
    while (!this.accept(close)) {
      if (out.length > 0) this.expect(",", `"," or "${close}"`);
      out.push(item());
    }
    return out;
  }

  private callForm(form: CallForm, start: number): PExpr {
    let dtype = "";
    if (form.dtype) {
      this.expect("<");
      dtype = this.dtype();
      this.expect(">");
    }
    this.expect("(");
    const fields: Record<string, unknown> = {};
    const parsed = new Map<string, PExpr>();
    form.args.forEach(([field, spec], i) => {
      if (spec === "exprs") {
        const items: PExpr[] = [];
        while (!this.at(")")) {
          if (i > 0 || items.length > 0) this.expect(",", `"," or ")"`);
          items.push(this.expr());
        }
        const math = field === "args" && CALL_OPS[String(fields.op)] !== undefined;
        fields[field] = (math ? this.unify(items) : items).map((p) => p.e);
        return;
      }
      if (i > 0) this.expect(",");
      if (spec === "int") fields[field] = this.integer("a lane count");
      else if (spec === "string") fields[field] = this.string("a string");
      else parsed.set(field, this.expr());
    });
    this.expect(")");
    const names = form.unify ?? [];
    const unified = this.unify(names.map((f) => parsed.get(f)!));
    names.forEach((f, i) => parsed.set(f, unified[i]));
    for (const [f, p] of parsed) fields[f] = p.e;
    return this.build(start, () => form.build(fields as ParsedFields, dtype));
  }

  private letExpr(start: number): PExpr {
    const name = this.ident("a variable name");
    const given = this.accept(":") ? this.dtype() : undefined;
    this.expect("=");
    const value = this.exprAs(given);
    this.expect("in", `"in"`);
    this.push();
    const v = this.declareVar(name, given ?? value.e.dtype);
    const body = this.expr();
    this.pop();
    return this.build(start, () => rawLet(v, value.e, body.e));
  }

  /** A range `start..stop` (untyped literals adapt) or `min +: extent` (exactly as written). */
  range(): { min: PrimExpr; extent: PrimExpr; start: number } {
    return this.rangeFrom(this.expr());
  }

  private rangeFrom(a: PExpr): { min: PrimExpr; extent: PrimExpr; start: number } {
    if (this.accept("+:")) return { min: a.e, extent: this.expr().e, start: a.start };
    this.expect("..", `".." or "+:"`);
    const [lo, hi] = this.unify([a, this.expr()]);
    if (lo.e.kind === "IntImm" && Object.is(lo.e.value, 0)) {
      if (lo.e.dtype !== hi.e.dtype) {
        this.fail(
          "PARSE_DTYPE_MISMATCH",
          `Cannot make a range from ${lo.e.dtype} to ${hi.e.dtype}`,
          lo.start,
          hi.end,
        );
      }
      return { min: lo.e, extent: hi.e, start: lo.start };
    }
    const ext = this.build(lo.start, () => rawBinary("sub", hi.e, lo.e)).e;
    return { min: lo.e, extent: ext, start: lo.start };
  }

  /** A region dimension: a range, or a lone expression for the point range `e +: 1`. */
  regionDim(): Range {
    const a = this.expr();
    if (!this.at("..") && !this.at("+:")) {
      return this.mark({ kind: "Range", min: a.e, extent: int(1) }, a.start);
    }
    const r = this.rangeFrom(a);
    return this.mark({ kind: "Range", min: r.min, extent: r.extent }, r.start);
  }
}

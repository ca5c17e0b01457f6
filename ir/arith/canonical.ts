/**
 * The canonical simplifier: integer expressions become polynomials over atoms (`poly.ts`), with
 * division rules (`div_rules.ts`), div/mod recombination (`merge_rules.ts`), and min/max/select
 * decided where the analyzer can prove an order; booleans go through `compare.ts`; float and
 * vector expressions are only rebuilt from simplified children (floats are never reassociated).
 *
 * Which dtypes get which rules:
 * - every integer dtype: add/sub/mul normalised as a polynomial (exact modulo 2^bits);
 * - int32/int64 only (index arithmetic, assumed not to overflow): division and min/max algebra;
 * - every integer dtype: decisions from sound constant bounds (e.g. `floordiv(x, 8) → 0` when
 *   `0 ≤ x < 8`).
 *
 * @module
 */
import { isFloat, isInt, lanesOf } from "../dtype.ts";
import { binary, type BinaryOp, cast, letExpr, not, type PrimExpr, select } from "../expr.ts";
import { isExpr, mapChildren } from "../node.ts";
import type { ArithContext, Rewriter } from "./context.ts";
import { simplifyBool } from "./compare.ts";
import { floorDivConst, floorDivSym, floorModConst, floorModSym } from "./div_rules.ts";
import { isIndexType } from "./int_bound.ts";
import { compareExprs, exprKey } from "./key.ts";
import { mergeDivMod } from "./merge_rules.ts";
import {
  isConstPoly,
  pAdd,
  pAtom,
  pConst,
  pMul,
  type Poly,
  PolyBail,
  polyOf,
  toExpr,
} from "./poly.ts";
import { proveGE, proveLE } from "./prove.ts";

/** The canonical simplifier over an analyzer's knowledge. */
export class Simplifier implements Rewriter {
  /** Make a simplifier that asks `ctx` for bounds and facts. */
  constructor(readonly ctx: ArithContext) {}

  /** Simplify any expression; the value is never changed. */
  simplify(e: PrimExpr): PrimExpr {
    const d = e.dtype;
    if (lanesOf(d) > 1 || isFloat(d) || d === "handle") return this.structural(e);
    if (!isInt(d)) return simplifyBool(this, e);
    try {
      return toExpr(this.poly(e));
    } catch (err) {
      if (err instanceof PolyBail) return this.structural(e);
      throw err;
    }
  }

  /** True if every value of `p` is ≤ c. */
  proveLE(p: Poly, c: number): boolean {
    return proveLE(this, p, c);
  }

  /** True if every value of `p` is ≥ c. */
  proveGE(p: Poly, c: number): boolean {
    return proveGE(this, p, c);
  }

  /** Rebuild `e` from simplified children (no algebra on `e` itself beyond constant folding). */
  structural(e: PrimExpr): PrimExpr {
    switch (e.kind) {
      case "Var":
        return this.ctx.valueOf(e) ?? e;
      case "Binary":
        return binary(e.op, this.simplify(e.a), this.simplify(e.b));
      case "Not":
        return not(this.simplify(e.a));
      case "Select":
        return this.selectExpr(e.cond, e.t, e.f, (c, t, f) => select(c, t, f));
      case "Cast":
        return cast(e.dtype, this.simplify(e.value));
      case "Let": {
        const value = this.simplify(e.value);
        const body = this.ctx.withLet(e.v, value, () => this.simplify(e.body));
        return inlined(value) ? body : letExpr(e.v, value, body);
      }
      default:
        return mapChildren(e, (c) => (isExpr(c) ? this.simplify(c) : c));
    }
  }

  /** A select: decided if its condition is, each arm simplified knowing the condition. */
  selectExpr<T>(
    cond: PrimExpr,
    t: PrimExpr,
    f: PrimExpr,
    build: (c: PrimExpr, t: PrimExpr, f: PrimExpr) => T,
  ): T | PrimExpr {
    const c = this.simplify(cond);
    if (c.kind === "IntImm") return this.simplify(c.value ? t : f);
    const ts = this.ctx.withConstraint(c, () => this.simplify(t));
    const fs = this.ctx.withConstraint(not(c), () => this.simplify(f));
    if (exprKey(ts) === exprKey(fs)) return ts; // select(c, x, x) → x
    return build(c, ts, fs);
  }

  /** The canonical polynomial of a scalar integer expression. */
  poly(e: PrimExpr): Poly {
    switch (e.kind) {
      case "IntImm":
        return pConst(e.dtype, e.value);
      case "Var": {
        const v = this.ctx.valueOf(e);
        return v ? polyOf(v) : pAtom(e);
      }
      case "Binary":
        return this.binaryPoly(e.op, e.a, e.b);
      case "Select": {
        const r = this.selectExpr(e.cond, e.t, e.f, (c, t, f) => select(c, t, f));
        return polyOf(r);
      }
      case "Let": {
        const value = this.simplify(e.value);
        const body = this.ctx.withLet(e.v, value, () => this.poly(e.body));
        return inlined(value) ? body : pAtom(letExpr(e.v, value, toExpr(body)));
      }
      default:
        return pAtom(this.structural(e));
    }
  }

  private binaryPoly(op: BinaryOp, a: PrimExpr, b: PrimExpr): Poly {
    switch (op) {
      case "add": // Σ + Σ, like terms combined
        return mergeDivMod(pAdd(this.poly(a), this.poly(b)));
      case "sub":
        return mergeDivMod(pAdd(this.poly(a), this.poly(b), -1));
      case "mul": // distributed
        return pMul(this.poly(a), this.poly(b));
      case "floordiv":
      case "floormod":
      case "div":
      case "mod":
        return this.division(op, this.poly(a), this.poly(b));
      case "min":
      case "max":
        return this.minMax(op, this.poly(a), this.poly(b));
      default:
        return pAtom(binary(op, this.simplify(a), this.simplify(b)));
    }
  }

  private division(op: BinaryOp, p: Poly, q: Poly): Poly {
    const index = isIndexType(p.dtype);
    // div/mod truncate toward zero; they equal floordiv/floormod when x ≥ 0 and y > 0
    if ((op === "div" || op === "mod") && index && this.proveGE(p, 0) && this.proveGE(q, 1)) {
      op = op === "div" ? "floordiv" : "floormod";
    }
    if (op === "floordiv" || op === "floormod") {
      if (isConstPoly(q) && q.k > 0) {
        if (index) {
          return op === "floordiv" ? floorDivConst(this, p, q.k) : floorModConst(this, p, q.k);
        }
        const b = this.ctx.bound(toExpr(p)), c = q.k; // sound bounds decide even with wrap-around
        const m = Math.floor(b.min / c);
        if (Number.isFinite(b.min) && m === Math.floor(b.max / c)) {
          return op === "floordiv" ? pConst(p.dtype, m) : pAdd(p, pConst(p.dtype, -m * c));
        }
      } else if (index && !isConstPoly(q) && this.proveGE(q, 1)) {
        return op === "floordiv" ? floorDivSym(this, p, q) : floorModSym(this, p, q);
      }
    }
    if (isConstPoly(q) && q.k === 0) return pAtom(rawBinary(op, toExpr(p), toExpr(q)));
    return pAtom(binary(op, toExpr(p), toExpr(q)));
  }

  private minMax(op: "min" | "max", p: Poly, q: Poly): Poly {
    if (isIndexType(p.dtype)) {
      const diff = pAdd(p, q, -1);
      // min(a, b) = a when a - b ≤ 0, b when a - b ≥ 0 (max the other way round)
      if (this.proveLE(diff, 0)) return op === "min" ? p : q;
      if (this.proveGE(diff, 0)) return op === "min" ? q : p;
    } else {
      const a = this.ctx.bound(toExpr(p)), b = this.ctx.bound(toExpr(q));
      if (a.max <= b.min) return op === "min" ? p : q;
      if (b.max <= a.min) return op === "min" ? q : p;
    }
    const [x, y] = [toExpr(p), toExpr(q)].sort(compareExprs); // commutative: sorted operands
    return pAtom(binary(op, x, y));
  }
}

/** A let whose value is a constant or a variable is substituted (see `ArithContext.withLet`). */
function inlined(value: PrimExpr): boolean {
  return value.kind === "IntImm" || value.kind === "Var";
}

/** A binary node built without the constructor's checks (a division by a zero that arose). */
function rawBinary(op: BinaryOp, a: PrimExpr, b: PrimExpr): PrimExpr {
  return { kind: "Binary", dtype: a.dtype, op, a, b };
}

/**
 * The simplifier the passes use: a thin wrapper over `ir/arith`'s `Analyzer` with the scoping the
 * passes need (bind a loop variable on entry, restore on exit) and identity preservation (an
 * expression that simplifies to the same tree is returned as is, so passes can tell "unchanged").
 *
 * @module
 */
import { Analyzer } from "../arith/mod.ts";
import { intRange } from "../dtype.ts";
import type { PrimExpr, Var } from "../expr.ts";
import { sameExpr } from "./same_expr.ts";

/** Inclusive constant bounds; infinite when unknown. */
export interface Bounds {
  readonly lo: number;
  readonly hi: number;
}

/**
 * Simplifies integer expressions given the ranges of variables.
 *
 * @example
 * ```ts
 * import { ExprSimplifier } from "./simplify_expr.ts";
 * import { add, floordiv, int, mul, variable } from "../expr.ts";
 * const i = variable("i");
 * const j = variable("j");
 * const s = new ExprSimplifier();
 * s.bind(j, int(0), int(4));
 * console.assert(s.simplify(floordiv(add(mul(i, 4), j), 4)) === i);
 * ```
 */
export class ExprSimplifier {
  private readonly an = new Analyzer();
  private readonly ranges = new Map<Var, { min: PrimExpr; extent: PrimExpr }>();

  /** Bind `v` to `[min, min + extent)`; returns the previous range, for `restore`. */
  bind(v: Var, min: PrimExpr, extent: PrimExpr): unknown {
    const prev = this.ranges.get(v);
    this.ranges.set(v, { min, extent });
    this.an.bind(v, { min, extent });
    return prev;
  }

  /**
   * Bind `v` to inclusive constant bounds; infinite bounds bind the dtype's whole range, so a
   * variable rebound in a sibling scope (unrolled copies share let variables) forgets the old one.
   */
  bindBounds(v: Var, b: Bounds): unknown {
    const prev = this.ranges.get(v);
    const [tlo, thi] = v.dtype === "int64" ? [-(2 ** 53), 2 ** 53] : intRange(v.dtype);
    const lo = Number.isFinite(b.lo) ? Math.max(b.lo, tlo) : tlo;
    const hi = Number.isFinite(b.hi) ? Math.min(b.hi, thi) : thi;
    const r = { min: constOf(v, lo), extent: constOf(v, hi - lo + 1) };
    this.ranges.set(v, r);
    this.an.bind(v, r);
    return prev;
  }

  /** Declare `v` non-negative (a size variable). */
  markNonNegative(v: Var): void {
    this.an.markNonNegative(v);
  }

  /** Give `v` back the range it had before a `bind` (the analyzer cannot forget a binding). */
  restore(v: Var, prev: unknown): void {
    if (prev === undefined) return;
    const r = prev as { min: PrimExpr; extent: PrimExpr };
    this.ranges.set(v, r);
    this.an.bind(v, r);
  }

  /** Constant bounds of an integer expression. */
  bound(e: PrimExpr): Bounds {
    const b = this.an.constIntBound(e);
    return { lo: b.min, hi: b.max };
  }

  /** True if the bool expression is provably true. */
  canProve(cond: PrimExpr): boolean {
    return this.an.canProve(cond);
  }

  /** Simplify; returns `e` itself when the result is the same tree. */
  simplify(e: PrimExpr): PrimExpr {
    const out = this.an.simplify(e);
    return sameExpr(out, e) ? e : out;
  }
}

function constOf(v: Var, value: number): PrimExpr {
  return { kind: "IntImm", dtype: v.dtype, value };
}

/**
 * The simplifier the passes use: a thin wrapper over `ir/arith`'s `Analyzer` with the scoping the
 * passes need (bind a loop variable on entry, restore on exit) and identity preservation (an
 * expression that simplifies to the same tree is returned as is, so passes can tell "unchanged").
 *
 * @module
 */
import { Analyzer } from "../arith/mod.ts";
import { int, type PrimExpr, type Var } from "../expr.ts";
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
  private an = new Analyzer();
  private readonly nonNegative = new Set<Var>();
  private readonly ranges = new Map<Var, { min: PrimExpr; extent: PrimExpr }>();

  /** Bind `v` to `[min, min + extent)`; returns the previous range, for `restore`. */
  bind(v: Var, min: PrimExpr, extent: PrimExpr): unknown {
    const prev = this.ranges.get(v);
    this.ranges.set(v, { min, extent });
    this.an.bind(v, { min, extent });
    return prev;
  }

  /**
   * Bind `v` to inclusive constant bounds. Bounds that are unknown or too wide for an int32
   * extent make the simplifier forget `v`, so a variable rebound in a sibling scope (unrolled
   * copies share let variables) does not keep what the other scope knew.
   */
  bindBounds(v: Var, b: Bounds): unknown {
    const prev = this.ranges.get(v);
    const extent = b.hi - b.lo + 1;
    if (Number.isFinite(extent) && extent >= 1 && extent <= 2 ** 31 - 1) {
      const r = { min: int(b.lo, v.dtype), extent: int(extent, v.dtype) };
      this.ranges.set(v, r);
      this.an.bind(v, r);
    } else if (prev) {
      this.ranges.delete(v);
      this.rebuild();
    }
    return prev;
  }

  /** A fresh analyzer that knows the current ranges (the analyzer cannot forget one binding). */
  private rebuild(): void {
    this.an = new Analyzer();
    for (const v of this.nonNegative) this.an.markNonNegative(v);
    for (const [v, r] of this.ranges) this.an.bind(v, r);
  }

  /** Declare `v` non-negative (a size variable). */
  markNonNegative(v: Var): void {
    this.nonNegative.add(v);
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

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

/** A variable's range in scope. */
export interface Binding {
  /** First value. */
  readonly min: PrimExpr;
  /** Number of values. */
  readonly extent: PrimExpr;
}

/** Inclusive constant bounds; infinite when unknown. */
export interface Bounds {
  /** Least value (−Infinity if unknown). */
  readonly lo: number;
  /** Greatest value (Infinity if unknown). */
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
  /** The bindings in scope, outermost first. */
  private readonly ranges = new Map<Var, Binding>();
  /** Variables out of scope that the analyzer still knows. */
  private readonly stale = new Set<Var>();

  /**
   * Bind `v` to `[min, min + extent)` for a scope; pass the result to `restore` on leaving it.
   * (Inside a loop of symbolic extent the analyzer also assumes `extent ≥ 1`; leaving the scope
   * drops that assumption.)
   */
  bind(v: Var, min: PrimExpr, extent: PrimExpr): Binding | undefined {
    if (this.stale.has(v)) this.rebuild();
    const prev = this.ranges.get(v);
    const r: Binding = { min, extent };
    this.ranges.delete(v);
    this.ranges.set(v, r);
    this.an.bind(v, r);
    return prev;
  }

  /**
   * Bind `v` to inclusive constant bounds for a scope. Bounds that are unknown or too wide for an
   * int32 extent leave `v` unknown (forgetting what a sibling scope bound: unrolled copies share
   * let variables).
   */
  bindBounds(v: Var, b: Bounds): Binding | undefined {
    const extent = b.hi - b.lo + 1;
    if (Number.isFinite(extent) && extent >= 1 && extent <= 2 ** 31 - 1) {
      return this.bind(v, int(b.lo, v.dtype), int(extent, v.dtype));
    }
    const prev = this.ranges.get(v);
    this.ranges.delete(v);
    if (prev || this.stale.has(v)) this.rebuild();
    return prev;
  }

  /** Leave the scope of a `bind`: `v` gets back `prev` (or becomes unknown). */
  restore(v: Var, prev: Binding | undefined): void {
    const cur = this.ranges.get(v);
    this.ranges.delete(v);
    if (prev) this.ranges.set(v, prev);
    // The analyzer cannot forget a binding or an assumption: start afresh when an assumption
    // or an outer binding must go, else remember `v` as stale until it is bound again.
    if (prev || (cur && cur.extent.kind !== "IntImm")) this.rebuild();
    else this.stale.add(v);
  }

  /** A fresh analyzer that knows the bindings in scope. */
  private rebuild(): void {
    this.an = new Analyzer();
    this.stale.clear();
    for (const v of this.nonNegative) this.an.markNonNegative(v);
    for (const [v, r] of this.ranges) this.an.bind(v, r);
  }

  /** Declare `v` non-negative (a size variable), for the whole function. */
  markNonNegative(v: Var): void {
    this.nonNegative.add(v);
    this.an.markNonNegative(v);
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

/**
 * The interfaces the simplifier's rule files share: what the analyzer knows (`ArithContext`) and
 * the simplifier itself as rules see it (`Rewriter`). Kept apart so rule files do not import the
 * simplifier (no import cycles).
 *
 * @module
 */
import type { PrimExpr, Var } from "../expr.ts";
import type { IntBound } from "./int_bound.ts";
import type { ModularSet } from "./modular_set.ts";
import type { Poly } from "./poly.ts";

/** Symbolic inclusive bounds of a variable (`lo ≤ v ≤ hi`), each optional. */
export interface SymbolicRange {
  /** Inclusive lower bound. */
  readonly lo?: PrimExpr;
  /** Inclusive upper bound. */
  readonly hi?: PrimExpr;
}

/** What the analyzer knows, as the simplifier asks for it. */
export interface ArithContext {
  /** Constant bounds of an expression under the current facts. */
  bound(e: PrimExpr): IntBound;
  /** Modular set of an expression under the current facts. */
  modular(e: PrimExpr): ModularSet;
  /** The value a variable is bound to (`bindValue`, or a range of extent 1), if any. */
  valueOf(v: Var): PrimExpr | undefined;
  /** Symbolic bounds of a variable, if any. */
  symbolic(v: Var): SymbolicRange | undefined;
  /** True if `cond` (simplified) was assumed as a fact. */
  isFact(cond: PrimExpr): boolean;
  /** Run `fn` with `cond` assumed true; facts are undone afterwards. */
  withConstraint<T>(cond: PrimExpr, fn: () => T): T;
  /** Run `fn` with `v`'s bounds taken from `value` (for `let`); undone afterwards. */
  withLet<T>(v: Var, value: PrimExpr, fn: () => T): T;
}

/** The simplifier as rule files see it. */
export interface Rewriter {
  /** The analyzer's knowledge. */
  readonly ctx: ArithContext;
  /** Simplify any expression. */
  simplify(e: PrimExpr): PrimExpr;
  /** Rebuild an expression from simplified children, with no algebra on the node itself. */
  structural(e: PrimExpr): PrimExpr;
  /** Simplify an integer expression into its canonical polynomial. */
  poly(e: PrimExpr): Poly;
  /** True if every value of `p` is ≤ c (constant bounds first, then symbolic ranges). */
  proveLE(p: Poly, c: number): boolean;
  /** True if every value of `p` is ≥ c. */
  proveGE(p: Poly, c: number): boolean;
}

/**
 * The `Analyzer`: what is known about variables (ranges, values, facts from conditions) and the
 * questions asked of it — simplify, bounds, modular sets, proofs.
 *
 * Knowledge:
 * - `bind(v, range)` says v lies in `[min, min + extent)`; it also records `extent ≥ 1`, since
 *   code inside a loop only runs when the loop is not empty;
 * - `bindValue(v, e)` says v equals e (the simplifier then substitutes it);
 * - `withConstraint(cond, fn)` assumes `cond` while `fn` runs (the body of an `if`);
 * - a variable made by `sizeVar` (`ir/te.ts`) or marked by `markNonNegative` is ≥ 0.
 *
 * @module
 */
import { isInt, lanesOf } from "../dtype.ts";
import type { ExprLike, PrimExpr, Var } from "../expr.ts";
import { add, ge, le, lt, ne, sub, toExpr as asExpr } from "../expr.ts";
import type { Range } from "../stmt.ts";
import { visit } from "../node.ts";
import { isSizeVar } from "../te.ts";
import { Simplifier } from "./canonical.ts";
import type { ArithContext, SymbolicRange } from "./context.ts";
import { constIntBound, EVERYTHING, type IntBound, intersect, isIndexType } from "./int_bound.ts";
import { exprKey } from "./key.ts";
import { modSet, type ModularSet, modularSet } from "./modular_set.ts";
import { pAdd, pConst, type Poly, polyOf, pScale, pTerms, toExpr } from "./poly.ts";

/** A range as `{ min, extent }` (a `Range` node or a plain object). */
export interface RangeLike {
  /** First value. */
  readonly min: ExprLike;
  /** Number of values. */
  readonly extent: ExprLike;
}

/** Everything known about one variable. */
interface VarInfo {
  readonly bound?: IntBound;
  readonly lo?: PrimExpr;
  readonly hi?: PrimExpr;
  readonly value?: PrimExpr;
  readonly range?: { readonly min: PrimExpr; readonly extent: PrimExpr };
}

/**
 * The arithmetic analyzer.
 *
 * @example
 * ```ts
 * import { Analyzer } from "./analyzer.ts";
 * import { add, floordiv, floormod, lt, mul, variable } from "../expr.ts";
 * const ana = new Analyzer();
 * const i = variable("i"), j = variable("j");
 * ana.bind(i, { min: 0, extent: 4 });
 * ana.bind(j, { min: 0, extent: 8 });
 * const f = add(mul(i, 8), j);
 * console.assert(ana.simplify(floordiv(f, 8)) === i);
 * console.assert(ana.simplify(floormod(f, 8)) === j);
 * console.assert(ana.canProve(lt(f, 32)));
 * ```
 */
export class Analyzer implements ArithContext {
  private readonly info = new Map<Var, VarInfo>();
  private readonly nonNegative = new Set<Var>();
  private readonly facts = new Map<string, number>();
  private readonly simp = new Simplifier(this);

  /**
   * Bind `v` to a range: `min ≤ v < min + extent`. Rebinding replaces what was known. An extent
   * of 1 binds the value `min`.
   */
  bind(v: Var, r: Range | RangeLike): void {
    this.bindInto(v, r, []);
  }

  /**
   * Bind `v` to a range while `fn` runs (a loop body); the binding and all it implied are undone
   * afterwards, restoring what was known before.
   *
   * @example
   * ```ts
   * import { Analyzer } from "./analyzer.ts";
   * import { lt, variable } from "../expr.ts";
   * const ana = new Analyzer(), i = variable("i");
   * console.assert(ana.withBinding(i, { min: 0, extent: 4 }, () => ana.canProve(lt(i, 4))));
   * console.assert(!ana.canProve(lt(i, 4)));
   * ```
   */
  withBinding<T>(v: Var, r: Range | RangeLike, fn: () => T): T {
    const saved: [Var, VarInfo | undefined][] = [[v, this.info.get(v)]];
    const keys = this.bindInto(v, r, saved);
    try {
      return fn();
    } finally {
      this.undo(keys, saved);
    }
  }

  /** Record a range for v; returns the fact keys it added (previous infos go to `saved`). */
  private bindInto(v: Var, r: Range | RangeLike, saved: [Var, VarInfo | undefined][]): string[] {
    const min = this.simplify(asExpr(r.min)), extent = this.simplify(asExpr(r.extent));
    const bmin = this.bound(min), bext = this.bound(extent);
    const info: VarInfo = {
      bound: { min: bmin.min, max: bmin.max + bext.max - 1 },
      lo: min.kind === "IntImm" ? undefined : min,
      hi: min.kind === "IntImm" && extent.kind === "IntImm"
        ? undefined
        : this.simplify(sub(add(min, extent), 1)),
      value: extent.kind === "IntImm" && extent.value === 1 ? min : undefined,
      range: { min, extent },
    };
    this.info.set(v, info);
    // inside the range, it is not empty
    return extent.kind !== "IntImm" ? this.assume(this.simplify(ge(extent, 1)), saved) : [];
  }

  /** Bind `v` to a value: the simplifier substitutes it. */
  bindValue(v: Var, value: ExprLike): void {
    const e = this.simplify(asExpr(value, v.dtype));
    this.info.set(v, { bound: this.bound(e), value: e });
  }

  /** Declare `v` non-negative (as a `sizeVar` is), e.g. for sizes a parser made. */
  markNonNegative(v: Var): void {
    this.nonNegative.add(v);
  }

  /** The range `v` was bound to, if any (simplified `min` and `extent`). */
  rangeOf(v: Var): { readonly min: PrimExpr; readonly extent: PrimExpr } | undefined {
    return this.info.get(v)?.range;
  }

  /**
   * Simplify an expression (see `canonical.ts`); the result always has the same value, and is `e`
   * itself when nothing changed.
   *
   * @example
   * ```ts
   * import { Analyzer } from "./analyzer.ts";
   * import { add, sub, variable } from "../expr.ts";
   * const x = variable("x");
   * console.assert(new Analyzer().simplify(sub(add(x, 3), 3)) === x);
   * ```
   */
  simplify(e: ExprLike): PrimExpr {
    const x = asExpr(e);
    const r = this.simp.simplify(x);
    return r !== x && exprKey(r) === exprKey(x) ? x : r; // unchanged: the same object
  }

  /**
   * Constant bounds `{ min, max }` of an integer expression (±Infinity when unbounded).
   *
   * @example
   * ```ts
   * import { Analyzer } from "./analyzer.ts";
   * import { floormod, variable } from "../expr.ts";
   * const b = new Analyzer().constIntBound(floormod(variable("x"), 8));
   * console.assert(b.min === 0 && b.max === 7);
   * ```
   */
  constIntBound(e: ExprLike): IntBound {
    const x = asExpr(e);
    return intersect(this.bound(x), this.bound(this.simplify(x)));
  }

  /**
   * The modular set `{ coeff, base }` of an integer expression: it always equals
   * `coeff·k + base` for some integer k.
   *
   * @example
   * ```ts
   * import { Analyzer } from "./analyzer.ts";
   * import { add, mul, variable } from "../expr.ts";
   * const s = new Analyzer().modularSet(add(mul(variable("i"), 4), 6));
   * console.assert(s.coeff === 4 && s.base === 2); // 4i + 6 ≡ 2 (mod 4)
   * ```
   */
  modularSet(e: ExprLike): ModularSet {
    return this.modular(this.simplify(e));
  }

  /**
   * True if `cond` holds for every value of the variables under what is known. False means
   * "could not prove", not "false".
   *
   * @example
   * ```ts
   * import { Analyzer } from "./analyzer.ts";
   * import { lt, variable } from "../expr.ts";
   * import { sizeVar } from "../te.ts";
   * const ana = new Analyzer(), n = sizeVar("n"), i = variable("i");
   * ana.bind(i, { min: 0, extent: n });
   * console.assert(ana.canProve(lt(i, n)));
   * ```
   */
  canProve(cond: ExprLike): boolean {
    const r = this.simplify(cond);
    return r.kind === "IntImm" && r.value !== 0;
  }

  /** True if `a = b` provably (integers: `a - b` simplifies to 0). */
  canProveEqual(a: ExprLike, b: ExprLike): boolean {
    const x = asExpr(a), y = asExpr(b, x.dtype);
    if (isInt(x.dtype) && lanesOf(x.dtype) === 1) return this.isZero(sub(x, y));
    return exprKey(this.simplify(x)) === exprKey(this.simplify(y));
  }

  /** True if `a < b` provably. */
  canProveLess(a: ExprLike, b: ExprLike): boolean {
    return this.canProve(lt(a, b));
  }

  /** True if `a ≤ b` provably. */
  canProveLessEqual(a: ExprLike, b: ExprLike): boolean {
    return this.canProve(le(a, b));
  }

  /** True if `a ≥ b` provably. */
  canProveGreaterEqual(a: ExprLike, b: ExprLike): boolean {
    return this.canProve(ge(a, b));
  }

  /** True if `a ≠ b` provably. */
  canProveNotEqual(a: ExprLike, b: ExprLike): boolean {
    return this.canProve(ne(a, b));
  }

  /** True if e simplifies to 0. */
  private isZero(e: PrimExpr): boolean {
    const r = this.simplify(e);
    return r.kind === "IntImm" && r.value === 0;
  }

  /**
   * Run `fn` knowing that `cond` holds (e.g. inside `if (cond)`); the knowledge is dropped
   * afterwards.
   *
   * @example
   * ```ts
   * import { Analyzer } from "./analyzer.ts";
   * import { lt, min, variable } from "../expr.ts";
   * const ana = new Analyzer(), i = variable("i");
   * const r = ana.withConstraint(lt(i, 4), () => ana.simplify(min(i, 10)));
   * console.assert(r === i);
   * ```
   */
  withConstraint<T>(cond: ExprLike, fn: () => T): T {
    const saved: [Var, VarInfo | undefined][] = [];
    const keys = this.assume(this.simplify(cond), saved);
    try {
      return fn();
    } finally {
      this.undo(keys, saved);
    }
  }

  /** Drop facts and restore saved infos, newest first. */
  private undo(keys: readonly string[], saved: readonly [Var, VarInfo | undefined][]): void {
    for (const k of keys) {
      const n = this.facts.get(k)! - 1;
      if (n === 0) this.facts.delete(k);
      else this.facts.set(k, n);
    }
    for (let i = saved.length - 1; i >= 0; i--) {
      const [v, old] = saved[i];
      if (old) this.info.set(v, old);
      else this.info.delete(v);
    }
  }

  /** @internal `ArithContext`: bounds of `v`'s let value while `fn` runs. */
  withLet<T>(v: Var, value: PrimExpr, fn: () => T): T {
    const old = this.info.get(v);
    const inline = value.kind === "IntImm" || value.kind === "Var";
    this.info.set(v, inline ? { bound: this.bound(value), value } : { bound: this.bound(value) });
    try {
      return fn();
    } finally {
      if (old) this.info.set(v, old);
      else this.info.delete(v);
    }
  }

  /** @internal `ArithContext`: constant bounds without simplifying first. */
  bound(e: PrimExpr): IntBound {
    return constIntBound(e, { varBound: (v) => this.varBound(v) });
  }

  /** @internal `ArithContext`: modular set without simplifying first. */
  modular(e: PrimExpr): ModularSet {
    return modularSet(e, {
      varModular: (v) => {
        const i = this.info.get(v);
        if (i?.value) return this.modular(i.value);
        if (i?.bound && i.bound.min === i.bound.max) return modSet(0, i.bound.min);
        return undefined;
      },
    });
  }

  /** @internal `ArithContext`. */
  valueOf(v: Var): PrimExpr | undefined {
    return this.info.get(v)?.value;
  }

  /** @internal `ArithContext`. */
  symbolic(v: Var): SymbolicRange | undefined {
    const i = this.info.get(v);
    return i && (i.lo || i.hi) ? { lo: i.lo, hi: i.hi } : undefined;
  }

  /** @internal `ArithContext`. */
  isFact(cond: PrimExpr): boolean {
    return this.facts.has(exprKey(cond));
  }

  /** A variable's constant bound, with size variables ≥ 0. */
  private varBound(v: Var): IntBound | undefined {
    const b = this.info.get(v)?.bound;
    if (isSizeVar(v) || this.nonNegative.has(v)) {
      return intersect(b ?? EVERYTHING, { min: 0, max: Infinity });
    }
    return b;
  }

  /**
   * Record a simplified condition: each conjunct becomes a fact, and comparisons bound the
   * variables they isolate. Returns the fact keys added; `saved` receives the previous infos.
   */
  private assume(cond: PrimExpr, saved: [Var, VarInfo | undefined][]): string[] {
    const keys: string[] = [];
    const go = (c: PrimExpr) => {
      if (c.kind === "Binary" && c.op === "and") {
        go(c.a);
        go(c.b);
        return;
      }
      if (c.kind === "IntImm") return;
      const k = exprKey(c);
      keys.push(k);
      this.facts.set(k, (this.facts.get(k) ?? 0) + 1);
      for (const p of lessEqualZero(c)) this.boundFrom(p, saved);
    };
    go(cond);
    return keys;
  }

  /**
   * From `p ≤ 0`, bound each variable v with coefficient ±1 by the rest of p; with another
   * coefficient c, only by a constant rest r: `c·v + r ≤ 0` → `v ≤ ⌊-r/c⌋` (c > 0) or
   * `v ≥ ⌈r/|c|⌉` (c < 0).
   */
  private boundFrom(p: Poly, saved: [Var, VarInfo | undefined][]): void {
    for (const [key, t] of p.terms) {
      const v = t.atoms.length === 1 && t.atoms[0].kind === "Var" ? t.atoms[0] as Var : undefined;
      if (!v) continue;
      const rest = pAdd(p, pTerms(p.dtype, [[key, t]]), -1);
      if (t.coeff !== 1 && t.coeff !== -1) {
        if (rest.terms.size > 0) continue;
        const c = t.coeff, r = rest.k;
        const b = c > 0
          ? { min: -Infinity, max: Math.floor(-r / c) }
          : { min: Math.ceil(r / -c), max: Infinity };
        const old = this.info.get(v);
        saved.push([v, old]);
        this.info.set(v, { ...old, bound: intersect(old?.bound ?? EVERYTHING, b) });
        continue;
      }
      // v + rest ≤ 0 → v ≤ -rest;  -v + rest ≤ 0 → v ≥ rest
      const b = toExpr(t.coeff === 1 ? pScale(rest, -1) : rest);
      if (mentions(b, v)) continue; // a bound of v in terms of v itself is of no use
      const old = this.info.get(v);
      saved.push([v, old]);
      const cb = this.bound(b);
      const upper = t.coeff === 1;
      const symbolic = b.kind !== "IntImm";
      this.info.set(v, {
        ...old,
        bound: intersect(
          old?.bound ?? EVERYTHING,
          upper ? { min: -Infinity, max: cb.max } : { min: cb.min, max: Infinity },
        ),
        hi: upper && symbolic ? b : old?.hi,
        lo: !upper && symbolic ? b : old?.lo,
      });
    }
  }
}

function mentions(e: PrimExpr, v: Var): boolean {
  let found = false;
  visit(e, (n) => {
    if (n === v) found = true;
    return !found;
  });
  return found;
}

/** A simplified int32/int64 comparison as polynomials p with `p ≤ 0` (two for `=`). */
function lessEqualZero(c: PrimExpr): Poly[] {
  if (c.kind !== "Binary" || !isIndexType(c.a.dtype)) return [];
  const d = pAdd(polyOf(c.a), polyOf(c.b), -1); // a - b
  const one = pConst(d.dtype, 1);
  switch (c.op) {
    case "lt": // a - b + 1 ≤ 0
      return [pAdd(d, one)];
    case "le":
      return [d];
    case "gt": // b - a + 1 ≤ 0
      return [pAdd(pScale(d, -1), one)];
    case "ge":
      return [pScale(d, -1)];
    case "eq":
      return [d, pScale(d, -1)];
    default:
      return [];
  }
}

/**
 * Relaxing expressions and regions over variable ranges: the interval an index takes when some
 * variables run over their ranges (TVM's `EvalSet` for the affine cases schedules produce), used
 * to widen a block's regions when it becomes the outer block of `blockize`, and to map regions
 * through index maps.
 *
 * Interval rules (all bounds inclusive; `c` free of the relaxed variables):
 * - `v` relaxed over `[m, m + e)` → `[m, m + e − 1]`; an expression without relaxed variables → a point;
 * - `a + b` → `[a.lo + b.lo, a.hi + b.hi]`, `a − b` → `[a.lo − b.hi, a.hi − b.lo]`;
 * - `a · c` → `[a.lo·c, a.hi·c]` for c ≥ 0 (swapped for c ≤ 0);
 * - `a // c` → `[a.lo // c, a.hi // c]` for c > 0;
 * - `a %% c` → `[a.lo %% c, a.hi %% c]` when `a.lo // c = a.hi // c`, else `[0, c − 1]`;
 * - `min`/`max` → bound-wise.
 *
 * @module
 */
import type { Analyzer, RangeLike } from "../../ir/arith/mod.ts";
import {
  add,
  eq,
  floordiv,
  floormod,
  int,
  le,
  max,
  min,
  mul,
  type PrimExpr,
  sub,
  toExpr,
  type Var,
} from "../../ir/expr.ts";
import { visit } from "../../ir/node.ts";
import { type BufferRegion, bufferRegion, type Range, range } from "../../ir/stmt.ts";

/** An inclusive interval `[lo, hi]`. */
export interface Interval {
  /** Least value. */
  readonly lo: PrimExpr;
  /** Greatest value. */
  readonly hi: PrimExpr;
}

/** Ranges of the variables to relax. */
export type RelaxDomain = ReadonlyMap<Var, Range | RangeLike>;

function usesAny(e: PrimExpr, dom: RelaxDomain): boolean {
  let found = false;
  visit(e, (n) => {
    if (n.kind === "Var" && dom.has(n)) found = true;
    return !found;
  });
  return found;
}

/**
 * The interval `e` takes when the variables of `dom` run over their ranges, or undefined when
 * the rules above do not cover it.
 *
 * @example
 * ```ts
 * import { relaxExpr } from "./relax.ts";
 * import { Analyzer } from "../../ir/arith/mod.ts";
 * import { add, mul, variable } from "../../ir/expr.ts";
 * const o = variable("o"), i = variable("i");
 * const r = relaxExpr(add(mul(o, 4), i), new Map([[i, { min: 0, extent: 4 }]]), new Analyzer());
 * console.assert(r !== undefined && r.hi.kind === "Binary"); // [o*4, o*4 + 3]
 * ```
 */
export function relaxExpr(e: PrimExpr, dom: RelaxDomain, ana: Analyzer): Interval | undefined {
  const go = (x: PrimExpr): Interval | undefined => {
    if (!usesAny(x, dom)) return { lo: x, hi: x };
    if (x.kind === "Var") {
      const r = dom.get(x)!;
      const m = toExpr(r.min, x.dtype);
      return { lo: m, hi: add(m, sub(r.extent, 1)) };
    }
    if (x.kind !== "Binary") return undefined;
    const a = go(x.a), b = go(x.b);
    if (!a || !b) return undefined;
    const point = (i: Interval) => i.lo === i.hi;
    switch (x.op) {
      case "add":
        return { lo: add(a.lo, b.lo), hi: add(a.hi, b.hi) };
      case "sub":
        return { lo: sub(a.lo, b.hi), hi: sub(a.hi, b.lo) };
      case "mul": {
        const [v, c] = point(b) ? [a, b.lo] : point(a) ? [b, a.lo] : [undefined, undefined];
        if (!v || !c) return undefined;
        if (ana.canProveGreaterEqual(c, 0)) return { lo: mul(v.lo, c), hi: mul(v.hi, c) };
        if (ana.canProve(le(c, 0))) return { lo: mul(v.hi, c), hi: mul(v.lo, c) };
        return undefined;
      }
      case "floordiv":
        if (!point(b) || !ana.canProveGreaterEqual(b.lo, 1)) return undefined;
        return { lo: floordiv(a.lo, b.lo), hi: floordiv(a.hi, b.lo) };
      case "floormod": {
        if (!point(b) || !ana.canProveGreaterEqual(b.lo, 1)) return undefined;
        const c = b.lo;
        if (ana.canProve(eq(floordiv(a.lo, c), floordiv(a.hi, c)))) {
          return { lo: floormod(a.lo, c), hi: floormod(a.hi, c) };
        }
        return { lo: int(0, c.dtype), hi: sub(c, 1) };
      }
      case "min":
        return { lo: min(a.lo, b.lo), hi: min(a.hi, b.hi) };
      case "max":
        return { lo: max(a.lo, b.lo), hi: max(a.hi, b.hi) };
    }
    return undefined;
  };
  const r = go(e);
  return r && { lo: ana.simplify(r.lo), hi: ana.simplify(r.hi) };
}

/**
 * A range relaxed over `dom`: `[min, min + extent)` with the variables of `dom` running over
 * their ranges, as one covering range; `fallback` when the rules do not cover it.
 */
export function relaxRange(r: Range, dom: RelaxDomain, ana: Analyzer, fallback: Range): Range {
  if (!usesAny(r.min, dom) && !usesAny(r.extent, dom)) return r;
  const lo = relaxExpr(r.min, dom, ana);
  const ext = relaxExpr(r.extent, dom, ana);
  if (!lo || !ext) return fallback;
  // last element: the greatest min plus the greatest extent minus one
  const hi = add(lo.hi, sub(ext.hi, 1));
  return range(lo.lo, ana.simplify(sub(add(hi, 1), lo.lo)));
}

/**
 * A buffer region relaxed over `dom` (each dimension covering every point any instance touches);
 * a dimension the rules do not cover becomes the whole dimension.
 *
 * @example
 * ```ts
 * import { relaxRegion } from "./relax.ts";
 * import { Analyzer } from "../../ir/arith/mod.ts";
 * import { add, mul, variable } from "../../ir/expr.ts";
 * import { bufferRegion, decl, range } from "../../ir/stmt.ts";
 * const o = variable("o"), i = variable("i"), A = decl("A", [64]);
 * const r = relaxRegion(bufferRegion(A, [range(add(mul(o, 4), i), 1)]), new Map([[i, { min: 0, extent: 4 }]]), new Analyzer());
 * console.assert(r.region[0].extent.kind === "IntImm"); // A[o*4 +: 4]
 * ```
 */
export function relaxRegion(r: BufferRegion, dom: RelaxDomain, ana: Analyzer): BufferRegion {
  const out = r.region.map((x, k) => relaxRange(x, dom, ana, range(0, r.buffer.shape[k])));
  return out.every((x, k) => x === r.region[k]) ? r : bufferRegion(r.buffer, out);
}

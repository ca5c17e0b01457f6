/**
 * Constant integer bounds: an interval `[min, max]` (inclusive, ±Infinity when unbounded) that
 * contains every value an integer expression can take, computed bottom-up by interval arithmetic.
 *
 * Soundness: int32 and int64 index arithmetic is assumed not to overflow (as in TVM); for every
 * other integer dtype (int8, int16, unsigned) an interval that leaves the dtype's range is widened
 * to the whole range, because the value may have wrapped around.
 *
 * @module
 */
import { bitsOf, type DType, intRange, isBool, isFloat, isInt, isUInt } from "../dtype.ts";
import type { BinaryOp, PrimExpr, Var } from "../expr.ts";

/** An inclusive interval of integers; `min`/`max` may be `-Infinity`/`Infinity`. */
export interface IntBound {
  /** Least value (or -Infinity). */
  readonly min: number;
  /** Greatest value (or Infinity). */
  readonly max: number;
}

/** Where `constIntBound` finds the bounds of free variables. */
export interface BoundEnv {
  /** The bound of a variable, or undefined if nothing is known about it. */
  varBound(v: Var): IntBound | undefined;
}

/** The interval of all numbers. */
export const EVERYTHING: IntBound = { min: -Infinity, max: Infinity };

/** True for the dtypes whose arithmetic the analyzer assumes never overflows (int32, int64). */
export function isIndexType(d: DType): boolean {
  return d === "int32" || d === "int64";
}

/**
 * The bound every value of a dtype lies in: the full range for narrow and unsigned integers and
 * bool, `[-∞, ∞]` for int32/int64 (an unbounded index), `[0, ∞]` for uint64.
 *
 * @example
 * ```ts
 * import { dtypeBound } from "./int_bound.ts";
 * console.assert(dtypeBound("uint8").max === 255);
 * ```
 */
export function dtypeBound(d: DType): IntBound {
  if (isBool(d)) return { min: 0, max: 1 };
  if (!isInt(d) || isIndexType(d)) return EVERYTHING;
  if (bitsOf(d) === 64) return { min: 0, max: Infinity }; // uint64
  const [lo, hi] = intRange(d);
  return { min: lo, max: hi };
}

// A product where 0·∞ counts as 0 (the finite factor is exactly zero).
function mulB(x: number, y: number): number {
  return x === 0 || y === 0 ? 0 : x * y;
}

function corners(a: IntBound, b: IntBound, f: (x: number, y: number) => number): IntBound {
  // ∞/∞ has no value; the neighbouring corners (x/∞ → 0, ∞/y → ±∞) already bracket that corner
  const v = [f(a.min, b.min), f(a.min, b.max), f(a.max, b.min), f(a.max, b.max)].filter((x) =>
    !Number.isNaN(x)
  );
  if (v.length < 3) return EVERYTHING;
  return { min: Math.min(...v) + 0, max: Math.max(...v) + 0 }; // + 0 turns -0 into 0
}

// ⌊x/y⌋ and trunc(x/y) on extended numbers (y ≠ 0). For a finite x and |y| → ∞, x/y tends to 0
// from x's side (for y > 0), so its floor is 0 or -1.
function floorDivB(x: number, y: number): number {
  if (Number.isFinite(x) && !Number.isFinite(y)) return (y > 0 ? x < 0 : x > 0) ? -1 : 0;
  const q = x / y;
  return Number.isFinite(q) ? Math.floor(q) : q;
}
function truncDivB(x: number, y: number): number {
  if (Number.isFinite(x) && !Number.isFinite(y)) return 0;
  const q = x / y;
  return Number.isFinite(q) ? Math.trunc(q) : q;
}

/**
 * Interval of `a op b` for an arithmetic op (integers, divisions rounding as the op says). A
 * division by zero has no value, so a divisor interval ending at 0 is narrowed past it.
 */
export function binaryBound(op: BinaryOp, a: IntBound, b: IntBound): IntBound {
  if (op === "div" || op === "mod" || op === "floordiv" || op === "floormod") {
    if (b.min === 0) b = { min: 1, max: b.max };
    else if (b.max === 0) b = { min: b.min, max: -1 };
  }
  switch (op) {
    case "add": // [a.min + b.min, a.max + b.max]
      return { min: a.min + b.min, max: a.max + b.max };
    case "sub": // [a.min - b.max, a.max - b.min]
      return { min: a.min - b.max, max: a.max - b.min };
    case "mul":
      return corners(a, b, mulB);
    case "min":
      return { min: Math.min(a.min, b.min), max: Math.min(a.max, b.max) };
    case "max":
      return { min: Math.max(a.min, b.min), max: Math.max(a.max, b.max) };
    case "floordiv":
    case "div": {
      // a monotone in x for a divisor of fixed sign: the extremes are at the corners
      if (b.min > 0 || b.max < 0) return corners(a, b, op === "div" ? truncDivB : floorDivB);
      return EVERYTHING;
    }
    case "floormod":
      return floorModBound(a, b);
    case "mod":
      return truncModBound(a, b);
    default: // comparisons, and/or
      return { min: 0, max: 1 };
  }
}

// floormod(a, b) has the sign of b and |r| < |b|; with 0 ≤ a < b (a in one period) it is a itself.
function floorModBound(a: IntBound, b: IntBound): IntBound {
  if (b.min > 0) {
    if (b.min === b.max && Number.isFinite(a.min) && Number.isFinite(a.max)) {
      const c = b.min, k = Math.floor(a.min / c);
      if (k === Math.floor(a.max / c)) return { min: a.min - k * c, max: a.max - k * c };
    }
    if (a.min >= 0) return { min: 0, max: Math.min(a.max, b.max - 1) };
    return { min: 0, max: b.max - 1 };
  }
  if (b.max < 0) return { min: b.min + 1, max: 0 };
  return EVERYTHING;
}

// mod (truncating) has the sign of a and |r| < |b|, |r| ≤ |a|.
function truncModBound(a: IntBound, b: IntBound): IntBound {
  const m = Math.max(Math.abs(b.min), Math.abs(b.max)) - 1; // |r| ≤ max|b| - 1
  if (a.min >= 0) return { min: 0, max: Math.min(a.max, m) };
  if (a.max <= 0) return { min: Math.max(a.min, -m), max: 0 };
  return { min: Math.max(a.min, -m), max: Math.min(a.max, m) };
}

/** Intersection of two bounds (assumed to overlap). */
export function intersect(a: IntBound, b: IntBound): IntBound {
  return { min: Math.max(a.min, b.min), max: Math.min(a.max, b.max) };
}

/** Smallest bound containing both. */
export function union(a: IntBound, b: IntBound): IntBound {
  return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

// Keep a computed interval of dtype d sound: widen to the dtype's range if it may have wrapped.
function fit(d: DType, r: IntBound): IntBound {
  if (isIndexType(d)) return r;
  const full = dtypeBound(d);
  return r.min < full.min || r.max > full.max ? full : r;
}

/**
 * Bounds of an integer (or bool) expression. Float expressions and free variables the environment
 * does not know are bounded only by their dtype (see `dtypeBound`).
 *
 * @example
 * ```ts
 * import { constIntBound } from "./int_bound.ts";
 * import { add, mul, variable } from "../expr.ts";
 * const i = variable("i");
 * const env = { varBound: (v: unknown) => (v === i ? { min: 0, max: 3 } : undefined) };
 * const b = constIntBound(add(mul(i, 4), 1), env);
 * console.assert(b.min === 1 && b.max === 13);
 * ```
 */
export function constIntBound(e: PrimExpr, env: BoundEnv): IntBound {
  const lets = new Map<Var, IntBound>();
  const go = (e: PrimExpr): IntBound => {
    switch (e.kind) {
      case "IntImm":
        return { min: e.value, max: e.value };
      case "Var": {
        const r = lets.get(e) ?? env.varBound(e);
        return r ? intersect(r, dtypeBound(e.dtype)) : dtypeBound(e.dtype);
      }
      case "Binary": {
        if (isFloat(e.a.dtype)) return dtypeBound(e.dtype);
        return fit(e.dtype, binaryBound(e.op, go(e.a), go(e.b)));
      }
      case "Select":
        return union(go(e.t), go(e.f));
      case "Cast": {
        if (isFloat(e.dtype)) return EVERYTHING;
        if (isFloat(e.value.dtype)) return dtypeBound(e.dtype);
        const inner = go(e.value);
        if (isBool(e.dtype)) return { min: inner.min > 0 || inner.max < 0 ? 1 : 0, max: 1 };
        return fit(e.dtype, inner);
      }
      case "Let": {
        lets.set(e.v, go(e.value));
        return go(e.body);
      }
      case "Call":
        if (e.op === "abs" && isInt(e.dtype) && !isUInt(e.dtype)) {
          const a = go(e.args[0]);
          const lo = a.min >= 0 ? a.min : a.max <= 0 ? -a.max : 0;
          return fit(e.dtype, { min: lo, max: Math.max(Math.abs(a.min), Math.abs(a.max)) });
        }
        return dtypeBound(e.dtype);
      default: // Not, BufferLoad, Ramp, Broadcast: the dtype's range
        return dtypeBound(e.dtype);
    }
  };
  return go(e);
}

/**
 * Exact conversions between scalar dtypes (`castValue` in ir/expr.ts is the definition; this is
 * the fast, bigint-aware form the interpreter runs):
 *
 * | from → to        | rule                                                              |
 * | ---------------- | ----------------------------------------------------------------- |
 * | float → float    | round to the target (fround / f16round / bf16Round)               |
 * | float → int      | truncate toward zero, saturate to the range, NaN → 0              |
 * | int → int        | wrap to the target width (two's complement)                       |
 * | int → float      | round to nearest even; int64 → narrow floats round once (to odd at 53 bits, then to the target), never twice |
 * | x → bool         | x ≠ 0 (NaN → 1, as C's `(bool)NAN`)                                |
 * | bool → x         | 0 or 1                                                            |
 *
 * @module
 */
import { type DType, elementOf, intRange, isBool, isFloat } from "../dtype.ts";
import { roundFn, wrapBigFn } from "./scalar.ts";
import { isBig, type Scalar } from "./values.ts";

/** Convert one lane. */
export type CastFn = (x: Scalar) => Scalar;

/** A number (double) → int64/uint64, truncating and saturating, NaN → 0. */
function doubleToBig(to: DType): (x: number) => bigint {
  const unsigned = elementOf(to) === "uint64";
  const lo = unsigned ? 0 : -(2 ** 63);
  const hi = unsigned ? 2 ** 64 : 2 ** 63; // first double past the range
  const loBig = unsigned ? 0n : -(2n ** 63n);
  const hiBig = unsigned ? 2n ** 64n - 1n : 2n ** 63n - 1n;
  return (x) => {
    if (Number.isNaN(x)) return 0n;
    if (x >= hi) return hiBig;
    if (x <= lo) return loBig;
    return BigInt(Math.trunc(x));
  };
}

/** A number (double) → a narrower int, truncating and saturating, NaN → 0. */
function doubleToInt(to: DType): (x: number) => number {
  const [lo, hi] = intRange(to);
  const W = roundFn(to);
  if (elementOf(to) === "int32") {
    return (x) => (x > -2147483649 && x < 2147483648 ? x | 0 : x > 0 ? hi : x < 0 ? lo : 0);
  }
  return (x) => (Number.isNaN(x) ? 0 : W(Math.min(hi, Math.max(lo, Math.trunc(x)))));
}

/**
 * A bigint as a double rounded to odd at 53 bits: exact below 2^53, otherwise the truncation with
 * its last bit set when bits were dropped. Rounding that to a float of ≤ 51 bits is the correct
 * single rounding of the integer.
 */
function bigToOddDouble(x: bigint): number {
  const neg = x < 0n;
  const m = neg ? -x : x;
  if (m < 2n ** 53n) return Number(x);
  const shift = BigInt(m.toString(2).length - 53);
  let q = m >> shift;
  if (q << shift !== m) q |= 1n;
  const v = Number(q) * 2 ** Number(shift);
  return neg ? -v : v;
}

/**
 * The conversion of one lane from scalar dtype `from` to scalar dtype `to`.
 *
 * @example
 * ```ts
 * import { castFn } from "./cast.ts";
 * console.assert(castFn("float32", "int8")(300.7) === 127); // saturates
 * console.assert(castFn("int32", "int8")(300) === 44); // wraps
 * console.assert(castFn("float32", "int32")(NaN) === 0);
 * ```
 */
export function castFn(from: DType, to: DType): CastFn {
  const f = elementOf(from);
  const t = elementOf(to);
  if (f === t) return (x) => x;
  if (isBool(t)) return (x) => (x !== 0 && x !== 0n ? 1 : 0);
  if (isBig(from)) {
    if (isBig(t)) {
      const W = wrapBigFn(t);
      return (x) => W(x as bigint);
    }
    if (isFloat(t)) {
      if (t === "float64") return (x) => Number(x);
      const R = roundFn(t);
      return (x) => R(bigToOddDouble(x as bigint));
    }
    const unsigned = t.startsWith("uint");
    const bits = BigInt(t.replace(/\D/g, ""));
    return unsigned
      ? (x) => Number(BigInt.asUintN(Number(bits), x as bigint))
      : (x) => Number(BigInt.asIntN(Number(bits), x as bigint));
  }
  // from is a number dtype: float, int ≤ 32 bits or bool
  if (isFloat(f)) {
    if (isFloat(t)) return roundFn(t) as CastFn;
    if (isBig(t)) return doubleToBig(t) as CastFn;
    return doubleToInt(t) as CastFn;
  }
  if (isBig(t)) {
    const W = wrapBigFn(t);
    return (x) => W(BigInt(x));
  }
  return roundFn(t) as CastFn; // int → float rounds; int → int wraps (all exact in a double)
}

/**
 * Per-dtype tolerances for comparing a target's results with the reference interpreter, written
 * in one place. Floats compare by ULP distance in their own format (or by an absolute floor for
 * values near zero, where ULPs shrink); integers and bool compare exactly.
 *
 * NaN/Inf rules: a NaN matches only a NaN; an infinity matches only the same infinity; neither
 * is ever within tolerance of a finite value.
 *
 * @module
 */
import { bf16Bits, type DType, elementOf } from "../ir/dtype.ts";
import { getElement, type NDArray } from "../ir/ndarray.ts";

/** How close two values of a dtype must be. */
export interface Tolerance {
  /** Largest allowed distance in units in the last place of the dtype. */
  readonly ulps: number;
  /** Absolute difference always accepted (for results that cancel to near zero). */
  readonly atol: number;
}

/**
 * The tolerances. Float results may differ from the interpreter only through math functions
 * (exp, tanh, erf … are computed by different code on each side) and what feeds on them, so a few
 * ULPs suffice; the absolute floor covers sums that cancel. One more source: an `fma` call that a
 * schedule introduced into vector code, which the `cpu` target runs as `f32x4.relaxed_madd` when
 * relaxed SIMD is on (its default). That instruction may round once (fused, as the interpreter
 * does) or twice (multiply, then add), at the engine's choice — V8 fuses on x86 with FMA3 — so
 * each such fma may differ by half an ulp of its product, and a reduction chaining K of them by
 * up to about K/2 ulps of the partial sums before cancellation, which the same ulps + absolute
 * floor accept for the library's sizes. Build with `{ codegen: { relaxedSimd: false } }` for
 * exactly fused, bit-identical results.
 */
export const TOLERANCES: Readonly<Record<string, Tolerance>> = {
  float64: { ulps: 64, atol: 1e-12 },
  float32: { ulps: 64, atol: 1e-5 },
  float16: { ulps: 2, atol: 1e-3 },
  bfloat16: { ulps: 2, atol: 1e-2 },
};

/** Exact comparison (integers, bool). */
export const EXACT: Tolerance = { ulps: 0, atol: 0 };

/** The tolerance for a dtype. @example `toleranceOf("int8") === EXACT` */
export function toleranceOf(dtype: DType): Tolerance {
  return TOLERANCES[elementOf(dtype)] ?? EXACT;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const f16 = new Float16Array(1);
const i16 = new Int16Array(f16.buffer);

/** Map a float's bits onto a line where adjacent floats differ by 1 (sign-magnitude → two's). */
function ordinal(dtype: DType, x: number): number {
  switch (elementOf(dtype)) {
    case "float32": {
      f32[0] = x;
      const b = i32[0];
      return b < 0 ? -(b & 0x7fffffff) : b;
    }
    case "float16": {
      f16[0] = x;
      const b = i16[0];
      return b < 0 ? -(b & 0x7fff) : b;
    }
    case "bfloat16": {
      const b = bf16Bits(x);
      return b & 0x8000 ? -(b & 0x7fff) : b;
    }
    default: {
      f64[0] = x;
      const b = i64[0];
      return Number(b < 0n ? -(b & 0x7fffffffffffffffn) : b);
    }
  }
}

/**
 * Distance of two floats in ULPs of `dtype` (Infinity if either is NaN or infinite and they
 * differ).
 *
 * @example
 * ```ts
 * import { ulpDistance } from "./tolerance.ts";
 * console.assert(ulpDistance("float32", 1, 1 + 2 ** -23) === 1);
 * ```
 */
export function ulpDistance(dtype: DType, a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b ? 0 : Infinity;
  return Math.abs(ordinal(dtype, a) - ordinal(dtype, b));
}

/** True if `actual` is within the dtype's tolerance of `expected`. */
export function withinTolerance(
  dtype: DType,
  actual: number,
  expected: number,
  tol = toleranceOf(dtype),
): boolean {
  if (tol === EXACT || tol.ulps === 0 && tol.atol === 0) {
    return Object.is(actual, expected) || actual === expected;
  }
  if (Number.isNaN(actual) || Number.isNaN(expected)) {
    return Number.isNaN(actual) && Number.isNaN(expected);
  }
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= tol.atol ||
    ulpDistance(dtype, actual, expected) <= tol.ulps;
}

/** The result of comparing two arrays. */
export interface Comparison {
  /** True if every element is within tolerance (and shapes and dtypes agree). */
  readonly ok: boolean;
  /** Number of elements outside tolerance. */
  readonly mismatches: number;
  /** Largest absolute difference over finite pairs. */
  readonly maxAbsDiff: number;
  /**
   * Largest ULP distance over the finite float pairs the absolute floor does not excuse (0 for
   * integers): the figure the ULP tolerance is judged on.
   */
  readonly maxUlps: number;
  /** The first differing element, if any. */
  readonly first?: { readonly index: number; readonly actual: number; readonly expected: number };
  /** Why shapes or dtypes disagree, if they do. */
  readonly reason?: string;
}

/**
 * Compare a result with the reference under the dtype's tolerance.
 *
 * @example
 * ```ts
 * import { compareArrays } from "./tolerance.ts";
 * import { ndarray } from "../ir/ndarray.ts";
 * const a = ndarray("float32", [2], [1, 2]);
 * console.assert(compareArrays(a, a).ok);
 * ```
 */
export function compareArrays(actual: NDArray, expected: NDArray, tol?: Tolerance): Comparison {
  if (actual.dtype !== expected.dtype) {
    return {
      ok: false,
      mismatches: 0,
      maxAbsDiff: 0,
      maxUlps: 0,
      reason: `dtype ${actual.dtype} vs ${expected.dtype}`,
    };
  }
  if (actual.shape.join() !== expected.shape.join()) {
    return {
      ok: false,
      mismatches: 0,
      maxAbsDiff: 0,
      maxUlps: 0,
      reason: `shape [${actual.shape}] vs [${expected.shape}]`,
    };
  }
  const t = tol ?? toleranceOf(actual.dtype);
  const isFloatType = t !== EXACT && TOLERANCES[actual.dtype] !== undefined;
  let mismatches = 0;
  let maxAbsDiff = 0;
  let maxUlps = 0;
  let first: Comparison["first"];
  for (let i = 0; i < actual.data.length; i++) {
    const a = getElement(actual.data, actual.dtype, i);
    const e = getElement(expected.data, expected.dtype, i);
    if (Number.isFinite(a) && Number.isFinite(e)) {
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a - e));
      if (isFloatType && Math.abs(a - e) > t.atol) {
        maxUlps = Math.max(maxUlps, ulpDistance(actual.dtype, a, e));
      }
    }
    if (!withinTolerance(actual.dtype, a, e, t)) {
      mismatches++;
      first ??= { index: i, actual: a, expected: e };
    }
  }
  return { ok: mismatches === 0, mismatches, maxAbsDiff, maxUlps, first };
}

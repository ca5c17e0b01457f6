/**
 * Value normalisation before matching: chains of casts whose inner steps lose nothing collapse
 * to one cast, so `cast<int32>(cast<int16>(a_i8))` and `cast<int32>(a_i8)` match. Commutative
 * operands are not reordered here (no order is invariant under the mapping being searched):
 * the matcher tries both orders instead.
 *
 * @module
 */
import { type DType, intRange, isFloat, isInt, lanesOf, parseDType } from "../../ir/dtype.ts";
import { cast, type PrimExpr } from "../../ir/expr.ts";
import { rewrite } from "../../ir/node.ts";

/** Significand bits (with the implicit one) of the float dtypes. */
const SIGNIFICAND: Readonly<Record<string, number>> = {
  float16: 11,
  bfloat16: 8,
  float32: 24,
  float64: 53,
};

/** Floats each float dtype widens into exactly. */
const FLOAT_WIDENS: Readonly<Record<string, readonly string[]>> = {
  float16: ["float32", "float64"],
  bfloat16: ["float32", "float64"],
  float32: ["float64"],
  float64: [],
};

/**
 * True when every value of `from` is exactly a value of `to` (scalar dtypes): integer ranges
 * that nest, float widening, integers within a float's significand.
 *
 * @example
 * ```ts
 * import { isLossless } from "./normalize.ts";
 * console.assert(isLossless("int8", "int32") && !isLossless("int32", "float32"));
 * ```
 */
export function isLossless(from: DType, to: DType): boolean {
  if (from === to) return true;
  if (lanesOf(from) !== 1 || lanesOf(to) !== 1) return false;
  const f = parseDType(from), t = parseDType(to);
  const fInt = f.kind === "int" || f.kind === "uint";
  const tInt = t.kind === "int" || t.kind === "uint";
  if (fInt && tInt) {
    const [a, b] = intRange(from), [c, d] = intRange(to);
    return c <= a && b <= d;
  }
  if (isFloat(from) && isFloat(to)) return (FLOAT_WIDENS[from] ?? []).includes(to);
  if (fInt && isFloat(to)) {
    const [a, b] = intRange(from);
    const limit = 2 ** (SIGNIFICAND[to] ?? 0);
    return -limit <= a && b <= limit;
  }
  return false;
}

/**
 * Whether `cast<t2>(cast<t1>(x: t0))` equals `cast<t2>(x)` for every x: the inner cast loses
 * nothing (`isLossless(t0, t1)`) and the outer cast treats the value as the direct one would —
 * both steps within integers or within floats, or an integer through a float into a float (an
 * integer through a float into an integer would saturate where the direct cast wraps).
 */
export function collapses(t0: DType, t1: DType, t2: DType): boolean {
  if (!isLossless(t0, t1)) return false;
  if (isInt(t0) === isInt(t1)) return true; // int → int → *, float → float → *
  return isInt(t0) && isFloat(t1) && isFloat(t2);
}

/**
 * `e` with collapsible cast chains reduced (bottom-up, so longer chains fold step by step):
 * `cast<t2>(cast<t1>(x))` → `cast<t2>(x)` when `collapses(x.dtype, t1, t2)`.
 *
 * @example
 * ```ts
 * import { normalizeValue } from "./normalize.ts";
 * import { cast, variable } from "../../ir/expr.ts";
 * const x = variable("x", "int8");
 * const e = normalizeValue(cast("int32", cast("int16", x)));
 * console.assert(e.kind === "Cast" && e.value === x);
 * ```
 */
export function normalizeValue(e: PrimExpr): PrimExpr {
  return rewrite(e, {
    post: (n) => {
      if (n.kind !== "Cast" || n.value.kind !== "Cast") return n;
      const inner = n.value;
      return collapses(inner.value.dtype, inner.dtype, n.dtype) ? cast(n.dtype, inner.value) : n;
    },
  });
}

/**
 * Test helpers for the `intrinsic` rule (also used by the cpu target's build tests).
 *
 * @module
 */
import { cast, mul } from "../../ir/expr.ts";
import type { DType } from "../../ir/dtype.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";

/**
 * `C[m, n] = Σ_k acc(A[m, k]) · acc(B[k, n])` (or `B[n, k]` when `dense`), `acc` int32 for
 * int8 operands.
 *
 * @example
 * ```ts
 * import { gemmFunc } from "./intrinsic_rule_testing.ts";
 * console.assert(gemmFunc(4, 8, 2).name === "matmul_i8");
 * ```
 */
export function gemmFunc(
  m: number,
  n: number,
  k: number,
  dense = false,
  dtype: DType = "int8",
): PrimFunc {
  const A = placeholder([m, k], dtype, "A");
  const B = placeholder(dense ? [n, k] : [k, n], dtype, "B");
  const r = reduceAxis(k, "k");
  const up = (e: Parameters<typeof cast>[1]) => (dtype === "int8" ? cast("int32", e) : e);
  const C = compute(
    [m, n],
    ([i, j]) => sum(mul(up(A.at(i, r)), up(dense ? B.at(j, r) : B.at(r, j))), [r]),
    "C",
  );
  const kind = dense ? "dense" : "matmul";
  return createPrimFunc([A, B, C], `${kind}_${dtype === "int8" ? "i8" : "f32"}`);
}

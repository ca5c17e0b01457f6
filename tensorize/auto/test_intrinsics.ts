/**
 * Intrinsics for the tests of tensorization, defined with the public SDK and the DSL, with
 * fake implementations (the tests execute markers through `intrinsicCallHandlers`, which run
 * the descriptions):
 *
 * - `test_gemm4_f32`: `C[4,4] += A[4,4] · B[4,4]` in float32;
 * - `test_gemm4_i8`: the same with int8 operands and an int32 accumulator;
 * - `test_gemm16_i8`: `C[16,16] += int32(A[16,16]) · int32(B[16,16])`, int8 operands staged in
 *   scopes `inp`, `wgt`, `acc` (as an NPU would want);
 * - `test_dot4_i8`: `C[4] += Σ_k int32(A[k]) · int32(B[i, k])` — four 4-element int8 dot
 *   products into int32 lanes (a relaxed-SIMD dot).
 *
 * @module
 */
import { cast, mul } from "../../ir/expr.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { defineIntrinsic, type Intrinsic } from "../../sdk/intrinsic.ts";
import { accumulating } from "./describe.ts";

function gemm(n: number, inDtype: string, outDtype: string, name: string) {
  const A = placeholder([n, n], inDtype, "A"), B = placeholder([n, n], inDtype, "B");
  const k = reduceAxis(n, "k");
  const C = compute(
    [n, n],
    ([i, j]) => sum(mul(cast(outDtype, A.at(i, k)), cast(outDtype, B.at(k, j))), [k]),
    "C",
  );
  return accumulating(createPrimFunc([A, B, C], name));
}

/** `C[4,4] += A[4,4] · B[4,4]`, float32, all operands in global memory. */
export const GEMM4_F32: Intrinsic<string> = defineIntrinsic({
  name: "test_gemm4_f32",
  description: gemm(4, "float32", "float32", "gemm4"),
  implementation: "fake_gemm4",
  operandScopes: {},
  cost: { cycles: 16 },
});

/** `C[4,4] += int32(A[4,4]) · int32(B[4,4])`, int8 operands, all in global memory. */
export const GEMM4_I8: Intrinsic<string> = defineIntrinsic({
  name: "test_gemm4_i8",
  description: gemm(4, "int8", "int32", "gemm4_i8"),
  implementation: "fake_gemm4_i8",
  operandScopes: {},
  cost: { cycles: 16 },
});

/** `C[16,16] += A·B` with int8 operands and an int32 accumulator, in scopes inp/wgt/acc. */
export const GEMM16_I8: Intrinsic<string> = defineIntrinsic({
  name: "test_gemm16_i8",
  description: gemm(16, "int8", "int32", "gemm16"),
  implementation: "fake_gemm16",
  operandScopes: { A: "inp", B: "wgt", C: "acc" },
  cost: { cycles: 16 },
});

/** `C[i] += Σ_k int32(A[k]) · int32(B[i, k])` for i, k < 4. */
export const DOT4_I8: Intrinsic<string> = defineIntrinsic({
  name: "test_dot4_i8",
  description: (() => {
    const A = placeholder([4], "int8", "A"), B = placeholder([4, 4], "int8", "B");
    const k = reduceAxis(4, "k");
    const C = compute(
      [4],
      ([i]) => sum(mul(cast("int32", A.at(k)), cast("int32", B.at(i, k))), [k]),
      "C",
    );
    return accumulating(createPrimFunc([A, B, C], "dot4"));
  })(),
  implementation: "fake_dot4",
  operandScopes: {},
  cost: { cycles: 1 },
});

/**
 * The `int8_dot` rule with the cpu's intrinsics: int8 matmul and dense tensorize with
 * `cpu.dot_i8x4` (exact against the interpreter), float and unaligned shapes keep the old rules.
 */
import { cast, mul } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { assertEquals } from "../../ir/test_util.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { cpuIntrinsics } from "../../targets/cpu/intrinsics.ts";
import { assertTensorizedEquivalent } from "../auto/testing.ts";
import { inputsFor, matmulFunc } from "../testing.ts";
import { applyDefaultRules } from "./default_schedule.ts";

/** `C[m, n] = Σ_k i32(A[m, k]) · i32(B[k, n])` (or `B[n, k]` when `dense`). */
export function int8Gemm(m: number, n: number, k: number, dense = false): PrimFunc {
  const A = placeholder([m, k], "int8", "A");
  const B = placeholder(dense ? [n, k] : [k, n], "int8", "B");
  const r = reduceAxis(k, "k");
  const C = compute(
    [m, n],
    ([i, j]) =>
      sum(mul(cast("int32", A.at(i, r)), cast("int32", dense ? B.at(j, r) : B.at(r, j))), [r]),
    "C",
  );
  return createPrimFunc([A, B, C], dense ? "dense_i8" : "matmul_i8");
}

const intrinsics = cpuIntrinsics();

for (const dense of [false, true]) {
  Deno.test(`int8 ${dense ? "dense" : "matmul"} tensorizes with cpu.dot_i8x4, exact`, () => {
    const f = int8Gemm(8, 12, 16, dense);
    const { schedule, decisions } = applyDefaultRules(f, { intrinsics, threads: 2 });
    assertEquals(decisions.map((d) => d.rule), ["int8_dot"]);
    const inputs = inputsFor(f, 2, {}, 7);
    assertTensorizedEquivalent(f, schedule.func, inputs, intrinsics, 0);
  });
}

Deno.test("float32 matmul and unaligned int8 keep the gemm rule", () => {
  const f32 = applyDefaultRules(matmulFunc(), { intrinsics });
  assertEquals(f32.decisions.map((d) => d.rule), ["gemm"]);
  const odd = applyDefaultRules(int8Gemm(8, 10, 6), { intrinsics });
  assertEquals(odd.decisions.map((d) => d.rule), ["gemm"]);
  const none = applyDefaultRules(int8Gemm(8, 12, 16), {});
  assertEquals(none.decisions.map((d) => d.rule), ["gemm"]);
});

/**
 * int8 GEMMs built for the cpu: the default rules, given the cpu's intrinsics, tensorize them with
 * `cpu.dot_i8x4`; the codegen emits the intrinsic's C, and the result equals the interpreter's
 * exactly. (The cpu's own default schedule does not opt in yet: see `targets/cpu/schedule.ts`.)
 */
import { cast, mul } from "../../ir/expr.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { type NDArray, randomNDArray, toNumbers } from "../../ir/ndarray.ts";
import { compute, createPrimFunc, placeholder, reduceAxis, sum } from "../../ir/te.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { build } from "../../sdk/mod.ts";
import { applyDefaultRules } from "../../tensorize/default/default_schedule.ts";
import cpu from "./mod.ts";

function int8Gemm(m: number, n: number, k: number, dense: boolean): PrimFunc {
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

/** Spread an int8 array over all of [-128, 127] (extremes included). */
function fullRange(a: NDArray, step: number): NDArray {
  a.data.forEach((_, i) => (a.data[i] = ((i * step + 11) % 256) - 128));
  return a;
}

for (const dense of [false, true]) {
  Deno.test(`cpu: int8 ${dense ? "dense" : "matmul"} through cpu.dot_i8x4 equals the interpreter`, async () => {
    const [m, n, k] = [24, 36, 64];
    const f = int8Gemm(m, n, k, dense);
    const scheduled = applyDefaultRules(f, { intrinsics: cpu.intrinsics }).schedule.func;
    const kernel = await build(scheduled, cpu, { schedule: false });
    assert(kernel.artifact.source.includes("tsrc_dot_i8x4(&"), "the intrinsic is called");
    const a = fullRange(randomNDArray("int8", [m, k], 3), 37);
    const b = fullRange(randomNDArray("int8", dense ? [n, k] : [k, n], 4), 101);
    const [got] = await kernel.run([a, b]);
    assertEquals(toNumbers(got), toNumbers(runFunc(f, [a, b])[0]));
  });
}

/**
 * Operand packing by auto-tensorization (`operandLayouts`): the packed buffer's layout, the copy's
 * loop order, operands that cannot be packed, and the tensorized result equal to the original
 * (markers run by the description) with a trace that replays.
 */
import type { PrimFunc } from "../../ir/func.ts";
import * as ops from "../../ir/ops/mod.ts";
import { placeholder } from "../../ir/te.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { defineIntrinsic } from "../../sdk/intrinsic.ts";
import { Schedule } from "../mod.ts";
import { assertTraceRoundTrip, inputsFor } from "../testing.ts";
import { autoTensorize } from "./mod.ts";
import { GEMM4_F32 } from "./test_intrinsics.ts";
import { assertTensorizedEquivalent } from "./testing.ts";

/** GEMM4_F32 with B packed column by column and A row by row. */
const PACKED = defineIntrinsic({
  ...GEMM4_F32,
  name: "test_gemm4_f32_packed",
  operandLayouts: { A: [0, 1], B: [1, 0] },
});

function matmul(m: number, n: number, k: number): PrimFunc {
  const a = placeholder([m, k], "float32", "A"), b = placeholder([k, n], "float32", "B");
  return ops.toPrimFunc("mm", [a, b], [ops.matmul(a, b, { name: "C" })]);
}

function tensorized(f: PrimFunc) {
  const sch = new Schedule(f);
  const r = autoTensorize(sch, sch.getBlock("C"), [PACKED]);
  assert(r.applied, r.applied ? "" : r.diagnostic.message);
  return { sch, script: sch.trace.toScript() };
}

Deno.test("pack: operands laid out tile-major, the copy in packed order", () => {
  const f = matmul(8, 12, 16);
  const { sch, script } = tensorized(f);
  // A[i, k]: tiles [i // 4, k // 4], rows inside; B[k, j]: [j // 4, k // 4], columns inside
  assert(script.includes(`"(a0, a1) => [a0 // 4, a1 // 4, a0 %% 4, a1 %% 4]"`), script);
  assert(script.includes(`"(a0, a1) => [a1 // 4, a0 // 4, a1 %% 4, a0 %% 4]"`), script);
  // A's copy runs along A's rows (contiguous: vectorized); B's along B's columns (not)
  assert(/sch\.reorder\(l14, l16, l15, l17\);\nsch\.vectorize\(l17\);/.test(script), script);
  assert(/sch\.reorder\(l23, l21, l24, l22\);\nconst b25 = sch\.blockize/.test(script), script);
  assertTensorizedEquivalent(f, sch.func, inputsFor(f, 2, {}, 5), [PACKED]);
  assertTraceRoundTrip(sch, f);
});

Deno.test("pack: unaligned extents are padded first, then packed", () => {
  const f = matmul(6, 7, 5);
  const { sch, script } = tensorized(f);
  assert(script.includes("sch.padEinsum(") && script.includes("sch.transformLayout("), script);
  assertTensorizedEquivalent(f, sch.func, inputsFor(f, 2, {}, 6), [PACKED]);
});

Deno.test("pack: a conv input read through a window is left in place", () => {
  const x = placeholder([1, 4, 6, 6], "float32", "X");
  const w = placeholder([4, 4, 3, 3], "float32", "W");
  const f = ops.toPrimFunc("conv", [x, w], [ops.conv2d(x, w, { name: "C" })]);
  const { sch, script } = tensorized(f);
  const packs = script.split("\n").filter((l) => l.includes("transformLayout"));
  assertEquals(packs.length, 1); // the weights only
  assert(packs[0].includes("(a0, a1, a2, a3) => [a2, a3,"), packs[0]);
  assertTensorizedEquivalent(f, sch.func, inputsFor(f, 2, {}, 7), [PACKED]);
});

Deno.test("pack: one buffer read as both operands is packed once, for the first", () => {
  const a = placeholder([8, 8], "float32", "A");
  const f = ops.toPrimFunc("sq", [a], [ops.matmul(a, a, { name: "C" })]);
  const { sch, script } = tensorized(f);
  assertEquals(script.split("\n").filter((l) => l.includes("transformLayout")).length, 1);
  assertTensorizedEquivalent(f, sch.func, inputsFor(f, 1, {}, 8), [PACKED]);
});

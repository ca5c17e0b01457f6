/**
 * The `intrinsic` rule with the cpu's micro-kernels: int8 and float32 matmul, dense and conv2d
 * (aligned and unaligned shapes) are auto-tensorized — padded, tiled, accumulators in `local`,
 * operands packed — and compute what the interpreter computes (int8 exactly).
 */
import type { DType } from "../../ir/dtype.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { conv2d } from "../../ir/ops/conv.ts";
import { toPrimFunc } from "../../ir/ops/func.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { placeholder } from "../../ir/te.ts";
import { cpuIntrinsics } from "../../targets/cpu/intrinsics.ts";
import { assertTensorizedEquivalent } from "../auto/testing.ts";
import { inputsFor, matmulFunc } from "../testing.ts";
import { applyDefaultRules } from "./default_schedule.ts";
import { gemmFunc } from "./intrinsic_rule_testing.ts";

/** conv2d NCHW without padding, `[1, c, h, w] ⊛ [o, c, 3, 3]`. */
function conv(dtype: DType, c: number, o: number, h: number, w: number): PrimFunc {
  const data = placeholder([1, c, h, w], dtype, "data");
  const weight = placeholder([o, c, 3, 3], dtype, "weight");
  const out = conv2d(data, weight, { outDtype: dtype === "int8" ? "int32" : dtype });
  return toPrimFunc("conv", [data, weight], [out]);
}

const intrinsics = cpuIntrinsics();
const micro = intrinsics.filter((x) => x.name.startsWith("cpu.mma"));

const CASES: [string, () => PrimFunc][] = [];
for (const dtype of ["int8", "float32"] as const) {
  for (const [m, n, k] of [[8, 16, 8], [9, 13, 7]]) {
    for (const dense of [false, true]) {
      CASES.push([
        `${dtype} ${dense ? "dense" : "matmul"} ${m}×${n}×${k}`,
        () => gemmFunc(m, n, k, dense, dtype),
      ]);
    }
  }
  CASES.push([`${dtype} conv2d 8→8 10×10`, () => conv(dtype, 8, 8, 10, 10)]);
  CASES.push([`${dtype} conv2d 4→16 6×10`, () => conv(dtype, 4, 16, 6, 10)]);
}

for (const [name, make] of CASES) {
  Deno.test(`${name} tensorizes with a cpu micro-kernel and equals the interpreter`, () => {
    const f = make();
    const { schedule, decisions } = applyDefaultRules(f, { intrinsics: micro, threads: 2 });
    assertEquals(decisions.map((d) => d.rule), ["intrinsic"]);
    const script = schedule.trace.toScript();
    const want = name.startsWith("int8") ? "cpu.mma_i8" : "cpu.mma_f32";
    assert(script.includes(`sch.tensorize(`) && script.includes(want), script);
    assert(script.includes("sch.transformLayout("), "an operand is packed");
    const inputs = inputsFor(f, 2, {}, 7);
    assertTensorizedEquivalent(f, schedule.func, inputs, micro, name.startsWith("int8") ? 0 : 1e-5);
  });
}

Deno.test("with threads, the tile loops and the packing copies of a large GEMM go parallel", () => {
  const f = gemmFunc(64, 64, 64);
  const options = { intrinsics: micro, threads: 2, minParallelWork: 4096 };
  const { schedule } = applyDefaultRules(f, options);
  const script = schedule.trace.toScript();
  assertEquals(script.match(/sch\.parallel\(/g)?.length, 3, script); // tiles, A copy, B copy
  assertTensorizedEquivalent(f, schedule.func, inputsFor(f, 2, {}, 9), micro, 0);
});

Deno.test("a conv2d packs its weights, not its sliding input", () => {
  const { schedule } = applyDefaultRules(conv("int8", 8, 8, 10, 10), { intrinsics: micro });
  const packs = schedule.trace.toScript().split("\n").filter((l) => l.includes("transformLayout"));
  assertEquals(packs.length, 1);
  assert(packs[0].includes("a0 // 8"), packs[0]); // weight [o, c, 3, 3]: o in tiles of 8
});

Deno.test("a conv2d that needs padding is padded (channels and a window's output row) and tensorized", () => {
  // c 3 → 4 (k = 2 steps), o 5 → 8 (n = 8), an output spatial 5 or 7 → 8 (m = 4): padEinsum
  // pads plain channel indices and widens the data copy for the windowed spatial variable
  const f = conv("int8", 3, 5, 7, 9);
  const { schedule, decisions } = applyDefaultRules(f, { intrinsics: micro });
  assertEquals(decisions.map((d) => d.rule), ["intrinsic"]);
  assert(schedule.trace.toScript().includes("sch.padEinsum("), "padded");
  assertTensorizedEquivalent(f, schedule.func, inputsFor(f, 2, {}, 3), micro, 0);
});

Deno.test("without intrinsics, or with a symbolic extent, GEMMs keep the gemm rule", () => {
  const none = applyDefaultRules(gemmFunc(8, 16, 8), {});
  assertEquals(none.decisions.map((d) => d.rule), ["gemm"]);
  const symbolic = applyDefaultRules(matmulFunc(), { intrinsics: micro }); // [n, 16]·[16, 12]
  assertEquals(symbolic.decisions.map((d) => d.rule), ["gemm"]);
});

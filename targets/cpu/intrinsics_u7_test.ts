/**
 * `cpu.mma_u7i8` (int8 × uint7 through the relaxed dot): chosen by default for int8 matmul, dense
 * and conv2d exactly when one operand is declared in [0, 127] (either side), exact against the
 * interpreter over the full declared ranges including the extreme sums, `intrinsicShare` 1; the
 * same functions without the declaration stay on `cpu.mma_i8`; `kernel.run` refuses inputs
 * outside the declared range.
 */
import { CallError } from "../../ir/errors.ts";
import type { PrimFunc } from "../../ir/func.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { type NDArray, ndarray, toNumbers } from "../../ir/ndarray.ts";
import { conv2d } from "../../ir/ops/conv.ts";
import { toPrimFunc } from "../../ir/ops/func.ts";
import { placeholder } from "../../ir/te.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { type ValueRange, withValueRanges } from "../../ir/value_range.ts";
import { build } from "../../sdk/mod.ts";
import { gemmFunc } from "../../tensorize/default/intrinsic_rule_testing.ts";
import cpu from "./mod.ts";
import type { CpuKernelStats } from "./intrinsics_stats.ts";

/**
 * Inputs over the declared ranges: a ranged operand takes values of its range, half of them its
 * bounds (so 4-element sums reach −128·127·4 and 127·127·4), the others all of [−128, 127].
 */
function inputs(f: PrimFunc, ranges: Record<string, ValueRange>, seed: number): NDArray[] {
  return f.params.slice(0, 2).map((p, k) => {
    if (p.kind !== "Buffer") throw new Error("a buffer parameter");
    const shape = p.shape.map((d) => (d.kind === "IntImm" ? d.value : 0));
    const [lo, hi] = ranges[p.name] ?? [-128, 127];
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Array.from({ length: n }, (_, i) => {
      const h = Math.imul(i + 1, 0x9e3779b1 + 2 * (seed + k)) >>> 7;
      return h % 4 === 0 ? lo : h % 4 === 1 ? hi : lo + (h % (hi - lo + 1));
    });
    return ndarray("int8", shape, data);
  });
}

function conv(c: number, o: number, hw: number, padding: number, nhwc: boolean): PrimFunc {
  const data = placeholder(nhwc ? [1, hw, hw, c] : [1, c, hw, hw], "int8", "data");
  const weight = placeholder(nhwc ? [3, 3, c, o] : [o, c, 3, 3], "int8", "weight");
  return toPrimFunc("conv_i8", [data, weight], [
    conv2d(data, weight, { outDtype: "int32", padding, layout: nhwc ? "NHWC" : "NCHW" }),
  ]);
}

const U7: ValueRange = [0, 127];

const CASES: [string, PrimFunc, Record<string, ValueRange>][] = [
  ["matmul 24×40×64, B in [0, 127]", gemmFunc(24, 40, 64), { B: U7 }],
  ["matmul 24×40×64, A in [0, 127]", gemmFunc(24, 40, 64), { A: U7 }],
  ["dense 24×40×64, B in [0, 127]", gemmFunc(24, 40, 64, true), { B: U7 }],
  ["matmul 13×29×37 (padded), B in [0, 127]", gemmFunc(13, 29, 37), { B: U7 }],
  ["matmul 16×16×32, B in [3, 9]", gemmFunc(16, 16, 32), { B: [3, 9] }],
  ["conv2d NCHW 8→16 10×10 pad 1, data in [0, 127]", conv(8, 16, 10, 1, false), { data: U7 }],
  ["conv2d NHWC 6→12 7×7 pad 1, weight in [0, 127]", conv(6, 12, 7, 1, true), { weight: U7 }],
];

for (const [name, plain, ranges] of CASES) {
  Deno.test(`cpu: int8 ${name} runs through cpu.mma_u7i8 by default, exact`, async () => {
    const f = withValueRanges(plain, ranges);
    const kernel = await build(f, cpu);
    const src = kernel.artifact.source;
    assert(src.includes("tsrc_mma_u7i8(&") && !src.includes("tsrc_mma_i8(&"), "the u7 kernel");
    for (const seed of [1, 2]) {
      const x = inputs(f, ranges, seed);
      const [got] = await kernel.run(x);
      assertEquals(toNumbers(got), toNumbers(runFunc(f, x)[0]));
    }
    assertEquals((kernel.stats() as CpuKernelStats).intrinsicShare, 1);
  });
}

Deno.test("cpu: the same int8 matmul without a declared range stays on cpu.mma_i8", async () => {
  const cases: Record<string, ValueRange>[] = [{}, { B: [-1, 127] }];
  for (const ranges of cases) {
    const f = withValueRanges(gemmFunc(24, 40, 64), ranges);
    const kernel = await build(f, cpu);
    const src = kernel.artifact.source;
    assert(src.includes("tsrc_mma_i8(&") && !src.includes("tsrc_mma_u7i8(&"), "the exact kernel");
    const x = inputs(f, ranges, 3);
    assertEquals(toNumbers((await kernel.run(x))[0]), toNumbers(runFunc(f, x)[0]));
    assertEquals((kernel.stats() as CpuKernelStats).intrinsicShare, 1);
  }
});

Deno.test("cpu: the extreme sums (−128 × 127 and 127 × 127 over all of k) are exact", async () => {
  const f = withValueRanges(gemmFunc(8, 8, 1024), { B: U7 });
  const kernel = await build(f, cpu);
  const a = ndarray(
    "int8",
    [8, 1024],
    Array.from({ length: 8 * 1024 }, (_, i) =>
      // rows 0-3 all −128, rows 4-7 all 127
      i < 4 * 1024 ? -128 : 127),
  );
  const b = ndarray("int8", [1024, 8], new Array(8 * 1024).fill(127));
  const [got] = await kernel.run([a, b]);
  const want = runFunc(f, [a, b])[0];
  assertEquals(toNumbers(got), toNumbers(want));
  assertEquals(toNumbers(got)[0], -128 * 127 * 1024);
  assertEquals(toNumbers(got)[63], 127 * 127 * 1024);
});

Deno.test("cpu: kernel.run refuses an input outside its declared range", async () => {
  const f = withValueRanges(gemmFunc(8, 8, 16), { B: U7 });
  const kernel = await build(f, cpu);
  const [a, b] = inputs(f, { B: U7 }, 1);
  b.data[5 * 8 + 3] = -7;
  const e = await kernel.run([a, b]).then(() => undefined, (x) => x);
  assert(e instanceof CallError && e.code === "CALL_VALUE_RANGE", String(e));
  assert(e.message.includes("B[5, 3] = -7"), e.message);
});

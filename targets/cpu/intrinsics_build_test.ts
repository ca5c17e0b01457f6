/**
 * GEMM-like kernels built for the cpu through its intrinsics: int8 matmul, dense and conv2d go
 * through `cpu.mma_i8` by default (aligned and unaligned shapes) and equal the interpreter
 * exactly, with `intrinsicShare` 1 in the kernel's stats; float32 keeps the `gemm` rule by
 * default (share 0) and runs through `cpu.mma_f32` when scheduled with it; `cpu.dot_i8x4` still
 * works when asked for.
 */
import type { PrimFunc } from "../../ir/func.ts";
import { runFunc } from "../../ir/interp/mod.ts";
import { type NDArray, randomNDArray, toNumbers } from "../../ir/ndarray.ts";
import { conv2d } from "../../ir/ops/conv.ts";
import { toPrimFunc } from "../../ir/ops/func.ts";
import { placeholder } from "../../ir/te.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { build } from "../../sdk/mod.ts";
import { applyDefaultRules } from "../../tensorize/default/default_schedule.ts";
import { gemmFunc } from "../../tensorize/default/intrinsic_rule_testing.ts";
import { elementwiseFunc } from "../../tensorize/testing.ts";
import cpu from "./mod.ts";
import type { CpuKernelStats } from "./intrinsics_stats.ts";

/** Spread an int8 array over all of [-128, 127] (extremes included). */
function fullRange(a: NDArray, step: number): NDArray {
  a.data.forEach((_, i) => (a.data[i] = ((i * step + 11) % 256) - 128));
  return a;
}

function inputs(f: PrimFunc): NDArray[] {
  return f.params.slice(0, 2).map((p, k) => {
    if (p.kind !== "Buffer") throw new Error("a buffer parameter");
    const shape = p.shape.map((d) => (d.kind === "IntImm" ? d.value : 0));
    const a = randomNDArray(p.dtype, shape, 3 + k);
    return p.dtype === "int8" ? fullRange(a, k ? 101 : 37) : a;
  });
}

function conv(c: number, o: number, h: number, w: number, padding = 0, nhwc = false): PrimFunc {
  const data = placeholder(nhwc ? [1, h, w, c] : [1, c, h, w], "int8", "data");
  const weight = placeholder(nhwc ? [3, 3, c, o] : [o, c, 3, 3], "int8", "weight");
  const layout = nhwc ? "NHWC" : "NCHW";
  return toPrimFunc("conv_i8", [data, weight], [
    conv2d(data, weight, { outDtype: "int32", padding, layout }),
  ]);
}

const INT8: [string, PrimFunc][] = [
  ["matmul 24×40×64", gemmFunc(24, 40, 64)],
  ["dense 24×40×64", gemmFunc(24, 40, 64, true)],
  ["matmul 13×29×37 (padded)", gemmFunc(13, 29, 37)],
  ["conv2d 8→16 10×10", conv(8, 16, 10, 10)],
  // padEinsum pads the output channels (12 → 16) and a window's spatial variable (10 → 12)
  ["conv2d 16→12 10×10 pad 1 (padded)", conv(16, 12, 10, 10, 1)],
  ["conv2d NHWC 6→12 7×7 pad 1 (padded)", conv(6, 12, 7, 7, 1, true)],
];

for (const [name, f] of INT8) {
  Deno.test(`cpu: int8 ${name} runs through cpu.mma_i8 by default, exact`, async () => {
    const kernel = await build(f, cpu);
    assert(kernel.artifact.source.includes("tsrc_mma_i8(&"), "the micro-kernel is called");
    const x = inputs(f);
    const [got] = await kernel.run(x);
    assertEquals(toNumbers(got), toNumbers(runFunc(f, x)[0]));
    const s = kernel.stats() as CpuKernelStats;
    assertEquals(s.intrinsicShare, 1);
    assert(s.intrinsicMacs >= s.macs && s.macs > 0, `${s.intrinsicMacs} vs ${s.macs}`);
  });
}

function close(got: NDArray, want: NDArray): void {
  const a = toNumbers(got), b = toNumbers(want);
  a.forEach((x, i) =>
    assert(Math.abs(x - b[i]) <= 1e-4 * Math.max(1, Math.abs(b[i])), `${x} vs ${b[i]}`)
  );
}

Deno.test("cpu: float32 matmul keeps the gemm rule by default (share 0), cpu.mma_f32 on request", async () => {
  const f = gemmFunc(20, 24, 12, false, "float32");
  const x = inputs(f);
  const [want] = runFunc(f, x);
  const plain = await build(f, cpu);
  close((await plain.run(x))[0], want);
  assertEquals(plain.stats()?.intrinsicShare, 0);
  const mma = cpu.intrinsics.filter((i) => i.name === "cpu.mma_f32");
  const scheduled = applyDefaultRules(f, { intrinsics: mma }).schedule.func;
  const kernel = await build(scheduled, cpu);
  assert(kernel.artifact.source.includes("tsrc_mma_f32(&"));
  close((await kernel.run(x))[0], want);
  assertEquals(kernel.stats()?.intrinsicShare, 1);
});

Deno.test("cpu: int8 matmul through the single relaxed dot cpu.dot_i8x4 when asked", async () => {
  const f = gemmFunc(8, 12, 16, true);
  const dot = cpu.intrinsics.filter((i) => i.name === "cpu.dot_i8x4");
  const kernel = await build(applyDefaultRules(f, { intrinsics: dot }).schedule.func, cpu);
  assert(kernel.artifact.source.includes("tsrc_dot_i8x4(&"));
  const x = inputs(f);
  const [got] = await kernel.run(x);
  assertEquals(toNumbers(got), toNumbers(runFunc(f, x)[0]));
  assertEquals(kernel.stats()?.intrinsicShare, 1);
});

Deno.test("cpu: a kernel without multiply-accumulates reports no intrinsic share", async () => {
  const f = elementwiseFunc(4, 8);
  const kernel = await build(f, cpu);
  await kernel.run([randomNDArray("float32", [4, 8], 1)]);
  const s = kernel.stats() as CpuKernelStats;
  assertEquals([s.intrinsicShare, s.macs, s.intrinsicMacs], [undefined, 0, 0]);
});

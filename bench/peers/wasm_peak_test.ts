import { assert, assertEquals } from "../../ir/test_util.ts";
import { caseFlops, WASM_PEAK } from "../cases.ts";
import { flopsPerTrip, PEAK_REGS, peakKernel, peakSource } from "./wasm_peak.ts";

Deno.test("peakSource: one update per register, fma or split multiply/add streams", () => {
  const split = peakSource(6, false), fma = peakSource(6, true);
  assertEquals(split.match(/wasm_f32x4_mul\(/g)?.length, 3);
  assertEquals(fma.match(/relaxed_madd\(/g)?.length, 6);
  assert(!fma.includes("wasm_f32x4_mul("));
  assertEquals(flopsPerTrip(PEAK_REGS, true), 2 * flopsPerTrip(PEAK_REGS, false));
  assert(caseFlops(WASM_PEAK) % flopsPerTrip(PEAK_REGS, false) === 0);
});

/** What the kernel returns: registers a_i start at i+1; even ones ·x, odd ones +y (or fma). */
function expected(iters: number, x: number, y: number, fma: boolean): number {
  let s = 0;
  for (let i = 0; i < PEAK_REGS; i++) {
    let a = i + 1;
    for (let t = 0; t < iters; t++) {
      a = Math.fround(fma ? a * x + y : i % 2 === 0 ? a * x : a + y);
    }
    s = Math.fround(s + a);
  }
  return Math.fround(2 * s); // lanes 0 and 3 are equal
}

Deno.test("peakKernel: the compiled kernels compute what their source says", async () => {
  const split = await peakKernel(false);
  assertEquals(split(3, 2, 1), expected(3, 2, 1, false));
  assertEquals(split(0, 2, 1), expected(0, 2, 1, false));
  const fma = await peakKernel(true);
  // Small integers: exact whether or not the multiply-add is fused.
  assertEquals(fma(2, 2, 1), expected(2, 2, 1, true));
});

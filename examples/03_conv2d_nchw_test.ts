import { assert } from "../ir/test_util.ts";
import { printFunc } from "../ir/script/mod.ts";
import { runFunc } from "../ir/interp/mod.ts";
import { build } from "../sdk/mod.ts";
import cpu from "../targets/cpu/mod.ts";
import { assertClose, assertEquivalent, assertTraceRoundTrip } from "../tensorize/testing.ts";
import { conv2dFunction, conv2dInputs, conv2dNCHWSchedule } from "./03_conv2d_nchw.ts";

// (batch, in channels, size, out channels): tile-aligned, and with tails in both tile axes.
const SHAPES = [[1, 3, 8, 8], [2, 2, 7, 6]];

Deno.test("03 conv2d NCHW: the schedule computes the convolution (interpreter), traces round-trip", () => {
  for (const [n, c, s, o] of SHAPES) {
    const f = conv2dFunction("NCHW", n, c, s, o);
    for (const threads of [1, 2]) {
      const sch = conv2dNCHWSchedule(f, { threads });
      assertEquivalent(f, sch.func, 2, { rtol: 1e-5, seeds: [1] });
      assertTraceRoundTrip(sch, f);
    }
  }
  const text = printFunc(conv2dNCHWSchedule(conv2dFunction("NCHW", 1, 3, 8, 8)).func);
  for (const part of ["W_global", "Y_local", "fma(", "vectorized"]) assert(text.includes(part));
});

Deno.test("03 conv2d NCHW: built for cpu", async () => {
  const f = conv2dFunction("NCHW", 1, 5, 10, 8);
  const inputs = conv2dInputs(f, 4);
  const want = runFunc(f, inputs);
  for (const threads of [1, 2]) {
    const kernel = await build(conv2dNCHWSchedule(f, { threads }).func, cpu);
    assertClose(await kernel.run(inputs), want, 1e-5);
  }
});

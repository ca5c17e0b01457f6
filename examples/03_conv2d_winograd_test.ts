import { assert, assertThrows } from "../ir/test_util.ts";
import { printFunc } from "../ir/script/mod.ts";
import { runFunc } from "../ir/interp/mod.ts";
import { OpError } from "../ir/ops/errors.ts";
import { build } from "../sdk/mod.ts";
import cpu from "../targets/cpu/mod.ts";
import { assertClose, assertEquivalent, assertTraceRoundTrip } from "../tensorize/testing.ts";
import { conv2dFunction, conv2dInputs } from "./03_conv2d_nchw.ts";
import { conv2dWinogradFunction, winogradSchedule } from "./03_conv2d_winograd.ts";

// (batch, in channels, size, out channels): one and two images, odd channel counts (tails of
// the 8-wide vector columns).
const SHAPES = [[1, 3, 8, 5], [2, 2, 16, 8]];

const LAYOUTS = ["NCHW", "NHWC"] as const;

Deno.test("03 Winograd: computes the library's conv2d (interpreter), within fp32 rounding", () => {
  for (const layout of LAYOUTS) {
    for (const [n, c, s, o] of SHAPES) {
      const direct = conv2dFunction(layout, n, c, s, o);
      const inputs = conv2dInputs(direct, 3);
      const wino = conv2dWinogradFunction(n, c, s, o, layout);
      assertClose(runFunc(wino, inputs), runFunc(direct, inputs), 1e-5);
    }
  }
});

Deno.test("03 Winograd: the schedule computes the function (interpreter), traces round-trip", () => {
  for (const [[n, c, s, o], layout] of SHAPES.flatMap((x) => LAYOUTS.map((l) => [x, l] as const))) {
    const f = conv2dWinogradFunction(n, c, s, o, layout);
    for (const threads of [1, 2]) {
      const sch = winogradSchedule(f, { threads });
      assertEquivalent(f, sch.func, 2, { seeds: [1] });
      assertTraceRoundTrip(sch, f);
    }
  }
  const text = printFunc(winogradSchedule(conv2dWinogradFunction(1, 2, 8, 8)).func);
  for (const part of ['alloc D: buffer<float32>[1, 4, 1, 2, 4, 4, 4](scope="local")', "M_local"]) {
    assert(text.includes(part), part);
  }
  for (const part of ["fma(", "buffer_dim_align", "unrolled"]) assert(text.includes(part), part);
});

Deno.test("03 Winograd: built for cpu, equal to the direct convolution", async () => {
  for (const [layout, threads] of [["NCHW", 1], ["NCHW", 2], ["NHWC", 1]] as const) {
    const direct = conv2dFunction(layout, 1, 5, 16, 8);
    const inputs = conv2dInputs(direct, 4);
    const want = runFunc(direct, inputs);
    const f = winogradSchedule(conv2dWinogradFunction(1, 5, 16, 8, layout), { threads }).func;
    const kernel = await build(f, cpu);
    assertClose(await kernel.run(inputs), want, 1e-5);
    // The gathered tile shrinks to the 16 floats of one tile (registers), not a copy of P.
    assert(/float D(_\d+)?\[16\]/.test(kernel.source), "D is one 4 × 4 tile");
  }
});

Deno.test("03 Winograd: sizes the tiling cannot cover are refused with OP_BAD_PARAM", () => {
  const e = assertThrows(() => conv2dWinogradFunction(1, 2, 6, 2), OpError);
  assert(e.code === "OP_BAD_PARAM" && e.message.includes('"size"'), e.message);
});

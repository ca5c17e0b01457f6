/**
 * int8 conv2d whose input channels per group are not a multiple of 4 (the packed axis of
 * `gpu.dot4_i8`): auto-tensorization pads them with `padEinsum` (the data copy widened where a
 * padded variable sits in a window or a group offset) and the result equals the interpreter.
 */
import { findOp } from "../../ir/ops/catalog.ts";
import { input, opCase } from "../../ir/ops/descriptor.ts";
import { assert } from "../../ir/test_util.ts";
import gpu from "./mod.ts";
import { applyGpuSchedule } from "./schedule.ts";
import { checkOnGpu, gpuTest } from "./testing.ts";

gpuTest(
  "gpu intrinsics: int8 conv2d with 3 or 5 channels per group padded onto dot4I8Packed",
  async () => {
    if (!gpu.intrinsics.length) return; // the adapter's WGSL lacks packed_4x8_integer_dot_product
    const conv = findOp("conv2d");
    const i8 = (name: string, shape: number[]) => input(name, shape, "int8");
    const cases = [
      opCase([i8("data", [1, 6, 6, 6]), i8("weight", [4, 3, 3, 3])], {
        groups: 2,
        padding: 1,
        outDtype: "int32",
      }),
      opCase([i8("data", [1, 5, 6, 6]), i8("weight", [3, 5, 3, 3])], {
        padding: 1,
        outDtype: "int32",
      }),
      opCase([i8("data", [1, 6, 6, 6]), i8("weight", [3, 3, 3, 4])], {
        layout: "NHWC",
        groups: 2,
        padding: 1,
        outDtype: "int32",
      }),
    ];
    for (const c of cases) {
      const f = conv.build(c);
      const r = applyGpuSchedule(f, { intrinsics: gpu.intrinsics });
      assert(r.decisions.some((d) => d.rule === "dot4_i8"), JSON.stringify(r.decisions));
      assert(r.schedule.trace.toScript().includes("sch.padEinsum("), "padded");
      const kernel = await checkOnGpu(r.schedule.func, conv.makeInputs(c, 5), {}, f);
      assert(kernel.source.includes("dot4I8Packed("), kernel.source);
    }
  },
);

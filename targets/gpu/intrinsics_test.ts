import { findOp } from "../../ir/ops/catalog.ts";
import { input, opCase } from "../../ir/ops/descriptor.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { validateTarget } from "../../sdk/validate.ts";
import gpu from "./mod.ts";
import { gpuIntrinsics } from "./intrinsics.ts";
import { applyGpuSchedule } from "./schedule.ts";
import { alignedFactor } from "./schedule_intrin.ts";
import { checkOnGpu, gpuTest } from "./testing.ts";

Deno.test("gpu intrinsics: dot4_i8 only where WGSL has packed 4x8 dot products", () => {
  assertEquals(gpuIntrinsics(new Set()).length, 0);
  const [dot] = gpuIntrinsics(new Set(["packed_4x8_integer_dot_product"]));
  assertEquals(dot.name, "gpu.dot4_i8");
  assertEquals(dot.description.params.length, 3);
});

gpuTest("gpu intrinsics: validateTarget runs dot4_i8 against its description", async () => {
  const r = await validateTarget(gpu, { trials: 2 });
  assert(r.ok, r.problems.map((p) => p.message).join("\n"));
  if (gpu.intrinsics.length) assert(r.intrinsics.every((x) => x.ok && x.trials > 0));
});

gpuTest(
  "gpu intrinsics: int8 GEMMs auto-tensorized onto dot4I8Packed equal the interpreter",
  async () => {
    if (!gpu.intrinsics.length) return; // the adapter's WGSL lacks packed_4x8_integer_dot_product
    const mm = findOp("matmul");
    // k = 19: padded to 20; odd offsets exercise the funnel-shifted word loads
    for (const [m, k, n] of [[6, 19, 5], [33, 64, 17]]) {
      const c = opCase([input("a", [m, k], "int8"), input("b", [k, n], "int8")], {
        outDtype: "int32",
      });
      const f = mm.build(c);
      const r = applyGpuSchedule(f, { intrinsics: gpu.intrinsics });
      assertEquals(r.decisions[0].rule, "dot4_i8");
      const kernel = await checkOnGpu(r.schedule.func, mm.makeInputs(c, 3), {}, f);
      assert(kernel.source.includes("dot4I8Packed("), kernel.source);
    }
  },
);

gpuTest(
  "gpu intrinsics: int8 conv2d (NCHW and NHWC) auto-tensorized onto dot4I8Packed equal the interpreter",
  async () => {
    if (!gpu.intrinsics.length) return; // the adapter's WGSL lacks packed_4x8_integer_dot_product
    const conv = findOp("conv2d");
    const i8 = (name: string, shape: number[]) => input(name, shape, "int8");
    const cases = [
      // in-channels on the packed axis: 4 (one group of 4), 8 with strides, 2 groups of 4
      opCase([i8("data", [1, 4, 6, 6]), i8("weight", [3, 4, 3, 3])], {
        padding: 1,
        outDtype: "int32",
      }),
      opCase([i8("data", [1, 8, 7, 6]), i8("weight", [5, 8, 3, 2])], {
        strides: [2, 1],
        padding: [1, 0, 1, 1],
        outDtype: "int32",
      }),
      opCase([i8("data", [1, 6, 6, 8]), i8("weight", [3, 3, 8, 4])], {
        layout: "NHWC",
        padding: 1,
        outDtype: "int32",
      }),
      opCase([i8("data", [2, 5, 5, 8]), i8("weight", [3, 3, 4, 6])], {
        layout: "NHWC",
        groups: 2,
        strides: 2,
        padding: 1,
        outDtype: "int32",
      }),
    ];
    for (const c of cases) {
      const f = conv.build(c);
      const r = applyGpuSchedule(f, { intrinsics: gpu.intrinsics });
      assert(r.decisions.some((d) => d.rule === "dot4_i8"), JSON.stringify(r.decisions));
      assert(!r.decisions.some((d) => d.rule === "single"), JSON.stringify(r.decisions));
      const kernel = await checkOnGpu(r.schedule.func, conv.makeInputs(c, 5), {}, f);
      assert(kernel.source.includes("dot4I8Packed("), kernel.source);
    }
  },
);

Deno.test("gpu intrinsics: the tensorized nest is split at a factor that keeps bindings affine", () => {
  assertEquals(alignedFactor([1, 3, 6, 6], 64), 36);
  assertEquals(alignedFactor([33, 17], 64), 51);
  assertEquals(alignedFactor([7, 64], 64), 64);
  assertEquals(alignedFactor([5, 7], 64), 35);
  assertEquals(alignedFactor([97], 64), 1);
});

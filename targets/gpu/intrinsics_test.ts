import { findOp } from "../../ir/ops/catalog.ts";
import { input, opCase } from "../../ir/ops/descriptor.ts";
import { assert, assertEquals } from "../../ir/test_util.ts";
import { validateTarget } from "../../sdk/validate.ts";
import gpu from "./mod.ts";
import { gpuIntrinsics } from "./intrinsics.ts";
import { applyGpuSchedule } from "./schedule.ts";
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

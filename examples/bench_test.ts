import { assert, assertEquals } from "../ir/test_util.ts";
import { handKernelsOf } from "../bench/peers/tessera_hand.ts";
import { isScheduled } from "../ir/func.ts";
import * as bench from "./bench.ts";

Deno.test("examples/bench.ts: hand kernels for matmul and conv2d on 1 and 2 threads", () => {
  const kernels = handKernelsOf(bench as unknown as Record<string, unknown>);
  const cases = new Set(kernels.map((k) => k.case));
  for (const id of ["matmul_f32_256", "matmul_f32_512", "matmul_f32_1024"]) assert(cases.has(id));
  assert(cases.has("conv2d_f32_1x64x56x56_k3"));
  assertEquals([...new Set(kernels.map((k) => k.threads))], [1, 2]);
  const convLabels = kernels.filter((k) => k.case === "conv2d_f32_1x64x56x56_k3" && k.threads === 1)
    .map((k) => k.label);
  assertEquals(convLabels, ["NCHW", "NHWC", "NCHW Winograd", "NHWC Winograd"]);
  for (const k of kernels.filter((k) => k.case === "matmul_f32_256" || k.layout)) {
    const f = k.func() as ReturnType<typeof bench.HAND_KERNELS[0]["func"]>;
    assert(isScheduled(f), `${k.case} is a scheduled function`);
    assertEquals(f.params.length, 3);
  }
});

import { assert, assertEquals } from "../../ir/test_util.ts";
import { caseInputs, type Conv2dCase, matmulCase, WASM_PEAK } from "../cases.ts";
import { relativeError } from "../harness.ts";
import { ortNode } from "./ort_node.ts";
import { tsLoop } from "./ts_loop.ts";
import type { BenchCase } from "../cases.ts";

async function loopOut(c: BenchCase, ins: Float32Array[]): Promise<Float32Array> {
  const p = await tsLoop.prepare(c, ins);
  await p.run();
  return await p.result();
}

Deno.test("ortNode: prepare/run/result agree with ts-loop on 1 and 2 threads", async () => {
  const conv: Conv2dCase = {
    id: "cv",
    kind: "conv2d",
    batch: 1,
    inC: 4,
    h: 9,
    w: 8,
    outC: 5,
    kernel: 3,
    pad: 1,
    stride: 1,
  };
  for (const threads of [1, 2]) {
    const impl = ortNode(threads);
    await impl.init();
    assertEquals(impl.threads(), threads);
    assert(!impl.supports(WASM_PEAK));
    for (const c of [matmulCase(9, 17, 6), matmulCase(1, 64, 32), conv]) {
      const ins = caseInputs(c, 7);
      const p = await impl.prepare(c, ins);
      await p.run();
      const got = await p.result();
      const err = relativeError(got, await loopOut(c, ins));
      assert(err < 1e-5, `${c.id} on ${threads} threads: relative error ${err}`);
      got.fill(0);
      assert((await p.result()).some((x) => x !== 0), "result() is a copy");
      await p.dispose();
    }
  }
});

import { assert, assertEquals } from "../../test_util.ts";
import { type NDArray, randomNDArray, toNumbers } from "../../ndarray.ts";
import { GraphExecutor } from "../executor.ts";
import { targetBackend } from "../../../sdk/graph_backend.ts";
import cpu from "../../../targets/cpu/mod.ts";
import { concrete, MODELS } from "../../../conformance/models/mod.ts";
import { runOrt } from "../../../conformance/models/ort.ts";
import { importOnnx } from "./import.ts";

/** Largest |got − want| relative to the largest |want|. */
function relError(got: NDArray, want: NDArray): number {
  assertEquals(got.shape, want.shape);
  const g = toNumbers(got);
  const w = toNumbers(want);
  const scale = Math.max(...w.map(Math.abs), 1e-6);
  return Math.max(...w.map((v, i) => Math.abs(g[i] - v))) / scale;
}

Deno.test("three models: imported, run by the graph executor (interpreter), equal onnxruntime at several sizes", async () => {
  const sizes = [{ N: 1, batch: 1, seq: 3 }, { N: 4, batch: 2, seq: 6 }];
  for (const m of MODELS) {
    const bytes = m.build();
    const ex = new GraphExecutor(importOnnx(bytes));
    for (const [k, s] of sizes.entries()) {
      const x = randomNDArray("float32", concrete(m.inputShape, s), 20 + k);
      const [want] = await runOrt(bytes, { [m.input]: x });
      const [got] = await ex.run([x]);
      const err = relError(got, want);
      assert(err < 1e-5, `${m.name} at ${JSON.stringify(s)}: relative error ${err}`);
    }
    const compiled = ex.compiledCount;
    await ex.run([randomNDArray("float32", concrete(m.inputShape, { N: 2, batch: 3, seq: 5 }), 1)]);
    assertEquals(ex.compiledCount, compiled, `${m.name}: a new size prepared new kernels`);
  }
});

Deno.test("MLP: import, build for cpu, run — equals onnxruntime-node", async () => {
  const bytes = MODELS[0].build();
  // The three-line path of docs/onnx.md.
  const mod = importOnnx(bytes);
  const ex = new GraphExecutor(mod, { backend: await targetBackend(cpu) });
  const x = randomNDArray("float32", [3, 16], 7);
  const [y] = await ex.run([x]);
  const [want] = await runOrt(bytes, { x });
  const err = relError(y, want);
  assert(err < 1e-5, `relative error ${err}`);
  ex.dispose();
});

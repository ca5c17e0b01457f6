import { assert, assertEquals } from "../../ir/test_util.ts";
import { randomNDArray, toNumbers } from "../../ir/ndarray.ts";
import { refBinary, refDense, refMatmul, refSoftmax, refUnary } from "../../ir/ops/reference.ts";
import { decodeOnnx } from "../../ir/graph/onnx/decode.ts";
import { concrete, MODELS } from "./mod.ts";
import { mlpModel } from "./mlp.ts";
import { runOrt } from "./ort.ts";

Deno.test("model writers: deterministic files whose declared shapes keep the symbolic sizes", () => {
  for (const m of MODELS) {
    const a = m.build();
    assertEquals(a, m.build(), `${m.name}: two builds differ`);
    const g = decodeOnnx(a).graph;
    assertEquals(g.inputs.map((v) => [v.name, v.shape]), [[m.input, m.inputShape]], m.name);
    assertEquals(g.outputs.map((v) => [v.name, v.shape]), [[m.output, m.outputShape]], m.name);
  }
});

Deno.test("model writers: onnxruntime-node loads each model and runs it at two sets of sizes", async () => {
  const sizes = [{ N: 1, batch: 1, seq: 7 }, { N: 3, batch: 2, seq: 5 }];
  for (const m of MODELS) {
    for (const [k, s] of sizes.entries()) {
      const x = randomNDArray("float32", concrete(m.inputShape, s), 10 + k);
      const [y] = await runOrt(m.build(), { [m.input]: x });
      assertEquals(y.shape, concrete(m.outputShape, s), m.name);
      const ys = toNumbers(y);
      assert(ys.every(Number.isFinite), `${m.name}: non-finite output`);
      const spread = Math.max(...ys) - Math.min(...ys);
      assert(spread > 1e-3, `${m.name}: output is (nearly) constant`);
    }
  }
});

Deno.test("mlp model: onnxruntime-node computes what the op library's references compute", async () => {
  const bytes = mlpModel();
  const w = decodeOnnx(bytes).graph.initializers;
  const x = randomNDArray("float32", [4, 16], 5);
  const relu = (a: Parameters<typeof refUnary>[1]) => refUnary("relu", a);
  const a1 = relu(refDense(x, w.get("fc1.weight")!, w.get("fc1.bias")!));
  const a2 = relu(refBinary("add", refMatmul(a1, w.get("fc2.weight")!), w.get("fc2.bias")!));
  const want = refSoftmax(refDense(a2, w.get("fc3.weight")!, w.get("fc3.bias")!), { axis: -1 });
  const [got] = await runOrt(bytes, { x });
  assertEquals(got.shape, want.shape);
  for (let i = 0; i < want.data.length; i++) {
    assert(Math.abs(Number(got.data[i]) - Number(want.data[i])) < 1e-5, `element ${i}`);
  }
});

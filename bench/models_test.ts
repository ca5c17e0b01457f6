import { assert, assertEquals } from "../ir/test_util.ts";
import { MLP } from "../conformance/models/mlp.ts";
import { caseFlops, inputShapes, outputShape } from "./cases.ts";
import { MODEL_SIZES, modelBenchCases } from "./models.ts";

Deno.test("model bench cases: fixed sizes, shapes of the ONNX graphs, FLOPs counted from the kernels", async () => {
  const cases = await modelBenchCases();
  assertEquals(cases.map((c) => c.id), [
    "model_mlp_b1",
    "model_cnn_b1",
    "model_transformer_b1_s32",
  ]);
  const [mlp, , transformer] = cases;
  assertEquals(inputShapes(mlp), [[1, MLP.inputs]]);
  assertEquals(outputShape(mlp), [1, MLP.classes]);
  assertEquals(inputShapes(transformer)[0].slice(0, 2), [1, MODEL_SIZES.seq]);
  // the MLP's three layers: 2 per multiply-add, plus bias adds, relus and the softmax
  const { inputs: i, hidden1: h1, hidden2: h2, classes: c } = MLP;
  const macs = i * h1 + h1 * h2 + h2 * c;
  assert(
    caseFlops(mlp) > 2 * macs && caseFlops(mlp) < 2 * macs + 20 * (h1 + h2 + c),
    String(caseFlops(mlp)),
  );
  for (const k of cases) assert(caseFlops(k) > 0, k.id);
});

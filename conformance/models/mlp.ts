/**
 * An MLP classifier head as an ONNX file (opset 17): `x[N, 16]` → Gemm(32, transB) → Relu →
 * MatMul(24) + Add → Relu → Gemm(10, transB) → Softmax → `y[N, 10]`, the batch `N` symbolic.
 *
 * @module
 */
import { encodeModelProto } from "../../ir/graph/onnx/codec.ts";
import { modelOf, node, tensorInfo } from "../../ir/graph/onnx/write.ts";
import { Weights } from "./weights.ts";

/** Sizes of the MLP. */
export const MLP = { inputs: 16, hidden1: 32, hidden2: 24, classes: 10 } as const;

/**
 * The MLP's ONNX bytes; weights are deterministic in `seed`.
 *
 * @example
 * ```ts
 * import { mlpModel } from "./mlp.ts";
 * console.assert(mlpModel().length > 1000);
 * ```
 */
export function mlpModel(seed = 1): Uint8Array {
  const { inputs, hidden1, hidden2, classes } = MLP;
  const w = new Weights(seed);
  w.uniform("fc1.weight", [hidden1, inputs], inputs);
  w.uniform("fc1.bias", [hidden1], inputs);
  w.uniform("fc2.weight", [hidden1, hidden2], hidden1);
  w.uniform("fc2.bias", [hidden2], hidden1);
  w.uniform("fc3.weight", [classes, hidden2], hidden2);
  w.uniform("fc3.bias", [classes], hidden2);
  return encodeModelProto(modelOf({
    name: "mlp",
    input: [tensorInfo("x", "float32", ["N", inputs])],
    output: [tensorInfo("y", "float32", ["N", classes])],
    initializer: w.all,
    node: [
      node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h1"], { transB: 1 }, "fc1"),
      node("Relu", ["h1"], ["a1"], {}, "relu1"),
      node("MatMul", ["a1", "fc2.weight"], ["m2"], {}, "fc2"),
      node("Add", ["m2", "fc2.bias"], ["h2"], {}, "fc2_bias"),
      node("Relu", ["h2"], ["a2"], {}, "relu2"),
      node("Gemm", ["a2", "fc3.weight", "fc3.bias"], ["logits"], { transB: 1 }, "fc3"),
      node("Softmax", ["logits"], ["y"], { axis: -1 }, "softmax"),
    ],
  }));
}

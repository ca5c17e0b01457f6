/**
 * A small residual CNN as an ONNX file (opset 17): `x[N, 3, 16, 16]` → Conv 3×3 (8) →
 * BatchNormalization → Relu → MaxPool 2×2/2 → a residual block (Conv → BN → Relu → Conv → BN,
 * Add the block's input, Relu) → GlobalAveragePool → Flatten → Gemm(10) → `y[N, 10]`.
 *
 * @module
 */
import { encodeModelProto } from "../../ir/graph/onnx/codec.ts";
import type { NodeProto } from "../../ir/graph/onnx/codec.ts";
import { floatAttr, modelOf, node, tensorInfo } from "../../ir/graph/onnx/write.ts";
import { Weights } from "./weights.ts";

/** Sizes of the CNN. */
export const CNN = { channels: 3, size: 16, width: 8, classes: 10 } as const;

/** Conv 3×3 pad 1 then BatchNormalization: the weights, and two nodes `input → out`. */
function convBn(
  w: Weights,
  name: string,
  input: string,
  out: string,
  inC: number,
  outC: number,
): NodeProto[] {
  w.uniform(`${name}.weight`, [outC, inC, 3, 3], inC * 9);
  w.uniform(`${name}.bias`, [outC], inC * 9);
  w.range(`${name}.bn.scale`, [outC], 0.5, 1.5);
  w.range(`${name}.bn.shift`, [outC], -0.2, 0.2);
  w.range(`${name}.bn.mean`, [outC], -0.2, 0.2);
  w.range(`${name}.bn.var`, [outC], 0.5, 1.5);
  return [
    node("Conv", [input, `${name}.weight`, `${name}.bias`], [`${name}.conv`], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
      strides: [1, 1],
    }, name),
    node(
      "BatchNormalization",
      [`${name}.conv`, `${name}.bn.scale`, `${name}.bn.shift`, `${name}.bn.mean`, `${name}.bn.var`],
      [out],
      { epsilon: floatAttr("epsilon", 1e-5) },
      `${name}.bn`,
    ),
  ];
}

/**
 * The CNN's ONNX bytes; weights are deterministic in `seed`.
 *
 * @example
 * ```ts
 * import { cnnModel } from "./cnn.ts";
 * console.assert(cnnModel().length > 1000);
 * ```
 */
export function cnnModel(seed = 2): Uint8Array {
  const { channels, size, width, classes } = CNN;
  const w = new Weights(seed);
  const nodes = [
    ...convBn(w, "stem", "x", "stem.out", channels, width),
    node("Relu", ["stem.out"], ["stem.act"], {}, "stem.relu"),
    node("MaxPool", ["stem.act"], ["pool"], { kernel_shape: [2, 2], strides: [2, 2] }, "pool"),
    ...convBn(w, "block.conv1", "pool", "block.bn1", width, width),
    node("Relu", ["block.bn1"], ["block.act1"], {}, "block.relu1"),
    ...convBn(w, "block.conv2", "block.act1", "block.bn2", width, width),
    node("Add", ["block.bn2", "pool"], ["block.sum"], {}, "block.residual"),
    node("Relu", ["block.sum"], ["block.out"], {}, "block.relu2"),
    node("GlobalAveragePool", ["block.out"], ["gap"], {}, "gap"),
    node("Flatten", ["gap"], ["flat"], { axis: 1 }, "flatten"),
    node("Gemm", ["flat", "fc.weight", "fc.bias"], ["y"], { transB: 1 }, "fc"),
  ];
  w.uniform("fc.weight", [classes, width], width);
  w.uniform("fc.bias", [classes], width);
  return encodeModelProto(modelOf({
    name: "cnn",
    input: [tensorInfo("x", "float32", ["N", channels, size, size])],
    output: [tensorInfo("y", "float32", ["N", classes])],
    initializer: w.all,
    node: nodes,
  }));
}

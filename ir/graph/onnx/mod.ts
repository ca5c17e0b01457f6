/**
 * ONNX import: decode an `.onnx` file into typed plain data (`decodeOnnx`), import it as a
 * graph-level module (`importOnnx`), then run it with the graph executor on any backend. See
 * `docs/onnx.md`.
 *
 * ```ts
 * import { importOnnx } from "./mod.ts";
 * import { encodeModelProto, modelOf, node, tensorInfo } from "./mod.ts";
 * import { GraphExecutor } from "../executor.ts";
 * import { ndarray } from "../../ndarray.ts";
 * const bytes = encodeModelProto(modelOf({
 *   name: "g",
 *   node: [node("Relu", ["x"], ["y"])],
 *   input: [tensorInfo("x", "float32", ["n"])],
 *   output: [tensorInfo("y", "float32", ["n"])],
 * }));
 * const ex = new GraphExecutor(importOnnx(bytes));
 * const [y] = await ex.run([ndarray("float32", [3], [-1, 0, 2])]);
 * console.assert(y.data[0] === 0 && y.data[2] === 2);
 * ```
 *
 * @module
 */
export { decodeOnnx, fromModelProto } from "./decode.ts";
export { importOnnx, ONNX_OPSET_RANGE, type OnnxImportOptions } from "./import.ts";
export { supportedOnnxOps } from "./op_table.ts";
export { OnnxError, type OnnxErrorCode } from "./errors.ts";
export type {
  OnnxAttribute,
  OnnxAttributeKind,
  OnnxDim,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxValueInfo,
} from "./model.ts";
export {
  type AttributeProto,
  decodeModelProto,
  type DimensionProto,
  encodeModelProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type TypeProto,
  type ValueInfoProto,
} from "./codec.ts";
export {
  floatAttr,
  floatsAttr,
  initializer,
  intAttr,
  intsAttr,
  modelOf,
  node,
  type OnnxAttrValue,
  stringAttr,
  tensorAttr,
  tensorInfo,
} from "./write.ts";
export { ATTR, dtypeOfOnnx, ONNX_TYPE, onnxOfDtype } from "./dtypes.ts";
export { tensorFromProto, tensorToProto } from "./tensor.ts";

/**
 * Single-op cases: MatMul/Gemm, convolutions, pools, norms, softmax, the DSL-function ops
 * (ConvTranspose, Resize, TopK, scatters, …), quantization.
 *
 * @module
 */
import { randomNDArray } from "../../ir/ndarray.ts";
import { floatAttr, floatsAttr, node, tensorInfo } from "../../ir/graph/onnx/write.ts";
import { f, fconst, fr, i64, ivec, type OpCase } from "./op_case.ts";

/** Linear-algebra, nn, index and quantization cases. */
export const NN_CASES: readonly OpCase[] = [
  { op: "MatMul", label: "batched", inputs: [f(2, 3, 4), f(2, 4, 5)] },
  {
    op: "MatMul",
    label: "constant weight",
    inputs: [f(2, 3, 4), {
      shape: [4, 5],
      value: [...randomNDArray("float32", [4, 5], 9).data] as number[],
    }],
  },
  { op: "MatMul", label: "vector", inputs: [f(4), f(2, 4, 5)] },
  { op: "MatMul", label: "2-D by vector", inputs: [f(3, 4), f(4)] },
  { op: "Gemm", inputs: [f(3, 4), f(5, 4), f(5)], attrs: { transB: 1 } },
  {
    op: "Gemm",
    label: "alpha beta transA",
    inputs: [f(4, 3), f(4, 5), f(3, 5)],
    attrs: { transA: 1, alpha: 0.5, beta: floatAttr("beta", 2) },
  },
  {
    op: "Conv",
    inputs: [f(1, 2, 6, 6), f(3, 2, 3, 3), f(3)],
    attrs: { pads: [1, 1, 1, 1], strides: [2, 2] },
  },
  {
    op: "Conv",
    label: "groups, dilation",
    inputs: [f(1, 4, 7, 7), f(4, 2, 3, 3)],
    attrs: { group: 2, dilations: [2, 2] },
  },
  {
    op: "Conv",
    label: "SAME_UPPER",
    inputs: [f(1, 2, 5, 6), f(3, 2, 2, 3)],
    attrs: { auto_pad: "SAME_UPPER", strides: [2, 2] },
  },
  { op: "Conv", label: "1-D", inputs: [f(2, 3, 9), f(4, 3, 3), f(4)], attrs: { pads: [1, 0] } },
  { op: "MaxPool", inputs: [f(1, 2, 6, 7)], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
  {
    op: "MaxPool",
    label: "padded",
    inputs: [f(1, 2, 5, 5)],
    attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
  },
  {
    op: "AveragePool",
    inputs: [f(1, 2, 6, 6)],
    attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] },
  },
  {
    op: "AveragePool",
    label: "count_include_pad",
    inputs: [f(1, 2, 5, 5)],
    attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 },
  },
  {
    op: "AveragePool",
    label: "1-D",
    inputs: [f(1, 2, 8)],
    attrs: { kernel_shape: [2], strides: [2] },
  },
  { op: "GlobalAveragePool", inputs: [f(2, 3, 4, 5)] },
  { op: "GlobalMaxPool", inputs: [f(2, 3, 4, 5)] },
  {
    op: "BatchNormalization",
    inputs: [
      f(2, 3, 4, 4),
      fconst([3], [1, 0.5, 2]),
      fconst([3], [0, 0.1, -0.2]),
      fconst([3], [0.1, -0.3, 0]),
      fconst([3], [1, 0.5, 2]),
    ],
    attrs: { epsilon: floatAttr("epsilon", 1e-3) },
  },
  {
    op: "BatchNormalization",
    label: "statistics as inputs",
    inputs: [f(2, 3, 4), f(3), f(3), f(3), fr(0.5, 2, 3)],
  },
  { op: "InstanceNormalization", inputs: [f(2, 3, 4, 5), f(3), f(3)] },
  { op: "LayerNormalization", inputs: [f(2, 3, 8), f(8), f(8)] },
  {
    op: "LayerNormalization",
    label: "axis 1, no bias",
    inputs: [f(2, 3, 4), f(3, 4)],
    attrs: { axis: 1 },
  },
  { op: "RMSNormalization", inputs: [f(2, 3, 8), f(8)], opset: 23 },
  {
    op: "RMSNormalization",
    label: "axis 1",
    inputs: [f(2, 3, 4), f(3, 4)],
    attrs: { axis: 1 },
    opset: 23,
  },
  {
    op: "Upsample",
    label: "opset 9 nearest",
    inputs: [f(1, 2, 3, 4), fconst([4], [1, 1, 2, 3])],
    opset: 9,
  },
  {
    op: "Upsample",
    label: "opset 9 linear",
    inputs: [f(1, 2, 3, 4), fconst([4], [1, 1, 2, 2])],
    attrs: { mode: "linear" },
    opset: 9,
  },
  {
    op: "Upsample",
    label: "opset 7 attribute",
    inputs: [f(1, 1, 2, 3)],
    attrs: { scales: floatsAttr("scales", [1, 1, 2, 2]) },
    opset: 7,
  },
  { op: "GlobalLpPool", inputs: [f(2, 3, 4, 5)] },
  { op: "GlobalLpPool", label: "p=3, 1-D", inputs: [f(2, 3, 6)], attrs: { p: 3 } },
  { op: "Softmax", inputs: [f(2, 3, 4)], attrs: { axis: 1 } },
  {
    op: "Softmax",
    label: "opset 11 coerces to 2-D",
    inputs: [f(2, 3, 4)],
    attrs: { axis: 1 },
    opset: 11,
  },
  { op: "LogSoftmax", inputs: [f(2, 3, 4)] },
  { op: "LpNormalization", inputs: [f(3, 4)], attrs: { axis: 1, p: 2 } },
  { op: "LpNormalization", label: "p=1", inputs: [f(3, 4)], attrs: { axis: 0, p: 1 } },
  { op: "Dropout", inputs: [f(3, 4)] },
  {
    op: "ConvTranspose",
    inputs: [f(1, 2, 4, 5), f(2, 3, 3, 3), f(3)],
    attrs: { strides: [2, 2], pads: [1, 1, 1, 1] },
  },
  {
    op: "ConvTranspose",
    label: "groups, dilation, output_padding",
    inputs: [f(1, 4, 3, 3), f(4, 1, 2, 2)],
    attrs: { group: 2, dilations: [2, 1], strides: [2, 2], output_padding: [1, 0] },
  },
  { op: "CumSum", inputs: [f(3, 4), i64([], [1])] },
  {
    op: "CumSum",
    label: "exclusive reverse",
    inputs: [f(3, 4), i64([], [0])],
    attrs: { exclusive: 1, reverse: 1 },
  },
  { op: "Trilu", inputs: [f(2, 4, 5), i64([], [1])] },
  { op: "Trilu", label: "lower", inputs: [f(4, 5)], attrs: { upper: 0 } },
  {
    op: "OneHot",
    inputs: [{ shape: [2, 3], dtype: "int64", range: [-4, 3] }, i64([], [4]), fconst([2], [-1, 2])],
  },
  { op: "Hardmax", inputs: [f(3, 5)] },
  { op: "EyeLike", inputs: [f(3, 4)], attrs: { k: 1 } },
  { op: "DepthToSpace", inputs: [f(1, 8, 2, 3)], attrs: { blocksize: 2 } },
  {
    op: "DepthToSpace",
    label: "CRD",
    inputs: [f(1, 8, 2, 3)],
    attrs: { blocksize: 2, mode: "CRD" },
  },
  { op: "SpaceToDepth", inputs: [f(1, 2, 4, 6)], attrs: { blocksize: 2 } },
  { op: "MeanVarianceNormalization", inputs: [f(2, 3, 4, 5)] },
  {
    op: "Resize",
    label: "nearest ×2",
    inputs: [f(1, 2, 3, 4), null, fconst([4], [1, 1, 2, 2])],
    attrs: { mode: "nearest" },
  },
  {
    op: "Resize",
    label: "nearest asymmetric floor ×1.5",
    inputs: [f(1, 2, 4, 4), null, fconst([4], [1, 1, 1.5, 1.5])],
    attrs: { mode: "nearest", coordinate_transformation_mode: "asymmetric", nearest_mode: "floor" },
  },
  {
    op: "Resize",
    label: "linear half_pixel ×2",
    inputs: [f(1, 2, 3, 4), null, fconst([4], [1, 1, 2, 2])],
    attrs: { mode: "linear" },
  },
  {
    op: "Resize",
    label: "linear align_corners to sizes",
    inputs: [f(1, 2, 3, 4), null, null, ivec(1, 2, 5, 7)],
    attrs: { mode: "linear", coordinate_transformation_mode: "align_corners" },
  },
  {
    op: "Resize",
    label: "linear pytorch_half_pixel ÷2",
    inputs: [f(1, 2, 6, 8), null, fconst([4], [1, 1, 0.5, 0.5])],
    attrs: { mode: "linear", coordinate_transformation_mode: "pytorch_half_pixel" },
  },
  {
    op: "Resize",
    label: "nearest round_prefer_ceil ×3 on 3-D",
    inputs: [f(2, 3, 4), null, fconst([3], [1, 1, 3])],
    attrs: { mode: "nearest", nearest_mode: "round_prefer_ceil" },
  },
  {
    op: "Einsum",
    label: "attention scores",
    inputs: [f(2, 3, 4, 5), f(2, 3, 6, 5)],
    attrs: { equation: "bhqd,bhkd->bhqk" },
  },
  {
    op: "Einsum",
    label: "implicit output",
    inputs: [f(3, 4), f(4, 5)],
    attrs: { equation: "ij,jk" },
  },
  { op: "Einsum", label: "trace", inputs: [f(4, 4)], attrs: { equation: "ii->" } },
  { op: "Einsum", label: "outer, transpose", inputs: [f(3), f(2)], attrs: { equation: "i,j->ji" } },
  {
    op: "MaxPool",
    label: "ceil_mode",
    inputs: [f(1, 2, 7, 6)],
    attrs: { kernel_shape: [3, 2], strides: [2, 2], ceil_mode: 1 },
  },
  {
    op: "MaxPool",
    label: "ceil_mode, padded",
    inputs: [f(1, 1, 5, 5)],
    attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 },
  },
  {
    op: "AveragePool",
    label: "ceil_mode",
    inputs: [f(1, 2, 7, 6)],
    attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 },
  },
  { op: "TopK", inputs: [f(3, 6), i64([1], [3])], outputs: 2 },
  {
    op: "TopK",
    label: "smallest, axis 0, ties",
    inputs: [fconst([4, 2], [1, 2, 0, 2, 1, 5, 0, 2]), i64([1], [2])],
    attrs: { axis: 0, largest: 0 },
    outputs: 2,
  },
  { op: "GatherND", inputs: [f(3, 4, 5), i64([2, 2], [0, 1, 2, -1])] },
  {
    op: "GatherND",
    label: "full index",
    inputs: [f(3, 4), { shape: [5, 2], dtype: "int64", range: [0, 2] }],
  },
  {
    op: "ScatterElements",
    inputs: [f(3, 4), i64([2, 4], [0, 2, 1, 0, 2, 0, 0, 1]), f(2, 4)],
    attrs: { axis: 0 },
  },
  {
    op: "ScatterElements",
    label: "add, axis 1",
    inputs: [f(3, 4), i64([3, 2], [0, 0, 3, -1, 1, 2]), f(3, 2)],
    attrs: { axis: 1, reduction: "add" },
  },
  { op: "ScatterND", inputs: [f(4, 3), i64([2, 1], [2, 0]), f(2, 3)] },
  {
    op: "ScatterND",
    label: "elements, add",
    inputs: [f(3, 4), i64([3, 2], [0, 1, 2, 3, 0, 1]), f(3)],
    attrs: { reduction: "add" },
  },
  {
    op: "DequantizeLinear",
    inputs: [{ shape: [3, 4], dtype: "int8", range: [-128, 127] }, fconst([], [0.05]), {
      shape: [],
      dtype: "int8",
      value: [3],
    }],
  },
  {
    op: "DequantizeLinear",
    label: "uint8 per axis",
    inputs: [{ shape: [2, 3, 4], dtype: "uint8", range: [0, 255] }, fconst([3], [0.1, 0.2, 0.5]), {
      shape: [3],
      dtype: "uint8",
      value: [128, 0, 7],
    }],
  },
  {
    op: "QuantizeLinear",
    inputs: [fr(-3, 9, 3, 4), fconst([], [0.05]), { shape: [], dtype: "uint8", value: [10] }],
  },
  {
    op: "QuantizeLinear",
    label: "halves to even",
    inputs: [fconst([6], [0.5, 1.5, 2.5, -0.5, -1.5, 300]), fconst([], [1]), {
      shape: [],
      dtype: "int8",
      value: [0],
    }],
  },
  {
    op: "QuantizeLinear",
    label: "int8 per axis",
    inputs: [fr(-4, 4, 2, 3), fconst([2], [0.02, 0.05]), {
      shape: [2],
      dtype: "int8",
      value: [-3, 5],
    }],
    attrs: { axis: 0 },
  },
  { op: "QuantizeLinear", label: "no zero point", inputs: [fr(-1, 4, 5), fconst([], [0.1])] },
  {
    op: "MatMulInteger",
    inputs: [
      { shape: [3, 5], dtype: "uint8", range: [0, 255] },
      { shape: [5, 4], dtype: "uint8", range: [0, 255] },
      { shape: [], dtype: "uint8", value: [12] },
      { shape: [], dtype: "uint8", value: [130] },
    ],
  },
  {
    op: "MatMulInteger",
    label: "int8, no zero points",
    inputs: [{ shape: [2, 6], dtype: "int8", range: [-128, 127] }, {
      shape: [6, 3],
      dtype: "int8",
      range: [-128, 127],
    }],
  },
  ...[1, 0].map((cond): OpCase => ({
    op: "If",
    label: cond ? "then" : "else",
    inputs: [{ shape: [], dtype: "bool", value: [cond] }, f(3, 4)],
    nodeInputs: 1,
    attrs: {
      then_branch: {
        type: 5,
        g: {
          name: "then",
          node: [node("Relu", ["in1"], ["r"])],
          output: [tensorInfo("r", "float32", [3, 4])],
        },
      },
      else_branch: {
        type: 5,
        g: {
          name: "else",
          node: [node("Neg", ["in1"], ["r"])],
          output: [tensorInfo("r", "float32", [3, 4])],
        },
      },
    },
  })),
];

/**
 * ONNX single-op cases: one node each, with its inputs (random graph inputs, or constants for
 * the operands ONNX wants known — shapes, axes, indices) and attributes. A test runs every case
 * in onnxruntime and through Tessera's importer and compares; the table of cases covers every
 * op of the importer's mapping table.
 *
 * @module
 */
import type { DType } from "../../ir/dtype.ts";
import { type NDArray, ndarray, randomNDArray } from "../../ir/ndarray.ts";
import { encodeModelProto } from "../../ir/graph/onnx/codec.ts";
import {
  floatAttr,
  floatsAttr,
  initializer,
  modelOf,
  node,
  type OnnxAttrValue,
  tensorAttr,
  tensorInfo,
} from "../../ir/graph/onnx/write.ts";

/** One input of a case: a random graph input, or a constant (initializer) when `value` is set. */
export interface OpInput {
  /** Shape. */
  readonly shape: readonly number[];
  /** Element dtype (default float32). */
  readonly dtype?: DType;
  /** Range of the random values. */
  readonly range?: readonly [number, number];
  /** Constant elements: the input becomes an initializer. */
  readonly value?: readonly number[] | BigInt64Array;
}

/** One single-node case. */
export interface OpCase {
  /** ONNX op type. */
  readonly op: string;
  /** What is special about it. */
  readonly label?: string;
  /** Inputs in order (`null`: an omitted optional input). */
  readonly inputs: readonly (OpInput | null)[];
  /** Attributes. */
  readonly attrs?: Readonly<Record<string, OnnxAttrValue>>;
  /** Number of outputs (default 1). */
  readonly outputs?: number;
  /** Opset (default 17). */
  readonly opset?: number;
}

const f = (...shape: number[]): OpInput => ({ shape });
const fr = (lo: number, hi: number, ...shape: number[]): OpInput => ({ shape, range: [lo, hi] });
const i64 = (shape: number[], value: number[]): OpInput => ({ shape, dtype: "int64", value });
const ivec = (...value: number[]): OpInput => i64([value.length], value);
/** INT64_MAX (`sign` 1) or INT64_MIN (`sign` -1), as exporters write "to the end". */
const i64max = (sign: 1 | -1): OpInput => ({
  shape: [1],
  dtype: "int64",
  value: BigInt64Array.of(sign > 0 ? 2n ** 63n - 1n : -(2n ** 63n)),
});
const bool = (...shape: number[]): OpInput => ({ shape, dtype: "bool" });
const fconst = (shape: number[], value: number[]): OpInput => ({ shape, value });

const UNARY = [
  "Abs",
  "Neg",
  "Exp",
  "Sin",
  "Cos",
  "Tanh",
  "Sigmoid",
  "Erf",
  "Floor",
  "Ceil",
  "Relu",
  "Softplus",
  "Softsign",
  "Mish",
  "Sign",
  "Sinh",
  "Cosh",
  "HardSwish",
  "Identity",
  "Selu",
  "Celu",
];

/** Every case. */
export const OP_CASES: readonly OpCase[] = [
  ...UNARY.map((op): OpCase => ({
    op,
    inputs: [fr(-2, 2, 2, 3, 4)],
    opset: op === "Mish" ? 18 : 17,
  })),
  { op: "Tan", inputs: [fr(-1, 1, 3, 4)] },
  { op: "Log", inputs: [fr(0.1, 3, 3, 4)] },
  { op: "Sqrt", inputs: [fr(0, 3, 3, 4)] },
  { op: "Reciprocal", inputs: [fr(0.5, 2, 3, 4)] },
  {
    op: "Round",
    label: "halves to even",
    inputs: [fconst([8], [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 1.4, -1.6])],
  },
  { op: "Round", inputs: [fr(-4, 4, 3, 5)] },
  { op: "Elu", inputs: [fr(-2, 2, 3, 4)], attrs: { alpha: 0.5 } },
  { op: "LeakyRelu", inputs: [fr(-2, 2, 3, 4)], attrs: { alpha: 0.2 } },
  { op: "ThresholdedRelu", inputs: [fr(-2, 2, 3, 4)], attrs: { alpha: floatAttr("alpha", 0.5) } },
  { op: "HardSigmoid", inputs: [fr(-4, 4, 3, 4)], attrs: { alpha: 0.3, beta: 0.4 } },
  { op: "Shrink", inputs: [fr(-2, 2, 3, 4)], attrs: { lambd: 0.7, bias: 0.2 } },
  { op: "Gelu", inputs: [fr(-3, 3, 3, 4)], opset: 20 },
  {
    op: "Gelu",
    label: "tanh",
    inputs: [fr(-3, 3, 3, 4)],
    attrs: { approximate: "tanh" },
    opset: 20,
  },
  { op: "IsNaN", inputs: [fconst([4], [0, NaN, Infinity, -1])] },
  {
    op: "IsInf",
    inputs: [fconst([4], [0, NaN, Infinity, -Infinity])],
    attrs: { detect_negative: 0 },
  },
  { op: "Not", inputs: [bool(2, 3)] },
  { op: "Add", inputs: [f(2, 3, 4), f(3, 4)] },
  { op: "Sub", inputs: [f(2, 1, 4), f(3, 1)] },
  { op: "Mul", inputs: [f(2, 3, 4), f(4)] },
  { op: "Div", inputs: [f(2, 3, 4), fr(0.5, 2, 3, 1)] },
  { op: "Pow", inputs: [fr(0.5, 2, 3, 4), fr(-1, 1, 4)] },
  { op: "Pow", label: "square", inputs: [f(3, 4), fconst([], [2])] },
  {
    op: "Mod",
    label: "integer",
    inputs: [{ shape: [3, 4], dtype: "int64", range: [-9, 9] }, {
      shape: [4],
      dtype: "int64",
      range: [1, 4],
    }],
  },
  { op: "Mod", label: "fmod", inputs: [fr(-5, 5, 3, 4), fr(0.5, 2, 4)], attrs: { fmod: 1 } },
  {
    op: "Equal",
    inputs: [{ shape: [3, 4], dtype: "int64", range: [-2, 2] }, {
      shape: [4],
      dtype: "int64",
      range: [-2, 2],
    }],
  },
  { op: "Less", inputs: [f(3, 4), f(4)] },
  {
    op: "LessOrEqual",
    inputs: [{ shape: [3, 4], dtype: "int64", range: [-2, 2] }, {
      shape: [3, 4],
      dtype: "int64",
      range: [-2, 2],
    }],
  },
  { op: "Greater", inputs: [f(3, 4), f(3, 1)] },
  { op: "GreaterOrEqual", inputs: [f(3, 4), f(4)] },
  { op: "And", inputs: [bool(3, 4), bool(4)] },
  { op: "Or", inputs: [bool(3, 4), bool(3, 4)] },
  { op: "Xor", inputs: [bool(3, 4), bool(1, 4)] },
  { op: "Max", inputs: [f(2, 3), f(3), f(2, 1)] },
  { op: "Min", inputs: [f(2, 3), f(2, 3)] },
  { op: "Sum", inputs: [f(2, 3), f(3), f(2, 3)] },
  { op: "Mean", inputs: [f(2, 3), f(2, 3), f(3)] },
  { op: "Where", inputs: [bool(2, 3), f(2, 3), f(3)] },
  { op: "PRelu", inputs: [fr(-2, 2, 2, 3, 4), f(4)] },
  { op: "Clip", inputs: [fr(-2, 2, 3, 4), fconst([], [-0.5]), fconst([], [0.75])] },
  { op: "Clip", label: "min only", inputs: [fr(-2, 2, 3, 4), fconst([], [-0.5])] },
  {
    op: "Cast",
    label: "int64 to float",
    inputs: [{ shape: [3, 4], dtype: "int64" }],
    attrs: { to: 1 },
  },
  { op: "Cast", label: "float to int32", inputs: [fr(-5, 5, 3, 4)], attrs: { to: 6 } },
  { op: "CastLike", inputs: [{ shape: [3, 4], dtype: "int64" }, f(1)] },
  { op: "ReduceSum", inputs: [f(2, 3, 4), ivec(1)] },
  { op: "ReduceSum", label: "all, keepdims 0", inputs: [f(2, 3, 4)], attrs: { keepdims: 0 } },
  { op: "ReduceMean", inputs: [f(2, 3, 4)], attrs: { axes: [-1], keepdims: 0 } },
  { op: "ReduceMax", inputs: [f(2, 3, 4)], attrs: { axes: [0, 2] } },
  { op: "ReduceMin", inputs: [f(2, 3, 4)], attrs: { axes: [1] } },
  { op: "ReduceProd", inputs: [fr(0.5, 1.5, 2, 3, 4)], attrs: { axes: [2] } },
  { op: "ReduceSumSquare", inputs: [f(2, 3, 4)], attrs: { axes: [1] } },
  { op: "ReduceL1", inputs: [f(2, 3, 4)], attrs: { axes: [1], keepdims: 0 } },
  { op: "ReduceL2", inputs: [f(2, 3, 4)], attrs: { axes: [2] } },
  { op: "ReduceLogSum", inputs: [fr(0.1, 2, 2, 3, 4)], attrs: { axes: [1] } },
  { op: "ReduceLogSumExp", inputs: [fr(-3, 3, 2, 3, 4)], attrs: { axes: [1], keepdims: 0 } },
  { op: "ArgMax", inputs: [f(2, 3, 4)], attrs: { axis: 1 } },
  { op: "ArgMin", inputs: [f(2, 3, 4)], attrs: { axis: -1, keepdims: 0 } },
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
  { op: "Shape", inputs: [f(2, 3, 4)] },
  {
    op: "Shape",
    label: "start, end",
    inputs: [f(2, 3, 4)],
    attrs: { start: 1, end: -1 },
    opset: 15,
  },
  { op: "Size", inputs: [f(2, 3, 4)] },
  { op: "Reshape", inputs: [f(2, 3, 4), ivec(0, -1, 2)] },
  { op: "Transpose", inputs: [f(2, 3, 4)], attrs: { perm: [2, 0, 1] } },
  { op: "Transpose", label: "default reverses", inputs: [f(2, 3, 4)] },
  { op: "Concat", inputs: [f(2, 3), f(2, 2), f(2, 1)], attrs: { axis: 1 } },
  { op: "Slice", inputs: [f(5, 6), ivec(1, -1), ivec(4, 0), ivec(0, 1), ivec(2, -2)] },
  { op: "Slice", label: "to INT64_MAX", inputs: [f(5, 6), ivec(2), i64max(1), ivec(1)] },
  { op: "Slice", label: "from INT64_MIN", inputs: [f(5, 6), i64max(-1), ivec(3), ivec(0)] },
  {
    op: "Slice",
    label: "backwards past the start",
    inputs: [f(5, 6), ivec(-2), i64max(-1), ivec(1), ivec(-1)],
  },
  { op: "Squeeze", inputs: [f(2, 1, 3, 1), ivec(1)] },
  { op: "Squeeze", label: "all", inputs: [f(1, 3, 1)] },
  { op: "Unsqueeze", inputs: [f(2, 3), ivec(0, -1)] },
  { op: "Flatten", inputs: [f(2, 3, 4, 5)], attrs: { axis: 2 } },
  { op: "Flatten", label: "axis 1", inputs: [f(2, 3, 4)] },
  { op: "Expand", inputs: [f(3, 1), ivec(2, 1, 4)] },
  { op: "Tile", inputs: [f(2, 3), ivec(2, 3)] },
  { op: "Pad", inputs: [f(2, 3), ivec(1, 0, 2, 1), fconst([], [1.5])] },
  {
    op: "Constant",
    inputs: [],
    attrs: { value: tensorAttr("value", ndarray("float32", [2, 2], [1, 2, 3, 4])) },
  },
  {
    op: "Constant",
    label: "value_floats",
    inputs: [],
    attrs: { value_floats: floatsAttr("value_floats", [1.5, -2]) },
  },
  {
    op: "ConstantOfShape",
    inputs: [ivec(2, 3)],
    attrs: { value: tensorAttr("value", ndarray("float32", [1], [0.5])) },
  },
  {
    op: "ConstantOfShape",
    label: "int64",
    inputs: [ivec(3)],
    attrs: { value: tensorAttr("value", ndarray("int64", [1], [7])) },
  },
  { op: "Range", inputs: [i64([], [1]), i64([], [10]), i64([], [3])] },
  { op: "Range", label: "float", inputs: [fconst([], [0.5]), fconst([], [2]), fconst([], [0.25])] },
  { op: "Gather", inputs: [f(5, 4), i64([2, 3], [0, 4, -1, 2, 2, 1])] },
  {
    op: "Gather",
    label: "axis 1, run-time indices",
    inputs: [f(3, 5), { shape: [2], dtype: "int64", range: [0, 4] }],
    attrs: { axis: 1 },
  },
  {
    op: "GatherElements",
    inputs: [f(3, 4), { shape: [2, 4], dtype: "int64", range: [0, 2] }],
    attrs: { axis: 0 },
  },
  { op: "Split", inputs: [f(5, 4), ivec(2, 3)], outputs: 2 },
  { op: "Split", label: "equal", inputs: [f(2, 6)], attrs: { axis: 1 }, outputs: 3 },
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
    op: "Slice",
    label: "known data",
    inputs: [ivec(5, 6, 7, 8), ivec(-1), i64max(-1), ivec(0), ivec(-2)],
  },
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
    op: "Pad",
    label: "reflect",
    inputs: [f(2, 3, 4), ivec(0, 2, 1, 0, 1, 3)],
    attrs: { mode: "reflect" },
  },
  { op: "Pad", label: "edge", inputs: [f(3, 4), ivec(2, 1, 0, 3)], attrs: { mode: "edge" } },
  {
    op: "Pad",
    label: "wrap",
    inputs: [f(3, 4), ivec(1, 2, 2, 0)],
    attrs: { mode: "wrap" },
    opset: 19,
  },
  {
    op: "Pad",
    label: "negative pads crop",
    inputs: [f(4, 5), ivec(-1, 2, 0, -2), fconst([], [3])],
  },
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
  // Older and newer opsets: attributes that became inputs (13, 18) and back.
  { op: "ReduceMean", label: "opset 18: axes input", inputs: [f(2, 3, 4), ivec(-1)], opset: 18 },
  {
    op: "ReduceMax",
    label: "opset 18: no axes, noop",
    inputs: [f(2, 3)],
    attrs: { noop_with_empty_axes: 1 },
    opset: 18,
  },
  {
    op: "ReduceSum",
    label: "opset 11: axes attribute",
    inputs: [f(2, 3, 4)],
    attrs: { axes: [0, 2] },
    opset: 11,
  },
  {
    op: "Split",
    label: "opset 18: num_outputs, uneven",
    inputs: [f(5, 2)],
    attrs: { num_outputs: 2 },
    outputs: 2,
    opset: 18,
  },
  {
    op: "Split",
    label: "opset 11: split attribute",
    inputs: [f(2, 5)],
    attrs: { axis: 1, split: [1, 4] },
    outputs: 2,
    opset: 11,
  },
  {
    op: "Squeeze",
    label: "opset 11: axes attribute",
    inputs: [f(2, 1, 3)],
    attrs: { axes: [1] },
    opset: 11,
  },
  {
    op: "Unsqueeze",
    label: "opset 11: axes attribute",
    inputs: [f(2, 3)],
    attrs: { axes: [1] },
    opset: 11,
  },
  {
    op: "Slice",
    label: "opset 9: attributes",
    inputs: [f(5, 6)],
    attrs: { starts: [1, 0], ends: [4, -1], axes: [0, 1] },
    opset: 9,
  },
  {
    op: "Pad",
    label: "opset 9: attributes",
    inputs: [f(2, 3)],
    attrs: { pads: [0, 1, 1, 0], value: floatAttr("value", -1) },
    opset: 9,
  },
  {
    op: "Pad",
    label: "opset 18: axes input",
    inputs: [f(2, 3), ivec(1, 2), fconst([], [0.5]), ivec(1)],
    opset: 18,
  },
  {
    op: "Clip",
    label: "opset 9: attributes",
    inputs: [fr(-2, 2, 3, 4)],
    attrs: { min: floatAttr("min", -0.5), max: floatAttr("max", 1) },
    opset: 9,
  },
];

/** Name of input `i` of a case. */
const inputName = (i: number) => `in${i}`;

/** The case as ONNX bytes. */
export function caseModel(c: OpCase): Uint8Array {
  const init = [];
  const graphInputs = [];
  for (const [i, inp] of c.inputs.entries()) {
    if (inp === null) continue;
    if (inp.value) {
      init.push(
        initializer(
          inputName(i),
          ndarray(inp.dtype ?? "float32", inp.shape, inp.value as number[]),
        ),
      );
    } else graphInputs.push(tensorInfo(inputName(i), inp.dtype ?? "float32", inp.shape));
  }
  const outs = Array.from({ length: c.outputs ?? 1 }, (_, k) => `out${k}`);
  return encodeModelProto(modelOf({
    name: "case",
    node: [
      node(
        c.op,
        c.inputs.map((inp, i) => (inp === null ? "" : inputName(i))),
        outs,
        c.attrs ?? {},
        "n",
      ),
    ],
    input: graphInputs,
    initializer: init,
    // Output types are left for the runtime to infer.
    output: outs.map((name) => ({ name })),
  }, c.opset ?? 17));
}

/** Random arrays for the case's graph inputs, by name. */
export function caseFeeds(c: OpCase, seed = 1): Record<string, NDArray> {
  const feeds: Record<string, NDArray> = {};
  for (const [i, inp] of c.inputs.entries()) {
    if (inp === null || inp.value) continue;
    feeds[inputName(i)] = randomNDArray(
      inp.dtype ?? "float32",
      inp.shape,
      seed + i,
      inp.range?.[0],
      inp.range?.[1],
    );
  }
  return feeds;
}

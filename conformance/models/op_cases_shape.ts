/**
 * Single-op cases: shapes, reshapes, slicing, gathering, padding, constants — including the attribute-vs-input variants across opsets.
 *
 * @module
 */
import { ndarray } from "../../ir/ndarray.ts";
import { floatAttr, floatsAttr, tensorAttr } from "../../ir/graph/onnx/write.ts";
import { f, fconst, i64, i64max, ivec, type OpCase } from "./op_case.ts";

/** Shape and data-movement cases. */
export const SHAPE_CASES: readonly OpCase[] = [
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
    op: "Slice",
    label: "known data",
    inputs: [ivec(5, 6, 7, 8), ivec(-1), i64max(-1), ivec(0), ivec(-2)],
  },
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
];

/**
 * Catalogue entries of convolution and pooling.
 *
 * @module
 */
import { conv2d, type Conv2dOptions, depthwiseConv2d } from "./conv.ts";
import { defineOp, input, opCase, type OpDescriptor } from "./descriptor.ts";
import {
  avgPool2d,
  globalAvgPool2d,
  globalMaxPool2d,
  type GlobalPoolOptions,
  maxPool2d,
  type Pool2dOptions,
} from "./pool.ts";
import { refConv2d, refDepthwiseConv2d } from "./ref_conv.ts";
import { refAvgPool2d, refGlobalPool2d, refMaxPool2d } from "./ref_pool.ts";

const data = (shape: (number | string)[], dtype = "float32") => input("data", shape, dtype);
const weight = (shape: (number | string)[], dtype = "float32") => input("weight", shape, dtype);

const poolCases = (avg: boolean) => [
  opCase<Pool2dOptions>([input("x", [1, 3, 9, 9])], { kernel: 3, strides: 2, padding: 1 }),
  opCase<Pool2dOptions>([input("x", [2, 4, 7, 8])], {
    kernel: [3, 2],
    strides: [1, 2],
    padding: [1, 0, 2, 1],
    countIncludePad: avg ? true : undefined,
  }),
  opCase<Pool2dOptions>([input("x", [1, 9, 9, 3])], { kernel: 2, layout: "NHWC" }),
  opCase<Pool2dOptions>([input("x", [1, 2, "h", "w"])], { kernel: 3, strides: 2, padding: 1 }, {
    h: 8,
    w: 11,
  }),
  opCase<Pool2dOptions>([input("x", [1, "h", 5, 2])], {
    kernel: [2, 3],
    padding: [1, 1, 0, 2],
    layout: "NHWC",
  }, { h: 6 }),
  ...(avg
    ? []
    : [opCase<Pool2dOptions>([input("x", [1, 2, 7, 7], "int8")], { kernel: 3, padding: 1 })]),
];

const globalCases = [
  opCase<GlobalPoolOptions>([input("x", [2, 3, 7, 5])], {}),
  opCase<GlobalPoolOptions>([input("x", [1, 5, 6, 3])], { layout: "NHWC" }),
  opCase<GlobalPoolOptions>([input("x", ["n", 3, "h", "h"])], {}, { n: 2, h: 5 }),
];

/** The convolution and pooling entries of the catalogue. */
export const CONV_OPS: readonly OpDescriptor[] = [
  defineOp<Conv2dOptions>({
    name: "conv2d",
    family: "conv",
    summary: "2-D convolution, NCHW/OIHW or NHWC/HWIO, strides, padding per side, dilation, groups",
    cases: [
      opCase([data([1, 4, 9, 9]), weight([8, 4, 3, 3])], { padding: 1 }),
      opCase([data([1, 3, 11, 10]), weight([5, 3, 3, 2])], {
        strides: [2, 3],
        padding: [1, 0, 2, 1],
        dilation: [2, 1],
      }),
      opCase([data([2, 4, 7, 7]), weight([6, 2, 3, 3])], { groups: 2, padding: 1 }),
      opCase([data([1, 8, 8, 3]), weight([3, 3, 3, 4])], {
        layout: "NHWC",
        strides: 2,
        padding: 1,
      }),
      opCase([data([1, 3, "h", "w"]), weight([4, 3, 3, 3])], { padding: 1 }, { h: 7, w: 6 }),
      opCase([data(["n", "h", 6, 4]), weight([3, 3, 2, 6])], {
        layout: "NHWC",
        groups: 2,
        dilation: 2,
        padding: [2, 2],
      }, { n: 2, h: 5 }),
      opCase([data([1, 4, 6, 6], "int8"), weight([3, 4, 3, 3], "int8")], {
        padding: 1,
        outDtype: "int32",
      }),
    ],
    apply: ([x, w], o) => conv2d(x, w, o),
    reference: ([x, w], o) => [refConv2d(x, w, o)],
  }),
  defineOp<Conv2dOptions>({
    name: "depthwise_conv2d",
    family: "conv",
    summary: "depthwise 2-D convolution with channel multiplier ([C, M, KH, KW] or [KH, KW, C, M])",
    cases: [
      opCase([data([1, 4, 9, 9]), weight([4, 1, 3, 3])], { padding: 1 }),
      opCase([data([2, 3, 8, 7]), weight([3, 2, 3, 3])], { strides: 2, padding: [1, 0, 1, 1] }),
      opCase([data([1, 7, 6, 3]), weight([3, 3, 3, 2])], {
        layout: "NHWC",
        dilation: 2,
        padding: 2,
      }),
      opCase([data([1, "c", 6, 6]), weight(["c", 1, 3, 3])], { padding: 1 }, { c: 5 }),
      opCase([data([1, 4, 5, 5], "int8"), weight([4, 1, 3, 3], "int8")], { outDtype: "int32" }),
    ],
    apply: ([x, w], o) => depthwiseConv2d(x, w, o),
    reference: ([x, w], o) => [refDepthwiseConv2d(x, w, o)],
  }),
  defineOp<Pool2dOptions>({
    name: "max_pool2d",
    family: "pool",
    summary: "maximum over windows (padding never wins)",
    cases: poolCases(false),
    apply: ([x], o) => maxPool2d(x, o),
    reference: ([x], o) => [refMaxPool2d(x, o)],
  }),
  defineOp<Pool2dOptions>({
    name: "avg_pool2d",
    family: "pool",
    summary: "mean over windows, count_include_pad option",
    cases: poolCases(true),
    apply: ([x], o) => avgPool2d(x, o),
    reference: ([x], o) => [refAvgPool2d(x, o)],
  }),
  defineOp<GlobalPoolOptions>({
    name: "global_avg_pool2d",
    family: "pool",
    summary: "mean over height and width",
    cases: globalCases,
    apply: ([x], o) => globalAvgPool2d(x, o),
    reference: ([x], o) => [refGlobalPool2d("avg", x, o)],
  }),
  defineOp<GlobalPoolOptions>({
    name: "global_max_pool2d",
    family: "pool",
    summary: "maximum over height and width",
    cases: globalCases,
    apply: ([x], o) => globalMaxPool2d(x, o),
    reference: ([x], o) => [refGlobalPool2d("max", x, o)],
  }),
];

/**
 * Catalogue entries of the multi-stage nn ops.
 *
 * @module
 */
import { defineOp, input, opCase, type OpDescriptor } from "./descriptor.ts";
import {
  gelu,
  type GeluOptions,
  layerNorm,
  type LayerNormOptions,
  logSoftmax,
  softmax,
  type SoftmaxOptions,
} from "./nn.ts";
import { refGelu, refLayerNorm, refLogSoftmax, refSoftmax } from "./ref_nn.ts";

const wide = { range: [-6, 6] as const };

const softmaxCases = [
  opCase<SoftmaxOptions>([input("x", [7, 13], "float32", wide)], {}),
  opCase<SoftmaxOptions>([input("x", [3, 5, 7], "float32", wide)], { axis: 1 }),
  opCase<SoftmaxOptions>([input("x", ["n", 10], "float32", wide)], { axis: -1 }, { n: 5 }),
  opCase<SoftmaxOptions>([input("x", [2, "k"], "float32", { range: [-80, 80] })], {}, { k: 9 }),
];

/** The nn entries of the catalogue. */
export const NN_OPS: readonly OpDescriptor[] = [
  defineOp<SoftmaxOptions>({
    name: "softmax",
    family: "nn",
    summary: "exp(x − max) / Σ exp(x − max) along an axis",
    cases: softmaxCases,
    apply: ([x], o) => softmax(x, o),
    reference: ([x], o) => [refSoftmax(x, o)],
  }),
  defineOp<SoftmaxOptions>({
    name: "log_softmax",
    family: "nn",
    summary: "x − max − log Σ exp(x − max) along an axis",
    cases: softmaxCases,
    apply: ([x], o) => logSoftmax(x, o),
    reference: ([x], o) => [refLogSoftmax(x, o)],
  }),
  defineOp<LayerNormOptions>({
    name: "layer_norm",
    family: "nn",
    summary: "(x − mean)/√(var + ε)·γ + β over the last axes",
    cases: [
      opCase([input("x", [7, 13], "float32", wide), input("gamma", [13]), input("beta", [13])], {}),
      opCase([input("x", [3, 5, 7]), input("gamma", [5, 7]), input("beta", [5, 7])], {
        axes: [-2, -1],
        epsilon: 1e-3,
      }),
      opCase([input("x", ["n", 16]), input("gamma", [16])], {}, { n: 4 }),
      opCase([input("x", [2, "d"])], { epsilon: 1e-6 }, { d: 11 }),
    ],
    apply: ([x, g, b], o) => layerNorm(x, g, b, o),
    reference: ([x, g, b], o) => [refLayerNorm(x, g, b, o)],
  }),
  defineOp<GeluOptions>({
    name: "gelu",
    family: "nn",
    summary: "x·Φ(x) with erf, or the tanh approximation",
    cases: [
      opCase([input("x", [7, 13, 5], "float32", wide)], {}),
      opCase([input("x", [7, 13, 5], "float32", wide)], { approximate: "tanh" }),
      opCase([input("x", ["n", 9], "float32", wide)], {}, { n: 4 }),
      opCase([input("x", ["n"], "float32", wide)], { approximate: "tanh" }, { n: 17 }),
    ],
    apply: ([x], o) => gelu(x, o),
    reference: ([x], o) => [refGelu(x, o)],
  }),
];

/**
 * A transformer encoder block as an ONNX file (opset 17) with a dynamic batch and sequence
 * length: `x[batch, seq, 32]` → pre-norm multi-head self-attention (4 heads of 8) with a residual
 * → pre-norm feed-forward (64, GELU written with Erf) with a residual → `y[batch, seq, 32]`.
 *
 * It uses the ops exporters emit for such blocks: LayerNormalization (first norm) and its
 * decomposition ReduceMean/Sub/Mul/Add/Sqrt/Div (second norm); MatMul + Add projections; heads
 * split by a Reshape whose target shape is computed at run time (Shape → Gather → Unsqueeze →
 * Concat) and Transpose; scaled scores, Softmax; Erf-GELU.
 *
 * @module
 */
import { encodeModelProto } from "../../ir/graph/onnx/codec.ts";
import type { NodeProto } from "../../ir/graph/onnx/codec.ts";
import { floatAttr, initializer, modelOf, node, tensorInfo } from "../../ir/graph/onnx/write.ts";
import { ndarray } from "../../ir/ndarray.ts";
import { Weights } from "./weights.ts";

/** Sizes of the encoder block. */
export const TRANSFORMER = { dModel: 32, heads: 4, headDim: 8, ffn: 64 } as const;

/** `out = in · W + b` as MatMul and Add, with the weights. */
function linear(
  w: Weights,
  name: string,
  input: string,
  out: string,
  k: number,
  n: number,
): NodeProto[] {
  w.uniform(`${name}.weight`, [k, n], k);
  w.uniform(`${name}.bias`, [n], k);
  return [
    node("MatMul", [input, `${name}.weight`], [`${name}.mm`], {}, `${name}.matmul`),
    node("Add", [`${name}.mm`, `${name}.bias`], [out], {}, `${name}.add`),
  ];
}

/** `[B, S, heads·headDim]` → `[B, heads, S, headDim]` (or `[B, heads, headDim, S]` for keys). */
function splitHeads(input: string, out: string, keys: boolean): NodeProto[] {
  return [
    node("Reshape", [input, "heads_shape"], [`${out}.r`], {}, `${out}.reshape`),
    node(
      "Transpose",
      [`${out}.r`],
      [out],
      { perm: keys ? [0, 2, 3, 1] : [0, 2, 1, 3] },
      `${out}.transpose`,
    ),
  ];
}

/** LayerNorm over the last axis written out, as older exporters do. */
function decomposedNorm(input: string, out: string): NodeProto[] {
  const n = (s: string) => `ln2.${s}`;
  return [
    node("ReduceMean", [input], [n("mean")], { axes: [-1], keepdims: 1 }, n("mean")),
    node("Sub", [input, n("mean")], [n("d")], {}, n("sub")),
    node("Mul", [n("d"), n("d")], [n("d2")], {}, n("square")),
    node("ReduceMean", [n("d2")], [n("var")], { axes: [-1], keepdims: 1 }, n("var")),
    node("Add", [n("var"), "eps"], [n("var_eps")], {}, n("add_eps")),
    node("Sqrt", [n("var_eps")], [n("std")], {}, n("sqrt")),
    node("Div", [n("d"), n("std")], [n("norm")], {}, n("div")),
    node("Mul", [n("norm"), "ln2.scale"], [n("scaled")], {}, n("scale")),
    node("Add", [n("scaled"), "ln2.shift"], [out], {}, n("shift")),
  ];
}

/**
 * The encoder block's ONNX bytes; weights are deterministic in `seed`.
 *
 * @example
 * ```ts
 * import { transformerModel } from "./transformer.ts";
 * console.assert(transformerModel().length > 1000);
 * ```
 */
export function transformerModel(seed = 3): Uint8Array {
  const { dModel, heads, headDim, ffn } = TRANSFORMER;
  const w = new Weights(seed);
  const i64 = (name: string, shape: number[], v: number[]) =>
    w.push(initializer(name, ndarray("int64", shape, v)));
  const f32 = (name: string, v: number) => w.push(initializer(name, ndarray("float32", [], [v])));
  i64("zero", [], [0]);
  i64("one", [], [1]);
  i64("axis0", [1], [0]);
  i64("head_dims", [2], [heads, headDim]);
  i64("model_dim", [1], [dModel]);
  f32("eps", 1e-5);
  f32("score_scale", Math.sqrt(headDim));
  f32("half", 0.5);
  f32("one_f", 1);
  f32("sqrt2", Math.SQRT2);
  w.range("ln1.scale", [dModel], 0.8, 1.2);
  w.range("ln1.shift", [dModel], -0.1, 0.1);
  w.range("ln2.scale", [dModel], 0.8, 1.2);
  w.range("ln2.shift", [dModel], -0.1, 0.1);
  const nodes: NodeProto[] = [
    // Target shapes computed from the input's run-time shape.
    node("Shape", ["x"], ["x_shape"], {}, "shape"),
    node("Gather", ["x_shape", "zero"], ["b"], { axis: 0 }, "batch"),
    node("Gather", ["x_shape", "one"], ["s"], { axis: 0 }, "seq"),
    node("Unsqueeze", ["b", "axis0"], ["b1"], {}, "batch1"),
    node("Unsqueeze", ["s", "axis0"], ["s1"], {}, "seq1"),
    node("Concat", ["b1", "s1", "head_dims"], ["heads_shape"], { axis: 0 }, "heads_shape"),
    node("Concat", ["b1", "s1", "model_dim"], ["merged_shape"], { axis: 0 }, "merged_shape"),
    // Attention.
    node("LayerNormalization", ["x", "ln1.scale", "ln1.shift"], ["ln1"], {
      axis: -1,
      epsilon: floatAttr("epsilon", 1e-5),
    }, "ln1"),
    ...linear(w, "q", "ln1", "q", dModel, dModel),
    ...linear(w, "k", "ln1", "k", dModel, dModel),
    ...linear(w, "v", "ln1", "v", dModel, dModel),
    ...splitHeads("q", "qh", false),
    ...splitHeads("k", "kt", true),
    ...splitHeads("v", "vh", false),
    node("MatMul", ["qh", "kt"], ["scores"], {}, "scores"),
    node("Div", ["scores", "score_scale"], ["scaled"], {}, "scale"),
    node("Softmax", ["scaled"], ["probs"], { axis: -1 }, "softmax"),
    node("MatMul", ["probs", "vh"], ["ctx"], {}, "context"),
    node("Transpose", ["ctx"], ["ctx_t"], { perm: [0, 2, 1, 3] }, "merge.transpose"),
    node("Reshape", ["ctx_t", "merged_shape"], ["merged"], {}, "merge.reshape"),
    ...linear(w, "o", "merged", "attn", dModel, dModel),
    node("Add", ["x", "attn"], ["h1"], {}, "residual1"),
    // Feed-forward.
    ...decomposedNorm("h1", "ln2"),
    ...linear(w, "ffn1", "ln2", "f1", dModel, ffn),
    node("Div", ["f1", "sqrt2"], ["g.scaled"], {}, "gelu.div"),
    node("Erf", ["g.scaled"], ["g.erf"], {}, "gelu.erf"),
    node("Add", ["g.erf", "one_f"], ["g.plus1"], {}, "gelu.add"),
    node("Mul", ["f1", "g.plus1"], ["g.mul"], {}, "gelu.mul"),
    node("Mul", ["g.mul", "half"], ["gelu"], {}, "gelu.half"),
    ...linear(w, "ffn2", "gelu", "f2", ffn, dModel),
    node("Add", ["h1", "f2"], ["y"], {}, "residual2"),
  ];
  return encodeModelProto(modelOf({
    name: "encoder_block",
    input: [tensorInfo("x", "float32", ["batch", "seq", dModel])],
    output: [tensorInfo("y", "float32", ["batch", "seq", dModel])],
    initializer: w.all,
    node: nodes,
  }));
}

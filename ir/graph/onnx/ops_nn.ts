/**
 * Linear algebra and neural-network ONNX ops: MatMul (numpy batching, rank-1 operands), Gemm,
 * Conv (1-D through 2-D), pools, BatchNormalization (folded when its statistics are
 * constants), Instance/LayerNormalization, Softmax/LogSoftmax (with the pre-13 2-D coercion),
 * LpNormalization, Dropout (inference: identity).
 *
 * @module
 */
import type { PrimExpr } from "../../expr.ts";
import { type NDArray, ndarray } from "../../ndarray.ts";
import type { Atom, Attrs } from "../ir.ts";
import { asNumber, constVal, type NodeContext, type OpRule, type Val } from "./context.ts";
import { knownProduct } from "./known.ts";
import { axisOf, reshapeTo } from "./ops_shape.ts";

/** `MatMul(a, b)` with numpy semantics: `matmul` for 2-D, `batch_matmul` above, rank 1 by expanding. */
const matMul: OpRule = (ctx) => {
  ctx.expectInputs(2);
  let a = ctx.input(0);
  let b = ctx.input(1);
  const ra = a.type.shape.length;
  const rb = b.type.shape.length;
  if (ra === 0 || rb === 0) throw ctx.fail("ONNX_BAD_INPUT", "an operand is a scalar");
  // [..., K]·W[K, N] with a constant W: dense over the leading dims, W transposed once here.
  if (ra > 2 && rb === 2 && b.data) {
    return [ctx.op("dense", [ctx.atom(0), ctx.atomOf(constVal(transposed(b.data)))])];
  }
  if (ra === 1) a = ctx.op("expand_dims", [ctx.atomOf(a)], { axis: 0 });
  if (rb === 1) b = ctx.op("expand_dims", [ctx.atomOf(b)], { axis: 1 });
  const two = a.type.shape.length === 2 && b.type.shape.length === 2;
  let y = ctx.op(two ? "matmul" : "batch_matmul", [ctx.atomOf(a), ctx.atomOf(b)]);
  if (rb === 1) y = ctx.op("squeeze", [ctx.atomOf(y)], { axes: [y.type.shape.length - 1] });
  if (ra === 1) {
    y = ctx.op("squeeze", [ctx.atomOf(y)], { axes: [y.type.shape.length - (rb === 1 ? 1 : 2)] });
  }
  return [y];
};

/** A 2-D array transposed. */
function transposed(w: NDArray): NDArray {
  const [k, n] = w.shape;
  const out = ndarray(w.dtype, [n, k]);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) out.data[j * k + i] = w.data[i * n + j];
  return out;
}

/** `Gemm`: `alpha·A'·B' + beta·C`; the common `transB=1` form with a bias vector is `dense`. */
const gemm: OpRule = (ctx) => {
  ctx.expectInputs(2, 3);
  const alpha = ctx.float("alpha", 1);
  const beta = ctx.float("beta", 1);
  const transA = ctx.int("transA", 0) !== 0;
  const transB = ctx.int("transB", 0) !== 0;
  const c = ctx.optional(2);
  for (const i of [0, 1]) {
    const r = ctx.input(i).type.shape.length;
    if (r !== 2) throw ctx.fail("ONNX_BAD_INPUT", `input ${i} has rank ${r}, Gemm takes matrices`);
  }
  const n = ctx.input(1).type.shape[transB ? 0 : 1];
  const vectorBias = c === undefined ||
    (c.type.shape.length === 1 && sameConst(c.type.shape[0], n));
  if (!transA && transB && alpha === 1 && beta === 1 && vectorBias) {
    return [
      ctx.op("dense", c ? [ctx.atom(0), ctx.atom(1), ctx.atom(2)] : [ctx.atom(0), ctx.atom(1)]),
    ];
  }
  let y = ctx.op("matmul", [ctx.atom(0), ctx.atom(1)], { transposeA: transA, transposeB: transB });
  if (alpha !== 1) y = ctx.op("mul", [y.atom!], { scalar: alpha });
  if (c === undefined || beta === 0) return [y];
  const cc = beta === 1 ? ctx.atom(2) : ctx.op("mul", [ctx.atom(2)], { scalar: beta }).atom!;
  return [ctx.op("add", [y.atom!, cc])];
};

function sameConst(a: PrimExpr, b: PrimExpr): boolean {
  return a === b || (a.kind === "IntImm" && b.kind === "IntImm" && a.value === b.value);
}

/** Per-channel vector `[C]` as `[C, 1, …]` to broadcast against `[N, C, spatial…]`. */
function channelwise(ctx: NodeContext, v: Val, rank: number): Atom {
  if (rank < 2 || v.type.shape.length !== 1) {
    throw ctx.fail(
      "ONNX_BAD_INPUT",
      `a per-channel operand of rank ${v.type.shape.length} for data of rank ${rank}: need rank 1 and data of rank ≥ 2`,
    );
  }
  const c = v.type.shape[0];
  const dims = [c.kind === "IntImm" ? c.value : c, ...Array(rank - 2).fill(1)];
  if (v.data) return ctx.atomOf(constVal(ndarray(v.data.dtype, dims as number[], v.data.data)));
  return ctx.atomOf(reshapeTo(ctx, v, dims));
}

/** Window attributes of Conv/pools: kernel, strides, `[top, left, bottom, right]` pads, dilations. */
function windowOf(ctx: NodeContext, x: Val, kernel: readonly number[]) {
  const k = kernel.length;
  const strides = ctx.ints("strides") ?? Array(k).fill(1);
  const dilations = ctx.ints("dilations") ?? Array(k).fill(1);
  let pads = ctx.ints("pads")?.slice() ?? Array(2 * k).fill(0);
  const auto = ctx.string("auto_pad", "NOTSET");
  if (auto === "VALID") pads = Array(2 * k).fill(0);
  else if (auto === "SAME_UPPER" || auto === "SAME_LOWER") {
    pads = Array(2 * k).fill(0);
    for (let i = 0; i < k; i++) {
      const size = asNumber(
        x.type.shape[2 + i].kind === "IntImm"
          ? (x.type.shape[2 + i] as { value: number }).value
          : x.type.shape[2 + i],
      );
      if (size === undefined) {
        throw ctx.fail("ONNX_DYNAMIC_SHAPE", `auto_pad ${auto} over a symbolic spatial size`);
      }
      const out = Math.ceil(size / strides[i]);
      const total = Math.max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size, 0);
      const small = Math.floor(total / 2);
      pads[i] = auto === "SAME_UPPER" ? small : total - small;
      pads[i + k] = total - pads[i];
    }
  } else if (auto !== "NOTSET") {
    throw ctx.fail("ONNX_BAD_ATTRIBUTE", `auto_pad "${auto}" is not an ONNX value`);
  }
  return { strides: [...strides], dilations: [...dilations], pads };
}

/** Run a 2-D op on a 1-D input `[N, C, W]` as `[N, C, 1, W]` (window attributes widened). */
function as2d(ctx: NodeContext, x: Val): Val {
  return x.type.shape.length === 3 ? ctx.op("expand_dims", [ctx.atomOf(x)], { axis: 2 }) : x;
}

function widen(w: { strides: number[]; dilations: number[]; pads: number[] }, oneD: boolean) {
  if (!oneD) return w;
  return {
    strides: [1, ...w.strides],
    dilations: [1, ...w.dilations],
    pads: [0, w.pads[0], 0, w.pads[1]],
  };
}

function checkRank(ctx: NodeContext, x: Val, what: string): boolean {
  const r = x.type.shape.length;
  if (r !== 3 && r !== 4) {
    throw ctx.fail(
      "ONNX_UNSUPPORTED_OP",
      `${what} over rank ${r} (only 1-D and 2-D spatial) is not supported`,
    );
  }
  return r === 3;
}

const conv: OpRule = (ctx) => {
  ctx.expectInputs(2, 3);
  const x = ctx.input(0);
  const w = ctx.input(1);
  const oneD = checkRank(ctx, x, "Conv");
  const kernel = ctx.ints("kernel_shape") ??
    w.type.shape.slice(2).map((d) => (d as { value: number }).value);
  const win = widen(windowOf(ctx, x, kernel), oneD);
  const attrs: Attrs = {
    strides: win.strides,
    dilation: win.dilations,
    padding: win.pads,
    groups: ctx.int("group", 1),
  };
  let y = ctx.op("conv2d", [ctx.atomOf(as2d(ctx, x)), ctx.atomOf(as2d(ctx, w))], attrs);
  const bias = ctx.optional(2);
  if (bias) y = ctx.op("add", [y.atom!, channelwise(ctx, bias, 4)]);
  return [oneD ? ctx.op("squeeze", [y.atom!], { axes: [2] }) : y];
};

function pool(op: "max_pool2d" | "avg_pool2d"): OpRule {
  return (ctx) => {
    ctx.expectInputs(1);
    const x = ctx.input(0);
    const oneD = checkRank(ctx, x, op);
    const kernel = ctx.ints("kernel_shape");
    if (!kernel) throw ctx.fail("ONNX_BAD_ATTRIBUTE", `attribute "kernel_shape" is missing`);
    const win = widen(windowOf(ctx, x, kernel), oneD);
    if (win.dilations.some((d) => d !== 1)) {
      throw ctx.fail("ONNX_UNSUPPORTED_OP", "dilated pooling is not supported");
    }
    ctx.only("storage_order", 0, "column-major indices");
    if (ctx.int("ceil_mode", 0) !== 0) {
      ceilPads(ctx, op, as2d(ctx, x), win, oneD ? [1, kernel[0]] : kernel);
    }
    const attrs: Attrs = {
      kernel: oneD ? [1, kernel[0]] : [...kernel],
      strides: win.strides,
      padding: win.pads,
      ...(op === "avg_pool2d" ? { countIncludePad: ctx.int("count_include_pad", 0) !== 0 } : {}),
    };
    const y = ctx.op(op, [ctx.atomOf(as2d(ctx, x))], attrs);
    return [oneD ? ctx.op("squeeze", [y.atom!], { axes: [2] }) : y];
  };
}

/**
 * `ceil_mode=1` as extra end padding: the output size rounds up, `⌈(in + pads − k)/s⌉ + 1`, less
 * one if the last window would start in the end padding (ONNX's rule). The extra pad is outside
 * every max and, with `count_include_pad=0`, outside every average's count, so the windows are
 * those of ONNX. Needs constant spatial sizes.
 */
function ceilPads(
  ctx: NodeContext,
  op: string,
  x: Val,
  win: { strides: number[]; pads: number[] },
  kernel: readonly number[],
): void {
  if (op === "avg_pool2d" && ctx.int("count_include_pad", 0) !== 0) {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", "ceil_mode=1 with count_include_pad=1 is not supported");
  }
  for (let i = 0; i < 2; i++) {
    const d = x.type.shape[2 + i];
    if (d.kind !== "IntImm") {
      throw ctx.fail("ONNX_DYNAMIC_SHAPE", "ceil_mode=1 over a symbolic spatial size");
    }
    const padded = d.value + win.pads[i] + win.pads[i + 2];
    let out = Math.ceil((padded - kernel[i]) / win.strides[i]) + 1;
    if ((out - 1) * win.strides[i] >= d.value + win.pads[i]) out--;
    win.pads[i + 2] += Math.max(0, (out - 1) * win.strides[i] + kernel[i] - padded);
  }
}

function globalPool(op: string): OpRule {
  return (ctx) => {
    ctx.expectInputs(1);
    const x = ctx.input(0);
    const oneD = checkRank(ctx, x, op);
    const y = ctx.op(op, [ctx.atomOf(as2d(ctx, x))]);
    return [oneD ? ctx.op("squeeze", [y.atom!], { axes: [2] }) : y];
  };
}

/** `GlobalLpPool`: `(Σ |x|^p)^(1/p)` over the spatial axes, kept as size-1 dims. */
const globalLpPool: OpRule = (ctx) => {
  ctx.expectInputs(1);
  const r = ctx.input(0).type.shape.length;
  if (r < 3) {
    throw ctx.fail("ONNX_BAD_INPUT", `the input has rank ${r}, need N, C and spatial axes`);
  }
  const p = ctx.int("p", 2);
  const x = ctx.atom(0);
  const mag = p === 2
    ? ctx.op("mul", [x, x])
    : ctx.op("pow", [ctx.op("abs", [x]).atom!], { scalar: p });
  const total = ctx.op("reduce_sum", [mag.atom!], {
    axes: [...Array(r).keys()].slice(2),
    keepdims: true,
  });
  return [
    p === 2 ? ctx.op("sqrt", [total.atom!]) : ctx.op("pow", [total.atom!], { scalar: 1 / p }),
  ];
};

/** Inference BatchNormalization: constant statistics fold to `x·a + c` per channel. */
const batchNorm: OpRule = (ctx) => {
  ctx.expectInputs(5);
  if (ctx.int("training_mode", 0) !== 0) {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", "training mode is not supported");
  }
  const [x, scale, bias, mean, variance] = ctx.all();
  const eps = ctx.float("epsilon", 1e-5);
  const r = x.type.shape.length;
  if (scale.data && bias.data && mean.data && variance.data) {
    const n = scale.data.data.length;
    const a = new Float32Array(n);
    const c = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = Number(scale.data.data[i]) / Math.sqrt(Number(variance.data.data[i]) + eps);
      c[i] = Number(bias.data.data[i]) - Number(mean.data.data[i]) * a[i];
    }
    const vec = (d: Float32Array) => constVal(ndarray("float32", [n], d));
    const y = ctx.op("mul", [ctx.atom(0), channelwise(ctx, vec(a), r)]);
    return [ctx.op("add", [y.atom!, channelwise(ctx, vec(c), r)])];
  }
  const std = ctx.op("sqrt", [
    ctx.op("add", [channelwise(ctx, variance, r)], { scalar: eps }).atom!,
  ]);
  const centered = ctx.op("sub", [ctx.atom(0), channelwise(ctx, mean, r)]);
  const normed = ctx.op("div", [centered.atom!, std.atom!]);
  const scaled = ctx.op("mul", [normed.atom!, channelwise(ctx, scale, r)]);
  return [ctx.op("add", [scaled.atom!, channelwise(ctx, bias, r)])];
};

const instanceNorm: OpRule = (ctx) => {
  ctx.expectInputs(3);
  const x = ctx.input(0);
  const r = x.type.shape.length;
  const axes = [...Array(r).keys()].slice(2);
  const normed = ctx.op("layer_norm", [ctx.atom(0)], { axes, epsilon: ctx.float("epsilon", 1e-5) });
  const scaled = ctx.op("mul", [normed.atom!, channelwise(ctx, ctx.input(1), r)]);
  return [ctx.op("add", [scaled.atom!, channelwise(ctx, ctx.input(2), r)])];
};

const layerNorm: OpRule = (ctx) => {
  ctx.expectInputs(2, 3);
  const x = ctx.input(0);
  const r = x.type.shape.length;
  const axis = axisOf(ctx, ctx.int("axis", -1), r);
  const axes = [...Array(r).keys()].slice(axis);
  const args = ctx.optional(2)
    ? [ctx.atom(0), ctx.atom(1), ctx.atom(2)]
    : [ctx.atom(0), ctx.atom(1)];
  return [ctx.op("layer_norm", args, { axes, epsilon: ctx.float("epsilon", 1e-5) })];
};

/** `RMSNormalization` (opset 23): `x / √(mean(x²) + ε) · scale` over the axes from `axis`. */
const rmsNorm: OpRule = (ctx) => {
  ctx.expectInputs(2);
  const r = ctx.input(0).type.shape.length;
  const axes = [...Array(r).keys()].slice(axisOf(ctx, ctx.int("axis", -1), r));
  const x = ctx.atom(0);
  const ms = ctx.op("reduce_mean", [ctx.op("mul", [x, x]).atom!], { axes, keepdims: true });
  const inv = ctx.op("rsqrt", [
    ctx.op("add", [ms.atom!], { scalar: ctx.float("epsilon", 1e-5) }).atom!,
  ]);
  return [ctx.op("mul", [ctx.op("mul", [x, inv.atom!]).atom!, ctx.atom(1)])];
};

/** Softmax-like op over `axis`; before opset 13 the input is coerced to 2-D at `axis`. */
function softmaxLike(op: string): OpRule {
  return (ctx) => {
    ctx.expectInputs(1);
    const x = ctx.input(0);
    const r = x.type.shape.length;
    const legacy = ctx.opset < 13;
    const axis = axisOf(ctx, ctx.int("axis", legacy ? 1 : -1), r);
    if (!legacy || axis === r - 1) return [ctx.op(op, [ctx.atom(0)], { axis })];
    const dims = x.type.shape.map((d) => (d.kind === "IntImm" ? d.value : d));
    const flat = reshapeTo(ctx, x, [
      knownProduct(dims.slice(0, axis)),
      knownProduct(dims.slice(axis)),
    ]);
    const y = ctx.op(op, [ctx.atomOf(flat)], { axis: 1 });
    return [reshapeTo(ctx, y, dims)];
  };
}

const lpNorm: OpRule = (ctx) => {
  ctx.expectInputs(1);
  const r = ctx.input(0).type.shape.length;
  const axis = axisOf(ctx, ctx.int("axis", -1), r);
  const p = ctx.int("p", 2);
  if (p !== 1 && p !== 2) throw ctx.fail("ONNX_BAD_ATTRIBUTE", `p=${p}, need 1 or 2`);
  const x = ctx.atom(0);
  const mag = p === 1 ? ctx.op("abs", [x]) : ctx.op("mul", [x, x]);
  const total = ctx.op("reduce_sum", [mag.atom!], { axes: [axis], keepdims: true });
  const norm = p === 1 ? total : ctx.op("sqrt", [total.atom!]);
  return [ctx.op("div", [x, norm.atom!])];
};

/** `MeanVarianceNormalization`: `(x − mean)/std` over `axes` (default N, H, W), epsilon 1e-9. */
const meanVarianceNorm: OpRule = (ctx) => {
  ctx.expectInputs(1);
  const r = ctx.input(0).type.shape.length;
  const axes = (ctx.ints("axes") ?? [0, 2, 3]).map((a) => axisOf(ctx, a, r));
  const x = ctx.atom(0);
  const mean = ctx.op("reduce_mean", [x], { axes, keepdims: true });
  const d = ctx.op("sub", [x, mean.atom!]);
  const variance = ctx.op("reduce_mean", [ctx.op("mul", [d.atom!, d.atom!]).atom!], {
    axes,
    keepdims: true,
  });
  const std = ctx.op("sqrt", [ctx.op("add", [variance.atom!], { scalar: 1e-9 }).atom!]);
  return [ctx.op("div", [d.atom!, std.atom!])];
};

const dropout: OpRule = (ctx) => {
  ctx.expectInputs(1, 3);
  if (ctx.opset >= 12 && ctx.optional(2)?.known?.[0]) {
    throw ctx.fail("ONNX_UNSUPPORTED_OP", "training mode is not supported");
  }
  return [ctx.input(0)];
};

/** The linear-algebra and nn rules by ONNX op type. */
export const NN_RULES: Readonly<Record<string, OpRule>> = {
  MatMul: matMul,
  Gemm: gemm,
  Conv: conv,
  MaxPool: pool("max_pool2d"),
  AveragePool: pool("avg_pool2d"),
  GlobalAveragePool: globalPool("global_avg_pool2d"),
  GlobalMaxPool: globalPool("global_max_pool2d"),
  GlobalLpPool: globalLpPool,
  BatchNormalization: batchNorm,
  InstanceNormalization: instanceNorm,
  LayerNormalization: layerNorm,
  RMSNormalization: rmsNorm,
  Softmax: softmaxLike("softmax"),
  LogSoftmax: softmaxLike("log_softmax"),
  LpNormalization: lpNorm,
  MeanVarianceNormalization: meanVarianceNorm,
  Dropout: dropout,
};

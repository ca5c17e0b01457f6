/**
 * Neural-network ops built from several stages: `softmax` and `logSoftmax` (numerically stable:
 * the maximum is subtracted first), `layerNorm` (two-pass mean and variance), `gelu` (erf form
 * or tanh approximation). Floats only.
 *
 * @module
 */
import { isFloat } from "../dtype.ts";
import * as E from "../expr.ts";
import type { PrimExpr } from "../expr.ts";
import { compute, maxReduce, reduceAxis, sum, type Tensor } from "../te.ts";
import type { OpOptions } from "./elementwise.ts";
import { opError } from "./errors.ts";
import { normalizeAxes, normalizeAxis, numelOf, requireEqual, showShape } from "./shape.ts";

function checkFloat(op: string, arg: string, t: Tensor): void {
  if (!isFloat(t.dtype)) {
    throw opError(
      "OP_DTYPE_MISMATCH",
      op,
      arg,
      `has dtype ${t.dtype}, need a float dtype`,
      "cast() the tensor to a float dtype first",
    );
  }
}

/** Options of `softmax` and `logSoftmax`. */
export interface SoftmaxOptions extends OpOptions {
  /** The axis to normalise over (default -1). */
  readonly axis?: number;
}

/** Stages shared by softmax and log-softmax: the max along the axis and Σ exp(x − max). */
function softmaxStages(op: string, x: Tensor, options: SoftmaxOptions, name: string) {
  checkFloat(op, "x", x);
  const axis = normalizeAxis(op, "axis", options.axis ?? -1, x.shape.length);
  const reduced = x.shape.filter((_, k) => k !== axis);
  // Index of x with the reduce variable at `axis`, from the indices of the reduced shape.
  const along = (idx: readonly PrimExpr[], r: PrimExpr) => [
    ...idx.slice(0, axis),
    r,
    ...idx.slice(axis),
  ];
  const k1 = reduceAxis(x.shape[axis], "k");
  const mx = compute(reduced, (idx) => maxReduce(x.at(...along(idx, k1)), [k1]), `${name}_maxelem`);
  const drop = (idx: readonly PrimExpr[]) => idx.filter((_, k) => k !== axis);
  const k2 = reduceAxis(x.shape[axis], "k");
  const expsum = (src: (idx: readonly PrimExpr[]) => PrimExpr) =>
    compute(reduced, (idx) => sum(src(along(idx, k2)), [k2]), `${name}_expsum`);
  return { mx, drop, expsum };
}

/**
 * `exp(x − max) / Σ exp(x − max)` along an axis, in four stages: max, exp, sum, divide.
 *
 * @example
 * ```ts
 * import { softmax } from "./nn.ts";
 * import { placeholder, sizeVar } from "../te.ts";
 * const n = sizeVar("n");
 * console.assert(softmax(placeholder([n, 10], "float32", "x")).shape[0] === n);
 * ```
 */
export function softmax(x: Tensor, options: SoftmaxOptions = {}): Tensor {
  const name = options.name ?? "T_softmax";
  const s = softmaxStages("softmax", x, options, name);
  const e = compute(
    x.shape,
    (idx) => E.call("exp", [E.sub(x.at(...idx), s.mx.at(...s.drop(idx)))]),
    `${name}_exp`,
  );
  const total = s.expsum((idx) => e.at(...idx));
  return compute(x.shape, (idx) => E.div(e.at(...idx), total.at(...s.drop(idx))), name);
}

/**
 * `x − max − log Σ exp(x − max)` along an axis.
 *
 * @example
 * ```ts
 * import { logSoftmax } from "./nn.ts";
 * import { placeholder } from "../te.ts";
 * console.assert(logSoftmax(placeholder([3, 10], "float32", "x"), { axis: 0 }).dtype === "float32");
 * ```
 */
export function logSoftmax(x: Tensor, options: SoftmaxOptions = {}): Tensor {
  const name = options.name ?? "T_log_softmax";
  const s = softmaxStages("log_softmax", x, options, name);
  const total = s.expsum((idx) => E.call("exp", [E.sub(x.at(...idx), s.mx.at(...s.drop(idx)))]));
  return compute(x.shape, (idx) => {
    const r = s.drop(idx);
    return E.sub(E.sub(x.at(...idx), s.mx.at(...r)), E.call("log", [total.at(...r)]));
  }, name);
}

/** Options of `layerNorm`. */
export interface LayerNormOptions extends OpOptions {
  /** The normalised axes: the last ones, e.g. `[-1]` (default) or `[-2, -1]`. */
  readonly axes?: number | readonly number[];
  /** Added to the variance (default 1e-5). */
  readonly epsilon?: number;
}

/**
 * `(x − mean) / √(var + ε) · γ + β` over the last axes; γ and β (optional) have the shape of
 * those axes. Stages: mean, variance (of `x − mean`, two-pass), output.
 *
 * @example
 * ```ts
 * import { layerNorm } from "./nn.ts";
 * import { placeholder, sizeVar } from "../te.ts";
 * const n = sizeVar("n");
 * const x = placeholder([n, 16], "float32", "x");
 * const g = placeholder([16], "float32", "gamma");
 * const b = placeholder([16], "float32", "beta");
 * console.assert(layerNorm(x, g, b).shape[0] === n);
 * ```
 */
export function layerNorm(
  x: Tensor,
  gamma?: Tensor,
  beta?: Tensor,
  options: LayerNormOptions = {},
): Tensor {
  const op = "layer_norm";
  checkFloat(op, "x", x);
  const r = x.shape.length;
  const axes = normalizeAxes(op, "axes", options.axes ?? -1, r);
  if (axes.length === 0 || axes.some((a, k) => a !== r - axes.length + k)) {
    throw opError(
      "OP_BAD_AXIS",
      op,
      "axes",
      `[${axes.join(", ")}] must be the last axes of a rank-${r} tensor`,
    );
  }
  const lead = r - axes.length;
  const normShape = x.shape.slice(lead);
  for (const [t, arg] of [[gamma, "gamma"], [beta, "beta"]] as const) {
    if (!t) continue;
    if (t.dtype !== x.dtype) {
      throw opError("OP_DTYPE_MISMATCH", op, arg, `has dtype ${t.dtype}, need ${x.dtype}`);
    }
    if (t.shape.length !== normShape.length) {
      throw opError(
        "OP_SHAPE_MISMATCH",
        op,
        arg,
        `has shape ${showShape(t.shape)}, need ${showShape(normShape)}`,
      );
    }
    t.shape.forEach((d, k) => requireEqual(op, arg, `dimension ${k}`, d, normShape[k]));
  }
  const name = options.name ?? "T_layer_norm";
  const eps = options.epsilon ?? 1e-5;
  if (!(eps >= 0)) throw opError("OP_BAD_PARAM", op, "epsilon", `${eps} must be ≥ 0`);
  const count = E.cast(x.dtype, numelOf(normShape));
  const leadShape = x.shape.slice(0, lead);
  const rv = () => normShape.map((d, k) => reduceAxis(d, `k${k}`));
  const r1 = rv();
  const total = compute(leadShape, (idx) => sum(x.at(...idx, ...r1), r1), `${name}_sum`);
  const mean = compute(leadShape, (idx) => E.div(total.at(...idx), count), `${name}_mean`);
  const r2 = rv();
  const sq = compute(leadShape, (idx) =>
    sum(
      (() => {
        const dx = E.sub(x.at(...idx, ...r2), mean.at(...idx));
        return E.mul(dx, dx);
      })(),
      r2,
    ), `${name}_sqsum`);
  const rstd = compute(
    leadShape,
    (idx) => E.call("rsqrt", [E.add(E.div(sq.at(...idx), count), E.constant(eps, x.dtype))]),
    `${name}_rstd`,
  );
  return compute(x.shape, (idx) => {
    const l = idx.slice(0, lead);
    const t = idx.slice(lead);
    let v = E.mul(E.sub(x.at(...idx), mean.at(...l)), rstd.at(...l));
    if (gamma) v = E.mul(v, gamma.at(...t));
    if (beta) v = E.add(v, beta.at(...t));
    return v;
  }, name);
}

/** Options of `gelu`. */
export interface GeluOptions extends OpOptions {
  /** `"none"` (default): `x·Φ(x)` with erf; `"tanh"`: the tanh approximation. */
  readonly approximate?: "none" | "tanh";
}

/**
 * Gaussian error linear unit: `0.5·x·(1 + erf(x/√2))`, or with `approximate: "tanh"`
 * `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
 *
 * @example
 * ```ts
 * import { gelu } from "./nn.ts";
 * import { placeholder } from "../te.ts";
 * console.assert(gelu(placeholder([8], "float32", "x"), { approximate: "tanh" }).name === "T_gelu");
 * ```
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  const op = "gelu";
  checkFloat(op, "x", x);
  const mode = options.approximate ?? "none";
  if (mode !== "none" && mode !== "tanh") {
    throw opError("OP_BAD_PARAM", op, "approximate", `"${mode}" must be "none" or "tanh"`);
  }
  const c = (v: number) => E.constant(v, x.dtype);
  return compute(x.shape, (idx) => {
    const v = x.at(...idx);
    const inner = mode === "none" ? E.call("erf", [E.mul(v, c(Math.SQRT1_2))]) : E.call("tanh", [
      E.mul(c(Math.sqrt(2 / Math.PI)), E.add(v, E.mul(c(0.044715), E.mul(E.mul(v, v), v)))),
    ]);
    return E.mul(E.mul(c(0.5), v), E.add(c(1), inner));
  }, options.name ?? "T_gelu");
}

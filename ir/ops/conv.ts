/**
 * 2-D convolution in NCHW (weights OIHW) and NHWC (weights HWIO), with strides, padding per
 * side, dilation and groups; depthwise convolution with a channel multiplier. Padding is a
 * separate `pad` stage (`<name>_pad`) so the convolution block itself is a plain reduction.
 *
 * `out[n, k, y, x] = Σ_{rc, ry, rx} P[n, g·Cg + rc, y·sh + ry·dh, x·sw + rx·dw] · W[k, rc, ry, rx]`
 * with `g = ⌊k / (K/groups)⌋`, `Cg = C/groups`, and output sizes
 * `⌊(H + padT + padB − dh·(KH − 1) − 1) / sh⌋ + 1`.
 *
 * @module
 */
import { type DType, isBool } from "../dtype.ts";
import * as E from "../expr.ts";
import type { PrimExpr } from "../expr.ts";
import { compute, reduceAxis, sum, type Tensor } from "../te.ts";
import type { OpOptions } from "./elementwise.ts";
import { opError } from "./errors.ts";
import { checkRank, constOf, divideExact, requireEqual, show } from "./shape.ts";
import { pad } from "./transform.ts";
import { type Layout2d, layoutAxes, outSize, type Padding, type Pair, windowOf } from "./window.ts";

/** Options of `conv2d` and `depthwiseConv2d`. */
export interface Conv2dOptions extends OpOptions {
  /** Data layout (default NCHW); the kernel is OIHW for NCHW and HWIO for NHWC. */
  readonly layout?: Layout2d;
  /** Strides (default 1). */
  readonly strides?: Pair;
  /** Zero padding: one number, `[h, w]`, or `[top, left, bottom, right]` (default 0). */
  readonly padding?: Padding;
  /** Dilation (default 1). */
  readonly dilation?: Pair;
  /** Groups (conv2d only; default 1): C and K must both divide by it. */
  readonly groups?: number;
  /** Accumulator and result dtype (default the data's), e.g. int32 for int8 data. */
  readonly outDtype?: DType;
}

function checkInputs(op: string, data: Tensor, weight: Tensor): void {
  checkRank(op, "data", data.shape, 4);
  checkRank(op, "weight", weight.shape, 4);
  if (data.dtype !== weight.dtype) {
    throw opError(
      "OP_DTYPE_MISMATCH",
      op,
      "weight",
      `has dtype ${weight.dtype}, but "data" has ${data.dtype}`,
      "cast() one operand; use outDtype for a wider accumulator",
    );
  }
  if (isBool(data.dtype)) throw opError("OP_DTYPE_MISMATCH", op, "data", "bool data");
}

/** Padded data (or the data itself), output spatial sizes and the input index of a tap. */
function sweep(
  op: string,
  data: Tensor,
  kh: PrimExpr,
  kw: PrimExpr,
  options: Conv2dOptions,
  name: string,
) {
  const layout = options.layout ?? "NCHW";
  const ax = layoutAxes(op, layout);
  const win = windowOf(op, options);
  const [pt, pl, pb, pr] = win.padding;
  const before = [0, 0, 0, 0];
  const after = [0, 0, 0, 0];
  [before[ax.h], before[ax.w], after[ax.h], after[ax.w]] = [pt, pl, pb, pr];
  const padded = pt + pl + pb + pr > 0
    ? pad(data, before, after, 0, { name: `${name}_pad` })
    : data;
  const oh = outSize(data.shape[ax.h], kh, pt, pb, win.strides[0], win.dilation[0]);
  const ow = outSize(data.shape[ax.w], kw, pl, pr, win.strides[1], win.dilation[1]);
  for (const [o, what] of [[oh, "height"], [ow, "width"]] as const) {
    const v = constOf(o);
    if (v !== undefined && v < 1) {
      throw opError(
        "OP_SHAPE_MISMATCH",
        op,
        "weight",
        `the dilated kernel is larger than the padded input ${what} (output ${what} ${v})`,
      );
    }
  }
  const tap = (o: PrimExpr, r: PrimExpr, k: 0 | 1) =>
    E.add(E.mul(o, win.strides[k]), E.mul(r, win.dilation[k]));
  return { layout, ax, padded, oh, ow, tap };
}

/**
 * 2-D convolution (cross-correlation, as in every DL framework).
 *
 * @example
 * ```ts
 * import { conv2d } from "./conv.ts";
 * import { placeholder, sizeVar } from "../te.ts";
 * const h = sizeVar("h");
 * const data = placeholder([1, 4, h, 9], "float32", "data");
 * const weight = placeholder([8, 4, 3, 3], "float32", "weight");
 * const out = conv2d(data, weight, { strides: 2, padding: 1 });
 * console.assert(out.shape[1].kind === "IntImm" && out.shape[2].kind !== "IntImm");
 * ```
 */
export function conv2d(data: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  const op = "conv2d";
  checkInputs(op, data, weight);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) {
    throw opError("OP_BAD_PARAM", op, "groups", `${groups} must be a positive integer`);
  }
  const name = options.name ?? `T_conv2d_${(options.layout ?? "NCHW").toLowerCase()}`;
  const nchw = (options.layout ?? "NCHW") === "NCHW";
  const [K, Cg, KH, KW] = nchw
    ? weight.shape
    : [weight.shape[3], weight.shape[2], weight.shape[0], weight.shape[1]];
  const s = sweep(op, data, KH, KW, options, name);
  const C = data.shape[s.ax.c];
  requireEqual(
    op,
    "weight",
    `input channels × groups (${show(Cg)} × ${groups})`,
    E.mul(Cg, groups),
    C,
  );
  const Kg = divideExact(K, E.int(groups));
  if (!Kg) {
    throw opError(
      constOf(K) !== undefined ? "OP_SHAPE_MISMATCH" : "OP_UNPROVABLE_SHAPE",
      op,
      "weight",
      `output channels ${show(K)} do not divide by groups ${groups}`,
    );
  }
  const d = options.outDtype ?? data.dtype;
  const rc = reduceAxis(Cg, "rc");
  const ry = reduceAxis(KH, "ry");
  const rx = reduceAxis(KW, "rx");
  const N = data.shape[0];
  const shape = nchw ? [N, K, s.oh, s.ow] : [N, s.oh, s.ow, K];
  return compute(shape, (idx) => {
    const [n, k, y, x] = nchw ? idx : [idx[0], idx[3], idx[1], idx[2]];
    const c = groups === 1 ? rc : E.add(E.mul(E.floordiv(k, Kg), Cg), rc);
    const iy = s.tap(y, ry, 0);
    const ix = s.tap(x, rx, 1);
    const v = nchw ? s.padded.at(n, c, iy, ix) : s.padded.at(n, iy, ix, c);
    const w = nchw ? weight.at(k, rc, ry, rx) : weight.at(ry, rx, rc, k);
    return sum(E.mul(E.cast(d, v), E.cast(d, w)), [rc, ry, rx]);
  }, name);
}

/**
 * Depthwise 2-D convolution: each input channel convolved with its own `M` filters (channel
 * multiplier). Weights are `[C, M, KH, KW]` for NCHW and `[KH, KW, C, M]` for NHWC; output
 * channel `c·M + m` comes from input channel `c` and filter `m`.
 *
 * @example
 * ```ts
 * import { depthwiseConv2d } from "./conv.ts";
 * import { placeholder, sizeVar } from "../te.ts";
 * const c = sizeVar("c");
 * const data = placeholder([1, c, 9, 9], "float32", "data");
 * const weight = placeholder([c, 1, 3, 3], "float32", "weight");
 * console.assert(depthwiseConv2d(data, weight, { padding: 1 }).shape[1] === c);
 * ```
 */
export function depthwiseConv2d(
  data: Tensor,
  weight: Tensor,
  options: Conv2dOptions = {},
): Tensor {
  const op = "depthwise_conv2d";
  checkInputs(op, data, weight);
  if ((options.groups ?? 1) !== 1) {
    throw opError("OP_BAD_PARAM", op, "groups", "depthwise convolution takes no groups");
  }
  const name = options.name ?? `T_depthwise_conv2d_${(options.layout ?? "NCHW").toLowerCase()}`;
  const nchw = (options.layout ?? "NCHW") === "NCHW";
  const [Cw, M, KH, KW] = nchw
    ? weight.shape
    : [weight.shape[2], weight.shape[3], weight.shape[0], weight.shape[1]];
  const s = sweep(op, data, KH, KW, options, name);
  requireEqual(op, "weight", "the channel dimension", Cw, data.shape[s.ax.c]);
  const d = options.outDtype ?? data.dtype;
  const ry = reduceAxis(KH, "ry");
  const rx = reduceAxis(KW, "rx");
  const Q = E.mul(Cw, M);
  const N = data.shape[0];
  const shape = nchw ? [N, Q, s.oh, s.ow] : [N, s.oh, s.ow, Q];
  return compute(shape, (idx) => {
    const [n, q, y, x] = nchw ? idx : [idx[0], idx[3], idx[1], idx[2]];
    const c = E.floordiv(q, M);
    const m = E.floormod(q, M);
    const iy = s.tap(y, ry, 0);
    const ix = s.tap(x, rx, 1);
    const v = nchw ? s.padded.at(n, c, iy, ix) : s.padded.at(n, iy, ix, c);
    const w = nchw ? weight.at(c, m, ry, rx) : weight.at(ry, rx, c, m);
    return sum(E.mul(E.cast(d, v), E.cast(d, w)), [ry, rx]);
  }, name);
}

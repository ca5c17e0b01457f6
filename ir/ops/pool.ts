/**
 * 2-D pooling in NCHW or NHWC: max and average pooling over a window with strides and padding
 * per side, and global pooling over the whole image.
 *
 * Max pooling pads with −∞ (the smallest value for integers) in a `<name>_pad` stage. Average
 * pooling sums a zero-padded window (`<name>_sum`), then divides by the window size
 * (`countIncludePad`) or by the number of real elements under the window:
 * `(min(y·sh − padT + KH, H) − max(y·sh − padT, 0)) · (same along the width)`.
 *
 * @module
 */
import { isBool, isFloat, minValue } from "../dtype.ts";
import * as E from "../expr.ts";
import type { PrimExpr } from "../expr.ts";
import { compute, maxReduce, reduceAxis, sum, type Tensor } from "../te.ts";
import type { OpOptions } from "./elementwise.ts";
import { opError } from "./errors.ts";
import { checkRank, constOf } from "./shape.ts";
import { pad } from "./transform.ts";
import {
  type Layout2d,
  layoutAxes,
  outSize,
  type Padding,
  type Pair,
  pairOf,
  windowOf,
} from "./window.ts";

/** Options of `maxPool2d` and `avgPool2d`. */
export interface Pool2dOptions extends OpOptions {
  /** Window size `[KH, KW]` or one number (required). */
  readonly kernel: Pair;
  /** Strides (default: 1). */
  readonly strides?: Pair;
  /** Padding: one number, `[h, w]`, or `[top, left, bottom, right]`; each < the kernel. */
  readonly padding?: Padding;
  /** Data layout (default NCHW). */
  readonly layout?: Layout2d;
  /** Average pooling: divide by the whole window, padding included (default false). */
  readonly countIncludePad?: boolean;
}

function poolSetup(op: string, x: Tensor, options: Pool2dOptions) {
  checkRank(op, "x", x.shape, 4);
  if (isBool(x.dtype)) throw opError("OP_DTYPE_MISMATCH", op, "x", "bool data");
  const layout = options.layout ?? "NCHW";
  const ax = layoutAxes(op, layout);
  const [kh, kw] = pairOf(op, "kernel", options.kernel);
  const win = windowOf(op, { strides: options.strides, padding: options.padding });
  const [pt, pl, pb, pr] = win.padding;
  if (pt >= kh || pb >= kh || pl >= kw || pr >= kw) {
    throw opError(
      "OP_BAD_PARAM",
      op,
      "padding",
      `[${win.padding.join(", ")}] must be smaller than the kernel [${kh}, ${kw}] on every side`,
    );
  }
  const oh = outSize(x.shape[ax.h], E.int(kh), pt, pb, win.strides[0], 1);
  const ow = outSize(x.shape[ax.w], E.int(kw), pl, pr, win.strides[1], 1);
  for (const o of [oh, ow]) {
    const v = constOf(o);
    if (v !== undefined && v < 1) {
      throw opError(
        "OP_SHAPE_MISMATCH",
        op,
        "kernel",
        "the window is larger than the padded input",
      );
    }
  }
  const before = [0, 0, 0, 0];
  const after = [0, 0, 0, 0];
  [before[ax.h], before[ax.w], after[ax.h], after[ax.w]] = [pt, pl, pb, pr];
  const padded = pt + pl + pb + pr > 0;
  const ry = reduceAxis(kh, "ry");
  const rx = reduceAxis(kw, "rx");
  const shape = x.shape.map((d, k) => (k === ax.h ? oh : k === ax.w ? ow : d));
  /** The padded input's element under window tap (ry, rx) of output position idx. */
  const at = (src: Tensor, idx: readonly PrimExpr[]) =>
    src.at(
      ...idx.map((i, k) =>
        k === ax.h
          ? E.add(E.mul(i, win.strides[0]), ry)
          : k === ax.w
          ? E.add(E.mul(i, win.strides[1]), rx)
          : i
      ),
    );
  return { ax, kh, kw, win, before, after, padded, ry, rx, shape, at };
}

/**
 * Maximum over each window.
 *
 * @example
 * ```ts
 * import { maxPool2d } from "./pool.ts";
 * import { placeholder } from "../te.ts";
 * const y = maxPool2d(placeholder([1, 3, 9, 9], "float32", "x"), { kernel: 3, strides: 2, padding: 1 });
 * console.assert((y.shape[2] as { value: number }).value === 5);
 * ```
 */
export function maxPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const op = "max_pool2d";
  const s = poolSetup(op, x, options);
  const name = options.name ?? "T_max_pool2d";
  const low = isFloat(x.dtype) ? -Infinity : minValue(x.dtype);
  const src = s.padded ? pad(x, s.before, s.after, low, { name: `${name}_pad` }) : x;
  return compute(s.shape, (idx) => maxReduce(s.at(src, idx), [s.ry, s.rx]), name);
}

/**
 * Mean over each window (floats only).
 *
 * @example
 * ```ts
 * import { avgPool2d } from "./pool.ts";
 * import { placeholder } from "../te.ts";
 * const y = avgPool2d(placeholder([1, 9, 9, 3], "float32", "x"), { kernel: 2, layout: "NHWC" });
 * console.assert((y.shape[1] as { value: number }).value === 8);
 * ```
 */
export function avgPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const op = "avg_pool2d";
  const s = poolSetup(op, x, options);
  if (!isFloat(x.dtype)) {
    throw opError("OP_DTYPE_MISMATCH", op, "x", `has dtype ${x.dtype}, need a float dtype`);
  }
  const name = options.name ?? "T_avg_pool2d";
  const src = s.padded ? pad(x, s.before, s.after, 0, { name: `${name}_pad` }) : x;
  const total = compute(s.shape, (idx) => sum(s.at(src, idx), [s.ry, s.rx]), `${name}_sum`);
  const [pt, pl] = s.win.padding;
  const H = x.shape[s.ax.h];
  const W = x.shape[s.ax.w];
  return compute(s.shape, (idx) => {
    let count: PrimExpr = E.int(s.kh * s.kw);
    if (!options.countIncludePad && s.padded) {
      const extent = (o: PrimExpr, stride: number, p: number, k: number, size: PrimExpr) => {
        const start = E.sub(E.mul(o, stride), p);
        return E.sub(E.min(E.add(start, k), size), E.max(start, 0));
      };
      count = E.mul(
        extent(idx[s.ax.h], s.win.strides[0], pt, s.kh, H),
        extent(idx[s.ax.w], s.win.strides[1], pl, s.kw, W),
      );
    }
    return E.div(total.at(...idx), E.cast(x.dtype, count));
  }, name);
}

/** Options of global pooling. */
export interface GlobalPoolOptions extends OpOptions {
  /** Data layout (default NCHW). */
  readonly layout?: Layout2d;
}

/**
 * Global average pooling: the mean over height and width, kept as 1×1.
 *
 * @example
 * ```ts
 * import { globalAvgPool2d } from "./pool.ts";
 * import { placeholder, sizeVar } from "../te.ts";
 * const h = sizeVar("h");
 * const y = globalAvgPool2d(placeholder([2, 3, h, h], "float32", "x"));
 * console.assert((y.shape[3] as { value: number }).value === 1);
 * ```
 */
export function globalAvgPool2d(x: Tensor, options: GlobalPoolOptions = {}): Tensor {
  const op = "global_avg_pool2d";
  checkRank(op, "x", x.shape, 4);
  if (!isFloat(x.dtype)) {
    throw opError("OP_DTYPE_MISMATCH", op, "x", `has dtype ${x.dtype}, need a float dtype`);
  }
  const ax = layoutAxes(op, options.layout ?? "NCHW");
  const name = options.name ?? "T_global_avg_pool2d";
  const ry = reduceAxis(x.shape[ax.h], "ry");
  const rx = reduceAxis(x.shape[ax.w], "rx");
  const shape = x.shape.map((d, k) => (k === ax.h || k === ax.w ? E.int(1) : d));
  const src = (idx: readonly PrimExpr[]) =>
    x.at(...idx.map((i, k) => (k === ax.h ? ry : k === ax.w ? rx : i)));
  const total = compute(shape, (idx) => sum(src(idx), [ry, rx]), `${name}_sum`);
  const count = E.cast(x.dtype, E.mul(x.shape[ax.h], x.shape[ax.w]));
  return compute(shape, (idx) => E.div(total.at(...idx), count), name);
}

/**
 * Global max pooling: the maximum over height and width, kept as 1×1.
 *
 * @example
 * ```ts
 * import { globalMaxPool2d } from "./pool.ts";
 * import { placeholder } from "../te.ts";
 * console.assert(globalMaxPool2d(placeholder([2, 5, 5, 3], "int8", "x"), { layout: "NHWC" }).dtype === "int8");
 * ```
 */
export function globalMaxPool2d(x: Tensor, options: GlobalPoolOptions = {}): Tensor {
  const op = "global_max_pool2d";
  checkRank(op, "x", x.shape, 4);
  if (isBool(x.dtype)) throw opError("OP_DTYPE_MISMATCH", op, "x", "bool data");
  const ax = layoutAxes(op, options.layout ?? "NCHW");
  const ry = reduceAxis(x.shape[ax.h], "ry");
  const rx = reduceAxis(x.shape[ax.w], "rx");
  const shape = x.shape.map((d, k) => (k === ax.h || k === ax.w ? E.int(1) : d));
  return compute(
    shape,
    (idx) =>
      maxReduce(x.at(...idx.map((i, k) => (k === ax.h ? ry : k === ax.w ? rx : i))), [ry, rx]),
    options.name ?? "T_global_max_pool2d",
  );
}

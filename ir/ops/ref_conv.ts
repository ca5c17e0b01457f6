/**
 * Plain-TypeScript references of `conv2d` and `depthwiseConv2d`: direct loops over the output and
 * the kernel taps, skipping taps that fall into the zero padding.
 *
 * @module
 */
import type { DType } from "../dtype.ts";
import type { NDArray } from "../ndarray.ts";
import { fill, get, pad4, pair, roundTo, stridesOf, unravel } from "./ref_util.ts";

/** Attributes of the reference convolutions (the same fields as the op's options). */
export interface RefConvAttrs {
  /** Data layout (kernel OIHW for NCHW, HWIO for NHWC). */
  readonly layout?: "NCHW" | "NHWC";
  /** Strides: one number or `[h, w]`. */
  readonly strides?: number | readonly number[];
  /** Padding: one number, `[h, w]` or `[top, left, bottom, right]`. */
  readonly padding?: number | readonly number[];
  /** Dilation: one number or `[h, w]`. */
  readonly dilation?: number | readonly number[];
  /** Groups. */
  readonly groups?: number;
  /** Accumulator and result dtype. */
  readonly outDtype?: DType;
}

/** Sizes of a convolution read from concrete shapes: data [N, C, H, W] view, kernel KH×KW. */
function geometry(data: NDArray, kh: number, kw: number, attrs: RefConvAttrs) {
  const nchw = (attrs.layout ?? "NCHW") === "NCHW";
  const [N, C, H, W] = nchw
    ? data.shape
    : [data.shape[0], data.shape[3], data.shape[1], data.shape[2]];
  const [sh, sw] = pair(attrs.strides, 1);
  const [dh, dw] = pair(attrs.dilation, 1);
  const [pt, pl, pb, pr] = pad4(attrs.padding);
  const OH = Math.floor((H + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  const ds = stridesOf(data.shape);
  /** Offset of data[n, c, y, x] in either layout. */
  const at = (n: number, c: number, y: number, x: number) =>
    nchw
      ? n * ds[0] + c * ds[1] + y * ds[2] + x * ds[3]
      : n * ds[0] + y * ds[1] + x * ds[2] + c * ds[3];
  /** The input row/column of output position o and tap r, or -1 inside the padding. */
  const iy = (o: number, r: number) => {
    const y = o * sh - pt + r * dh;
    return y >= 0 && y < H ? y : -1;
  };
  const ix = (o: number, r: number) => {
    const x = o * sw - pl + r * dw;
    return x >= 0 && x < W ? x : -1;
  };
  /** Output shape in the layout, and the output (n, k, y, x) of a linear output position. */
  const outShape = (K: number) => (nchw ? [N, K, OH, OW] : [N, OH, OW, K]);
  const split = (lin: number, K: number) => {
    const o = unravel(lin, outShape(K));
    return nchw ? o : [o[0], o[3], o[1], o[2]];
  };
  return { nchw, C, OH, OW, at, iy, ix, outShape, split };
}

/**
 * Grouped 2-D convolution (weights OIHW for NCHW, HWIO for NHWC).
 *
 * @example
 * ```ts
 * import { refConv2d } from "./ref_conv.ts";
 * import { ndarray } from "../ndarray.ts";
 * const y = refConv2d(ndarray("float32", [1, 1, 2, 2], [1, 2, 3, 4]), ndarray("float32", [1, 1, 1, 1], [2]));
 * console.assert(y.data[3] === 8);
 * ```
 */
export function refConv2d(data: NDArray, weight: NDArray, attrs: RefConvAttrs = {}): NDArray {
  const nchw = (attrs.layout ?? "NCHW") === "NCHW";
  const [K, Cg, KH, KW] = nchw
    ? weight.shape
    : [weight.shape[3], weight.shape[2], weight.shape[0], weight.shape[1]];
  const g = geometry(data, KH, KW, attrs);
  const ws = stridesOf(weight.shape);
  const wat = (k: number, c: number, y: number, x: number) =>
    nchw
      ? k * ws[0] + c * ws[1] + y * ws[2] + x * ws[3]
      : y * ws[0] + x * ws[1] + c * ws[2] + k * ws[3];
  const Kg = K / (attrs.groups ?? 1);
  const d = attrs.outDtype ?? data.dtype;
  return fill(d, g.outShape(K), (lin) => {
    const [n, k, oy, ox] = g.split(lin, K);
    const c0 = Math.floor(k / Kg) * Cg;
    let acc = 0;
    for (let c = 0; c < Cg; c++) {
      for (let ry = 0; ry < KH; ry++) {
        const y = g.iy(oy, ry);
        if (y < 0) continue;
        for (let rx = 0; rx < KW; rx++) {
          const x = g.ix(ox, rx);
          if (x < 0) continue;
          acc += roundTo(d, get(data, g.at(n, c0 + c, y, x))) *
            roundTo(d, get(weight, wat(k, c, ry, rx)));
        }
      }
    }
    return acc;
  });
}

/**
 * Depthwise 2-D convolution with channel multiplier M (weights `[C, M, KH, KW]` for NCHW,
 * `[KH, KW, C, M]` for NHWC).
 *
 * @example
 * ```ts
 * import { refDepthwiseConv2d } from "./ref_conv.ts";
 * import { ndarray } from "../ndarray.ts";
 * const y = refDepthwiseConv2d(ndarray("float32", [1, 1, 1, 1], [3]), ndarray("float32", [1, 2, 1, 1], [1, 2]));
 * console.assert(y.data[1] === 6);
 * ```
 */
export function refDepthwiseConv2d(
  data: NDArray,
  weight: NDArray,
  attrs: RefConvAttrs = {},
): NDArray {
  const nchw = (attrs.layout ?? "NCHW") === "NCHW";
  const [C, M, KH, KW] = nchw
    ? weight.shape
    : [weight.shape[2], weight.shape[3], weight.shape[0], weight.shape[1]];
  const g = geometry(data, KH, KW, attrs);
  const ws = stridesOf(weight.shape);
  const wat = (c: number, m: number, y: number, x: number) =>
    nchw
      ? c * ws[0] + m * ws[1] + y * ws[2] + x * ws[3]
      : y * ws[0] + x * ws[1] + c * ws[2] + m * ws[3];
  const d = attrs.outDtype ?? data.dtype;
  return fill(d, g.outShape(C * M), (lin) => {
    const [n, q, oy, ox] = g.split(lin, C * M);
    const c = Math.floor(q / M);
    const m = q % M;
    let acc = 0;
    for (let ry = 0; ry < KH; ry++) {
      const y = g.iy(oy, ry);
      if (y < 0) continue;
      for (let rx = 0; rx < KW; rx++) {
        const x = g.ix(ox, rx);
        if (x < 0) continue;
        acc += roundTo(d, get(data, g.at(n, c, y, x))) * roundTo(d, get(weight, wat(c, m, ry, rx)));
      }
    }
    return acc;
  });
}

/**
 * Plain-TypeScript references of pooling: direct loops over each window, skipping padding.
 *
 * @module
 */
import type { NDArray } from "../ndarray.ts";
import { fill, get, pad4, pair, stridesOf, unravel } from "./ref_util.ts";

/** Attributes of the reference pools (the same fields as the op's options). */
export interface RefPoolAttrs {
  /** Window: one number or `[h, w]`. */
  readonly kernel: number | readonly number[];
  /** Strides: one number or `[h, w]`. */
  readonly strides?: number | readonly number[];
  /** Padding: one number, `[h, w]` or `[top, left, bottom, right]`. */
  readonly padding?: number | readonly number[];
  /** Data layout. */
  readonly layout?: "NCHW" | "NHWC";
  /** Average pooling divides by the whole window. */
  readonly countIncludePad?: boolean;
}

function pool(x: NDArray, attrs: RefPoolAttrs, kind: "max" | "avg"): NDArray {
  const nchw = (attrs.layout ?? "NCHW") === "NCHW";
  const [hAx, wAx] = nchw ? [2, 3] : [1, 2];
  const H = x.shape[hAx];
  const W = x.shape[wAx];
  const [kh, kw] = pair(attrs.kernel, 1);
  const [sh, sw] = pair(attrs.strides, 1);
  const [pt, pl, pb, pr] = pad4(attrs.padding);
  const OH = Math.floor((H + pt + pb - kh) / sh) + 1;
  const OW = Math.floor((W + pl + pr - kw) / sw) + 1;
  const shape = x.shape.map((d, k) => (k === hAx ? OH : k === wAx ? OW : d));
  const xs = stridesOf(x.shape);
  return fill(x.dtype, shape, (lin) => {
    const idx = unravel(lin, shape);
    let best = -Infinity;
    let total = 0;
    let count = 0;
    for (let ry = 0; ry < kh; ry++) {
      const y = idx[hAx] * sh - pt + ry;
      if (y < 0 || y >= H) continue;
      for (let rx = 0; rx < kw; rx++) {
        const xx = idx[wAx] * sw - pl + rx;
        if (xx < 0 || xx >= W) continue;
        let o = 0;
        idx.forEach((v, k) => (o += (k === hAx ? y : k === wAx ? xx : v) * xs[k]));
        const v = get(x, o);
        best = Math.max(best, v);
        total += v;
        count++;
      }
    }
    if (kind === "max") return best;
    return total / (attrs.countIncludePad ? kh * kw : count);
  });
}

/** Max pooling. @example `refMaxPool2d(x, { kernel: 3, strides: 2, padding: 1 })` */
export function refMaxPool2d(x: NDArray, attrs: RefPoolAttrs): NDArray {
  return pool(x, attrs, "max");
}

/** Average pooling. @example `refAvgPool2d(x, { kernel: 2, countIncludePad: true })` */
export function refAvgPool2d(x: NDArray, attrs: RefPoolAttrs): NDArray {
  return pool(x, attrs, "avg");
}

/**
 * Global pooling over height and width, kept as 1×1.
 *
 * @example
 * ```ts
 * import { refGlobalPool2d } from "./ref_pool.ts";
 * import { ndarray } from "../ndarray.ts";
 * const y = refGlobalPool2d("avg", ndarray("float32", [1, 1, 2, 2], [1, 2, 3, 6]), {});
 * console.assert(y.data[0] === 3);
 * ```
 */
export function refGlobalPool2d(
  kind: "max" | "avg",
  x: NDArray,
  attrs: { readonly layout?: "NCHW" | "NHWC" },
): NDArray {
  const nchw = (attrs.layout ?? "NCHW") === "NCHW";
  const [hAx, wAx] = nchw ? [2, 3] : [1, 2];
  return pool(x, { kernel: [x.shape[hAx], x.shape[wAx]], layout: attrs.layout }, kind);
}

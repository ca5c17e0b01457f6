/**
 * Layout conversions between the canonical NCHW/OIHW operands of the bench and the NHWC/HWIO ones
 * of channels-last kernels (tfjs, hand-written NHWC schedules). Done outside the timed loop.
 *
 * @module
 */

/**
 * NCHW → NHWC (or, with `toNchw`, back) for a 4-D tensor of the given NCHW dims.
 *
 * @example
 * ```ts
 * import { nchwToNhwc } from "./layout.ts";
 * const t = nchwToNhwc(new Float32Array([1, 2, 3, 4]), [1, 2, 2, 1]);
 * console.assert(t.join() === "1,3,2,4");
 * ```
 */
export function nchwToNhwc(
  src: Float32Array,
  dims: readonly number[],
  toNchw = false,
): Float32Array {
  const [n, c, h, w] = dims;
  const out = new Float32Array(src.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < h * w; p++) {
        const nchw = (b * c + ch) * h * w + p, nhwc = (b * h * w + p) * c + ch;
        if (toNchw) out[nchw] = src[nhwc];
        else out[nhwc] = src[nchw];
      }
    }
  }
  return out;
}

/** OIHW filter → HWIO, tfjs's filter layout. @example `oihwToHwio(w, [64, 64, 3, 3])` */
export function oihwToHwio(src: Float32Array, dims: readonly number[]): Float32Array {
  const [o, i, h, w] = dims;
  const out = new Float32Array(src.length);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let p = 0; p < h * w; p++) out[(p * i + b) * o + a] = src[(a * i + b) * h * w + p];
    }
  }
  return out;
}

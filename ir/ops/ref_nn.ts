/**
 * Plain-TypeScript references of softmax, log-softmax, layer norm and gelu, computed in double
 * along each row and rounded once on store.
 *
 * @module
 */
import { type NDArray, numel } from "../ndarray.ts";
import { axisOf, erfRef, fill, get, stridesOf } from "./ref_util.ts";

/** Calls `f(base, stride, length)` for every line of `x` along `axis`. */
function lines(x: NDArray, axis: number, f: (base: number, stride: number, n: number) => void) {
  const n = x.shape[axis];
  const stride = stridesOf(x.shape)[axis];
  const total = numel(x.shape);
  for (let i = 0; i < total; i++) {
    if (Math.floor(i / stride) % n === 0) f(i, stride, n);
  }
}

function softmaxLike(x: NDArray, axis: number | undefined, log: boolean): NDArray {
  const a = axisOf(axis ?? -1, x.shape.length);
  const out = new Float64Array(numel(x.shape));
  lines(x, a, (base, stride, n) => {
    let mx = -Infinity;
    for (let k = 0; k < n; k++) mx = Math.max(mx, get(x, base + k * stride));
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.exp(get(x, base + k * stride) - mx);
    for (let k = 0; k < n; k++) {
      const v = get(x, base + k * stride) - mx;
      out[base + k * stride] = log ? v - Math.log(s) : Math.exp(v) / s;
    }
  });
  return fill(x.dtype, x.shape, (i) => out[i]);
}

/** Softmax along an axis. @example `refSoftmax(x, { axis: -1 })` */
export function refSoftmax(x: NDArray, attrs: { readonly axis?: number } = {}): NDArray {
  return softmaxLike(x, attrs.axis, false);
}

/** Log-softmax along an axis. @example `refLogSoftmax(x, {})` */
export function refLogSoftmax(x: NDArray, attrs: { readonly axis?: number } = {}): NDArray {
  return softmaxLike(x, attrs.axis, true);
}

/**
 * Layer norm over the last `axes` (as in the op: `[-1]` by default).
 *
 * @example
 * ```ts
 * import { refLayerNorm } from "./ref_nn.ts";
 * import { ndarray } from "../ndarray.ts";
 * const y = refLayerNorm(ndarray("float32", [1, 2], [1, 3]), undefined, undefined, { epsilon: 0 });
 * console.assert(y.data[0] === -1 && y.data[1] === 1);
 * ```
 */
export function refLayerNorm(
  x: NDArray,
  gamma: NDArray | undefined,
  beta: NDArray | undefined,
  attrs: { readonly axes?: number | readonly number[]; readonly epsilon?: number } = {},
): NDArray {
  const k = typeof attrs.axes === "number" ? 1 : attrs.axes?.length ?? 1;
  const inner = numel(x.shape.slice(x.shape.length - k));
  const rows = numel(x.shape) / inner;
  const eps = attrs.epsilon ?? 1e-5;
  const out = new Float64Array(numel(x.shape));
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let j = 0; j < inner; j++) mean += get(x, r * inner + j);
    mean /= inner;
    let v = 0;
    for (let j = 0; j < inner; j++) v += (get(x, r * inner + j) - mean) ** 2;
    const rstd = 1 / Math.sqrt(v / inner + eps);
    for (let j = 0; j < inner; j++) {
      let y = (get(x, r * inner + j) - mean) * rstd;
      if (gamma) y *= get(gamma, j);
      if (beta) y += get(beta, j);
      out[r * inner + j] = y;
    }
  }
  return fill(x.dtype, x.shape, (i) => out[i]);
}

/**
 * GELU, exact (erf) or tanh-approximated.
 *
 * @example
 * ```ts
 * import { refGelu } from "./ref_nn.ts";
 * import { ndarray } from "../ndarray.ts";
 * console.assert(refGelu(ndarray("float32", [1], [0]), {}).data[0] === 0);
 * ```
 */
export function refGelu(
  x: NDArray,
  attrs: { readonly approximate?: "none" | "tanh" } = {},
): NDArray {
  const tanhForm = attrs.approximate === "tanh";
  return fill(x.dtype, x.shape, (i) => {
    const v = get(x, i);
    const inner = tanhForm
      ? Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))
      : erfRef(v / Math.SQRT2);
    return 0.5 * v * (1 + inner);
  });
}

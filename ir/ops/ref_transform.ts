/**
 * Plain-TypeScript references of the data-movement ops: index arithmetic on concrete shapes.
 *
 * @module
 */
import { type NDArray, ndarray, numel } from "../ndarray.ts";
import { axisOf, broadcastOffset, fill, get, ravel, stridesOf, unravel } from "./ref_util.ts";

/** Permute dimensions (default: reversed). @example `refTranspose(x, [1, 0])` */
export function refTranspose(x: NDArray, perm?: readonly number[]): NDArray {
  const r = x.shape.length;
  const p = (perm ?? [...Array(r).keys()].reverse()).map((a) => axisOf(a, r));
  const shape = p.map((a) => x.shape[a]);
  const xs = stridesOf(x.shape);
  return fill(x.dtype, shape, (lin) => {
    const idx = unravel(lin, shape);
    let o = 0;
    p.forEach((a, j) => (o += idx[j] * xs[a]));
    return get(x, o);
  });
}

/** The same data in a new shape (`-1` inferred). @example `refReshape(x, [-1, 4])` */
export function refReshape(x: NDArray, newShape: readonly number[]): NDArray {
  const known = newShape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const shape = newShape.map((d) => (d === -1 ? numel(x.shape) / known : d));
  return ndarray(x.dtype, shape, x.data.slice());
}

/** Join along an axis. @example `refConcat([a, b], 0)` */
export function refConcat(xs: readonly NDArray[], axis: number): NDArray {
  const a = axisOf(axis, xs[0].shape.length);
  const shape = [...xs[0].shape];
  shape[a] = xs.reduce((s, t) => s + t.shape[a], 0);
  return fill(xs[0].dtype, shape, (lin) => {
    const idx = unravel(lin, shape);
    let k = 0;
    while (idx[a] >= xs[k].shape[a]) idx[a] -= xs[k++].shape[a];
    return get(xs[k], ravel(idx, stridesOf(xs[k].shape)));
  });
}

/** Constant padding per axis. @example `refPad(x, [1, 0], [1, 2], 0)` */
export function refPad(
  x: NDArray,
  before: readonly number[],
  after: readonly number[] = before,
  value = 0,
): NDArray {
  const shape = x.shape.map((d, k) => d + (before[k] ?? 0) + (after[k] ?? 0));
  const xs = stridesOf(x.shape);
  return fill(x.dtype, shape, (lin) => {
    const idx = unravel(lin, shape).map((i, k) => i - (before[k] ?? 0));
    if (idx.some((i, k) => i < 0 || i >= x.shape[k])) return value;
    return get(x, ravel(idx, xs));
  });
}

/** Python `slice(begin, end, step).indices(n)` then the extent. */
function sliceAxis(n: number, b: number | undefined, e: number | undefined, step: number) {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let start: number;
  let stop: number;
  if (step > 0) {
    start = b === undefined ? 0 : clamp(b < 0 ? b + n : b, 0, n);
    stop = e === undefined ? n : clamp(e < 0 ? e + n : e, 0, n);
  } else {
    start = b === undefined ? n - 1 : clamp(b < 0 ? b + n : b, -1, n - 1);
    stop = e === undefined ? -1 : clamp(e < 0 ? e + n : e, -1, n - 1);
  }
  const len = Math.max(0, Math.ceil((stop - start) / step));
  return { start, len };
}

/**
 * A strided window per axis, Python semantics.
 *
 * @example
 * ```ts
 * import { refSlice } from "./ref_transform.ts";
 * import { ndarray } from "../ndarray.ts";
 * const y = refSlice(ndarray("int32", [5], [0, 1, 2, 3, 4]), { begin: [-1], step: [-2] });
 * console.assert(y.data.join() === "4,2,0");
 * ```
 */
export function refSlice(
  x: NDArray,
  params: {
    readonly begin?: readonly (number | undefined)[];
    readonly end?: readonly (number | undefined)[];
    readonly step?: readonly (number | undefined)[];
    readonly axes?: readonly number[];
  },
): NDArray {
  const r = x.shape.length;
  const n = Math.max(
    params.axes?.length ?? 0,
    params.begin?.length ?? 0,
    params.end?.length ?? 0,
    params.step?.length ?? 0,
  );
  const axes = (params.axes ?? [...Array(n).keys()]).map((a) => axisOf(a, r));
  const start = x.shape.map(() => 0);
  const steps = x.shape.map(() => 1);
  const shape = [...x.shape];
  axes.forEach((a, k) => {
    const step = params.step?.[k] ?? 1;
    const s = sliceAxis(x.shape[a], params.begin?.[k], params.end?.[k], step);
    start[a] = s.start;
    steps[a] = step;
    shape[a] = s.len;
  });
  const xs = stridesOf(x.shape);
  return fill(x.dtype, shape, (lin) => {
    const idx = unravel(lin, shape).map((i, k) => start[k] + i * steps[k]);
    return get(x, ravel(idx, xs));
  });
}

/** Broadcast to a shape. @example `refBroadcastTo(x, [3, 4])` */
export function refBroadcastTo(x: NDArray, shape: readonly number[]): NDArray {
  return fill(x.dtype, shape, (lin) => get(x, broadcastOffset(x, unravel(lin, shape))));
}

/**
 * Plain-TypeScript references of the reductions: one pass over the input in row-major order,
 * accumulating per output element in double (integers wrapped to the accumulator dtype at every
 * step, which for + and · gives the same result as wrapping once).
 *
 * @module
 */
import { type DType, isInt } from "../dtype.ts";
import { type NDArray, numel } from "../ndarray.ts";
import { axisOf, fill, get, roundTo, stridesOf, unravel } from "./ref_util.ts";

/** Reduction kinds of `refReduce`. */
export type RefReduceKind = "sum" | "prod" | "max" | "min" | "mean";

/** Attributes of `refReduce`. */
export interface RefReduceAttrs {
  /** Axes to reduce (all when omitted). */
  readonly axes?: number | readonly number[];
  /** Keep reduced axes as 1. */
  readonly keepdims?: boolean;
  /** Accumulator and result dtype. */
  readonly outDtype?: DType;
}

function axesOf(axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return [...Array(rank).keys()];
  return (typeof axes === "number" ? [axes] : axes).map((a) => axisOf(a, rank));
}

/** Output shape and, for every input position, the linear position of its output element. */
function reduction(x: NDArray, axes: readonly number[], keepdims: boolean) {
  const shape: number[] = [];
  const kept: number[] = [];
  x.shape.forEach((d, k) => {
    if (!axes.includes(k)) {
      shape.push(d);
      kept.push(k);
    } else if (keepdims) shape.push(1);
  });
  const keptShape = kept.map((k) => x.shape[k]);
  const keptStrides = stridesOf(keptShape);
  const target = (i: number) => {
    const idx = unravel(i, x.shape);
    let o = 0;
    kept.forEach((k, j) => (o += idx[k] * keptStrides[j]));
    return o;
  };
  return { shape, target, count: axes.reduce((c, a) => c * x.shape[a], 1) };
}

/**
 * Reduce `x` over axes.
 *
 * @example
 * ```ts
 * import { refReduce } from "./ref_reduce.ts";
 * import { ndarray } from "../ndarray.ts";
 * const s = refReduce("sum", ndarray("float32", [2, 2], [1, 2, 3, 4]), { axes: [1] });
 * console.assert(s.data[0] === 3 && s.data[1] === 7);
 * ```
 */
export function refReduce(kind: RefReduceKind, x: NDArray, attrs: RefReduceAttrs = {}): NDArray {
  const axes = axesOf(attrs.axes, x.shape.length);
  const r = reduction(x, axes, attrs.keepdims ?? false);
  const d = attrs.outDtype ?? x.dtype;
  const n = numel(r.shape);
  const init = kind === "prod" ? 1 : kind === "max" ? -Infinity : kind === "min" ? Infinity : 0;
  const acc = new Float64Array(n).fill(init);
  const seen = new Uint8Array(n);
  const wrap = isInt(d) ? (v: number) => roundTo(d, v) : (v: number) => v;
  for (let i = 0; i < numel(x.shape); i++) {
    const o = r.target(i);
    const v = roundTo(d, get(x, i)); // the element cast to the accumulator dtype
    if (kind === "max" || kind === "min") {
      // integer max/min start from the first element; NaN propagates as in Math.max
      acc[o] = seen[o] ? (kind === "max" ? Math.max(acc[o], v) : Math.min(acc[o], v)) : v;
      seen[o] = 1;
    } else if (kind === "prod") acc[o] = wrap(isInt(d) ? Math.imul(acc[o], v) : acc[o] * v);
    else acc[o] = wrap(acc[o] + v);
  }
  return fill(d, r.shape, (o) => (kind === "mean" ? acc[o] / r.count : acc[o]));
}

/**
 * Index of the first maximum (or minimum) along an axis, as int32; a NaN counts as the extreme.
 *
 * @example
 * ```ts
 * import { refArg } from "./ref_reduce.ts";
 * import { ndarray } from "../ndarray.ts";
 * console.assert(refArg("argmax", ndarray("float32", [4], [1, 5, 5, 2]), {}).data[0] === 1);
 * ```
 */
export function refArg(
  kind: "argmax" | "argmin",
  x: NDArray,
  attrs: { readonly axis?: number; readonly keepdims?: boolean },
): NDArray {
  const axis = axisOf(attrs.axis ?? -1, x.shape.length);
  const r = reduction(x, [axis], attrs.keepdims ?? false);
  const n = numel(r.shape);
  const best = new Float64Array(n);
  const where = new Int32Array(n).fill(-1);
  const strideAxis = stridesOf(x.shape)[axis];
  for (let i = 0; i < numel(x.shape); i++) {
    const o = r.target(i);
    const v = get(x, i);
    const k = Math.floor(i / strideAxis) % x.shape[axis];
    const better = where[o] < 0 ||
      (!Number.isNaN(best[o]) &&
        (Number.isNaN(v) || (kind === "argmax" ? v > best[o] : v < best[o])));
    if (better) {
      best[o] = v;
      where[o] = k;
    }
  }
  return fill("int32", r.shape, (o) => where[o]);
}

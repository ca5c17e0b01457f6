/**
 * Helpers of the plain-TypeScript reference implementations: row-major index arithmetic on
 * concrete shapes, element access, and an `erf` of double accuracy. Nothing here uses the DSL
 * or the interpreter, so the references are an independent oracle.
 *
 * @module
 */
import type { DType } from "../dtype.ts";
import { getElement, type NDArray, ndarray, numel, setElement } from "../ndarray.ts";
import { opError } from "./errors.ts";

/** Row-major strides of a shape. @example `stridesOf([2, 3, 4])` is `[12, 4, 1]` */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    s[k] = acc;
    acc *= shape[k];
  }
  return s;
}

/** The multi-index of linear position `lin` in a shape. */
export function unravel(lin: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = lin % shape[k];
    lin = Math.floor(lin / shape[k]);
  }
  return idx;
}

/** The linear position of a multi-index under strides. */
export function ravel(idx: readonly number[], strides: readonly number[]): number {
  let o = 0;
  for (let k = 0; k < idx.length; k++) o += idx[k] * strides[k];
  return o;
}

/** Element `i` (linear) as a number. */
export function get(a: NDArray, i: number): number {
  return getElement(a.data, a.dtype, i);
}

/** A new array of `dtype` and `shape` whose element `i` is `f(i)` (normalised to the dtype). */
export function fill(dtype: DType, shape: readonly number[], f: (i: number) => number): NDArray {
  const out = ndarray(dtype, shape);
  const n = numel(shape);
  for (let i = 0; i < n; i++) setElement(out.data, dtype, i, f(i));
  return out;
}

/** Numpy broadcasting of concrete shapes. */
export function broadcastShape(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let d = 0; d < rank; d++) {
    let dim = 1;
    for (const s of shapes) {
      const x = s[d - (rank - s.length)] ?? 1;
      if (x === 1) continue;
      if (dim !== 1 && dim !== x) {
        throw opError(
          "OP_SHAPE_MISMATCH",
          "reference",
          "shapes",
          `cannot broadcast [${shapes.join("], [")}]`,
        );
      }
      dim = x;
    }
    out.push(dim);
  }
  return out;
}

/** Linear position in `a` of output multi-index `idx` under broadcasting. */
export function broadcastOffset(a: NDArray, idx: readonly number[]): number {
  const skip = idx.length - a.shape.length;
  let o = 0;
  for (let k = 0; k < a.shape.length; k++) {
    o = o * a.shape[k] + (a.shape[k] === 1 ? 0 : idx[k + skip]);
  }
  return o;
}

/** `[v, v]` or the pair itself. */
export function pair(v: number | readonly number[] | undefined, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

/** Padding as `[top, left, bottom, right]` from one number, `[h, w]` or four numbers. */
export function pad4(v: number | readonly number[] | undefined): [number, number, number, number] {
  if (v === undefined) return [0, 0, 0, 0];
  if (typeof v === "number") return [v, v, v, v];
  return v.length === 2 ? [v[0], v[1], v[0], v[1]] : [v[0], v[1], v[2], v[3]];
}

/** Normalise a possibly negative axis. */
export function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/**
 * The error function to about 1e-15: the Maclaurin series for |x| < 2.5, `1 − erfc(x)` with
 * erfc's continued fraction beyond.
 *
 * @example
 * ```ts
 * import { erfRef } from "./ref_util.ts";
 * console.assert(Math.abs(erfRef(1) - 0.8427007929497149) < 1e-15);
 * ```
 */
export function erfRef(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf x = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
    let term = ax;
    let total = ax;
    for (let n = 1; n < 200; n++) {
      term *= -ax * ax / n;
      const t = term / (2 * n + 1);
      total += t;
      if (Math.abs(t) < 1e-17 * Math.abs(total)) break;
    }
    return Math.sign(x) * total * 2 / Math.sqrt(Math.PI);
  }
  if (ax > 6) return Math.sign(x);
  // erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the tail
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + (k / 2) / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/** A number rounded (or wrapped) to a dtype, as a store would. @example `roundTo("int8", 130) === -126` */
export function roundTo(dtype: DType, v: number): number {
  let a = cells.get(dtype);
  if (!a) cells.set(dtype, a = ndarray(dtype, [1]));
  setElement(a.data, dtype, 0, v);
  return getElement(a.data, dtype, 0);
}

const cells = new Map<DType, NDArray>();
